"""The agent's note on a title or caption that will not show as written (local/agent.py)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from nemo_skill.local import agent
from nemo_skill.local.engine import text as tx
from nemo_skill.local.store import StoredFile

IMAGE = StoredFile("s", "u", "0" * 64, "photo.jpg", "image", 1000, 800, 600)


def plan(text: str, draft: dict[str, Any] | None, language: str = "en") -> agent.TurnPlan:
    return agent.plan_turn(text, draft, [IMAGE], cost_generate=100, cost_edit=50,
                           long_side=640, source_url=lambda f: f"file:///{f.name}",
                           language=language)  # fmt: skip


@pytest.fixture(autouse=True)
def packaged_fonts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine with no fonts of its own (a system font may have emoji)."""
    monkeypatch.setenv(tx.SYSTEM_FONTS_ENV, "0")


@pytest.fixture
def clip() -> dict[str, Any]:
    made = plan('animate this, 9:16, add the title "Hi"', None)
    assert made.new_draft is not None and made.note == ""
    return made.new_draft


def test_emoji_in_a_title_are_drawn_without_a_note(clip: dict[str, Any]) -> None:
    edit = plan('change the title to "Summer 😀 Sale"', clip)
    assert edit.kind == "edit" and edit.note == "" and "Note" not in edit.reply


@pytest.fixture
def no_emoji_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CJK font only (an install without the emoji font package)."""
    monkeypatch.setattr(tx, "FONT_PACKAGES", ("noto_cjk_sans_jp_bold",))


@pytest.mark.usefixtures("no_emoji_font")
def test_emoji_in_a_new_title_are_named_as_left_out(clip: dict[str, Any]) -> None:
    edit = plan('change the title to "Summer 😀 Sale"', clip)
    assert edit.kind == "edit"
    assert (
        edit.note
        == 'Note: emoji cannot be drawn in the video, so 😀 were left out of the title "Summer 😀 Sale".'
    )
    assert edit.reply.endswith(edit.note)
    # The note is the one thing an edit turn never drops, even when edits may end silently.
    said = [part["text"] for event in agent.stream_turn(edit, rng=random.Random(0),
                                                         silent_fraction=1.0)
            if event is not agent.HEARTBEAT for part in event["content"]["parts"] if "text" in part]  # fmt: skip
    assert said == [edit.reply]


@pytest.mark.usefixtures("no_emoji_font")
def test_the_note_speaks_the_session_language(clip: dict[str, Any]) -> None:
    edit = plan("把标题改成“夏日特卖🎉”", clip, language="zh")
    assert edit.kind == "edit"
    assert "注意：视频中无法绘制表情符号" in edit.reply and "🎉" in edit.note


def test_a_title_too_long_for_the_frame_says_so_once(clip: dict[str, Any]) -> None:
    long = ("Sommerschlussverkauf Strandtuecher Sonnenhuete Sandalen Sonnenschirme "
            "Badeanzuege Taucherbrillen Schwimmflossen")  # fmt: skip
    edit = plan(f'change the title to "{long}"', clip)
    assert edit.kind == "edit" and "is too long to read on this frame" in edit.note
    assert edit.new_draft is not None
    # A later edit that does not touch the text says nothing more about it.
    slower = plan("make it slower", edit.new_draft)
    assert slower.kind == "edit" and slower.note == ""


def test_a_title_that_fits_gets_no_note(clip: dict[str, Any]) -> None:
    edit = plan('change the title to "夏の思い出"', clip)
    assert edit.kind == "edit" and edit.note == "" and "Note" not in edit.reply
