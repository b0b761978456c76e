"""``nemo_skill.events``: SSE framing, every accepted payload shape, and the HTTP shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nemo_skill.errors import RequestTimeoutError, StreamInterruptedError
from nemo_skill.events import (
    ErrorEvent,
    Event,
    HeartbeatEvent,
    QuestionEvent,
    StateDeltaEvent,
    TextEvent,
    ToolCallEvent,
    ToolResponseEvent,
    decode_lines,
    iter_events,
)

FIXTURES = Path(__file__).parent / "fixtures"
UNKNOWN_SESSION_NOTE = "# --- unknown session"
SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8"}


def sse_lines(name: str) -> list[str]:
    """The fixture's SSE part without the '#' notes (up to the JSON-bodies section)."""
    text = (FIXTURES / name).read_text().split(UNKNOWN_SESSION_NOTE)[0]
    return [line for line in text.splitlines(keepends=True) if not line.startswith("#")]


def json_bodies(name: str) -> list[str]:
    """The plain JSON bodies after the capture's 'unknown session' note."""
    text = (FIXTURES / name).read_text().split(UNKNOWN_SESSION_NOTE)[1]
    return [line for line in text.splitlines()[1:] if line and not line.startswith("#")]


def decode(*lines: str) -> list[Event]:
    return list(decode_lines(lines))


TOOL_TURN_CALL_ID = "adk-0b6f1a52-9f3e-4c1e-8f5e-1d2a3b4c5d6e"
EDIT_CALL_ID = "adk-8c2e4f60-1a3b-4d5c-9e7f-0a1b2c3d4e5f"
CDN_MP4 = "https://cdn.example.invalid/gen/abc.mp4"


def test_documented_tool_turn_decodes_to_the_exact_event_sequence() -> None:
    assert list(decode_lines(sse_lines("adk_sse_tool_turn.txt"))) == [
        TextEvent(
            "Got it! I'll animate your photo into a 5-second clip. "
            "This will take a couple of minutes.",
            "nemo_agent",
        ),
        ToolCallEvent(
            TOOL_TURN_CALL_ID,
            "generate_video_with_seedance",
            {
                "prompt": "slow cinematic push-in on the product photo, warm golden light",
                "duration": 5,
                "aspect_ratio": "9:16",
            },
        ),
        ToolResponseEvent(
            TOOL_TURN_CALL_ID,
            "generate_video_with_seedance",
            {"status": "success", "video_url": CDN_MP4, "duration_ms": 5000},
        ),
        StateDeltaEvent({"generated_media": [{"url": CDN_MP4}]}),
        ToolCallEvent(
            EDIT_CALL_ID,
            "edit_multitrack",
            {"ops": [{"op": "add_track", "type": "bgm", "style": "lo-fi", "volume": 0.35}]},
        ),
        ToolResponseEvent(EDIT_CALL_ID, "edit_multitrack", {"result": "ok"}),
        StateDeltaEvent(
            {"draft": {"t": [{"tt": 0, "sg": [{"d": 5000}]}, {"tt": 1, "sg": [{"d": 5000}]}]}}
        ),
        TextEvent(
            "Your video is ready! I added lo-fi background music at 35% volume. "
            "Preview it in the timeline or click Export to download.",
            "nemo_agent",
        ),
    ]


ADK_2_13_EVENTS: list[Event] = [
    TextEvent("Got it! I'll animate your photo into a 5-second clip.", "nemo_agent"),
    ToolCallEvent("call-1", "generate_video", {"duration": 5}),
    ToolResponseEvent("call-1", "generate_video", {"status": "success"}),
    StateDeltaEvent({"draft": {"t": [{"tt": 0, "sg": [{"d": 5000}]}]}}),
    TextEvent("Your video is ready! Click Export to download.", "nemo_agent"),
    ErrorEvent(
        "RuntimeError: render node unavailable",
        "agent_error",
        {
            "error_type": "RuntimeError",
            "error_message": "render node unavailable",
            "timestamp": 1795532102.5500064,
        },
    ),
]


def test_real_adk_2_13_capture_decodes_to_the_exact_event_sequence() -> None:
    assert list(decode_lines(sse_lines("adk_2_13_capture.txt"))) == ADK_2_13_EVENTS


def test_capture_json_bodies_are_not_sse_and_become_protocol_errors() -> None:
    bodies = json_bodies("adk_2_13_capture.txt")
    assert [json.loads(b).keys() for b in bodies] == [{"detail"}, {"detail"}]
    events = decode(*bodies)
    assert len(events) == len(bodies)
    assert all(isinstance(e, ErrorEvent) and e.protocol for e in events)


@pytest.mark.parametrize(
    "lines",
    [
        ["data:\n", "\n"],
        ["data: \n", "\n"],
        [": ping\n"],
        ["data: heartbeat\n", "\n"],
        ['data: {"type":"heartbeat"}\n', "\n"],
        ['data: "heartbeat"\n', "\n"],
    ],
    ids=["empty-data", "blank-data", "comment-ping", "word", "flat-json", "json-string"],
)
def test_keepalives_are_heartbeats(lines: list[str]) -> None:
    assert decode(*lines) == [HeartbeatEvent()]


def test_pre_1_0_snake_case_event() -> None:
    event = {
        "invocation_id": "e-1",
        "author": "nemo_agent",
        "long_running_tool_ids": [],
        "content": {
            "parts": [{"function_call": {"id": "c1", "name": "add_bgm", "args": {"v": 0.3}}}]
        },
        "actions": {"state_delta": {"draft": {"t": []}}},
    }
    assert decode(f"data: {json.dumps(event)}\n", "\n") == [
        ToolCallEvent("c1", "add_bgm", {"v": 0.3}),
        StateDeltaEvent({"draft": {"t": []}}),
    ]


def test_ask_question_becomes_a_question_not_a_tool_call() -> None:
    event = {
        "invocationId": "e",
        "content": {
            "parts": [
                {
                    "functionCall": {
                        "id": "q1",
                        "name": "ask_question",
                        "args": {"question": "Portrait or landscape?", "options": ["9:16", "16:9"]},
                    }
                }
            ]
        },
    }
    assert decode(f"data: {json.dumps(event)}\n", "\n") == [
        QuestionEvent("Portrait or landscape?", ["9:16", "16:9"], "q1")
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"errorCode": "MALFORMED_FUNCTION_CALL", "errorMessage": "bad call"},
         ErrorEvent("bad call", "MALFORMED_FUNCTION_CALL")),
        ({"error_code": "SAFETY"}, ErrorEvent("SAFETY", "SAFETY")),
        ({"error": "boom"}, ErrorEvent("boom", "agent_error")),
        ({"error": {"message": "nested"}, "error_details": {"k": 1}},
         ErrorEvent("nested", "agent_error", {"k": 1})),
    ],
)  # fmt: skip
def test_agent_error_shapes(payload: dict[str, object], expected: ErrorEvent) -> None:
    assert decode(f"data: {json.dumps(payload)}\n", "\n") == [expected]
    assert not expected.protocol


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"type": "text", "text": "hello"}, TextEvent("hello")),
        ({"type": "text", "content": "via content key"}, TextEvent("via content key")),
        ({"type": "tool_call", "id": "t", "name": "trim", "arguments": {"s": 1}},
         ToolCallEvent("t", "trim", {"s": 1})),
        ({"type": "tool_call", "name": "ask_question", "id": "q",
          "arguments": {"question": "Why?", "options": ["a"]}},
         QuestionEvent("Why?", ["a"], "q")),
        ({"type": "tool_result", "id": "t", "name": "trim", "result": {"ok": True}},
         ToolResponseEvent("t", "trim", {"ok": True})),
        ({"type": "heartbeat"}, HeartbeatEvent()),
        ({"type": "error", "message": "quota"}, ErrorEvent("quota", "agent_error")),
    ],
)  # fmt: skip
def test_flat_format(payload: dict[str, object], expected: Event) -> None:
    assert decode(f"data: {json.dumps(payload)}\n", "\n") == [expected]


def test_one_event_with_several_parts_keeps_their_order_then_the_state_delta() -> None:
    event = {
        "invocationId": "e",
        "author": "nemo_agent",
        "partial": True,
        "content": {
            "parts": [
                {"functionResponse": {"id": "c0", "name": "probe", "response": {"ok": 1}}},
                {"text": "thinking...", "thought": True},
                {"text": "Trimming now."},
                {"functionCall": {"id": "c1", "name": "trim", "args": {"end": 3}}},
            ]
        },
        "actions": {"stateDelta": {"draft": {"t": []}}},
        "nodeInfo": {"path": "root/agent"},
    }
    assert decode(f"data: {json.dumps(event)}\n", "\n") == [
        ToolResponseEvent("c0", "probe", {"ok": 1}),
        TextEvent("Trimming now.", "nemo_agent", partial=True),
        ToolCallEvent("c1", "trim", {"end": 3}),
        StateDeltaEvent({"draft": {"t": []}}),
    ]


def test_an_empty_state_delta_is_not_an_event() -> None:
    event = {"invocationId": "e", "actions": {"stateDelta": {}, "artifactDelta": {}}}
    assert decode(f"data: {json.dumps(event)}\n", "\n") == []


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"type": "state", "delta": {"draft": {"t": []}}}, StateDeltaEvent({"draft": {"t": []}})),
        ({"type": "ask_question", "text": "Which?", "choices": ["a", "b"], "id": "q"},
         QuestionEvent("Which?", ["a", "b"], "q")),
        ({"type": "tool_call", "name": "ask_question", "args": {"prompt": "Sure?"}},
         QuestionEvent("Sure?", [], "")),
        ({"type": "something_new"}, None),
    ],
)  # fmt: skip
def test_flat_state_and_question_shapes(payload: dict[str, object], expected: Event | None) -> None:
    assert decode(f"data: {json.dumps(payload)}\n", "\n") == ([expected] if expected else [])


def test_a_data_field_without_a_colon_is_an_empty_line_of_data() -> None:
    assert decode('data: {"type":"text",\n', "data\n", 'data: "text":"x"}\n', "\n") == [
        TextEvent("x")
    ]


def test_flat_text_without_text_yields_nothing() -> None:
    assert decode('data: {"type":"text","text":""}\n', "\n") == []


def test_multiline_data_is_joined_and_sse_fields_are_ignored() -> None:
    lines = [
        "event: message\n",
        "id: 7\n",
        "retry: 1000\n",
        'data: {"type": "text",\r\n',
        'data:"text": "two lines"}\r\n',
        "\r\n",
    ]
    assert decode(*lines) == [TextEvent("two lines")]


def test_final_event_without_trailing_blank_line_is_not_lost() -> None:
    assert decode(
        'data: {"type":"text","text":"a"}\n', "\n", 'data: {"type":"text","text":"b"}'
    ) == [
        TextEvent("a"),
        TextEvent("b"),
    ]


@pytest.mark.parametrize(
    "lines",
    [
        ['data: {"content": {"parts": [{"te\n', "\n"],
        ["data: [1, 2]\n", "\n"],
        ["data: 42\n", "\n"],
        ['data: "just a string"\n', "\n"],
        ["data: {bad}\n", "\n"],
        ["<html>502 Bad Gateway</html>\n"],
        ["garbage without a colon\n"],
        ["data: " + "[" * 100_000 + "\n", "\n"],
    ],
    ids=["truncated", "array", "number", "string", "bad-json", "html", "garbage", "deep"],
)
def test_bad_input_becomes_protocol_errors_never_exceptions(lines: list[str]) -> None:
    (event,) = decode(*lines)
    assert isinstance(event, ErrorEvent) and event.protocol


def test_wrongly_typed_fields_are_skipped() -> None:
    payload = {"invocationId": "e", "content": {"parts": "not a list"}, "actions": 3}
    assert decode(f"data: {json.dumps(payload)}\n", "\n") == []


def test_protocol_error_keeps_only_a_short_excerpt_of_the_raw_input() -> None:
    (event,) = decode("data: {" + "x" * 5000 + "\n", "\n")
    assert isinstance(event, ErrorEvent) and event.protocol
    assert len(event.details["raw"]) <= 200


def test_a_bad_event_does_not_end_the_stream() -> None:
    lines = ["data: {oops\n", "\n", 'data: {"type":"text","text":"after"}\n', "\n"]
    events = decode(*lines)
    assert isinstance(events[0], ErrorEvent) and events[0].protocol
    assert events[1:] == [TextEvent("after")]


# --- iter_events over a real httpx.Response ------------------------------------------


class ChunkedStream(httpx.SyncByteStream):
    """Yields ``body`` in small chunks (splitting lines), then optionally fails."""

    def __init__(self, body: bytes, *, chunk: int = 37, fail: Exception | None = None) -> None:
        self.body, self.chunk, self.fail = body, chunk, fail

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.body), self.chunk):
            yield self.body[start : start + self.chunk]
        if self.fail is not None:
            raise self.fail


def stream_events(stream: httpx.SyncByteStream) -> tuple[list[Event], Exception | None]:
    """Decode a mocked /run_sse response; return the events seen and what was raised."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE_HEADERS, stream=stream)

    seen: list[Event] = []
    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as client,
        client.stream("POST", "http://127.0.0.1/run_sse") as response,
    ):
        try:
            for event in iter_events(response):
                seen.append(event)
        except Exception as exc:  # the test inspects what escaped
            return seen, exc
    return seen, None


def test_iter_events_over_the_capture_streamed_in_small_chunks() -> None:
    body = "".join(sse_lines("adk_2_13_capture.txt")).encode()
    assert stream_events(ChunkedStream(body)) == (ADK_2_13_EVENTS, None)


def test_iter_events_heartbeats_over_http_including_comment_pings() -> None:
    body = b': ping\n\ndata:\n\ndata: heartbeat\n\ndata: {"type":"heartbeat"}\n\n'
    assert stream_events(ChunkedStream(body, chunk=5)) == ([HeartbeatEvent()] * 4, None)


def test_a_stream_of_only_comment_pings_is_alive_not_empty() -> None:
    assert stream_events(ChunkedStream(b": ping\r\n" * 3, chunk=3)) == (
        [HeartbeatEvent()] * 3,
        None,
    )


def test_json_line_separators_inside_a_payload_do_not_split_the_line() -> None:
    # U+2028, U+0085 and a form feed are line breaks to str.splitlines, not to SSE.
    text = "one\u2028two\x85three\x0cfour"
    payload = json.dumps({"type": "text", "text": text}, ensure_ascii=False)
    body = f"data: {payload}\n\n".encode()
    assert stream_events(ChunkedStream(body, chunk=4)) == ([TextEvent(text)], None)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_cr_crlf_and_lf_endings_split_anywhere_frame_the_same(chunk: int) -> None:
    body = b'data: {"type":"text","text":"a"}\r\n\r\ndata: {"type":"text",\rdata: "text":"b"}\r\r'
    body += 'data: {"type":"text","text":"\u00e9\u2603"}\n\n'.encode()
    assert stream_events(ChunkedStream(body, chunk=chunk)) == (
        [TextEvent("a"), TextEvent("b"), TextEvent("\u00e9\u2603")],
        None,
    )


def test_payload_is_utf8_whatever_charset_the_response_claims() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = 'data: {"type":"text","text":"caf\u00e9"}\n\n'.encode()
        return httpx.Response(200, headers={"content-type": "text/event-stream; charset=latin-1"},
                              content=body)  # fmt: skip

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as client,
        client.stream("POST", "http://127.0.0.1/run_sse") as response,
    ):
        assert list(iter_events(response)) == [TextEvent("caf\u00e9")]


def test_read_error_mid_stream_raises_stream_interrupted() -> None:
    # the capture's first two SSE events (data line + blank line each), then a reset
    body = "".join(sse_lines("adk_2_13_capture.txt")[:4]).encode()
    seen, exc = stream_events(ChunkedStream(body, fail=httpx.ReadError("connection reset")))
    assert isinstance(exc, StreamInterruptedError)
    assert seen == ADK_2_13_EVENTS[:4]  # what arrived before the drop was still delivered


@pytest.mark.parametrize(
    "error",
    [httpx.RemoteProtocolError("peer closed"), httpx.DecodingError("bad gzip")],
    ids=["remote-protocol", "decoding"],
)
def test_other_mid_stream_failures_raise_stream_interrupted(error: Exception) -> None:
    seen, exc = stream_events(ChunkedStream(b'data: {"type":"text","text":"x"}\n\n', fail=error))
    assert seen == [TextEvent("x")]
    assert isinstance(exc, StreamInterruptedError) and exc.__cause__ is error


def test_read_timeout_mid_stream_raises_request_timeout() -> None:
    seen, exc = stream_events(ChunkedStream(b"data: heartbeat\n\n", fail=httpx.ReadTimeout("t")))
    assert seen == [HeartbeatEvent()]
    assert isinstance(exc, RequestTimeoutError)
