"""Idempotent turns: one message, sent once, whatever the caller retries.

A turn is keyed by a caller-supplied id (``chat --turn-id KEY``, the MCP
``chat`` and ``generate`` tools). :meth:`TurnStore.begin` checks and creates
the record under an advisory lock, so two threads or processes racing with
the same id send the message once; the loser gets the winner's record.
Records are 0600 JSON files ``<state dir>/turns/<sha256(id)[:32]>.json``
(ids are never used as paths), written atomically and pruned after 7 days.

A ``running`` record names its owner process; if that process has gone, the
turn reads as ``failed`` and is *not* run again: the message may have reached
the backend, and sending it twice would charge twice. Only a turn that failed
before its message could have been sent (:func:`unsent`) may be begun anew.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nemo_skill.errors import (
    APIError,
    NemoError,
    Next,
    ServerError,
    TransportError,
    UsageError,
)
from nemo_skill.storage import locked, read_json, write_json

MAX_AGE_S = 7 * 24 * 3600.0
MAX_ID_CHARS = 200
RUNNING, AWAITING, STOPPED, FAILED = "running", "awaiting_input", "stopped", "failed"
INTERRUPTED_HINT = (
    "The process running this turn stopped; check {next} — the message was not re-sent."
)
CANCELLED_HINT = (
    "A message already sent cannot be taken back: the backend may still finish it "
    "(and charge for it). Check {next} in a minute."
)

Record = dict[str, Any]


def check_turn_id(turn_id: str) -> str:
    """``turn_id`` if usable as an idempotency key, else :class:`UsageError`."""
    if not turn_id.strip() or len(turn_id) > MAX_ID_CHARS:
        raise UsageError(
            f"A turn id must be 1 to {MAX_ID_CHARS} characters, not blank.",
            hint="Use a stable key per user message, e.g. the host's message id.",
        )
    return turn_id


def unsent(error: BaseException) -> bool:
    """True when ``error`` proves the message never reached the backend's agent.

    Local refusals and the backend's explicit rejections (bad token, no
    credits, bad file, rate limit, ...) qualify, and so does a connection that
    was never opened. A 5xx, a dropped stream or a timeout do not: the backend
    may have started work, so such a turn is never run again.
    """
    if isinstance(error, UsageError):
        return True
    if isinstance(error, APIError):
        return not isinstance(error, ServerError)
    if type(error) is TransportError:
        import httpx

        return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout)
    return False


def _process_start(pid: int) -> str | None:
    """The start time of ``pid`` (Linux ``/proc``), so a recycled pid is not taken for it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name may contain spaces
    return fields[19] if len(fields) > 19 else None


def current_owner() -> dict[str, Any]:
    """This process as the owner of a turn: its pid and start time."""
    pid = os.getpid()
    return {"pid": pid, "start": _process_start(pid)}


def owner_alive(owner: Mapping[str, Any]) -> bool:
    """True unless the owner process has certainly exited."""
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    started = owner.get("start")
    return started is None or _process_start(pid) in (None, started)


def _error_dict(error: NemoError | Mapping[str, Any]) -> dict[str, Any]:
    """The stored, still symbolic form: the shell reading the record words its hint."""
    if isinstance(error, NemoError):
        return error.to_record()
    record = {
        "code": error.get("code", "error"),
        "message": str(error.get("message", "")),
        "hint": str(error.get("hint") or ""),
    }
    return record | ({"next": error["next"]} if error.get("next") else {})


class TurnStore:
    """Turn records on disk, shared by every process using one state directory."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir) / "turns"

    def path(self, turn_id: str) -> Path:
        """The record file of ``turn_id``."""
        return self.dir / f"{hashlib.sha256(turn_id.encode()).hexdigest()[:32]}.json"

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        """The store's advisory lock (threads and processes alike)."""
        return locked(self.dir / ".lock")

    def begin(
        self,
        turn_id: str,
        *,
        kind: str = "chat",
        workspace: str | None = None,
        message: str = "",
        files: Sequence[str | Path] = (),
    ) -> tuple[Record, bool]:
        """Create the turn as ``running`` and return ``(record, True)``.

        If the id is taken, nothing is written and ``(existing record, False)``
        is returned, unless the earlier attempt failed before sending
        (``retryable``): then it is replaced by a new attempt.
        """
        check_turn_id(turn_id)
        with self._locked():
            existing = self.load(turn_id)
            if existing is not None and not existing.get("retryable"):
                return existing, False
            self.prune()
            now = time.time()
            record: Record = {
                "turn_id": turn_id,
                "kind": kind,
                "workspace": workspace,
                "message": message,
                "files": [str(f) for f in files],
                "turn_state": RUNNING,
                "messages": [],
                "question": None,
                "options": [],
                "changes": [],
                "progress": [],
                "error": None,
                "retryable": False,
                "cancelled": False,
                "result": None,
                "created": now,
                "updated": now,
                "owner": current_owner(),
            }
            write_json(self.path(turn_id), record)
        return record, True

    def load(self, turn_id: str) -> Record | None:
        """The record, a dead owner's ``running`` turn reported as ``failed``."""
        record = read_json(self.path(turn_id))
        if not record:
            return None
        if record.get("turn_state") == RUNNING and not owner_alive(record.get("owner") or {}):
            record["turn_state"] = FAILED
            record["error"] = {
                "code": "turn_interrupted",
                "message": "The turn did not finish: the process running it stopped.",
                "hint": INTERRUPTED_HINT,
                "next": Next.STATE.value,
            }
        return record

    def _change(self, turn_id: str, change: Callable[[Record], None]) -> Record:
        with self._locked():
            record = read_json(self.path(turn_id)) or {"turn_id": turn_id}
            change(record)
            record["updated"] = time.time()
            write_json(self.path(turn_id), record)
        return record

    def update(self, turn_id: str, **fields: Any) -> Record:
        """Merge ``fields`` into the record (under the lock) and return it."""
        return self._change(turn_id, lambda record: record.update(fields))

    def add_progress(self, turn_id: str, line: str) -> None:
        """Append one progress line (a tool step, a heartbeat notice)."""
        self._change(turn_id, lambda r: r.__setitem__("progress", [*r.get("progress", []), line]))

    def finish(self, turn_id: str, result: Mapping[str, Any]) -> Record:
        """Record a finished turn: ``awaiting_input`` if it asks a question, else ``stopped``.

        ``result`` carries ``messages``/``changes``/``question``/``options``
        (``ChatResult.to_dict()``). A cancelled turn keeps its state but
        still gets the late result, so the host can see what happened.
        """

        def change(record: Record) -> None:
            record.update(
                messages=list(result.get("messages") or []),
                changes=list(result.get("changes") or []),
                question=result.get("question"),
                options=list(result.get("options") or []),
                result=dict(result),
            )
            if not record.get("cancelled"):
                record["turn_state"] = AWAITING if result.get("question") else STOPPED

        return self._change(turn_id, change)

    def fail(
        self, turn_id: str, error: NemoError | Mapping[str, Any], *, retryable: bool = False
    ) -> Record:
        """Record a failed turn; ``retryable`` when its message was certainly not sent."""

        def change(record: Record) -> None:
            if not record.get("cancelled"):
                record.update(turn_state=FAILED, error=_error_dict(error), retryable=retryable)

        return self._change(turn_id, change)

    def cancel(self, turn_id: str) -> Record:
        """Stop following a running turn: it reads as failed (``cancelled``) from now on."""

        def change(record: Record) -> None:
            if record.get("turn_state") == RUNNING:
                record.update(
                    turn_state=FAILED,
                    cancelled=True,
                    error={
                        "code": "cancelled",
                        "message": "Stopped waiting for this turn.",
                        "hint": CANCELLED_HINT,
                        "next": Next.STATE.value,
                    },
                )

        return self._change(turn_id, change)

    def wait(
        self,
        turn_id: str,
        timeout_s: float,
        *,
        interval_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Record | None:
        """Poll the record until it is no longer ``running`` or ``timeout_s`` has passed."""
        deadline = clock() + timeout_s
        record = self.load(turn_id)
        while record is not None and record.get("turn_state") == RUNNING and clock() < deadline:
            sleep(interval_s)
            record = self.load(turn_id)
        return record

    def prune(self, max_age_s: float = MAX_AGE_S) -> int:
        """Delete records not updated for ``max_age_s``; returns how many."""
        if not self.dir.is_dir():
            return 0
        cutoff = time.time() - max_age_s
        removed = 0
        for path in self.dir.glob("*.json"):
            with contextlib.suppress(OSError):  # another process may prune the same file
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed


class Turns:
    """The idempotent-turn rules both shells share, over one :class:`TurnStore`.

    ``begin`` a turn by id (an earlier turn with that id is returned instead,
    never run again), ``run`` its work and record the outcome, ``get`` it back
    (an unknown id is a :class:`UsageError`), ``wait`` for one running
    elsewhere, ``cancel`` following it. The CLI runs the work in the calling
    thread, the MCP server in a background thread; the rules are the same.
    """

    def __init__(self, store: TurnStore) -> None:
        self.store = store

    def begin(
        self,
        turn_id: str | None,
        *,
        kind: str = "chat",
        workspace: str | None = None,
        message: str = "",
        files: Sequence[str | Path] = (),
    ) -> tuple[Record, bool]:
        """``(new running record, True)``, or ``(the earlier turn of turn_id, False)``.

        Without a ``turn_id`` a fresh one is made up.
        """
        tid = check_turn_id(turn_id) if turn_id is not None else f"turn_{uuid.uuid4().hex}"
        return self.store.begin(tid, kind=kind, workspace=workspace, message=message, files=files)

    def run_once(
        self,
        turn_id: str | None,
        work: Callable[[str], Mapping[str, Any]],
        *,
        kind: str = "chat",
        workspace: str | None = None,
        message: str = "",
        files: Sequence[str | Path] = (),
        start: Callable[[str, Callable[[], Record]], None] | None = None,
    ) -> tuple[Record, bool]:
        """Run ``work`` as the turn of ``turn_id`` once; a known id returns its earlier turn.

        ``(record, True)`` for a turn begun here, ``(the earlier record, False)``
        otherwise (its work is never run again). The work runs in the calling
        thread, its outcome recorded (a failure re-raised), or is handed to
        ``start`` (the MCP server runs it in a background thread and returns the
        running record). ``chat --turn-id`` and the MCP tools share this rule.
        """
        record, created = self.begin(turn_id, kind=kind, workspace=workspace, message=message,
                                     files=files)  # fmt: skip
        if not created:
            return record, False
        tid = str(record["turn_id"])
        if start is None:
            return self.run(tid, lambda: work(tid)), True
        start(tid, lambda: self.run(tid, lambda: work(tid)))
        return record, True

    def run(self, turn_id: str, work: Callable[[], Mapping[str, Any]]) -> Record:
        """Run a begun turn's ``work`` and record its result or its failure (then re-raised).

        A failure that proves the message was never sent is recorded as
        retryable; a bug is recorded as a failure too, so the turn never stays
        running. An interrupt (Ctrl-C) leaves it running: once the process
        has gone it reads as failed, and a retry does not re-send.
        """
        try:
            result = work()
        except NemoError as exc:
            self.store.fail(turn_id, exc, retryable=unsent(exc))
            raise
        except Exception as exc:
            self.store.fail(turn_id, NemoError.unexpected(exc))
            raise
        return self.store.finish(turn_id, result)

    def find(self, turn_id: str) -> Record | None:
        """The record of ``turn_id``, or None."""
        return self.store.load(check_turn_id(turn_id))

    def get(self, turn_id: str) -> Record:
        """The record of ``turn_id``; an unknown id is a :class:`UsageError`."""
        record = self.find(turn_id)
        if record is None:
            raise UsageError(
                f"There is no turn with id {turn_id}.",
                hint="Start one with {next}; finished turns are kept for 7 days.",
                next=Next.CHAT,
            )
        return record

    def add_progress(self, turn_id: str, line: str) -> None:
        """Append a progress line to a running turn."""
        self.store.add_progress(turn_id, line)

    def wait(self, turn_id: str, timeout_s: float, **kwargs: Any) -> Record | None:
        """Poll until the turn is no longer running or ``timeout_s`` has passed."""
        return self.store.wait(turn_id, timeout_s, **kwargs)

    def cancel(self, turn_id: str) -> Record:
        """Stop following a known turn (it reads as failed from now on)."""
        self.get(turn_id)
        return self.store.cancel(turn_id)

    @staticmethod
    def error_of(record: Mapping[str, Any]) -> NemoError | None:
        """The recorded failure of a failed turn with no result, else None."""
        if record.get("turn_state") != FAILED or record.get("result"):
            return None
        error = record.get("error")
        return NemoError.from_record(error if isinstance(error, Mapping) else {})

    @staticmethod
    def retryable_failure(record: Mapping[str, Any]) -> bool:
        """True when the turn failed before its message could have been sent."""
        return record.get("turn_state") == FAILED and bool(record.get("retryable"))
