"""Texts over the clip or over one photo (nemo_skill/local/edits/text.py)."""

from __future__ import annotations

from typing import Any

from nemo_skill.local.edits.clip import Duration
from nemo_skill.local.edits.text import Text
from nemo_skill.local.grammar import Target
from tests.local.edits.conftest import run, video


def texts(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for t in draft["t"] if t["tt"] == 7 for s in t["sg"]]


def test_a_caption_on_one_photo_follows_that_photo(story: dict[str, Any]) -> None:
    out = run(story, Text(caption="Day 2", target=Target(place=2)), Text(title="Trip"))
    caption = next(s for s in texts(out) if s["role"] == "caption")
    second = video(out)[1]
    assert (caption["anchor"], caption["st"], caption["d"]) == (second["id"], 3000, 3000)
    longer = run(out, Duration(seconds=5, target=Target(place=1)))
    moved = next(s for s in texts(longer) if s["role"] == "caption")
    assert (moved["st"], moved["d"]) == (5000, 3000)
    title = next(s for s in texts(longer) if s["role"] == "title")
    assert "anchor" not in title and title["st"] == 0


def test_new_words_replace_only_that_photos_caption(story: dict[str, Any]) -> None:
    out = run(story, Text(caption="A", target=Target(place=1)),
              Text(caption="B", target=Target(place=2)), Text(caption="C", target=Target(place=1)))  # fmt: skip
    assert sorted(s["text"] for s in texts(out)) == ["B", "C"]
    removed = run(out, Text(remove_caption=True, target=Target(place=2)))
    assert [s["text"] for s in texts(removed)] == ["C"]
