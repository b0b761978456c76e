"""Export: submit a render, poll it with backoff, cancel it, download the MP4.

A render is an :class:`ExportJob` with ``reload()``, ``wait()`` and
``cancel()``. Its id is chosen by the client (``render_<ms>_<hex>``) and persisted
*before* submission, so ``export --resume`` after a crash finds the same job
and never starts a second one; resubmitting the same id is safe because the
backend keys jobs by id and export costs no credits.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.errors import CancelledError, Next, RenderError, RequestTimeoutError
from nemo_skill.models import RenderJob

if TYPE_CHECKING:
    from nemo_skill.client import NemoClient

# Poll after 2 s, then grow to the documented 30 s.
POLL_SCHEDULE: tuple[float, ...] = (2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0)
DEFAULT_DEADLINE_S = 30 * 60.0


def poll_intervals(schedule: tuple[float, ...] = POLL_SCHEDULE) -> Iterator[float]:
    """The wait before each status poll: the schedule, then its last value forever."""
    yield from schedule
    while True:
        yield schedule[-1]


@dataclass
class ExportJob:
    """One render job on the backend."""

    client: NemoClient
    render_id: str
    last: RenderJob | None = None

    def reload(self) -> RenderJob:
        """Fetch the job's current status."""
        self.last = self.client.render_status(self.render_id)
        return self.last

    def cancel(self) -> RenderJob:
        """Ask the backend to stop the render."""
        self.last = self.client.cancel_render(self.render_id)
        return self.last

    def wait(
        self,
        *,
        on_update: Callable[[RenderJob], None] = lambda job: None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        deadline_s: float = DEFAULT_DEADLINE_S,
        schedule: tuple[float, ...] = POLL_SCHEDULE,
    ) -> RenderJob:
        """Poll until the job completes; raise :class:`RenderError` if it fails.

        Ctrl-C during the wait asks the backend to cancel, then raises
        :class:`CancelledError`.
        """
        start = clock()
        job = self.last or self.reload()
        waits = poll_intervals(schedule)
        try:
            while not job.done:
                on_update(job)
                if clock() - start > deadline_s:
                    raise RequestTimeoutError(
                        f"Render {self.render_id} is still {job.status} after "
                        f"{int(deadline_s // 60)} minutes.",
                        hint="Run {next} later to pick it up.",
                        next=Next.EXPORT_RESUME,
                    )
                sleep(next(waits))
                job = self.reload()
        except KeyboardInterrupt:
            self._cancel_quietly()
            raise CancelledError(
                f"Export interrupted; asked the backend to cancel render {self.render_id}.",
                hint="Run {next} to start a new render.",
                next=Next.EXPORT,
            ) from None
        on_update(job)
        if job.status != "completed":
            raise RenderError(
                f"Render {self.render_id} {job.status}" + (f": {job.error}" if job.error else "."),
                code="render_cancelled" if job.status == "cancelled" else "render_failed",
            )
        return job

    def _cancel_quietly(self) -> None:
        with contextlib.suppress(Exception):  # best effort while the user is leaving
            self.cancel()

    def download(self, dest: Path, *, progress: Callable[[int, int], None] | None = None) -> Path:
        """Stream the finished MP4 to ``dest`` (temp file, then rename)."""
        job = self.last if self.last is not None and self.last.done else self.reload()
        if job.status != "completed":
            raise RenderError(f"Render {self.render_id} is {job.status}, not completed.")
        return self.client.download_render(job, dest, progress=progress)


def submit(
    client: NemoClient, session_id: str, draft: Mapping[str, Any], *, render_id: str
) -> ExportJob:
    """Submit ``draft`` for rendering under ``render_id``."""
    job = client.submit_render(session_id, draft, render_id=render_id)
    return ExportJob(client, job.id or render_id, last=job)
