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
