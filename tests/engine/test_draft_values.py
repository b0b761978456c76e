"""Drafts with wrong values: a RenderError naming the field, never a stray ValueError."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from nemo_skill.draft import STRICT
from nemo_skill.errors import RenderError
from nemo_skill.local.engine.render import render_draft


def _base(photo: Path) -> dict[str, Any]:
    return {
        "m": {"fps": 24, "width": 96, "height": 64},
        "t": [
            {"id": "trk_v", "tt": 0, "sg": [{"id": "seg_v", "st": 0, "d": 250,
                                               "src": str(photo), "motion": "zoom_in"}]},
            {"id": "trk_a", "tt": 1, "sg": [{"id": "seg_a", "st": 0, "d": 250, "style": "calm"}]},
            {"id": "trk_t", "tt": 7, "sg": [{"id": "seg_t", "st": 0, "d": 250, "text": "Hi"}]},
        ],
    }  # fmt: skip


# (where in the draft, the bad value, words the message must contain)
BAD: list[tuple[tuple[Any, ...], Any, str]] = [
    (("t", 0, "sg", 0, "d"), "abc", "'d' of segment seg_v"),
    (("t", 0, "sg", 0, "d"), float("nan"), "'d' of segment seg_v"),
    (("t", 0, "sg", 0, "d"), 10**400, "'d' of segment seg_v"),
    (("t", 0, "sg", 0, "st"), "soon", "'st' of segment seg_v"),
    (("t", 0, "sg", 0, "speed"), float("inf"), "'speed' of segment seg_v"),
    (("t", 0, "sg", 0, "speed"), [2], "'speed' of segment seg_v"),
    (("t", 0, "sg", 0, "transition"), {"d": "long"}, "'transition.d' of segment seg_v"),
    (
        ("t", 0, "sg", 0, "transition"),
        {"type": "wipe", "d": 200},
        "'transition.type' of segment seg_v",
    ),
    (("t", 1, "sg", 0, "bpm"), "fast", "'bpm' of segment seg_a"),
    (("t", 0, "sg", 0, "fade_out"), "slow", "'fade_out' of segment seg_v"),
    (("t", 0, "sg", 0, "fade_in"), [300], "'fade_in' of segment seg_v"),
    (("t", 0, "tt"), "video", "'tt' of track trk_v"),
    (("m", "fps"), "fast", "'fps'"),
    (("m", "width"), True, "'width'"),
    (("t", 1, "sg", 0, "volume"), "loud", "'volume' of segment seg_a"),
    (("t", 1, "sg", 0, "fade_out"), float("-inf"), "'fade_out' of segment seg_a"),
    (("t", 2, "sg", 0, "size"), "big", "'size' of segment seg_t"),
    (("t", 2, "sg", 0, "fade_in"), {"ms": 3}, "'fade_in' of segment seg_t"),
]


@pytest.mark.parametrize(("path", "value", "words"), BAD, ids=[str(b[:2]) for b in BAD])
def test_bad_values_are_named(
    path: tuple[Any, ...], value: Any, words: str, photo: Path, tmp_path: Path
) -> None:
    draft = _base(photo)
    node: Any = draft
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(RenderError) as caught:
        render_draft(draft, folder / "x.mp4")
    assert words in caught.value.message
    assert caught.value.hint
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [(("m",), None), (("m", "source_size"), ["a", "b"]), (("m", "aspect"), "7:3"),
     (("t", 0, "sg", 0, "transition"), "cut"), (("t", 0, "sg", 0, "motion"), 5),
     (("t", 2, "sg", 0, "color"), 5), (("t", 0, "sg", 0, "speed"), "3")],
)  # fmt: skip
def test_harmless_oddities_still_render(
    path: tuple[Any, ...], value: Any, photo: Path, tmp_path: Path
) -> None:
    draft = copy.deepcopy(_base(photo))
    node: Any = draft
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    result = render_draft(draft, tmp_path / "x.mp4")
    assert result.size_bytes > 0


def test_number_clamps_and_defaults() -> None:
    seg = {"id": "s", "speed": "9", "volume": None, "d": 12.6}
    assert STRICT.number(seg, "speed", 1.0, lo=0.25, hi=4.0) == 4.0
    assert STRICT.number(seg, "volume", 0.35) == 0.35
    assert STRICT.number(seg, "missing", 2.0) == 2.0
    assert STRICT.ms(seg, "d") == 13
    assert STRICT.ms({"d": -40}, "d") == 0
