"""NemoClient against httpx.MockTransport: endpoints, auth flow, headers, retry policy, upload streaming."""

from __future__ import annotations

import json
import stat
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_skill import errors
from nemo_skill.client import NemoClient
from nemo_skill.config import Settings
from nemo_skill.models import RenderJob

API = "https://api.test"
Handler = Callable[[httpx.Request], httpx.Response]


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "ok", "data": data})


class Backend:
    """Routes by (method, path prefix); records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Handler] = {
            ("POST", "/api/auth/anonymous-token"): lambda r: ok(
                {
                    "token": "nmv_usr_fresh_token_value",
                    "user_id": "anon_1",
                    "expires_at": "2099-01-01T00:00:00Z",
                }
            ),
        }

    def route(self, method: str, prefix: str, handler: Handler) -> None:
        self.routes[(method, prefix)] = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for (method, prefix), handler in self.routes.items():
            if request.method == method and request.url.path.startswith(prefix):
                return handler(request)
        return httpx.Response(404, json={"detail": "no route"})

    def count(self, prefix: str) -> int:
        return sum(1 for r in self.requests if r.url.path.startswith(prefix))


def make(
    tmp_path: Path, backend: Backend, *, token: str | None = None
) -> tuple[NemoClient, list[float]]:
    waits: list[float] = []
    settings = Settings(api_url=API, token=token, state_dir=tmp_path / "state")
    return NemoClient(settings, transport=httpx.MockTransport(backend), sleep=waits.append), waits


def test_every_endpoint_returns_typed_models(tmp_path: Path) -> None:
    b = Backend()
    b.route(
        "POST",
        "/api/tasks/me/with-session",
        lambda r: ok({"task_id": "t", "session_id": 5529798706024415232}),
    )
    b.route("GET", "/api/credits", lambda r: ok({"available": 25000, "frozen": 40, "total": 25040}))
    b.route(
        "GET",
        "/api/state/",
        lambda r: ok({"session_id": "s", "state": {"draft": {"t": [{"tt": 0, "sg": [{"d": 1}]}]}}}),
    )
    b.route(
        "POST",
        "/api/upload-video/",
        lambda r: ok({"files": [{"filename": "a.jpg", "width": 2}], "session_state_applied": True}),
    )
    b.route(
        "POST",
        "/api/render/proxy/lambda/r1/cancel",
        lambda r: httpx.Response(
            200, json={"success": True, "data": {"id": "r1", "status": "cancelled"}}
        ),
    )
    b.route(
        "POST",
        "/api/render/proxy/lambda",
        lambda r: httpx.Response(
            200, json={"success": True, "data": {"id": "r1", "status": "pending", "progress": 5}}
        ),
    )
    b.route(
        "GET",
        "/api/render/proxy/lambda/",
        lambda r: httpx.Response(
            200,
            json={
                "taskId": "r1",
                "status": "completed",
                "progress": 100,
                "output": {"url": "https://cdn.test/x.mp4"},
            },
        ),
    )
    b.route(
        "POST",
        "/api/auth/claim-token",
        lambda r: ok({"claim_token": "clm_1", "expires_in": 604800}),
    )
    client, _ = make(tmp_path, b)
    session = client.create_session(language="zh")
    assert session.session_id == "5529798706024415232"
    assert json.loads(b.requests[-1].content) == {"task_name": "project", "language": "zh"}
    assert client.credits().total == 25040
    assert client.state("s").draft is not None
    assert client.upload_urls("s", ["https://x/a.jpg"]).files[0].width == 2
    job = client.submit_render("s", {"t": [{"tt": 0, "sg": [{"d": 1}]}]}, render_id="r1")
    assert (job.id, job.status, job.progress) == ("r1", "pending", 5)
    body = json.loads(b.requests[-1].content)
    assert body["sessionId"] == "s" and body["output"] == {"format": "mp4", "quality": "high"}
    status = client.render_status("r1")
    assert status.status == "completed" and status.output_url == "https://cdn.test/x.mp4"
    assert client.cancel_render("r1").status == "cancelled"
    assert client.claim_token("t", "s").claim_token == "clm_1"


def test_headers_on_every_call_and_no_auth_on_the_anonymous_call(tmp_path: Path) -> None:
    b = Backend()
    b.route("GET", "/api/credits", lambda r: ok({"available": 1}))
    client, _ = make(tmp_path, b)
    client.credits()
    anon, credits = b.requests
    for request in (anon, credits):
        assert request.headers["X-Skill-Source"] == "openai-image-to-video"
        assert request.headers["X-Skill-Version"] and request.headers["X-Skill-Platform"]
        assert request.headers["User-Agent"].startswith("openai-image-to-video/")
    assert "Authorization" not in anon.headers and anon.headers["X-Client-Id"]
    assert credits.headers["Authorization"] == "Bearer nmv_usr_fresh_token_value"


def test_env_token_is_used_as_is(tmp_path: Path) -> None:
    b = Backend()
    b.route("GET", "/api/credits", lambda r: ok({"available": 1}))
    client, _ = make(tmp_path, b, token="nmv_usr_from_env_value")
    client.credits()
    assert b.count("/api/auth") == 0
    assert b.requests[0].headers["Authorization"] == "Bearer nmv_usr_from_env_value"


def test_anonymous_token_is_cached_privately_and_reused(tmp_path: Path) -> None:
    b = Backend()
    b.route("GET", "/api/credits", lambda r: ok({"available": 1}))
    client, _ = make(tmp_path, b)
    client.credits()
    token_file = tmp_path / "state" / "token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    again, _ = make(tmp_path, b)
    again.credits()
    assert b.count("/api/auth/anonymous-token") == 1


def test_1001_reauthenticates_once_then_succeeds(tmp_path: Path) -> None:
    b = Backend()
    answers = iter(
        [httpx.Response(401, json={"code": 1001, "message": "expired"}), ok({"available": 7})]
    )
    b.route("GET", "/api/credits", lambda r: next(answers))
    client, _ = make(tmp_path, b)
    assert client.credits().available == 7
    assert b.count("/api/auth/anonymous-token") == 2 and b.count("/api/credits") == 2


def test_1001_twice_raises_and_env_token_is_not_replaced(tmp_path: Path) -> None:
    b = Backend()
    b.route(
        "GET",
        "/api/credits",
        lambda r: httpx.Response(401, json={"code": 1001, "message": "expired"}),
    )
    client, _ = make(tmp_path, b)
    with pytest.raises(errors.AuthError):
        client.credits()
    assert b.count("/api/credits") == 2
    env_client, _ = make(tmp_path / "env", b, token="nmv_usr_rejected_value")
    with pytest.raises(errors.AuthError) as info:
        env_client.credits()
    assert "nmv_usr_rejected_value" not in str(info.value) + info.value.hint


def test_missing_client_id_makes_a_new_one(tmp_path: Path) -> None:
    b = Backend()
    answers = iter(
        [
            httpx.Response(400, json={"code": 400, "message": "missing X-Client-Id"}),
            ok({"token": "nmv_usr_second_token_value", "user_id": "anon_2"}),
        ]
    )
    b.route("POST", "/api/auth/anonymous-token", lambda r: next(answers))
    client, _ = make(tmp_path, b)
    client.authenticate()
    first, second = [r.headers["X-Client-Id"] for r in b.requests]
    assert first != second
    assert (tmp_path / "state" / "client_id").read_text().strip() == second


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"Retry-After": "12"}, 12.0), ({}, 30.0), ({"Retry-After": "9999"}, 60.0)],
)
def test_429_on_anonymous_token_waits_then_retries_once(
    tmp_path: Path, headers: dict[str, str], wait: float
) -> None:
    b = Backend()
    b.route(
        "POST",
        "/api/auth/anonymous-token",
        lambda r: httpx.Response(429, json={"code": 429}, headers=headers),
    )
    client, waits = make(tmp_path, b)
    with pytest.raises(errors.RateLimitError):
        client.authenticate()
    assert waits == [wait] and b.count("/api/auth/anonymous-token") == 2


@pytest.mark.parametrize(
    ("code", "status", "exc"),
    [
        (1002, 404, errors.SessionNotFoundError),
        (2001, 402, errors.InsufficientCreditsError),
        (4001, 415, errors.UnsupportedFileError),
        (4002, 413, errors.FileTooLargeError),
        (402, 402, errors.PlanRequiredError),
        (1002, 200, errors.SessionNotFoundError),
    ],
)
def test_codes_map_to_classes_without_retry(
    tmp_path: Path, code: int, status: int, exc: type[errors.NemoError]
) -> None:
    b = Backend()
    b.route(
        "GET", "/api/state/", lambda r: httpx.Response(status, json={"code": code, "message": "m"})
    )
    client, waits = make(tmp_path, b)
    with pytest.raises(exc) as info:
        client.state("s")
    assert info.value.code == code and info.value.hint
    assert b.count("/api/state/") == 1 and waits == []
    if code == 2001:
        assert "https://nemovideo.com/register?bind=anon_1" in info.value.hint


def test_get_is_retried_twice_but_posts_that_create_work_never(tmp_path: Path) -> None:
    b = Backend()
    b.route("GET", "/api/state/", lambda r: httpx.Response(503))
    b.route("POST", "/api/render/proxy/lambda", lambda r: httpx.Response(502))
    b.route("POST", "/run_sse", lambda r: httpx.Response(502))
    client, waits = make(tmp_path, b)
    with pytest.raises(errors.ServerError):
        client.state("s")
    assert b.count("/api/state/") == 3 and len(waits) == 2
    with pytest.raises(errors.ServerError):
        client.submit_render("s", {"t": []})
    with pytest.raises(errors.ServerError):
        list(client.run_sse("s", "hi"))
    assert b.count("/api/render/") == 1 and b.count("/run_sse") == 1


def test_connect_errors_are_transport_errors(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, waits = make(tmp_path, Backend())
    client._http._transport = httpx.MockTransport(refuse)
    with pytest.raises(errors.TransportError):
        client.credits()
    assert len(waits) >= 1


def test_download_sends_the_token_only_to_the_api_origin(tmp_path: Path) -> None:
    b = Backend()
    b.route("GET", "/x.mp4", lambda r: httpx.Response(200, content=b"mp4-bytes"))
    b.route(
        "GET", "/api/render/proxy/r1/download", lambda r: httpx.Response(200, content=b"mp4-bytes")
    )
    client, _ = make(tmp_path, b)
    client.authenticate()
    cdn = client.download_render(
        RenderJob(id="r1", status="completed", output_url="https://cdn.test/x.mp4"),
        tmp_path / "a.mp4",
    )
    assert cdn.read_bytes() == b"mp4-bytes"
    assert (
        "Authorization" not in b.requests[-1].headers
        and "X-Skill-Source" not in b.requests[-1].headers
    )
    client.download_render(RenderJob(id="r1", status="completed"), tmp_path / "b.mp4")
    assert b.requests[-1].headers["Authorization"].startswith("Bearer ")
    with pytest.raises(errors.ProtocolError):
        client.download_render(
            RenderJob(id="r1", status="completed", output_url="file:///etc/passwd"),
            tmp_path / "c.mp4",
        )


def test_a_failed_download_leaves_no_partial_file(tmp_path: Path) -> None:
    class Broken(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield b"x" * 1000
            raise httpx.ReadError("reset")

    b = Backend()
    b.route(
        "GET",
        "/api/render/",
        lambda r: httpx.Response(200, headers={"Content-Length": "5000"}, stream=Broken()),
    )
    client, _ = make(tmp_path, b)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(errors.TransportError):
        client.download_render(RenderJob(id="r1", status="completed"), out / "clip.mp4")
    assert list(out.iterdir()) == []


def test_upload_streams_a_50_mb_file_in_constant_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    received = {"bytes": 0}

    def consume(request: httpx.Request) -> httpx.Response:
        for chunk in request.stream:  # type: ignore[union-attr]
            received["bytes"] += len(chunk)
        return ok({"files": [{"filename": "big.mp4"}]})

    class Streaming(httpx.BaseTransport):
        """Unlike MockTransport (which reads the whole body first), consumes the stream."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            b.requests.append(request)
            if request.url.path.startswith("/api/upload-video/"):
                return consume(request)
            return b(request)

    b = Backend()
    client = NemoClient(Settings(api_url=API, state_dir=tmp_path / "state"), transport=Streaming())
    client.authenticate()
    progress: list[tuple[int, int]] = []
    tracemalloc.start()
    result = client.upload_files(
        "s", [big], progress=lambda done, total: progress.append((done, total))
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.files[0].filename == "big.mp4"
    assert received["bytes"] == int(b.requests[-1].headers["Content-Length"]) > 50 * 1024 * 1024
    assert peak < 10 * 1024 * 1024, peak
    assert progress[-1][0] == 50 * 1024 * 1024


def test_upload_prechecks_send_nothing(tmp_path: Path) -> None:
    b = Backend()
    client, _ = make(tmp_path, b)
    text = tmp_path / "notes.txt"
    text.write_text("x")
    empty = tmp_path / "empty.jpg"
    empty.touch()
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as fh:
        fh.truncate(201 * 1024 * 1024)
    for path, exc in (
        (tmp_path / "missing.jpg", errors.UsageError),
        (text, errors.UnsupportedFileError),
        (empty, errors.UnsupportedFileError),
        (huge, errors.FileTooLargeError),
        (tmp_path, errors.UsageError),
    ):
        with pytest.raises(exc):
            client.upload_files("s", [path])
    assert b.requests == []
