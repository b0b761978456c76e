"""What every endpoint of the embedded backend shares: its knobs and its state."""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from nemo_skill.errors import MAX_UPLOAD_BYTES
from nemo_skill.local.jobs import LocalRenderQueue
from nemo_skill.local.store import Store


@dataclass
class LocalConfig:
    """Knobs of the embedded backend (defaults follow the real service)."""

    credits_new_user: int = 100
    cost_generate: int = 100
    cost_edit: int = 50
    silent_edit_fraction: float = 0.3
    render_workers: int = max(1, (os.cpu_count() or 2) // 2)
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    token_ttl_s: float = 7 * 24 * 3600.0
    claim_ttl_s: float = 7 * 24 * 3600.0
    heartbeat_interval_s: float = 0.5
    default_long_side: int = 1920
    block_free_export: bool = False
    allowed_url_dirs: tuple[Path, ...] = ()
    seed: int | None = None


class Activity:
    """In-flight requests and the time of the last one (what keeps the service awake)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.inflight = 0
        self.last = time.monotonic()

    def idle_for(self) -> float:
        """Seconds since the last request ended; 0 while one runs (an SSE turn included)."""
        with self._lock:
            return 0.0 if self.inflight else time.monotonic() - self.last

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """``app`` counting its HTTP requests (a ``?peek=1`` status look does not count)."""

        async def tracked(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or b"peek=1" in scope.get("query_string", b""):
                await app(scope, receive, send)
                return
            with self._lock:
                self.inflight += 1
            try:
                await app(scope, receive, send)
            finally:
                with self._lock:
                    self.inflight -= 1
                    self.last = time.monotonic()

        return tracked


@dataclass
class Backend:
    """Everything the endpoints share (``app.state.backend``)."""

    store: Store
    config: LocalConfig
    queue: LocalRenderQueue
    rng: random.Random
    activity: Activity = field(default_factory=Activity)

    def busy(self) -> bool:
        """True while a request (a streamed turn included), a turn or a render runs."""
        return bool(self.activity.inflight) or self.store.owns_turns() or self.queue.busy()
