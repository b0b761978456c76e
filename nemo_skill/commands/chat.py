"""``nemo-skill chat MESSAGE [-f FILE ...]``: the main entry for agent hosts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context
    from nemo_skill.skill import ChatResult


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``chat``."""
    parser.add_argument("message", help="the user's message, as they wrote it")
    parser.add_argument(
        "-f",
        "--file",
        dest="files",
        action="append",
        default=[],
        metavar="FILE",
        help="a file (or URL) to upload first; repeatable",
    )
    parser.add_argument(
        "-o", "--output", metavar="PATH", help="where to save the MP4 if the message asks to export"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")


def render_text(result: ChatResult) -> str:
    """The reply for a person: messages, changes, question, state, export path."""
    lines = list(result.messages)
    lines += [f"- {change}" for change in result.changes]
    if result.question:
        lines.append(f"? {result.question}")
        lines += [f"  {i}. {option}" for i, option in enumerate(result.options, start=1)]
    if result.credits:
        from nemo_skill.commands.credits import credits_text

        lines.append(credits_text(result.credits))
    if result.export and result.export.path:
        lines.append(f"MEDIA:{result.export.path}")
    return "\n".join(lines) or "Done."


def run(ctx: Context) -> int:
    """Route and handle one message."""
    result = ctx.skill().chat(
        ctx.args.message, ctx.args.files, output=ctx.args.output, force=ctx.args.force
    )
    ctx.emit(result.to_dict(), render_text(result))
    return 0
