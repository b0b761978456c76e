"""One chat turn over ``/run_sse``, with every rule of the conversation.

- Text is GUI-translated; tool calls become short progress lines.
- ``ask_question`` ends the turn with a question for the user.
- While only heartbeats arrive, "⏳ Still working..." every 2 minutes; 10
  minutes of heartbeats only is a timeout (the message is not re-sent).
- A stream that closes without text: fetch the state and say what changed.
- A dropped connection: NEVER re-send (it would charge twice). Wait 30 s, poll
  the state every 60 s, report the change, or after 5 unchanged polls fail
  with advice.
- A trailing "I encountered a temporary issue" after successful tool calls
  is dropped.

Clock and sleep are injectable so the timing rules are tested without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nemo_skill import gui, timeline
from nemo_skill.errors import (
    NemoError,
    RequestTimeoutError,
    ServerError,
    StreamInterruptedError,
    TransportError,
)
from nemo_skill.events import (
    ErrorEvent,
    HeartbeatEvent,
    QuestionEvent,
    StateDeltaEvent,
    TextEvent,
    ToolCallEvent,
    ToolResponseEvent,
)

if TYPE_CHECKING:
    from nemo_skill.client import NemoClient

STILL_WORKING = "⏳ Still working..."

# tool name (or a word in it) → progress line
TOOL_PHRASES: tuple[tuple[str, str], ...] = (
    ("generate", "generating video…"),
    ("bgm", "adding music…"),
    ("music", "adding music…"),
    ("audio", "adding music…"),
    ("text", "adding text…"),
    ("title", "adding text…"),
    ("caption", "adding text…"),
    ("undo", "undoing the last change…"),
    ("remove", "removing a track…"),
    ("edit", "editing the timeline…"),
    ("upload", "processing the upload…"),
)


def tool_phrase(name: str) -> str:
    """The progress line shown for a tool call."""
    lowered = name.lower()
    for word, phrase in TOOL_PHRASES:
        if word in lowered:
            return phrase
    return f"working ({name})…"


@dataclass
class TurnResult:
    """What one turn produced."""

    messages: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    question: str | None = None
    options: list[str] = field(default_factory=list)
    tool_calls: list[str] = field(default_factory=list)
    state: dict[str, Any] | None = None
    recovered: bool = False


@dataclass
class _Turn:
    """Mutable bookkeeping while the stream runs."""

    result: TurnResult
    texts: list[str] = field(default_factory=list)
    partial: str = ""
    tool_ok: bool = False
    draft: Any = None
    protocol_errors: int = 0


def _fetch_draft(client: NemoClient, session_id: str) -> Any:
    try:
        return client.state(session_id).draft
    except NemoError:
        return None


def _handle(event: object, turn: _Turn, progress: Callable[[str], None]) -> None:
    if isinstance(event, TextEvent):
        if event.partial:
            turn.partial += event.text
        else:
            turn.partial = ""
            turn.texts.append(event.text)
    elif isinstance(event, ToolCallEvent):
        turn.result.tool_calls.append(event.name)
        progress(tool_phrase(event.name))
    elif isinstance(event, ToolResponseEvent):
        status = str(event.response.get("status", "success")).lower()
        turn.tool_ok = turn.tool_ok or status not in ("error", "failed")
    elif isinstance(event, StateDeltaEvent):
        if "draft" in event.delta:
            turn.draft = event.delta["draft"]
    elif isinstance(event, QuestionEvent):
        turn.result.question = event.question
        turn.result.options = list(event.options)
    elif isinstance(event, ErrorEvent):
        if event.protocol:
            turn.protocol_errors += 1
            return
        hint = "Try rephrasing the request." if event.code not in (None, "agent_error") else None
        raise ServerError(f"The backend could not finish: {event.message}", hint=hint)


def run_turn(
    client: NemoClient,
    session_id: str,
    text: str,
    *,
    progress: Callable[[str], None] = lambda message: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    heartbeat_notice_s: float = 120.0,
    heartbeat_timeout_s: float = 600.0,
    recovery_wait_s: float = 30.0,
    recovery_poll_s: float = 60.0,
    recovery_polls: int = 5,
) -> TurnResult:
    """Send ``text`` once and return what the backend did."""
    before = _fetch_draft(client, session_id)
    turn = _Turn(TurnResult())
    last_real = last_notice = clock()
    timed_out = False
    try:
        for event in client.run_sse(session_id, text):
            now = clock()
            if not isinstance(event, HeartbeatEvent):
                last_real = last_notice = now
                _handle(event, turn, progress)
            elif now - last_real >= heartbeat_timeout_s:
                timed_out = True
                break
            elif now - last_notice >= heartbeat_notice_s:
                progress(STILL_WORKING)
                last_notice = now
    except TransportError as exc:  # dropped stream or read timeout: recover, never re-send
        return _recover(client, session_id, before, turn, progress, sleep, exc,
                        recovery_wait_s, recovery_poll_s, recovery_polls)  # fmt: skip
    if timed_out:
        raise RequestTimeoutError(
            f"The backend sent only keep-alives for {int(heartbeat_timeout_s // 60)} minutes.",
            hint="The message was not re-sent. Check `nemo-skill state` in a few minutes "
            "to see whether the work finished.",
        )
    return _finish(client, session_id, before, turn)


def _finish(client: NemoClient, session_id: str, before: Any, turn: _Turn) -> TurnResult:
    result = turn.result
    texts = [t for t in turn.texts if t.strip()]
    if turn.partial.strip():
        texts.append(turn.partial)
    if texts and turn.tool_ok and gui.is_temporary_issue(texts[-1]):
        texts.pop()
    result.messages = [gui.translate(t) for t in texts]
    after = _fetch_draft(client, session_id) if (not texts or turn.draft is None) else turn.draft
    if after is None:
        after = turn.draft
    result.state = timeline.describe_draft(after)
    if not texts and not result.question:
        changes = [c.describe() for c in timeline.diff(before, after)]
        result.changes = changes or ["The backend finished without changing the timeline."]
    return result


def _recover(
    client: NemoClient,
    session_id: str,
    before: Any,
    turn: _Turn,
    progress: Callable[[str], None],
    sleep: Callable[[float], None],
    error: NemoError,
    wait_s: float,
    poll_s: float,
    polls: int,
) -> TurnResult:
    """The stream dropped: never re-send; watch the state for the result instead."""
    progress("The connection dropped; not re-sending. Checking the project for the result…")
    sleep(wait_s)
    for attempt in range(polls):
        if attempt:
            sleep(poll_s)
        draft = _fetch_draft(client, session_id)
        changes = timeline.diff(before, draft) if draft is not None else []
        if changes:
            result = turn.result
            result.messages = [gui.translate(t) for t in turn.texts if t.strip()]
            result.changes = [c.describe() for c in changes]
            result.state = timeline.describe_draft(draft)
            result.recovered = True
            return result
        progress(STILL_WORKING)
    raise StreamInterruptedError(
        f"The connection dropped and the project did not change in {polls} checks "
        f"({error.message}).",
        hint="The message was not re-sent, to avoid charging twice. Check `nemo-skill state` "
        "later; send the message again only if nothing changed.",
    )
