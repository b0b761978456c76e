"""The draft module: track types, the strict and the tolerant reader, the one start rule."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from nemo_skill import draft as dr
from nemo_skill.draft import STRICT, TOLERANT, TrackType
from nemo_skill.errors import RenderError
from nemo_skill.models import Draft


def test_track_types() -> None:
    assert (TrackType.VIDEO, TrackType.AUDIO, TrackType.TEXT) == (0, 1, 7)
    assert TrackType.TEXT.kind == "text"
    assert TrackType.of(1) is TrackType.AUDIO
    assert TrackType.of(5) is None


BAD: list[tuple[Any, str]] = [
    ("abc", "is not a number: 'abc'"),
    (float("nan"), "is not a finite number"),
    (10**400, "is not a number"),
    ([2], "is not a number: [2]"),
    (True, "is not a number: True"),
    ({"ms": 3}, "is not a number"),
]


@pytest.mark.parametrize(("value", "words"), BAD, ids=[repr(b[0])[:12] for b in BAD])
def test_strict_names_field_and_segment(value: Any, words: str) -> None:
    seg = {"id": "seg_v", "d": value}
    with pytest.raises(RenderError) as caught:
        STRICT.ms(seg, "d")
    assert f"The draft field 'd' of segment seg_v {words}" in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize(("value", "_"), BAD, ids=[repr(b[0])[:12] for b in BAD])
def test_tolerant_uses_the_default(value: Any, _: str) -> None:
    assert TOLERANT.ms({"id": "s", "d": value}, "d", 250) == 250
    assert TOLERANT.number({"speed": value}, "speed", 1.0) == 1.0


def test_nested_field_is_named_with_its_segment_and_tracks_as_tracks() -> None:
    seg = {"id": "seg_v", "transition": {"d": "long"}}
    with pytest.raises(RenderError, match=r"'transition\.d' of segment seg_v"):
        STRICT.ms(STRICT.mapping(seg, "transition"), "d", owner=seg, label="transition.d")
    with pytest.raises(RenderError, match="'tt' of track trk_a"):
        STRICT.track_type({"id": "trk_a", "tt": "audio"})


def test_choices_name_the_field_the_segment_and_the_choices() -> None:
    seg = {"id": "seg_v", "transition": {"type": "wipe"}}
    kinds = ("crossfade", "fade_black")
    inner = STRICT.mapping(seg, "transition")
    with pytest.raises(RenderError) as caught:
        STRICT.choice(inner, "type", kinds, "crossfade", owner=seg, label="transition.type")
    assert caught.value.message == (
        "The draft field 'transition.type' of segment seg_v is not one of crossfade, "
        "fade_black: 'wipe'."
    )
    assert TOLERANT.choice(inner, "type", kinds, "crossfade") == "crossfade"
    assert STRICT.choice({"type": "fade_black"}, "type", kinds, "crossfade") == "fade_black"
    assert STRICT.choice({"type": ""}, "type", kinds, "crossfade") == "crossfade"
    with pytest.raises(RenderError, match="'type' is not one of"):
        STRICT.choice({"type": 3}, "type", kinds, "crossfade")


def test_numbers_clamp_round_and_default() -> None:
    seg = {"speed": "9", "volume": None, "d": 12.6, "st": -40, "name": ""}
    assert STRICT.number(seg, "speed", 1.0, lo=0.25, hi=4.0) == 4.0
    assert STRICT.number(seg, "volume", 0.35) == 0.35
    assert STRICT.ms(seg, "d") == 13
    assert STRICT.ms(seg, "st") == 0  # never negative
    assert STRICT.text(seg, "name", "clip") == "clip"
    assert STRICT.mapping(seg, "speed") == {}


def _draft() -> dict[str, Any]:
    return {"t": [
        {"id": "v", "tt": 0, "sg": [{"id": "a", "d": 2000}, {"id": "b", "d": 0},
                                    {"id": "c", "d": 1000}, {"id": "d", "st": 5000, "d": 500},
                                    {"id": "e", "d": 100}, "junk"]},
        "junk",
        {"id": "t", "tt": 7, "sg": [{"id": "x", "st": "soon", "d": 300}]},
    ]}  # fmt: skip


def test_one_start_rule() -> None:
    placed = dr.segments(_draft(), TrackType.VIDEO)
    assert [(p.segment["id"], p.start_ms, p.end_ms) for p in placed] == [
        ("a", 0, 2000), ("b", 2000, 2000), ("c", 2000, 3000), ("d", 5000, 5500), ("e", 5500, 5600)
    ]  # fmt: skip
    assert [p.index for p in placed] == [0, 1, 2, 3, 4]
    positive = dr.segments(_draft(), TrackType.VIDEO, positive=True)
    assert [p.segment["id"] for p in positive] == ["a", "c", "d", "e"]


def test_tolerant_start_falls_back_and_strict_refuses() -> None:
    text = dr.segments(_draft(), TrackType.TEXT)
    assert [(p.track, p.start_ms, p.duration_ms) for p in text] == [(2, 0, 300)]
    with pytest.raises(RenderError, match="'st' of segment x"):
        dr.segments(_draft(), TrackType.TEXT, reader=STRICT)


def test_models_draft_reads_the_same_way() -> None:
    video = _draft()["t"][0]
    video["sg"] = video["sg"][:-1]  # the model refuses a segment that is not an object
    model = Draft.model_validate({"t": [video, _draft()["t"][2]]})
    assert [p.start_ms for p in model.placed(TrackType.VIDEO)] == [0, 2000, 2000, 5000, 5500]
    assert dr.as_mapping(model)["t"][0]["sg"][0]["id"] == "a"
    assert dr.as_mapping(None) == {} and dr.as_mapping("nope") == {}


def test_import_is_light() -> None:
    code = "import sys, nemo_skill.draft; print(sorted(m for m in ('numpy', 'cv2', 'av', 'PIL') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
