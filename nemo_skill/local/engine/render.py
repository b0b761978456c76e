"""Render a draft to an H.264 MP4 on the CPU, streaming frame by frame.

Three stages: :func:`~nemo_skill.local.engine.plan.make_plan` reads the draft into a typed
plan (pure); :func:`load` decodes each segment's image once onto a canvas in yuv420p (and,
for depth-aware motions, splits it into layers), draws the text overlays and mixes the
music; an :class:`~nemo_skill.local.engine.encoder.Encoder` runs a producer thread that
warps each frame (OpenCV, sub-pixel) straight into yuv420p planes and blends the overlays,
while the calling thread encodes (PyAV libx264) and muxes the AAC music as it goes. Output
goes to a temp file in the target folder and is renamed on success; a failure or a cancel
leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.errors import RenderError, UnsupportedFileError
from nemo_skill.local.engine import motion as mo
from nemo_skill.local.engine.encoder import (
    CRF,
    PRESET,
    Encoder,
    check_cancel,
    new_frame,
    yuv_planes,
)
from nemo_skill.local.engine.plan import RenderPlan, VideoPart, make_plan

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np

    from nemo_skill.local.engine.layers import Layers
    from nemo_skill.local.engine.text import Overlay

__all__ = ["CRF", "PRESET", "RenderResult", "load", "render_draft"]

MAX_DENSITY = 1.1  # canvas pixels per output pixel: headroom for zooms without blurring
Resolver = Callable[[str], Path]
Planes = tuple["np.ndarray", "np.ndarray", "np.ndarray"]


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
class Clip:
    """A video segment framed onto its canvas, ready to warp."""

    part: VideoPart
    planes: Planes  # canvas as yuv420p: Y, U, V
    density: float
    subject: tuple[float, float]
    layers: Layers | None = None  # depth-aware motions: background and subject layers
    last: Planes | None = None  # its last frame, once a crossfade out of it needs it

    @property
    def start_ms(self) -> int:
        """Where the segment starts."""
        return self.part.start_ms

    @property
    def end_ms(self) -> int:
        """Where the segment ends."""
        return self.part.end_ms


@dataclass
class Loaded:
    """A plan with its pixels and samples: what the frames are composed from."""

    plan: RenderPlan
    clips: list[Clip]
    overlays: list[Overlay]
    audio: np.ndarray | None

    def compose(self, index: int, planes: Planes) -> None:
        """Frame ``index`` into ``planes`` (the encoder's compose callback)."""
        fps = self.plan.fps
        compose(self.clips, self.overlays, index * 1000.0 / fps, self.plan.size, planes,
                1000.0 / fps)  # fmt: skip


def _subject(image: np.ndarray) -> tuple[float, float]:
    """Where the detail is (centre of gradient energy), for Ken Burns to drift toward."""
    import cv2
    import numpy as np

    step = max(1, min(image.shape[:2]) // 256)  # every step-th pixel: plenty for a 64² map
    small = cv2.resize(image[::step, ::step], (64, 64), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    energy = np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    total = float(energy.sum()) or 1.0
    ys, xs = np.mgrid[0:64, 0:64]
    sx = float((energy * xs).sum()) / total / 63
    sy = float((energy * ys).sum()) / total / 63
    return 0.5 + (sx - 0.5) * 0.6, 0.5 + (sy - 0.5) * 0.6


def _shrink_or_grow(scale: float) -> int:
    """Resampling for a one-off resize by ``scale``: area averaging for real reductions,
    bilinear for mild ones (≥ 2/3, where it looks the same and is 5× faster than area at
    non-integer ratios: the canvas is resampled again by every frame's warp anyway),
    bicubic to enlarge."""
    import cv2

    if scale >= 1:
        return int(cv2.INTER_CUBIC)
    return int(cv2.INTER_LINEAR if scale >= 2 / 3 else cv2.INTER_AREA)


Rect = tuple[int, int, int, int]  # x0, y0, x1, y1


def _frame_canvas(
    image: np.ndarray, out: tuple[int, int], fit: str
) -> tuple[np.ndarray, float, Rect]:
    """The image framed on a canvas ``MARGIN`` × the output, at ``density`` px per output px."""
    import cv2

    width, height = out
    density = min(MAX_DENSITY, max(1.0, image.shape[1] / (width * mo.MARGIN)))
    cw, ch = int(width * mo.MARGIN * density) // 2 * 2, int(height * mo.MARGIN * density) // 2 * 2
    ih, iw = image.shape[:2]
    cover = max(cw / iw, ch / ih)
    if fit == "crop" or abs((iw / ih) - (cw / ch)) < 0.01:
        interpolation = _shrink_or_grow(cover)
        target = (max(cw, round(iw * cover)), max(ch, round(ih * cover)))
        resized = cv2.resize(image, target, interpolation=interpolation)
        y0, x0 = (resized.shape[0] - ch) // 2, (resized.shape[1] - cw) // 2
        return resized[y0 : y0 + ch, x0 : x0 + cw].copy(), density, (0, 0, cw, ch)
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
    interpolation = _shrink_or_grow(contain)
    fg = cv2.resize(image, (fw, fh), interpolation=interpolation)
    y0, x0 = (ch - fh) // 2, (cw - fw) // 2
    background[y0 : y0 + fh, x0 : x0 + fw] = fg
    return background, density, (x0, y0, x0 + fw, y0 + fh)


def _load_clip(part: VideoPart, plan: RenderPlan, resolve: Resolver) -> Clip:
    from nemo_skill.local.engine.images import load_image

    width, height = plan.size
    image = load_image(resolve(part.src), int(max(width, height) * mo.MARGIN * MAX_DENSITY))
    canvas, density, photo = _frame_canvas(image, plan.size, plan.fit)
    planes = yuv_planes(canvas)
    layers = None
    if part.depth_aware:
        from nemo_skill.local.engine import depth
        from nemo_skill.local.engine import layers as ly

        # depth of the photo itself: a blurred fill beside it is background, not a subject
        x0, y0, x1, y1 = photo
        estimate = depth.estimate(canvas[y0:y1, x0:x1]).placed(canvas.shape[:2], photo)
        layers = ly.build(canvas, planes, estimate)
    return Clip(part, planes, density, _subject(image), layers)


def _warp(clip: Clip, t_ms: float, out: tuple[int, int], dst: tuple[np.ndarray, ...]) -> None:
    """Warp the clip's canvas straight into yuv420p planes (sub-pixel, no RGB frame)."""
    import cv2
    import numpy as np

    span = max(1, clip.end_ms - clip.start_ms)
    u = (t_ms - clip.start_ms) / span
    if clip.layers is not None:
        from nemo_skill.local.engine import layers as ly

        ly.warp(clip.layers, clip.part.motion, u, out, clip.density, clip.part.speed, dst)
        return
    luma = clip.planes[0]
    cam = mo.camera(
        clip.part.motion,
        u,
        (luma.shape[1], luma.shape[0]),
        speed=clip.part.speed,
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


def compose(
    clips: list[Clip],
    overlays: list[Overlay],
    t_ms: float,
    out: tuple[int, int],
    planes: Planes,
    frame_ms: float = 0.0,
) -> None:
    """The frame at ``t_ms`` into the yuv420p ``planes``.

    ``frame_ms`` is how long the frame shows (a fade-out reaches black on the last frame).
    """
    import cv2

    active = [c for c in clips if c.start_ms <= t_ms < c.end_ms] or [
        min(clips, key=lambda c: abs(c.end_ms - t_ms))
    ]
    current = active[-1]
    _warp(current, t_ms, out, planes)
    crossfade = current.part.crossfade_ms
    if crossfade and t_ms < current.start_ms + crossfade:
        previous = [c for c in clips if c.end_ms <= current.start_ms]
        if previous:
            alpha = (t_ms - current.start_ms) / crossfade
            for plane, old in zip(planes, _last_frame(previous[-1], out), strict=True):
                cv2.addWeighted(old, 1 - alpha, plane, alpha, 0.0, dst=plane)
    for overlay in overlays:
        overlay.blend(planes, t_ms)
    _fade_black(planes, black_level([c.part for c in clips], current.part, t_ms, frame_ms))


def _last_frame(clip: Clip, out: tuple[int, int]) -> Planes:
    """The clip's last frame (its move at rest), warped once: a crossfade blends from it."""
    if clip.last is None:
        _, clip.last = new_frame(out)
        _warp(clip, clip.end_ms - 1, out, clip.last)
    return clip.last


def black_level(parts: list[VideoPart], current: VideoPart, t_ms: float, frame_ms: float) -> float:
    """How much of the picture shows in the frame at ``t_ms`` (1 = all, 0 = black).

    Linear ramps, as editors draw them: the first frame of a fade-in is black, and so is the
    last frame of a fade-out (that frame lasts ``frame_ms`` up to the segment's end). A
    ``fade_black`` cut is a V around the cut: |t − cut| / (d/2), black on the cut's frame.
    """
    level = 1.0
    if current.fade_in_ms > 0:
        level = min(level, max(0.0, (t_ms - current.start_ms) / current.fade_in_ms))
    if current.fade_out_ms > 0:
        level = min(level, max(0.0, (current.end_ms - frame_ms - t_ms) / current.fade_out_ms))
    for index, part in enumerate(parts):
        dip, cut = part.dip_ms, part.start_ms
        if dip and (cut <= t_ms < cut + dip or (index and cut - dip <= t_ms < cut)):
            level = min(level, abs(t_ms - cut) / dip)
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


def _audio(plan: RenderPlan, resolve: Resolver) -> np.ndarray | None:
    """The music mixed over the clip (float32 stereo at ``audio.RATE``), or None."""
    import numpy as np

    from nemo_skill.local.engine.audio import RATE, music_for

    seconds = plan.duration_ms / 1000.0
    mix: np.ndarray | None = None
    for cue in plan.audio:
        start_s = cue.start_ms / 1000.0
        if start_s >= seconds:
            continue
        samples = music_for(cue.segment, min(cue.duration_ms / 1000.0, seconds - start_s), resolve)
        if mix is None:
            mix = np.zeros((2, int(seconds * RATE)), dtype=np.float32)
        offset = int(start_s * RATE)
        end = min(mix.shape[1], offset + samples.shape[1])
        mix[:, offset:end] += samples[:, : end - offset]
    return None if mix is None else np.clip(mix, -1.0, 1.0)


def load(plan: RenderPlan, resolve: Resolver, cancel: threading.Event | None = None) -> Loaded:
    """Decode and prepare everything the plan's frames are made of."""
    from nemo_skill.local.engine.text import make_overlay

    clips = []
    for part in plan.video:
        check_cancel(cancel)  # a 100 MP photo takes seconds to decode: honour a cancel between
        clips.append(_load_clip(part, plan, resolve))
    check_cancel(cancel)
    overlays = [o for c in plan.text if (o := make_overlay(c.segment, plan.size, c.start_ms))]
    return Loaded(plan, clips, overlays, _audio(plan, resolve))


def _default_resolver(src: str) -> Path:
    path = Path(src.removeprefix("file://"))
    if not path.is_file():
        raise UnsupportedFileError(f"Source not found: {src}")
    return path


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


def _prefetch(module: str) -> None:
    """Import ``module`` in a background thread (an import of it elsewhere waits for it)."""
    import importlib
    import sys

    def load() -> None:
        with contextlib.suppress(ImportError):  # reported where the module is really needed
            importlib.import_module(module)

    if module not in sys.modules:
        threading.Thread(target=load, name=f"import-{module}", daemon=True).start()


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
    _prefetch("av")  # PyAV's libraries load while the photo decodes (that releases the GIL)
    resolve = resolve_source or _default_resolver
    out = Path(out)

    def probe(src: str) -> tuple[int, int]:
        # "original" means the first image's shape, also for drafts made without source_size
        from nemo_skill.local.engine.images import probe_image

        return probe_image(resolve(src))

    plan = make_plan(draft, probe)
    tmp = _temp_beside(out)  # first: an unwritable target fails before seconds of decoding
    try:
        check_cancel(cancel)
        loaded = load(plan, resolve, cancel)
        encoder = Encoder(tmp, plan.size, plan.fps, loaded.audio, progress=progress, cancel=cancel)
        frames = encoder.run(plan.frames, loaded.compose)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return RenderResult(
        out,
        frames / plan.fps,
        plan.width,
        plan.height,
        float(plan.fps),
        out.stat().st_size,
        time.monotonic() - started,
        loaded.audio is not None,
    )
