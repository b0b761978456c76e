"""Output paths, checked before any work starts (light: no third-party imports)."""

from __future__ import annotations

import os
from pathlib import Path

from nemo_skill.errors import UsageError

__all__ = ["ensure_folder", "is_url", "resolve_output"]


def resolve_output(
    out: str | Path | None, render_id: str, *, force: bool = False, cwd: Path | None = None
) -> Path:
    """Where to write the MP4, refusing unsafe targets before any work starts.

    ``None`` → ``./<render_id>.mp4``; a directory → ``<dir>/<render_id>.mp4``.
    Refuses: a parent that does not exist, an existing file without ``force``,
    a symlink (never written through), a non-regular existing path.
    """
    base = cwd or Path.cwd()
    path = base / f"{render_id}.mp4" if out is None else Path(out).expanduser()
    if not path.is_absolute():
        path = base / path
    if path.is_dir() and not path.is_symlink():
        path = path / f"{render_id}.mp4"
    if not path.parent.is_dir():
        raise UsageError(
            f"Output folder does not exist: {path.parent}",
            hint="Create the folder first or choose another path with {next:output}.",
        )
    if path.is_symlink():
        raise UsageError(
            f"Refusing to write through a symbolic link: {path}", hint="Choose a plain file path."
        )
    if path.exists():
        if not path.is_file():
            raise UsageError(f"Output path is not a regular file: {path}")
        if not force:
            raise UsageError(
                f"Output file already exists: {path}",
                hint="Use {next:force} to overwrite it, or choose another path with {next:output}.",
            )
    if not os.access(path.parent, os.W_OK):
        raise UsageError(f"Output folder is not writable: {path.parent}")
    return path


def ensure_folder(folder: str | Path, *, cwd: Path | None = None) -> Path:
    """``folder`` as an absolute path, created (with its parents) when it is missing.

    For callers that may make folders (an MCP host, or ``generate``, naming one that
    does not exist yet); an export's file path refuses a missing folder instead
    (:func:`resolve_output`).
    """
    path = Path(folder).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    if path.is_symlink() and not path.is_dir():
        raise UsageError(f"The output folder is a broken symbolic link: {path}")
    if path.exists() and not path.is_dir():
        raise UsageError(
            f"The output folder is a file, not a folder: {path}",
            hint="Choose a folder for {next:output}.",
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"Could not create the output folder {path}: {exc.strerror or type(exc).__name__}.",
            hint="Choose a folder you can write to for {next:output}.",
        ) from None
    return path


def is_url(text: str) -> bool:
    """True for an input given as a URL (uploaded by reference), not a local path."""
    return text.startswith(("http://", "https://", "file://"))
