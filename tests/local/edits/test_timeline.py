"""Draft helpers of the edits (nemo_skill/local/edits/timeline.py)."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_skill.local.edits import EditError
from nemo_skill.local.edits.timeline import content_hash, name_words, resolve, retime
from nemo_skill.local.grammar import Target

SHA = "ab" * 32


def test_photos_compare_by_the_content_hash_in_their_reference() -> None:
    assert content_hash(f"http://127.0.0.1:5555/files/{SHA}/beach.jpg") == SHA
    assert content_hash(f"nemo-file:{SHA}") == SHA
    assert content_hash("/photos/beach.jpg") is None


def test_names_and_places(story: dict[str, Any]) -> None:
    assert name_words("Beach_Day-2.JPG") >= {"beach_day-2.jpg", "beach", "day", "2"}
    assert resolve(story, Target(place=-1)) == 2
    assert resolve(story, Target(name="city")) == 1
    assert resolve(story, Target(place=0)) == 1  # the middle one of three
    with pytest.raises(EditError):
        resolve(story, Target(place=4))
    story["t"][0]["sg"].pop()
    with pytest.raises(EditError):  # two photos have no middle one
        resolve(story, Target(place=0))


def test_retime_lays_photos_back_to_back_and_drops_orphan_captions(story: dict[str, Any]) -> None:
    photos = story["t"][0]["sg"]
    photos[1]["d"] = 5000
    story["t"].append({"tt": 7, "sg": [{"text": "x", "role": "caption", "anchor": "gone"}]})
    retime(story)
    assert [s["st"] for s in photos] == [0, 3000, 8000]
    assert [t for t in story["t"] if t["tt"] == 7] == []
