"""``nemo-skill upload FILE|URL ...``: upload media to the session."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``upload``."""
    from nemo_skill.errors import MAX_UPLOAD_TEXT

    parser.add_argument(
        "items",
        nargs="+",
        metavar="FILE|URL",
        help=f"JPG, PNG, WEBP, HEIC, GIF, MP4, MOV, MP3, WAV... up to {MAX_UPLOAD_TEXT} each",
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
