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
    """The fields a reading sets (those that differ from an empty instruction's)."""
    empty = Instruction()
    return {k: v for k, v in instruction.__dict__.items() if v != getattr(empty, k)}


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
        ("2 minutes", {"out_of_range": ("duration", 120.0)}),  # asked back, never clamped
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("half as long", {"duration_scale": 0.5}),
        ("cut it in half", {"duration_scale": 0.5}),
        ("double the length", {"duration_scale": 2.0}),
        ("make it three times as long", {"duration_scale": 3.0}),
        ("make it 50% longer", {"duration_scale": 1.5}),
        ("twice as fast", {"speed": 2.0}),
        ("twice as slow", {"speed": 0.5}),
        ("50% slower", {"speed": 0.5}),
        ("speed it up by 25%", {"speed": 1.25}),
        ("make it 1.5x speed", {"speed_to": 1.5}),
        ("play it at 2x", {"speed_to": 2.0}),
        ("back to normal speed", {"speed_to": 1.0}),
        ("1.5倍速", {"speed_to": 1.5}),
        ("速度快一倍", {"speed": 2.0}),
        ("时长减半", {"duration_scale": 0.5}),
        ("la mitad de largo", {"duration_scale": 0.5}),
        ("deux fois moins long", {"duration_scale": 0.5}),
        ("deux fois plus vite", {"speed": 2.0}),
        ("passe en vitesse x2", {"speed_to": 2.0}),
        ("mit 1,5-facher Geschwindigkeit", {"speed_to": 1.5}),
        ("halb so schnell", {"speed": 0.5}),
        ("長さを倍にして", {"duration_scale": 2.0}),
        ("25%速く", {"speed": 1.25}),
        ("music at 50%", {"music_volume": 0.5}),  # a percent of the music is its volume
        ("3 seconds shorter", {"duration_delta_s": -3.0}),
        ("再缩短3秒", {"duration_delta_s": -3.0}),  # 再 (again) does not undo the direction
        ("raccourcis de trois secondes", {"duration_delta_s": -3.0}),  # "de" is "by" here
        ("shorten it to 3 seconds", {"duration_s": 3.0}),
        ("auf 3 Sekunden kürzen", {"duration_s": 3.0}),
        ("10秒に延ばして", {"duration_s": 10.0}),
    ],
)
def test_relative_amounts_of_time_and_speed(text: str, expected: dict[str, Any]) -> None:
    assert fields(read(text).instruction) == expected


def _styles(text: str) -> dict[str | None, dict[str, Any]]:
    styles = read(text).instruction.text_styles
    return {s.role: {k: v for k, v in s.__dict__.items() if k != "role" and v} for s in styles}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make the title yellow and the caption smaller",
         {"title": {"color": "#FFFF00"}, "caption": {"scale": 0.8}}),
        ("make the title bigger and yellow", {"title": {"scale": 1.25, "color": "#FFFF00"}}),
        ("make the title and the caption red", {None: {"color": "#FF0000"}}),
        ("标题移到上面，字幕改成蓝色", {"title": {"position": "top"}, "caption": {"color": "#0000FF"}}),
        ("le titre en jaune et le sous-titre plus petit",
         {"title": {"color": "#FFFF00"}, "caption": {"scale": 0.8}}),
        ("タイトルは黄色、字幕は小さく", {"title": {"color": "#FFFF00"}, "caption": {"scale": 0.8}}),
        ("caption at the top please", {"caption": {"position": "top"}}),
    ],
)  # fmt: skip
def test_each_clause_styles_the_text_it_names(
    text: str, expected: dict[str | None, dict[str, Any]]
) -> None:
    assert _styles(text) == expected


def test_several_edits_in_one_message_each_read_in_its_clause() -> None:
    got = fields(read("slower and 2 seconds longer, then put the caption at the top").instruction)
    assert got.pop("text_styles")[0].position == "top"
    assert got == {"speed": 0.5, "duration_delta_s": 2.0}
    # a mood word belongs to the music only in a clause about music ("grand" is the title's)
    got = fields(read("le titre plus grand et la musique plus forte").instruction)
    assert "music_style" not in got and got["volume_step"] > 0
    # "あと" (also) between clauses is not "2 more seconds"
    assert read("10秒にして、あと壮大な音楽もつけて").instruction.duration_s == 10.0
    assert read("「期間限定」というキャプションを入れて").instruction.caption == "期間限定"


@pytest.mark.parametrize(
    "text",
    ["undo", "revert that", "go back", "take that back", "I liked it better before", "撤销",
     "恢复上一步", "还是之前的好，恢复一下", "deshaz", "uy, deshazlo", "annule",
     "remets comme avant", "rückgängig", "geh einen Schritt zurück", "元に戻して",
     "今のはなしで", "ひとつ前の状態に戻せる？"],
)  # fmt: skip
def test_undo_in_every_phrasing(text: str) -> None:
    reading = read(text)
    assert reading.act == "edit" and reading.instruction.undo, reading


@pytest.mark.parametrize("text", ["encore une fois", "one more time", "noch einmal", "otra vez"])
def test_once_more_is_a_new_take_not_an_amount(text: str) -> None:
    assert fields(read(text).instruction) == {"regenerate": True}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add some music, something epic", {"music_style": "cinematic"}),  # a mood of the music
        ("another 2 seconds", {"duration_delta_s": 2.0}),
        ("noch 3 Sekunden", {"duration_delta_s": 3.0}),
        ("+2s", {"duration_delta_s": 2.0}),
        ("add 500 ms", {"duration_delta_s": 0.5}),
        ("at 50% speed", {"speed_to": 0.5}),
        ("speed it up to 150%", {"speed_to": 1.5}),
        ("cut the music", {"remove_music": True}),
    ],
)
def test_amounts_next_to_other_words(text: str, expected: dict[str, Any]) -> None:
    assert fields(read(text).instruction) == expected


def test_after_a_removed_photo_a_clause_naming_none_is_the_whole_clip() -> None:
    reading = read("remove the second photo and make it 9:16")
    assert [(s.photo_op, s.target, s.aspect) for s in reading.steps] == [
        ("remove", reading.steps[0].target, None),
        (None, None, "9:16"),
    ]
    assert reading.steps[0].target is not None and reading.steps[0].target.place == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make it quicker, like 1.25x", {"speed_to": 1.25}),  # the rate says how much
        ("divise la durée par deux", {"duration_scale": 0.5}),
        ("时长砍半", {"duration_scale": 0.5}),
    ],
)
def test_one_amount_is_applied_once(text: str, expected: dict[str, Any]) -> None:
    assert fields(read(text).instruction) == expected


@pytest.mark.parametrize(
    ("text", "steps"),
    [("undo", 1), ("undo the last change", 1), ("undo the last two changes", 2), ("undo twice", 2),
     ("撤销两步", 2), ("deshaz los dos últimos cambios", 2),
     ("annule les trois dernières modifications", 3), ("mach das zweimal rückgängig", 2),
     ("2つ前に戻して", 2)],
)  # fmt: skip
def test_undo_counts_its_steps(text: str, steps: int) -> None:
    instruction = read(text).instruction
    assert instruction.undo and instruction.undo_steps == steps


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make the music twice as loud", {"volume_step": 0.15}),  # an amount of loudness
        ("zweimal so laut", {"volume_step": 0.15}),
        ("half the volume", {"volume_step": -0.15}),
    ],
)
def test_twice_and_half_of_the_volume_are_no_time(text: str, expected: dict[str, Any]) -> None:
    assert fields(read(text).instruction) == expected


def test_twice_and_half_of_a_text_size_restyle_it() -> None:
    styles = read("double the title size").instruction.text_styles
    assert [(s.role, s.scale) for s in styles] == [("title", 1.25)]
    styles = read("halve the caption size").instruction.text_styles
    assert [(s.role, s.scale) for s in styles] == [("caption", 0.8)]


@pytest.mark.parametrize(
    "text", ["speed the pan up a bit", "acelera un poco el paneo", "accélère le panoramique",
             "den Schwenk etwas schneller", "パンを少し速く"],
)  # fmt: skip
def test_a_move_named_as_what_speeds_up_is_kept(text: str) -> None:
    assert fields(read(text).instruction) == {"speed": 2.0}


def test_a_straight_quoted_title_right_after_chinese() -> None:
    assert read("标题'新品上架'").instruction.title == "新品上架"
    assert read("it's too slow").instruction.title is None  # an apostrophe is no quote
