"""Synthesised music: deterministic, distinct per style, click-free, with volume and fades,
and on the beat: every beat at the audio segment's ``st`` + k·60/bpm, in every style."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nemo_skill.errors import RenderError
from nemo_skill.local.engine.audio import (
    MAX_BPM,
    MIN_BPM,
    RATE,
    STYLES,
    default_bpm,
    music_for,
    synthesize,
)


@pytest.mark.parametrize("style", list(STYLES))
def test_synthesis_is_deterministic_and_bounded(style: str) -> None:
    first, second = synthesize(style, 3.0), synthesize(style, 3.0)
    assert first.shape == (2, 3 * RATE)
    assert first.dtype == np.float32
    assert np.array_equal(first, second)
    assert 0.5 < np.abs(first).max() <= 1.0
    assert abs(float(first.mean())) < 0.01  # no DC offset


def test_styles_sound_different() -> None:
    tracks = {style: synthesize(style, 4.0)[0] for style in STYLES}
    for a in STYLES:
        for b in STYLES:
            if a < b:
                assert np.abs(tracks[a] - tracks[b]).mean() > 0.05, (a, b)


@pytest.mark.parametrize("style", ["calm", "cinematic"])
def test_beatless_styles_have_no_clicks(style: str) -> None:
    # A click is a jump between samples far above what the tones themselves produce;
    # chord changes and bass notes ramp instead of stepping.
    wave = synthesize(style, 10.0)[0]
    assert np.abs(np.diff(wave)).max() < 0.08


def test_volume_and_fades_apply() -> None:
    seg = {"style": "calm", "volume": 0.5, "fade_in": 500, "fade_out": 1000}
    mixed = music_for(seg, 4.0, resolve=None)
    raw = synthesize("calm", 4.0)
    middle = slice(RATE, 2 * RATE)
    assert np.allclose(mixed[:, middle], raw[:, middle] * 0.5, atol=1e-6)
    assert mixed[:, 0].max() == 0  # the fade-in starts from silence
    assert np.abs(mixed[:, -1]).max() == 0  # and the fade-out ends in it
    head = np.abs(mixed[0, : RATE // 2]).reshape(10, -1).max(axis=1)
    assert head[0] < head[-1]


def onsets(wave: np.ndarray) -> np.ndarray:
    """Where sounds start (s): rises of the energy envelope of the low band (≤ 150 Hz, where
    the kick and the bass accents are; the off-beat hats and the chords' shimmer are above),
    in 30 ms windows every 1 ms, the strongest rise within ±60 ms and at least a quarter of
    the largest; the time given is the window's middle."""
    spectrum = np.fft.rfft(wave.astype(np.float64))
    spectrum[np.fft.rfftfreq(wave.shape[0], 1 / RATE) > 150] = 0
    low = np.fft.irfft(spectrum, wave.shape[0])
    total = np.concatenate([[0.0], np.cumsum(low**2)])
    win, hop = RATE * 30 // 1000, RATE // 1000
    ends = np.arange(win, wave.shape[0] + 1, hop)
    envelope = np.sqrt((total[ends] - total[ends - win]) / win)
    rise = np.maximum(0.0, np.diff(envelope, prepend=envelope[0]))
    floor, reach = 0.25 * rise.max(), 60
    peaks = [i for i in range(rise.shape[0])
             if rise[i] >= floor and rise[i] == rise[max(0, i - reach) : i + reach + 1].max()]  # fmt: skip
    return np.asarray((ends[peaks] - win / 2) / RATE)


FRAME_S = 1 / 30  # one frame at 30 fps: how close a cut to the beat must be


def assert_on_the_grid(found: np.ndarray, start_s: float, bpm: float, until_s: float) -> None:
    """Every onset within a frame of a beat of the grid, and every beat with an onset."""
    beat = 60.0 / bpm
    beats = (found - start_s) / beat
    off = np.abs(beats - np.round(beats)) * beat
    assert off.max() < FRAME_S, (bpm, found[off >= FRAME_S])
    grid = start_s + beat * np.arange(1, int((until_s - start_s) / beat))
    missing = [g for g in grid if np.abs(found - g).min() >= FRAME_S]
    assert not missing, (bpm, missing)


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("bpm", [84, 150])
def test_every_style_beats_at_the_tempo_asked(style: str, bpm: int) -> None:
    wave = synthesize(style, 8.0, bpm)[0]
    assert_on_the_grid(onsets(wave), 0.0, bpm, 7.9)


@pytest.mark.parametrize("style", list(STYLES))
def test_the_default_tempo_is_the_styles(style: str) -> None:
    assert default_bpm(style) == STYLES[style]["bpm"]
    assert np.array_equal(synthesize(style, 2.0), synthesize(style, 2.0, STYLES[style]["bpm"]))
    assert_on_the_grid(onsets(synthesize(style, 8.0)[0]), 0.0, default_bpm(style), 7.9)
    assert default_bpm("polka") == default_bpm("lo-fi")


@pytest.mark.parametrize(("style", "bpm"), [("upbeat", 96), ("calm", 132.5)])
def test_beats_land_on_the_audio_segments_start_in_the_mix(style: str, bpm: float) -> None:
    from nemo_skill.local.engine.plan import make_plan
    from nemo_skill.local.engine.render import _audio

    music = {"id": "seg_a", "st": 700, "d": 6300, "style": style, "bpm": bpm, "fade_in": 0}
    draft = {"m": {"width": 64, "height": 64, "fps": 30},
             "t": [{"tt": 0, "sg": [{"id": "v", "st": 0, "d": 7000, "src": "x.jpg"}]},
                   {"tt": 1, "sg": [music]}]}  # fmt: skip
    mix = _audio(make_plan(draft), Path)
    assert mix is not None and mix.shape == (2, 7 * RATE)
    assert np.abs(mix[:, : int(0.69 * RATE)]).max() == 0  # silent before the segment
    assert_on_the_grid(onsets(mix[0]), 0.7, bpm, 6.9)
    shifted = dict(music, bpm=bpm * 1.5)  # another tempo: the grid moves with it
    draft["t"][1]["sg"] = [shifted]
    assert_on_the_grid(onsets(_audio(make_plan(draft), Path)[0]), 0.7, bpm * 1.5, 6.9)


@pytest.mark.parametrize("style", list(STYLES))
def test_fast_tempos_stay_click_free(style: str) -> None:
    # each beat's sound fades out before the next one instead of being cut off mid-swing
    wave = synthesize(style, 6.0, 240)[0]
    ramps = np.abs(np.diff(wave))
    calm = synthesize(style, 6.0, 40)[0]
    assert ramps.max() < 1.5 * np.abs(np.diff(calm)).max()


@pytest.mark.parametrize(("bpm", "words"), [("fast", "'bpm' of segment seg_a"),
                                            (float("nan"), "'bpm' of segment seg_a")])  # fmt: skip
def test_a_bad_bpm_is_named(bpm: object, words: str) -> None:
    with pytest.raises(RenderError) as caught:
        music_for({"id": "seg_a", "style": "upbeat", "bpm": bpm}, 1.0, resolve=None)
    assert words in caught.value.message


def test_bpm_is_clamped_to_the_documented_range() -> None:
    assert np.array_equal(synthesize("upbeat", 2.0, 500), synthesize("upbeat", 2.0, MAX_BPM))
    assert np.array_equal(synthesize("upbeat", 2.0, 5), synthesize("upbeat", 2.0, MIN_BPM))
    seg = {"style": "upbeat", "bpm": 500, "fade_in": 0, "fade_out": 0, "volume": 1}
    assert np.allclose(music_for(seg, 2.0, resolve=None), synthesize("upbeat", 2.0, 240))
