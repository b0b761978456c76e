"""The camera over one photo or all (nemo_skill/local/edits/camera.py)."""

from __future__ import annotations

from typing import Any

from nemo_skill.local.edits.camera import Camera
from nemo_skill.local.grammar import Target
from tests.local.edits.conftest import run, video


def test_one_photo_moves_the_others_keep_theirs(story: dict[str, Any]) -> None:
    out = run(story, Camera("zoom_in", 2.0, Target(place=3)))
    assert [(s["motion"], s["speed"]) for s in video(out)] == [
        ("kenburns", 1.0), ("kenburns", 1.0), ("zoom_in", 2.0)]  # fmt: skip


def test_the_whole_clip_and_the_speed_bounds(story: dict[str, Any]) -> None:
    out = run(story, Camera(None, 0.5), Camera(None, 0.5), Camera(None, 0.5))
    assert {s["speed"] for s in video(out)} == {0.25}
