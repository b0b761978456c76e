"""Transitions per cut and cuts on the beat (nemo_skill/local/edits/cuts.py)."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_skill.local.edits import EditError
from nemo_skill.local.edits.clip import Duration
from nemo_skill.local.edits.cuts import BeatSync, Transition
from nemo_skill.local.edits.music import Music
from nemo_skill.local.engine.audio import STYLES
from nemo_skill.local.grammar import Target
from tests.local.edits.conftest import run, video


def test_a_transition_into_one_photo_or_every_cut(story: dict[str, Any]) -> None:
    one = run(story, Transition("fade_black", Target(place=-1)))
    assert [s.get("transition") for s in video(one)] == [
        None,
        None,
        {"type": "fade_black", "d": 1000},
    ]
    every = run(story, Transition("crossfade"))
    assert [s.get("transition") for s in video(every)][1:] == [{"type": "crossfade", "d": 500}] * 2
    with pytest.raises(EditError):
        run(story, Transition("crossfade", Target(place=1)))


def test_a_transition_never_outlasts_half_a_photo(story: dict[str, Any]) -> None:
    short = run(story, Duration(seconds=1, target=Target(place=2)), Transition("fade_black"))
    assert video(short)[1]["transition"]["d"] == 500


@pytest.mark.parametrize("style", list(STYLES))
def test_every_cut_lands_on_a_beat_in_every_style(story: dict[str, Any], style: str) -> None:
    uneven = run(story, Duration(seconds=4.3, target=Target(place=2)))
    out = run(uneven, Music(style=style), BeatSync())
    music = next(s for t in out["t"] if t["tt"] == 1 for s in t["sg"])
    assert music["bpm"] == STYLES[style]["bpm"]
    beat = 60000 / music["bpm"]
    frame = 1000 / 30
    for seg in video(out)[1:]:
        beats = (seg["st"] - music["st"]) / beat
        assert abs(beats - round(beats)) * beat <= frame, (seg["st"], beat)
    assert all(seg["d"] >= 1000 for seg in video(out))


def test_beat_sync_without_music_adds_music_with_its_tempo(story: dict[str, Any]) -> None:
    out = run(story, BeatSync())
    music = [s for t in out["t"] if t["tt"] == 1 for s in t["sg"]]
    assert len(music) == 1 and music[0]["bpm"] == STYLES[music[0]["style"]]["bpm"]


def test_a_clip_cut_to_the_beat_stays_on_the_beat_of_new_music(story: dict[str, Any]) -> None:
    synced = run(story, Music(style="calm"), BeatSync())
    for style in ("upbeat", "lo-fi", "cinematic"):
        synced = run(synced, Music(style=style))
        music = next(s for t in synced["t"] if t["tt"] == 1 for s in t["sg"])
        beat = 60000 / music["bpm"]
        assert all(abs(s["st"] / beat - round(s["st"] / beat)) * beat <= 1000 / 30
                   for s in video(synced)[1:])  # fmt: skip
    plain = run(story, Music(style="upbeat"))  # never cut to the beat: the cuts stay
    assert [s["st"] for s in video(plain)] == [0, 3000, 6000]
