"""Stories over HTTP: the photos of a message are those uploaded since the previous turn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.local.conftest import Api, Factory, jpeg_bytes
from tests.local.test_contract import events


@pytest.fixture
def api(make_server: Factory, bodies: list[bytes]) -> Iterator[Api]:
    """A logged-in client with credits for a few turns."""
    client = Api(make_server(credits_new_user=1000), bodies)
    client.login()
    yield client
    client.close()


def turn(api: Api, sid: str, text: str) -> list[dict[str, Any]]:
    response = api.turn(sid, text)
    assert response.status_code == 200, response.text
    return [p for e in events(response) for p in e["content"]["parts"]]


def photos(api: Api, sid: str) -> list[str]:
    draft = api.state(sid)["state"]["draft"]
    return [s["name"] for t in draft["t"] if t["tt"] == 0 for s in t["sg"]]


def test_a_story_then_edits_aimed_at_photos(api: Api) -> None:
    sid = api.session()
    for i, name in enumerate(("p1.jpg", "p2.jpg", "p3.jpg")):
        assert api.upload(sid, name, jpeg_bytes((200 + i * 40, 150), seed=i)).status_code == 200
    start = api.credits()["available"]
    turn(api, sid, "turn these three photos into one 9-second clip with crossfades")
    assert photos(api, sid) == ["p1.jpg", "p2.jpg", "p3.jpg"]
    assert start - api.credits()["available"] == 100  # one charge for the whole story
    turn(api, sid, "put the last photo first")
    assert photos(api, sid) == ["p3.jpg", "p1.jpg", "p2.jpg"]
    assert api.upload(sid, "p4.jpg", jpeg_bytes(seed=9)).status_code == 200
    turn(api, sid, "add this photo at the end")
    assert photos(api, sid) == ["p3.jpg", "p1.jpg", "p2.jpg", "p4.jpg"]
    assert start - api.credits()["available"] == 200


def test_the_same_photo_sent_again_with_an_unclear_message_changes_nothing(api: Api) -> None:
    sid = api.session()
    assert api.upload(sid, "p.jpg", jpeg_bytes()).status_code == 200
    turn(api, sid, 'animate this with calm music and the title "Hi"')
    before, balance = api.state(sid)["state"]["draft"], api.credits()["available"]
    for text in ("asdfgh qwerty", "🙂"):
        assert api.upload(sid, "p.jpg", jpeg_bytes()).status_code == 200  # the same content
        parts = turn(api, sid, text)
        assert any(p.get("functionCall", {}).get("name") == "ask_question" for p in parts)
        assert api.state(sid)["state"]["draft"] == before
        assert api.credits()["available"] == balance


def test_numbers_out_of_range_are_asked_back_for_free(api: Api) -> None:
    sid = api.session()
    assert api.upload(sid, "p.jpg", jpeg_bytes()).status_code == 200
    turn(api, sid, "animate this")
    before, balance = api.state(sid)["state"]["draft"], api.credits()["available"]
    for text, words in (("make it 0 seconds", "60"), ("make it -5 seconds", "60"),
                        ("1000 fps", "24, 25, 30 or 60")):  # fmt: skip
        parts = turn(api, sid, text)
        asked = [p["functionCall"] for p in parts if "functionCall" in p]
        assert asked and asked[0]["name"] == "ask_question", parts
        assert words in asked[0]["args"]["question"]
        assert api.state(sid)["state"]["draft"] == before
        assert api.credits()["available"] == balance
