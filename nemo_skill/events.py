"""Decode the ``/run_sse`` stream (Google ADK events) into typed events.

The decoder is a pure function over lines (:func:`decode_lines`) and over one
SSE data payload (:func:`decode_payload`); :func:`iter_events` is the thin I/O
shell over an ``httpx.Response``. Nothing raised while decoding escapes:
undecodable input becomes an :class:`ErrorEvent` with ``protocol=True``. A
transport failure mid-stream is different: it raises
:class:`~nemo_skill.errors.StreamInterruptedError` so the caller never mistakes
a dropped connection for the end of a turn.

Accepted shapes: ADK events in camelCase or (pre-1.0) snake_case, parts with
``text``, ``functionCall`` or ``functionResponse``, ``actions.stateDelta``,
``{"error": ..., "error_details": ...}``, ``errorCode``/``errorMessage``, the
flat ``{"type": "text"|"tool_call"|"tool_result"|"heartbeat"|"error"}`` format,
and keep-alives (empty ``data:``, ``: ping`` comments, ``data: heartbeat``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from nemo_skill.errors import RequestTimeoutError, StreamInterruptedError

if TYPE_CHECKING:
    import httpx

QUESTION_TOOLS = frozenset({"ask_question", "askQuestion", "ask_user"})


@dataclass(frozen=True, slots=True)
class TextEvent:
    """Text for the user (``partial`` while the model is still streaming it)."""

    text: str
    author: str | None = None
    partial: bool = False


@dataclass(frozen=True, slots=True)
class ToolCallEvent:
    """The agent called a tool (internal; shown as progress)."""

    id: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolResponseEvent:
    """A tool answered (internal)."""

    id: str
    name: str
    response: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StateDeltaEvent:
    """The session state changed (e.g. a new ``draft``)."""

    delta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class QuestionEvent:
    """The agent asks the user a question (an ``ask_question`` function call)."""

    question: str
    options: list[str] = field(default_factory=list)
    id: str = ""


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """An error from the agent, or (``protocol=True``) input we could not decode."""

    message: str
    code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    protocol: bool = False


@dataclass(frozen=True, slots=True)
class HeartbeatEvent:
    """A keep-alive: the backend is still working."""


Event: TypeAlias = (
    TextEvent
    | ToolCallEvent
    | ToolResponseEvent
    | StateDeltaEvent
    | QuestionEvent
    | ErrorEvent
    | HeartbeatEvent
)

_HEARTBEAT = HeartbeatEvent()
_KEEPALIVE_WORDS = frozenset({"", "heartbeat", "ping", "keep-alive", "keepalive", ":"})


def _protocol(message: str, raw: str) -> ErrorEvent:
    return ErrorEvent(message=message, code="protocol", details={"raw": raw[:200]}, protocol=True)


def _get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _question(call: Mapping[str, Any]) -> QuestionEvent:
    args = _as_dict(call.get("args"))
    text = args.get("question") or args.get("text") or args.get("prompt") or ""
    options = args.get("options") or args.get("choices") or []
    return QuestionEvent(
        question=str(text),
        options=[str(o) for o in options] if isinstance(options, list) else [],
        id=str(call.get("id") or ""),
    )


def _part_events(part: Mapping[str, Any], author: str | None, partial: bool) -> Iterator[Event]:
    text = part.get("text")
    if isinstance(text, str) and text and not part.get("thought"):
        yield TextEvent(text=text, author=author, partial=partial)
    call = _get(part, "functionCall", "function_call")
    if isinstance(call, Mapping):
        name = str(call.get("name") or "")
        if name in QUESTION_TOOLS:
            yield _question(call)
        else:
            yield ToolCallEvent(str(call.get("id") or ""), name, _as_dict(call.get("args")))
    response = _get(part, "functionResponse", "function_response")
    if isinstance(response, Mapping):
        yield ToolResponseEvent(
            str(response.get("id") or ""),
            str(response.get("name") or ""),
            _as_dict(response.get("response")),
        )


def _adk_events(event: Mapping[str, Any]) -> list[Event]:
    out: list[Event] = []
    if "error" in event and not event.get("content"):
        error = event["error"]
        details = _as_dict(_get(event, "errorDetails", "error_details"))
        message = error.get("message") if isinstance(error, Mapping) else error
        return [ErrorEvent(str(message or "The agent failed."), "agent_error", details)]
    code = _get(event, "errorCode", "error_code")
    if code:
        message = _get(event, "errorMessage", "error_message") or str(code)
        out.append(ErrorEvent(str(message), str(code)))
    author = event.get("author") if isinstance(event.get("author"), str) else None
    partial = bool(event.get("partial"))
    content = event.get("content")
    parts = content.get("parts") if isinstance(content, Mapping) else None
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, Mapping):
                out.extend(_part_events(part, author, partial))
    actions = event.get("actions")
    if isinstance(actions, Mapping):
        delta = _get(actions, "stateDelta", "state_delta")
        if isinstance(delta, Mapping) and delta:
            out.append(StateDeltaEvent(dict(delta)))
    return out


def _flat_event(event: Mapping[str, Any]) -> list[Event]:
    kind = str(event.get("type") or "").lower()
    if kind in ("heartbeat", "ping", "keepalive", "keep-alive"):
        return [_HEARTBEAT]
    if kind == "text":
        text = event.get("text") or event.get("content") or ""
        return [TextEvent(str(text))] if text else []
    if kind in ("tool_call", "function_call"):
        name = str(event.get("name") or event.get("tool") or "")
        args = _as_dict(event.get("args") or event.get("arguments"))
        if name in QUESTION_TOOLS:
            return [_question({"args": args, "id": event.get("id")})]
        return [ToolCallEvent(str(event.get("id") or ""), name, args)]
    if kind in ("tool_result", "tool_response", "function_response"):
        response = _as_dict(event.get("response") or event.get("result"))
        return [
            ToolResponseEvent(str(event.get("id") or ""), str(event.get("name") or ""), response)
        ]
    if kind in ("state", "state_delta"):
        return [StateDeltaEvent(_as_dict(event.get("delta") or event.get("state")))]
    if kind == "error":
        return [
            ErrorEvent(str(event.get("message") or event.get("error") or "error"), "agent_error")
        ]
    if kind in ("question", "ask_question"):
        return [_question({"args": event, "id": event.get("id")})]
    return []


def decode_payload(data: str) -> list[Event]:
    """Events carried by one SSE ``data`` payload (never raises)."""
    stripped = data.strip()
    if stripped.lower() in _KEEPALIVE_WORDS:
        return [_HEARTBEAT]
    try:
        event = json.loads(stripped)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return [_protocol("The backend sent an event that is not valid JSON.", data)]
    if not isinstance(event, dict):
        if isinstance(event, str) and event.lower() in _KEEPALIVE_WORDS:
            return [_HEARTBEAT]
        return [_protocol("The backend sent an event that is not a JSON object.", data)]
    try:
        # ADK events carry ``content`` as an object; the flat format may use a string.
        flat = not isinstance(event.get("content"), Mapping) and "invocationId" not in event
        if "type" in event and flat:
            return _flat_event(event)
        return _adk_events(event)
    except Exception as exc:  # a malformed event must never end the turn with a traceback
        return [_protocol(f"The backend sent a malformed event ({type(exc).__name__}).", data)]


def decode_lines(lines: Iterable[str]) -> Iterator[Event]:
    """SSE framing over text lines: ``data:`` lines joined, a blank line ends an event."""
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield from decode_payload("\n".join(data))
                data = []
            continue
        if line.startswith(":"):
            yield _HEARTBEAT
            continue
        name, _, value = line.partition(":")
        if name == "data":
            data.append(value[1:] if value.startswith(" ") else value)
        elif name not in ("event", "id", "retry"):
            yield _protocol("The backend sent a line that is not server-sent events.", line)
    if data:
        yield from decode_payload("\n".join(data))


def iter_events(response: httpx.Response) -> Iterator[Event]:
    """Decode a streaming ``/run_sse`` response with httpx-sse; a dropped stream raises.

    SSE comment lines (``: ping``) keep the connection alive but are consumed
    by httpx-sse; heartbeats the skill counts are empty ``data:`` lines,
    ``data: heartbeat`` and ``{"type": "heartbeat"}``.
    """
    import httpx
    from httpx_sse import EventSource

    try:
        for sse in EventSource(response).iter_sse():
            yield from decode_payload(sse.data)
    except httpx.ReadTimeout as exc:
        raise RequestTimeoutError("The backend stopped sending events (read timeout).") from exc
    except (httpx.TransportError, httpx.StreamError) as exc:
        raise StreamInterruptedError(
            f"The connection dropped mid-turn ({type(exc).__name__})."
        ) from exc
