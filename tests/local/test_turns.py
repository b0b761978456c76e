"""Agent turns and their credits, validation envelopes, claim tokens, odd ranges."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nemo_skill.local.store import Store
from tests.local.conftest import SKILL, Api, Factory, jpeg_bytes
from tests.local.test_contract import envelope, events, generated


def parts(response: httpx.Response) -> list[dict[str, Any]]:
    """Every part of every ADK event, in order."""
    return [p for e in events(response) for p in e["content"]["parts"]]


def rich_api(make_server: Factory, bodies: list[bytes], **config: Any) -> Api:
    api = Api(make_server(credits_new_user=1000, **config), bodies)
    api.login()
    return api


def test_each_turn_is_charged_once_by_kind(make_server: Factory, bodies: list[bytes]) -> None:
    api = rich_api(make_server, bodies)
    try:
        sid = generated(api, 'animate this, 1 second, add calm music, title "Hi"')
        assert api.credits() == {"available": 900, "frozen": 0, "total": 900}  # 2 stages, 1 charge
        assert api.turn(sid, "make it 9:16 and add upbeat music").status_code == 200
        assert api.credits()["available"] == 850
        noop = api.turn(sid, "what a nice day")
        assert [p for p in parts(noop) if "functionCall" in p] == []
        assert api.credits()["available"] == 850  # nothing done, nothing charged
        assert api.turn(sid, "remove the music").status_code == 200
        draft = api.state(sid)["state"]["draft"]
        assert [t["tt"] for t in draft["t"]] == [0, 7]
        assert api.credits() == {"available": 800, "frozen": 0, "total": 800}
    finally:
        api.close()


def test_explicit_regeneration_is_a_new_paid_generation(
    make_server: Factory, bodies: list[bytes]
) -> None:
    api = rich_api(make_server, bodies)
    try:
        sid = generated(api, "animate this, 1 second, add calm music")
        first = api.state(sid)["state"]["draft"]
        calls = [p["functionCall"]["name"] for p in parts(api.turn(sid, "regenerate the video"))
                 if "functionCall" in p]  # fmt: skip
        assert calls == ["generate_video"]
        again = api.state(sid)["state"]["draft"]
        assert again["id"] != first["id"]
        assert [t["tt"] for t in again["t"]] == [0]
        assert api.credits()["available"] == 800
    finally:
        api.close()


def test_silent_edits_close_after_the_last_tool(make_server: Factory, bodies: list[bytes]) -> None:
    api = rich_api(make_server, bodies, silent_edit_fraction=1.0)
    try:
        sid = generated(api)
        edit = parts(api.turn(sid, "make it 1:1"))
        assert "functionResponse" in edit[-1]
        assert not [p for p in edit if "text" in p]
        assert edit[-1]["functionResponse"]["name"] == "edit_multitrack"
        assert api.state(sid)["state"]["draft"]["m"]["aspect"] == "1:1"
        other = api.session()
        assert api.upload(other, "b.jpg", jpeg_bytes(seed=4)).status_code == 200
        generation = parts(api.turn(other, "animate this, 1 second"))
        assert "click Export" in generation[-1]["text"]  # only edits go silent
    finally:
        api.close()


def test_spoken_edit_answers_with_gui_wording(make_server: Factory, bodies: list[bytes]) -> None:
    loud = rich_api(make_server, bodies, silent_edit_fraction=0.0)
    try:
        sid = generated(loud)
        last = parts(loud.turn(sid, "set the music volume to 20%"))[-1]
        assert "Export button" in last["text"]
        bgm = [t for t in loud.state(sid)["state"]["draft"]["t"] if t["tt"] == 1]
        assert bgm[0]["sg"][0]["volume"] == 0.2
    finally:
        loud.close()


def test_disconnect_before_any_change_releases_the_hold(
    make_server: Factory, bodies: list[bytes]
) -> None:
    # The first heartbeat comes before generate_video: a slow one leaves time to hang up.
    api = rich_api(make_server, bodies, heartbeat_interval_s=1.0)
    try:
        sid = api.session()
        assert api.upload(sid, "p.jpg", jpeg_bytes()).status_code == 200
        body = {"session_id": sid, "new_message": {"parts": [{"text": "animate this"}]}}
        # A client without the body-keeping hook, which would read the whole stream.
        with (
            httpx.Client(base_url=api.server.url, timeout=30) as raw,
            raw.stream("POST", "/run_sse", headers=api.headers(), json=body) as stream,
        ):
            lines = stream.iter_lines()  # kept: dropping it would close the connection early
            first = next(line for line in lines if line.startswith("data: "))
            assert "text" in json.loads(first[6:])["content"]["parts"][0]
            assert api.credits()["frozen"] == 100
            envelope(api.turn(sid, "animate this"), 429, 429)  # one turn per session at a time
        for _ in range(100):  # bounded: the server notices the hang-up at its next write
            if api.credits()["frozen"] == 0:
                break
            time.sleep(0.05)
        assert api.credits() == {"available": 1000, "frozen": 0, "total": 1000}
        assert api.state(sid)["state"]["draft"] == {}
    finally:
        api.close()


def test_bad_json_bodies_name_the_field(api: Api) -> None:
    sid = api.session()
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/api/render/proxy/lambda", {"id": "r1", "sessionId": sid}, "draft"),
        ("/api/render/proxy/lambda", {"id": "", "sessionId": sid, "draft": {}}, "id"),
        ("/api/tasks/me/with-session/nemo_agent", {"language": "x" * 50}, "language"),
        ("/api/auth/claim-token", {"session_id": sid}, "task_id"),
        (f"/api/upload-video/nemo_agent/me/{sid}", {"urls": []}, "urls"),
    ]
    for path, body, field in cases:
        response = api.http.post(path, headers=api.headers(**SKILL), json=body)
        assert field in envelope(response, 422, 422)["message"], path
    garbage = api.http.post(
        "/api/tasks/me/with-session/nemo_agent",
        headers=api.headers(**{"Content-Type": "application/json"}),
        content=b"{oops",
    )
    envelope(garbage, 422, 422)


def test_claim_token_for_own_sessions_only(api: Api, client_factory: Callable[[], Api]) -> None:
    created = api.http.post(
        "/api/tasks/me/with-session/nemo_agent", headers=api.headers(), json={}
    ).json()["data"]
    body = {"task_id": created["task_id"], "session_id": created["session_id"]}
    response = api.http.post("/api/auth/claim-token", headers=api.headers(), json=body)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["claim_token"]
    other = client_factory()
    other.login()
    stolen = other.http.post("/api/auth/claim-token", headers=other.headers(), json=body)
    envelope(stolen, 404, 1002)


def test_client_id_must_be_sane(client_factory: Callable[[], Api]) -> None:
    api = client_factory()
    for bad in ("", "x" * 65):
        response = api.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": bad})
        envelope(response, 400, 400)


def test_unknown_paths_and_methods_are_enveloped(api: Api) -> None:
    envelope(api.http.get("/files/"), 404, 404)
    envelope(api.http.get("/api/nope", headers=api.headers()), 404, 404)
    envelope(api.http.delete("/api/credits/balance/simple", headers=api.headers()), 404, 404)


def test_a_full_disk_during_a_turn_says_so_and_charges_nothing(
    make_server: Factory, bodies: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite cannot write the new draft: the turn's error says why; credits, draft, slot kept."""
    api = rich_api(make_server, bodies)
    try:
        sid = api.session()
        assert api.upload(sid, "photo.jpg", jpeg_bytes()).status_code == 200
        full = sqlite3.OperationalError("database or disk is full")
        monkeypatch.setattr(Store, "push_draft", lambda *a, **k: (_ for _ in ()).throw(full))
        turn = api.turn(sid, "animate this, 1 second")
        (error,) = [e for e in events(turn) if "error" in e]
        data_dir = api.server.data_dir
        assert f"Disk full: no space left in {data_dir}" in error["error"]
        assert api.credits() == {"available": 1000, "frozen": 0, "total": 1000}
        assert api.state(sid)["state"]["draft"] == {}
        monkeypatch.undo()  # space again: the same message works, the slot was freed
        assert b"generate_video" in api.turn(sid, "animate this, 1 second").content
        assert api.credits()["available"] == 900
    finally:
        api.close()
