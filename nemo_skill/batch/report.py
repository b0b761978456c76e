"""What a batch reports: each item's outcome and the whole batch's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from nemo_skill.errors import API_STEPS, Next, word_error

# What an item is doing, as reported (progress lines, summary, JSON).
QUEUED: Final = "queued"
DONE: Final = "done"
FAILED: Final = "failed"
NOT_RUN: Final = "not_run"


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
    manifest: str  # the progress file's path (the JSON key predates the rename)
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
