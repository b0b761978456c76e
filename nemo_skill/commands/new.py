"""``nemo-skill new``: start a fresh project session for this workspace."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``new``."""
    parser.add_argument("--language", metavar="ISO", help="session language (default: en)")


def run(ctx: Context) -> int:
    """Create a new session and remember it for this workspace."""
    project = ctx.skill().new_session(ctx.args.language)
    ctx.emit(
        {"session_id": project.session_id, "task_id": project.task_id},
        "Started a new project. Send an image and describe the clip.",
    )
    return 0
