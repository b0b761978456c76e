"""Render a draft to an H.264 MP4 on the CPU, streaming frame by frame.

Pipeline: a producer thread warps each frame (OpenCV, sub-pixel) from a
pre-framed canvas, blends text overlays and converts to yuv420p; the main
thread encodes (PyAV libx264 ``veryfast`` crf 21, ``+faststart``) and muxes
AAC music as it goes. A small bounded queue keeps memory constant in the
duration. Output goes to a temp file in the target folder and is renamed on
success; a failure or a cancel leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.errors import NemoError, RenderError, UnsupportedFileError
from nemo_skill.local.engine import fields
from nemo_skill.local.engine import motion as mo
from nemo_skill.local.engine.prompt import frame_size

if TYPE_CHECKING:
    import numpy as np

    from nemo_skill.local.engine.layers import Layers
    from nemo_skill.local.engine.text import Overlay

PRESET = "veryfast"
CRF = 21
FPS_CHOICES = (24, 25, 30, 60)
MAX_DURATION_MS = 60_000
QUEUE_FRAMES = 6  # frames between producer and encoder: overlap without memory growth
MAX_DENSITY = 1.1  # canvas pixels per output pixel: headroom for zooms without blurring
Resolver = Callable[[str], Path]


@dataclass(frozen=True)
class RenderResult:
    """What a render produced."""

    path: Path
    duration: float
    width: int
    height: int
    fps: float
    size_bytes: int
    seconds: float
    has_audio: bool


@dataclass
class _Clip:
    """A video segment framed onto its canvas."""

    start_ms: int
    end_ms: int
    planes: tuple[np.ndarray, np.ndarray, np.ndarray]  # canvas as yuv420p: Y, U, V
    density: float
    motion: str
    speed: float
    subject: tuple[float, float]
    crossfade_ms: int  # transition.d: blend in from the previous segment's last frame
    fade_in_ms: int = 0  # from black at the start
    fade_out_ms: int = 0  # to black at the end
    layers: Layers | None = None  # depth-aware motions: background and subject layers


def _segments(draft: Mapping[str, Any], tt: int) -> list[tuple[int, Mapping[str, Any]]]:
    """(start ms, segment) of every segment on tracks of type ``tt``."""
    out: list[tuple[int, Mapping[str, Any]]] = []
    tracks = draft.get("t")
    for track in tracks if isinstance(tracks, list) else []:
        if not isinstance(track, Mapping) or fields.number(track, "tt", 0) != tt:
            continue
        cursor = 0
        segments = track.get("sg")
        for seg in segments if isinstance(segments, list) else []:
            if isinstance(seg, Mapping) and fields.ms(seg, "d") > 0:
                start = fields.ms(seg, "st", cursor)
                out.append((start, seg))
                cursor = start + fields.ms(seg, "d")
    return out


def _output_geometry(
    draft: Mapping[str, Any], first_image: tuple[int, int] | None
) -> tuple[int, int, int]:
    meta = fields.mapping(draft, "m")
    fps_wanted = fields.number(meta, "fps", 30)
    fps = min(FPS_CHOICES, key=lambda f: abs(f - fps_wanted))
    width, height = round(fields.number(meta, "width", 0)), round(fields.number(meta, "height", 0))
    if width <= 0 or height <= 0:
        long_side = round(fields.number(meta, "long_side", 1920, lo=16, hi=1920))
        aspect = fields.text(meta, "aspect", "original")
        width, height = frame_size(aspect, first_image, long_side)
    scale = min(1.0, 1920 / max(width, height))
    width, height = max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)
    return width, height, fps


def _source_size(meta: Mapping[str, Any]) -> tuple[int, int] | None:
    """``m.source_size`` when it is two positive numbers (else the image is probed)."""
    value = meta.get("source_size")
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    try:
        size = (round(float(value[0])), round(float(value[1])))
    except (TypeError, ValueError, OverflowError):
        return None
    return size if min(size) > 0 else None


def _subject(image: np.ndarray) -> tuple[float, float]:
    """Where the detail is (centre of gradient energy), for Ken Burns to drift toward."""
    import cv2
    import numpy as np

    small = cv2.resize(image, (64, 64), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    energy = np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    total = float(energy.sum()) or 1.0
    ys, xs = np.mgrid[0:64, 0:64]
    sx = float((energy * xs).sum()) / total / 63
    sy = float((energy * ys).sum()) / total / 63
    return 0.5 + (sx - 0.5) * 0.6, 0.5 + (sy - 0.5) * 0.6


def _frame_canvas(image: np.ndarray, out: tuple[int, int], fit: str) -> tuple[np.ndarray, float]:
    """The image framed on a canvas ``MARGIN`` × the output, at ``density`` px per output px."""
    import cv2

    width, height = out
    density = min(MAX_DENSITY, max(1.0, image.shape[1] / (width * mo.MARGIN)))
    cw, ch = int(width * mo.MARGIN * density) // 2 * 2, int(height * mo.MARGIN * density) // 2 * 2
    ih, iw = image.shape[:2]
    cover = max(cw / iw, ch / ih)
    if fit == "crop" or abs((iw / ih) - (cw / ch)) < 0.01:
        interpolation = cv2.INTER_AREA if cover < 1 else cv2.INTER_CUBIC
        target = (max(cw, round(iw * cover)), max(ch, round(ih * cover)))
        resized = cv2.resize(image, target, interpolation=interpolation)
        y0, x0 = (resized.shape[0] - ch) // 2, (resized.shape[1] - cw) // 2
        return resized[y0 : y0 + ch, x0 : x0 + cw].copy(), density
    # The fill covers the canvas with the photo's centre (cropped, not stretched), blurred and
    # darkened at 1/8 scale then upsampled: the same soft fill for a fraction of the cost.
    crop_w, crop_h = min(iw, round(ih * cw / ch)), min(ih, round(iw * ch / cw))
    cx0, cy0 = (iw - crop_w) // 2, (ih - crop_h) // 2
    centre = image[cy0 : cy0 + max(1, crop_h), cx0 : cx0 + max(1, crop_w)]
    small = cv2.resize(centre, (max(2, cw // 8), max(2, ch // 8)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigmaX=max(1.0, max(cw, ch) / 480))
    small = cv2.convertScaleAbs(small, alpha=0.7)
    background = cv2.resize(small, (cw, ch), interpolation=cv2.INTER_LINEAR)
    contain = min(cw / iw, ch / ih)  # the whole photo fits inside the canvas
    fw, fh = min(cw, max(2, round(iw * contain))), min(ch, max(2, round(ih * contain)))
    interpolation = cv2.INTER_AREA if contain < 1 else cv2.INTER_CUBIC
    fg = cv2.resize(image, (fw, fh), interpolation=interpolation)
    y0, x0 = (ch - fh) // 2, (cw - fw) // 2
    background[y0 : y0 + fh, x0 : x0 + fw] = fg
    return background, density


def _clips(
    draft: Mapping[str, Any], out: tuple[int, int], resolve: Resolver, fit: str
) -> list[_Clip]:
    from nemo_skill.local.engine.images import load_image

    clips = []
    width, height = out
    for start, seg in _segments(draft, 0):
        src = seg.get("src")
        if not src or not isinstance(src, str):
            raise RenderError("A video segment has no image (src).", hint="Upload an image first.")
        image = load_image(resolve(str(src)), int(max(width, height) * mo.MARGIN * MAX_DENSITY))
        canvas, density = _frame_canvas(image, out, fit)
        planes = _yuv_planes(canvas)
        motion = fields.text(seg, "motion", "kenburns")
        layers = None
        if motion in mo.DEPTH_MOTIONS:
            from nemo_skill.local.engine import depth
            from nemo_skill.local.engine import layers as ly

            layers = ly.build(canvas, planes, depth.estimate(canvas))
        del canvas  # the planes (and layers) are all the frames need
        clips.append(
            _Clip(
                start_ms=start,
                end_ms=start + fields.ms(seg, "d"),
                planes=planes,
                density=density,
                motion=motion,
                speed=fields.number(seg, "speed", 1.0, lo=0.25, hi=4.0),
                subject=_subject(image),
                crossfade_ms=fields.ms(
                    fields.mapping(seg, "transition"), "d", owner=seg, label="transition.d"
                ),
                fade_in_ms=fields.ms(seg, "fade_in"),
                fade_out_ms=fields.ms(seg, "fade_out"),
                layers=layers,
            )
        )
    return clips


def _yuv_planes(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An RGB image (even size) as yuv420p planes, converted once per segment."""
    import cv2
    import numpy as np

    h, w = rgb.shape[:2]
    flat = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420).reshape(-1)
    quarter = h * w // 4
    return (
        flat[: h * w].reshape(h, w),
        flat[h * w : h * w + quarter].reshape(h // 2, w // 2),
        flat[h * w + quarter :].reshape(h // 2, w // 2),
    )


Frame = tuple["np.ndarray", tuple["np.ndarray", "np.ndarray", "np.ndarray"]]


def _new_frame(out: tuple[int, int]) -> Frame:
    """An I420 buffer (as the encoder takes it) and views of its three planes."""
    import numpy as np

    w, h = out
    flat = np.empty(w * h * 3 // 2, dtype=np.uint8)
    quarter = w * h // 4
    planes = (
        flat[: w * h].reshape(h, w),
        flat[w * h : w * h + quarter].reshape(h // 2, w // 2),
        flat[w * h + quarter :].reshape(h // 2, w // 2),
    )
    return flat.reshape(h * 3 // 2, w), planes


def _warp(clip: _Clip, t_ms: float, out: tuple[int, int], dst: tuple[np.ndarray, ...]) -> None:
    """Warp the clip's canvas straight into yuv420p planes (sub-pixel, no RGB frame)."""
    import cv2
    import numpy as np

    span = max(1, clip.end_ms - clip.start_ms)
    u = (t_ms - clip.start_ms) / span
    if clip.layers is not None:
        from nemo_skill.local.engine import layers as ly

        ly.warp(clip.layers, clip.motion, u, out, clip.density, clip.speed, dst)
        return
    luma = clip.planes[0]
    cam = mo.camera(
        clip.motion,
        u,
        (luma.shape[1], luma.shape[0]),
        speed=clip.speed,
        subject=clip.subject,
        t_seconds=(t_ms - clip.start_ms) / 1000.0,
    )
    full = np.array(mo.affine(cam, out, clip.density), dtype=np.float64)
    # Chroma samples sit at 2i+0.5 in luma coordinates: same scale, adjusted offset.
    half = full.copy()
    half[:, 2] = (full[:, 2] + 0.5 * full[0, 0] - 0.5) / 2
    w, h = out
    for index, (plane, target) in enumerate(zip(clip.planes, dst, strict=True)):
        size = (w, h) if index == 0 else (w // 2, h // 2)
        # Into the caller's buffer: a fresh output array per frame costs page faults.
        cv2.warpAffine(
            plane,
            full if index == 0 else half,
            size,
            dst=target,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )


def _compose(
    clips: list[_Clip],
    overlays: list[Overlay],
    t_ms: float,
    out: tuple[int, int],
    target: Frame | None = None,
    frame_ms: float = 0.0,
) -> np.ndarray:
    """One output frame as an I420 array of shape (h * 3 / 2, w), in ``target`` if given.

    ``frame_ms`` is how long the frame shows (a fade-out reaches black on the last frame).
    """
    import numpy as np

    active = [c for c in clips if c.start_ms <= t_ms < c.end_ms] or [
        min(clips, key=lambda c: abs(c.end_ms - t_ms))
    ]
    frame, planes = target or _new_frame(out)
    current = active[-1]
    _warp(current, t_ms, out, planes)
    if current.crossfade_ms and t_ms < current.start_ms + current.crossfade_ms:
        previous = [c for c in clips if c.end_ms <= current.start_ms]
        if previous:
            alpha = (t_ms - current.start_ms) / current.crossfade_ms
            before, before_planes = _new_frame(out)
            _warp(previous[-1], min(t_ms, previous[-1].end_ms - 1), out, before_planes)
            frame[...] = (before * (1 - alpha) + frame * alpha).astype(np.uint8)
    for overlay in overlays:
        overlay.blend(planes, t_ms)
    _fade_black(planes, _black_level(current, t_ms, frame_ms))
    return frame


def _black_level(clip: _Clip, t_ms: float, frame_ms: float) -> float:
    """How much of the picture shows in the frame at ``t_ms`` (1 = all, 0 = black).

    Linear ramps, as editors draw them: the first frame of a fade-in is black, and so is the
    last frame of a fade-out (that frame lasts ``frame_ms`` up to the segment's end).
    """
    level = 1.0
    if clip.fade_in_ms > 0:
        level = min(level, max(0.0, (t_ms - clip.start_ms) / clip.fade_in_ms))
    if clip.fade_out_ms > 0:
        level = min(level, max(0.0, (clip.end_ms - frame_ms - t_ms) / clip.fade_out_ms))
    return level


def _fade_black(planes: tuple[np.ndarray, ...], level: float) -> None:
    """Scale the yuv420p planes toward black in place: Y toward 16, U and V toward 128."""
    import cv2

    if level >= 1.0:
        return
    for index, plane in enumerate(planes):
        neutral = 16.0 if index == 0 else 128.0
        # One saturating multiply-add per plane: a few hundred µs at 1080p.
        cv2.convertScaleAbs(plane, dst=plane, alpha=level, beta=neutral * (1.0 - level))


def _audio(draft: Mapping[str, Any], seconds: float, resolve: Resolver) -> np.ndarray | None:
    import numpy as np

    from nemo_skill.local.engine.audio import RATE, music_for

    mix: np.ndarray | None = None
    for start, seg in _segments(draft, 1):
        start_s = start / 1000.0
        if start_s >= seconds:
            continue
        length = min(fields.ms(seg, "d") / 1000.0, seconds - start_s)
        samples = music_for(seg, length, resolve)
        if mix is None:
            mix = np.zeros((2, int(seconds * RATE)), dtype=np.float32)
        offset = int(start_s * RATE)
        end = min(mix.shape[1], offset + samples.shape[1])
        mix[:, offset:end] += samples[:, : end - offset]
    return None if mix is None else np.clip(mix, -1.0, 1.0)


def _default_resolver(src: str) -> Path:
    path = Path(src.removeprefix("file://"))
    if not path.is_file():
        raise UnsupportedFileError(f"Source not found: {src}")
    return path


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise RenderError("Render cancelled.", code="cancelled")


def _temp_beside(out: Path) -> Path:
    """An empty temp file in ``out``'s folder (same file system: the final rename is atomic)."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part.mp4", dir=out.parent)
    except OSError as exc:
        raise RenderError(
            f"Cannot write the video next to {out} ({exc.strerror or type(exc).__name__}).",
            hint="Choose an existing, writable folder for the output.",
        ) from None
    os.close(fd)
    return Path(name)


def render_draft(
    draft: Mapping[str, Any],
    out: Path,
    *,
    resolve_source: Resolver | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> RenderResult:
    """Render ``draft`` to ``out`` (MP4). Raises RenderError / UnsupportedFileError."""
    started = time.monotonic()
    resolve = resolve_source or _default_resolver
    out = Path(out)
    videos = _segments(draft, 0)
    if not videos:
        raise RenderError(
            "The timeline has no video segment to render.",
            hint="Send an image and describe the clip first.",
        )
    meta = fields.mapping(draft, "m")
    first = _source_size(meta)
    first_src = videos[0][1].get("src")
    if first is None and isinstance(first_src, str) and first_src:
        # "original" means the first image's shape, also for drafts made without source_size
        from nemo_skill.local.engine.images import probe_image

        first = probe_image(resolve(first_src))
    width, height, fps = _output_geometry(draft, first)
    duration_ms = min(MAX_DURATION_MS, max(s + fields.ms(seg, "d") for s, seg in videos))
    fit = fields.text(meta, "fit", "blur")
    from nemo_skill.local.engine.text import make_overlay

    tmp = _temp_beside(out)  # first: an unwritable target fails before seconds of decoding
    try:
        _check(cancel)
        clips = _clips(draft, (width, height), resolve, fit)
        _check(cancel)  # a 100 MP photo takes seconds to decode: honour a cancel meanwhile
        segments = _segments(draft, 7)
        overlays = [o for s, seg in segments if (o := make_overlay(seg, (width, height), s))]
        audio = _audio(draft, duration_ms / 1000.0, resolve)
        frames = _encode(
            tmp, clips, overlays, audio, (width, height), fps, duration_ms, progress, cancel
        )
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return RenderResult(
        out,
        frames / fps,
        width,
        height,
        float(fps),
        out.stat().st_size,
        time.monotonic() - started,
        audio is not None,
    )


def _encode(
    path: Path,
    clips: list[_Clip],
    overlays: list[Overlay],
    audio: np.ndarray | None,
    size: tuple[int, int],
    fps: int,
    duration_ms: int,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
) -> int:
    import av

    width, height = size
    total = max(1, round(duration_ms * fps / 1000))
    frames: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_FRAMES)
    # Reused buffers: the producer fills a free one, the encoder copies it and hands it back.
    free: queue.Queue[Frame] = queue.Queue()
    for _ in range(QUEUE_FRAMES + 2):
        free.put(_new_frame(size))
    stop = threading.Event()

    def produce() -> None:
        try:
            for index in range(total):
                buffer = _take(free, stop)
                if buffer is None:
                    return
                _compose(clips, overlays, index * 1000.0 / fps, size, buffer, 1000.0 / fps)
                frames.put(buffer)
            frames.put(None)
        except BaseException as exc:  # handed to the encoder thread, which raises it
            frames.put(exc)

    producer = threading.Thread(target=produce, name="frame-producer", daemon=True)
    try:
        with av.open(
            str(path), mode="w", format="mp4", options={"movflags": "+faststart"}
        ) as container:
            stream = container.add_stream("libx264", rate=Fraction(fps, 1))
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.options = {"preset": PRESET, "crf": str(CRF)}
            audio_stream = None
            if audio is not None:
                audio_stream = container.add_stream("aac", rate=44_100)
                audio_stream.layout = "stereo"
            producer.start()
            written_audio = 0
            for index in range(total):
                _check(cancel)
                item = frames.get()
                if isinstance(item, BaseException):
                    raise item
                frame = av.VideoFrame.from_ndarray(item[0], format="yuv420p")  # copies
                free.put(item)
                frame.pts = index
                container.mux(stream.encode(frame))
                if audio_stream is not None and audio is not None:
                    upto = min(audio.shape[1], int((index + 1) / fps * 44_100))
                    written_audio = _mux_audio(container, audio_stream, audio, written_audio, upto)
                if progress is not None and (index % 10 == 0 or index == total - 1):
                    progress((index + 1) / total)
            container.mux(stream.encode(None))
            if audio_stream is not None and audio is not None:
                _mux_audio(container, audio_stream, audio, written_audio, audio.shape[1])
                container.mux(audio_stream.encode(None))
    except NemoError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise RenderError(f"The encoder failed ({type(exc).__name__}: {exc}).") from None
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                frames.get_nowait()
        if producer.is_alive():
            producer.join(timeout=5)
    return total


def _take(free: queue.Queue[Frame], stop: threading.Event) -> Frame | None:
    """A free frame buffer, or ``None`` once the encoder has stopped."""
    while not stop.is_set():
        with contextlib.suppress(queue.Empty):
            return free.get(timeout=0.1)
    return None


def _mux_audio(container: Any, stream: Any, audio: np.ndarray, start: int, stop: int) -> int:
    """Encode samples ``[start, stop)`` in 1024-sample frames; returns the new start."""
    import av
    import numpy as np

    position = start
    while stop - position >= 1024 or (stop == audio.shape[1] and position < stop):
        chunk = np.ascontiguousarray(audio[:, position : min(stop, position + 1024)])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = 44_100
        frame.pts = position
        container.mux(stream.encode(frame))
        position += chunk.shape[1]
    return position
