"""The export lifecycle, once: submit, follow, retry, download, cancel.

:class:`Exporter` is the one owner of every export rule; ``Skill`` (CLI and
MCP) and each batch item drive it, each over its own :class:`Journal`:

- **Id saved first.** A render id is chosen here and written to the journal
  *before* the submit leaves, with the output path and a digest of the draft
  submitted, so a killed process can find its render again.
- **Never doubled.** When the submit's answer is lost (a 5xx, a timeout, a
  connection reset after sending), the backend is asked about the saved id
  first: a render that landed is followed; one that did not is submitted
  again under the *same* id (the backend keys renders by id). A refusal
  (402, 2001, another 4xx) drops the id: nothing runs under it.
- **Follow the render in flight.** A plain export finds the journal's render
  and follows it (as ``export --resume`` does) unless the draft changed since
  it was submitted (then a new render replaces it); a recorded id the backend
  never received is submitted under that id.
- **Retry once.** A render that ends ``failed`` (not a refusal) is submitted
  once more under a new id; a second failure is one clear error.
- **Second stage.** Right after a generation the backend may still be adding
  music and a title; the submit waits for it first (:mod:`.second_stage`).
- **Download** streams the MP4, falling back to the backend's download
  endpoint when the render's own link fails.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from nemo_skill.delivery import worth_retrying
from nemo_skill.errors import (
    APIError,
    NemoError,
    Next,
    ProtocolError,
    RenderError,
    TransportError,
    UsageError,
)
from nemo_skill.ids import new_render_id
from nemo_skill.models import RenderJob, SessionState
from nemo_skill.render import DEFAULT_DEADLINE_S, POLL_SCHEDULE, ExportJob, submit
from nemo_skill.second_stage import SETTLE_S, Generation, await_second_stage

if TYPE_CHECKING:
    from nemo_skill.client import NemoClient

__all__ = [
    "Delivered",
    "Exporter",
    "Generation",
    "Journal",
    "Pending",
    "is_unknown",
]

Progress = Callable[[str], None]
# (render id, the journal's pending render or None) -> where to save the MP4 (None: no download)
Target = Callable[[str, "Pending | None"], "Path | None"]


@dataclass(frozen=True)
class Pending:
    """The render a journal is responsible for, as saved before its submit left."""

    render_id: str
    output: str | None = None  # where its MP4 goes
    digest: str | None = None  # of the draft submitted (None: not known, an older record)
    retry_of: str | None = None  # the failed render this one replaces (one retry only)


class Journal(Protocol):
    """Where an export keeps its state: a workspace record, or a batch item's entry."""

    def pending(self) -> Pending | None:
        """The render in flight, if any."""

    def submitting(self, pending: Pending) -> None:
        """Save ``pending`` durably; called before its submit leaves."""

    def settle(self, *, delivered: bool) -> None:
        """Forget the render: delivered, or ended for good (refused, failed, cancelled)."""

    def generation(self) -> Generation | None:
        """The last generation turn's end, for the second-stage wait."""

    def generated(self, generation: Generation) -> None:
        """Record that a generation turn's stream closed."""


@dataclass(frozen=True)
class Delivered:
    """A finished export: the render's id and final status, its URL, the saved MP4."""

    job_id: str
    status: str
    url: str | None
    path: Path | None


def is_unknown(error: APIError) -> bool:
    """The one "job unknown" rule: the render proxy answers an unknown id with 404 or 1002."""
    return error.status == 404 or error.code in (404, 1002)


def unknown_job(render_id: str) -> UsageError:
    """The error for a render id the backend does not know."""
    # Not 1002's hint ("a new session will be started"): that would mislead here.
    return UsageError(
        f"There is no render job {render_id}.",
        hint="Start one with {next} and use the job id it returns.",
        next=Next.EXPORT,
    )


def _refused(error: BaseException) -> bool:
    """True when the backend (or a local check) refused the submit: nothing runs under its id."""
    from nemo_skill.errors import ServerError

    return isinstance(error, UsageError) or (
        isinstance(error, APIError) and not isinstance(error, ServerError)
    )


def _never_sent(error: BaseException) -> bool:
    """True when the submit's connection never opened (the request did not leave)."""
    import httpx

    return type(error) is TransportError and isinstance(
        error.__cause__, httpx.ConnectError | httpx.ConnectTimeout
    )


class Exporter:
    """Exports one session's draft, its state kept in one :class:`Journal`."""

    def __init__(
        self,
        client: NemoClient,
        journal: Journal,
        read_state: Callable[[], SessionState],
        *,
        progress: Progress = lambda line: None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        schedule: tuple[float, ...] = POLL_SCHEDULE,
        deadline_s: float = DEFAULT_DEADLINE_S,
        settle_s: float = SETTLE_S,
        call: Callable[[Callable[[], Any]], Any] = lambda step: step(),
    ) -> None:
        self.client = client
        self.journal = journal
        self.read_state = read_state  # the session's latest state (its id and draft)
        self.progress = progress
        self.sleep = sleep
        self.clock = clock
        self.schedule = schedule
        self.deadline_s = deadline_s
        self.settle_s = settle_s
        self.call = call  # how a backend call is made (a batch retries 429s in it)

    # --- the whole export ---------------------------------------------------------------
    def run(
        self,
        target: Target,
        *,
        resume: bool | str = False,
        on_update: Callable[[RenderJob], None] | None = None,
    ) -> Delivered:
        """Submit (or follow) a render, wait for it, retry a failed one once, download it.

        ``resume`` (True or a render id) follows that render and never starts
        an unrelated one; a plain run follows the journal's render unless the
        draft changed since it was submitted.
        """
        job, dest = self.start(target, resume=resume)
        job, done = self._wait(job, target, on_update or self._say_progress)
        path = self._download(job, dest) if dest is not None else None
        self.journal.settle(delivered=True)
        return Delivered(job.render_id, done.status, done.output_url, path)

    def start(self, target: Target, *, resume: bool | str = False) -> tuple[ExportJob, Path | None]:
        """The render to wait for (followed or newly submitted) and where its MP4 goes."""
        pending = self._pending(resume)
        if pending is not None:
            job = self._follow(pending, explicit=bool(resume))
            if job is not None:
                return job, target(job.render_id, pending)
        return self._submit(target)

    # --- the MCP polling tools ----------------------------------------------------------
    def status(self, render_id: str) -> tuple[str, RenderJob]:
        """``(id, status)`` of a render; a failed journal render is retried once (new id).

        The id returned is the one to poll from now on: the retry's, once it exists.
        """
        render_id = self._replacement(render_id)
        pending = self.journal.pending()
        job = ExportJob(self.client, render_id)
        status = self.reload(job)
        mine = pending is not None and pending.render_id == render_id
        if mine and pending is not None and pending.retry_of is None and self._retryable(job):
            retry = self._retry(job, lambda rid, p: Path(p.output) if p and p.output else None)
            return retry.render_id, retry.last or self.reload(retry)
        if mine and status.done and status.status != "completed":
            self.journal.settle(delivered=False)
        return render_id, status

    def _replacement(self, render_id: str) -> str:
        """``render_id``, or the retry that replaced it after it failed."""
        pending = self.journal.pending()
        if pending is not None and pending.retry_of == render_id:
            return pending.render_id
        return render_id

    def download(self, render_id: str, dest: Path) -> tuple[RenderJob, Path]:
        """Save a completed render to ``dest``; still running is a usage error."""
        render_id = self._replacement(render_id)
        job = ExportJob(self.client, render_id)
        current = self.reload(job)
        if not current.done:
            raise UsageError(
                f"Render {render_id} is still {current.status} ({int(current.progress)}%).",
                hint="Poll {next} until it is completed, then download.",
                next=Next.EXPORT_STATUS,
            )
        path = self._download(job, dest)
        pending = self.journal.pending()
        if pending is not None and pending.render_id == render_id:
            self.journal.settle(delivered=True)  # `export --resume` must not pick it up again
        return current, path

    def cancel(self, render_id: str | None = None) -> RenderJob:
        """Ask the backend to cancel the journal's (or the given) render."""
        pending = self.journal.pending()
        render_id = render_id or (pending.render_id if pending else None)
        if not render_id:
            raise _nothing_to_resume()
        try:
            status = ExportJob(self.client, render_id).cancel()
        except APIError as exc:
            raise unknown_job(render_id) if is_unknown(exc) else exc from None
        if pending is not None and pending.render_id == render_id:
            self.journal.settle(delivered=False)
        return status

    def reload(self, job: ExportJob) -> RenderJob:
        """The job's status; an id the backend does not know is a plain usage error."""
        status = self._status_or_none(job)
        if status is None:
            raise unknown_job(job.render_id)
        return status

    # --- following ----------------------------------------------------------------------
    def _pending(self, resume: bool | str) -> Pending | None:
        if isinstance(resume, str):
            saved = self.journal.pending()
            return saved if saved and saved.render_id == resume else Pending(resume)
        pending = self.journal.pending()
        if resume and pending is None:
            raise _nothing_to_resume()
        return pending

    def _follow(self, pending: Pending, *, explicit: bool) -> ExportJob | None:
        """The journal's render to wait for, or None when a new one should replace it."""
        job = ExportJob(self.client, pending.render_id)
        status = self._status_or_none(job)
        if status is None:  # saved, but the submit never reached the backend
            self.progress(f"render {job.render_id} was never started; starting it now")
            return self._submit_as(pending, explicit=explicit)
        if explicit:
            return job
        if status.status in ("failed", "cancelled"):
            self.journal.settle(delivered=False)
            return None
        current = self._draft_digest()
        # An older record has no digest: follow it (never risk a second render).
        if pending.digest is None or pending.digest == current:
            self.progress(f"following render {job.render_id}, already under way")
            return job
        self.progress(
            f"the timeline changed since render {job.render_id} was started; starting a new one"
        )
        if not status.done:
            with contextlib.suppress(NemoError):  # best effort: its result is not wanted
                job.cancel()
        self.journal.settle(delivered=False)
        return None

    def _status_or_none(self, job: ExportJob) -> RenderJob | None:
        """The job's status, or None when the backend does not know it (it never arrived)."""
        try:
            status: RenderJob = self.call(job.reload)
        except APIError as exc:
            if is_unknown(exc):
                return None
            raise
        return status

    def _draft_digest(self) -> str | None:
        draft = self.read_state().draft
        return draft.digest() if draft is not None else None

    # --- submitting ---------------------------------------------------------------------
    def _submit(
        self, target: Target, *, retry_of: str | None = None
    ) -> tuple[ExportJob, Path | None]:
        """A new render of the current draft: id saved first, never doubled."""
        state = self._renderable()
        if retry_of is None:
            state = self._after_second_stage(state)
        render_id = new_render_id()
        dest = target(render_id, None)
        draft = state.draft
        assert draft is not None
        pending = Pending(render_id, str(dest) if dest else None,
                          draft.digest(), retry_of)  # fmt: skip
        return self._send(pending, state), dest

    def _submit_as(self, pending: Pending, *, explicit: bool) -> ExportJob:
        """Submit a saved id that never reached the backend (the current draft, same id)."""
        state = self._renderable()
        draft = state.draft
        assert draft is not None
        digest = draft.digest()
        return self._send(replace(pending, digest=digest), state)

    def _send(self, pending: Pending, state: SessionState) -> ExportJob:
        draft = state.draft
        assert draft is not None
        self.journal.submitting(pending)  # before the submit leaves: a crash resumes this id
        session_id = str(state.session_id)
        wire = draft.to_wire()

        def send() -> ExportJob:
            return submit(self.client, session_id, wire, render_id=pending.render_id)

        try:
            job: ExportJob = self.call(send)
            return job
        except NemoError as exc:
            if _refused(exc):
                self.journal.settle(delivered=False)  # refused: nothing runs under this id
                raise
            if _never_sent(exc):
                raise  # kept: the next export submits this same id
            return self._after_lost_answer(pending.render_id, send, exc)

    def _after_lost_answer(
        self, render_id: str, send: Callable[[], ExportJob], error: NemoError
    ) -> ExportJob:
        """The submit's answer was lost: follow the render if it landed, else send it again.

        Sending again uses the same id, so even a submit still on its way
        cannot make a second render.
        """
        job = ExportJob(self.client, render_id)
        try:
            landed = self._status_or_none(job)
        except NemoError:
            raise error from None  # the backend cannot say: keep the id for the next export
        if landed is not None:
            self.progress(
                f"the backend's answer to the submit was lost ({error.message}); "
                f"render {render_id} did arrive: following it"
            )
            return job
        self.progress(f"render {render_id} did not arrive ({error.message}); sending it again")
        try:
            again: ExportJob = self.call(send)
        except NemoError as exc:
            if _refused(exc):
                self.journal.settle(delivered=False)
            raise
        return again

    def _renderable(self) -> SessionState:
        state: SessionState = self.read_state()
        if state.draft is None or not state.draft.renderable:
            raise UsageError(
                "There is nothing to export yet: the timeline is empty.",
                hint="Send an image and describe the clip first, e.g. {next}",
                next=Next.CHAT,
            )
        return state

    def _after_second_stage(self, state: SessionState) -> SessionState:
        return await_second_stage(
            state,
            self.journal.generation(),
            self._renderable,
            settle_s=self.settle_s,
            progress=self.progress,
        )  # on the wall clock: the second stage lands in real time

    # --- waiting, retrying --------------------------------------------------------------
    def _wait(
        self, job: ExportJob, target: Target, on_update: Callable[[RenderJob], None]
    ) -> tuple[ExportJob, RenderJob]:
        """Wait for ``job``; a failed render is submitted once more under a new id."""
        first = job
        for attempt in (1, 2):
            try:
                done = job.wait(on_update=on_update, sleep=self.sleep, clock=self.clock,
                                deadline_s=self.deadline_s, schedule=self.schedule)  # fmt: skip
                return job, done
            except RenderError as exc:
                if attempt == 1 and self._retryable(job):
                    job = self._retry(job, target)
                    continue
                self.journal.settle(delivered=False)
                if attempt == 2 and exc.code == "render_failed":
                    raise _failed_twice(first, job) from None
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _retryable(job: ExportJob) -> bool:
        last = job.last
        return worth_retrying(last.status if last else None, last.error if last else None)

    def _retry(self, failed: ExportJob, target: Target) -> ExportJob:
        """One more render with a new id after a render that ended ``failed``."""
        detail = failed.last.error if failed.last else None
        self.progress(
            f"Render {failed.render_id} failed{f' ({detail})' if detail else ''}; "
            "trying once more with a new render…"
        )
        pending = self.journal.pending()
        keep = Path(pending.output) if pending and pending.output else None

        def same_place(render_id: str, _: Pending | None) -> Path | None:
            return keep if keep is not None else target(render_id, None)

        job, _ = self._submit(same_place, retry_of=failed.render_id)
        return job

    def _say_progress(self, job: RenderJob) -> None:
        self.progress(f"rendering… {int(job.progress)}% ({job.status})")

    # --- downloading --------------------------------------------------------------------
    def _download(self, job: ExportJob, dest: Path) -> Path:
        """Stream the MP4; if the render's link fails, once more from the download endpoint."""
        self.progress("downloading…")
        try:
            return job.download(dest)
        except (APIError, TransportError, ProtocolError) as exc:
            last = job.last
            if last is None or not last.output_url:
                raise
            self.progress(f"the render's link failed ({exc.message}); trying the backend's copy")
            fallback = last.model_copy(update={"output_url": None, "id": job.render_id})
            return self.client.download_render(fallback, dest)


def _nothing_to_resume() -> UsageError:
    return UsageError(
        "There is no interrupted export to resume.", hint="Run {next}.", next=Next.EXPORT
    )


def _failed_twice(first: ExportJob, second: ExportJob) -> RenderError:
    detail = first.last.error if first.last else None
    again = second.last.error if second.last else None
    return RenderError(
        f"The render failed twice ({first.render_id}, {second.render_id})"
        + (f": {again or detail}." if again or detail else "."),
        hint="Nothing was downloaded. Look at the timeline with {next}, "
        "change what looks wrong, then export again.",
        next=Next.STATE,
    )
