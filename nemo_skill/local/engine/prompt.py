"""Plain instructions → draft edits. Pure: no I/O, no heavy imports.

``parse_instruction("slow zoom in, 9:16, 8 seconds")`` →
``Instruction(motion="zoom_in", speed=0.5, aspect="9:16", duration_s=8.0, ...)``
(the words are read by :mod:`nemo_skill.local.grammar`, six languages);
``plan_from_prompt`` builds a full draft for one image and
``apply_instruction`` edits an existing draft, keeping ids and unrelated
content (see docs/draft.md).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from nemo_skill.draft import TOLERANT, TrackType, segments, tracks
from nemo_skill.local.grammar import Instruction, music_styles, parse

__all__ = [
    "DEFAULT_DURATION_S",
    "DEFAULT_FPS",
    "DEFAULT_LONG_SIDE",
    "Instruction",
    "apply_instruction",
    "frame_size",
    "parse_instruction",
    "plan_from_prompt",
]

DEFAULT_DURATION_S = 5.0
DEFAULT_FPS = 30
DEFAULT_LONG_SIDE = 1920
DEFAULT_VOLUME = 0.35
MIN_SPEED, MAX_SPEED = 0.25, 4.0
MIN_TEXT_SIZE, MAX_TEXT_SIZE = 0.02, 0.3
ASPECTS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5), "4:3": (4, 3)}


def parse_instruction(text: str) -> Instruction:
    """Read what ``text`` asks for (pure; unknown words are ignored; questions ask for nothing)."""
    if not text.strip():
        # Nothing asked (`animate photo.jpg -o clip.mp4 --motion ...`): skip the grammar, whose
        # first use compiles its patterns (0.2-0.3 s of a command that renders in ~2.5 s).
        return Instruction()
    return parse(text)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def frame_size(
    aspect: str | None, image_size: tuple[int, int] | None, long_side: int
) -> tuple[int, int]:
    """Even output dimensions for ``aspect`` with the long side ``long_side``."""
    if aspect in ASPECTS:
        w, h = ASPECTS[aspect]
    elif image_size and image_size[0] > 0 and image_size[1] > 0:
        w, h = image_size
    else:
        w, h = 16, 9
    scale = long_side / max(w, h)
    return max(2, round(w * scale / 2) * 2), max(2, round(h * scale / 2) * 2)


def plan_from_prompt(
    text: str,
    *,
    source: str | None = None,
    name: str | None = None,
    image_size: tuple[int, int] | None = None,
    long_side: int = DEFAULT_LONG_SIDE,
) -> dict[str, Any]:
    """A full draft for one image: defaults 5 s, Ken Burns, source aspect, 1080p, 30 fps."""
    base: dict[str, Any] = {
        "id": _new_id("draft"),
        "m": {"fps": DEFAULT_FPS, "aspect": "original", "fit": "blur"},
        "t": [],
    }
    if image_size:
        base["m"]["source_size"] = list(image_size)
    video = {"id": _new_id("trk"), "tt": int(TrackType.VIDEO), "sg": [{
        "id": _new_id("seg"), "st": 0, "d": int(DEFAULT_DURATION_S * 1000),
        "src": source, "name": name or "clip", "motion": "kenburns", "speed": 1.0,
    }]}  # fmt: skip
    base["t"].append(video)
    return apply_instruction(base, parse_instruction(text), long_side=long_side)


def _tracks(draft: dict[str, Any], tt: TrackType) -> list[dict[str, Any]]:
    """The draft's own track dicts of type ``tt`` (edited in place)."""
    return [t for _, t in tracks(draft) if isinstance(t, dict) and TOLERANT.track_type(t) == tt]


def _segs(draft: dict[str, Any], tt: TrackType) -> list[dict[str, Any]]:
    """The draft's own segment dicts on tracks of type ``tt`` (edited in place)."""
    return [p.segment for p in segments(draft, tt) if isinstance(p.segment, dict)]


def _video_duration_ms(draft: dict[str, Any]) -> int:
    return max((p.end_ms for p in segments(draft, TrackType.VIDEO)), default=0)


def _set_duration(draft: dict[str, Any], total_ms: int) -> None:
    videos = _segs(draft, TrackType.VIDEO)
    if videos:
        per = max(1000, total_ms // len(videos))
        for index, seg in enumerate(videos):
            seg["st"], seg["d"] = index * per, per
    total = _video_duration_ms(draft)
    for seg in _segs(draft, TrackType.AUDIO):
        seg["st"], seg["d"] = 0, total
    for seg in _segs(draft, TrackType.TEXT):
        seg["d"] = min(TOLERANT.ms(seg, "d"), total) or total


def _text_track(draft: dict[str, Any], role: str, text: str) -> None:
    duration = _video_duration_ms(draft)
    for seg in _segs(draft, TrackType.TEXT):
        if seg.get("role", "title") == role:
            seg["text"] = text
            return
    seg = {"id": _new_id("seg"), "st": 0, "text": text, "role": role,
           "d": min(3000, duration) if role == "title" else duration,
           "position": "center" if role == "title" else "bottom",
           "size": 0.08 if role == "title" else 0.05, "color": "#FFFFFF",
           "fade_in": 300, "fade_out": 300}  # fmt: skip
    draft.setdefault("t", []).append({"id": _new_id("trk"), "tt": int(TrackType.TEXT), "sg": [seg]})


def _remove_text(draft: dict[str, Any], role: str) -> None:
    for track in _tracks(draft, TrackType.TEXT):
        kept = [
            s
            for s in track.get("sg", [])
            if not isinstance(s, dict) or s.get("role", "title") != role
        ]
        track["sg"] = kept
    text = {id(t) for t in _tracks(draft, TrackType.TEXT) if not t.get("sg")}
    draft["t"] = [t for t in draft.get("t", []) if id(t) not in text]


def _music(draft: dict[str, Any], style: str | None, volume: float | None) -> None:
    duration = _video_duration_ms(draft)
    music = _segs(draft, TrackType.AUDIO)
    default = music_styles()[0]
    if music:
        seg = music[0]
        if style:
            seg["style"], seg["name"] = style, _style_label(style)
            seg.pop("src", None)
        if volume is not None:
            seg["volume"] = volume
        return
    seg = {"id": _new_id("seg"), "st": 0, "d": duration, "style": style or default,
           "name": _style_label(style or default),
           "volume": DEFAULT_VOLUME if volume is None else volume,
           "fade_in": 500, "fade_out": 1000}  # fmt: skip
    draft.setdefault("t", []).append(
        {"id": _new_id("trk"), "tt": int(TrackType.AUDIO), "sg": [seg]}
    )


def _music_segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return _segs(draft, TrackType.AUDIO)


def _other_style(draft: dict[str, Any]) -> str:
    """The style after the current one in the engine's list ("different music")."""
    styles = music_styles()
    current = next((str(s.get("style")) for s in _music_segments(draft) if s.get("style")), None)
    if current not in styles:
        return styles[1] if current is None and len(styles) > 1 else styles[0]
    return styles[(styles.index(current) + 1) % len(styles)]


def _step_volume(draft: dict[str, Any], step: float) -> None:
    """Louder/quieter changes existing music only; it never adds a track."""
    for seg in _music_segments(draft):
        level = TOLERANT.number(seg, "volume", DEFAULT_VOLUME) + step
        seg["volume"] = round(max(0.0, min(1.0, level)), 2)


def _style_label(style: str) -> str:
    return {"lo-fi": "Lo-fi"}.get(style, style.title())


def _video_segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return _segs(draft, TrackType.VIDEO)


def _text_segments(draft: dict[str, Any], role: str | None) -> list[dict[str, Any]]:
    segs = _segs(draft, TrackType.TEXT)
    return [s for s in segs if role is None or s.get("role", "title") == role]


def _style_text(draft: dict[str, Any], instr: Instruction) -> None:
    for style in instr.text_styles:
        for seg in _text_segments(draft, style.role):
            if style.position:
                seg["position"] = style.position
            if style.scale:
                role = seg.get("role", "title")
                size = TOLERANT.number(seg, "size", 0.08 if role == "title" else 0.05) * style.scale
                seg["size"] = round(max(MIN_TEXT_SIZE, min(MAX_TEXT_SIZE, size)), 3)
            if style.color:
                seg["color"] = style.color


def _video(out: dict[str, Any], instr: Instruction) -> None:
    segs = _video_segments(out)
    for seg in segs:
        if instr.motion:
            seg["motion"] = instr.motion
        if instr.speed_to:
            seg["speed"] = round(max(MIN_SPEED, min(MAX_SPEED, instr.speed_to)), 3)
        if instr.speed:
            speed = TOLERANT.number(seg, "speed", 1.0) * instr.speed
            seg["speed"] = round(max(MIN_SPEED, min(MAX_SPEED, speed)), 3)
    if segs and instr.video_fade_in_ms is not None:
        segs[0]["fade_in"] = instr.video_fade_in_ms
    if segs and instr.video_fade_out_ms is not None:
        segs[-1]["fade_out"] = instr.video_fade_out_ms


def _duration_ms(out: dict[str, Any], instr: Instruction) -> int | None:
    if instr.duration_s:
        return int(instr.duration_s * 1000)
    if not (instr.duration_delta_s or instr.duration_scale):
        return None
    total = _video_duration_ms(out) * (instr.duration_scale or 1.0)
    total += (instr.duration_delta_s or 0.0) * 1000
    return max(1000, min(60_000, round(total)))


def _audio(out: dict[str, Any], instr: Instruction) -> None:
    if instr.remove_music:
        audio = {id(t) for t in _tracks(out, TrackType.AUDIO)}
        out["t"] = [t for t in out["t"] if id(t) not in audio]
        return
    style = _other_style(out) if instr.music_change and not instr.music_style else instr.music_style
    if style or instr.music_volume is not None:
        _music(out, style, instr.music_volume)
    if instr.volume_step:
        _step_volume(out, instr.volume_step)
    for seg in _music_segments(out):
        if instr.music_fade_in_ms is not None:
            seg["fade_in"] = instr.music_fade_in_ms
        if instr.music_fade_out_ms is not None:
            seg["fade_out"] = instr.music_fade_out_ms


def _texts(out: dict[str, Any], instr: Instruction) -> None:
    if instr.remove_title:
        _remove_text(out, "title")
    if instr.remove_caption:
        _remove_text(out, "caption")
    if instr.title:
        _text_track(out, "title", instr.title)
    if instr.caption:
        _text_track(out, "caption", instr.caption)
    if instr.text:  # the role was not named: the existing title, else the caption, else a title
        roles = [s.get("role", "title") for s in _text_segments(out, None)]
        _text_track(out, "title" if "title" in roles or not roles else "caption", instr.text)
    _style_text(out, instr)


def apply_instruction(
    draft: Mapping[str, Any],
    instr: Instruction,
    *,
    source: str | None = None,
    name: str | None = None,
    image_size: tuple[int, int] | None = None,
    long_side: int = DEFAULT_LONG_SIDE,
) -> dict[str, Any]:
    """A new draft with ``instr`` applied; ids and unrelated content are kept."""
    out: dict[str, Any] = copy.deepcopy(dict(draft))
    out.setdefault("t", [])
    meta = out.setdefault("m", {})
    if source is not None:
        for seg in _video_segments(out):
            seg["src"], seg["name"] = source, name or seg.get("name")
        if image_size:
            meta["source_size"] = list(image_size)
    _video(out, instr)
    if instr.aspect:
        meta["aspect"] = instr.aspect
    if instr.fit:
        meta["fit"] = instr.fit
    if instr.fps:
        meta["fps"] = instr.fps
    if (total := _duration_ms(out, instr)) is not None:
        _set_duration(out, total)
    _audio(out, instr)
    _texts(out, instr)
    src_size = meta.get("source_size")
    size = (int(src_size[0]), int(src_size[1])) if isinstance(src_size, list) else image_size
    meta["long_side"] = int(meta.get("long_side", long_side))
    meta["width"], meta["height"] = frame_size(meta.get("aspect"), size, meta["long_side"])
    meta.setdefault("fps", DEFAULT_FPS)
    return out
