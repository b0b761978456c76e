"""A mock NemoVideo backend on ``httpx.MockTransport`` for the client's unit tests.

``Backend`` routes requests by method and path prefix and records them;
``Harness`` wires a :class:`NemoClient` to it with a sleep that only records
its waits. The ``h`` (anonymous user) and ``env`` (``NEMO_TOKEN`` user)
fixtures in conftest.py build one per test. ``Clock`` is a fake clock whose
``sleep`` advances it, for timing rules tested without sleeping.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from nemo_skill.client import NemoClient
from nemo_skill.settings import Settings

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


class Clock:
    """A clock that advances only when the script or the fake sleep says so.

    ``interrupt_on`` makes that sleep (1-based) raise ``KeyboardInterrupt``, as Ctrl-C would.
    """

    def __init__(self, interrupt_on: int | None = None) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.interrupt_on = interrupt_on

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if len(self.sleeps) == self.interrupt_on:
            raise KeyboardInterrupt
        self.now += seconds


# --- sessions, a renderable draft and render jobs ------------------------------------------

DRAFT = {"t": [{"tt": 0, "sg": [{"d": 2000, "src": "photo.jpg"}]}], "m": {"w": 320, "h": 180}}
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"m" * 64
MAX_POLLS = 500  # a job polled more often than this was waited on forever: fail, not hang


class RenderBackend:
    """Sessions, a renderable draft and render jobs on the mock backend, every call counted.

    A job completes after ``polls_to_finish`` status polls (never if None).
    ``refuse_submits`` fails that many submits before they reach the backend
    (the connection never opens).
    """

    def __init__(self, harness: Harness, polls_to_finish: int | None = 2) -> None:
        self.polls_to_finish = polls_to_finish
        self.refuse_submits = 0
        self.submitted: list[str] = []
        self.cancelled: list[str] = []
        self.polls: dict[str, int] = {}
        backend = harness.backend
        session = envelope({"session_id": "s1", "task_id": "t1", "user_id": "u1"})
        backend.on("POST", "/api/tasks/me/with-session/", lambda r: session)
        backend.on("GET", "/api/state/", lambda r: envelope({"state": {"draft": DRAFT}}))
        backend.on("POST", "/api/render/proxy/lambda", self.post)
        backend.on("GET", "/api/render/proxy/lambda/", self.status)
        backend.on("GET", "/files/", lambda r: httpx.Response(200, content=MP4))

    def post(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/cancel"):
            job_id = request.url.path.split("/")[-2]
            if job_id not in self.polls:
                return httpx.Response(404, json={"code": 404, "message": "no such render"})
            self.cancelled.append(job_id)
            return envelope({"id": job_id, "status": "cancelled"})
        if self.refuse_submits:
            self.refuse_submits -= 1
            raise httpx.ConnectError("connection refused", request=request)
        job_id = json.loads(request.content)["id"]
        self.submitted.append(job_id)
        self.polls[job_id] = 0
        return envelope({"id": job_id, "status": "pending"})

    def status(self, request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[-1]
        if job_id not in self.polls:
            return httpx.Response(404, json={"code": 404, "message": "no such render"})
        self.polls[job_id] += 1
        assert self.polls[job_id] <= MAX_POLLS, "the render was polled forever"
        if job_id in self.cancelled:
            return envelope({"id": job_id, "status": "cancelled"})
        if self.polls_to_finish is None or self.polls[job_id] < self.polls_to_finish:
            return envelope({"id": job_id, "status": "processing", "progress": 40})
        url = f"{API}/files/{job_id}.mp4"
        return envelope({"id": job_id, "status": "completed", "progress": 100, "output_url": url})
