"""Synthesised music: deterministic, distinct per style, click-free, with volume and fades."""

from __future__ import annotations

import numpy as np
import pytest

from nemo_skill.local.engine.audio import RATE, STYLES, music_for, synthesize


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
