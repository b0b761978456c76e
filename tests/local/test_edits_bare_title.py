"""Titles given without quotes ("with a title Summer Sale") are understood."""

from __future__ import annotations

import pytest

from nemo_skill.local.edits import parse_instruction


@pytest.mark.parametrize(
    ("text", "title", "music"),
    [
        ("turn this photo into a clip with a title Summer Sale", "Summer Sale", None),
        ("pan left with a title Summer Sale and upbeat music", "Summer Sale", "upbeat"),
        ("add the title Hello World", "Hello World", None),
        ("with a title that says Big Deal, 9:16", "Big Deal", None),
        ("with a title Music Night, 9:16", "Music Night", None),  # title words are not commands
        ("add a title", None, None),
        ("make the title bigger", None, None),
        ("add the title 'Quoted'", "Quoted", None),
    ],
)
def test_bare_titles(text: str, title: str | None, music: str | None) -> None:
    instruction = parse_instruction(text)
    assert instruction.title == title
    assert instruction.music_style == music


def test_removing_the_title_is_not_a_title() -> None:
    instruction = parse_instruction("remove the title")
    assert instruction.title is None and instruction.remove_title
