"""Batch generation: many images at once, resumable, each turn charged once.

``run_batch`` turns each input into a clip in its own backend session
(upload → one generation turn → render → download) on a pool of ``jobs``
worker threads, so one item's render wait never holds the others.

Nothing is charged twice. A small manifest beside the outputs
(``.nemo-batch.json``, 0600, written atomically) records each item's stage,
and the risky steps are recorded *before* they happen (write-ahead): "turn
sent" before the message goes out, the render id before the render is
submitted. Running the same command again therefore skips finished items,
resumes renders by their ids, and never re-sends a turn that may have been
sent: it reads the session's state and exports once the draft is ready (the
rules for an interrupted turn: an immediate look, then 30 s after sending,
then every 60 s, five looks in all). ``fresh=True`` forgets the recorded
progress of the given inputs.

One backoff for all: the workers share one client, whose
:class:`~nemo_skill.limiter.Limiter` holds every request while a 429's
advised wait runs. Out of credits (2001) or an export the plan does not
allow (402) stops starting new items (they would fail the same way) while the
items in flight finish; the items that did not run say why.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from nemo_skill.client import NemoClient, check_upload
from nemo_skill.conversation import TurnTimings, run_turn
from nemo_skill.delivery import claim_url_or_none, worth_retrying
from nemo_skill.errors import (
    API_STEPS,
    APIError,
    CancelledError,
    InsufficientCreditsError,
    NemoError,
    Next,
    PlanRequiredError,
    RateLimitError,
    RenderError,
    SessionNotFoundError,
    StreamInterruptedError,
    UsageError,
    word_error,
)
from nemo_skill.ids import new_render_id
from nemo_skill.intents import detect_language
from nemo_skill.models import Draft
from nemo_skill.paths import resolve_output
from nemo_skill.render import POLL_SCHEDULE, ExportJob, submit
from nemo_skill.settings import LOCAL_API_URL, MAX_BATCH_JOBS
from nemo_skill.storage import write_atomic
from nemo_skill.turns import unsent

Progress = Callable[[str], None]

MANIFEST_NAME: Final = ".nemo-batch.json"
MANIFEST_VERSION: Final = 1
CLOUD_JOBS: Final = 3  # the cloud's default: enough to overlap renders, gentle on rate limits
MAX_JOBS: Final = MAX_BATCH_JOBS  # one limit for --jobs and `config set batch_jobs`
RATE_LIMIT_TRIES: Final = 3  # a step refused with 429 is tried again after the shared pause

# Where an item is, as recorded in the manifest (each step's outcome, or intent for risky ones).
NEW, SESSION, UPLOADING, UPLOADED = "new", "session", "uploading", "uploaded"
TURN_SENT, TURN_DONE, RENDER_SUBMITTED, FINISHED = "turn_sent", "turn_done", "rendering", "done"

# What an item is doing, as reported (progress lines, summary, JSON).
QUEUED, DONE, FAILED, NOT_RUN = "queued", "done", "failed", "not_run"


@dataclass
class GenerateItem:
    """One input of a batch: where its clip went, or why it did not."""

    input: str
    output: str | None = None
    path: str | None = None
    job_id: str | None = None
    session_id: str | None = None
    state: str = QUEUED
    error: dict[str, Any] | None = None
    seconds: float = 0.0
    note: str | None = None
    claim_url: str | None = None  # opens this item's project in the web app
    exit_code: int = field(default=0, repr=False)

    def to_dict(self, steps: Mapping[Next, str] = API_STEPS) -> dict[str, Any]:
        """``{"input", "output", "path", "job_id", "session_id", "state", "error", ...}``.

        ``error`` is kept symbolic (``NemoError.to_record()``); ``steps`` words its hint.
        """
        return {
            "input": self.input,
            "output": self.output,
            "path": self.path,
            "job_id": self.job_id,
            "session_id": self.session_id,
            "state": self.state,
            "error": word_error(self.error, steps) if self.error else None,
            "seconds": round(self.seconds, 2),
            "note": self.note,
            "claim_url": self.claim_url,
        }


@dataclass
class BatchReport:
    """Every item of a batch, in input order, and where the progress is kept."""

    items: list[GenerateItem]
    manifest: str
    jobs: int
    rate_limit_pauses: int = 0

    def counts(self) -> dict[str, int]:
        """How many items ended in each state."""
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.state] = counts.get(item.state, 0) + 1
        return counts

    def exit_code(self) -> int:
        """0 when every item has its clip, else the exit code of the first that has not."""
        return next((i.exit_code or 1 for i in self.items if i.state != DONE), 0)

    def to_dict(self, steps: Mapping[Next, str] = API_STEPS) -> dict[str, Any]:
        """One JSON document: ``results`` (every item), ``counts``, ``manifest``, ``jobs``."""
        return {
            "results": [item.to_dict(steps) for item in self.items],
            "counts": self.counts(),
            "manifest": self.manifest,
            "jobs": self.jobs,
            "rate_limit_pauses": self.rate_limit_pauses,
        }


def default_jobs(client: NemoClient) -> int:
    """``config set batch_jobs``, else 3 against the cloud, else (embedded) its render workers."""
    if client.settings.batch_jobs:
        return client.settings.batch_jobs
    if client.settings.scope == LOCAL_API_URL:
        from nemo_skill.backends import render_workers  # only when the embedded backend runs

        return max(1, min(CLOUD_JOBS, render_workers()))
    return CLOUD_JOBS


def check_jobs(jobs: int) -> int:
    """``jobs`` if it is a sensible pool size, else :class:`UsageError`."""
    if not 1 <= jobs <= MAX_JOBS:
        raise UsageError(
            f"{{next:jobs}} must be between 1 and {MAX_JOBS}, not {jobs}.",
            hint=f"Use {{next:jobs}} with {CLOUD_JOBS} (the default against the cloud).",
        )
    return jobs


# --- the manifest --------------------------------------------------------------------------


def item_key(scope: str, source: str, prompt: str) -> str:
    """The manifest key of one input: backend, absolute path (or URL), prompt."""
    raw = json.dumps([scope, source, prompt], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class Manifest:
    """The batch's progress beside its outputs, rewritten atomically on every change."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The manifest in ``folder`` (empty if none); an unreadable one is refused."""
        path = folder / MANIFEST_NAME
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, {"version": MANIFEST_VERSION, "items": {}})
        except OSError as exc:
            raise UsageError(f"Cannot read the batch manifest {path} ({exc.strerror}).") from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
                raise ValueError("not a manifest")
        except ValueError:
            raise UsageError(
                f"The batch manifest {path} is not readable JSON, so finished and in-flight "
                "items cannot be told apart (re-sending could charge twice).",
                hint="Restore it, or move it away and run with {next:fresh} to start the batch "
                "afresh.",
            ) from None
        return cls(path, data)

    @property
    def items(self) -> dict[str, dict[str, Any]]:
        """Entries by item key."""
        items: dict[str, dict[str, Any]] = self.data["items"]
        return items

    def entry(self, key: str) -> dict[str, Any]:
        """A copy of the entry of ``key`` (empty if unknown)."""
        with self._lock:
            return dict(self.items.get(key) or {})

    def update(self, key: str, **fields: Any) -> dict[str, Any]:
        """Merge ``fields`` into the entry of ``key`` and write the file before returning."""
        with self._lock:
            entry = dict(self.items.get(key) or {})
            entry.update(fields, updated=time.time())
            self.items[key] = entry
            self._write()
            return dict(entry)

    def forget(self, keys: Sequence[str]) -> None:
        """Drop the entries of ``keys`` (``--fresh``)."""
        with self._lock:
            for key in keys:
                self.items.pop(key, None)
            self._write()

    def _write(self) -> None:
        """Atomic and durable: 0600 temp file beside it, fsync, rename, fsync the folder."""
        raw = json.dumps(self.data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_atomic(self.path, raw, prefix=f"{MANIFEST_NAME}.", sync_dir=True)


@contextlib.contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """One batch at a time per output folder: two would both send the same turns.

    The lock is an advisory ``flock`` on the folder itself (no lock file left
    behind); the kernel drops it when the process dies, even on SIGKILL.
    """
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"Another batch ({{next:generate}}) is writing into {folder}.",
                hint="Wait for it to finish (running both would send the same turns twice).",
            ) from None
        yield
    finally:
        os.close(fd)


# --- planning --------------------------------------------------------------------------------


@dataclass
class _Item:
    """One input while the batch runs."""

    index: int
    source: str
    key: str
    name: str
    report: GenerateItem
    is_url: bool = False


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _source_id(source: str) -> str:
    return source if _is_url(source) else str(Path(source).expanduser().resolve())


def _stem(source: str) -> str:
    name = source.rstrip("/").rsplit("/", 1)[-1] if _is_url(source) else Path(source).name
    return Path(name).stem or "clip"


def _display_names(sources: Sequence[str]) -> list[str]:
    """File names; where two inputs share one, enough of their paths to tell them apart."""

    def tail(source: str, parts: int) -> str:
        if _is_url(source):
            return source if parts > 1 else _stem(source)
        return "/".join(Path(source).parts[-parts:])

    names = [tail(s, 1) for s in sources]
    for parts in range(2, 64):
        counts: dict[str, int] = {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        clashes = [i for i, name in enumerate(names) if counts[name] > 1]
        if not clashes:
            break
        for i in clashes:
            names[i] = tail(sources[i], parts)
    return names


def _folder_and_single(files: Sequence[str], output: str | Path | None) -> tuple[Path, Path | None]:
    """The output folder, and the output file when ``-o`` names one (single input)."""
    out = Path(output).expanduser() if output else Path.cwd()
    if output and out.suffix.lower() == ".mp4" and not out.is_dir():
        if len(files) != 1:
            raise UsageError(
                "{next:output} names one file but several inputs were given.",
                hint="Pass a folder as {next:output} to get one clip per image.",
            )
        return out.absolute().parent, out.absolute()
    if not out.is_dir():
        raise UsageError(
            f"Output folder does not exist: {out}",
            hint="Create it first, or pass another folder as {next:output}.",
        )
    return out.absolute(), None


def _assign_outputs(
    items: list[_Item], manifest: Manifest, folder: Path, single: Path | None
) -> None:
    """Each item's clip path: the recorded one, else ``<stem>.mp4`` made unique in the folder.

    Two inputs called ``photo.jpg`` in different folders get ``photo.mp4`` and
    ``photo-2.mp4``; names recorded for other entries of the manifest are not reused.
    """
    taken = {
        str(e.get("output")).casefold()
        for e in manifest.items.values()
        if isinstance(e, dict) and e.get("output")
    }
    for item in items:
        recorded = manifest.entry(item.key).get("output")
        if single is not None:
            item.report.output = str(single)
        elif isinstance(recorded, str) and recorded:
            item.report.output = recorded
        else:
            stem, n = _stem(item.source), 1
            while True:
                candidate = folder / (f"{stem}.mp4" if n == 1 else f"{stem}-{n}.mp4")
                if str(candidate).casefold() not in taken:
                    break
                n += 1
            item.report.output = str(candidate)
        taken.add(str(item.report.output).casefold())


# --- the run ---------------------------------------------------------------------------------


class BatchRunner:
    """Runs the items of one batch on ``jobs`` threads sharing one client."""

    def __init__(
        self,
        client: NemoClient,
        items: list[_Item],
        manifest: Manifest,
        prompt: str,
        *,
        jobs: int,
        progress: Progress,
        sleep: Callable[[float], None],
        poll_schedule: tuple[float, ...],
        timings: TurnTimings,
    ) -> None:
        self.client = client
        self.items = items
        self.manifest = manifest
        self.prompt = prompt
        self.jobs = jobs
        self._progress = progress
        self.sleep = sleep
        self.poll_schedule = poll_schedule
        self.timings = timings  # the rules for an interrupted turn (conversation.py)
        self._lock = threading.Lock()
        self.queue = list(items)
        self.stopped: NemoError | None = None
        self.cancelled = False

    # --- output ------------------------------------------------------------------------
    def say(self, item: _Item, text: str, state: str | None = None) -> None:
        """One progress line for ``item`` (``[3/40] beach.jpg rendering 60%``)."""
        with self._lock:
            if state is not None:
                item.report.state = state
            self._progress(f"[{item.index}/{len(self.items)}] {item.name} {text}")

    # --- the pool ----------------------------------------------------------------------
    def run(self) -> None:
        """Work through the queue with ``jobs`` threads; Ctrl-C stops starting items."""
        threads = [
            threading.Thread(target=self._worker, name=f"batch-{n}", daemon=True)
            for n in range(min(self.jobs, len(self.queue)) or 1)
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(timeout=0.2)
        except KeyboardInterrupt:
            self.cancelled = True
            raise CancelledError(
                "Interrupted. What was done is kept in the batch manifest "
                f"{self.manifest.path}; nothing sent is lost.",
                hint="Run {next:generate} again with the same files to resume (turns already "
                "sent are not re-sent).",
            ) from None
        self._mark_not_run()

    def _next(self) -> _Item | None:
        with self._lock:
            if self.stopped is not None or self.cancelled or not self.queue:
                return None
            return self.queue.pop(0)

    def _worker(self) -> None:
        while (item := self._next()) is not None:
            started = time.monotonic()
            try:
                self._process(item)
            except NemoError as exc:
                self._failed(item, exc)
            except Exception as exc:  # a bug in one item must not take the batch down
                self._failed(item, NemoError(f"Unexpected error: {type(exc).__name__}: {exc}"))
            finally:
                item.report.seconds = time.monotonic() - started

    def _failed(self, item: _Item, exc: NemoError) -> None:
        if isinstance(exc, InsufficientCreditsError | PlanRequiredError):
            with self._lock:
                if self.stopped is None:
                    self.stopped = exc
        item.report.error = exc.to_record()
        item.report.exit_code = exc.exit_code
        self.say(item, f"failed: {exc.message}", FAILED)

    def _mark_not_run(self) -> None:
        reason = self.stopped
        for item in self.queue:
            if reason is None:
                continue
            item.report.error = {
                "code": reason.code,
                "message": f"Not started: an earlier item failed with: {reason.message}",
                "hint": reason.hint or "Fix that, then run the same command again to continue.",
                "next": reason.next,
            }
            item.report.exit_code = reason.exit_code
            self.say(item, f"not run ({reason.message})", NOT_RUN)

    # --- one item ------------------------------------------------------------------------
    def _record(self, item: _Item, **fields: Any) -> dict[str, Any]:
        return self.manifest.update(item.key, **fields)

    def _process(self, item: _Item) -> None:
        entry = self.manifest.entry(item.key)
        stage = entry.get("stage", NEW)
        item.report.session_id = entry.get("session_id")
        output = Path(str(item.report.output))
        if stage == FINISHED and output.is_file():
            item.report.path, item.report.job_id = str(output), entry.get("render_id")
            item.report.note = "done in an earlier run"
            self.say(item, f"already done: {output}", DONE)
            return
        for attempt in (1, 2):
            try:
                if stage in (NEW, UPLOADING, SESSION):
                    self._prepare(item, reuse_session=stage == SESSION)
                    stage = UPLOADED
                if stage == UPLOADED:
                    self._send_turn(item)
                break
            except SessionNotFoundError:
                # Lost before the turn was sent (nothing charged): one fresh session, said so.
                before_turn = (NEW, SESSION, UPLOADING, UPLOADED)
                if attempt == 2 or self.manifest.entry(item.key).get("stage") not in before_turn:
                    raise
                self.say(item, "the session was not found; starting a new one")
                self._record(item, stage=NEW, session_id=None)
                stage = NEW
        if stage == TURN_SENT:
            self._await_sent_turn(item, float(entry.get("turn_sent_at") or 0.0))
        self._export(item)

    def _retrying(self, call: Callable[[], Any]) -> Any:
        """``call()``, tried again after the shared pause when the backend says 429."""
        for attempt in range(1, RATE_LIMIT_TRIES + 1):
            try:
                return call()
            except RateLimitError as exc:
                if attempt == RATE_LIMIT_TRIES:
                    raise
                self.sleep(self.client.retry.delay(attempt, exc.retry_after, status=429))
        raise AssertionError("unreachable")  # pragma: no cover

    def _prepare(self, item: _Item, *, reuse_session: bool) -> None:
        """A session of its own with the image uploaded (both free: redone if interrupted)."""
        entry = self.manifest.entry(item.key)
        sid = entry.get("session_id") if reuse_session else None
        if not sid:
            self.say(item, "starting a session", "starting")
            info = self._retrying(
                lambda: self.client.create_session(language=detect_language(self.prompt))
            )
            sid = info.session_id
            self._record(
                item,
                stage=SESSION,
                session_id=sid,
                task_id=info.task_id,
                input=_source_id(item.source),
                prompt=self.prompt,
                output=item.report.output,
                render_id=None,
            )
        item.report.session_id = sid
        self.say(item, "uploading", "uploading")
        # An upload cut off half-way may or may not have landed: a re-run takes a fresh session.
        self._record(item, stage=UPLOADING)
        if item.is_url:
            self._retrying(lambda: self.client.upload_urls(str(sid), [item.source]))
        else:
            self._retrying(lambda: self.client.upload_files(str(sid), [Path(item.source)]))
        self._record(item, stage=UPLOADED)

    def _send_turn(self, item: _Item) -> None:
        """The one paid step: recorded as sent *before* it is sent, never sent twice."""
        sid = str(item.report.session_id)
        for attempt in range(1, RATE_LIMIT_TRIES + 1):
            self.say(item, "generating", "generating")
            try:
                turn = run_turn(
                    self.client,
                    sid,
                    self.prompt,
                    timings=self.timings,
                    progress=lambda line: self.say(item, line),
                    on_send=lambda: self._mark_sent(item),
                )
            except NemoError as exc:
                if unsent(exc):  # refused before any work (credits, 429, ...): may be sent later
                    if self.manifest.entry(item.key).get("stage") == TURN_SENT:
                        self._record(item, stage=UPLOADED, turn_sent_at=None)
                    if isinstance(exc, RateLimitError) and attempt < RATE_LIMIT_TRIES:
                        self.sleep(self.client.retry.delay(attempt, exc.retry_after, status=429))
                        continue
                raise
            break
        self._record(item, stage=TURN_DONE)
        if turn.question:
            raise UsageError(
                f"The backend asked a question instead of making the clip: {turn.question}",
                hint="Make the prompt more specific (e.g. add a duration and aspect ratio), "
                "then run {next:generate} again for this file with {next:fresh}.",
            )

    def _mark_sent(self, item: _Item) -> None:
        """Write-ahead, as late as possible: right before the message goes out."""
        self._record(item, stage=TURN_SENT, turn_sent_at=time.time())

    def _await_sent_turn(self, item: _Item, sent_at: float) -> None:
        """An earlier run sent the turn and was stopped: never re-send, watch the state."""
        self.say(
            item,
            "turn sent by an earlier run: not re-sending it, reading the project",
            "generating",
        )
        rules = self.timings
        looks = 0
        while True:
            if self._draft(item) is not None:
                self._record(item, stage=TURN_DONE)
                return
            if looks >= rules.recovery_polls:
                break
            due = sent_at + rules.recovery_wait_s + looks * rules.recovery_poll_s
            looks += 1
            self.say(item, f"⏳ no clip yet (check {looks} of {rules.recovery_polls})…")
            self.sleep(max(0.0, due - time.time()))  # the schedule runs from the send
        raise StreamInterruptedError(
            f"The turn sent by an earlier run left no timeline in session {item.report.session_id} "
            f"after {rules.recovery_polls} checks. It was not re-sent (that could charge twice).",
            hint=f"To make this clip again (charged again), run {{next:generate}} for "
            f"{item.source} with {{next:fresh}}.",
        )

    def _draft(self, item: _Item) -> Draft | None:
        """The session's renderable draft, or None (a lost session is an error)."""
        try:
            draft = self._retrying(lambda: self.client.state(str(item.report.session_id))).draft
        except SessionNotFoundError:
            raise
        except NemoError:
            return None
        return draft if draft is not None and draft.renderable else None

    def _export(self, item: _Item) -> None:
        """Render (resuming a recorded render id) and download; export is free.

        A render that ends ``failed`` is submitted once more under a new id
        (never a refusal: 402, 2001, other 4xx), as a single export does.
        """
        entry = self.manifest.entry(item.key)
        output = Path(str(item.report.output))
        job = self._resume_render(item, entry.get("render_id")) or self._submit(item)
        shown: list[tuple[str, int]] = []

        def update(status: Any) -> None:
            now = (str(status.status), int(status.progress))
            if not shown or shown[-1] != now:
                shown.append(now)
                self.say(item, f"rendering {now[1]}%", "rendering")

        for attempt in (1, 2):
            item.report.job_id = job.render_id
            try:
                job.wait(on_update=update, sleep=self.sleep, schedule=self.poll_schedule)
                break
            except RenderError:
                last = job.last
                retry = worth_retrying(last.status if last else None, last.error if last else None)
                if attempt == 2 or not retry:
                    self._record(item, stage=TURN_DONE, render_id=None)  # a re-run renders anew
                    raise
                self.say(item, f"render {job.render_id} failed; trying once more", "rendering")
                shown.clear()
                job = self._submit(item)
        self.say(item, "downloading", "downloading")
        job.download(output)
        self._record(item, stage=FINISHED)
        item.report.path = str(output)
        entry = self.manifest.entry(item.key)
        item.report.claim_url = claim_url_or_none(
            self.client, entry.get("task_id"), item.report.session_id
        )
        self.say(item, f"done: {output}", DONE)

    def _submit(self, item: _Item) -> ExportJob:
        """Submit the session's draft under a new render id, recorded before submitting."""
        draft = self._draft(item)
        if draft is None:
            raise RenderError(
                f"Session {item.report.session_id} has no timeline to render.",
                hint="Run {next:generate} for this file with {next:fresh} to make it again.",
            )
        render_id = new_render_id()
        self._record(item, stage=RENDER_SUBMITTED, render_id=render_id)  # before submitting
        try:
            job: ExportJob = self._retrying(
                lambda: submit(
                    self.client, str(item.report.session_id), draft.to_wire(), render_id=render_id
                )
            )
        except APIError:  # refused (402, 4xx): nothing runs under this id
            self._record(item, stage=TURN_DONE, render_id=None)
            raise
        return job

    def _resume_render(self, item: _Item, render_id: Any) -> ExportJob | None:
        """The recorded render if the backend knows it and it can still finish."""
        if not isinstance(render_id, str) or not render_id:
            return None
        job = ExportJob(self.client, render_id)
        try:
            status = job.reload()
        except APIError as exc:
            if exc.status == 404 or exc.code in (404, 1002):
                # Recorded but it never arrived: render anew (export is free).
                self._record(item, stage=TURN_DONE, render_id=None)
                return None
            raise
        if status.status in ("failed", "cancelled"):
            self._record(item, stage=TURN_DONE, render_id=None)
            return None
        self.say(item, f"resuming render {render_id}", "rendering")
        return job


def run_batch(
    client: NemoClient,
    files: Sequence[str | Path],
    prompt: str,
    *,
    output: str | Path | None = None,
    force: bool = False,
    jobs: int | None = None,
    fresh: bool = False,
    progress: Progress = lambda line: None,
    sleep: Callable[[float], None] = time.sleep,
    poll_schedule: tuple[float, ...] = POLL_SCHEDULE,
    timings: TurnTimings | None = None,
) -> BatchReport:
    """Make one clip per input; see the module docstring for the rules."""
    sources = [str(f) for f in files]
    if not sources:
        raise UsageError("No input files.", hint="Pass one or more images as {next:files}.")
    if not prompt.strip():
        raise UsageError("The prompt is empty.", hint="Say what to make, or leave it out.")
    jobs = check_jobs(jobs if jobs is not None else default_jobs(client))
    folder, single = _folder_and_single(sources, output)
    scope = client.settings.store_key
    unique: list[str] = []
    for source in sources:  # the same input twice is one item
        if source not in unique and _source_id(source) not in map(_source_id, unique):
            unique.append(source)
    names = _display_names(unique)
    items = [
        _Item(
            n,
            src,
            item_key(scope, _source_id(src), prompt),
            name,
            GenerateItem(input=src),
            is_url=_is_url(src),
        )
        for n, (src, name) in enumerate(zip(unique, names, strict=True), start=1)
    ]
    with _exclusive(folder):
        manifest = Manifest.load(folder)
        ours = {
            str(manifest.entry(i.key).get("output"))
            for i in items
            if manifest.entry(i.key).get("output")
        }
        if fresh:
            manifest.forget([i.key for i in items])
        _assign_outputs(items, manifest, folder, single)
        _sweep_leftovers(folder, items)
        runner = BatchRunner(
            client,
            items,
            manifest,
            prompt,
            jobs=jobs,
            progress=progress,
            sleep=sleep,
            poll_schedule=poll_schedule,
            timings=timings or TurnTimings(sleep=sleep),
        )
        runner.queue = _check_inputs(runner, force=force, ours=ours)
        if runner.queue:
            client.authenticate()  # once, before the threads: they share the token
        progress(
            f"{len(items)} item(s), {len(runner.queue)} to do, {jobs} at a time; "
            f"progress kept in {manifest.path}"
        )
        runner.run()
    return BatchReport([i.report for i in items], str(manifest.path), jobs, client.limiter.pauses)


def _sweep_leftovers(folder: Path, items: list[_Item]) -> None:
    """Remove what a killed run left half-written: manifest temps, this batch's partial clips.

    Safe under the folder lock: no other batch is writing here, and the partial
    downloads swept are named after this batch's own outputs.
    """
    patterns = [f"{glob.escape(MANIFEST_NAME)}.*.tmp"]
    patterns += [f".{glob.escape(Path(str(i.report.output)).name)}.*.part" for i in items]
    for pattern in patterns:
        for path in folder.glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()


def _check_inputs(runner: BatchRunner, *, force: bool, ours: set[str]) -> list[_Item]:
    """Refuse unsafe outputs before anything is spent; bad files fail alone, up front."""
    runnable: list[_Item] = []
    for item in runner.items:
        entry = runner.manifest.entry(item.key)
        out = str(item.report.output)
        finished = entry.get("stage") == FINISHED and Path(out).is_file()
        if not finished:
            # Our own clip from an earlier run of this batch may be replaced; anything else not.
            resolve_output(out, "clip", force=force or out in ours or entry.get("output") == out)
        runnable.append(item)
    for item in list(runnable):
        if not item.is_url and runner.manifest.entry(item.key).get("stage", NEW) == NEW:
            try:
                check_upload(Path(item.source))
            except NemoError as exc:
                runnable.remove(item)
                item.report.exit_code = exc.exit_code
                item.report.error = exc.to_record()
                runner.say(item, f"failed: {exc.message}", FAILED)
    return runnable


__all__ = [
    "BatchReport",
    "GenerateItem",
    "Manifest",
    "check_jobs",
    "default_jobs",
    "run_batch",
]
