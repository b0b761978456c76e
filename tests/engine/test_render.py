"""Rendering drafts to MP4: decoded back with PyAV and checked frame by frame."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nemo_skill.errors import RenderError, UnsupportedFileError
from nemo_skill.local.engine import motion as mo
from nemo_skill.local.engine.render import render_draft
from tests.engine.conftest import textured, tone_wav

av = pytest.importorskip("av")


@dataclass
class Decoded:
    """What an MP4 holds, read back."""

    frames: list[np.ndarray]
    width: int
    height: int
    fps: float
    codec: str
    pix_fmt: str
    duration_s: float
    audio_codec: str | None
    audio_peak: float


def decode(path: Path) -> Decoded:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        codec = video.codec_context.name
        pix_fmt = video.codec_context.pix_fmt
        fps = float(video.average_rate)
        width, height = video.codec_context.width, video.codec_context.height
        duration = float(container.duration or 0) / 1e6
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    audio_codec, peak = None, 0.0
    with av.open(str(path)) as container:
        if container.streams.audio:
            audio_codec = container.streams.audio[0].codec_context.name
            for frame in container.decode(audio=0):
                peak = max(peak, float(np.abs(frame.to_ndarray()).max()))
    return Decoded(frames, width, height, fps, codec, pix_fmt, duration, audio_codec, peak)


def video_track(*segments: dict[str, Any]) -> dict[str, Any]:
    return {"id": "trk_v", "tt": 0, "sg": list(segments)}


def clip(src: Path, d: int = 1000, st: int = 0, **extra: Any) -> dict[str, Any]:
    return {"id": f"seg_{st}", "st": st, "d": d, "src": str(src), "motion": "none", **extra}


def draft(*tracks: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {
        "id": "draft_t",
        "m": {"fps": 24, "width": 160, "height": 120, **meta},
        "t": list(tracks),
    }


def render(tmp_path: Path, d: dict[str, Any], name: str = "out.mp4") -> Decoded:
    out = tmp_path / name
    result = render_draft(d, out)
    assert result.path == out
    assert out.stat().st_size == result.size_bytes > 0
    return decode(out)


def diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_output_matches_the_draft(photo: Path, tmp_path: Path) -> None:
    seen: list[float] = []
    out = tmp_path / "out.mp4"
    d = draft(video_track(clip(photo, d=1500, motion="kenburns")), fps=24, width=192, height=108)
    result = render_draft(d, out, progress=seen.append)
    got = decode(out)
    assert (got.width, got.height) == (result.width, result.height) == (192, 108)
    assert got.fps == pytest.approx(24) == result.fps
    assert got.codec == "h264"
    assert got.pix_fmt == "yuv420p"
    assert len(got.frames) == 36
    assert abs(got.duration_s - 1.5) <= 1 / 24 + 1e-6
    assert got.audio_codec is None
    assert not result.has_audio
    assert seen == sorted(seen)
    assert seen[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("motion", mo.MOTIONS)
def test_each_motion_moves_and_none_does_not(motion: str, photo: Path, tmp_path: Path) -> None:
    got = render(tmp_path, draft(video_track(clip(photo, motion=motion))))
    assert len(got.frames) == 24
    change = diff(got.frames[0], got.frames[-1])
    if motion == "none":
        assert change < 1.5
    else:
        assert change > 3.0


@pytest.mark.parametrize(
    ("aspect", "source", "landscape"),
    [("16:9", (320, 240), True), ("9:16", (320, 240), False), ("1:1", (320, 240), None),
     ("4:5", (320, 240), False), ("4:3", (240, 320), True), ("original", (200, 300), False), ("original_meta", (300, 200), True)],
)  # fmt: skip
def test_aspects_give_even_oriented_sizes(
    aspect: str, source: tuple[int, int], landscape: bool | None, tmp_path: Path
) -> None:
    photo = textured(tmp_path / "src.png", size=source)
    d = draft(video_track(clip(photo)), aspect=aspect, width=0, height=0, long_side=160)
    if aspect == "original_meta":  # the size as the backend records it at upload
        d["m"].update(aspect="original", source_size=list(source))
    got = render(tmp_path, d)
    assert got.width % 2 == 0
    assert got.height % 2 == 0
    assert max(got.width, got.height) in (158, 160)
    if landscape is None:
        assert got.width == got.height
    else:
        assert (got.width > got.height) is landscape
    assert got.frames[0].shape == (got.height, got.width, 3)


def test_title_shows_in_its_region_only_while_on(photo: Path, tmp_path: Path) -> None:
    title = {"id": "seg_t", "st": 0, "d": 1000, "text": "HELLO", "role": "title",
             "position": "center", "size": 0.2, "color": "#FF00FF"}  # fmt: skip
    plain = render(tmp_path, draft(video_track(clip(photo, d=2000))), "plain.mp4")
    titled = render(
        tmp_path,
        draft(video_track(clip(photo, d=2000)), {"id": "trk_t", "tt": 7, "sg": [title]}),
        "titled.mp4",
    )
    h, w = plain.height, plain.width
    centre = (slice(h // 3, 2 * h // 3), slice(w // 5, 4 * w // 5))
    top = (slice(0, h // 6), slice(0, w))
    shown = 12  # 0.5 s at 24 fps
    assert diff(plain.frames[shown][centre], titled.frames[shown][centre]) > 10
    assert diff(plain.frames[shown][top], titled.frames[shown][top]) < 2
    after = 36  # 1.5 s: the title ended at 1.0 s
    assert diff(plain.frames[after][centre], titled.frames[after][centre]) < 2


def _solid(path: Path, rgb: tuple[int, int, int]) -> Path:
    from PIL import Image

    Image.new("RGB", (160, 120), rgb).save(path)
    return path


def _red_then_blue(tmp_path: Path, transition: dict[str, Any]) -> Decoded:
    """1 s of red, then 1 s of blue with ``transition`` at the cut (1.0 s, frame 24)."""
    red = _solid(tmp_path / "red.png", (230, 20, 20))
    blue = _solid(tmp_path / "blue.png", (20, 20, 230))
    second = clip(blue, st=1000, transition=transition)
    got = render(tmp_path, draft(video_track(clip(red), second), fit="crop"))
    assert len(got.frames) == 48
    return got


def test_crossfade_between_two_segments(tmp_path: Path) -> None:
    got = _red_then_blue(tmp_path, {"type": "crossfade", "d": 500})

    def red_share(index: int) -> float:
        r, _, b = got.frames[index][40:80, 50:110].reshape(-1, 3).mean(axis=0)
        return float((r - 20) / max(1.0, (r - 20) + (b - 20)))

    assert red_share(20) > 0.9  # 0.83 s: first segment
    assert 0.2 < red_share(30) < 0.8  # 1.25 s: halfway through the crossfade
    assert red_share(44) < 0.1  # 1.83 s: second segment
    halves = [red_share(i) for i in range(24, 37)]
    assert halves == sorted(halves, reverse=True)
    # a real blend: both photos in every pixel at once, never a dip toward black
    r, g, b = got.frames[30][40:80, 50:110].reshape(-1, 3).mean(axis=0)
    assert r > 70 and b > 70 and g < 40
    assert min(float(f.mean()) for f in got.frames) > 60


def test_fade_through_black_between_two_segments(tmp_path: Path) -> None:
    got = _red_then_blue(tmp_path, {"type": "fade_black", "d": 500})
    level = [float(f[40:80, 50:110].max(axis=2).mean()) for f in got.frames]
    red_part = [float(f[40:80, 50:110, 0].mean()) for f in got.frames]
    blue_part = [float(f[40:80, 50:110, 2].mean()) for f in got.frames]
    assert level[24] < 16  # the frame at the cut (1.0 s) is black
    assert min(level[:18]) > 200 and min(level[30:]) > 200  # full picture beyond d/2 = 250 ms
    # 0.75 s → 1.0 s: red dims to black; 1.0 s → 1.25 s: blue rises from it, no blend
    assert level[18:25] == sorted(level[18:25], reverse=True)
    assert level[24:31] == sorted(level[24:31])
    assert all(red_part[i] > 3 * blue_part[i] for i in range(18, 24))
    assert all(blue_part[i] > 3 * red_part[i] for i in range(25, 31))
    assert 80 < level[21] < 170 and 80 < level[27] < 170  # halfway down, halfway up


def test_fade_through_black_dims_the_title_too(tmp_path: Path) -> None:
    red = _solid(tmp_path / "red.png", (230, 20, 20))
    blue = _solid(tmp_path / "blue.png", (20, 20, 230))
    second = clip(blue, st=1000, transition={"type": "fade_black", "d": 500})
    title = {"id": "seg_t", "st": 0, "d": 2000, "text": "SALE", "size": 0.3}
    got = render(tmp_path, draft(video_track(clip(red), second),
                                 {"id": "trk_t", "tt": 7, "sg": [title]}, fit="crop"))  # fmt: skip
    assert got.frames[12].max() > 200  # the white title over the red photo
    assert got.frames[24].max() < 40  # on the cut: black, the title included


def test_fade_through_black_into_the_first_segment_fades_it_in(tmp_path: Path) -> None:
    light = _solid(tmp_path / "light.png", (200, 220, 180))
    first = clip(light, transition={"type": "fade_black", "d": 500})
    got = render(tmp_path, draft(video_track(first), fit="crop"))
    brightness = [float(f.mean()) for f in got.frames]
    assert brightness[0] < 20 and min(brightness[6:]) > 150
    assert brightness[:7] == sorted(brightness[:7])


def test_fades_from_and_to_black(tmp_path: Path) -> None:
    light = _solid(tmp_path / "light.png", (200, 220, 180))
    title = {"id": "seg_t", "st": 0, "d": 2000, "text": "END", "size": 0.3, "color": "#FFFFFF"}
    got = render(
        tmp_path,
        draft(
            video_track(clip(light, d=2000, fade_in=500, fade_out=1000)),
            {"id": "trk_t", "tt": 7, "sg": [title]},
            fit="crop",
        ),
    )
    assert len(got.frames) == 48
    brightness = [float(f.mean()) for f in got.frames]
    assert brightness[0] < 20  # the first frame is black
    assert brightness[-1] < 20  # the last frame is black, the title included
    assert max(brightness[-3:]) < 50
    assert brightness[18] > 150  # 0.75 s: between the fades, full picture
    assert brightness[:13] == sorted(brightness[:13])  # fade-in: brighter frame by frame
    assert brightness[24:] == sorted(brightness[24:], reverse=True)  # fade-out over the last 1 s
    assert 60 < brightness[36] < 150  # halfway through the fade-out
    # black, not a colour cast: the channels stay together
    r, g, b = got.frames[-2].reshape(-1, 3).mean(axis=0)
    assert max(r, g, b) - min(r, g, b) < 12


def test_no_fade_keeps_the_ends_bright(tmp_path: Path) -> None:
    light = _solid(tmp_path / "light.png", (200, 220, 180))
    got = render(tmp_path, draft(video_track(clip(light, d=1000)), fit="crop"))
    assert min(float(f.mean()) for f in got.frames) > 150


@pytest.mark.parametrize("source", ["synth", "wav"])
def test_music_adds_an_audio_stream(source: str, photo: Path, tmp_path: Path) -> None:
    music: dict[str, Any] = {"id": "seg_a", "st": 0, "d": 1000, "volume": 0.8,
                             "fade_in": 0, "fade_out": 0}  # fmt: skip
    if source == "wav":
        music["src"] = str(tone_wav(tmp_path / "tone.wav"))  # shorter than the clip: looped
    else:
        music["style"] = "upbeat"
    d = draft(video_track(clip(photo)), {"id": "trk_a", "tt": 1, "sg": [music]})
    result = render_draft(d, tmp_path / "out.mp4")
    got = decode(tmp_path / "out.mp4")
    assert result.has_audio
    assert got.audio_codec == "aac"
    assert got.audio_peak > 0.1
    assert len(got.frames) == 24


def test_cancel_leaves_nothing_behind(photo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RenderError) as caught:
        render_draft(draft(video_track(clip(photo, d=2000))), folder / "x.mp4", cancel=cancel)
    assert caught.value.code == "cancelled"
    assert list(folder.iterdir()) == []


def test_cancel_midway_leaves_nothing_behind(photo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    cancel = threading.Event()

    def progress(fraction: float) -> None:
        if fraction > 0.2:
            cancel.set()

    with pytest.raises(RenderError) as caught:
        render_draft(
            draft(video_track(clip(photo, d=2000))), folder / "x.mp4", progress=progress,
            cancel=cancel,
        )  # fmt: skip
    assert caught.value.code == "cancelled"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("tracks", [[], [{"id": "trk_v", "tt": 0, "sg": []}]])
def test_draft_without_segments_is_refused(tracks: list[dict[str, Any]], tmp_path: Path) -> None:
    with pytest.raises(RenderError):
        render_draft(draft(*tracks), tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []


def _path(motion: str, frames: int = 150) -> np.ndarray:
    canvas = (1792, 1008)
    cams = [mo.camera(motion, i / (frames - 1), canvas, t_seconds=i / 30, subject=(0.8, 0.3))
            for i in range(frames)]  # fmt: skip
    return np.array([[c.zoom * 1000, c.cx, c.cy] for c in cams])


@pytest.mark.parametrize("motion", mo.CAMERA_MOTIONS)
def test_camera_is_smooth(motion: str) -> None:
    path = _path(motion)
    second = np.abs(np.diff(path, n=2, axis=0))
    first = np.abs(np.diff(path, axis=0))
    # No jerks: the change of velocity per frame is tiny next to the total travel.
    travel = np.ptp(path, axis=0)
    assert (second.max(axis=0) <= 0.01 * travel + 1e-9).all()
    if motion == "none":
        assert first.max() == 0
    else:
        assert travel.max() > 0


@pytest.mark.parametrize("motion", [m for m in mo.CAMERA_MOTIONS if m not in ("breathe", "none")])
def test_camera_eases_in_and_out(motion: str) -> None:
    path = _path(motion)
    speed = np.abs(np.diff(path, axis=0))
    peak = speed.max(axis=0)
    moving = peak > 0
    assert moving.any()
    assert (speed[0][moving] < 0.05 * peak[moving]).all()
    assert (speed[-1][moving] < 0.05 * peak[moving]).all()


def test_ease_endpoints() -> None:
    assert mo.ease(0) == 0
    assert mo.ease(1) == pytest.approx(1)
    assert mo.ease(0.5) == pytest.approx(0.5)
    assert mo.ease(-1) == 0
    assert mo.ease(2) == pytest.approx(1)


def _encoded_tone(path: Path, codec: str, container_format: str, seconds: float = 0.4) -> Path:
    """A 440 Hz tone encoded with PyAV (mp3, m4a, aac), shorter than the clip."""
    rate = 44_100
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(int(rate * seconds)) / rate)).astype(
        np.float32
    )
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        size = stream.codec_context.frame_size or 1152
        fmt = stream.codec_context.format.name
        for start in range(0, len(tone), size):
            chunk = tone[start : start + size]
            if len(chunk) < size:
                chunk = np.pad(chunk, (0, size - len(chunk)))
            if fmt.startswith(("s16", "s32")):  # integer sample formats (mp3: s32p)
                kind = np.int16 if fmt.startswith("s16") else np.int32
                data = (chunk * np.iinfo(kind).max).astype(kind)[None, :]
            else:
                data = chunk[None, :]
            frame = av.AudioFrame.from_ndarray(data, format=fmt, layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@pytest.mark.parametrize(
    ("name", "codec", "container_format"),
    [("tone.mp3", "libmp3lame", "mp3"), ("tone.m4a", "aac", "ipod"), ("tone.aac", "aac", "adts")],
)
def test_supplied_music_formats_are_decoded_and_looped(
    name: str, codec: str, container_format: str, photo: Path, tmp_path: Path
) -> None:
    music = _encoded_tone(tmp_path / name, codec, container_format)
    seg = {"id": "seg_a", "st": 0, "d": 1000, "src": str(music), "volume": 1.0,
           "fade_in": 0, "fade_out": 0}  # fmt: skip
    out = tmp_path / "out.mp4"
    render_draft(draft(video_track(clip(photo)), {"id": "trk_a", "tt": 1, "sg": [seg]}), out)
    with av.open(str(out)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    # The 0.4 s tone loops: the last quarter of the 1 s clip still sounds.
    tail = samples[-len(samples) // 4 :]
    assert np.abs(tail).max() > 0.2


def test_unreadable_music_is_refused_and_leaves_nothing(photo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "song.mp3"
    bad.write_text("not audio\n")
    seg = {"id": "seg_a", "st": 0, "d": 1000, "src": str(bad)}
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(UnsupportedFileError):
        render_draft(draft(video_track(clip(photo)), {"id": "trk_a", "tt": 1, "sg": [seg]}),
                     folder / "x.mp4")  # fmt: skip
    assert list(folder.iterdir()) == []


def test_cancel_while_loading_stops_before_encoding(photo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    cancel = threading.Event()
    seen: list[float] = []

    def resolve(src: str) -> Path:  # the user cancels while the photo is being opened
        cancel.set()
        return Path(src)

    with pytest.raises(RenderError) as caught:
        render_draft(draft(video_track(clip(photo))), folder / "x.mp4", resolve_source=resolve,
                     progress=seen.append, cancel=cancel)  # fmt: skip
    assert caught.value.code == "cancelled"
    assert seen == []
    assert list(folder.iterdir()) == []


def test_missing_output_folder_is_a_render_error(photo: Path, tmp_path: Path) -> None:
    with pytest.raises(RenderError) as caught:
        render_draft(draft(video_track(clip(photo))), tmp_path / "nope" / "x.mp4")
    assert "nope" in caught.value.message
    assert not (tmp_path / "nope").exists()
