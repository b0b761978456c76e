"""Stories over HTTP: the photos of a message are those uploaded since the previous turn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nemo_skill.local import agent
from nemo_skill.local.engine.audio import STYLES
from nemo_skill.local.store import StoredFile
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


# --- the agent's decisions (plan_turn, what /run_sse runs) -------------------------------


def stored(count: int) -> list[StoredFile]:
    return [StoredFile("s", "u", f"{i + 1:064x}", f"p{i}.jpg", "image", 1, 800, 600)
            for i in range(count)]  # fmt: skip


def plan(text: str, draft: dict[str, Any] | None, new: list[StoredFile], lang: str = "en") -> Any:
    return agent.plan_turn(text, draft, new, cost_generate=100, cost_edit=50, long_side=320,
                           source_url=lambda f: f"/files/{f.sha256}/{f.name}", language=lang,
                           new_files=new)  # fmt: skip


def video(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for t in draft["t"] if t["tt"] == 0 for s in t["sg"]]


@pytest.mark.parametrize("style", list(STYLES))
def test_twelve_photos_cut_to_the_beat_in_every_style(style: str) -> None:
    made = plan(f"turn these photos into a clip with {style} music, cut to the beat", None,
                stored(12))  # fmt: skip
    assert (made.kind, made.cost) == ("generate", 100)
    photos = video(made.new_draft)
    music = next(s for t in made.new_draft["t"] if t["tt"] == 1 for s in t["sg"])
    assert len(photos) == 12 and music["bpm"] == STYLES[style]["bpm"]
    beat = 60000 / music["bpm"]
    for seg in photos[1:]:
        beats = (seg["st"] - music["st"]) / beat
        assert abs(beats - round(beats)) * beat <= 1000 / 30
    assert [s["st"] for s in photos[1:]] == [s["st"] + s["d"] for s in photos[:-1]]


@pytest.mark.parametrize(
    ("lang", "text", "words"),
    [("en", "make the second photo 4 seconds", "the second photo last 4 s"),
     ("zh", "第二张改成4秒", "第2张照片时长改为 4 秒"),
     ("es", "que la segunda foto dure 4 segundos", "la segunda foto dure 4 s"),
     ("fr", "la deuxième photo doit durer 4 secondes", "la deuxième photo sur 4 s"),
     ("de", "das zweite Foto 4 Sekunden", "das zweite Foto dauert jetzt 4 s"),
     ("ja", "2枚目を4秒にして", "2枚目の写真を4秒にしました")],
)  # fmt: skip
def test_replies_say_what_changed_per_photo(lang: str, text: str, words: str) -> None:
    story = plan("make a video from these photos", None, stored(3)).new_draft
    edited = plan(text, story, [], lang)
    assert edited.kind == "edit" and words in edited.reply, edited.reply
    assert [s["d"] for s in video(edited.new_draft)] == [3000, 4000, 3000]


def test_each_photo_named_in_the_reply_is_the_one_its_edit_changed() -> None:
    """A message that sets a length and then moves photos: the reply names the photo the
    length edit changed (it was the second when that edit ran), not the one that is second
    after the move."""
    story = plan("make a video from these photos", None, stored(3)).new_draft
    names = [s["name"] for s in video(story)]
    edited = plan("make the second photo 4 seconds and put the last one first", story, [])
    photos = video(edited.new_draft)
    assert [(s["name"], s["d"]) for s in photos] == [
        (names[2], 3000), (names[0], 3000), (names[1], 4000)]  # fmt: skip
    assert "the second photo last 4 s" in edited.reply, edited.reply
    assert "last 3 s" not in edited.reply, edited.reply


def test_a_new_take_of_a_story_keeps_its_photos_and_timing() -> None:
    story = plan("make a video from these photos with crossfades", None, stored(3)).new_draft
    longer = plan("make the second photo 5 seconds", story, []).new_draft
    again = plan("do it again with a fresh take", longer, [])
    assert (again.kind, again.cost) == ("generate", 100)
    old, new = video(longer), video(again.new_draft)
    assert [(s["name"], s["st"], s["d"]) for s in new] == [
        (s["name"], s["st"], s["d"]) for s in old
    ]
    assert {s["id"] for s in new}.isdisjoint({s["id"] for s in old})
    assert [s.get("transition") for s in new] == [s.get("transition") for s in old]


def test_more_photos_than_fit_and_unknown_photos_are_asked_for_free() -> None:
    asked = plan("make a video from these photos", None, stored(31))
    assert (asked.kind, asked.cost, asked.new_draft) == ("ask", 0, None)
    assert "30" in asked.reply
    story = plan("make a video from these photos", None, stored(3)).new_draft
    unknown = plan("remove the fifth photo", story, [])
    assert (unknown.kind, unknown.cost) == ("ask", 0) and "3" in unknown.reply
    only = plan("make a video", None, stored(1)).new_draft
    last = plan("remove the first photo", only, [])
    assert (last.kind, last.cost) == ("ask", 0)


def test_one_message_edits_two_photos_for_one_charge() -> None:
    story = plan("make a video from these photos", None, stored(3)).new_draft
    both = plan("zoom in on the first photo and make the last one 5 seconds", story, [])
    assert (both.kind, both.cost) == ("edit", 50)
    photos = video(both.new_draft)
    assert [(s["motion"], s["d"]) for s in photos] == [
        ("zoom_in", 3000), ("kenburns", 3000), ("kenburns", 5000)]  # fmt: skip
    assert "the first photo" in both.reply and "the third photo" in both.reply


def test_use_this_photo_instead_replaces_the_only_photo_or_asks_which() -> None:
    new = StoredFile("s", "u", "f" * 64, "new.jpg", "image", 1, 640, 480)
    single = plan("animate this with calm music", None, stored(1)).new_draft
    swapped = plan("use this photo instead", single, [new])
    assert (swapped.kind, swapped.cost) == ("edit", 50)
    assert [s["name"] for s in video(swapped.new_draft)] == ["new.jpg"]
    assert any(t["tt"] == 1 for t in swapped.new_draft["t"])  # the music stays
    story = plan("make a video from these photos", None, stored(3)).new_draft
    which = plan("use this photo instead", story, [new])
    assert (which.kind, which.cost) == ("ask", 0)


def test_photos_sent_with_a_question_stay_for_the_next_message(api: Api) -> None:
    sid = api.session()
    for i in range(3):
        assert api.upload(sid, f"p{i}.jpg", jpeg_bytes(seed=i + 1)).status_code == 200
    turn(api, sid, "what music styles do you have?")  # answered: the photos are not taken
    turn(api, sid, "make a video from these photos")
    assert photos(api, sid) == ["p0.jpg", "p1.jpg", "p2.jpg"]
    turn(api, sid, "make the second photo 4 seconds")  # no new photos: an edit of the story
    draft = api.state(sid)["state"]["draft"]
    assert [s["d"] for t in draft["t"] if t["tt"] == 0 for s in t["sg"]] == [3000, 4000, 3000]


def test_several_new_photos_with_settings_only_make_a_new_story() -> None:
    old = plan("make a video from these photos", None, stored(1)).new_draft
    fresh = [StoredFile("s", "u", f"{i:064x}", f"n{i}.jpg", "image", 1, 640, 480) for i in (7, 8)]
    made = plan("9:16 with crossfades", old, fresh)
    assert (made.kind, made.cost) == ("generate", 100)
    assert [s["name"] for s in video(made.new_draft)] == ["n7.jpg", "n8.jpg"]
    assert made.new_draft["m"]["aspect"] == "9:16"


def test_a_photo_already_on_screen_sent_to_be_placed_is_placed_again() -> None:
    photos = stored(2)
    story = plan("make a video from these photos", None, photos).new_draft
    added = plan("add this photo at the end", story, [photos[0]])
    assert (added.kind, added.cost) == ("edit", 50)
    assert [s["name"] for s in video(added.new_draft)] == ["p0.jpg", "p1.jpg", "p0.jpg"]
    replaced = plan("replace the second photo with this one", story, [photos[0]])
    assert [s["name"] for s in video(replaced.new_draft)] == ["p0.jpg", "p0.jpg"]
    again = plan("asdfgh qwerty", story, [photos[0]])  # sent again, nothing placed: no change
    assert (again.kind, again.cost, again.new_draft) == ("ask", 0, None)
