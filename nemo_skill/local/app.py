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
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from nemo_skill.local.backend import Backend, LocalConfig
from nemo_skill.local.http import BackendError, on_backend_error, on_crash, on_not_found
from nemo_skill.local.jobs import LocalRenderQueue
from nemo_skill.local.routes import (
    auth,
    claim,
    credits,
    render,
    service,
    sessions,
    state,
    turns,
    uploads,
)
from nemo_skill.local.store import Store
from nemo_skill.local.uploads import source_resolver

__all__ = ["LocalConfig", "close_app", "create_app"]


def create_app(data_dir: Path, *, config: LocalConfig | None = None) -> Starlette:
    """The backend app over ``data_dir`` (created if missing)."""
    config = config or LocalConfig()
    store = Store(Path(data_dir))
    store.claim_owner()  # the turns and renders of this app carry its owner id
    # What a killed process left behind (its owner lock is free): unfinished renders,
    # temp files, turn holds. A live process's work on the same folder is left alone.
    store.recover()
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
        *service.ROUTES,
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        BackendError: on_backend_error,
        404: on_not_found,
        405: on_not_found,
        Exception: on_crash,
    }
    app = Starlette(
        routes=routes,
        exception_handlers=handlers,
        middleware=[Middleware(_Tracked, activity=backend.activity)],
    )
    app.state.backend = backend
    return app


class _Tracked:
    """Middleware: every request counts as the service's activity (see ``Activity``)."""

    def __init__(self, app: Any, activity: Any) -> None:
        self._app = activity.middleware(app)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)


def close_app(app: Starlette) -> None:
    """Stop the render workers and close the database."""
    backend: Backend = app.state.backend
    backend.queue.shutdown()
    backend.store.close()
