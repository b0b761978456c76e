"""Plain instructions → draft edits: the parser table, edits that keep ids, prompt defaults."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_skill.local.edits import (
    DEFAULT_FPS,
    DEFAULT_LONG_SIDE,
    Instruction,
    apply_instruction,
    parse_instruction,
    plan_from_prompt,
)
from nemo_skill.local.edits.story import SINGLE_PHOTO_MS
from nemo_skill.local.engine.frame import frame_size

DEFAULT_DURATION_S = SINGLE_PHOTO_MS / 1000

# (message, the fields it must set); every other field must stay at its default.
PARSE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("slow zoom in, 9:16, 8 seconds",
     {"duration_s": 8.0, "aspect": "9:16", "motion": "zoom_in", "speed": 0.5}),
    ("make it 10 seconds", {"duration_s": 10.0}),
    ("3.5 s", {"duration_s": 3.5}),
    ("2 minutes", {"out_of_range": ("duration", 120.0)}),  # over 60 s: asked, never clamped
    ("90 seconds", {"out_of_range": ("duration", 90.0)}),
    ("0 seconds", {"out_of_range": ("duration", 0.0)}),  # under 1 s
    ("make it -5 seconds", {"out_of_range": ("duration", -5.0)}),
    ("1000 fps", {"out_of_range": ("fps", 1000)}),
    ("生成一个10秒的视频", {"generate": True, "duration_s": 10.0}),
    ("做成五秒", {"generate": True, "duration_s": 5.0}),
    ("animate this photo", {"generate": True}),
    ("竖屏", {"aspect": "9:16"}),
    ("横屏", {"aspect": "16:9"}),
    ("正方形", {"aspect": "1:1"}),
    ("make it vertical for tiktok", {"aspect": "9:16"}),
    ("4:5", {"aspect": "4:5"}),
    ("4:3", {"aspect": "4:3"}),
    ("16x9", {"aspect": "16:9"}),
    ("for instagram", {"aspect": "4:5"}),
    ("keep the original aspect", {"aspect": "original"}),
    ("zoom out", {"motion": "zoom_out"}),
    ("拉远", {"motion": "zoom_out"}),
    ("pan left", {"motion": "pan_left"}),
    ("pan to the right", {"motion": "pan_right"}),
    ("tilt up", {"motion": "pan_up"}),
    ("pan down", {"motion": "pan_down"}),
    ("向左平移", {"motion": "pan_left"}),
    ("ken burns", {"motion": "kenburns"}),
    ("breathe", {"motion": "breathe"}),
    ("static, no motion", {"motion": "none"}),
    ("faster", {"speed": 2.0}),
    ("慢慢推近", {"motion": "zoom_in", "speed": 0.5}),
    ('add a title "Summer Sale"', {"title": "Summer Sale"}),
    ("标题为「夏日特卖」", {"title": "夏日特卖"}),
    ('caption: "hello world"', {"caption": "hello world"}),
    ("字幕是“你好”", {"caption": "你好"}),
    ('title "Zoom Out Sale"', {"title": "Zoom Out Sale"}),  # quoted words are not commands
    ("add lo-fi music", {"music_style": "lo-fi"}),
    ("add music", {"music_style": "lo-fi"}),
    ("calm music", {"music_style": "calm"}),
    ("epic music", {"music_style": "cinematic"}),
    ("欢快的音乐", {"music_style": "upbeat"}),
    ("music volume 50%", {"music_volume": 0.5}),
    ("音量 30%", {"music_volume": 0.3}),
    ("remove the music", {"remove_music": True}),
    ("no music", {"remove_music": True}),
    ("去掉音乐", {"remove_music": True}),
    ("remove the title", {"remove_title": True}),
    ("删除标题", {"remove_title": True}),
    ("remove caption", {"remove_caption": True}),
    ("undo", {"undo": True}),
    ("撤销", {"undo": True}),
    ("60 fps", {"fps": 60}),
    ("24帧", {"fps": 24}),
    ("crop", {"fit": "crop"}),
    ("blur background", {"fit": "blur"}),
    ("hello there", {}),
    ("make the music louder", {"volume_step": 0.15}),  # the level only, never a new style
    ("turn the music down", {"volume_step": -0.15}),
    ("音乐小声一点", {"volume_step": -0.15}),
    ("turn this photo into a clip", {"generate": True}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_parse_instruction(text: str, expected: dict[str, Any]) -> None:
    got = parse_instruction(text)
    defaults = Instruction()
    for key, default in defaults.__dict__.items():
        assert getattr(got, key) == expected.get(key, default), key


def test_parse_table_is_large_and_bilingual() -> None:
    zh = [t for t, _ in PARSE_CASES if any("\u4e00" <= ch <= "\u9fff" for ch in t)]
    assert len(PARSE_CASES) >= 30
    assert len(zh) >= 10


def _draft() -> dict[str, Any]:
    return plan_from_prompt(
        'zoom in, add music, title "Hi"',
        source="file:///a.jpg",
        name="a.jpg",
        image_size=(800, 600),
        long_side=320,
    )


def _ids(draft: dict[str, Any]) -> set[str]:
    return {t["id"] for t in draft["t"]} | {s["id"] for t in draft["t"] for s in t["sg"]}


def test_apply_instruction_keeps_ids_and_unrelated_tracks() -> None:
    draft = _draft()
    draft["t"][0]["sg"][0]["custom"] = "kept"
    edited = apply_instruction(draft, parse_instruction("pan left, 9:16"))
    assert _ids(edited) == _ids(draft)
    video = edited["t"][0]["sg"][0]
    assert video["motion"] == "pan_left"
    assert video["custom"] == "kept"
    assert edited["m"]["aspect"] == "9:16"
    assert edited["m"]["width"] < edited["m"]["height"]
    others = [t for t in edited["t"] if t["tt"] != 0]
    assert others == [t for t in draft["t"] if t["tt"] != 0]
    assert draft["t"][0]["sg"][0]["motion"] == "zoom_in"  # the input is not mutated


def test_apply_instruction_duration_follows_on_music_and_title() -> None:
    edited = apply_instruction(_draft(), parse_instruction("8 seconds"))
    by_type = {t["tt"]: t["sg"][0] for t in edited["t"]}
    assert by_type[0]["d"] == 8000
    assert by_type[1]["d"] == 8000
    assert by_type[7]["d"] <= 8000


def test_apply_instruction_removes_only_what_is_named() -> None:
    draft = _draft()
    no_music = apply_instruction(draft, parse_instruction("remove the music"))
    assert sorted(t["tt"] for t in no_music["t"]) == [0, 7]
    no_title = apply_instruction(draft, parse_instruction("remove the title"))
    assert sorted(t["tt"] for t in no_title["t"]) == [0, 1]
    retitled = apply_instruction(draft, parse_instruction('title "New"'))
    text = [t for t in retitled["t"] if t["tt"] == 7]
    assert len(text) == 1
    assert text[0]["sg"][0]["text"] == "New"
    assert text[0]["sg"][0]["id"] == next(t for t in draft["t"] if t["tt"] == 7)["sg"][0]["id"]


def test_apply_instruction_music_volume_edits_in_place() -> None:
    draft = _draft()
    louder = apply_instruction(draft, parse_instruction("music volume 80%"))
    music = [t for t in louder["t"] if t["tt"] == 1]
    assert len(music) == 1
    assert music[0]["sg"][0]["volume"] == pytest.approx(0.8)
    assert music[0]["sg"][0]["style"] == "lo-fi"


def test_plan_from_prompt_defaults() -> None:
    draft = plan_from_prompt("", source="s.jpg", image_size=(4000, 3000))
    meta = draft["m"]
    assert meta["fps"] == DEFAULT_FPS == 30
    assert meta["aspect"] == "original"
    assert max(meta["width"], meta["height"]) == DEFAULT_LONG_SIDE == 1920
    assert meta["width"] % 2 == 0
    assert meta["height"] % 2 == 0
    assert (meta["width"], meta["height"]) == (1920, 1440)
    [video] = draft["t"]
    [seg] = video["sg"]
    assert seg["d"] == int(DEFAULT_DURATION_S * 1000) == 5000
    assert seg["motion"] == "kenburns"
    assert seg["src"] == "s.jpg"
    assert len(_ids(draft)) == 2


@pytest.mark.parametrize(
    ("aspect", "image", "landscape"),
    [("16:9", None, True), ("9:16", None, False), ("4:3", None, True), ("4:5", None, False),
     ("original", (333, 777), False), ("original", (1001, 299), True)],
)  # fmt: skip
def test_frame_size_even_and_oriented(
    aspect: str, image: tuple[int, int] | None, landscape: bool
) -> None:
    for long_side in (160, 321, 1080, 1920):
        w, h = frame_size(aspect, image, long_side)
        assert w % 2 == 0
        assert h % 2 == 0
        assert (w > h) is landscape
        assert abs(max(w, h) - long_side) <= 1


def test_louder_and_quieter_change_only_the_level() -> None:
    draft = apply_instruction(_draft(), parse_instruction("cinematic music"))
    louder = apply_instruction(draft, parse_instruction("make the music louder"))
    quieter = apply_instruction(draft, parse_instruction("quieter"))
    before = next(t for t in draft["t"] if t["tt"] == 1)["sg"][0]
    for edited, sign in ((louder, 1), (quieter, -1)):
        seg = next(t for t in edited["t"] if t["tt"] == 1)["sg"][0]
        assert seg["style"] == before["style"] == "cinematic"
        assert seg["id"] == before["id"]
        assert seg["volume"] == pytest.approx(before["volume"] + sign * 0.15)
    silent = plan_from_prompt("zoom in", image_size=(800, 600))
    assert apply_instruction(silent, parse_instruction("louder")) == silent  # no track added


def test_a_blank_prompt_asks_for_nothing_without_the_grammar() -> None:
    from nemo_skill.local.edits import Instruction, parse_instruction
    from nemo_skill.local.grammar import parse

    assert parse_instruction("") == parse_instruction(" \n ") == Instruction() == parse("")
