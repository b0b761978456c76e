"""Idempotent turns: one message, sent once, whatever the caller retries.

A turn is keyed by a caller-supplied id (``chat --turn-id KEY``, the MCP
``chat`` tool). :meth:`TurnStore.begin` creates the record atomically (a fully
written file hard-linked into place, which fails if it exists), so two
processes racing with the same id send the message once; the loser reads the
winner's record. Records are 0600 JSON files under ``<state dir>/turns/`` and
are pruned after 7 days.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from nemo_skill.config import ensure_private_dir, read_json, write_json

MAX_AGE_S = 7 * 24 * 3600.0
RUNNING, AWAITING, STOPPED, FAILED = "running", "awaiting_input", "stopped", "failed"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TurnStore:
    """Turn records on disk."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir) / "turns"

    def path(self, turn_id: str) -> Path:
        """The record file of ``turn_id`` (hashed: ids are never used as paths)."""
        return self.dir / f"{hashlib.sha256(turn_id.encode()).hexdigest()[:32]}.json"

    def begin(self, turn_id: str, **fields: Any) -> tuple[dict[str, Any], bool]:
        """Create the turn as ``running``; ``(existing record, False)`` if it exists."""
        ensure_private_dir(self.dir)
        self.prune()
        now = time.time()
        record = {
            "turn_id": turn_id,
            "turn_state": RUNNING,
            "messages": [],
            "changes": [],
            "question": None,
            "options": [],
            "progress": [],
            "error": None,
            "result": None,
            "created": now,
            "updated": now,
            "pid": os.getpid(),
            **fields,
        }
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".turn.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh)
            os.link(tmp, self.path(turn_id))
        except FileExistsError:
            existing = self.load(turn_id)
            return (existing if existing is not None else record), False
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return record, True

    def load(self, turn_id: str) -> dict[str, Any] | None:
        """The record, with a dead owner's ``running`` turn reported as failed."""
        record = read_json(self.path(turn_id))
        if not record:
            return None
        pid = record.get("pid")
        orphaned = isinstance(pid, int) and pid != os.getpid() and not _alive(pid)
        if record.get("turn_state") == RUNNING and orphaned:
            record["turn_state"] = FAILED
            record["error"] = {
                "code": "turn_interrupted",
                "message": "The process running this turn stopped before it finished.",
                "hint": "The message was not re-sent. Check `nemo-skill state` for changes.",
            }
        return record

    def update(self, turn_id: str, **fields: Any) -> dict[str, Any]:
        """Merge ``fields`` into the record and store it atomically."""
        record = read_json(self.path(turn_id))
        record.update(fields, updated=time.time())
        write_json(self.path(turn_id), record)
        return record

    def prune(self, max_age_s: float = MAX_AGE_S) -> int:
        """Delete records older than ``max_age_s``."""
        if not self.dir.is_dir():
            return 0
        cutoff = time.time() - max_age_s
        removed = 0
        for path in self.dir.glob("*.json"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed


def finished_fields(result: dict[str, Any]) -> dict[str, Any]:
    """Record fields for a finished chat result (``ChatResult.to_dict()``)."""
    state = AWAITING if result.get("question") else STOPPED
    return {
        "turn_state": state,
        "messages": result.get("messages", []),
        "changes": result.get("changes", []),
        "question": result.get("question"),
        "options": result.get("options", []),
        "result": result,
    }
