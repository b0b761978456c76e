"""Fixtures of the embedded-backend suite: real servers on loopback, httpx clients."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("cv2")

import httpx

from nemo_skill.local.app import LocalConfig
from nemo_skill.local.server import LocalServer, start_background

BASE_CONFIG: dict[str, Any] = {
    "default_long_side": 160,
    "heartbeat_interval_s": 0.01,
    "silent_edit_fraction": 0.0,
    "render_workers": 1,
}
SKILL = {"X-Skill-Source": "test", "X-Skill-Version": "0", "X-Skill-Platform": "pytest"}


def jpeg_bytes(size: tuple[int, int] = (200, 150), seed: int = 1) -> bytes:
    """A small textured JPEG, different per seed."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, (30 + seed * 37 % 200, 90, 160))
    draw = ImageDraw.Draw(img)
    for i in range(0, size[0], 10):
        draw.line([(i, 0), (size[0] - i, size[1])], fill=((i * 7 + seed) % 255, 80, 200), width=2)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


class Api:
    """One client of the backend: its own client id, token and sessions."""

    def __init__(self, server: LocalServer, bodies: list[bytes]) -> None:
        self.server = server
        self.client_id = uuid.uuid4().hex
        self.token: str | None = None

        def keep(response: httpx.Response) -> None:
            bodies.append(response.read())

        self.http = httpx.Client(base_url=server.url, timeout=30, event_hooks={"response": [keep]})

    def close(self) -> None:
        self.http.close()

    def headers(self, **extra: str) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**auth, **extra}

    def login(self) -> dict[str, Any]:
        response = self.http.post(
            "/api/auth/anonymous-token", headers={"X-Client-Id": self.client_id}
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        self.token = data["token"]
        return data

    def session(self) -> str:
        response = self.http.post(
            "/api/tasks/me/with-session/nemo_agent", headers=self.headers(), json={}
        )
        assert response.status_code == 200, response.text
        sid: str = response.json()["data"]["session_id"]
        return sid

    def upload(self, sid: str, name: str, content: bytes) -> httpx.Response:
        return self.http.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            headers=self.headers(),
            files={"files": (name, content, "application/octet-stream")},
        )

    def turn(self, sid: str, text: str) -> httpx.Response:
        body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
                "new_message": {"role": "user", "parts": [{"text": text}]}}  # fmt: skip
        return self.http.post("/run_sse", headers=self.headers(), json=body)

    def state(self, sid: str) -> dict[str, Any]:
        response = self.http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=self.headers())
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    def credits(self) -> dict[str, Any]:
        response = self.http.get("/api/credits/balance/simple", headers=self.headers())
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data


Factory = Callable[..., LocalServer]


@pytest.fixture
def bodies() -> Iterator[list[bytes]]:
    """Every response body of the test; none may leak a stack trace."""
    seen: list[bytes] = []
    yield seen
    assert not [b for b in seen if b"Traceback" in b]


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Factory]:
    """Start backends (test-sized config plus overrides); all are stopped at the end."""
    started: list[LocalServer] = []

    def make(data_dir: Path | None = None, **overrides: Any) -> LocalServer:
        config = LocalConfig(**{**BASE_CONFIG, **overrides})
        server = start_background(data_dir or tmp_path / "data", config=config)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def server(make_server: Factory) -> LocalServer:
    """A backend with the test config."""
    return make_server()


@pytest.fixture
def client_factory(server: LocalServer, bodies: list[bytes]) -> Iterator[Callable[[], Api]]:
    """Clients of ``server``, closed at the end."""
    made: list[Api] = []

    def make() -> Api:
        api = Api(server, bodies)
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(client_factory: Callable[[], Api]) -> Api:
    """A logged-in client."""
    client = client_factory()
    client.login()
    return client
