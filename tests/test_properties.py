"""Property tests: the SSE decoder, the classifier on hostile text, and the draft models.

Bounded (``max_examples``) and without deadlines: the machine is shared.
The corpus in tests/corpus/ holds the hand-picked cases; these explore around them.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_skill import timeline
from nemo_skill.events import (
    QUESTION_TOOLS,
    ErrorEvent,
    Event,
    HeartbeatEvent,
    QuestionEvent,
    StateDeltaEvent,
    TextEvent,
    ToolCallEvent,
    ToolResponseEvent,
    decode_lines,
    decode_payload,
)
from nemo_skill.intents import ACTIONS, classify
from nemo_skill.models import Draft

EVENT_TYPES = (
    TextEvent,
    ToolCallEvent,
    ToolResponseEvent,
    StateDeltaEvent,
    QuestionEvent,
    ErrorEvent,
    HeartbeatEvent,
)

# JSON values as a backend could send them (finite floats: JSON has no NaN).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)


# --- SSE decoder: total over any input ---------------------------------------------------


def _all_events(events: list[Event]) -> bool:
    return all(isinstance(e, EVENT_TYPES) for e in events)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=12))
def test_decoder_never_raises_on_any_lines(lines: list[str]) -> None:
    assert _all_events(list(decode_lines(lines)))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["utf-8", "latin-1"]))
def test_decoder_never_raises_on_bytes_read_as_text(raw: bytes, encoding: str) -> None:
    text = raw.decode(encoding, errors="replace")
    assert _all_events(list(decode_lines(text.splitlines(keepends=True))))


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_payload_decodes_to_events(value: Any) -> None:
    events = decode_payload(json.dumps(value))
    assert _all_events(events)
    if not isinstance(value, dict) and value not in ("", "heartbeat", "ping"):
        assert [type(e) for e in events] == [ErrorEvent] and events[0].protocol


# --- SSE decoder: valid ADK events round-trip ----------------------------------------------


@dataclass
class Wire:
    """One ADK event as sent, and the typed events it must decode to."""

    payload: dict[str, Any]
    expected: list[Event]


names = st.text(min_size=1, max_size=12).filter(lambda n: n not in QUESTION_TOOLS)
ids = st.text(max_size=10)
case_style = st.sampled_from(["camel", "snake"])


@st.composite
def adk_events(draw: st.DrawFn) -> Wire:
    """An ADK event in camelCase or (pre-1.0) snake_case with text, calls, responses, deltas."""
    snake = draw(case_style) == "snake"
    call_key, response_key = ("function_call", "function_response") if snake else ("functionCall", "functionResponse")  # fmt: skip
    author = draw(st.text(max_size=10))
    partial = draw(st.booleans())
    parts: list[dict[str, Any]] = []
    expected: list[Event] = []
    for kind in draw(
        st.lists(st.sampled_from(["text", "call", "response", "question"]), max_size=4)
    ):
        if kind == "text":
            text = draw(st.text(min_size=1, max_size=40))
            parts.append({"text": text})
            expected.append(TextEvent(text=text, author=author, partial=partial))
        elif kind == "call":
            call = {"id": draw(ids), "name": draw(names), "args": draw(json_objects)}
            parts.append({call_key: call})
            expected.append(ToolCallEvent(call["id"], call["name"], call["args"]))
        elif kind == "response":
            response = {"id": draw(ids), "name": draw(names), "response": draw(json_objects)}
            parts.append({response_key: response})
            expected.append(
                ToolResponseEvent(response["id"], response["name"], response["response"])
            )
        else:
            question = draw(st.text(max_size=30))
            options = draw(st.lists(st.text(max_size=10), max_size=3))
            call = {"id": draw(ids), "name": draw(st.sampled_from(sorted(QUESTION_TOOLS))),
                    "args": {"question": question, "options": options}}  # fmt: skip
            parts.append({call_key: call})
            expected.append(QuestionEvent(question, options, call["id"]))
    payload: dict[str, Any] = {
        "invocation_id" if snake else "invocationId": draw(ids),
        "author": author,
        "partial": partial,
        "content": {"role": "model", "parts": parts},
        "nodeInfo": draw(json_objects),  # newer ADK adds fields the reader must ignore
    }
    delta = draw(json_objects)
    if delta:
        payload["actions"] = {"state_delta" if snake else "stateDelta": delta}
        expected.append(StateDeltaEvent(delta))
    return Wire(payload, expected)


keepalives = st.sampled_from([": ping", "data:", 'data: {"type": "heartbeat"}', "data: heartbeat"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(adk_events(), st.lists(keepalives, max_size=2)), max_size=5))
def test_valid_adk_events_round_trip(stream: list[tuple[Wire, list[str]]]) -> None:
    lines: list[str] = []
    for wire, pings in stream:
        for ping in pings:
            lines += [ping, ""] if ping.startswith("data") else [ping]
        lines += [f"data: {json.dumps(wire.payload)}", ""]
    events = list(decode_lines(lines))
    assert [e for e in events if not isinstance(e, HeartbeatEvent)] == [
        e for wire, _ in stream for e in wire.expected
    ]
    assert sum(isinstance(e, HeartbeatEvent) for e in events) == sum(len(p) for _, p in stream)


@settings(max_examples=100, deadline=None)
@given(adk_events(), st.sampled_from(["\n", "\r\n"]))
def test_line_endings_do_not_change_events(wire: Wire, ending: str) -> None:
    lines = [f"data: {json.dumps(wire.payload)}{ending}", ending]
    assert list(decode_lines(lines)) == wire.expected


# --- classifier on hostile text ---------------------------------------------------------------

hostile_chars = st.characters(codec=None, categories=None)  # every code point, surrogates too


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=hostile_chars, max_size=200), st.booleans())
def test_classifier_is_total_on_any_code_points(text: str, has_files: bool) -> None:
    intent = classify(text, has_files=has_files)
    assert intent.action in ACTIONS and intent.reason
    assert classify(text, has_files=has_files) == intent


@settings(max_examples=20, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("export 导出 \x00\x1b\u202e\ud800 é"), min_size=1, max_size=40
    ),
    st.integers(200, 2_000),
)
def test_classifier_is_total_on_long_hostile_text(chunk: str, repeat: int) -> None:
    assert classify(chunk * repeat).action in ACTIONS


# --- draft models ---------------------------------------------------------------------------

KNOWN_KEYS = {"t", "m", "tt", "sg", "d"}
extras = st.dictionaries(
    st.text(min_size=1, max_size=8).filter(lambda k: k not in KNOWN_KEYS), json_values, max_size=3
)


@st.composite
def segments(draw: st.DrawFn) -> dict[str, Any]:
    """A segment with its duration in ms and any extra fields (nulls included)."""
    return {"d": draw(st.integers(0, 3_600_000)), **draw(extras)}


@st.composite
def drafts(draw: st.DrawFn) -> dict[str, Any]:
    """A wire draft whose known fields are already canonical."""
    tracks = draw(st.lists(
        st.builds(lambda tt, sg, extra: {"tt": tt, "sg": sg, **extra},
                  st.sampled_from([0, 1, 7]) | st.integers(-5, 20),
                  st.lists(segments(), max_size=4), extras),
        max_size=4,
    ))  # fmt: skip
    return {"t": tracks, "m": draw(json_objects), **draw(extras)}


@settings(max_examples=100, deadline=None)
@given(drafts())
def test_draft_round_trips_through_to_wire(wire: dict[str, Any]) -> None:
    sent = copy.deepcopy(wire)
    assert Draft.model_validate(wire).to_wire() == sent
    assert wire == sent  # validating never mutates the caller's data


@settings(max_examples=100, deadline=None)
@given(drafts())
def test_diff_of_a_draft_with_itself_is_empty(wire: dict[str, Any]) -> None:
    model = Draft.model_validate(wire)
    assert timeline.diff(wire, copy.deepcopy(wire)) == []
    assert timeline.diff(model, model.to_wire()) == []
    assert timeline.diff(model.to_wire(), model) == []


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["t", "m", "x", "d"]), json_values, max_size=3))
def test_draft_parsing_is_idempotent_where_it_succeeds(wire: dict[str, Any]) -> None:
    try:
        once = Draft.model_validate(wire).to_wire()
    except ValueError:  # pydantic refuses a wrong type for t/m: that is the contract
        return
    assert Draft.model_validate(once).to_wire() == once
