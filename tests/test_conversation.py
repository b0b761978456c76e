"""The turn loop with a scripted client and a fake clock: no network, no sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nemo_skill.conversation import STILL_WORKING, run_turn
from nemo_skill.errors import RequestTimeoutError, ServerError, StreamInterruptedError
from nemo_skill.events import (
    ErrorEvent,
    Event,
    HeartbeatEvent,
    QuestionEvent,
    StateDeltaEvent,
    TextEvent,
    ToolCallEvent,
    ToolResponseEvent,
)
from nemo_skill.gui import translate
from nemo_skill.models import SessionState

VIDEO = {"t": [{"id": "v", "tt": 0, "sg": [{"id": "s", "d": 5000, "name": "p.jpg"}]}]}
WITH_MUSIC = {
    "t": [
        *VIDEO["t"],
        {"id": "a", "tt": 1, "sg": [{"id": "m", "d": 5000, "style": "lo-fi", "volume": 0.35}]},
    ]
}


class Clock:
    """A clock that advances only when told (or when the fake sleeps)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeClient:
    """Scripted run_sse events (with clock advances) and a sequence of states."""

    def __init__(
        self, script: list[Any], states: list[dict[str, Any] | None], clock: Clock
    ) -> None:
        self.script = script
        self.states = list(states)
        self.clock = clock
        self.sent: list[str] = []
        self.state_calls = 0

    def run_sse(self, session_id: str, text: str) -> Iterator[Event]:
        self.sent.append(text)
        for item in self.script:
            if isinstance(item, (int, float)):
                self.clock.now += item
            elif isinstance(item, Exception):
                raise item
            else:
                yield item

    def state(self, session_id: str) -> SessionState:
        draft = self.states[min(self.state_calls, len(self.states) - 1)]
        self.state_calls += 1
        return SessionState.model_validate({"state": {"draft": draft}})


def turn(
    script: list[Any], states: list[dict[str, Any] | None]
) -> tuple[Any, FakeClient, list[str], Clock]:
    clock = Clock()
    client = FakeClient(script, states, clock)
    lines: list[str] = []
    result = run_turn(client, "sid", "hello", progress=lines.append, clock=clock,  # type: ignore[arg-type]
                      sleep=clock.sleep)  # fmt: skip
    return result, client, lines, clock


def test_normal_turn_translates_text_and_reports_tools() -> None:
    script = [
        TextEvent("Got it!"),
        ToolCallEvent("1", "generate_video", {}),
        ToolResponseEvent("1", "generate_video", {"status": "success"}),
        StateDeltaEvent({"draft": VIDEO}),
        ToolCallEvent("2", "add_bgm", {}),
        ToolResponseEvent("2", "add_bgm", {"status": "success"}),
        TextEvent("Your video is ready! Click Export to download."),
    ]
    result, client, lines, _ = turn(script, [None])
    assert result.messages == [
        "Got it!",
        translate("Your video is ready! Click Export to download."),
    ]
    assert lines == ["generating video…", "adding music…"]
    assert result.tool_calls == ["generate_video", "add_bgm"]
    assert result.changes == []
    assert client.sent == ["hello"]


def test_partial_text_is_replaced_by_the_final_text() -> None:
    script = [
        TextEvent("Your vid", partial=True),
        TextEvent("eo is", partial=True),
        TextEvent("Your video is ready."),
    ]
    result, *_ = turn(script, [None])
    assert result.messages == ["Your video is ready."]


def test_ask_question_ends_the_turn_with_a_question() -> None:
    script = [TextEvent("I need an image."), QuestionEvent("Which image?", ["Upload a photo"], "q")]
    result, *_ = turn(script, [None])
    assert result.question == "Which image?"
    assert result.options == ["Upload a photo"]


def test_error_event_raises_a_clear_error() -> None:
    with pytest.raises(ServerError, match="render node unavailable"):
        turn([ErrorEvent("RuntimeError: render node unavailable", "agent_error")], [None])


def test_model_error_code_suggests_rephrasing() -> None:
    with pytest.raises(ServerError) as info:
        turn([ErrorEvent("bad call", "MALFORMED_FUNCTION_CALL")], [None])
    assert "rephras" in info.value.hint.lower()


def test_protocol_errors_are_tolerated() -> None:
    result, *_ = turn(
        [ErrorEvent("garbage", "protocol", protocol=True), TextEvent("Done.")], [None]
    )
    assert result.messages == ["Done."]


def test_silent_close_reports_the_state_diff() -> None:
    script = [
        ToolCallEvent("1", "add_bgm", {}),
        ToolResponseEvent("1", "add_bgm", {"status": "success"}),
    ]
    result, client, *_ = turn(script, [VIDEO, WITH_MUSIC])
    assert result.messages == []
    assert result.changes == ["Added background music Lo-fi (0-5s, 35%)."]
    assert client.state_calls == 2


def test_silent_close_without_change_says_so() -> None:
    result, *_ = turn([], [VIDEO, VIDEO])
    assert result.changes == ["The backend finished without changing the timeline."]


def test_trailing_temporary_issue_is_dropped_after_successful_tools() -> None:
    script = [
        TextEvent("Added music."),
        ToolCallEvent("1", "add_bgm", {}),
        ToolResponseEvent("1", "add_bgm", {"status": "success"}),
        TextEvent("I encountered a temporary issue. Please try again."),
    ]
    result, *_ = turn(script, [VIDEO])
    assert result.messages == ["Added music."]


def test_temporary_issue_is_kept_when_no_tool_succeeded() -> None:
    result, *_ = turn([TextEvent("I encountered a temporary issue.")], [VIDEO])
    assert result.messages == ["I encountered a temporary issue."]


def test_still_working_every_two_minutes_of_heartbeats() -> None:
    script: list[Any] = []
    for _ in range(9):  # 9 × 30 s = 270 s of heartbeats only
        script += [30.0, HeartbeatEvent()]
    script += [TextEvent("Done.")]
    result, _, lines, _ = turn(script, [None])
    assert lines.count(STILL_WORKING) == 2  # at 120 s and 240 s
    assert result.messages == ["Done."]


def test_real_events_reset_the_heartbeat_clock() -> None:
    script: list[Any] = [
        100.0,
        HeartbeatEvent(),
        1.0,
        ToolCallEvent("1", "x", {}),
        100.0,
        HeartbeatEvent(),
    ]
    _, _, lines, _ = turn([*script, TextEvent("ok")], [None])
    assert STILL_WORKING not in lines


def test_ten_minutes_of_heartbeats_is_a_timeout_without_resend() -> None:
    script: list[Any] = []
    for _ in range(25):
        script += [30.0, HeartbeatEvent()]
    with pytest.raises(RequestTimeoutError) as info:
        turn(script, [None])
    assert "not re-sent" in info.value.hint


def test_dropped_stream_recovers_from_state_without_resending() -> None:
    script = [TextEvent("Working on it."), StreamInterruptedError("dropped")]
    clock_states: list[dict[str, Any] | None] = [VIDEO, VIDEO, WITH_MUSIC]
    result, client, _, clock = turn(script, clock_states)
    assert client.sent == ["hello"]  # never re-sent
    assert result.recovered
    assert result.changes == ["Added background music Lo-fi (0-5s, 35%)."]
    assert clock.sleeps == [30.0, 60.0]


def test_dropped_stream_gives_up_after_five_unchanged_polls() -> None:
    with pytest.raises(StreamInterruptedError) as info:
        turn([StreamInterruptedError("dropped")], [VIDEO])
    assert "not re-sent" in info.value.hint


def test_give_up_waits_thirty_then_sixty_seconds_four_times() -> None:
    clock = Clock()
    client = FakeClient([StreamInterruptedError("dropped")], [VIDEO], clock)
    with pytest.raises(StreamInterruptedError):
        run_turn(client, "sid", "hi", clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    assert clock.sleeps == [30.0, 60.0, 60.0, 60.0, 60.0]
    assert client.sent == ["hi"]
    assert client.state_calls == 6  # the "before" state + 5 polls
