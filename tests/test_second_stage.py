"""``nemo_skill.second_stage``: the bounded wait for music and title after a generation.

On a fake wall clock whose sleep advances it: the wait ends as soon as the
second stage lands, after the settle period when nothing changes, and gives
up (saying so) when the draft keeps changing. Over the embedded backend the
late second stage is tested in tests/faults/test_export_faults.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nemo_skill.models import SessionState
from nemo_skill.second_stage import (
    MAX_WAIT_FACTOR,
    SETTLE_S,
    Generation,
    await_second_stage,
    is_generation,
    settle_for,
)
from nemo_skill.settings import Settings

VIDEO = {"tt": 0, "sg": [{"d": 1000, "src": "a.jpg"}]}
MUSIC = {"tt": 1, "sg": [{"d": 1000, "style": "calm"}]}


def state(*tracks: dict[str, Any], w: int = 320) -> SessionState:
    return SessionState.model_validate({"state": {"draft": {"t": list(tracks), "m": {"w": w}}}})


class Wall:
    """A wall clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def run(
    first: SessionState, reads: Callable[[float], SessionState], ended_ago: float, **kw: Any
) -> tuple[SessionState, list[str], Wall]:
    wall, said = Wall(), []
    result = await_second_stage(
        first, Generation(wall.now - ended_ago), lambda: reads(wall.slept),
        progress=said.append, sleep=wall.sleep, wall=wall, **kw,
    )  # fmt: skip
    return result, said, wall


def test_the_wait_ends_when_the_music_lands() -> None:
    result, said, wall = run(
        state(VIDEO), lambda t: state(VIDEO, MUSIC) if t >= 3 else state(VIDEO), 0.0
    )
    assert result.draft is not None and len(result.draft.t) == 2
    assert wall.slept == 3.0  # polled once a second, done the moment it landed
    assert said[-1] == "the music and title are in; exporting"


def test_an_unchanged_draft_settles_after_the_settle_period_and_says_so() -> None:
    result, said, wall = run(state(VIDEO), lambda t: state(VIDEO), 2.0)
    assert wall.slept == SETTLE_S - 2.0  # counted from the stream's end
    assert said[-1] == "no music or title arrived within 8 s; exporting the timeline as it is"
    assert result.draft is not None and len(result.draft.t) == 1


def test_a_draft_that_keeps_changing_is_given_up_on_and_said() -> None:
    _, said, wall = run(state(VIDEO), lambda t: state(VIDEO, w=320 + int(t)), 0.0)
    assert wall.slept == pytest.approx(SETTLE_S * MAX_WAIT_FACTOR)
    assert said[-1].startswith("gave up waiting for the second stage after 48 s")


@pytest.mark.parametrize(
    ("first", "generation", "settle"),
    [
        (state(VIDEO, MUSIC), Generation(1000.0), SETTLE_S),  # the second stage is already in
        (state(VIDEO), None, SETTLE_S),  # no generation recorded
        (state(VIDEO), Generation(0.0), SETTLE_S),  # long ago
        (state(VIDEO), Generation(1000.0), 0.0),  # turned off
    ],
)
def test_no_wait_when_there_is_nothing_to_wait_for(
    first: SessionState, generation: Generation | None, settle: float
) -> None:
    wall = Wall()
    reads: list[int] = []
    result = await_second_stage(first, generation, lambda: reads.append(1) or first,
                                settle_s=settle, sleep=wall.sleep, wall=wall)  # fmt: skip
    assert result is first and reads == [] and wall.slept == 0


def test_a_generation_is_told_by_its_tool_calls() -> None:
    assert is_generation(["generate_video", "add_bgm"])
    assert not is_generation(["add_bgm", "add_text"]) and not is_generation([])


def test_the_settle_period_comes_from_the_settings(tmp_path: Any) -> None:
    assert settle_for(Settings(api_url="https://x.test")) == SETTLE_S
    assert settle_for(Settings(api_url="https://x.test", second_stage_s=2.5)) == 2.5
    # The embedded backend run in-process finishes both stages inside the turn.
    assert settle_for(Settings(api_url="http://127.0.0.1:1", scope="local")) == 0.0
