"""The first draft of one photo or several (nemo_skill/local/edits/story.py)."""

from __future__ import annotations

import pytest

from nemo_skill.local.edits import EditError, Photo
from nemo_skill.local.edits.story import MAX_PHOTOS, story_draft
from tests.local.edits.conftest import layout


def photos(count: int) -> list[Photo]:
    return [Photo(f"/files/{i}/p{i}.jpg", f"p{i}.jpg", (800, 600) if i % 2 else (600, 900))
            for i in range(count)]  # fmt: skip


def test_defaults_one_photo_five_seconds_several_three_each() -> None:
    assert layout(story_draft(photos(1))) == [("p0.jpg", 0, 5000)]
    assert layout(story_draft(photos(3))) == [("p0.jpg", 0, 3000), ("p1.jpg", 3000, 3000),
                                              ("p2.jpg", 6000, 3000)]  # fmt: skip


def test_many_photos_fit_in_sixty_seconds_at_two_each() -> None:
    twelve = story_draft(photos(12))
    assert sum(d for _, _, d in layout(twelve)) == 36000
    most = story_draft(photos(MAX_PHOTOS))
    assert sum(d for _, _, d in layout(most)) <= 60000
    assert min(d for _, _, d in layout(most)) >= 2000


def test_more_photos_than_fit_are_refused() -> None:
    with pytest.raises(EditError) as refused:
        story_draft(photos(MAX_PHOTOS + 1))
    assert refused.value.fields == {"max": MAX_PHOTOS, "count": MAX_PHOTOS + 1}


def test_the_canvas_follows_the_first_photo_and_frames_the_rest() -> None:
    draft = story_draft(photos(2), 320)  # p0 is portrait
    assert draft["m"]["aspect"] == "original" and draft["m"]["fit"] == "blur"
    assert draft["m"]["height"] > draft["m"]["width"]
