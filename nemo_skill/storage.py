"""Private files on disk: 0700 folders, 0600 files written atomically, cross-process locks.

Every state file of the skill (token cache, sessions, settings, turns, batch
progress) is written through :func:`write_atomic`: a temp file in the same
folder, fsync, rename, so a killed process never leaves a half-written file
and readers see the old version or the new one. This module imports nothing
from the package, so any module can use it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 and tighten it if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


@contextlib.contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (created 0600) across processes."""
    ensure_private_dir(lock_path.parent)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_private(path: Path, data: str | bytes) -> None:
    """Atomically write ``data`` to ``path`` with mode 0600, in a private (0700) folder."""
    ensure_private_dir(path.parent)
    write_atomic(path, data)


def write_atomic(
    path: Path, data: str | bytes, *, prefix: str | None = None, sync_dir: bool = False
) -> None:
    """Write ``data`` to ``path`` as a 0600 file: temp file in the same folder, fsync, rename.

    Readers see the old file or the new one, never a part. ``prefix`` names the temp file
    (default ``.<name>.``, so a sweep can find leftovers); ``sync_dir`` also fsyncs the
    folder, so the rename itself survives a power cut. The folder's mode is left as it is.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=prefix or f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``; a missing or unreadable file reads as ``{}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Atomically write a JSON object with mode 0600."""
    write_private(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc``, or an error it was raised from, says the disk (or quota) is full.

    Follows ``__cause__`` and ``__context__`` (kept even under ``raise ... from None``), so
    an encoder's own error raised while handling an ENOSPC still counts. SQLite says
    "database or disk is full".
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        if "disk is full" in str(current) or "No space left on device" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def disk_full_message(folder: Path, doing: str) -> str:
    """The one wording of a full disk: what failed and the folder that has no room."""
    return f"Disk full: no space left in {folder} {doing}."
