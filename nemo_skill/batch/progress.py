"""The batch's progress file (``.nemo-batch.json`` beside the outputs) and its folder lock.

Each item's entry records its stage, and the risky steps are recorded
*before* they happen (write-ahead): "turn sent" before the message goes out,
the render id before the render is submitted. The file is 0600 and rewritten
atomically on every change; :class:`ItemJournal` is the exporter's journal
over one item's entry. One batch at a time writes into a folder
(:func:`exclusive`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from nemo_skill.errors import UsageError
from nemo_skill.exporter import Pending
from nemo_skill.second_stage import Generation
from nemo_skill.storage import write_atomic

PROGRESS_NAME: Final = ".nemo-batch.json"
PROGRESS_VERSION: Final = 1

# Where an item is, as recorded (each step's outcome, or intent for risky ones).
NEW, SESSION, UPLOADING, UPLOADED = "new", "session", "uploading", "uploaded"
TURN_SENT, TURN_DONE, RENDER_SUBMITTED, FINISHED = "turn_sent", "turn_done", "rendering", "done"
BEFORE_TURN: Final = (NEW, SESSION, UPLOADING, UPLOADED)


def item_key(scope: str, source: str, prompt: str) -> str:
    """The progress-file key of one input: backend, absolute path (or URL), prompt."""
    raw = json.dumps([scope, source, prompt], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class ProgressFile:
    """The batch's progress beside its outputs, rewritten atomically on every change."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path) -> ProgressFile:
        """The progress file in ``folder`` (empty if none); an unreadable one is refused."""
        path = folder / PROGRESS_NAME
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, {"version": PROGRESS_VERSION, "items": {}})
        except OSError as exc:
            raise UsageError(
                f"Cannot read the batch progress file {path} ({exc.strerror})."
            ) from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
                raise ValueError("not a progress file")
        except ValueError:
            raise UsageError(
                f"The batch progress file {path} is not readable JSON, so finished and "
                "in-flight items cannot be told apart (re-sending could charge twice).",
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
        write_atomic(self.path, raw, prefix=f"{PROGRESS_NAME}.", sync_dir=True)


class ItemJournal:
    """The exporter's :class:`~nemo_skill.exporter.Journal` in one item's entry."""

    def __init__(self, progress: ProgressFile, key: str) -> None:
        self.progress = progress
        self.key = key

    def pending(self) -> Pending | None:
        """The item's render in flight, if any."""
        entry = self.progress.entry(self.key)
        render_id = entry.get("render_id")
        if entry.get("stage") != RENDER_SUBMITTED or not isinstance(render_id, str):
            return None
        return Pending(render_id, entry.get("output"), entry.get("render_digest"),
                       entry.get("render_retry_of"))  # fmt: skip

    def submitting(self, pending: Pending) -> None:
        """Record the render (stage ``rendering``) before its submit leaves."""
        output = {"output": pending.output} if pending.output else {}  # else the item's own
        self.progress.update(self.key, stage=RENDER_SUBMITTED, render_id=pending.render_id,
                             render_digest=pending.digest, render_retry_of=pending.retry_of,
                             **output)  # fmt: skip

    def settle(self, *, delivered: bool) -> None:
        """Delivered: the item is done. Else a re-run renders anew (the turn stays done)."""
        if delivered:
            self.progress.update(self.key, stage=FINISHED)
        else:
            self.progress.update(self.key, stage=TURN_DONE, render_id=None, render_digest=None,
                                 render_retry_of=None)  # fmt: skip

    def generation(self) -> Generation | None:
        """When the item's generation turn ended (None if not recorded)."""
        ended = self.progress.entry(self.key).get("turn_done_at")
        return Generation(float(ended)) if isinstance(ended, int | float) else None

    def generated(self, generation: Generation) -> None:
        """Record the end of the item's generation turn."""
        self.progress.update(self.key, stage=TURN_DONE, turn_done_at=generation.ended_at)


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
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
