"""The encoder alone: frames from a callback, audio at its own rate, errors and cancel."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from nemo_skill.errors import RenderError
from nemo_skill.local.engine.encoder import Encoder, Planes

av = pytest.importorskip("av")


def _grey(index: int, planes: Planes) -> None:
    planes[0][...] = 16 + index * 10  # brighter frame by frame
    planes[1][...] = 128
    planes[2][...] = 128


def test_frames_come_from_the_callback_in_order(tmp_path: Path) -> None:
    seen: list[float] = []
    out = tmp_path / "e.mp4"
    count = Encoder(out, (64, 48), 24, progress=seen.append).run(12, _grey)
    assert count == 12
    with av.open(str(out)) as container:
        lumas = [float(f.to_ndarray(format="gray").mean()) for f in container.decode(video=0)]
    assert len(lumas) == 12 and lumas == sorted(lumas) and lumas[-1] - lumas[0] > 80
    assert seen[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("size", [(64, 48), (90, 160)], ids=["64x48", "90x160 (padded rows)"])
def test_pooled_frames_are_never_overwritten_before_they_are_encoded(
    size: tuple[int, int], tmp_path: Path
) -> None:
    # frames are composed straight into a small pool of encoder frames; a slow encoder must
    # not see a frame overwritten by a later one (each frame: its own luma, 3 times the pool)
    def numbered(index: int, planes: Planes) -> None:
        planes[0][...] = 20 + (index % 24) * 9
        planes[1][...] = 128
        planes[2][...] = 128

    out = tmp_path / "pool.mp4"
    Encoder(out, size, 24).run(30, numbered)
    with av.open(str(out)) as container:  # the Y plane as stored (limited range)
        lumas = [float(f.to_ndarray()[: size[1]].mean()) for f in container.decode(video=0)]
    assert [round((luma - 20) / 9) for luma in lumas] == [i % 24 for i in range(30)]


@pytest.mark.parametrize("rate", [44_100, 48_000])
def test_audio_is_muxed_at_its_own_rate(rate: int, tmp_path: Path) -> None:
    t = np.arange(rate // 2, dtype=np.float32) / rate
    tone = np.stack([np.sin(2 * np.pi * 440 * t)] * 2).astype(np.float32) * 0.5
    out = tmp_path / "a.mp4"
    Encoder(out, (64, 48), 24, tone, audio_rate=rate).run(12, _grey)
    with av.open(str(out)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.sample_rate == rate
        samples = sum(f.samples for f in container.decode(audio=0))
    assert abs(samples - rate // 2) < 2048  # all of it, give or take the AAC priming


def test_a_failing_callback_surfaces_its_own_error(tmp_path: Path) -> None:
    def broken(index: int, planes: Planes) -> None:
        if index == 5:
            raise RenderError("frame 5 is broken")
        _grey(index, planes)

    with pytest.raises(RenderError, match="frame 5 is broken"):
        Encoder(tmp_path / "b.mp4", (64, 48), 24).run(12, broken)


def test_cancel_stops_the_encoder(tmp_path: Path) -> None:
    cancel = threading.Event()

    def cancelling(index: int, planes: Planes) -> None:
        if index == 3:
            cancel.set()
        _grey(index, planes)

    with pytest.raises(RenderError) as caught:
        Encoder(tmp_path / "c.mp4", (64, 48), 24, cancel=cancel).run(200, cancelling)
    assert caught.value.code == "cancelled"
