"""Planning a render: draft (+ the first image's size) → a typed :class:`RenderPlan`.

Pure: no pixels, no files, no numpy. Every draft value is read here, strictly (a wrong
type, NaN or 1e400 is a :class:`~nemo_skill.errors.RenderError` naming the field and the
segment), so the stages after it (loading, compositing, encoding) work on checked values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from nemo_skill.draft import STRICT, TrackType, segments
from nemo_skill.errors import RenderError
from nemo_skill.local.engine import motion as mo

FPS_CHOICES = (24, 25, 30, 60)
MAX_DURATION_MS = 60_000
MAX_SIDE = 1920
CROSSFADE, FADE_BLACK = "crossfade", "fade_black"
TRANSITIONS = (CROSSFADE, FADE_BLACK)  # how the cut into a video segment looks (docs/draft.md)
Probe = Callable[[str], tuple[int, int]]


@dataclass(frozen=True)
class VideoPart:
    """A video segment: which image, when, and how the camera moves over it."""

    id: str | None
    src: str
    start_ms: int
    end_ms: int
    motion: str
    speed: float
    fade_in_ms: int  # from black
    fade_out_ms: int  # to black
    transition: str = ""  # "" (a plain cut), CROSSFADE or FADE_BLACK: the cut into this part
    transition_ms: int = 0  # transition.d, at most the part's length

    @property
    def crossfade_ms(self) -> int:
        """How long this part blends in from the previous part's last frame (0: no blend)."""
        return self.transition_ms if self.transition == CROSSFADE else 0

    @property
    def dip_ms(self) -> int:
        """Half a fade through black: the previous part fades out over this before the cut
        and this one fades in over this after it (0: no dip)."""
        return self.transition_ms // 2 if self.transition == FADE_BLACK else 0

    @property
    def depth_aware(self) -> bool:
        """Whether the motion needs a depth estimate and layers."""
        return self.motion in mo.DEPTH_MOTIONS


@dataclass(frozen=True)
class Cue:
    """A text or audio segment placed on the timeline (its own fields read when drawn/mixed)."""

    start_ms: int
    duration_ms: int
    segment: Mapping[str, Any]


@dataclass(frozen=True)
class RenderPlan:
    """Everything a render needs to know, before any pixel is decoded."""

    width: int
    height: int
    fps: int
    duration_ms: int
    fit: str
    video: tuple[VideoPart, ...]
    text: tuple[Cue, ...]
    audio: tuple[Cue, ...]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in px, both even."""
        return self.width, self.height

    @property
    def frames(self) -> int:
        """How many frames the clip has."""
        return max(1, round(self.duration_ms * self.fps / 1000))


def source_size(meta: Mapping[str, Any]) -> tuple[int, int] | None:
    """``m.source_size`` when it is two positive numbers (else the image is probed)."""
    value = meta.get("source_size")
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    try:
        size = (round(float(value[0])), round(float(value[1])))
    except (TypeError, ValueError, OverflowError):
        return None
    return size if min(size) > 0 else None


def geometry(meta: Mapping[str, Any], first_image: tuple[int, int] | None) -> tuple[int, int, int]:
    """(width, height, fps): sizes even with the long side ≤ 1920, fps snapped to a choice."""
    from nemo_skill.local.engine.frame import frame_size

    fps_wanted = STRICT.number(meta, "fps", 30)
    fps = min(FPS_CHOICES, key=lambda f: abs(f - fps_wanted))
    width, height = round(STRICT.number(meta, "width", 0)), round(STRICT.number(meta, "height", 0))
    if width <= 0 or height <= 0:
        long_side = round(STRICT.number(meta, "long_side", MAX_SIDE, lo=16, hi=MAX_SIDE))
        aspect = STRICT.text(meta, "aspect", "original")
        width, height = frame_size(aspect, first_image, long_side)
    scale = min(1.0, MAX_SIDE / max(width, height))
    width, height = max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)
    return width, height, fps


def _video_part(start: int, seg: Mapping[str, Any]) -> VideoPart:
    src = seg.get("src")
    if not src or not isinstance(src, str):
        raise RenderError("A video segment has no image (src).", hint="Upload an image first.")
    ident = seg.get("id")
    duration = STRICT.ms(seg, "d")
    transition = STRICT.mapping(seg, "transition")
    kind = STRICT.choice(transition, "type", TRANSITIONS, CROSSFADE, owner=seg,
                         label="transition.type")  # fmt: skip
    # the part after the cut holds a crossfade, or half a fade through black
    room = duration if kind == CROSSFADE else 2 * duration
    length = min(room, STRICT.ms(transition, "d", owner=seg, label="transition.d"))
    return VideoPart(
        id=ident if isinstance(ident, str) else None,
        src=src,
        start_ms=start,
        end_ms=start + duration,
        motion=STRICT.text(seg, "motion", "kenburns"),
        speed=STRICT.number(seg, "speed", 1.0, lo=0.25, hi=4.0),
        fade_in_ms=STRICT.ms(seg, "fade_in"),
        fade_out_ms=STRICT.ms(seg, "fade_out"),
        transition=kind if length > 0 else "",
        transition_ms=length,
    )


def _clamp_dips(parts: list[VideoPart]) -> tuple[VideoPart, ...]:
    """A fade through black fades the previous part out for at most that part's length."""
    for index in range(1, len(parts)):
        before, part = parts[index - 1], parts[index]
        room = before.end_ms - before.start_ms
        if part.dip_ms > room:
            parts[index] = replace(part, transition_ms=2 * room)
    return tuple(parts)


def _cues(draft: Mapping[str, Any], tt: TrackType) -> tuple[Cue, ...]:
    placed = segments(draft, tt, reader=STRICT, positive=True)
    return tuple(Cue(p.start_ms, p.duration_ms, p.segment) for p in placed)


def make_plan(draft: Mapping[str, Any], probe: Probe | None = None) -> RenderPlan:
    """The plan of ``draft``. ``probe(src) -> (w, h)`` is asked for the first image's size
    only when the output shape depends on it (``aspect: original`` without ``m.source_size``
    or explicit ``width``/``height``)."""
    videos = segments(draft, TrackType.VIDEO, reader=STRICT, positive=True)
    if not videos:
        raise RenderError(
            "The timeline has no video segment to render.",
            hint="Send an image and describe the clip first.",
        )
    meta = STRICT.mapping(draft, "m")
    # in time order (a draft lists them in any order): "the previous segment" is the one
    # before on the timeline, and clips are loaded and released in that order
    parts = _clamp_dips(sorted((_video_part(p.start_ms, p.segment) for p in videos),
                               key=lambda part: part.start_ms))  # fmt: skip
    first = source_size(meta)
    if first is None and probe is not None:
        first = probe(parts[0].src)
    width, height, fps = geometry(meta, first)
    return RenderPlan(
        width=width,
        height=height,
        fps=fps,
        duration_ms=min(MAX_DURATION_MS, max(p.end_ms for p in parts)),
        fit=STRICT.text(meta, "fit", "blur"),
        video=parts,
        text=_cues(draft, TrackType.TEXT),
        audio=_cues(draft, TrackType.AUDIO),
    )
