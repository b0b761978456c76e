"""Video segments as clips: each photo decoded once, framed, warped per frame.

A :class:`Clip` is one video segment's photo framed onto its canvas (yuv420p planes, and
the layers of a depth-aware motion). :class:`Clips` hands them to the compositor in time
order, lazily: a clip is loaded when its first frame is composed (the next one in a
background thread while the current one plays: Pillow and OpenCV release the GIL, so the
decode overlaps the encoding) and released after its last frame. A crossfade keeps only
the previous clip's last frame (warped once). So a story holds at most the clip on screen,
the next one and one frame, however many photos it has.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nemo_skill.local.engine import motion as mo
from nemo_skill.local.engine.encoder import check_cancel, new_frame, yuv_planes
from nemo_skill.local.engine.plan import RenderPlan, VideoPart

if TYPE_CHECKING:
    import numpy as np

    from nemo_skill.local.engine.layers import Layers

MAX_DENSITY = 1.1  # canvas pixels per output pixel: headroom for zooms without blurring
Resolver = Callable[[str], Path]
Planes = tuple["np.ndarray", "np.ndarray", "np.ndarray"]


@dataclass
class Clip:
    """A video segment framed onto its canvas, ready to warp."""

    part: VideoPart
    planes: Planes  # canvas as yuv420p: Y, U, V
    density: float
    subject: tuple[float, float]
    layers: Layers | None = None  # depth-aware motions: background and subject layers

    @property
    def start_ms(self) -> int:
        """Where the segment starts."""
        return self.part.start_ms

    @property
    def end_ms(self) -> int:
        """Where the segment ends."""
        return self.part.end_ms


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


def needed_side(image: tuple[int, int], out: tuple[int, int], fit: str) -> int:
    """How long the photo's long side needs to be: as it is framed on the densest canvas
    (covering it for ``crop``, inside it for ``blur``), never more than the photo has."""
    iw, ih = image
    cw, ch = (side * mo.MARGIN * MAX_DENSITY for side in out)
    fits = (cw / iw, ch / ih)
    scale = max(fits) if fit == "crop" else min(fits)
    return max(16, int(max(iw, ih) * min(1.0, scale)))


def load_clip(part: VideoPart, plan: RenderPlan, resolve: Resolver) -> Clip:
    """Decode the part's photo once, at the size its canvas needs, and frame it."""
    from nemo_skill.local.engine.images import load_image, probe_image

    path = resolve(part.src)
    image = load_image(path, needed_side(probe_image(path), plan.size, plan.fit))
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


def warp(clip: Clip, t_ms: float, out: tuple[int, int], dst: tuple[np.ndarray, ...]) -> None:
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


class Clips:
    """The plan's clips in time order: loaded on first use (the next one ahead, in the
    background), released once the frames have moved past them."""

    def __init__(
        self, plan: RenderPlan, resolve: Resolver, cancel: threading.Event | None = None
    ) -> None:
        self.plan = plan
        self._resolve = resolve
        self._cancel = cancel
        self._loading: dict[int, Future[Clip]] = {}
        self._last: dict[int, Planes] = {}  # part index → its last frame (a crossfade's start)
        self._pool: ThreadPoolExecutor | None = None
        self.decoded = 0  # photos decoded so far (each part's once, in a forward render)
        self.most_held = 0  # the most clips held at once (loaded or loading)

    def index_at(self, t_ms: float) -> int:
        """The part on screen at ``t_ms``: the last one covering it, else the one ending
        nearest to it (a gap between segments holds the nearer one's frame)."""
        parts = self.plan.video
        covering = [i for i, p in enumerate(parts) if p.start_ms <= t_ms < p.end_ms]
        if covering:
            return covering[-1]
        return min(range(len(parts)), key=lambda i: abs(parts[i].end_ms - t_ms))

    def previous(self, index: int) -> int | None:
        """The part a cut into ``index`` comes from: the last one ending by its start."""
        start = self.plan.video[index].start_ms
        before = [i for i, p in enumerate(self.plan.video[:index]) if p.end_ms <= start]
        return before[-1] if before else None

    def clip(self, index: int) -> Clip:
        """Part ``index``'s clip (waits for it when it is still loading)."""
        return self._load(index).result()

    def advance(self, index: int) -> None:
        """Part ``index`` is on screen: release what came before it (keeping the last frame
        its crossfade starts from), start loading the next one."""
        self._load(index)
        keep = self.previous(index) if self.plan.video[index].crossfade_ms else None
        if keep is not None and keep not in self._last and keep in self._loading:
            self.last_frame(keep)
        for old in [i for i in self._loading if i < index]:
            del self._loading[old]  # the clip's pixels go with its future
        for old in [i for i in self._last if i != keep]:
            del self._last[old]
        if index + 1 < len(self.plan.video):
            self._load(index + 1)

    def last_frame(self, index: int) -> Planes:
        """Part ``index``'s last frame (its move at rest), warped once."""
        if index not in self._last:
            _, planes = new_frame(self.plan.size)
            clip = self.clip(index)
            warp(clip, clip.part.end_ms - 1, self.plan.size, planes)
            self._last[index] = planes
        return self._last[index]

    def close(self) -> None:
        """Stop the loader thread (a decode under way finishes first) and drop every clip."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._loading.clear()
        self._last.clear()

    def _load(self, index: int) -> Future[Clip]:
        if index not in self._loading:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clip-loader")
            part = self.plan.video[index]
            self._loading[index] = self._pool.submit(self._decode, part)
            self.most_held = max(self.most_held, len(self._loading))
        return self._loading[index]

    def _decode(self, part: VideoPart) -> Clip:
        check_cancel(self._cancel)  # a 100 MP photo takes seconds to decode: honour a cancel
        self.decoded += 1
        return load_clip(part, self.plan, self._resolve)
