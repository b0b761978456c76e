"""Whole-clip and per-photo length, settings and fades (nemo_skill/local/edits/clip.py)."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_skill.local.edits import EditError
from nemo_skill.local.edits.clip import Duration, Fade, Meta
from nemo_skill.local.grammar import Target
from tests.local.edits.conftest import layout, run, video


def test_one_photo_longer_shifts_the_later_ones_only(story: dict[str, Any]) -> None:
    out = run(story, Duration(seconds=4, target=Target(place=2)))
    assert layout(out) == [
        ("beach.jpg", 0, 3000),
        ("city.jpg", 3000, 4000),
        ("forest.jpg", 7000, 3000),
    ]
    assert [s["id"] for s in video(out)] == [s["id"] for s in video(story)]
    assert layout(story)[1] == ("city.jpg", 3000, 3000)  # the input is untouched


def test_a_delta_on_the_last_photo_and_a_file_name(story: dict[str, Any]) -> None:
    out = run(story, Duration(delta=-1, target=Target(place=-1)))
    assert layout(out)[-1] == ("forest.jpg", 6000, 2000)
    named = run(story, Duration(seconds=5, target=Target(name="beach")))
    assert layout(named)[0] == ("beach.jpg", 0, 5000)


def test_the_clip_length_is_split_over_the_photos(story: dict[str, Any]) -> None:
    out = run(story, Duration(seconds=10))
    assert [d for _, _, d in layout(out)] == [3333, 3333, 3334]
    each = run(story, Duration(seconds=2, each=True))
    assert [d for _, _, d in layout(each)] == [2000, 2000, 2000]


@pytest.mark.parametrize(
    "edit",
    [Duration(seconds=0.5, target=Target(place=1)), Duration(seconds=2), Duration(seconds=61),
     Duration(delta=60, target=Target(place=2)), Duration(seconds=25, each=True)],
)  # fmt: skip
def test_lengths_out_of_range_are_refused_with_the_range(story: dict[str, Any], edit: Any) -> None:
    with pytest.raises(EditError) as refused:
        run(story, edit)
    assert refused.value.key in ("r_length", "r_photo_length")
    assert "hi" in refused.value.fields


def test_an_unknown_photo_is_refused_with_the_count(story: dict[str, Any]) -> None:
    with pytest.raises(EditError) as refused:
        run(story, Duration(seconds=2, target=Target(place=5)))
    assert (refused.value.key, refused.value.fields) == ("r_no_photo", {"count": 3})


def test_settings_and_fades(story: dict[str, Any]) -> None:
    out = run(story, Meta("aspect", "9:16"), Meta("fps", 50), Fade(1000, 1000))
    assert (out["m"]["aspect"], out["m"]["fps"]) == ("9:16", 60)
    assert out["m"]["height"] > out["m"]["width"]
    assert video(out)[0]["fade_in"] == video(out)[-1]["fade_out"] == 1000
    assert "fade_out" not in video(out)[0]
