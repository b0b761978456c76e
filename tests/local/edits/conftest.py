"""Fixtures of the edit-model tests: a three-photo story draft and a runner."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_skill.local.edits import Context, Edit, Photo, apply_edits, story_draft

PHOTOS = [Photo("/files/a/beach.jpg", "beach.jpg", (800, 600)),
          Photo("/files/b/city.jpg", "city.jpg", (600, 900)),
          Photo("/files/c/forest.jpg", "forest.jpg", (800, 600))]  # fmt: skip


@pytest.fixture
def story() -> dict[str, Any]:
    """Three photos, 3 s each, Ken Burns."""
    return story_draft(PHOTOS, 320)


def run(draft: dict[str, Any], *edits: Edit, photos: tuple[Photo, ...] = ()) -> dict[str, Any]:
    """The draft after ``edits`` (the input is left as it was)."""
    return apply_edits(draft, edits, Context(320, photos))


def video(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The video segments."""
    return [s for t in draft["t"] if t["tt"] == 0 for s in t["sg"]]


def layout(draft: dict[str, Any]) -> list[tuple[str, int, int]]:
    """``(name, st, d)`` per photo."""
    return [(s["name"], s["st"], s["d"]) for s in video(draft)]
