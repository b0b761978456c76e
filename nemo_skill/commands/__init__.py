"""One module per CLI command: ``configure(parser)`` and ``run(ctx) -> int``.

Modules import only argparse at top level; heavy imports happen inside ``run``.
"""

from __future__ import annotations

import argparse


def add_files_option(
    parser: argparse.ArgumentParser, help_text: str, *, required: bool = False
) -> None:
    """The repeatable ``-f/--file FILE`` option shared by ``chat`` and ``generate``."""
    parser.add_argument(
        "-f",
        "--file",
        dest="files",
        action="append",
        default=[],
        required=required,
        metavar="FILE",
        help=help_text,
    )


def word_next(steps: list[str], language: str | None = "en") -> list[str]:
    """The CLI's sentences for symbolic next steps, from its one table (``cli.STEPS``),
    labelled in ``language``."""
    from nemo_skill.cli import STEPS
    from nemo_skill.delivery import suggestions

    return suggestions(steps, STEPS, language)


# The embedded backend's page is served by its local service (``--api-url local``), on this
# machine only and until the service stops when idle: the line says so.
LOCAL_CLAIM_NOTE = (
    "(served by the local service on this machine while it runs; "
    "`nemo-skill open --api-url local --serve` keeps it up)"
)


def claim_line(url: str | None, *, in_process: bool = False) -> list[str]:
    """The text-mode line that carries the claim link (none when there is no link)."""
    if not url:
        return []
    line = f"Open the project in the web app: {url}"
    return [f"{line} {LOCAL_CLAIM_NOTE}" if in_process else line]
