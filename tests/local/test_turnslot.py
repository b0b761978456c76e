"""The turn slot: one turn per session, its frozen credits always settled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from nemo_skill.errors import ErrorCode
from nemo_skill.local.http import BackendError
from nemo_skill.local.store import Store
from nemo_skill.local.turnslot import TurnSlot
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
    uid, locks = _uid(store), {}
    with TurnSlot(store, locks, "s1", uid):
        with pytest.raises(BackendError) as busy, TurnSlot(store, locks, "s1", uid):
            pass
        assert (busy.value.code, busy.value.status) == (ErrorCode.RATE_LIMITED, 429)
        assert busy.value.headers == {"Retry-After": "5"}
        with TurnSlot(store, locks, "s2", uid):  # other sessions are not held up
            pass
    with TurnSlot(store, locks, "s1", uid):  # released on exit
        pass


@pytest.mark.parametrize(("spent", "after"), [(True, (40.0, 0.0)), (False, (100.0, 0.0))])
def test_leaving_settles_the_hold(store: Store, spent: bool, after: tuple[float, float]) -> None:
    uid = _uid(store)
    with TurnSlot(store, {}, "s1", uid) as slot:
        slot.freeze(60)
        assert _credits(store, uid) == (40, 60)
        slot.spent = spent
    assert _credits(store, uid) == after
    assert store.count("turn_holds") == 0


def test_an_error_inside_the_turn_refunds_and_unlocks(store: Store) -> None:
    uid, locks = _uid(store), {}
    with pytest.raises(OSError), TurnSlot(store, locks, "s1", uid) as slot:
        slot.freeze(60)
        raise OSError("client went away")
    assert _credits(store, uid) == (100, 0)
    assert not locks["s1"].locked()


def test_short_credits_are_2001_with_nothing_held(store: Store) -> None:
    uid, locks = _uid(store, credits=30), {}
    with pytest.raises(BackendError) as short, TurnSlot(store, locks, "s1", uid) as slot:
        slot.freeze(50)
    assert (short.value.code, short.value.status) == (ErrorCode.INSUFFICIENT_CREDITS, 402)
    assert "Not enough credits" in short.value.message
    assert _credits(store, uid) == (30, 0)
    assert not locks["s1"].locked()


def test_a_hold_left_by_a_killed_process_is_refunded_on_start(tmp_path: Any) -> None:
    from nemo_skill.local.app import close_app, create_app

    crashed = Store(tmp_path / "data")
    uid = _uid(crashed)
    assert crashed.hold_for_turn(uid, "s1", 60)
    crashed.close()  # never settled: the process died mid-turn
    app = create_app(tmp_path / "data")
    try:
        store: Store = app.state.backend.store
        assert _credits(store, uid) == (100, 0)
        assert store.count("turn_holds") == 0
    finally:
        close_app(app)
