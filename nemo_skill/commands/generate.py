"""``nemo-skill generate -f FILE ... [PROMPT] [-o DIR|FILE]``: one clip per image."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from nemo_skill.commands import add_files_option
from nemo_skill.config import DEFAULT_PROMPT

if TYPE_CHECKING:
    from nemo_skill.cli import Context
    from nemo_skill.skill import GenerateItem


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``generate``."""
    parser.add_argument(
        "prompt",
        nargs="?",
        default=DEFAULT_PROMPT,
        help=f'what to make (default "{DEFAULT_PROMPT}")',
    )
    add_files_option(parser, "an image to animate; repeatable (one render per file)", required=True)
    parser.add_argument(
        "-o", "--output", metavar="DIR|FILE", help="output folder, or a file for a single input"
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing output files")


def summary_table(items: list[GenerateItem]) -> str:
    """A plain-text table: input, result."""
    width = max([len("input")] + [len(item.input) for item in items])
    rows = [f"{'input':<{width}}  result", f"{'-' * width}  ------"]
    for item in items:
        outcome = item.path if item.path else f"FAILED: {(item.error or {}).get('message', '?')}"
        rows.append(f"{item.input:<{width}}  {outcome}")
    return "\n".join(rows)


def run(ctx: Context) -> int:
    """Animate every file; a failure does not stop the others.

    Exit 0 when every file produced a clip, else the exit code of the first failure.
    """
    items = ctx.skill().generate(
        ctx.args.files, ctx.args.prompt, output=ctx.args.output, force=ctx.args.force
    )
    media = "\n".join(f"MEDIA:{item.path}" for item in items if item.path)
    ctx.emit({"results": [item.to_dict() for item in items]}, summary_table(items) + "\n" + media)
    failed = [item for item in items if item.error]
    return _exit_code_of(failed[0].error) if failed else 0


def _exit_code_of(error: dict[str, object] | None) -> int:
    from nemo_skill import errors

    code = (error or {}).get("code")
    for cls in (
        errors.UnsupportedFileError,
        errors.FileTooLargeError,
        errors.InsufficientCreditsError,
        errors.PlanRequiredError,
        errors.UsageError,
        errors.RenderError,
    ):
        if cls.default_code == code:
            return cls.exit_code
    return 1
