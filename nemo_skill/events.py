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

import codecs
import json
from collections.abc import Iterable, Iterator
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
_DATA = "data:"
_loads = json.loads


def _protocol(message: str, raw: str) -> ErrorEvent:
    return ErrorEvent(message=message, code="protocol", details={"raw": raw[:200]}, protocol=True)


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    # ``or`` rather than a None test: an empty camelCase value is as good as absent.
    return obj.get(camel) or obj.get(snake)


def _as_dict(value: Any) -> dict[str, Any]:
    # Freshly decoded JSON is owned by the event: no copy, and only plain dicts occur.
    return value if isinstance(value, dict) else {}


def _question(call: dict[str, Any]) -> QuestionEvent:
    args = _as_dict(call.get("args"))
    text = args.get("question") or args.get("text") or args.get("prompt") or ""
    options = args.get("options") or args.get("choices") or []
    return QuestionEvent(
        question=str(text),
        options=[str(o) for o in options] if isinstance(options, list) else [],
        id=str(call.get("id") or ""),
    )


def _call_event(call: dict[str, Any]) -> Event:
    name = str(call.get("name") or "")
    if name in QUESTION_TOOLS:
        return _question(call)
    return ToolCallEvent(str(call.get("id") or ""), name, _as_dict(call.get("args")))


def _part_events(part: dict[str, Any], author: str | None, partial: bool, out: list[Event]) -> None:
    text = part.get("text")
    if text and isinstance(text, str) and not part.get("thought"):
        out.append(TextEvent(text, author, partial))
    # Inlined camel/snake lookups: this runs for every part of every event.
    call = part.get("functionCall") or part.get("function_call")
    if isinstance(call, dict):
        out.append(_call_event(call))
    response = part.get("functionResponse") or part.get("function_response")
    if isinstance(response, dict):
        out.append(
            ToolResponseEvent(
                str(response.get("id") or ""),
                str(response.get("name") or ""),
                _as_dict(response.get("response")),
            )
        )


def _agent_error(event: dict[str, Any]) -> ErrorEvent:
    error = event["error"]
    details = _as_dict(_get(event, "errorDetails", "error_details"))
    message = error.get("message") if isinstance(error, dict) else error
    return ErrorEvent(str(message or "The agent failed."), "agent_error", details)


def _adk_events(event: dict[str, Any]) -> list[Event]:
    if "error" in event and not event.get("content"):
        return [_agent_error(event)]
    out: list[Event] = []
    code = _get(event, "errorCode", "error_code")
    if code:
        message = _get(event, "errorMessage", "error_message") or str(code)
        out.append(ErrorEvent(str(message), str(code)))
    content = event.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    if isinstance(parts, list):
        author = event.get("author")
        author = author if isinstance(author, str) else None
        partial = bool(event.get("partial"))
        for part in parts:
            if isinstance(part, dict):
                _part_events(part, author, partial, out)
    actions = event.get("actions")
    if isinstance(actions, dict):
        delta = _get(actions, "stateDelta", "state_delta")
        if delta and isinstance(delta, dict):
            out.append(StateDeltaEvent(delta))
    return out


def _flat_event(event: dict[str, Any]) -> list[Event]:
    kind = str(event.get("type") or "").lower()
    if kind in ("heartbeat", "ping", "keepalive", "keep-alive"):
        return [_HEARTBEAT]
    if kind == "text":
        text = event.get("text") or event.get("content") or ""
        return [TextEvent(str(text))] if text else []
    if kind in ("tool_call", "function_call"):
        args = event.get("args") or event.get("arguments")
        name = event.get("name") or event.get("tool")
        return [_call_event({"id": event.get("id"), "name": name, "args": args})]
    if kind in ("tool_result", "tool_response", "function_response"):
        response = _as_dict(event.get("response") or event.get("result"))
        return [
            ToolResponseEvent(str(event.get("id") or ""), str(event.get("name") or ""), response)
        ]
    if kind in ("state", "state_delta"):
        return [StateDeltaEvent(_as_dict(event.get("delta") or event.get("state")))]
    if kind == "error":
        message = event.get("message") or event.get("error") or "error"
        return [ErrorEvent(str(message), "agent_error")]
    if kind in ("question", "ask_question"):
        return [_question({"args": event, "id": event.get("id")})]
    return []


def decode_payload(data: str) -> list[Event]:
    """Events carried by one SSE ``data`` payload, in order (never raises)."""
    try:
        event = _loads(data)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        if data.strip().lower() in _KEEPALIVE_WORDS:  # empty data, ``heartbeat``, ``ping``
            return [_HEARTBEAT]
        return [_protocol("The backend sent an event that is not valid JSON.", data)]
    if not isinstance(event, dict):
        if isinstance(event, str) and event.lower() in _KEEPALIVE_WORDS:
            return [_HEARTBEAT]
        return [_protocol("The backend sent an event that is not a JSON object.", data)]
    try:
        # ADK events carry ``content`` as an object; the flat format may use a string.
        content_is_text = not isinstance(event.get("content"), dict)
        if "type" in event and content_is_text and "invocationId" not in event:
            return _flat_event(event)
        return _adk_events(event)
    except Exception as exc:  # a malformed event must never end the turn with a traceback
        return [_protocol(f"The backend sent a malformed event ({type(exc).__name__}).", data)]


def decode_lines(lines: Iterable[str]) -> Iterator[Event]:
    """SSE framing over text lines: ``data:`` lines joined, a blank line ends an event.

    Comment lines (``: ping``) are keep-alives and yield a :class:`HeartbeatEvent`;
    ``event:``, ``id:`` and ``retry:`` are ignored; a final event without its
    blank line is still decoded. Never raises.
    """
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith(_DATA):
            value = line[5:]
            data.append(value[1:] if value.startswith(" ") else value)
        elif not line:
            if data:
                yield from decode_payload(data[0] if len(data) == 1 else "\n".join(data))
                data = []
        elif line[0] == ":":
            yield _HEARTBEAT
        elif line == "data":  # a field without a colon has an empty value
            data.append("")
        elif line.partition(":")[0] not in ("event", "id", "retry"):
            yield _protocol("The backend sent a line that is not server-sent events.", line)
    if data:
        yield from decode_payload("\n".join(data))


def split_lines(chunks: Iterable[str]) -> Iterator[str]:
    """Text chunks to lines ending in CRLF, CR or LF (the endings removed), per SSE.

    Not ``str.splitlines`` (nor ``httpx.Response.iter_lines``): those also break
    on U+2028, U+0085 or a form feed, which JSON text may carry unescaped.
    """
    pending: list[str] = []  # a line still being received (joined once: no quadratic copies)
    for chunk in chunks:
        if "\n" not in chunk and "\r" not in chunk:
            pending.append(chunk)
            continue
        text = "".join(pending) + chunk if pending else chunk
        held_cr = text.endswith("\r")  # maybe half of a CRLF split across chunks
        if held_cr:
            text = text[:-1]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        tail = lines.pop()
        pending = [tail + "\r"] if held_cr else [tail] if tail else []
        yield from lines
    if pending:
        yield "".join(pending).rstrip("\r")


def _utf8(chunks: Iterable[bytes]) -> Iterator[str]:
    """SSE is always UTF-8, whatever charset the response claims."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    for chunk in chunks:
        if text := decoder.decode(chunk):
            yield text
    if text := decoder.decode(b"", final=True):
        yield text


def iter_events(response: httpx.Response) -> Iterator[Event]:
    """Decode a streaming ``/run_sse`` response; a dropped or stalled stream raises.

    The line framing is :func:`decode_lines` rather than httpx-sse's
    ``EventSource``, which discards comment lines: ``: ping`` keep-alives must
    reach the caller as heartbeats so a quiet agent is not taken for a dead one.
    """
    import httpx

    try:
        yield from decode_lines(split_lines(_utf8(response.iter_bytes())))
    except httpx.TimeoutException as exc:
        raise RequestTimeoutError("The backend stopped sending events (read timeout).") from exc
    except (httpx.RequestError, httpx.StreamError) as exc:
        raise StreamInterruptedError(
            f"The connection dropped mid-turn ({type(exc).__name__})."
        ) from exc
