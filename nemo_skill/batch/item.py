"""One batch item, step by step: session, upload, the one paid turn, then the export.

Every step is recorded in the progress file; the turn is recorded as sent
*before* it is sent and never sent twice (an interrupted one is watched for
in the session's state instead); the export is the shared
:class:`~nemo_skill.exporter.Exporter` over the item's entry, so a re-run
follows the recorded render and a lost submit answer never doubles it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from nemo_skill.batch.inputs import Item, source_id
from nemo_skill.batch.progress import (
    BEFORE_TURN,
    FINISHED,
    NEW,
    SESSION,
    TURN_DONE,
    TURN_SENT,
    UPLOADED,
    UPLOADING,
    ItemJournal,
    ProgressFile,
)
from nemo_skill.batch.report import DONE
from nemo_skill.client import NemoClient
from nemo_skill.conversation import TurnTimings, run_turn, watch_state, with_session_renewal
from nemo_skill.delivery import claim_url_or_none
from nemo_skill.errors import (
    NemoError,
    RateLimitError,
    SessionNotFoundError,
    StreamInterruptedError,
    UsageError,
)
from nemo_skill.exporter import Exporter
from nemo_skill.intents import detect_language
from nemo_skill.models import RenderJob, SessionState
from nemo_skill.second_stage import Generation, settle_for
from nemo_skill.turns import unsent

T = TypeVar("T")
Say = Callable[[Item, str, str | None], None]
RATE_LIMIT_TRIES = 3  # a step refused with 429 is tried again after the shared pause


class ItemSteps:
    """The steps of one item, sharing the batch's client, progress file and timings."""

    def __init__(
        self,
        client: NemoClient,
        progress: ProgressFile,
        prompt: str,
        say: Say,
        *,
        sleep: Callable[[float], None],
        poll_schedule: tuple[float, ...],
        timings: TurnTimings,
    ) -> None:
        self.client = client
        self.progress = progress
        self.prompt = prompt
        self.say = say
        self.sleep = sleep
        self.poll_schedule = poll_schedule
        self.timings = timings  # the rules for an interrupted turn (conversation.py)

    def _record(self, item: Item, **fields: Any) -> dict[str, Any]:
        return self.progress.update(item.key, **fields)

    def process(self, item: Item) -> None:
        """Take ``item`` from wherever it stopped to its clip."""
        entry = self.progress.entry(item.key)
        stage = entry.get("stage", NEW)
        item.report.session_id = entry.get("session_id")
        output = Path(str(item.report.output))
        if stage == FINISHED and output.is_file():
            item.report.path, item.report.job_id = str(output), entry.get("render_id")
            item.report.note = "done in an earlier run"
            self.say(item, f"already done: {output}", DONE)
            return
        if stage in BEFORE_TURN:
            with_session_renewal(
                lambda: self._up_to_the_turn(item),
                lambda error: self._renew(item, error),
                say=lambda note: self.say(item, note, None),
            )
        if stage == TURN_SENT:
            self._await_sent_turn(item, float(entry.get("turn_sent_at") or 0.0))
        self._export(item)

    def _up_to_the_turn(self, item: Item) -> None:
        """From the recorded stage: a session, the upload, then the one paid turn."""
        stage = self.progress.entry(item.key).get("stage", NEW)
        if stage in (NEW, UPLOADING, SESSION):
            self._prepare(item, reuse_session=stage == SESSION)
        self._send_turn(item)

    def _renew(self, item: Item, error: SessionNotFoundError) -> None:
        """Lost before the turn was sent (nothing charged): start over in a fresh session."""
        if self.progress.entry(item.key).get("stage") not in BEFORE_TURN:
            raise error
        self._record(item, stage=NEW, session_id=None)

    def retrying(self, call: Callable[[], T]) -> T:
        """``call()``, tried again after the shared pause when the backend says 429."""
        for attempt in range(1, RATE_LIMIT_TRIES + 1):
            try:
                return call()
            except RateLimitError as exc:
                if attempt == RATE_LIMIT_TRIES:
                    raise
                self.sleep(self.client.retry.delay(attempt, exc.retry_after, status=429))
        raise AssertionError("unreachable")  # pragma: no cover

    def _prepare(self, item: Item, *, reuse_session: bool) -> None:
        """A session of its own with the image uploaded (both free: redone if interrupted)."""
        entry = self.progress.entry(item.key)
        sid = entry.get("session_id") if reuse_session else None
        if not sid:
            self.say(item, "starting a session", "starting")
            info = self.retrying(
                lambda: self.client.create_session(language=detect_language(self.prompt))
            )
            sid = info.session_id
            self._record(item, stage=SESSION, session_id=sid, task_id=info.task_id,
                         input=source_id(item.source), prompt=self.prompt,
                         output=item.report.output, render_id=None)  # fmt: skip
        item.report.session_id = sid
        self.say(item, "uploading", "uploading")
        # An upload cut off half-way may or may not have landed: a re-run takes a fresh session.
        self._record(item, stage=UPLOADING)
        if item.is_url:
            self.retrying(lambda: self.client.upload_urls(str(sid), [item.source]))
        else:
            self.retrying(lambda: self.client.upload_files(str(sid), [Path(item.source)]))
        self._record(item, stage=UPLOADED)

    def _send_turn(self, item: Item) -> None:
        """The one paid step: recorded as sent *before* it is sent, never sent twice."""
        sid = str(item.report.session_id)
        for attempt in range(1, RATE_LIMIT_TRIES + 1):
            self.say(item, "generating", "generating")
            try:
                turn = run_turn(self.client, sid, self.prompt, timings=self.timings,
                                progress=lambda line: self.say(item, line, None),
                                on_send=lambda: self._mark_sent(item))  # fmt: skip
            except NemoError as exc:
                if unsent(exc):  # refused before any work (credits, 429, ...): may be sent later
                    if self.progress.entry(item.key).get("stage") == TURN_SENT:
                        self._record(item, stage=UPLOADED, turn_sent_at=None)
                    if isinstance(exc, RateLimitError) and attempt < RATE_LIMIT_TRIES:
                        self.sleep(self.client.retry.delay(attempt, exc.retry_after, status=429))
                        continue
                raise
            break
        # The stream closed: the backend's second stage (music, title) may still follow.
        ItemJournal(self.progress, item.key).generated(Generation(time.time()))
        if turn.question:
            raise UsageError(
                f"The backend asked a question instead of making the clip: {turn.question}",
                hint="Make the prompt more specific (e.g. add a duration and aspect ratio), "
                "then run {next:generate} again for this file with {next:fresh}.",
            )

    def _mark_sent(self, item: Item) -> None:
        """Write-ahead, as late as possible: right before the message goes out."""
        self._record(item, stage=TURN_SENT, turn_sent_at=time.time())

    def _await_sent_turn(self, item: Item, sent_at: float) -> None:
        """An earlier run sent the turn and was stopped: never re-send, watch the state.

        An immediate look, then the rule for a lost turn (conversation.watch_state),
        its schedule counted from the send on the wall clock (another process sent it).
        """
        self.say(item, "turn sent by an earlier run: not re-sending it, reading the project",
                 "generating")  # fmt: skip

        def ready() -> bool | None:
            return True if self._has_draft(item) else None

        def nothing_yet(look: int, looks: int) -> None:
            self.say(item, f"⏳ no clip yet (check {look} of {looks})…", None)

        rules = self.timings
        if not ready() and not watch_state(ready, rules, since=sent_at, now=time.time,
                                           say=nothing_yet):  # fmt: skip
            raise StreamInterruptedError(
                f"The turn sent by an earlier run left no timeline in session "
                f"{item.report.session_id} after {rules.recovery_polls} checks. It was not "
                "re-sent (that could charge twice).",
                hint=f"To make this clip again (charged again), run {{next:generate}} for "
                f"{item.source} with {{next:fresh}}.",
            )
        self._record(item, stage=TURN_DONE)

    def _state(self, item: Item) -> SessionState:
        state: SessionState = self.retrying(lambda: self.client.state(str(item.report.session_id)))
        return state

    def _has_draft(self, item: Item) -> bool:
        """True when the session has a renderable draft (a lost session is an error)."""
        try:
            draft = self._state(item).draft
        except SessionNotFoundError:
            raise
        except NemoError:
            return False
        return draft is not None and draft.renderable

    def _export(self, item: Item) -> None:
        """Render (following a recorded render) and download: the shared exporter's rules."""
        output = Path(str(item.report.output))
        shown: list[tuple[str, int]] = []

        def update(status: RenderJob) -> None:
            item.report.job_id = status.id or item.report.job_id
            now = (str(status.status), int(status.progress))
            if not shown or shown[-1] != now:
                shown.append(now)
                self.say(item, f"rendering {now[1]}%", "rendering")

        exporter = Exporter(
            self.client,
            ItemJournal(self.progress, item.key),
            lambda: self._state(item),
            progress=lambda line: self.say(item, line, None),
            sleep=self.sleep,
            schedule=self.poll_schedule,
            settle_s=settle_for(self.client.settings),
            call=self.retrying,
        )
        done = exporter.run(lambda render_id, pending: output, on_update=update)
        item.report.job_id = done.job_id
        item.report.path = str(output)
        entry = self.progress.entry(item.key)
        item.report.claim_url = claim_url_or_none(
            self.client, entry.get("task_id"), item.report.session_id
        )
        self.say(item, f"done: {output}", DONE)
