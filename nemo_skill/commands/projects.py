"""``nemo-skill projects``: this machine's projects, most recently active first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_skill.cli import Context

EMPTY = (
    "No projects on this machine yet. Start one in any folder:\n"
    '  nemo-skill chat "turn this image into a 5-second animated video clip" -f photo.jpg\n'
    "(each folder, or each --session NAME, is its own project)"
)


def configure(parser: argparse.ArgumentParser) -> None:
    """``projects`` takes only the global options."""


def _when(stamp: str | None) -> str:
    return stamp.replace("T", " ").removesuffix("Z") + " UTC" if stamp else "-"


def project_text(row: dict[str, Any]) -> str:
    """A few lines for one project."""
    where = row["workspace"] if row["kind"] == "directory" else f"--session {row['workspace']}"
    mark = "* " if row.get("current") else "  "
    lines = [
        f"{mark}{where}",
        f"    session {row['session_id'] or '(none)'} on {row['backend']}",
        f"    created {_when(row['created'])}, last activity {_when(row['last_activity'])}",
    ]
    if row.get("last_message"):
        lines.append(f"    last message: {row['last_message']}")
    if row.get("last_export"):
        lines.append(f"    last export: {row['last_export']}")
    return "\n".join(lines)


def run(ctx: Context) -> int:
    """List the projects (``--json``: ``{"projects": [...]}``; an empty list says how to start)."""
    from nemo_skill.skill import Skill

    # Reading the local store needs no backend: no client is built, nothing is started.
    rows = Skill.list_projects(ctx.settings, getattr(ctx.args, "session", None))
    data: dict[str, Any] = {"projects": rows}
    if not rows:
        data["hint"] = EMPTY
    ctx.emit(data, "\n".join(project_text(row) for row in rows) if rows else EMPTY)
    return 0
