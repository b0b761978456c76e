"""Render jobs behind an interface: a bounded in-process worker pool today.

:class:`RenderQueue` is what the app talks to; :class:`LocalRenderQueue` runs
jobs on a fixed number of threads (two renders at once on two cores only
double each one's time). Another implementation (a Ray or Celery pool) would
read the same job records and change no endpoint.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from nemo_skill.errors import NemoError
from nemo_skill.local.store import Job, Store
from nemo_skill.storage import disk_full_message, is_disk_full

Resolver = Callable[[str, str], Path]  # (user_id, src) -> path


class RenderQueue(Protocol):
    """What the backend needs from a render pool."""

    def submit(self, job_id: str) -> None:
        """Queue a job already recorded as ``pending``."""

    def cancel(self, job_id: str) -> bool:
        """Stop a job; False when it is no longer running or queued."""

    def shutdown(self) -> None:
        """Stop taking jobs and cancel the running ones."""


class LocalRenderQueue:
    """A bounded thread pool rendering with the CPU engine."""

    def __init__(self, store: Store, resolver: Resolver, *, workers: int = 1) -> None:
        self.store = store
        self.resolver = resolver
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="render")
        self._cancels: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.running = 0
        self.peak_running = 0

    def submit(self, job_id: str) -> None:
        """Queue ``job_id``."""
        with self._lock:
            self._cancels[job_id] = threading.Event()
        self._pool.submit(self._run, job_id)

    def busy(self) -> bool:
        """True while a job is queued or rendering (the service does not idle-stop then)."""
        with self._lock:
            return bool(self._cancels)

    def cancel(self, job_id: str) -> bool:
        """Signal the job; the encoder stops at the next frame."""
        with self._lock:
            event = self._cancels.get(job_id)
        if event is None:
            return False
        event.set()
        return True

    def shutdown(self) -> None:
        """Cancel everything and wait for the workers."""
        with self._lock:
            events = list(self._cancels.values())
        for event in events:
            event.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job_id: str) -> None:
        with self._lock:
            cancel = self._cancels.get(job_id) or threading.Event()
            self.running += 1
            self.peak_running = max(self.peak_running, self.running)
        try:
            self._render(job_id, cancel)
        finally:
            with self._lock:
                self.running -= 1
                self._cancels.pop(job_id, None)

    def _render(self, job_id: str, cancel: threading.Event) -> None:
        from nemo_skill.local.engine import render_draft

        job = self.store.job(job_id)
        if job is None or job.status != "pending":
            return
        if cancel.is_set():
            self.store.update_job(job_id, status="cancelled", completed=time.time())
            return
        self.store.update_job(job_id, status="processing", progress=1)
        out = self.store.dir / "renders" / f"{_safe(job_id)}.mp4"  # unique per id, never a path
        last = [0.0]

        def progress(fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] > 0.25:
                last[0] = now
                self.store.update_job(job_id, progress=round(1 + fraction * 98, 1))

        try:
            render_draft(
                job.draft,
                out,
                resolve_source=lambda src: self.resolver(job.user_id, src),
                progress=progress,
                cancel=cancel,
            )
        except Exception as exc:  # a failed job is a record, never a dead worker
            self._fail(job, exc, out.parent)
            return
        out.chmod(0o600)  # renders are the user's work: owner-only like every state file
        self.store.update_job(
            job_id, status="completed", progress=100, output=str(out), completed=time.time()
        )

    def _fail(self, job: Job, exc: Exception, folder: Path) -> None:
        """Record why the job ended: the engine's words, or a full disk naming the folder."""
        status = "failed"
        if is_disk_full(exc):
            error = disk_full_message(folder, "to write the video")
        elif isinstance(exc, NemoError):
            status = "cancelled" if exc.code == "cancelled" else "failed"
            error = self._named(job.user_id, exc.message)
        else:  # a bug: the details stay in the server log
            error = f"render failed ({type(exc).__name__})"
        self.store.update_job(job.id, status=status, error=error, completed=time.time())

    def _named(self, user_id: str, message: str) -> str:
        """``message`` with the files the engine read (stored by content hash) named as
        the user uploaded them: an error never names an internal hash."""

        def name(match: re.Match[str]) -> str:
            record = self.store.user_file(user_id, match.group(1))
            return record.name if record is not None else "an uploaded file"

        return _STORED_NAME.sub(name, message)


_STORED_NAME = re.compile(r"\b([0-9a-f]{64})(?:\.[A-Za-z0-9]{1,8})?\b")


def _safe(job_id: str) -> str:
    """A file name for a job id (ids come from clients: never trust them as paths)."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in job_id)[:80]
    return f"{cleaned or 'job'}-{hashlib.sha256(job_id.encode()).hexdigest()[:10]}"
