"""The embedded backend's HTTP contract, over real loopback HTTP with httpx."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_skill.local.server import LocalServer
from tests.local.conftest import SKILL, Api, Factory, jpeg_bytes


def events(response: httpx.Response) -> list[dict[str, Any]]:
    """The ADK events of a /run_sse body, heartbeats left out."""
    out = []
    for line in response.text.splitlines():
        if line.startswith("data: "):
            item = json.loads(line[6:])
            if item.get("type") != "heartbeat":
                out.append(item)
    return out


def envelope(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    data = body["data"]  # nothing, or what the user can do (the embedded backend's hint)
    assert data is None or (set(data) == {"hint"} and data["hint"]), data
    return body


def generated(api: Api, text: str = "animate this, 1 second") -> str:
    sid = api.session()
    assert api.upload(sid, "photo.jpg", jpeg_bytes()).status_code == 200
    response = api.turn(sid, text)
    assert response.status_code == 200, response.text
    return sid


def poll(api: Api, job_id: str, until: tuple[str, ...]) -> dict[str, Any]:
    for _ in range(400):  # bounded: 400 × 50 ms
        response = api.http.get(f"/api/render/proxy/lambda/{job_id}", headers=api.headers())
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        if data["status"] in until:
            return data
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {until}: {data}")


def submit(api: Api, sid: str, job_id: str, draft: dict[str, Any]) -> httpx.Response:
    body = {"id": job_id, "sessionId": sid, "draft": draft, "output": {"format": "mp4"}}
    return api.http.post("/api/render/proxy/lambda", headers=api.headers(**SKILL), json=body)


# --- auth --------------------------------------------------------------------------


def test_anonymous_token_rules(client_factory: Callable[[], Api]) -> None:
    api = client_factory()
    envelope(api.http.post("/api/auth/anonymous-token"), 400, 400)
    data = api.login()
    assert data["token"]
    assert data["user_id"]
    assert data["credits"] == 100
    sid = api.session()
    # Offline, a known client id gets a new token for its same user (a lost token cache
    # must not lock the user out): same projects, same credits, no second 100.
    first = api.token
    again = api.login()
    assert again["token"] != first and again["user_id"] == data["user_id"]
    assert again["credits"] == 100
    assert api.state(sid)["session_id"] == sid
    api.token = first
    assert api.credits()["available"] == 100  # the earlier token still works


PROTECTED = [
    ("POST", "/api/auth/claim-token"),
    ("POST", "/api/tasks/me/with-session/nemo_agent"),
    ("POST", "/run_sse"),
    ("POST", "/api/upload-video/nemo_agent/me/1234567890123456789"),
    ("GET", "/api/credits/balance/simple"),
    ("GET", "/api/state/nemo_agent/me/1234567890123456789/latest"),
    ("POST", "/api/render/proxy/lambda"),
    ("GET", "/api/render/proxy/lambda/job1"),
    ("POST", "/api/render/proxy/lambda/job1/cancel"),
    ("GET", "/api/render/proxy/job1/download"),
    ("GET", "/files/" + "a" * 64 + "/x.jpg"),
]


@pytest.mark.parametrize("auth", [None, "Bearer", "Bearer nmv_usr_not-a-real-token", "Basic abc"])
def test_protected_endpoints_need_a_valid_bearer(
    auth: str | None, client_factory: Callable[[], Api]
) -> None:
    api = client_factory()
    headers = {"Authorization": auth} if auth else {}
    for method, path in PROTECTED:
        response = api.http.request(method, path, headers=headers, json={})
        envelope(response, 401, 1001)


# --- sessions ------------------------------------------------------------------------


def test_sessions_are_digit_strings_and_isolated(
    api: Api, client_factory: Callable[[], Api]
) -> None:
    sid = api.session()
    assert sid.isdigit()
    assert sid != api.session()
    other = client_factory()
    other.login()
    response = other.http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=other.headers())
    envelope(response, 404, 1002)
    envelope(other.upload(sid, "photo.jpg", jpeg_bytes()), 404, 1002)
    turn = other.turn(sid, "animate")
    assert turn.status_code == 404
    assert "detail" in turn.json()
    assert api.state(sid)["state"]["draft"] == {}


# --- upload -----------------------------------------------------------------------------


def test_upload_a_real_jpeg(api: Api, server: LocalServer) -> None:
    sid = api.session()
    content = jpeg_bytes((240, 120))
    response = api.upload(sid, "photo.jpg", content)
    assert response.status_code == 200, response.text
    [info] = response.json()["data"]["files"]
    assert (info["width"], info["height"]) == (240, 120)
    assert info["file_type"] == "image"
    assert len(info["hash"]) == 64
    assert info["cdn_url"].startswith(server.url + "/files/")
    fetched = api.http.get(info["cdn_url"], headers=api.headers())
    assert fetched.status_code == 200
    assert fetched.content == content
    assert api.state(sid)["state"]["video_infos"] == [info]


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.jpg", b"just some text, not a photo\n" * 10),
     ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200),
     ("photo.exe", None),  # a real JPEG with the wrong extension
     ("empty.jpg", b""),
     ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50)],
)  # fmt: skip
def test_upload_refuses_what_is_not_a_supported_file(
    name: str, content: bytes | None, api: Api, server: LocalServer
) -> None:
    sid = api.session()
    response = api.upload(sid, name, jpeg_bytes() if content is None else content)
    assert response.status_code in (400, 415)
    envelope(response, response.status_code, 4001)
    assert api.state(sid)["state"]["video_infos"] == []
    assert list((server.data_dir / "tmp").iterdir()) == []


@pytest.mark.parametrize("size", [40_000, 200_000])  # streamed past the limit / declared too big
def test_upload_over_the_limit_leaves_nothing(
    size: int, make_server: Factory, tmp_path: Path, bodies: list[bytes]
) -> None:
    server = make_server(tmp_path / "small", max_upload_bytes=25_000)
    api = Api(server, bodies)
    try:
        api.login()
        sid = api.session()
        content = jpeg_bytes() + bytes(size)
        envelope(api.upload(sid, "big.jpg", content), 413, 4002)
        assert [p for p in (server.data_dir / "files").rglob("*") if p.is_file()] == []
        assert list((server.data_dir / "tmp").iterdir()) == []
        assert api.upload(sid, "ok.jpg", jpeg_bytes()).status_code == 200  # still serving
    finally:
        api.close()


def test_hostile_filename_is_stored_safely(api: Api, server: LocalServer, tmp_path: Path) -> None:
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(server.data_dir)}
    sid = api.session()
    response = api.upload(sid, "../../etc/passwd.jpg", jpeg_bytes())
    assert response.status_code == 200, response.text
    [info] = response.json()["data"]["files"]
    assert info["filename"] == "passwd.jpg"
    assert "/../" not in info["cdn_url"]
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(server.data_dir)}
    assert after == before
    assert not Path("/etc/passwd.jpg").exists()
    blobs = [p for p in (server.data_dir / "files").rglob("*") if p.is_file()]
    assert [p.name for p in blobs] == [info["hash"]]


def test_url_upload_only_from_allowed_dirs(
    make_server: Factory, tmp_path: Path, bodies: list[bytes]
) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "ok.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "secret.jpg").write_bytes(jpeg_bytes(seed=2))
    server = make_server(tmp_path / "urls", allowed_url_dirs=(allowed,))
    api = Api(server, bodies)
    try:
        api.login()
        sid = api.session()
        url = f"/api/upload-video/nemo_agent/me/{sid}"
        for refused in ("https://example.com/a.jpg", f"file://{tmp_path}/secret.jpg",
                        f"file://{allowed}/../secret.jpg", f"file://{allowed}/missing.jpg"):  # fmt: skip
            response = api.http.post(url, headers=api.headers(), json={"urls": [refused]})
            envelope(response, 400, 4001)
        response = api.http.post(
            url, headers=api.headers(), json={"urls": [f"file://{allowed}/ok.jpg"]}
        )
        assert response.status_code == 200, response.text
        assert response.json()["data"]["files"][0]["width"] == 200
    finally:
        api.close()


# --- credits and turns ---------------------------------------------------------------


def test_credits_generation_and_out_of_credits(api: Api) -> None:
    assert api.credits() == {"available": 100, "frozen": 0, "total": 100}
    sid = generated(api)
    assert api.credits() == {"available": 0, "frozen": 0, "total": 0}
    draft_before = api.state(sid)["state"]["draft"]
    sid2 = api.session()
    assert api.upload(sid2, "b.jpg", jpeg_bytes(seed=3)).status_code == 200
    response = api.turn(sid2, "animate this")
    assert response.status_code == 402 and response.json()["code"] == 2001
    assert "serve-local --add-credits" in response.json()["data"]["hint"]  # offline: no bind link
    assert "text/event-stream" not in response.headers.get("content-type", "")
    assert api.state(sid2)["state"]["draft"] == {}
    assert api.state(sid)["state"]["draft"] == draft_before
    assert api.credits()["frozen"] == 0


def test_question_turn_is_free_and_asks_for_an_image(api: Api) -> None:
    sid = api.session()
    response = api.turn(sid, "animate my photo")
    assert response.status_code == 200
    calls = [p["functionCall"] for e in events(response) for p in e["content"]["parts"]
             if "functionCall" in p]  # fmt: skip
    assert [c["name"] for c in calls] == ["ask_question"]
    assert api.credits()["available"] == 100


def test_run_sse_stream_shape(api: Api) -> None:
    sid = api.session()
    api.upload(sid, "photo.jpg", jpeg_bytes())
    response = api.turn(sid, 'animate this, 1 second, add lo-fi music, title "Hi"')
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    got = events(response)
    assert got
    invocations = {e["invocationId"] for e in got}
    assert len(invocations) == 1
    for e in got:
        assert e["author"] == "nemo_agent"
        assert "stateDelta" in e["actions"]
        assert "nodeInfo" in e
        assert "state_delta" not in e["actions"]
    calls = [p["functionCall"] for e in got for p in e["content"]["parts"] if "functionCall" in p]
    answers = [p["functionResponse"] for e in got for p in e["content"]["parts"]
               if "functionResponse" in p]  # fmt: skip
    assert [c["id"] for c in calls] == [a["id"] for a in answers]
    assert [c["name"] for c in calls] == [a["name"] for a in answers]
    assert {"generate_video", "add_bgm", "add_text"} <= {c["name"] for c in calls}
    drafts = [e["actions"]["stateDelta"]["draft"] for e in got if e["actions"]["stateDelta"]]
    assert api.state(sid)["state"]["draft"] == drafts[-1]
    assert api.credits() == {"available": 0, "frozen": 0, "total": 0}


def test_run_sse_errors(api: Api) -> None:
    envelope_less = api.turn("999", "animate")
    assert envelope_less.status_code == 404
    assert isinstance(envelope_less.json()["detail"], str)
    for body in (b"{not json", b'{"session_id": "1"}', b"[]"):
        response = api.http.post(
            "/run_sse",
            headers=api.headers(**{"Content-Type": "application/json"}),
            content=body,
        )
        assert response.status_code == 422
        assert "detail" in response.json()


def test_undo_restores_the_previous_draft(make_server: Factory, bodies: list[bytes]) -> None:
    server = make_server(credits_new_user=1000)
    api = Api(server, bodies)
    try:
        api.login()
        sid = generated(api)
        first = api.state(sid)["state"]["draft"]
        assert api.turn(sid, "make it 9:16").status_code == 200
        second = api.state(sid)["state"]["draft"]
        assert second["m"]["aspect"] == "9:16"
        assert second["t"][0]["id"] == first["t"][0]["id"]
        assert api.turn(sid, "undo").status_code == 200
        assert api.state(sid)["state"]["draft"] == first
        assert api.credits()["frozen"] == 0
    finally:
        api.close()


# --- render --------------------------------------------------------------------------------


def test_render_needs_skill_headers(api: Api) -> None:
    sid = generated(api)
    draft = api.state(sid)["state"]["draft"]
    body = {"id": "job-no-headers", "sessionId": sid, "draft": draft}
    response = api.http.post("/api/render/proxy/lambda", headers=api.headers(), json=body)
    envelope(response, 402, 402)


def test_render_submit_poll_download(api: Api, client_factory: Callable[[], Api]) -> None:
    sid = generated(api)
    draft = api.state(sid)["state"]["draft"]
    response = submit(api, sid, "job-ok", draft)
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True
    done = poll(api, "job-ok", ("completed", "failed", "cancelled"))
    assert done["status"] == "completed", done
    url = done["outputUrl"]
    whole = api.http.get(url, headers=api.headers())
    assert whole.status_code == 200
    assert whole.headers["content-type"] == "video/mp4"
    assert int(whole.headers["Content-Length"]) == len(whole.content) > 1000
    assert whole.content[4:8] == b"ftyp"
    part = api.http.get(url, headers=api.headers(Range="bytes=100-199"))
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole.content)}"
    assert part.content == whole.content[100:200]
    tail = api.http.get(url, headers=api.headers(Range="bytes=-50"))
    assert (tail.status_code, tail.content) == (206, whole.content[-50:])
    beyond = api.http.get(url, headers=api.headers(Range=f"bytes={len(whole.content)}-"))
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(whole.content)}"
    other = client_factory()
    other.login()
    for path in ("/api/render/proxy/lambda/job-ok", "/api/render/proxy/job-ok/download"):
        assert other.http.get(path, headers=other.headers()).status_code == 404
    cancel = other.http.post("/api/render/proxy/lambda/job-ok/cancel", headers=other.headers())
    assert cancel.status_code == 404


def test_cancel_a_long_render(api: Api) -> None:
    sid = generated(api)
    draft = api.state(sid)["state"]["draft"]
    draft["t"] = [t for t in draft["t"] if t["tt"] == 0]
    draft["t"][0]["sg"][0]["d"] = 60_000
    assert submit(api, sid, "job-long", draft).status_code == 200
    response = api.http.post("/api/render/proxy/lambda/job-long/cancel", headers=api.headers())
    assert response.status_code == 200
    final = poll(api, "job-long", ("completed", "failed", "cancelled"))
    assert final["status"] == "cancelled"
    download = api.http.get("/api/render/proxy/job-long/download", headers=api.headers())
    assert download.status_code == 404


# --- restart, limits, load ---------------------------------------------------------------------


def test_restart_keeps_everything_and_fails_interrupted_jobs(
    make_server: Factory, tmp_path: Path, bodies: list[bytes]
) -> None:
    data = tmp_path / "persist"
    first = make_server(data, credits_new_user=250)
    api = Api(first, bodies)
    api.login()
    sid = generated(api)
    draft = api.state(sid)["state"]["draft"]
    credits = api.credits()
    token = api.token
    api.close()
    first.stop()
    with sqlite3.connect(data / "nemo-local.sqlite3") as db:
        db.execute(
            "INSERT INTO jobs (id, user_id, session_id, status, draft, created) "
            "SELECT 'job-stuck', user_id, session_id, 'processing', '{}', 0 FROM sessions"
        )
    second = make_server(data)
    again = Api(second, bodies)
    again.token = token
    try:
        assert again.state(sid)["state"]["draft"] == draft
        assert again.credits() == credits == {"available": 150, "frozen": 0, "total": 150}
        assert poll(again, "job-stuck", ("failed",))["status"] == "failed"
    finally:
        again.close()


def test_json_body_over_one_megabyte(api: Api) -> None:
    big = json.dumps({"task_name": "x" * (1024 * 1024 + 10)}).encode()
    response = api.http.post(
        "/api/tasks/me/with-session/nemo_agent",
        headers=api.headers(**{"Content-Type": "application/json"}),
        content=big,
    )
    envelope(response, 413, 413)


def test_fifty_concurrent_clients(server: LocalServer, bodies: list[bytes]) -> None:
    def one(_: int) -> tuple[int, int]:
        api = Api(server, bodies)
        try:
            api.login()
            sid = api.session()
            assert api.state(sid)["state"]["draft"] == {}
            return 1, int(api.credits()["available"])
        finally:
            api.close()

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(50), timeout=120))
    assert results == [(1, 100)] * 50
    store = server._app.state.backend.store
    assert store.count("users") == 50
    assert store.count("sessions") == 50
