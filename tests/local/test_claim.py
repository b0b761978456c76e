"""The claim link's web side: token rules, the page, its JSON view and its video (real loopback)."""

from __future__ import annotations

import io
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from nemo_skill.local.server import LocalServer
from nemo_skill.local.store import hash_token
from tests.local.conftest import Api, Factory, jpeg_bytes
from tests.local.test_contract import poll, submit

PROMPT = 'animate this, 1 second, add calm music, title "Hello <b>&</b> world"'


def claim(api: Api, sid: str) -> dict[str, Any]:
    """A claim token for ``sid`` (its task id read from the state)."""
    task_id = api.state(sid)["task_id"]
    body = {"task_id": task_id, "session_id": sid}
    response = api.http.post("/api/auth/claim-token", headers=api.headers(), json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def project(api: Api, text: str = PROMPT, *, export: bool = True) -> tuple[str, str]:
    """A generated project (and its export, unless told otherwise): ``(session id, claim token)``."""
    sid = api.session()
    assert api.upload(sid, "photo.jpg", jpeg_bytes((320, 180))).status_code == 200
    assert api.turn(sid, text).status_code == 200
    if export:
        draft = api.state(sid)["state"]["draft"]
        assert submit(api, sid, f"render_{sid}", draft).status_code == 200
        assert poll(api, f"render_{sid}", ("completed", "failed"))["status"] == "completed"
    return sid, claim(api, sid)["claim_token"]


@pytest.fixture
def rich(make_server: Factory, bodies: list[bytes]) -> Any:
    """A logged-in client with 1000 credits, and its server."""
    server = make_server(credits_new_user=1000)
    api = Api(server, bodies)
    api.login()
    yield api, server
    api.close()


def anonymous(server: LocalServer) -> httpx.Client:
    """A browser-like client: no bearer token, no cookies."""
    return httpx.Client(base_url=server.url, timeout=30)


def no_secrets(text: str, api: Api) -> None:
    assert api.token is not None
    assert api.token not in text
    assert "nmv_usr_" not in text and "anon_" not in text
    assert "Bearer" not in text and "authorization" not in text.lower()


def test_claim_token_rules(
    api: Api, server: LocalServer, client_factory: Callable[[], Api]
) -> None:
    sid = api.session()
    first, second = claim(api, sid), claim(api, sid)
    assert first["expires_in"] == 7 * 24 * 3600
    assert first["claim_token"] != second["claim_token"]  # each call mints a new one
    assert re.fullmatch(r"clm_[A-Za-z0-9_-]{32}", first["claim_token"])
    # The wrong task for this session, someone else's session: 1002, no token.
    wrong = api.http.post(
        "/api/auth/claim-token",
        headers=api.headers(),
        json={"task_id": "task_x", "session_id": sid},
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == 1002
    other = client_factory()
    other.login()
    body = {"task_id": api.state(sid)["task_id"], "session_id": sid}
    stolen = other.http.post("/api/auth/claim-token", headers=other.headers(), json=body)
    assert stolen.status_code == 404 and stolen.json()["code"] == 1002
    # Only the hash is stored.
    with sqlite3.connect(server.data_dir / "nemo-local.sqlite3") as db:
        rows = db.execute("SELECT token_hash, session_id FROM claim_tokens").fetchall()
    assert sorted(rows) == sorted(
        [(hash_token(first["claim_token"]), sid), (hash_token(second["claim_token"]), sid)]
    )
    assert first["claim_token"] not in (server.data_dir / "nemo-local.sqlite3").read_bytes().decode(
        "latin-1"
    )


def test_the_page_shows_the_render_timeline_credits_and_download(
    rich: tuple[Api, LocalServer],
) -> None:
    api, server = rich
    _sid, token = project(api)
    with anonymous(server) as web:
        page = web.get("/workspace/claim", params={"ct": token})
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        html = page.text
        no_secrets(html, api)
        video_src = re.search(r'<video id="video"[^>]* src="([^"]+)"', html)
        download = re.search(r'<a id="download"[^>]* href="([^"]+)" download="([^"]+)"', html)
        assert video_src and download
        assert parse_qs(urlsplit(video_src.group(1).replace("&amp;", "&")).query) == {"ct": [token]}
        assert download.group(2) == "project.mp4"
        assert 'data-credits="available">900<' in html
        assert "Hello <b>" not in html  # project text is escaped, never markup
        assert 'src="/workspace/static/claim.js"' in html
        # The view the script draws the timeline from.
        view_url = re.search(r'data-view="([^"]+)"', html)
        assert view_url
        view = web.get(view_url.group(1).replace("&amp;", "&"))
        assert view.status_code == 200
        no_secrets(view.text, api)
        data = view.json()
        assert data["credits"] == {"available": 900, "frozen": 0, "total": 900}
        assert data["render"]["stale"] is False
        assert data["render"]["video_url"] == video_src.group(1).replace("&amp;", "&")
        tracks = {t["type"]: t for t in data["timeline"]["tracks"]}
        assert set(tracks) == {"video", "audio", "text"}
        assert tracks["video"]["segments"][0]["start"] == 0
        assert tracks["video"]["segments"][0]["end"] == 1
        assert tracks["text"]["segments"][0]["text"] == "Hello <b>&</b> world"
        music = tracks["audio"]["segments"][0]
        assert music["name"] == "Calm" and isinstance(music["volume"], int)
        script = web.get("/workspace/static/claim.js")
        assert script.status_code == 200 and "textContent" in script.text
        assert web.get("/workspace/static/claim.css").status_code == 200
        assert web.get("/workspace/static/..%2Fclaim.py").status_code == 404


def test_the_video_url_serves_the_mp4_with_ranges_and_as_a_download(
    rich: tuple[Api, LocalServer],
) -> None:
    api, server = rich
    av = pytest.importorskip("av")
    _sid, token = project(api)
    with anonymous(server) as web:
        whole = web.get("/workspace/claim/video", params={"ct": token})
        assert whole.status_code == 200
        assert whole.headers["content-type"] == "video/mp4"
        assert whole.headers["accept-ranges"] == "bytes"
        with av.open(io.BytesIO(whole.content)) as container:
            frames = sum(1 for _ in container.decode(video=0))
        assert frames >= 25
        size = len(whole.content)
        part = web.get(
            "/workspace/claim/video", params={"ct": token}, headers={"Range": "bytes=8-"}
        )
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 8-{size - 1}/{size}"
        assert part.content == whole.content[8:]
        beyond = web.get(
            "/workspace/claim/video", params={"ct": token}, headers={"Range": f"bytes={size}-"}
        )
        assert beyond.status_code == 416
        download = web.get("/workspace/claim/video", params={"ct": token, "download": "1"})
        assert download.content == whole.content
        assert download.headers["content-disposition"] == 'attachment; filename="project.mp4"'


def test_without_an_export_the_page_says_how_to_make_one(rich: tuple[Api, LocalServer]) -> None:
    api, server = rich
    _sid, token = project(api, export=False)
    with anonymous(server) as web:
        page = web.get("/workspace/claim", params={"ct": token})
        assert page.status_code == 200
        assert "<video" not in page.text and 'id="download"' not in page.text
        assert "No export yet." in page.text and "nemo-skill export -o video.mp4" in page.text
        assert web.get("/workspace/claim/view", params={"ct": token}).json()["render"] is None
        video = web.get("/workspace/claim/video", params={"ct": token})
        assert video.status_code == 404 and "no export yet" in video.text


def test_an_edit_after_the_export_marks_the_video_stale(rich: tuple[Api, LocalServer]) -> None:
    api, server = rich
    sid, token = project(api)
    assert api.turn(sid, "make it 9:16").status_code == 200
    with anonymous(server) as web:
        page = web.get("/workspace/claim", params={"ct": token}).text
        assert 'id="stale"' in page and "<video" in page
        assert web.get("/workspace/claim/view", params={"ct": token}).json()["render"]["stale"]


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ({}, 400, "no claim token"),
        ({"ct": "clm_not-a-real-token"}, 404, "wrong"),
        ({"ct": "x" * 5000}, 404, "wrong"),
    ],
)
def test_wrong_tokens_get_a_4xx_page(
    server: LocalServer, query: dict[str, str], status: int, words: str
) -> None:
    with anonymous(server) as web:
        page = web.get("/workspace/claim", params=query)
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert words in page.text and "nemo-skill open" in page.text
        for path in ("/workspace/claim/view", "/workspace/claim/video"):
            assert web.get(path, params=query).status_code == status


def test_an_expired_token_gets_a_410_page_and_opens_nothing(
    make_server: Factory, bodies: list[bytes]
) -> None:
    server = make_server(claim_ttl_s=0.5)
    api = Api(server, bodies)
    try:
        api.login()
        _sid, token = project(api, export=False)
        time.sleep(0.6)
        with anonymous(server) as web:
            page = web.get("/workspace/claim", params={"ct": token})
            assert page.status_code == 410
            assert "expired" in page.text and "nemo-skill open" in page.text
            assert "Hello" not in page.text  # nothing of the project
            view = web.get("/workspace/claim/view", params={"ct": token})
            assert view.status_code == 410 and "Hello" not in view.text
    finally:
        api.close()


def test_a_token_opens_one_project_only_and_survives_a_restart(
    make_server: Factory, bodies: list[bytes], tmp_path: Path
) -> None:
    server = make_server(tmp_path / "d", credits_new_user=1000)
    api = Api(server, bodies)
    try:
        api.login()
        _first_sid, first = project(api, 'animate this, 1 second, title "First one"', export=False)
        _second_sid, second = project(
            api, 'animate this, 1 second, title "Second one"', export=False
        )
    finally:
        api.close()
    server.stop()
    again = make_server(tmp_path / "d")
    with anonymous(again) as web:
        one = web.get("/workspace/claim/view", params={"ct": first}).json()
        two = web.get("/workspace/claim/view", params={"ct": second}).json()
    texts = [[s["text"] for t in v["timeline"]["tracks"] for s in t["segments"] if s["text"]]
             for v in (one, two)]  # fmt: skip
    assert texts == [["First one"], ["Second one"]]


def test_2001_on_the_embedded_backend_says_how_to_add_credits_offline(
    api: Api, server: LocalServer
) -> None:
    import shlex

    from nemo_skill.cli import STEPS
    from nemo_skill.errors import InsufficientCreditsError, Next, error_from_response

    sid = api.session()
    assert api.upload(sid, "a.jpg", jpeg_bytes()).status_code == 200
    assert api.turn(sid, "animate this, 1 second").status_code == 200  # 100 of 100
    refused = api.turn(sid, "regenerate the video")
    assert refused.status_code == 402
    body = refused.json()
    assert body["code"] == 2001
    assert body["message"] == "Not enough credits for this request (100 needed, 0 available)."
    hint = body["data"]["hint"]
    assert f"nemo-skill serve-local --add-credits 500 --data-dir {server.data_dir}" in hint
    error = error_from_response(402, body, user_id="anon_x")
    assert isinstance(error, InsufficientCreditsError)
    # The client names the top-up symbolically; the CLI words it as this command.
    command = "`nemo-skill serve-local --add-credits 500 --data-dir` "
    assert error.next == Next.TOP_UP and "register" not in error.hint
    assert command + shlex.quote(str(server.data_dir)) in error.worded_hint(STEPS)
    assert api.credits() == {"available": 0, "frozen": 0, "total": 0}


def test_serve_local_add_credits_tops_up_offline(
    api: Api, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from nemo_skill.cli import main

    assert api.credits()["available"] == 100
    code = main(
        ["--json", "serve-local", "--add-credits", "250", "--data-dir", str(server.data_dir)]
    )
    assert code == 0
    assert '"added": 250' in capsys.readouterr().out
    assert api.credits() == {
        "available": 350,
        "frozen": 0,
        "total": 350,
    }  # the running server sees it
    assert main(["serve-local", "--add-credits", "0", "--data-dir", str(server.data_dir)]) == 2
    missing = main(["serve-local", "--add-credits", "5", "--data-dir", str(server.data_dir / "no")])
    assert missing == 2
    assert "No embedded backend data" in capsys.readouterr().err
    assert api.credits()["available"] == 350
    assert not (server.data_dir / "no").exists()


def story_project(
    api: Api, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, dict[str, Any]]:
    """A session holding the hand-made three-photo story (an emoji in its title), a claim
    token for it, and the view its page draws (the CJK font only: the emoji is left out)."""
    from nemo_skill.local.engine import text as tx
    from tests.test_timeline import story

    monkeypatch.setenv(tx.SYSTEM_FONTS_ENV, "0")
    monkeypatch.setattr(tx, "FONT_PACKAGES", ("noto_cjk_sans_jp_bold",))  # no emoji font
    sid, _ = project(api, export=False)
    draft = story()
    draft["t"][2]["sg"][0]["text"] = "Summer trip 🌴"
    server._app.state.backend.store.push_draft(sid, draft)
    token = claim(api, sid)["claim_token"]
    with anonymous(server) as web:
        view = web.get("/workspace/claim/view", params={"ct": token})
    assert view.status_code == 200, view.text
    return token, view.json()


def test_the_view_has_a_block_per_photo_then_the_whole_clip(
    rich: tuple[Api, LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, server = rich
    _, view = story_project(api, server, monkeypatch)
    segments = view["timeline"]["segments"]
    assert [(s["name"], s["start"], s["end"], s["motion"]) for s in segments] == [
        ("beach.jpg", 0, 3, "kenburns"), ("city.jpg", 3, 6, "pan_left"), ("food.jpg", 6, 9, "zoom_in")
    ]  # fmt: skip
    assert segments[1]["transition"] == {"type": "crossfade", "duration": 0.5}
    assert [c["text"] for c in segments[1]["captions"]] == ["Downtown"]
    whole = view["timeline"]["whole_clip"]
    assert whole["music"] == [{"name": "Upbeat", "start": 0, "end": 9, "volume": 35, "bpm": 120}]
    title = whole["texts"][0]
    assert title["text"] == "Summer trip 🌴" and title["role"] == "title"
    assert title["notes"] == [
        'Note: emoji cannot be drawn in the video, so 🌴 were left out of the title "Summer trip 🌴".'
    ]
    assert segments[1]["captions"][0]["notes"] == []
