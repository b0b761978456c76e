"""The embedded backend: every endpoint of the NemoVideo contract, offline.

Same paths, envelopes, error codes and ``/run_sse`` stream as the real
service, backed by SQLite (:mod:`.store`), a rule-based agent (:mod:`.agent`)
and the CPU render engine behind a bounded queue (:mod:`.jobs`). This module
only assembles the app; the endpoints live in :mod:`.routes` (one module per
resource), the HTTP plumbing in :mod:`.http`, uploads in :mod:`.uploads` and
the per-session turn slot in :mod:`.turnslot`.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from nemo_skill.local.backend import Backend, LocalConfig
from nemo_skill.local.http import BackendError, on_backend_error, on_crash, on_not_found
from nemo_skill.local.jobs import LocalRenderQueue
from nemo_skill.local.routes import auth, claim, credits, render, sessions, state, turns, uploads
from nemo_skill.local.store import Store
from nemo_skill.local.uploads import source_resolver

__all__ = ["LocalConfig", "close_app", "create_app"]


def create_app(data_dir: Path, *, config: LocalConfig | None = None) -> Starlette:
    """The backend app over ``data_dir`` (created if missing)."""
    config = config or LocalConfig()
    store = Store(Path(data_dir))
    # What a killed process left behind: unfinished renders, temp files, turn holds.
    store.fail_interrupted_jobs()
    store.sweep_partial_files()
    store.release_interrupted_holds()
    backend = Backend(
        store,
        config,
        LocalRenderQueue(store, lambda u, s: Path(), workers=config.render_workers),
        random.Random(config.seed),  # noqa: S311 - simulation, not security
    )
    backend.queue.resolver = source_resolver(backend)
    routes = [
        *auth.ROUTES,
        *sessions.ROUTES,
        *turns.ROUTES,
        *uploads.ROUTES,
        *credits.ROUTES,
        *state.ROUTES,
        *render.ROUTES,
        *claim.ROUTES,
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        BackendError: on_backend_error,
        404: on_not_found,
        405: on_not_found,
        Exception: on_crash,
    }
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.backend = backend
    return app


def close_app(app: Starlette) -> None:
    """Stop the render workers and close the database."""
    backend: Backend = app.state.backend
    backend.queue.shutdown()
    backend.store.close()
