"""The turn loop with a scripted client and a fake clock: no network, no sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nemo_skill.cli import STEPS
from nemo_skill.conversation import (
    NOTHING_CHANGED,
    STILL_WORKING,
    TurnResult,
    TurnTimings,
    run_turn,
    tool_phrase,
)
from nemo_skill.errors import (
    Next,
    ProtocolError,
    RequestTimeoutError,
    ServerError,
    SessionNotFoundError,
    StreamInterruptedError,
    TransportError,
    word_hint,
)
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
from nemo_skill.models import SessionState
from tests.mock_backend import Clock

VIDEO = {"t": [{"id": "v", "tt": 0, "sg": [{"id": "s", "d": 5000, "name": "p.jpg"}]}]}
MUSIC = {"id": "a", "tt": 1, "sg": [{"id": "m", "d": 5000, "style": "lo-fi", "volume": 0.35}]}
WITH_MUSIC = {"t": [*VIDEO["t"], MUSIC]}
ADDED_MUSIC = "Added background music: Lo-fi at 35%."
SAY_EXPORT = 'Say "export" (or run `nemo-skill export`) to render and download it.'


class FakeClient:
    """run_sse yields a script (numbers advance the clock, exceptions raise); state() replays
    a list of drafts (or exceptions), repeating the last one."""

    def __init__(self, script: list[Any], states: list[Any], clock: Clock) -> None:
        self.script, self.states, self.clock = script, states, clock
        self.sent: list[str] = []
        self.state_calls = 0
        self.closed = False

    def run_sse(self, session_id: str, text: str) -> Iterator[Event]:
        self.sent.append(text)
        try:
            for item in self.script:
                if isinstance(item, int | float):
                    self.clock.now += item
                elif isinstance(item, Exception):
                    raise item
                else:
                    yield item
        finally:
            self.closed = True

    def state(self, session_id: str) -> SessionState:
        item = self.states[min(self.state_calls, len(self.states) - 1)]
        self.state_calls += 1
        if isinstance(item, Exception):
            raise item
        return SessionState.model_validate({"state": {"draft": item}})


class Run:
    """One scripted turn: the client, the progress lines (with their fake times) and the clock."""

    def __init__(
        self, script: list[Any], states: list[Any], text: str = "hello", language: str | None = None
    ) -> None:
        self.clock = Clock()
        self.client = FakeClient(script, states, self.clock)
        self.lines: list[tuple[float, str]] = []
        self.text = text
        self.language = language

    def __call__(self) -> TurnResult:
        return run_turn(
            self.client,  # type: ignore[arg-type]
            "sid",
            self.text,
            progress=lambda line: self.lines.append((self.clock.now, line)),
            timings=TurnTimings(clock=self.clock, sleep=self.clock.sleep),
            language=self.language,
        )

    def said(self) -> list[str]:
        return [line for _, line in self.lines]

    def notices(self) -> list[float]:
        return [at for at, line in self.lines if line == STILL_WORKING]


def tool(call_id: str, name: str, status: str = "success") -> list[Event]:
    return [ToolCallEvent(call_id, name, {}), ToolResponseEvent(call_id, name, {"status": status})]


def heartbeats(every: float, until: float) -> list[Any]:
    script: list[Any] = []
    for _ in range(int(until // every)):
        script += [every, HeartbeatEvent()]
    return script


# --- a normal turn -----------------------------------------------------------------


def test_normal_turn_translates_text_and_reports_tools() -> None:
    run = Run(
        [TextEvent("Got it!"), *tool("1", "generate_video"), StateDeltaEvent({"draft": VIDEO}),
         *tool("2", "add_bgm"), StateDeltaEvent({"draft": WITH_MUSIC}),
         TextEvent("Your video is ready! Click Export to download.")],
        [VIDEO],
    )  # fmt: skip
    result = run()
    assert result.action == "chat"
    # The core names the step symbolically; the CLI's table words it.
    assert "nemo-skill" not in " ".join(result.messages)
    worded = [word_hint(message, None, STEPS) for message in result.messages]
    assert worded == ["Got it!", f"Your video is ready! {SAY_EXPORT}"]
    assert run.said() == ["generating video…", "adding music…"]
    assert result.tool_calls == ["generate_video", "add_bgm"]
    assert result.changes == [] and result.question is None and not result.recovered
    assert result.state is not None and result.state["summary"].startswith("1. Video: p.jpg")
    assert run.client.sent == ["hello"]
    assert run.client.state_calls == 1  # the draft came with the stream: no second fetch


def test_without_a_draft_in_the_stream_the_state_is_fetched_after_the_turn() -> None:
    run = Run([*tool("1", "add_bgm"), TextEvent("Added music.")], [VIDEO, WITH_MUSIC])
    result = run()
    assert run.client.state_calls == 2
    assert result.state is not None and [t["type"] for t in result.state["tracks"]] == [
        "video",
        "audio",
    ]


def test_repeated_tool_phrases_are_said_once_in_a_row() -> None:
    run = Run([*tool("1", "add_text"), *tool("2", "add_title"), *tool("3", "add_bgm"),
               TextEvent("ok")], [None])  # fmt: skip
    run()
    assert run.said() == ["adding text…", "adding music…"]


def test_partial_text_is_replaced_by_the_final_text() -> None:
    run = Run([TextEvent("Your vid", partial=True), TextEvent("eo is", partial=True),
               TextEvent("Your video is ready.")], [None])  # fmt: skip
    assert run().messages == ["Your video is ready."]


def test_partial_text_without_a_final_event_is_kept() -> None:
    run = Run([TextEvent("Half ", partial=True), TextEvent("done.", partial=True)], [None])
    assert run().messages == ["Half done."]


def test_the_language_of_the_message_is_detected() -> None:
    assert Run([TextEvent("好的")], [None], text="把这张照片做成视频")().language == "zh"
    assert Run([TextEvent("ok")], [None], text="make a video of this photo")().language == "en"


def test_ask_question_ends_the_turn_with_a_question() -> None:
    run = Run([TextEvent("I need an image."),
               QuestionEvent("Which image?", ["Upload a photo", "Use a URL"], "q")], [None])  # fmt: skip
    result = run()
    assert (result.question, result.options) == ("Which image?", ["Upload a photo", "Use a URL"])
    assert result.messages == ["I need an image."] and result.changes == []


def test_a_question_alone_is_not_a_silent_close() -> None:
    run = Run([QuestionEvent("Which image?", [], "q")], [VIDEO])
    result = run()
    assert result.question == "Which image?" and result.changes == []


# --- errors ------------------------------------------------------------------------


def test_error_event_raises_a_clear_error_and_closes_the_stream() -> None:
    run = Run([ErrorEvent("RuntimeError: render node unavailable", "agent_error"),
               TextEvent("never read")], [None])  # fmt: skip
    with pytest.raises(ServerError, match="render node unavailable") as info:
        run()
    assert info.value.code == "agent_error" and info.value.next is Next.STATE
    assert "nemo-skill state" in info.value.worded_hint(STEPS)
    assert run.client.closed


def test_malformed_function_call_says_so_and_suggests_rephrasing() -> None:
    with pytest.raises(ServerError) as info:
        Run([ErrorEvent("bad call", "MALFORMED_FUNCTION_CALL")], [None])()
    assert "malformed tool call" in info.value.message
    assert info.value.code == "MALFORMED_FUNCTION_CALL"
    assert "rephras" in info.value.hint.lower()


def test_protocol_errors_are_tolerated_among_real_events() -> None:
    run = Run([ErrorEvent("garbage", "protocol", protocol=True), TextEvent("Done.")], [None])
    assert run().messages == ["Done."]


def test_only_protocol_errors_is_a_protocol_error() -> None:
    run = Run([ErrorEvent("garbage", "protocol", protocol=True)] * 2, [VIDEO])
    with pytest.raises(ProtocolError, match="2 event"):
        run()


def test_a_lost_session_before_the_turn_is_raised_without_sending() -> None:
    run = Run([TextEvent("never")], [SessionNotFoundError("Session not found", code=1002)])
    with pytest.raises(SessionNotFoundError):
        run()
    assert run.client.sent == []


# --- silent close ------------------------------------------------------------------


def test_silent_close_reports_the_state_diff() -> None:
    run = Run(tool("1", "add_bgm"), [VIDEO, WITH_MUSIC])
    result = run()
    assert result.messages == []
    assert result.changes == [ADDED_MUSIC]
    assert run.client.state_calls == 2
    assert result.state is not None and len(result.state["tracks"]) == 2


def test_silent_close_without_change_says_so() -> None:
    assert Run([], [VIDEO, VIDEO])().changes == [NOTHING_CHANGED]


def test_silent_close_when_the_state_before_was_unreadable_shows_the_timeline() -> None:
    run = Run(tool("1", "add_bgm"), [TransportError("down"), WITH_MUSIC])
    (change,) = run().changes
    assert change.startswith("The backend finished without a reply. The timeline now: 1. Video")


# --- silent close, in the session's language ------------------------------------------

TITLED = {
    "t": [*VIDEO["t"], {"id": "x", "tt": 7, "sg": [{"id": "x1", "d": 3000, "text": "春天来了"}]}]
}


def story(*order: tuple[str, str]) -> dict[str, Any]:
    """Photos of 3 s each in the given order of (segment id, name)."""
    segments = [{"id": ident, "st": 3000 * i, "d": 3000, "name": name}
                for i, (ident, name) in enumerate(order)]  # fmt: skip
    return {"t": [{"id": "v", "tt": 0, "sg": segments}]}


def test_silent_close_speaks_the_language_of_the_message_when_the_session_has_none() -> None:
    run = Run(tool("1", "add_text"), [VIDEO, TITLED], text="添加标题「春天来了」")
    result = run()
    assert result.language == "zh"
    assert result.changes == ["已添加标题「春天来了」。"]


def test_the_sessions_language_wins_over_the_messages() -> None:
    run = Run(tool("1", "add_text"), [VIDEO, TITLED], text="add the title", language="es")
    assert run().changes == ['Añadido: título "春天来了".']


@pytest.mark.parametrize(
    ("language", "first"),
    [
        ("en", "Photo 1 (p3.jpg) moved from 6-9s to 0-3s."),
        ("zh", "第 1 张照片（p3.jpg）已从 6-9 秒 移到 0-3 秒。"),
        ("es", "La foto 1 (p3.jpg) pasa de 6-9 s a 0-3 s."),
        ("fr", "La photo 1 (p3.jpg) passe de 6-9 s à 0-3 s."),
        ("de", "Foto 1 (p3.jpg) verschoben von 6-9 s auf 0-3 s."),
        ("ja", "1枚目の写真（p3.jpg）を 6-9 秒 から 0-3 秒 に移動しました。"),
    ],
)
def test_a_silent_swap_names_each_photo_in_the_sessions_language(language: str, first: str) -> None:
    before = story(("s1", "p1.jpg"), ("s2", "p2.jpg"), ("s3", "p3.jpg"))
    after = story(("s3", "p3.jpg"), ("s2", "p2.jpg"), ("s1", "p1.jpg"))
    result = Run(tool("1", "edit_timeline"), [before, after], language=language)()
    assert len(result.changes) == 2  # p2 kept its place: only the two swapped photos are said
    assert first in result.changes
    assert all("p2.jpg" not in change for change in result.changes)


def test_nothing_changed_is_said_in_each_language_and_english_outside_the_six() -> None:
    said = {lang: Run([], [VIDEO, VIDEO], language=lang)().changes
            for lang in ("en", "zh", "es", "fr", "de", "ja")}  # fmt: skip
    assert said["en"] == [NOTHING_CHANGED]
    assert len({change for (change,) in said.values()}) == 6
    assert said["zh"] == ["后端没有回复就结束了，时间线没有变化。"]
    assert Run([], [VIDEO, VIDEO], language="ko")().changes == [NOTHING_CHANGED]


def test_silent_close_uses_the_fetched_state_even_with_a_draft_in_the_stream() -> None:
    run = Run([*tool("1", "add_bgm"), StateDeltaEvent({"draft": VIDEO})], [VIDEO, WITH_MUSIC])
    assert run().changes == [ADDED_MUSIC]


# --- the temporary-issue text --------------------------------------------------------


def test_trailing_temporary_issue_is_dropped_after_successful_tools() -> None:
    run = Run([TextEvent("Added music."), *tool("1", "add_bgm"),
               TextEvent("I encountered a temporary issue. Please try again.")], [VIDEO])  # fmt: skip
    assert run().messages == ["Added music."]


def test_a_lone_temporary_issue_after_tools_becomes_a_silent_close() -> None:
    run = Run([*tool("1", "add_bgm"), TextEvent("I encountered a temporary issue.")],
              [VIDEO, WITH_MUSIC])  # fmt: skip
    result = run()
    assert result.messages == [] and result.changes == [ADDED_MUSIC]


@pytest.mark.parametrize("tools", [[], tool("1", "add_bgm", status="error")])
def test_temporary_issue_is_kept_unless_the_tools_succeeded(tools: list[Event]) -> None:
    run = Run([*tools, TextEvent("I encountered a temporary issue.")], [VIDEO])
    assert run().messages == ["I encountered a temporary issue."]


# --- heartbeats ------------------------------------------------------------------


def test_still_working_exactly_every_two_minutes_of_heartbeats() -> None:
    run = Run([*heartbeats(every=10, until=590), TextEvent("Done.")], [None])
    result = run()
    assert run.notices() == [120, 240, 360, 480]
    assert result.messages == ["Done."]


def test_irregular_heartbeats_do_not_drift_the_notices() -> None:
    run = Run([*heartbeats(every=50, until=550), TextEvent("Done.")], [None])
    run()
    assert run.notices() == [150, 250, 400, 500]  # first heartbeat at or after 120, 240, ...


def test_real_events_restart_the_quiet_period() -> None:
    script = [*heartbeats(every=20, until=100), 1.0, *tool("1", "add_bgm"),
              *heartbeats(every=20, until=140), TextEvent("ok")]  # fmt: skip
    run = Run(script, [None])
    run()
    assert run.notices() == [221]  # 101 s (the tool call) + 120 s; not 121 (0 + 120)


def test_ten_minutes_of_heartbeats_is_a_timeout_without_resend() -> None:
    run = Run([*heartbeats(every=30, until=900), TextEvent("too late")], [None])
    with pytest.raises(RequestTimeoutError) as info:
        run()
    assert run.clock.now == 600
    assert "not re-sent" in info.value.hint and info.value.next is Next.STATE
    assert "nemo-skill state" in info.value.worded_hint(STEPS)
    assert run.client.sent == ["hello"] and run.client.closed
    assert run.clock.sleeps == []


# --- a dropped connection --------------------------------------------------------


def test_dropped_stream_recovers_from_state_without_resending() -> None:
    run = Run([TextEvent("Working on it."), StreamInterruptedError("dropped")],
              [VIDEO, VIDEO, WITH_MUSIC])  # fmt: skip
    result = run()
    assert run.client.sent == ["hello"]
    assert result.recovered
    assert result.changes == [ADDED_MUSIC]
    assert result.messages == ["Working on it."]
    assert run.clock.sleeps == [30.0, 60.0]
    assert "not re-sent" in run.said()[0]


def test_a_read_timeout_recovers_the_same_way() -> None:
    run = Run([RequestTimeoutError("read timeout")], [VIDEO, WITH_MUSIC])
    result = run()
    assert result.recovered and result.changes == [ADDED_MUSIC]
    assert run.clock.sleeps == [30.0]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", ADDED_MUSIC),
        ("zh", "已添加背景音乐：Lo-fi（音量 35%）。"),
        ("es", "Añadido: música de fondo Lo-fi al 35 %."),
        ("fr", "Ajouté : musique de fond Lo-fi à 35 %."),
        ("de", "Hinzugefügt: Hintergrundmusik Lo-fi mit 35 % Lautstärke."),
        ("ja", "BGM Lo-fi（音量 35%）を追加しました。"),
    ],
)
def test_a_recovered_turn_says_its_change_in_the_sessions_language(
    language: str, said: str
) -> None:
    run = Run([RequestTimeoutError("read timeout")], [VIDEO, WITH_MUSIC], language=language)
    result = run()
    assert result.recovered and result.changes == [said]


def test_failed_polls_count_as_unchanged() -> None:
    run = Run([StreamInterruptedError("dropped")],
              [VIDEO, TransportError("down"), TransportError("down"), WITH_MUSIC])  # fmt: skip
    assert run().changes == [ADDED_MUSIC]
    assert run.clock.sleeps == [30.0, 60.0, 60.0]


def test_dropped_stream_gives_up_after_five_unchanged_polls() -> None:
    run = Run([StreamInterruptedError("dropped")], [VIDEO])
    with pytest.raises(StreamInterruptedError) as info:
        run()
    assert "not re-sent" in info.value.hint and info.value.next is Next.STATE
    assert "nemo-skill state" in info.value.worded_hint(STEPS)
    assert run.clock.sleeps == [30.0, 60.0, 60.0, 60.0, 60.0]
    assert run.client.sent == ["hello"]
    assert run.client.state_calls == 6  # the state before + 5 polls


# --- tool phrases ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("generate_video", "generating video…"),
        ("generate_video_with_seedance", "generating video…"),
        ("add_bgm", "adding music…"),
        ("set_music_volume", "adding music…"),
        ("add_text", "adding text…"),
        ("remove_track", "removing a track…"),
        ("edit_multitrack", "editing the timeline…"),
        ("frobnicate", "working (frobnicate)…"),
        ("<script>", "working (script)…"),
        ("", "working…"),
    ],
)
def test_tool_phrases(name: str, phrase: str) -> None:
    assert tool_phrase(name) == phrase
