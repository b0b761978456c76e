"""``nemo-skill state``: the timeline of the current session."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """``state`` takes only the global options."""


def run(ctx: Context) -> int:
    """Print the track summary and a block per photo (or JSON: tracks, segments, the draft)."""
    from nemo_skill import timeline

    state = ctx.skill().state()
    draft = state.draft
    summary = timeline.format_summary(draft) if draft else ""
    shown = f"{summary}\n\n{timeline.format_blocks(draft)}" if summary else ""
    data = {
        "session_id": state.session_id,
        "task_id": state.task_id,
        "summary": summary,
        "timeline": timeline.describe_draft(draft) if draft else None,
        "draft": draft.to_wire() if draft else None,
    }
    ctx.emit(data, shown or "The timeline is empty: send an image and describe the clip.")
    return 0
