"""The draft (timeline) in words: a track summary and a diff of two drafts.

Pure functions over the draft as JSON (or a :class:`~nemo_skill.models.Draft`).
``format_summary`` gives the contract's one-line timeline, e.g.
``1. Video: city timelapse (0-10s)  2. BGM: Lo-fi (0-10s, 35%)  3. Title: "Urban Dreams" (0-3s)``;
``diff`` says what an edit changed when the stream closed without a word.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TRACK_KINDS = {0: "video", 1: "audio", 7: "text"}


def _as_dict(draft: Any) -> dict[str, Any]:
    if draft is None:
        return {}
    if hasattr(draft, "model_dump"):
        dumped: dict[str, Any] = draft.model_dump(mode="json")
        return dumped
    return dict(draft) if isinstance(draft, Mapping) else {}


def _number(value: Any, default: float = 0.0) -> float:
    """A finite number from draft data, else ``default`` (drafts come from the network)."""
    if isinstance(value, bool):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return number if math.isfinite(number) else default


def _seconds(ms: float) -> str:
    value = round(ms / 1000.0, 2)
    return f"{value:g}"


def _style_name(style: str) -> str:
    return {"lo-fi": "Lo-fi", "lofi": "Lo-fi"}.get(style.lower(), style.replace("_", " ").title())


@dataclass(frozen=True)
class SegmentInfo:
    """One segment placed on the timeline, in plain terms."""

    track_index: int
    kind: str
    label: str
    start_ms: int
    end_ms: int
    volume: float | None
    text: str | None
    key: str

    def span(self) -> str:
        """``0-5s``."""
        return f"{_seconds(self.start_ms)}-{_seconds(self.end_ms)}s"


def _label(kind: str, segment: Mapping[str, Any]) -> tuple[str, str | None]:
    if kind == "text":
        role = str(segment.get("role") or "title").lower()
        text = str(segment.get("text") or "")
        return ("Caption" if role == "caption" else "Title"), text
    if kind == "audio":
        style = segment.get("style")
        name = segment.get("name") or (_style_name(str(style)) if style else "Audio")
        return f"BGM: {name}", None
    name = segment.get("name") or segment.get("src") or "clip"
    return f"Video: {str(name).rsplit('/', 1)[-1]}", None


def segments(draft: Any) -> list[SegmentInfo]:
    """Every segment of the draft, in track order, with absolute times."""
    out: list[SegmentInfo] = []
    tracks = _as_dict(draft).get("t") or []
    for t_index, track in enumerate(tracks if isinstance(tracks, list) else []):
        if not isinstance(track, Mapping):
            continue
        kind = TRACK_KINDS.get(int(_number(track.get("tt", 0))), "other")
        cursor = 0
        for s_index, seg in enumerate(track.get("sg") or []):
            if not isinstance(seg, Mapping):
                continue
            start = int(_number(seg.get("st", cursor), cursor))
            end = start + max(0, int(_number(seg.get("d", 0))))
            cursor = end
            label, text = _label(kind, seg)
            volume = _number(seg.get("volume"), -1.0)
            out.append(
                SegmentInfo(
                    track_index=t_index,
                    kind=kind,
                    label=label,
                    start_ms=start,
                    end_ms=end,
                    volume=volume if volume >= 0 else None,
                    text=text,
                    key=str(seg.get("id") or f"{kind}:{t_index}:{s_index}"),
                )
            )
    return out


def _describe_segment(info: SegmentInfo) -> str:
    if info.kind == "text":
        return f'{info.label}: "{info.text}" ({info.span()})'
    if info.kind == "audio" and info.volume is not None:
        return f"{info.label} ({info.span()}, {round(info.volume * 100)}%)"
    return f"{info.label} ({info.span()})"


def _phrase(info: SegmentInfo) -> str:
    """A segment in a sentence: ``background music Lo-fi (0-5s, 35%)``."""
    if info.kind == "audio":
        volume = f", {round(info.volume * 100)}%" if info.volume is not None else ""
        return f"background music {info.label.removeprefix('BGM: ')} ({info.span()}{volume})"
    if info.kind == "text":
        return f'the {info.label.lower()} "{info.text}" ({info.span()})'
    return f"the video {info.label.removeprefix('Video: ')} ({info.span()})"


def format_summary(draft: Any) -> str:
    """``1. Video: ... (0-10s)  2. BGM: Lo-fi (0-10s, 35%)  3. Title: "..." (0-3s)``."""
    parts = [f"{i}. {_describe_segment(s)}" for i, s in enumerate(segments(draft), start=1)]
    return "  ".join(parts)


def describe_draft(draft: Any) -> dict[str, Any] | None:
    """The timeline as JSON: tracks with type, label, times, volume, text; size and duration."""
    data = _as_dict(draft)
    if not data:
        return None
    infos = segments(data)
    meta = data.get("m") if isinstance(data.get("m"), Mapping) else {}
    assert isinstance(meta, Mapping)
    return {
        "summary": format_summary(data),
        "duration": max((s.end_ms for s in infos), default=0) / 1000.0,
        "width": meta.get("width"),
        "height": meta.get("height"),
        "fps": meta.get("fps"),
        "aspect": meta.get("aspect"),
        "tracks": [
            {
                "type": s.kind,
                "label": s.label,
                "start": s.start_ms / 1000.0,
                "end": s.end_ms / 1000.0,
                "volume": s.volume,
                "text": s.text,
            }
            for s in infos
        ],
    }


@dataclass(frozen=True)
class Change:
    """One difference between two drafts."""

    kind: str
    track: str
    field: str = ""
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        """A short English sentence."""
        if self.kind == "segment_added":
            return f"Added {self.new}."
        if self.kind == "segment_removed":
            return f"Removed {self.old}."
        if self.field == "volume":
            return f"{self.track} volume changed from {self.old}% to {self.new}%."
        if self.field == "text":
            return f'{self.track} changed from "{self.old}" to "{self.new}".'
        if self.field in ("duration", "timing"):
            return f"{self.track} timing changed from {self.old} to {self.new}."
        return f"{self.track}: {self.field} changed from {self.old} to {self.new}."


def _aspect(meta: Mapping[str, Any]) -> str | None:
    if meta.get("aspect"):
        return str(meta["aspect"])
    w, h = meta.get("width"), meta.get("height")
    return f"{w}x{h}" if w and h else None


def diff(before: Any, after: Any) -> list[Change]:
    """What changed from ``before`` to ``after`` (segments matched by id, else by position)."""
    old = {s.key: s for s in segments(before)}
    new = {s.key: s for s in segments(after)}
    changes: list[Change] = []
    for key, info in new.items():
        if key not in old:
            changes.append(Change("segment_added", info.label, new=_phrase(info)))
    for key, info in old.items():
        if key not in new:
            changes.append(Change("segment_removed", info.label, old=_phrase(info)))
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        name = b.label.split(":")[0]
        if a.text != b.text:
            changes.append(Change("segment_changed", name, "text", a.text, b.text))
        if (a.start_ms, a.end_ms) != (b.start_ms, b.end_ms):
            changes.append(Change("segment_changed", name, "timing", a.span(), b.span()))
        if a.volume != b.volume and a.volume is not None and b.volume is not None:
            changes.append(
                Change(
                    "segment_changed", name, "volume", round(a.volume * 100), round(b.volume * 100)
                )
            )
        if a.label != b.label and a.kind != "text":
            changes.append(Change("segment_changed", name, "content", a.label, b.label))
    meta_a = _as_dict(before).get("m") or {}
    meta_b = _as_dict(after).get("m") or {}
    if isinstance(meta_a, Mapping) and isinstance(meta_b, Mapping) and old:
        aspect_a, aspect_b = _aspect(meta_a), _aspect(meta_b)
        if aspect_a != aspect_b and aspect_b:
            changes.append(Change("aspect_changed", "Video", "aspect ratio", aspect_a, aspect_b))
    return changes
