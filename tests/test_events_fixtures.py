"""The ADK SSE fixtures (a real google-adk 2.13 capture and the documented turn) decode exactly."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from nemo_skill.errors import StreamInterruptedError
from nemo_skill.events import (
    ErrorEvent,
    HeartbeatEvent,
    QuestionEvent,
    StateDeltaEvent,
    TextEvent,
    ToolCallEvent,
    ToolResponseEvent,
    decode_lines,
    decode_payload,
    iter_events,
)

FIXTURES = Path(__file__).parent / "fixtures"


def wire(name: str, *, stop_at: str | None = None) -> list[str]:
    lines = []
    for line in (FIXTURES / name).read_text().splitlines(keepends=True):
        if stop_at and line.startswith(stop_at):
            break
        if not line.startswith("#"):
            lines.append(line)
    return lines


def test_documented_tool_turn() -> None:
    events = list(decode_lines(wire("adk_sse_tool_turn.txt")))
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "TextEvent",
        "ToolCallEvent",
        "ToolResponseEvent",
        "StateDeltaEvent",
        "ToolCallEvent",
        "ToolResponseEvent",
        "StateDeltaEvent",
        "TextEvent",
    ]
    assert isinstance(events[1], ToolCallEvent) and events[1].name == "generate_video_with_seedance"
    assert events[1].args["aspect_ratio"] == "9:16"
    assert isinstance(events[6], StateDeltaEvent) and events[6].delta["draft"]["t"][1]["tt"] == 1
    assert isinstance(events[-1], TextEvent) and "Export" in events[-1].text


def test_real_adk_2_13_capture() -> None:
    events = list(decode_lines(wire("adk_2_13_capture.txt", stop_at="# --- unknown session")))
    assert events[0] == TextEvent(
        "Got it! I'll animate your photo into a 5-second clip.", "nemo_agent"
    )
    assert events[1] == ToolCallEvent("call-1", "generate_video", {"duration": 5})
    assert events[2] == ToolResponseEvent("call-1", "generate_video", {"status": "success"})
    assert events[3] == StateDeltaEvent({"draft": {"t": [{"tt": 0, "sg": [{"d": 5000}]}]}})
    assert events[4] == TextEvent("Your video is ready! Click Export to download.", "nemo_agent")
    error = events[5]
    assert isinstance(error, ErrorEvent) and not error.protocol
    assert error.message == "RuntimeError: render node unavailable"
    assert error.details["error_type"] == "RuntimeError"
    assert len(events) == 6


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("", HeartbeatEvent()),
        ("heartbeat", HeartbeatEvent()),
        ('{"type":"heartbeat"}', HeartbeatEvent()),
        ('{"type":"text","text":"hi"}', TextEvent("hi")),
        (
            '{"type":"tool_call","name":"add_bgm","id":"1","args":{"v":1}}',
            ToolCallEvent("1", "add_bgm", {"v": 1}),
        ),
        (
            '{"type":"tool_result","name":"add_bgm","id":"1","response":{"ok":true}}',
            ToolResponseEvent("1", "add_bgm", {"ok": True}),
        ),
        (
            '{"errorCode":"MALFORMED_FUNCTION_CALL","errorMessage":"bad"}',
            ErrorEvent("bad", "MALFORMED_FUNCTION_CALL"),
        ),
        (
            '{"content":{"parts":[{"function_call":{"id":"q","name":"ask_question","args":{"question":"Which?","options":["a"]}}}]}}',
            QuestionEvent("Which?", ["a"], "q"),
        ),
        (
            '{"invocation_id":"e","actions":{"state_delta":{"draft":{"t":[]}}}}',
            StateDeltaEvent({"draft": {"t": []}}),
        ),
    ],
)
def test_payload_variants(payload: str, expected: object) -> None:
    assert decode_payload(payload) == [expected]


@pytest.mark.parametrize("payload", ['{"content": {"parts": [{"te', "[1, 2]", "not json", "{bad}"])
def test_malformed_payloads_become_protocol_events(payload: str) -> None:
    (event,) = decode_payload(payload)
    assert isinstance(event, ErrorEvent) and event.protocol


def test_comment_pings_and_multiline_data_and_unterminated_last_event() -> None:
    lines = [
        ": ping\n",
        'data: {"type":\n',
        'data: "text", "text": "a"}\n',
        "\n",
        'data: {"type":"text","text":"b"}',
    ]
    assert list(decode_lines(lines)) == [HeartbeatEvent(), TextEvent("a"), TextEvent("b")]


class _Broken(httpx.SyncByteStream):
    def __iter__(self):  # type: ignore[no-untyped-def]
        yield b'data: {"type":"text","text":"partial"}\n\n'
        raise httpx.ReadError("connection reset")


def test_iter_events_over_http_and_a_dropped_stream() -> None:
    body = "".join(wire("adk_2_13_capture.txt", stop_at="# --- unknown session")).encode()

    def ok(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    with (
        httpx.Client(transport=httpx.MockTransport(ok)) as client,
        client.stream("POST", "http://x/run_sse") as response,
    ):
        assert len(list(iter_events(response))) == 6

    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Broken())

    seen = []
    with (
        httpx.Client(transport=httpx.MockTransport(broken)) as client,
        client.stream("POST", "http://x/run_sse") as response,
        pytest.raises(StreamInterruptedError),
    ):
        for event in iter_events(response):
            seen.append(event)
    assert seen == [TextEvent("partial")]
