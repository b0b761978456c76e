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


# How the CLI words the core's symbolic next steps (nemo_skill.delivery.NEXT_STEPS).
NEXT_STEP_WORDS: dict[str, str] = {
    "export": "Export the MP4: nemo-skill export",
    "add_music": 'Add music: nemo-skill chat "add calm background music"',
    "add_title": "Add a title: nemo-skill chat \"add the title 'My Trip' at the start\"",
    "vertical": 'Make it vertical for phones: nemo-skill chat "make it 9:16"',
    "longer": 'Make it longer: nemo-skill chat "make it 10 seconds long"',
    "edit": 'Change the motion or pace: nemo-skill chat "a slower zoom in"',
    "open_link": "Open the project in the web app: nemo-skill open",
    "another_clip": 'Animate another image: nemo-skill chat "animate this" -f photo.jpg',
}


def word_next(steps: list[str]) -> list[str]:
    """The CLI's sentences for symbolic next steps (unknown ones are skipped)."""
    return [NEXT_STEP_WORDS[step] for step in steps if step in NEXT_STEP_WORDS]


# An in-process embedded backend (``--api-url local``) stops when the command ends: a link
# to it would never open, so the line says how to serve the project page instead.
IN_PROCESS_CLAIM = (
    "Open the project in the web app: run `nemo-skill open --api-url local --serve` "
    "(this command's embedded backend has stopped, so its link would not open)"
)


def claim_line(url: str | None, *, in_process: bool = False) -> list[str]:
    """The text-mode line that carries the claim link (none when there is no link)."""
    if not url:
        return []
    return [IN_PROCESS_CLAIM] if in_process else [f"Open the project in the web app: {url}"]
