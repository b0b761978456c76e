"""The turn slot: one turn per session, its frozen credits always settled."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nemo_skill.errors import ErrorCode
from nemo_skill.local.http import BackendError
from nemo_skill.local.store import Store
from nemo_skill.local.turnslot import BUSY_MESSAGE, TurnSlot
from tests.local.conftest import Api, Factory, jpeg_bytes


def _raw_turn(app: Any, token: str, sid: str, text: str) -> list[dict[str, Any]]:
    """POST /run_sse straight into the ASGI app; the client is gone at ``http.response.start``."""
    body = json.dumps(
        {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": sid,
            "new_message": {"role": "user", "parts": [{"text": text}]},
        }
    ).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/run_sse",
        "raw_path": b"/run_sse",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client never says anything more
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.start":
            raise OSError("client went away")

    async def call() -> None:
        await asyncio.wait_for(app(scope, receive, send), timeout=30)

    with pytest.raises(OSError, match="client went away"):
        asyncio.run(call())
    return sent


def test_turn_whose_response_never_starts_releases_lock_and_credits(
    make_server: Factory, bodies: list[bytes], tmp_path: Any
) -> None:
    data = tmp_path / "data"
    server = make_server(data, credits_new_user=1000)
    api = Api(server, bodies)
    try:
        api.login()
        assert api.token is not None
        sid = api.session()
        assert api.upload(sid, "photo.jpg", jpeg_bytes()).status_code == 200

        sent = _raw_turn(server._app, api.token, sid, "animate this, 1 second")
        assert [m["type"] for m in sent] == ["http.response.start"]
        # Nothing was done for the vanished client: nothing charged, nothing held.
        assert api.credits() == {"available": 1000, "frozen": 0, "total": 1000}
        assert api.state(sid)["state"]["draft"] == {}

        again = api.turn(sid, "animate this, 1 second")  # not 429: the slot was released
        assert again.status_code == 200, again.text
        assert b'"generate_video"' in again.content
        assert api.credits() == {"available": 900, "frozen": 0, "total": 900}

        _raw_turn(server._app, api.token, sid, "make it 9:16")
    finally:
        api.close()
    server.stop()
    restarted = make_server(data, credits_new_user=1000)
    again_api = Api(restarted, bodies)
    try:
        again_api.token = api.token
        assert again_api.credits() == {"available": 900, "frozen": 0, "total": 900}
        assert again_api.turn(sid, "make it 1:1").status_code == 200
        assert again_api.credits() == {"available": 850, "frozen": 0, "total": 850}
    finally:
        again_api.close()


@pytest.fixture
def store(tmp_path: Any) -> Iterator[Store]:
    db = Store(tmp_path / "slot")
    yield db
    db.close()


def _credits(store: Store, uid: str) -> tuple[float, float]:
    user = store.user(uid)
    assert user is not None
    return user.available, user.frozen


def _uid(store: Store, credits: float = 100) -> str:
    return store.issue_anonymous_token("slot-client", credits, ttl_s=3600)[1].user_id


def test_a_second_turn_in_the_same_session_is_busy(store: Store) -> None:
    uid = _uid(store)
    with TurnSlot(store, "s1", uid):
        with pytest.raises(BackendError) as busy, TurnSlot(store, "s1", uid):
            pass
        assert (busy.value.code, busy.value.status) == (ErrorCode.RATE_LIMITED, 429)
        assert busy.value.headers == {"Retry-After": "5"}
        assert busy.value.message == BUSY_MESSAGE
        with TurnSlot(store, "s2", uid):  # other sessions are not held up
            pass
    with TurnSlot(store, "s1", uid):  # released on exit
        pass
    assert store.count("turn_holds") == 0


def test_busy_comes_before_credits(store: Store) -> None:
    """The first turn holds every credit; the second is told "busy", not "not enough credits"."""
    uid = _uid(store, credits=100)
    with TurnSlot(store, "s1", uid) as first:
        first.freeze(100)
        with pytest.raises(BackendError) as busy, TurnSlot(store, "s1", uid) as second:
            second.freeze(50)
        assert busy.value.code == ErrorCode.RATE_LIMITED
        assert _credits(store, uid) == (0, 100)  # the refused turn moved nothing
    assert _credits(store, uid) == (100, 0)


@pytest.mark.parametrize(("spent", "after"), [(True, (40.0, 0.0)), (False, (100.0, 0.0))])
def test_leaving_settles_the_hold(store: Store, spent: bool, after: tuple[float, float]) -> None:
    uid = _uid(store)
    with TurnSlot(store, "s1", uid) as slot:
        slot.freeze(60)
        assert _credits(store, uid) == (40, 60)
        slot.spent = spent
    assert _credits(store, uid) == after
    assert store.count("turn_holds") == 0


def test_an_error_inside_the_turn_refunds_and_frees_the_slot(store: Store) -> None:
    uid = _uid(store)
    with pytest.raises(OSError), TurnSlot(store, "s1", uid) as slot:
        slot.freeze(60)
        raise OSError("client went away")
    assert _credits(store, uid) == (100, 0)
    assert store.count("turn_holds") == 0


def test_short_credits_are_2001_with_nothing_held(store: Store) -> None:
    uid = _uid(store, credits=30)
    with pytest.raises(BackendError) as short, TurnSlot(store, "s1", uid) as slot:
        slot.freeze(50)
    assert (short.value.code, short.value.status) == (ErrorCode.INSUFFICIENT_CREDITS, 402)
    assert "Not enough credits" in short.value.message
    assert _credits(store, uid) == (30, 0)
    assert store.count("turn_holds") == 0


HOLDER = """
import sys
from pathlib import Path
from nemo_skill.local.store import Store
from nemo_skill.local.turnslot import BUSY_MESSAGE, TurnSlot
store = Store(Path(sys.argv[1]))
with TurnSlot(store, sys.argv[2], sys.argv[3]) as slot:
    slot.freeze(float(sys.argv[4]))
    print("holding", flush=True)
    sys.stdin.readline()  # until the test says so
    slot.spent = True
"""


def test_a_turn_running_in_another_process_is_busy_not_short_of_credits(
    make_server: Factory, bodies: list[bytes], tmp_path: Any
) -> None:
    """Two processes on one data folder: the slot is the database's, not one process's."""
    data = tmp_path / "data"
    server = make_server(data, credits_new_user=100)
    api = Api(server, bodies)
    try:
        user_id = api.login()["user_id"]
        sid = api.session()
        assert api.upload(sid, "photo.jpg", jpeg_bytes()).status_code == 200
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(data), sid, user_id, "100"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
            busy = api.turn(sid, "animate this, 1 second")
            assert busy.status_code == 429, busy.text
            assert busy.json()["message"] == BUSY_MESSAGE
            assert api.credits() == {"available": 0, "frozen": 100, "total": 100}
        finally:
            holder.communicate("done\n", timeout=30)
        assert holder.returncode == 0
        assert api.credits() == {"available": 0, "frozen": 0, "total": 0}  # the holder's turn
        assert api.state(sid)["state"]["draft"] == {}  # the refused turn changed nothing
    finally:
        api.close()


def test_a_hold_left_by_a_killed_process_is_refunded_on_start(tmp_path: Any) -> None:
    from nemo_skill.local.app import close_app, create_app

    crashed = Store(tmp_path / "data")
    uid = _uid(crashed)
    assert crashed.begin_turn(uid, "s1") and crashed.freeze_turn("s1", 60)
    crashed.close()  # never settled: the process died mid-turn
    app = create_app(tmp_path / "data")
    try:
        store: Store = app.state.backend.store
        assert _credits(store, uid) == (100, 0)
        assert store.count("turn_holds") == 0
        with TurnSlot(store, "s1", uid):  # the slot is free again
            pass
    finally:
        close_app(app)


# --- real processes: two `nemo-skill --api-url local chat` at once -------------------------


def _cli(state: Path, cwd: Path, *args: str) -> subprocess.Popen[str]:
    """``nemo-skill --api-url local ARGS`` as its own process on the shared data folder."""
    argv = [sys.executable, "-m", "nemo_skill.cli", "--api-url", "local", "--state-dir", str(state)]
    return subprocess.Popen(
        [*argv, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=120)
    return proc.returncode, out


def _credits_json(state: Path, cwd: Path) -> dict[str, Any]:
    code, out = _finish(_cli(state, cwd, "--json", "credits"))
    assert code == 0, out
    return dict(json.loads(out))


def test_two_chats_at_once_one_is_busy_never_short_of_credits(tmp_path: Path) -> None:
    """Two CLI processes send a turn to one session at the same time.

    Each either does its edit (charged 50) or is told the session is busy
    (exit 10, nothing charged); "Not enough credits" never appears, and the
    draft and the balance agree with the chats that succeeded.
    """
    state, work = tmp_path / "state", tmp_path / "work"
    work.mkdir()
    (work / "photo.jpg").write_bytes(jpeg_bytes((320, 180)))
    code, out = _finish(_cli(state, work, "chat", "-f", "photo.jpg", "animate this, 1 second"))
    assert code == 0, out
    start = _credits_json(state, work)["available"]
    done: list[int] = []  # seconds asked by the chats that succeeded, in order of pairs
    busy = 0
    for pair in range(4):  # bounded: stop once the two turns have overlapped
        asked = (2 + 2 * pair, 3 + 2 * pair)  # every chat asks for a new length: a paid edit
        procs = [_cli(state, work, "chat", f"make it {s} seconds") for s in asked]
        for seconds, (code, out) in zip(asked, map(_finish, procs), strict=True):
            assert "credits" not in out.lower(), out
            assert code in (0, 10), out
            if code == 10:
                busy += 1
                assert "A turn is already running in this session" in out, out
            else:
                done.append(seconds)
        if busy:
            break
    assert busy == 1, "the two chats never overlapped"
    balance = _credits_json(state, work)
    assert (balance["available"], balance["frozen"]) == (start - 50 * len(done), 0)
    code, out = _finish(_cli(state, work, "--json", "state"))
    assert code == 0, out
    assert json.loads(out)["timeline"]["duration"] == done[-1]  # the busy chat changed nothing
