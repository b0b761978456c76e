"""Per-workspace project memory: which session a directory (or ``--session NAME``) continues.

Consecutive commands from the same directory continue the same backend
session; ``nemo-skill new`` forgets it. The pending export (render id, output,
draft digest) is kept here too, written *before* the render is submitted, so a
killed process can resume: :class:`WorkspaceJournal` is the exporter's journal.
Records live in ``sessions.json`` in the private state dir, keyed by API base
then by workspace, and are updated under an advisory lock (two commands in
parallel lose no write).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from nemo_skill.config import StateStore
from nemo_skill.exporter import Pending
from nemo_skill.second_stage import Generation
from nemo_skill.storage import locked

SECTION = "sessions"


@dataclass
class Workspace:
    """What the skill remembers about one project."""

    key: str
    session_id: str | None = None
    task_id: str | None = None
    user_id: str | None = None
    language: str | None = None
    # The export in flight (see nemo_skill.exporter): saved before its submit leaves.
    render_id: str | None = None
    render_out: str | None = None
    render_digest: str | None = None
    render_retry_of: str | None = None
    # The last generation turn (for the second-stage wait): when its stream closed, the draft.
    generated_at: str | None = None
    # For `nemo-skill projects` (ISO-8601 UTC times; the last message is shortened).
    created: str | None = None
    last_activity: str | None = None
    last_message: str | None = None
    last_export: str | None = None

    @classmethod
    def from_dict(cls, key: str, data: dict[str, Any]) -> Workspace:
        """Read a stored record, ignoring unknown or mistyped fields."""
        known = {f.name for f in fields(cls)} - {"key"}
        values = {k: v for k, v in data.items() if k in known and isinstance(v, str)}
        return cls(key=key, **values)

    def to_dict(self) -> dict[str, Any]:
        """The stored record (``key`` is the dict key, not a field)."""
        data = asdict(self)
        data.pop("key")
        return {k: v for k, v in data.items() if v is not None}


def workspace_key(session_name: str | None = None, cwd: Path | None = None) -> str:
    """``name:<NAME>`` for ``--session NAME``, else ``dir:<absolute cwd>``."""
    if session_name:
        return f"name:{session_name}"
    return f"dir:{(cwd or Path.cwd()).resolve()}"


class Workspaces:
    """Load and save :class:`Workspace` records for one API base."""

    def __init__(self, store: StateStore, api_url: str) -> None:
        self.store = store
        self.api_url = api_url

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return locked(self.store.dir / f".{SECTION}.lock")

    def load(self, key: str) -> Workspace:
        """The record for ``key`` (an empty one if none)."""
        records = self.store.load_section(SECTION).get(self.api_url, {})
        entry = records.get(key) if isinstance(records, dict) else None
        return Workspace.from_dict(key, entry if isinstance(entry, dict) else {})

    def _mutate(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Apply ``change`` to this API's records under the lock and store them."""
        with self._locked():
            data = self.store.load_section(SECTION)
            records = data.get(self.api_url)
            if not isinstance(records, dict):
                records = {}
            change(records)
            data[self.api_url] = records
            self.store.save_section(SECTION, data)

    def save(self, workspace: Workspace) -> None:
        """Store ``workspace`` atomically under the lock."""
        self._mutate(lambda records: records.__setitem__(workspace.key, workspace.to_dict()))

    def update(self, key: str, **changes: str | None) -> Workspace:
        """Change some fields of the record of ``key`` (under the lock) and return it."""
        result: list[Workspace] = []

        def change(records: dict[str, Any]) -> None:
            entry = records.get(key)
            workspace = Workspace.from_dict(key, entry if isinstance(entry, dict) else {})
            for name, value in changes.items():
                setattr(workspace, name, value)
            records[key] = workspace.to_dict()
            result.append(workspace)

        self._mutate(change)
        return result[0]

    def everything(self) -> list[tuple[str, Workspace]]:
        """Every stored record on this machine, of every API base: ``(api base, record)``."""
        data = self.store.load_section(SECTION)
        return [
            (api, Workspace.from_dict(key, entry))
            for api, records in data.items()
            if isinstance(records, dict)
            for key, entry in records.items()
            if isinstance(entry, dict)
        ]

    def clear(self, key: str) -> None:
        """Forget the project of ``key``."""
        self._mutate(lambda records: records.pop(key, None))


PENDING_FIELDS = ("render_id", "render_out", "render_digest", "render_retry_of")


class WorkspaceJournal:
    """The exporter's :class:`~nemo_skill.exporter.Journal` in one workspace record."""

    def __init__(self, workspaces: Workspaces, key: str) -> None:
        self.workspaces = workspaces
        self.key = key

    def pending(self) -> Pending | None:
        """The render in flight, if any."""
        record = self.workspaces.load(self.key)
        if not record.render_id:
            return None
        return Pending(record.render_id, record.render_out, record.render_digest,
                       record.render_retry_of)  # fmt: skip

    def submitting(self, pending: Pending) -> None:
        """Save ``pending`` (under the store's lock, atomically) before its submit leaves."""
        self.workspaces.update(self.key, render_id=pending.render_id, render_out=pending.output,
                               render_digest=pending.digest,
                               render_retry_of=pending.retry_of)  # fmt: skip

    def settle(self, *, delivered: bool) -> None:
        """Forget the render (delivered or ended for good)."""
        self.workspaces.update(self.key, **dict.fromkeys(PENDING_FIELDS))

    def generation(self) -> Generation | None:
        """The last generation turn's end, if recorded."""
        record = self.workspaces.load(self.key)
        try:
            ended = float(record.generated_at or "")
        except ValueError:
            return None
        return Generation(ended)

    def generated(self, generation: Generation) -> None:
        """Record that a generation turn's stream closed, and when."""
        self.workspaces.update(self.key, generated_at=repr(generation.ended_at))
