"""The edit grammar (nemo_skill/local/grammar): acts, numbers, quotes, languages, tables, replies."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nemo_skill.local.grammar import Instruction, read
from nemo_skill.local.grammar.interpret import _concept, music_styles
from nemo_skill.local.grammar.lang import LANGUAGES
from nemo_skill.local.grammar.replies import REPLIES


def fields(instruction: Instruction) -> dict[str, Any]:
    return {k: v for k, v in instruction.__dict__.items() if v not in (None, False)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make it five seconds", {"duration_s": 5.0}),
        ("cinco segundos", {"duration_s": 5.0}),
        ("五秒", {"duration_s": 5.0}),
        ("5秒にして", {"duration_s": 5.0}),
        ("make it ８ seconds", {"duration_s": 8.0}),  # full-width digit
        ("二十秒", {"duration_s": 20.0}),
        ("zwanzig Sekunden", {"duration_s": 20.0}),
        ("add two more seconds", {"duration_delta_s": 2.0}),
        ("cut it by a second", {"duration_delta_s": -1.0}),
        ("raccourcis d'une seconde", {"duration_delta_s": -1.0}),
        ("make it 3 seconds longer", {"duration_delta_s": 3.0}),
        ("extend it to 10 seconds", {"duration_s": 10.0}),
        ("extend it a bit", {"duration_delta_s": 2.0}),
        ("缩短到3秒", {"duration_s": 3.0}),
        ("2 minutes", {"duration_s": 60.0}),
    ],
)
def test_durations_in_words_digits_and_relative(text: str, expected: dict[str, Any]) -> None:
    assert fields(read(text).instruction) == expected


@pytest.mark.parametrize(
    "text",
    ['title "Fall Deals"', "title “Fall Deals”", "title ‘Fall Deals’", "title «Fall Deals»",
     "title „Fall Deals“", "title 「Fall Deals」", "title 『Fall Deals』", "title ＂Fall Deals＂",
     "title 'Fall Deals'", "rename the heading to Fall Deals", "title: Fall Deals"],
)  # fmt: skip
def test_every_kind_of_quote_and_unquoted_titles(text: str) -> None:
    assert read(text).instruction.title == "Fall Deals"


def test_quoted_words_are_content_not_commands() -> None:
    instruction = read('add the caption "zoom out and remove the music"').instruction
    assert fields(instruction) == {"caption": "zoom out and remove the music"}
    assert (
        read("it's great, don't you think").instruction.title is None
    )  # apostrophes are not quotes


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("how long is it?", "question"),
        ("is this video long enough for a reel?", "question"),
        ("what music is on the video?", "question"),
        ("do you have other styles?", "question"),
        ("视频多长？", "question"),
        ("¿cuánto dura el vídeo?", "question"),
        ("wie lang ist das Video?", "question"),
        ("動画の長さは？", "question"),
        ("can you make it 9:16?", "edit"),  # a polite request is an edit
        ("能不能改成竖屏？", "edit"),
        ("thanks!", "chat"),
        ("hmm not sure", "unclear"),
        ("do it again with a fresh take", "edit"),
    ],
)
def test_acts(text: str, act: str) -> None:
    assert read(text).act == act


def test_questions_ask_for_no_change() -> None:
    reading = read("is this video long enough for a reel?")
    assert reading.instruction == Instruction()
    assert "duration" in reading.topics


@pytest.mark.parametrize(
    ("text", "language"),
    [("make it vertical", "en"), ("改成竖屏", "zh"), ("hazlo vertical para TikTok", "es"),
     ("éloigne la caméra", "fr"), ("bitte quadratisch machen", "de"), ("縦長にして", "ja")],
)  # fmt: skip
def test_language_of_the_message(text: str, language: str) -> None:
    assert read(text).language == language


@pytest.mark.parametrize(
    ("text", "style"),
    [("something bluesy in the background", "lo-fi"), ("mets une musique douce", "calm"),
     ("epische Musik im Hintergrund", "cinematic"), ("pon música alegre", "upbeat"),
     ("加点爵士风的背景音乐", "lo-fi"), ("壮大な感じの音楽を追加", "cinematic")],
)  # fmt: skip
def test_genre_words_map_to_the_nearest_engine_style(text: str, style: str) -> None:
    assert read(text).instruction.music_style == style
    assert style in music_styles()


def test_speed_complaints_keep_the_motion() -> None:
    for text in ("this zoom is sluggish, pick up the pace", "这个推镜头太慢了，快一点",
                 "le zoom est trop rapide", "ズームがもたもたしてる、テンポよくして"):  # fmt: skip
        instruction = read(text).instruction
        assert instruction.motion is None, text
        assert instruction.speed is not None, text
    assert read("slow zoom in").instruction.motion == "zoom_in"


def test_music_styles_come_from_the_engine() -> None:
    from nemo_skill.local.engine.audio import STYLES

    assert music_styles() == tuple(STYLES)


def test_every_table_compiles_and_has_the_core_concepts() -> None:
    core = {"question", "undo", "regen_strong", "portrait", "landscape", "square", "zoom_in",
            "zoom_out", "pan_left", "pan_right", "static", "parallax", "slower", "faster", "longer",
            "shorter", "music_noun", "remove", "louder", "quieter", "title_noun", "caption_noun",
            "top", "bottom", "bigger", "smaller", "seconds", "fade_black"}  # fmt: skip
    for table in LANGUAGES:
        assert core <= set(table.concepts), table.code
    for name in core:
        assert isinstance(_concept(name), re.Pattern)


def test_replies_exist_in_every_language_with_the_same_fields() -> None:
    english = REPLIES["en"]
    for language, replies in REPLIES.items():
        assert set(replies) == set(english), language
        for key, text in replies.items():
            assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", english[key])), (
                key
            )


def test_long_messages_are_read_by_their_head() -> None:
    from nemo_skill.local.grammar.interpret import MAX_CHARS

    head = "make it 9:16. "
    reading = read(head + "x" * 100_000 + " and remove the music")
    assert reading.instruction.aspect == "9:16"
    assert not reading.instruction.remove_music  # beyond the head: not read
    assert read(" " * (MAX_CHARS * 10) + "?").act == "unclear"
