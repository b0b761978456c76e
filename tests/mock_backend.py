"""A mock NemoVideo backend on ``httpx.MockTransport`` for the client's unit tests.

``Backend`` routes requests by method and path prefix and records them;
``Harness`` wires a :class:`NemoClient` to it with a sleep that only records
its waits. The ``h`` (anonymous user) and ``env`` (``NEMO_TOKEN`` user)
fixtures in conftest.py build one per test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from nemo_skill.client import NemoClient
from nemo_skill.config import Settings

API = "https://api.test"
ANON_TOKEN = "nmv_usr_anon_SECRET_aaaa1111"
ENV_TOKEN = "nmv_usr_env_SECRET_bbbb2222"
Handler = Callable[[httpx.Request], httpx.Response]


def envelope(data: Any, code: int = 0, message: str = "ok") -> httpx.Response:
    return httpx.Response(200, json={"code": code, "message": message, "data": data})


def anon_ok(request: httpx.Request) -> httpx.Response:
    return envelope({"token": ANON_TOKEN, "user_id": "anon_42", "expires_at": 4102444800})


class Backend:
    """A mock backend: handlers by (method, path prefix), every request recorded."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: list[tuple[str, str, Handler]] = [
            ("POST", "/api/auth/anonymous-token", anon_ok)
        ]

    def on(self, method: str, prefix: str, handler: Handler) -> None:
        """Route ``method`` + path prefix to ``handler`` (newest route wins)."""
        self.routes.insert(0, (method, prefix, handler))

    def reply(self, method: str, prefix: str, *answers: httpx.Response) -> None:
        """Answer successive requests with ``answers`` (the last one repeats)."""
        queue = list(answers)
        self.on(method, prefix, lambda r: queue.pop(0) if len(queue) > 1 else queue[0])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for method, prefix, handler in self.routes:
            if request.method == method and request.url.path.startswith(prefix):
                return handler(request)
        return httpx.Response(599, text="unrouted")

    def count(self, prefix: str) -> int:
        """Requests whose path starts with ``prefix``."""
        return sum(r.url.path.startswith(prefix) for r in self.requests)


class Harness:
    """A client wired to a ``Backend`` and a sleep that only records its waits."""

    def __init__(self, tmp_path: Path, *, token: str | None = None, **settings: Any) -> None:
        self.backend = Backend()
        self.waits: list[float] = []
        self.state_dir = tmp_path / "state"
        self.settings = Settings(api_url=API, token=token, state_dir=self.state_dir, **settings)
        self.client = NemoClient(
            self.settings, transport=httpx.MockTransport(self.backend), sleep=self.waits.append
        )

    def count(self, prefix: str) -> int:
        """Requests whose path starts with ``prefix``."""
        return self.backend.count(prefix)
