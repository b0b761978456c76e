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

I/O stays at the edges (the client); clock and sleep are injectable so the
timing rules are tested without sleeping.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeVar

from nemo_skill import gui, timeline, wording
from nemo_skill.errors import (
    NEXT_SLOT,
    NemoError,
    Next,
    ProtocolError,
    RequestTimeoutError,
    ServerError,
    SessionNotFoundError,
    StreamInterruptedError,
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
from nemo_skill.intents import detect_language

if TYPE_CHECKING:
    from nemo_skill.client import NemoClient

Progress = Callable[[str], None]
T = TypeVar("T")

STILL_WORKING: Final = "⏳ Still working..."
SESSION_RENEWED: Final = "The previous project session was not found, so I started a new one."
NOTHING_CHANGED: Final = wording.say("nothing_changed", "en")

# Tool name pattern → progress line; first match wins, then a generic line.
TOOL_PHRASES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern, re.IGNORECASE), phrase)
    for pattern, phrase in (
        (r"generat\w*?_?(?:video|clip)|seedance|animate|image_?to_?video|i2v", "generating video…"),
        (r"bgm|music|audio|sound|song", "adding music…"),
        (r"text|title|caption|subtitle", "adding text…"),
        (r"remove|delete", "removing a track…"),
        (r"undo|revert", "undoing the last change…"),
        (r"upload|import|ingest", "processing the upload…"),
        (r"analy[sz]", "analysing the media…"),
        (r"render|export", "rendering…"),
        (
            r"edit|timeline|track|trim|cut|aspect|resize|crop|speed|duration",
            "editing the timeline…",
        ),
        (r"generat", "generating…"),
    )
)

# ADK ``errorCode`` values (the model's finish reasons) → (message, hint).
ERROR_CODES: Final[dict[str, tuple[str, str]]] = {
    "MALFORMED_FUNCTION_CALL": (
        "The backend's model made a malformed tool call and stopped.",
        "Try rephrasing the request, one change at a time.",
    ),
    "SAFETY": (
        "The backend's safety filter blocked this request.",
        "Try rephrasing the request.",
    ),
    "PROHIBITED_CONTENT": (
        "The backend refused this request as prohibited content.",
        "Try rephrasing the request.",
    ),
    "MAX_TOKENS": (
        "The backend's reply was cut off before it finished.",
        "Ask for a smaller change; check {next} first to see what was done.",
    ),
}
_REPHRASE_CODES: Final = frozenset({"BLOCKLIST", "SPII", "RECITATION", "LANGUAGE"})


def tool_phrase(name: str) -> str:
    """The progress line shown for a tool call: ``add_bgm`` → ``adding music…``."""
    for pattern, phrase in TOOL_PHRASES:
        if pattern.search(name):
            return phrase
    shown = re.sub(r"[^\w.-]", "", name)[:40]
    return f"working ({shown})…" if shown else "working…"


@dataclass
class TurnResult:
    """What one turn produced (``messages`` are already GUI-translated)."""

    action: str = "chat"
    messages: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    question: str | None = None
    options: list[str] = field(default_factory=list)
    tool_calls: list[str] = field(default_factory=list)
    state: dict[str, Any] | None = None
    recovered: bool = False
    language: str = "en"


@dataclass
class _Before:
    """The draft before the turn; ``known`` is False when it could not be fetched."""

    known: bool
    draft: Any = None


@dataclass
class _Turn:
    """Mutable bookkeeping while the stream runs."""

    result: TurnResult
    texts: list[str] = field(default_factory=list)
    partial: str = ""
    tools_ok: int = 0
    tools_failed: int = 0
    draft: Any = None
    protocol_errors: int = 0
    events: int = 0  # everything but heartbeats and undecodable input

    def final_texts(self) -> list[str]:
        """The final texts, plus streamed partial text that never got its final event."""
        texts = [t for t in self.texts if t.strip()]
        return [*texts, self.partial] if self.partial.strip() else texts


class _SilenceError(Exception):
    """Only heartbeats for too long (internal: becomes a RequestTimeoutError)."""


class _Watch:
    """Heartbeat timing: a notice every ``notice_s`` of quiet, a timeout after ``timeout_s``."""

    def __init__(
        self, clock: Callable[[], float], progress: Progress, notice_s: float, timeout_s: float
    ) -> None:
        self.clock, self.progress = clock, progress
        self.notice_s, self.timeout_s = notice_s, timeout_s
        self.real_event()

    def real_event(self) -> None:
        """Something other than a keep-alive arrived: the quiet period starts again."""
        self.quiet_since = self.clock()
        self.next_notice = self.quiet_since + self.notice_s

    def heartbeat(self) -> None:
        """A keep-alive arrived: maybe say we are still working, or give up."""
        now = self.clock()
        if now - self.quiet_since >= self.timeout_s:
            raise _SilenceError
        if now >= self.next_notice:
            self.progress(STILL_WORKING)
            # Notices stay on the grid quiet_since + k × notice_s, one per heartbeat.
            missed = math.floor((now - self.next_notice) / self.notice_s)
            self.next_notice += (missed + 1) * self.notice_s


def _fetch_draft(client: NemoClient, session_id: str) -> _Before:
    """The latest draft; a failure is not fatal, except a lost session (the caller renews it)."""
    try:
        return _Before(True, client.state(session_id).draft)
    except SessionNotFoundError:
        raise
    except NemoError:
        return _Before(False)


def _raise_for(event: ErrorEvent) -> None:
    code = (event.code or "").upper()
    if code in ERROR_CODES:
        message, hint = ERROR_CODES[code]
        step = Next.STATE if NEXT_SLOT in hint else None
        raise ServerError(f"{message} ({event.message})", code=code, hint=hint, next=step)
    if code in _REPHRASE_CODES:
        raise ServerError(
            f"The backend stopped: {event.message} ({code}).", code=code,
            hint="Try rephrasing the request.",
        )  # fmt: skip
    raise ServerError(
        f"The backend could not finish: {event.message}",
        code="agent_error",
        hint="Check {next} to see what was done before sending the message again.",
        next=Next.STATE,
    )


def _is_failure(response: dict[str, Any]) -> bool:
    status = str(response.get("status", "")).lower()
    return bool(response.get("error")) or status in ("error", "failed", "failure")


def _handle(event: object, turn: _Turn, progress: Progress) -> None:
    """Fold one non-heartbeat event into ``turn``."""
    if isinstance(event, TextEvent):
        if event.partial:
            turn.partial += event.text
        else:  # the final event repeats the partial chunks in full
            turn.partial = ""
            turn.texts.append(event.text)
    elif isinstance(event, ToolCallEvent):
        phrase = tool_phrase(event.name)
        last = tool_phrase(turn.result.tool_calls[-1]) if turn.result.tool_calls else None
        if phrase != last:
            progress(phrase)
        turn.result.tool_calls.append(event.name)
    elif isinstance(event, ToolResponseEvent):
        if _is_failure(event.response):
            turn.tools_failed += 1
        else:
            turn.tools_ok += 1
    elif isinstance(event, StateDeltaEvent):
        if isinstance(event.delta.get("draft"), dict):
            turn.draft = event.delta["draft"]
    elif isinstance(event, QuestionEvent):
        turn.result.question = event.question
        turn.result.options = list(event.options)
    elif isinstance(event, ErrorEvent):
        _raise_for(event)


def _consume(events: Iterator[object], turn: _Turn, watch: _Watch, progress: Progress) -> None:
    try:
        for event in events:
            if isinstance(event, HeartbeatEvent):
                watch.heartbeat()
            elif isinstance(event, ErrorEvent) and event.protocol:
                turn.protocol_errors += 1  # undecodable input: tolerated, not a sign of life
                watch.heartbeat()
            else:
                turn.events += 1
                watch.real_event()
                _handle(event, turn, progress)
    finally:
        close = getattr(events, "close", None)
        if callable(close):
            close()  # leaving early (error, timeout) must release the connection


@dataclass(frozen=True)
class TurnTimings:
    """How a turn waits: the clock and sleep it uses, and every period of the rules above.

    Tests pass a fake clock and sleep, so the timing rules run without sleeping.
    """

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    heartbeat_notice_s: float = 120.0  # "Still working..." after this much quiet
    heartbeat_timeout_s: float = 600.0  # only heartbeats this long is a timeout
    recovery_wait_s: float = 30.0  # after a drop, wait this long before the first check
    recovery_poll_s: float = 60.0  # then check the state this often
    recovery_polls: int = 5  # this many times, before giving up with advice


def run_turn(
    client: NemoClient,
    session_id: str,
    text: str,
    *,
    progress: Progress = lambda message: None,
    timings: TurnTimings = TurnTimings(),
    on_send: Callable[[], None] | None = None,
    language: str | None = None,
) -> TurnResult:
    """Send ``text`` once and return what the backend did. The message is never re-sent.

    ``language`` is the session's (what the skill says itself, e.g. the changes of a turn
    that closed without text, is worded in it); without one, the message's language.

    ``on_send`` runs just before the message goes out (after the state read
    that precedes it), so a caller can record "sent" write-ahead with the
    smallest gap between the record and the send.
    """
    before = _fetch_draft(client, session_id)
    turn = _Turn(TurnResult(language=wording.language(language or detect_language(text))))
    watch = _Watch(timings.clock, progress, timings.heartbeat_notice_s, timings.heartbeat_timeout_s)
    if on_send is not None:
        on_send()
    try:
        _consume(iter(client.run_sse(session_id, text)), turn, watch, progress)
    except _SilenceError:
        minutes = f"{timings.heartbeat_timeout_s / 60:g}"
        raise RequestTimeoutError(
            f"The backend sent only keep-alives for {minutes} minutes.",
            hint="The message was not re-sent (that could charge twice). The backend may still "
            "be working: check {next} in a few minutes before sending it again.",
            next=Next.STATE,
        ) from None
    except (StreamInterruptedError, RequestTimeoutError) as exc:
        return _Recovery(client, session_id, progress, timings).run(before, turn, exc)
    return _finish(client, session_id, before, turn)


def _finish(client: NemoClient, session_id: str, before: _Before, turn: _Turn) -> TurnResult:
    result = turn.result
    texts = turn.final_texts()
    tools_succeeded = turn.tools_ok > 0 and turn.tools_failed == 0
    if texts and tools_succeeded and gui.is_temporary_issue(texts[-1]):
        texts.pop()
    if turn.protocol_errors and not turn.events:
        raise ProtocolError(
            f"The backend sent {turn.protocol_errors} event(s) this skill could not read "
            "and nothing else.",
            hint="Check {next} to see whether anything changed before sending the message again.",
            next=Next.STATE,
        )
    result.messages = [gui.translate(t) for t in texts]
    silent = not texts and result.question is None
    if silent or turn.draft is None:
        after = _fetch_draft(client, session_id)
    else:
        after = _Before(True, turn.draft)
    latest = after.draft if after.known else turn.draft
    result.state = timeline.describe_draft(latest)
    if silent:
        result.changes = _describe_changes(before, after, result.language)
    return result


def _describe_changes(before: _Before, after: _Before, language: str = "en") -> list[str]:
    """Sentences for what changed, in ``language``; plain words when nothing did or we
    cannot tell."""
    if not after.known:
        return [wording.say("unreadable", language)]
    if not before.known:
        summary = timeline.format_summary(after.draft) or "empty"
        return [wording.say("timeline_now", language, summary=summary)]
    changes = [c.describe(language) for c in timeline.diff(before.draft, after.draft)]
    return changes or [wording.say("nothing_changed", language)]


def with_session_renewal(
    call: Callable[[], T],
    renew: Callable[[SessionNotFoundError], None],
    *,
    say: Callable[[str], None],
) -> T:
    """The one rule for a lost session (1002): a new session, once, said to the user.

    ``renew(error)`` forgets the lost session (it re-raises ``error`` when a
    new session would lose work, e.g. a batch item whose turn was already sent);
    then :data:`SESSION_RENEWED` is said and ``call`` runs once more.
    """
    try:
        return call()
    except SessionNotFoundError as exc:
        renew(exc)
        say(SESSION_RENEWED)
        return call()


def watch_state(
    check: Callable[[], T | None],
    timings: TurnTimings,
    *,
    since: float,
    now: Callable[[], float],
    say: Callable[[int, int], None],
) -> T | None:
    """The one rule after a turn whose stream was lost: watch the state, never re-send.

    ``check()`` looks at the state (a result, or None for "not yet"):
    ``recovery_wait_s`` after ``since`` (when the message was sent), then every
    ``recovery_poll_s``, ``recovery_polls`` looks in all; ``say(look, looks)``
    after each look that found nothing. ``now`` is the clock ``since`` is on (a
    later process watching a turn an earlier one sent passes the wall clock).
    """
    looks = timings.recovery_polls
    for look in range(looks):
        due = since + timings.recovery_wait_s + look * timings.recovery_poll_s
        timings.sleep(max(0.0, due - now()))
        found = check()
        if found is not None:
            return found
        say(look + 1, looks)
    return None


@dataclass
class _Recovery:
    """The stream dropped: never re-send; watch the state for the result instead."""

    client: NemoClient
    session_id: str
    progress: Progress
    timings: TurnTimings

    def run(self, before: _Before, turn: _Turn, error: NemoError) -> TurnResult:
        """Poll the state until the draft differs from ``before``, or give up with advice."""
        timings, polls = self.timings, self.timings.recovery_polls
        self.progress(
            "The connection dropped. The message was not re-sent (that could charge twice); "
            f"checking the project in {timings.recovery_wait_s:g} s…"
        )
        baseline = before

        def changed() -> TurnResult | None:
            nonlocal baseline
            now = _fetch_draft_quietly(self.client, self.session_id)
            if now.known and baseline.known:
                changes = timeline.diff(baseline.draft, now.draft)
                if changes:
                    said = [c.describe(turn.result.language) for c in changes]
                    return self._recovered(turn, now, said)
            elif now.known:
                baseline = now  # the draft before is unknown: compare from the first good read
            return None

        def no_change(look: int, looks: int) -> None:
            self.progress(f"⏳ No change yet (check {look} of {looks})…")

        found = watch_state(changed, timings, since=timings.clock(), now=timings.clock,
                            say=no_change)  # fmt: skip
        if found is not None:
            return found
        raise StreamInterruptedError(
            f"The connection dropped ({error.message}) and the timeline did not change "
            f"in {polls} checks.",
            hint="The message was not re-sent (that could charge twice). The backend may still "
            "be working: check {next} later, and send the message again only if "
            "you are sure nothing happened.",
            next=Next.STATE,
        )

    def _recovered(self, turn: _Turn, now: _Before, changes: list[str]) -> TurnResult:
        result = turn.result
        result.messages = [gui.translate(t) for t in turn.final_texts()]
        result.changes = changes
        result.state = timeline.describe_draft(now.draft)
        result.recovered = True
        return result


def _fetch_draft_quietly(client: NemoClient, session_id: str) -> _Before:
    """Like :func:`_fetch_draft`, but any failure only means "not known yet"."""
    try:
        return _fetch_draft(client, session_id)
    except NemoError:
        return _Before(False)
