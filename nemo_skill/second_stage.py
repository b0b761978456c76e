"""Waiting for the backend's second stage before an export right after a generation.

The vendor documents generation as two stages: the raw video first, then
music and a title added by the backend, and "both must reach a completed
state before the final output is presented". The first stage's stream may
close before the second lands, so an export right after a generation first
waits, bounded and with progress, until one of:

- the draft has music or a title (the second stage landed), or
- the draft has stayed unchanged for :data:`SETTLE_S` seconds (8 s by
  default; ``config set second_stage_s N`` changes it; 0 turns the
  wait off) since the generation's stream closed or since it
  last changed: the backend added nothing, or
- :data:`MAX_WAIT_FACTOR` settle periods have passed while it kept changing:
  the export goes ahead with the draft as it is, and says so.

A generation is recorded by the journal (when its stream closed, wall-clock
time); exports a settle period or more after it never wait. The embedded
backend run in-process finishes both stages inside the turn: no wait there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from nemo_skill.conversation import tool_phrase
from nemo_skill.draft import TrackType, segments
from nemo_skill.models import Draft, SessionState
from nemo_skill.settings import Settings

SETTLE_S: Final = 8.0
MAX_WAIT_FACTOR: Final = 6  # at most 6 settle periods in all (48 s by default)
POLL_S: Final = 1.0
GENERATING: Final = tool_phrase("generate_video")


@dataclass(frozen=True)
class Generation:
    """A generation turn whose stream closed at ``ended_at`` (``time.time()``)."""

    ended_at: float


def is_generation(tool_calls: Sequence[str]) -> bool:
    """True when a turn's tool calls made a video (the first stage of a generation)."""
    return any(tool_phrase(name) == GENERATING for name in tool_calls)


def settle_for(settings: Settings) -> float:
    """The settle period: the ``second_stage_s`` setting, else :data:`SETTLE_S`.

    The in-process embedded backend adds music and title inside the turn
    itself (its stream closes after both stages), so there is nothing to wait for.
    """
    if settings.in_process:
        return 0.0
    return SETTLE_S if settings.second_stage_s is None else settings.second_stage_s


def has_second_stage(draft: Draft | None) -> bool:
    """True when the draft carries music or a text (title, caption) track."""
    if draft is None:
        return False
    wire = draft.to_wire()
    return bool(segments(wire, TrackType.AUDIO) or segments(wire, TrackType.TEXT))


def await_second_stage(
    state: SessionState,
    generation: Generation | None,
    read: Callable[[], SessionState],
    *,
    settle_s: float = SETTLE_S,
    progress: Callable[[str], None] = lambda line: None,
    sleep: Callable[[float], None] = time.sleep,
    wall: Callable[[], float] = time.time,
) -> SessionState:
    """``state``, or a later one once the second stage has landed or the draft settled."""
    if generation is None or settle_s <= 0 or has_second_stage(state.draft):
        return state

    def digest(current: SessionState) -> str | None:
        return current.draft.digest() if current.draft is not None else None

    seen, since = digest(state), generation.ended_at
    if wall() - since >= settle_s:
        return state  # settled long ago: exports later than that never wait
    progress("waiting for the backend to add music and a title (its second stage)…")
    give_up = wall() + settle_s * MAX_WAIT_FACTOR
    while wall() < give_up:
        sleep(POLL_S)
        state = read()
        if has_second_stage(state.draft):
            progress("the music and title are in; exporting")
            return state
        now = digest(state)
        if now != seen:
            seen, since = now, wall()
        elif wall() - since >= settle_s:
            progress(
                f"no music or title arrived within {settle_s:g} s; exporting the timeline as it is"
            )
            return state  # nothing more came: there is no second stage to wait for
    progress(
        f"gave up waiting for the second stage after {int(settle_s * MAX_WAIT_FACTOR)} s "
        "(the timeline kept changing); exporting it as it is now"
    )
    return state
