"""``nemo-skill generate -f FILE ... [PROMPT] [-o DIR|FILE] [--jobs N] [--fresh]``: a batch.

One clip per image, ``--jobs`` at a time, each in its own session. Progress
is one line per item step on stderr; the summary table (or, with ``--json``,
one document with every item) goes to stdout. Running the same command again
resumes the batch (see :meth:`nemo_skill.skill.Skill.generate`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from nemo_skill.commands import add_files_option
from nemo_skill.config import DEFAULT_PROMPT

if TYPE_CHECKING:
    from nemo_skill.cli import Context
    from nemo_skill.skill import BatchReport, GenerateItem


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``generate``."""
    parser.add_argument(
        "prompt",
        nargs="?",
        default=DEFAULT_PROMPT,
        help=f'what to make (default "{DEFAULT_PROMPT}")',
    )
    add_files_option(parser, "an image to animate; repeatable (one clip per file)", required=True)
    parser.add_argument(
        "-o", "--output", metavar="DIR|FILE", help="output folder, or a file for a single input"
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing output files")
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="items in flight at once (default 3; on the local backend, its render workers)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="forget this batch's recorded progress and start afresh (turns are charged again)",
    )


def _outcome(item: GenerateItem) -> str:
    if item.path:
        return item.path + (f" ({item.note})" if item.note else "")
    from nemo_skill.cli import STEPS
    from nemo_skill.errors import word_hint

    message = word_hint((item.error or {}).get("message", "?"), None, STEPS)
    return f"{'NOT RUN' if item.state == 'not_run' else 'FAILED'}: {message}"


def summary_table(report: BatchReport) -> str:
    """A plain-text table (#, input, state, seconds, clip or error) and a one-line tally."""
    items = report.items
    width = max([len("input")] + [len(item.input) for item in items])
    states = max([len("state")] + [len(item.state) for item in items])
    number = len(str(len(items)))
    rows = [
        f"{'#':>{number}}  {'input':<{width}}  {'state':<{states}}  {'secs':>6}  clip / error",
        f"{'-' * number}  {'-' * width}  {'-' * states}  ------  ------------",
    ]
    for n, item in enumerate(items, start=1):
        rows.append(
            f"{n:>{number}}  {item.input:<{width}}  {item.state:<{states}}  "
            f"{item.seconds:>6.1f}  {_outcome(item)}"
        )
    tally = ", ".join(f"{count} {state}" for state, count in sorted(report.counts().items()))
    rows.append(f"{len(items)} item(s): {tally}. Progress: {report.manifest}")
    return "\n".join(rows)


def run(ctx: Context) -> int:
    """Animate every file; one failure does not stop the others.

    Exit 0 when every file has its clip, else the exit code of the first that has not.
    """
    report = ctx.skill().generate(
        ctx.args.files,
        ctx.args.prompt,
        output=ctx.args.output,
        force=ctx.args.force,
        jobs=ctx.args.jobs,
        fresh=ctx.args.fresh,
    )
    media = "\n".join(
        f"MEDIA:{item.path}"
        + (f"\nOpen {item.input} in the web app: {item.claim_url}" if item.claim_url else "")
        for item in report.items
        if item.path
    )
    from nemo_skill.cli import STEPS

    ctx.emit(report.to_dict(STEPS), summary_table(report) + ("\n" + media if media else ""))
    return report.exit_code()
