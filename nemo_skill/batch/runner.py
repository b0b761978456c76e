"""The batch's pool: ``jobs`` worker threads over the queue, and when to stop starting items.

One failure does not stop the others. Out of credits (2001) or an export the
plan does not allow (402) stops starting new items (they would fail the same
way) while the items in flight finish; the items that did not run say why.
Ctrl-C stops starting items; what was done stays in the progress file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from nemo_skill.batch.inputs import (
    Item,
    assign_outputs,
    check_inputs,
    folder_and_single,
    plan_items,
    sweep_leftovers,
)
from nemo_skill.batch.item import ItemSteps
from nemo_skill.batch.jobs import check_jobs, default_jobs
from nemo_skill.batch.progress import ProgressFile, exclusive
from nemo_skill.batch.report import FAILED, NOT_RUN, BatchReport
from nemo_skill.client import NemoClient
from nemo_skill.conversation import TurnTimings
from nemo_skill.errors import (
    CancelledError,
    InsufficientCreditsError,
    NemoError,
    PlanRequiredError,
    UsageError,
)
from nemo_skill.render import POLL_SCHEDULE

Progress = Callable[[str], None]


class BatchRunner:
    """Runs the items of one batch on ``jobs`` threads sharing one client."""

    def __init__(
        self, items: list[Item], steps: ItemSteps, progress_path: Path, *, jobs: int,
        progress: Progress,
    ) -> None:  # fmt: skip
        self.items = items
        self.steps = steps
        self.progress_path = progress_path
        self.jobs = jobs
        self._progress = progress
        self._lock = threading.Lock()
        self.queue = list(items)
        self.stopped: NemoError | None = None
        self.cancelled = False

    def say(self, item: Item, text: str, state: str | None = None) -> None:
        """One progress line for ``item`` (``[3/40] beach.jpg rendering 60%``)."""
        with self._lock:
            if state is not None:
                item.report.state = state
            self._progress(f"[{item.index}/{len(self.items)}] {item.name} {text}")

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
                "Interrupted. What was done is kept in the batch progress file "
                f"{self.progress_path}; nothing sent is lost.",
                hint="Run {next:generate} again with the same files to resume (turns already "
                "sent are not re-sent).",
            ) from None
        self._mark_not_run()

    def _next(self) -> Item | None:
        with self._lock:
            if self.stopped is not None or self.cancelled or not self.queue:
                return None
            return self.queue.pop(0)

    def _worker(self) -> None:
        while (item := self._next()) is not None:
            started = time.monotonic()
            try:
                self.steps.process(item)
            except NemoError as exc:
                self._failed(item, exc)
            except Exception as exc:  # a bug in one item must not take the batch down
                self._failed(item, NemoError(f"Unexpected error: {type(exc).__name__}: {exc}"))
            finally:
                item.report.seconds = time.monotonic() - started

    def _failed(self, item: Item, exc: NemoError) -> None:
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
    """Make one clip per input; see :mod:`nemo_skill.batch` for the rules."""
    sources = [str(f) for f in files]
    if not sources:
        raise UsageError("No input files.", hint="Pass one or more images as {next:files}.")
    if not prompt.strip():
        raise UsageError("The prompt is empty.", hint="Say what to make, or leave it out.")
    jobs = check_jobs(jobs if jobs is not None else default_jobs(client))
    folder, single = folder_and_single(sources, output)
    # Announced once the inputs and the folder are known to be usable, never before a refusal.
    progress(f"Generating {len(sources)} clip(s): this may take a few minutes.")
    items = plan_items(sources, client.settings.store_key, prompt)
    with exclusive(folder):
        record = ProgressFile.load(folder)
        ours = {str(record.entry(i.key).get("output")) for i in items
                if record.entry(i.key).get("output")}  # fmt: skip
        if fresh:
            record.forget([i.key for i in items])
        assign_outputs(items, record, folder, single)
        sweep_leftovers(folder, items)
        runner: BatchRunner | None = None

        def say(item: Item, text: str, state: str | None) -> None:
            assert runner is not None
            runner.say(item, text, state)

        steps = ItemSteps(client, record, prompt, say, sleep=sleep, poll_schedule=poll_schedule,
                          timings=timings or TurnTimings(sleep=sleep))  # fmt: skip
        runner = BatchRunner(items, steps, record.path, jobs=jobs, progress=progress)
        runner.queue = check_inputs(items, record, say, force=force, ours=ours)
        if runner.queue:
            client.authenticate()  # once, before the threads: they share the token
        progress(
            f"{len(items)} item(s), {len(runner.queue)} to do, {jobs} at a time; "
            f"progress kept in {record.path}"
        )
        runner.run()
    return BatchReport([i.report for i in items], str(record.path), jobs, client.limiter.pauses)
