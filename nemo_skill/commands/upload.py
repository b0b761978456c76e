"""``nemo-skill upload FILE|URL ...``: upload media to the session."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``upload``."""
    parser.add_argument(
        "items",
        nargs="+",
        metavar="FILE|URL",
        help="JPG, PNG, WEBP, HEIC, GIF, MP4, MOV, MP3, WAV... up to 200 MB each",
    )


def run(ctx: Context) -> int:
    """Upload and list what the backend stored."""
    files = ctx.skill().upload(ctx.args.items)
    data = [f.model_dump(mode="json") for f in files]
    lines = []
    for f in files:
        size = f" {f.width}x{f.height}" if f.width and f.height else ""
        lines.append(f"Uploaded {f.filename} ({f.file_type or 'file'}{size})")
    ctx.emit({"files": data}, "\n".join(lines) or "Nothing uploaded.")
    return 0
