"""Which photos, in which order (nemo_skill/local/edits/photos.py): ids and content kept."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_skill.local.edits import EditError, Photo
from nemo_skill.local.edits.cuts import Transition
from nemo_skill.local.edits.photos import (
    InsertPhotos,
    MovePhoto,
    RemovePhoto,
    ReplacePhoto,
    SwapPhotos,
)
from nemo_skill.local.edits.text import Text
from nemo_skill.local.grammar import Target
from tests.local.edits.conftest import layout, run, video

NEW = (Photo("/files/n/new.jpg", "new.jpg", (640, 480)),)


def names(draft: dict[str, Any]) -> list[str]:
    return [s["name"] for s in video(draft)]


def test_remove_a_photo_and_its_caption(story: dict[str, Any]) -> None:
    captioned = run(story, Text(caption="Day 2", target=Target(place=2)))
    out = run(captioned, RemovePhoto(Target(place=2)))
    assert layout(out) == [("beach.jpg", 0, 3000), ("forest.jpg", 3000, 3000)]
    assert not [t for t in out["t"] if t["tt"] == 7]
    assert video(out)[1]["id"] == video(story)[2]["id"]


def test_the_only_photo_is_never_removed(story: dict[str, Any]) -> None:
    one = run(story, RemovePhoto(Target(place=1)), RemovePhoto(Target(place=1)))
    with pytest.raises(EditError) as refused:
        run(one, RemovePhoto(Target(place=1)))
    assert refused.value.key == "r_last_photo"


@pytest.mark.parametrize(
    ("edit", "order"),
    [(MovePhoto(Target(place=-1), "start"), ["forest.jpg", "beach.jpg", "city.jpg"]),
     (MovePhoto(Target(place=1), "end"), ["city.jpg", "forest.jpg", "beach.jpg"]),
     (MovePhoto(Target(place=1), "after", other=Target(place=2)), ["city.jpg", "beach.jpg", "forest.jpg"]),
     (MovePhoto(Target(place=3), "before", other=Target(place=2)), ["beach.jpg", "forest.jpg", "city.jpg"]),
     (MovePhoto(Target(name="beach"), "at", at=2), ["city.jpg", "beach.jpg", "forest.jpg"]),
     (SwapPhotos(Target(place=1), Target(place=3)), ["forest.jpg", "city.jpg", "beach.jpg"])],
)  # fmt: skip
def test_move_and_swap(story: dict[str, Any], edit: Any, order: list[str]) -> None:
    faded = run(story, Transition("crossfade"))
    out = run(faded, edit)
    assert names(out) == order
    assert [s["st"] for s in video(out)] == [0, 3000, 6000]
    assert "transition" not in video(out)[0]  # no cut before the first photo
    assert all(s["transition"]["type"] == "crossfade" for s in video(out)[1:])


def test_replace_keeps_the_place_timing_and_move(story: dict[str, Any]) -> None:
    out = run(story, ReplacePhoto(Target(place=2)), photos=NEW)
    old, new = video(story)[1], video(out)[1]
    assert (new["name"], new["src"]) == ("new.jpg", "/files/n/new.jpg")
    assert {k: v for k, v in new.items() if k not in ("name", "src")} == {
        k: v for k, v in old.items() if k not in ("name", "src")}  # fmt: skip


def test_insert_at_the_end_and_after_a_photo(story: dict[str, Any]) -> None:
    end = run(story, InsertPhotos("end"), photos=NEW)
    assert layout(end)[-1] == ("new.jpg", 9000, 3000)
    after = run(story, InsertPhotos("after", other=Target(place=1)), photos=NEW)
    assert names(after) == ["beach.jpg", "new.jpg", "city.jpg", "forest.jpg"]


def test_replace_or_insert_without_a_new_photo_asks_for_one(story: dict[str, Any]) -> None:
    for edit in (ReplacePhoto(Target(place=1)), InsertPhotos("end")):
        with pytest.raises(EditError) as refused:
            run(story, edit)
        assert refused.value.key == "r_need_photo"
