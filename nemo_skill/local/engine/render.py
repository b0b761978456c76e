"""Render a draft to an H.264 MP4 on the CPU, streaming frame by frame.

Three stages: :func:`~nemo_skill.local.engine.plan.make_plan` reads the draft into a typed
plan (pure); :func:`load` checks every photo, draws the text overlays and mixes the music,
while :class:`~nemo_skill.local.engine.clips.Clips` decodes each segment's photo once onto a
canvas in yuv420p when the frames reach it (the next one ahead, in the background) and
releases it after its last frame; an :class:`~nemo_skill.local.engine.encoder.Encoder`
runs a producer thread that warps each frame (OpenCV, sub-pixel) straight into yuv420p
planes and blends the overlays, while the calling thread encodes (PyAV libx264) and muxes
the AAC music as it goes. Output goes to a temp file in the target folder and is renamed
on success; a failure or a cancel leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.errors import RenderError, UnsupportedFileError
from nemo_skill.local.engine.clips import Clips, Resolver, warp
from nemo_skill.local.engine.encoder import CRF, PRESET, Encoder, check_cancel
from nemo_skill.local.engine.plan import RenderPlan, VideoPart, make_plan

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np

    from nemo_skill.local.engine.text import Overlay

__all__ = ["CRF", "PRESET", "RenderResult", "load", "render_draft"]

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
class Loaded:
    """A plan with its pixels and samples: what the frames are composed from."""

    plan: RenderPlan
    clips: Clips
    overlays: list[Overlay]
    audio: np.ndarray | None

    def compose(self, index: int, planes: Planes) -> None:
        """Frame ``index`` into ``planes`` (the encoder's compose callback)."""
        fps = self.plan.fps
        compose(self.clips, self.overlays, index * 1000.0 / fps, planes, 1000.0 / fps)

    def close(self) -> None:
        """Release the clips and stop their loader."""
        self.clips.close()


def compose(
    clips: Clips,
    overlays: list[Overlay],
    t_ms: float,
    planes: Planes,
    frame_ms: float = 0.0,
) -> None:
    """The frame at ``t_ms`` into the yuv420p ``planes``.

    ``frame_ms`` is how long the frame shows (a fade-out reaches black on the last frame).
    """
    import cv2

    index = clips.index_at(t_ms)
    clips.advance(index)
    current = clips.plan.video[index]
    warp(clips.clip(index), t_ms, clips.plan.size, planes)
    crossfade = current.crossfade_ms
    previous = clips.previous(index)
    if crossfade and t_ms < current.start_ms + crossfade and previous is not None:
        alpha = (t_ms - current.start_ms) / crossfade
        for plane, old in zip(planes, clips.last_frame(previous), strict=True):
            cv2.addWeighted(old, 1 - alpha, plane, alpha, 0.0, dst=plane)
    for overlay in overlays:
        overlay.blend(planes, t_ms)
    _fade_black(planes, black_level(clips.plan.video, current, t_ms, frame_ms))


def black_level(
    parts: tuple[VideoPart, ...], current: VideoPart, t_ms: float, frame_ms: float
) -> float:
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
    """Prepare what the plan's frames are made of: every photo checked (its header: a
    missing or unsupported one fails before any encoding), the first one decoding in the
    background while the text overlays are drawn and the music mixed; the others are decoded
    as the frames reach them."""
    from nemo_skill.local.engine.images import probe_image
    from nemo_skill.local.engine.text import make_overlay

    for part in plan.video:
        probe_image(resolve(part.src))
    clips = Clips(plan, resolve, cancel)
    clips.advance(0)
    try:
        check_cancel(cancel)
        overlays = [o for c in plan.text if (o := make_overlay(c.segment, plan.size, c.start_ms))]
        return Loaded(plan, clips, overlays, _audio(plan, resolve))
    except BaseException:
        clips.close()
        raise


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
    # Each source is looked up once (the probe, the header check and the lazy decode share it).
    resolve: Resolver = functools.cache(resolve_source or _default_resolver)
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
        try:
            encoder = Encoder(tmp, plan.size, plan.fps, loaded.audio, progress=progress,
                              cancel=cancel)  # fmt: skip
            frames = encoder.run(plan.frames, loaded.compose)
        finally:
            loaded.close()
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
