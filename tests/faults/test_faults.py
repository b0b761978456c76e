"""Every fault the backend can throw at the skill: right error, right retries, nothing broken.

The embedded backend runs behind :class:`FaultApp` on loopback; the client
uses an injected sleep, so retry waits are asserted, not slept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")

from nemo_skill import errors
from nemo_skill.client import NemoClient
from nemo_skill.events import ErrorEvent, TextEvent
from nemo_skill.local.app import LocalConfig, close_app, create_app
from nemo_skill.local.server import _uvicorn_server
from nemo_skill.settings import Settings
from tests.e2e.support import make_image
from tests.faults.faultapp import Fault, FaultApp

DRAFT = {"t": [{"tt": 0, "sg": [{"d": 1000}]}]}


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[tuple[str, FaultApp]]:
    app = create_app(
        tmp_path / "backend", config=LocalConfig(credits_new_user=10_000, default_long_side=160)
    )
    wrapped = FaultApp(app)
    server = _uvicorn_server(wrapped, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", wrapped
    server.should_exit = True
    thread.join(timeout=10)
    close_app(app)


@pytest.fixture
def client(
    faulty: tuple[str, FaultApp], tmp_path: Path
) -> Iterator[tuple[NemoClient, FaultApp, list[float]]]:
    url, app = faulty
    waits: list[float] = []
    c = NemoClient(
        Settings(api_url=url, state_dir=tmp_path / "state"), sleep=waits.append, timeout=2.0
    )
    c.authenticate()
    yield c, app, waits
    c.close()


def session(c: NemoClient) -> str:
    return c.create_session().session_id


@pytest.mark.parametrize(
    ("status", "code", "headers", "exc", "hint_word"),
    [
        (404, 1002, {}, errors.SessionNotFoundError, "new session"),
        (402, 2001, {}, errors.InsufficientCreditsError, "register?bind=anon_"),
        (415, 4001, {}, errors.UnsupportedFileError, "jpg"),
        (413, 4002, {}, errors.FileTooLargeError, "200 MB"),
        (402, 402, {}, errors.PlanRequiredError, "upgrade"),
    ],
)
def test_backend_codes_on_state_become_clear_errors(
    client: tuple[NemoClient, FaultApp, list[float]],
    status: int,
    code: int,
    headers: dict[str, str],
    exc: type[errors.NemoError],
    hint_word: str,
) -> None:
    c, app, _ = client
    sid = session(c)
    app.add("GET", "/api/state/", Fault("code", status=status, code=code, headers=headers))
    with pytest.raises(exc) as info:
        c.state(sid)
    assert hint_word.lower() in info.value.hint.lower()
    assert app.counts[f"GET /api/state/nemo_agent/me/{sid}/latest"] == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_idempotent_get_is_retried_twice_then_fails(
    client: tuple[NemoClient, FaultApp, list[float]], status: int
) -> None:
    c, app, waits = client
    app.add("GET", "/api/credits", Fault("code", status=status))
    with pytest.raises(errors.ServerError):
        c.credits()
    assert app.counts["GET /api/credits/balance/simple"] == 3
    assert len(waits) == 2


def test_transient_5xx_then_success(client: tuple[NemoClient, FaultApp, list[float]]) -> None:
    c, app, _ = client
    app.add("GET", "/api/credits", Fault("code", status=503, times=2))
    assert c.credits().available == 10_000
    assert app.counts["GET /api/credits/balance/simple"] == 3


@pytest.mark.parametrize(
    ("headers", "expected"), [({"Retry-After": "7"}, [7.0, 7.0]), ({}, [30.0, 30.0])]
)
def test_429_honours_retry_after(
    client: tuple[NemoClient, FaultApp, list[float]], headers: dict[str, str], expected: list[float]
) -> None:
    c, app, waits = client
    app.add("GET", "/api/credits", Fault("code", status=429, code=429, headers=headers))
    with pytest.raises(errors.RateLimitError):
        c.credits()
    assert waits == expected


@pytest.mark.parametrize(
    ("method", "path", "call"),
    [
        ("POST", "/api/render/proxy/lambda", lambda c, sid: c.submit_render(sid, DRAFT)),
        ("POST", "/run_sse", lambda c, sid: list(c.run_sse(sid, "add music"))),
        ("POST", "/api/upload-video/", lambda c, sid: c.upload_urls(sid, ["file:///x.jpg"])),
    ],
)
@pytest.mark.parametrize("status", [500, 502, 503])
def test_work_creating_posts_are_never_resent(
    client: tuple[NemoClient, FaultApp, list[float]], method: str, path: str, call: Any, status: int
) -> None:
    c, app, waits = client
    sid = session(c)
    app.add(method, path, Fault("code", status=status))
    with pytest.raises(errors.ServerError):
        call(c, sid)
    assert sum(n for key, n in app.counts.items() if key.startswith(f"{method} {path}")) == 1
    assert waits == []


def test_hanging_get_times_out_and_is_retried(
    client: tuple[NemoClient, FaultApp, list[float]],
) -> None:
    c, app, _ = client
    app.add("GET", "/api/credits", Fault("hang", seconds=3.0))
    with pytest.raises(errors.RequestTimeoutError):
        c.credits()
    assert app.counts["GET /api/credits/balance/simple"] == 3


def test_malformed_json_is_a_protocol_error(
    client: tuple[NemoClient, FaultApp, list[float]],
) -> None:
    c, app, _ = client
    app.add("GET", "/api/credits", Fault("bad_json"))
    with pytest.raises(errors.ProtocolError):
        c.credits()


def test_unexpected_render_status_is_a_protocol_error(
    client: tuple[NemoClient, FaultApp, list[float]],
) -> None:
    c, app, _ = client
    app.add("GET", "/api/render/proxy/lambda/", Fault("render_status", value="exploded"))
    with pytest.raises(errors.ProtocolError):
        c.render_status("render_1")


def test_sse_closed_mid_event_raises_stream_interrupted_once(
    client: tuple[NemoClient, FaultApp, list[float]],
) -> None:
    c, app, _ = client
    sid = session(c)
    app.add("POST", "/run_sse", Fault("sse_cut"))
    seen: list[Any] = []
    with pytest.raises(errors.StreamInterruptedError):
        for event in c.run_sse(sid, "add music"):
            seen.append(event)
    assert seen == [TextEvent("Working on it.")]
    assert app.counts["POST /run_sse"] == 1


def test_truncated_sse_frame_is_a_protocol_event(
    client: tuple[NemoClient, FaultApp, list[float]],
) -> None:
    c, app, _ = client
    sid = session(c)
    app.add("POST", "/run_sse", Fault("sse_truncated"))
    events = list(c.run_sse(sid, "add music"))
    assert isinstance(events[0], TextEvent)
    assert isinstance(events[-1], ErrorEvent) and events[-1].protocol


def test_missing_client_id_answer_makes_a_new_client_id(
    faulty: tuple[str, FaultApp], tmp_path: Path
) -> None:
    url, app = faulty
    app.add("POST", "/api/auth/anonymous-token", Fault("code", status=400, code=400, times=1))
    c = NemoClient(Settings(api_url=url, state_dir=tmp_path / "s2"), sleep=lambda s: None)
    first_id = (
        (tmp_path / "s2" / "client_id").read_text()
        if (tmp_path / "s2" / "client_id").exists()
        else None
    )
    c.authenticate()
    assert app.counts["POST /api/auth/anonymous-token"] == 2
    assert (tmp_path / "s2" / "client_id").read_text() != first_id
    c.close()


def test_cli_export_with_failing_render_leaves_no_partial_file(
    faulty: tuple[str, FaultApp], tmp_path: Path
) -> None:
    from tests.e2e.support import Cli

    url, app = faulty
    work = tmp_path / "w"
    work.mkdir()
    cli = Cli(url, tmp_path / "state", work)
    photo = make_image(work / "p.jpg")
    assert (
        cli("chat", "turn this image into a 1-second animated video clip", "-f", str(photo)).code
        == 0
    )
    app.add("GET", "/api/render/proxy/", Fault("render_status", value="failed"))
    result = cli("--json", "export", "-o", str(work / "out.mp4"))
    assert result.code == 15, result.out + result.err
    assert "render_failed" in result.out
    assert not list(work.glob("*.mp4")) and not list(work.glob(".*part*"))
    for state_file in (tmp_path / "state").glob("*.json"):
        json.loads(state_file.read_text())  # never corrupt
    assert "render_id" not in json.loads((tmp_path / "state" / "sessions.json").read_text()).get(
        "local", {}
    )


# --- token recovery, as real processes ------------------------------------------------------

WEEK_MINUS_A_DAY = str(6 * 24 * 3600)


def cli_process(url: str, state: Path, cwd: Path, *args: str) -> subprocess.Popen[str]:
    """``nemo-skill --api-url URL ARGS`` as its own process (no NEMO_TOKEN, no NEMO_CLIENT_ID)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NEMO_TOKEN", "NEMO_CLIENT_ID")}
    argv = [sys.executable, "-m", "nemo_skill.cli", "--api-url", url, "--state-dir", str(state)]
    return subprocess.Popen([*argv, *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    # Bounded well under the 60 s the client used to wait before failing.
    out, err = proc.communicate(timeout=45)
    return proc.returncode, out, err


@pytest.mark.parametrize("damage", ["deleted", "corrupt"])
def test_cloud_429_on_a_lost_token_cache_fails_at_once_saying_why_and_what_to_do(
    faulty: tuple[str, FaultApp], tmp_path: Path, damage: str
) -> None:
    """A cloud-like backend that keeps the 7-day rule: the command fails fast and says why."""
    url, app = faulty
    state, work = tmp_path / "state", tmp_path
    code, out, err = finish(cli_process(url, state, work, "--json", "credits"))
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in state.iterdir() if p.name != "token.json"}
    token_file = state / "token.json"
    token_file.unlink() if damage == "deleted" else token_file.write_text('{"trunc')
    app.add("POST", "/api/auth/anonymous-token",
            Fault("code", status=429, code=429, headers={"Retry-After": WEEK_MINUS_A_DAY}))  # fmt: skip
    app.counts.clear()
    code, out, err = finish(cli_process(url, state, work, "credits"))
    assert code == 10, out + err
    assert app.counts["POST /api/auth/anonymous-token"] == 1  # refused once, never re-asked
    why = "is missing" if damage == "deleted" else "is damaged"
    assert f"the token cache {token_file} {why}" in err
    assert "one free anonymous token per client id every 7 days" in err
    assert "Set NEMO_TOKEN" in err and "NEMO_CLIENT_ID" in err
    days = {time.strftime("%Y-%m-%d", time.gmtime(time.time() + int(WEEK_MINUS_A_DAY) + s))
            for s in (-120, 0)}  # fmt: skip
    assert any(f"try again after {day}" in err for day in days), err  # the backend's advice
    assert "Traceback" not in err
    # Nothing the user had is lost: the client id and the projects are as they were.
    assert {p.name: p.read_bytes() for p in state.iterdir() if p.name != "token.json"} == before


AUTH_AT_ONCE = """
import sys, time
from pathlib import Path
from nemo_skill.client import NemoClient
from nemo_skill.settings import Settings
client = NemoClient(Settings(api_url=sys.argv[1], state_dir=Path(sys.argv[2])))
Path(sys.argv[3] + "." + sys.argv[4]).touch()  # ready
while not Path(sys.argv[3]).exists():  # every process is ready, then all go at once
    time.sleep(0.001)
client.authenticate()
print(client.user_id)
"""


def test_first_use_from_commands_at_once_makes_one_user(
    faulty: tuple[str, FaultApp], tmp_path: Path
) -> None:
    """Four processes authenticate at the same instant on an empty state dir: one client id,
    one token asked for (the cloud would refuse a second one for 7 days)."""
    url, app = faulty
    state, go = tmp_path / "state", tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", AUTH_AT_ONCE, url, str(state), str(go), str(n)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]  # fmt: skip
    for _ in range(3000):  # bounded: until the four are ready (imports done)
        if len(list(tmp_path.glob("go.*"))) == 4:
            break
        time.sleep(0.01)
    go.touch()
    answers = [p.communicate(timeout=45) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, answers
    assert len({out.strip() for out, _ in answers}) == 1  # one user
    assert app.counts["POST /api/auth/anonymous-token"] == 1
    assert len((state / "client_id").read_text().split()) == 1
    code, out, _ = finish(cli_process(url, state, tmp_path, "--json", "auth"))
    assert code == 0 and json.loads(out)["user_id"] == answers[0][0].strip()  # the CLI agrees
