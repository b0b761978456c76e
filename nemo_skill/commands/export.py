"""``nemo-skill export``: render the timeline to MP4 and download it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``export``."""
    parser.add_argument(
        "-o", "--output", metavar="PATH", help="output file or folder (default ./<job id>.mp4)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=False,
        metavar="JOB_ID",
        help="pick up an interrupted export (the last one, or JOB_ID) instead of starting anew",
    )
    group.add_argument(
        "--cancel",
        nargs="?",
        const=True,
        default=False,
        metavar="JOB_ID",
        help="cancel the pending export (or JOB_ID)",
    )
    parser.add_argument(
        "--no-download", action="store_true", help="render only; print the URL, download nothing"
    )


def run(ctx: Context) -> int:
    """Export (or resume / cancel) and print the path and a MEDIA: line."""
    from nemo_skill.commands import claim_line

    skill = ctx.skill()
    args = ctx.args
    if args.cancel:
        result = skill.cancel_export(args.cancel if isinstance(args.cancel, str) else None)
        ctx.emit(result.to_dict(), f"Cancelled render {result.job_id} ({result.status}).")
        return 0
    result = skill.export(
        args.output, force=args.force, resume=args.resume, download=not args.no_download
    )
    link = claim_line(result.claim_url, in_process=ctx.settings.in_process)
    if result.path:
        data = {**result.to_dict(), "media": f"MEDIA:{result.path}"}
        ctx.emit(data, "\n".join([f"Saved {result.path}", *link, f"MEDIA:{result.path}"]))
    else:
        ctx.emit(result.to_dict(), "\n".join([f"Rendered {result.job_id}: {result.url}", *link]))
    return 0
