"""Batch generation: many images at once, resumable, each turn charged once.

``run_batch`` turns each input into a clip in its own backend session
(upload → one generation turn → render → download) on a pool of ``jobs``
worker threads, so one item's render wait never holds the others.

Nothing is charged twice. A small progress file beside the outputs
(``.nemo-batch.json``, 0600, written atomically) records each item's stage,
and the risky steps are recorded *before* they happen (write-ahead): "turn
sent" before the message goes out, the render id before the render is
submitted. Running the same command again therefore skips finished items,
follows renders by their ids, and never re-sends a turn that may have been
sent: it reads the session's state and exports once the draft is ready (the
rules for an interrupted turn: an immediate look, then 30 s after sending,
then every 60 s, five looks in all). ``fresh=True`` forgets the recorded
progress of the given inputs.

One backoff for all: the workers share one client, whose
:class:`~nemo_skill.limiter.Limiter` holds every request while a 429's
advised wait runs.

The modules, one job each:

- :mod:`.report`: what a batch reports (``GenerateItem``, ``BatchReport``);
- :mod:`.progress`: the progress file, its folder lock, the exporter's journal per item;
- :mod:`.inputs`: inputs, output names, up-front checks, leftovers of a killed run;
- :mod:`.item`: one item's steps (session, upload, the paid turn, the export);
- :mod:`.jobs`: how many items run at once;
- :mod:`.runner`: the worker pool and ``run_batch``.
"""

from __future__ import annotations

from nemo_skill.batch.jobs import CLOUD_JOBS, MAX_JOBS, check_jobs, default_jobs
from nemo_skill.batch.progress import PROGRESS_NAME, ProgressFile, item_key
from nemo_skill.batch.report import BatchReport, GenerateItem
from nemo_skill.batch.runner import run_batch

__all__ = [
    "CLOUD_JOBS",
    "MAX_JOBS",
    "PROGRESS_NAME",
    "BatchReport",
    "GenerateItem",
    "ProgressFile",
    "check_jobs",
    "default_jobs",
    "item_key",
    "run_batch",
]
