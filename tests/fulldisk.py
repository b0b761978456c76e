"""A disk that is really full (ENOSPC), for the tests of what a full disk does."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest


@contextmanager
def small_disk(folder: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (needs root: skipped elsewhere), unmounted
    at the end. :func:`fill` then makes it full for real (ENOSPC)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path) -> Path:
    """Fill the disk holding ``folder`` to the last byte; delete the file returned to undo."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out, suppress(OSError):  # ENOSPC: full now
        while out.write(b"\0" * 4096):
            pass
    return filler
