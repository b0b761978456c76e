"""The draft (timeline) in words: a track summary, a JSON description and a diff.

Pure functions over the draft as JSON (or a :class:`~nemo_skill.models.Draft`).
Drafts come from the network, so every field is read defensively: a missing,
null, non-finite or wrongly typed value falls back to its default.

``format_summary`` gives the contract's one-line timeline, e.g.
``1. Video: city timelapse (0-10s)  2. BGM: Lo-fi (0-10s, 35%)  3. Title: "Urban Dreams" (0-3s)``;
``diff`` says what an edit changed when the stream closed without a word.
Tracks and segments are matched by ``id``, else by track type and position.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from nemo_skill import draft as dr
from nemo_skill import wording
from nemo_skill.draft import TrackType
from nemo_skill.wording import say, word

TEXT_LABELS: Final = {"title": "Title", "caption": "Caption", "subtitle": "Caption"}
# Segment fields worth a sentence when they change, with their name in words.
FIELD_WORDS: Final = {
    "motion": "motion",
    "speed": "motion speed",
    "transition": "transition",
    "position": "position",
    "size": "text size",
    "color": "colour",
    "fade_in": "fade-in",
    "fade_out": "fade-out",
    "role": "role",
}
# Draft settings (``m``) worth a sentence, besides aspect, size and frame rate.
SETTING_WORDS: Final = {"fit": "Fit", "title": "Project title"}

T = TypeVar("T")


# --- reading the draft -------------------------------------------------------


def _as_dict(draft: Any) -> dict[str, Any]:
    return dict(dr.as_mapping(draft))


def _number(value: Any, default: float = 0.0) -> float:
    """A finite number from draft data, else ``default``."""
    if isinstance(value, bool):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return number if math.isfinite(number) else default


def _ident(value: Any) -> str | None:
    """An ``id`` usable as a key (drafts from the network may carry anything there)."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _plain(value: Any) -> Any:
    """``value`` comparable with ``==``: non-finite floats become None (NaN != NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def seconds(ms: float) -> str:
    """Milliseconds as compact seconds: ``5``, ``2.5``, ``0.25``."""
    text = f"{ms / 1000.0:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _file_name(src: str) -> str:
    path = urlsplit(src).path if "://" in src else src
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or src


def _style_name(style: str) -> str:
    return {"lo-fi": "Lo-fi", "lofi": "Lo-fi"}.get(style.lower(), style.replace("_", " ").title())


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# --- segments and tracks -------------------------------------------------------


@dataclass(frozen=True)
class SegmentLine:
    """One segment in plain terms, with absolute times in ms."""

    kind: str
    label: str
    name: str
    start_ms: int
    end_ms: int
    volume: float | None = None
    text: str | None = None
    id: str | None = None
    fields: tuple[tuple[str, Any], ...] = ()
    anchor: str | None = None  # text: the video segment it is shown over (None: whole clip)
    bpm: float | None = None  # audio: the music's tempo

    def span(self) -> str:
        """``0-5s``."""
        return f"{seconds(self.start_ms)}-{seconds(self.end_ms)}s"

    def percent(self) -> int | None:
        """The volume in percent, if the segment has one."""
        percent = math.inf if self.volume is None else self.volume * 100
        return round(percent) if math.isfinite(percent) else None  # absurd volumes: none


def _label(kind: str, tt: int, seg: Mapping[str, Any]) -> tuple[str, str]:
    """``(label, name)``: ``("Video", "photo.jpg")``, ``("BGM", "Lo-fi")``, ``("Title", "")``."""
    name, src, style = _text(seg.get("name")), _text(seg.get("src")), _text(seg.get("style"))
    if kind == "text":
        return TEXT_LABELS.get(str(seg.get("role") or "title").lower(), "Text"), ""
    if kind == "audio":
        label = "Audio" if src and not style else "BGM"
        shown = (
            name or (_style_name(style) if style else None) or (_file_name(src) if src else None)
        )
        return label, shown or "music"
    shown = name or (_file_name(src) if src else None) or "clip"
    return ("Video", shown) if kind == "video" else (f"Track {tt}", shown)


def _segment(kind: str, tt: int, placed: dr.Placed) -> SegmentLine:
    seg = placed.segment
    label, name = _label(kind, tt, seg)
    volume, bpm = _number(seg.get("volume"), -1.0), _number(seg.get("bpm"))
    return SegmentLine(
        kind=kind,
        label=label,
        name=name,
        start_ms=placed.start_ms,
        end_ms=placed.end_ms,
        volume=volume if kind == "audio" and volume >= 0 else None,
        text=_text(seg.get("text")) if kind == "text" else None,
        id=_ident(seg.get("id")),
        fields=tuple((k, _plain(seg.get(k))) for k in FIELD_WORDS),
        anchor=_ident(seg.get("anchor")) if kind == "text" else None,
        bpm=bpm if kind == "audio" and bpm > 0 else None,
    )


@dataclass(frozen=True)
class TrackLine:
    """One track of the summary: ``Video: city timelapse (0-10s)``."""

    number: int
    tt: int
    kind: str
    segments: tuple[SegmentLine, ...]
    id: str | None = None

    @property
    def label(self) -> str:
        """``Video``, ``BGM``, ``Audio``, ``Title``, ``Caption``, ``Text`` or ``Track <tt>``."""
        labels = {s.label for s in self.segments}
        if len(labels) == 1:
            return labels.pop()
        return "Text" if self.kind == "text" else self.segments[0].label

    @property
    def name(self) -> str:
        """The segments' names (texts quoted), the first three of them."""
        if self.kind == "text":
            names = [f'"{s.text or ""}"' for s in self.segments]
        else:
            names = [s.name for s in self.segments]
        more = len(names) - 3
        return " / ".join(names[:3]) + (f" +{more} more" if more > 0 else "")

    @property
    def start_ms(self) -> int:
        """Where the track's first segment starts."""
        return min(s.start_ms for s in self.segments)

    @property
    def end_ms(self) -> int:
        """Where the track's last segment ends."""
        return max(s.end_ms for s in self.segments)

    @property
    def volume(self) -> float | None:
        """The first segment's volume (audio tracks)."""
        return self.segments[0].volume

    @property
    def text(self) -> str | None:
        """The text of a text track (cues joined by `` / ``)."""
        if self.kind != "text":
            return None
        return " / ".join(s.text or "" for s in self.segments)

    def span(self) -> str:
        """``0-10s``."""
        return f"{seconds(self.start_ms)}-{seconds(self.end_ms)}s"

    def __str__(self) -> str:
        details = [self.span()]
        if self.kind == "audio" and self.segments[0].percent() is not None:
            details.append(f"{self.segments[0].percent()}%")
        if len(self.segments) > 1:
            details.append(f"{len(self.segments)} {'cues' if self.kind == 'text' else 'clips'}")
        return f"{self.label}: {self.name} ({', '.join(details)})"


def _all_tracks(draft: Any) -> list[TrackLine]:
    placed: dict[int, list[dr.Placed]] = {}
    for item in dr.segments(draft):  # tolerant: a bad value becomes its default
        placed.setdefault(item.track, []).append(item)
    out = []
    for number, (index, track) in enumerate(dr.tracks(draft), start=1):
        tt = dr.TOLERANT.track_type(track)
        known = TrackType.of(tt)
        kind = known.kind if known is not None else "other"
        lines = tuple(_segment(kind, tt, item) for item in placed.get(index, []))
        out.append(TrackLine(number, tt, kind, lines, _ident(track.get("id"))))
    return out


def summarize(draft: Any) -> list[TrackLine]:
    """The draft's tracks that have segments, numbered from 1 in track order."""
    shown = [t for t in _all_tracks(draft) if t.segments]
    return [TrackLine(i, t.tt, t.kind, t.segments, t.id) for i, t in enumerate(shown, start=1)]


def format_summary(draft: Any) -> str:
    """``1. Video: ... (0-10s)  2. BGM: Lo-fi (0-10s, 35%)  3. Title: "..." (0-3s)``."""
    return "  ".join(f"{line.number}. {line}" for line in summarize(draft))


def _meta(draft: Any) -> Mapping[str, Any]:
    meta = _as_dict(draft).get("m")
    return meta if isinstance(meta, Mapping) else {}


def _aspect(meta: Mapping[str, Any]) -> str | None:
    """``m.aspect``, else the ratio of ``width`` and ``height`` (``1920x1080`` → ``16:9``)."""
    if isinstance(meta.get("aspect"), str) and meta["aspect"]:
        return str(meta["aspect"])
    width, height = int(_number(meta.get("width"))), int(_number(meta.get("height")))
    if width > 0 and height > 0:
        common = math.gcd(width, height)
        return f"{width // common}:{height // common}"
    return None


def duration_ms(draft: Any) -> int:
    """The draft's length: the end of its video, else of its last segment."""
    tracks = summarize(draft)
    videos = [t.end_ms for t in tracks if t.kind == "video"]
    return max(videos or [t.end_ms for t in tracks] or [0])


def describe_draft(draft: Any) -> dict[str, Any] | None:
    """The timeline as JSON: tracks (type, label, times, volume, text, segments), size, duration."""
    if not _as_dict(draft):
        return None
    meta = _meta(draft)
    return {
        "summary": format_summary(draft),
        "duration": duration_ms(draft) / 1000.0,
        "width": meta.get("width"),
        "height": meta.get("height"),
        "fps": meta.get("fps"),
        "aspect": _aspect(meta),
        "tracks": [
            {
                "type": line.kind,
                "label": line.label,
                "name": line.text if line.kind == "text" else line.name,
                "start": line.start_ms / 1000.0,
                "end": line.end_ms / 1000.0,
                "volume": line.volume,
                "text": line.text,
                "segments": len(line.segments),
            }
            for line in summarize(draft)
        ],
        "segments": describe_segments(draft),
    }


# --- one block per photo -------------------------------------------------------


@dataclass(frozen=True)
class PhotoBlock:
    """A video segment with what belongs to it: its photo, the cut into it, its captions."""

    number: int  # 1-based, in time order
    video: SegmentLine
    captions: tuple[SegmentLine, ...]  # texts anchored to it

    @property
    def transition(self) -> tuple[str, int] | None:
        """The cut into this segment as ``(type, ms)``; None for a plain cut."""
        value = dict(self.video.fields).get("transition")
        if not isinstance(value, Mapping):
            return None
        length = int(_number(value.get("d"), 0.0))
        kind = str(value.get("type") or "crossfade")
        return (kind, length) if length > 0 else None

    def field(self, name: str) -> Any:
        """A video field (``motion``, ``speed``) as the draft has it."""
        return dict(self.video.fields).get(name)


@dataclass(frozen=True)
class Blocks:
    """The draft per photo, then what spans the whole clip (music, unanchored texts)."""

    photos: tuple[PhotoBlock, ...]
    music: tuple[SegmentLine, ...]
    texts: tuple[SegmentLine, ...]


def blocks(draft: Any) -> Blocks:
    """One :class:`PhotoBlock` per video segment in time order; texts go to the segment
    their ``anchor`` names, else (no anchor, or an unknown one) to the whole clip."""
    lines = [seg for track in summarize(draft) for seg in track.segments]
    videos = sorted((s for s in lines if s.kind == "video"), key=lambda s: s.start_ms)
    ids = {v.id for v in videos if v.id is not None}
    texts = [s for s in lines if s.kind == "text"]
    photos = tuple(
        PhotoBlock(n, v, tuple(t for t in texts if v.id is not None and t.anchor == v.id))
        for n, v in enumerate(videos, start=1)
    )
    whole = tuple(t for t in texts if t.anchor not in ids)
    return Blocks(photos, tuple(s for s in lines if s.kind == "audio"), whole)


def _words(value: Any) -> str:
    return str(value).replace("_", " ")


def text_json(seg: SegmentLine) -> dict[str, Any]:
    """A title or caption as JSON: id, role, text, start and end (s)."""
    return {"id": seg.id, "role": seg.label.lower(), "text": seg.text,
            "start": seg.start_ms / 1000.0, "end": seg.end_ms / 1000.0}  # fmt: skip


def describe_segments(draft: Any) -> list[dict[str, Any]]:
    """Each video segment as JSON: number, id, the photo's name, start and end (s), motion,
    speed, the transition into it (``{"type", "duration"}`` in s, or None) and its captions."""
    out = []
    for block in blocks(draft).photos:
        cut = block.transition
        speed = block.field("speed")
        out.append({
            "number": block.number,
            "id": block.video.id,
            "name": block.video.name,
            "start": block.video.start_ms / 1000.0,
            "end": block.video.end_ms / 1000.0,
            "motion": block.field("motion"),
            "speed": speed if isinstance(speed, int | float) else None,
            "transition": None if cut is None else {"type": cut[0], "duration": cut[1] / 1000.0},
            "captions": [text_json(t) for t in block.captions],
        })  # fmt: skip
    return out


def _photo_line(block: PhotoBlock) -> str:
    bits = [block.video.name, block.video.span()]
    motion, speed = block.field("motion"), _number(block.field("speed"), 1.0)
    if motion:
        bits.append(_words(motion) + (f" ×{speed:g}" if speed != 1.0 else ""))
    if block.transition is not None:
        kind, length = block.transition
        bits.append(f"{_words(kind)} into it ({seconds(length)}s)")
    return f"Photo {block.number}: " + ", ".join(bits)


def _text_line(seg: SegmentLine) -> str:
    return f'{seg.label} "{seg.text or ""}" ({seg.span()})'


def _music_line(seg: SegmentLine) -> str:
    bits = [seg.name, seg.span()]
    if seg.percent() is not None:
        bits.append(f"{seg.percent()}%")
    if seg.bpm is not None:
        bits.append(f"{seg.bpm:g} bpm")
    return f"{'Music' if seg.label == 'BGM' else seg.label}: " + ", ".join(bits)


def format_blocks(draft: Any) -> str:
    """The draft for a person: a block per photo (name, time, motion, the cut into it, its
    captions), then the whole clip's music and texts."""
    found = blocks(draft)
    lines = []
    for block in found.photos:
        lines.append(_photo_line(block))
        lines += [f"  {_text_line(t)}" for t in block.captions]
    whole = [_music_line(m) for m in found.music] + [_text_line(t) for t in found.texts]
    if whole:
        lines.append("Whole clip:" if found.photos else "Clip:")
        lines += [f"  {line}" for line in whole]
    return "\n".join(lines)


# --- diff --------------------------------------------------------------------
# Sentences are worded from the one table of the skill's reply words (:mod:`.wording`), in
# the session's language; a video track of several photos names each photo by name and place.

Photo = tuple[int, str]  # a photo's place in time order (1-based) and its name


def _subject(label: str) -> str:
    """How a track is named in a sentence: ``BGM`` → ``Music``."""
    return {"BGM": "Music"}.get(label, label)


def _secs(ms: float, lang: str) -> str:
    return say("seconds", lang, x=seconds(ms))


def _span(span: tuple[int, int], lang: str) -> str:
    return say("seconds", lang, x=f"{seconds(span[0])}-{seconds(span[1])}")


def _value(value: Any, lang: str) -> str:
    if value is None:
        return word("none", lang)
    if isinstance(value, float) and not isinstance(value, bool):
        return f"{value:g}"
    if isinstance(value, Mapping) and value.get("type"):
        length = _number(value.get("d"), -1.0)
        kind = str(value["type"])
        return f"{kind} {_secs(length, lang)}" if length >= 0 else kind
    return str(value)


def _segment_phrase(seg: SegmentLine, lang: str, *, added: bool, photo: Photo | None) -> str:
    """``background music: Lo-fi at 35%`` when added, ``the background music (Lo-fi)`` if not."""
    span = _span((seg.start_ms, seg.end_ms), lang)
    if photo is not None:
        key = "photo_added" if added else "photo_removed"
        return say(key, lang, n=photo[0], name=seg.name, span=span)
    label = word(seg.label, lang)
    if seg.kind == "text":
        return say("text", lang, label=label, label_lower=label.lower(), text=seg.text or "")
    if seg.kind == "audio":
        noun = word("background music" if seg.label == "BGM" else "audio", lang)
        if not added:
            return say("music_removed", lang, noun=noun, name=seg.name)
        volume = "" if seg.volume is None else say("at_volume", lang, pct=seg.percent())
        return say("music_added", lang, noun=noun, name=seg.name) + volume
    if seg.kind == "video":
        return say("clip_added" if added else "clip_removed", lang, name=seg.name, span=span)
    key = "segment_added" if added else "segment_removed"
    return say(key, lang, label=label, label_lower=label.lower(), name=seg.name, span=span)


def _track_phrase(track: TrackLine, lang: str, *, added: bool) -> str:
    if len(track.segments) == 1:
        return _segment_phrase(track.segments[0], lang, added=added, photo=None)
    label = word(track.label, lang)
    span = _span((track.start_ms, track.end_ms), lang)
    key = "track_added" if added else "track_removed"
    return say(key, lang, label=label, label_lower=label.lower(), names=track.name, span=span)


def _who(change: Change, lang: str) -> str:
    """The subject of a sentence: ``Music``, or ``beach.jpg (photo 2)`` for one of several."""
    if change.photo is not None:
        return say("photo", lang, n=change.photo[0], name=change.photo[1])
    return word(change.track, lang)


def _of(what: str, field: str, lang: str) -> str:
    return say("field", lang, what=what, field=word(field, lang))


def _changed(change: Change, lang: str) -> str:
    old, new, field, who = change.old, change.new, change.field, _who(change, lang)
    if field == "text":
        return say("changed", lang, what=who, old=f'"{old}"', new=f'"{new}"')
    if field == "volume":
        return say("changed", lang, what=_of(who, "volume", lang), old=f"{old}%", new=f"{new}%")
    if field == "duration":
        key, what = ("lasts", who) if change.photo else ("changed", _of(who, "duration", lang))
        return say(key, lang, what=what, old=_secs(old, lang), new=_secs(new, lang))
    if field == "start":
        return say("moved", lang, what=who, old=_span(old, lang), new=_span(new, lang))
    if field == "name" and change.photo is not None:
        return say("replaced", lang, n=change.photo[0], old=old, new=new)
    if field == "name":
        return say("changed", lang, what=who, old=old, new=new)
    return _from_to(_of(who, FIELD_WORDS.get(field, field), lang), old, new, lang)


def _from_to(what: str, old: Any, new: Any, lang: str, quote: str = "") -> str:
    """``<what> changed from X to Y.``, or ``set to`` / ``removed`` when a side is unset."""
    was, now = f"{quote}{_value(old, lang)}{quote}", f"{quote}{_value(new, lang)}{quote}"
    if old is None:
        return say("set", lang, what=what, new=now)
    if new is None:
        return say("unset", lang, what=what, old=was)
    return say("changed", lang, what=what, old=was, new=now)


def _setting(change: Change, lang: str) -> str:
    quote = '"' if change.field == "title" else ""
    return _from_to(word(change.track, lang), change.old, change.new, lang, quote)


def _video_length(change: Change, lang: str) -> str:
    what = _of(word(change.track, lang), "duration", lang)
    return say("changed", lang, what=what, old=_secs(change.old, lang), new=_secs(change.new, lang))


def _fps(change: Change, lang: str) -> str:
    new = say("fps", lang, x=_value(change.new, lang))
    return say(
        "changed", lang, what=word("Frame rate", lang), old=_value(change.old, lang), new=new
    )


_SENTENCES: Final[dict[str, Callable[[Change, str], str]]] = {
    "track_added": lambda c, lang: say("added", lang, what=_track_phrase(c.new, lang, added=True)),
    "track_removed": lambda c, lang: say(
        "removed", lang, what=_track_phrase(c.old, lang, added=False)
    ),
    "segment_added": lambda c, lang: say(
        "added", lang, what=_segment_phrase(c.new, lang, added=True, photo=c.photo)
    ),
    "segment_removed": lambda c, lang: say(
        "removed", lang, what=_segment_phrase(c.old, lang, added=False, photo=c.photo)
    ),
    "segment_changed": _changed,
    "duration_changed": _video_length,
    "aspect_changed": lambda c, lang: _from_to(word("Aspect ratio", lang), c.old, c.new, lang),
    "size_changed": lambda c, lang: say(
        "changed", lang, what=word("Resolution", lang), old=c.old, new=c.new
    ),
    "fps_changed": _fps,
    "setting_changed": _setting,
}


@dataclass(frozen=True)
class Change:
    """One difference between two drafts.

    ``kind`` is one of ``track_added``, ``track_removed``, ``segment_added``,
    ``segment_removed``, ``segment_changed``, ``duration_changed``,
    ``aspect_changed``, ``size_changed``, ``fps_changed``, ``setting_changed``.
    For added/removed kinds ``new``/``old`` hold the :class:`TrackLine` or
    :class:`SegmentLine`; otherwise the values before and after (times in ms:
    a duration, or a ``(start, end)`` span). ``photo`` is ``(place, name)`` for
    a segment of a video track of several photos (the place after the change,
    or before it for a removal).
    """

    kind: str
    track: str
    field: str = ""
    old: Any = None
    new: Any = None
    photo: Photo | None = None

    def describe(self, language: str | None = "en") -> str:
        """A short sentence in ``language`` (one of :data:`wording.LANGUAGES`, else English):
        ``Music volume changed from 35% to 50%.``, ``beach.jpg (photo 2) now lasts 4s (was 3s).``
        """
        return _SENTENCES[self.kind](self, wording.language(language))


def _pair(
    old: Sequence[T],
    new: Sequence[T],
    ident: Callable[[T], str | None],
    group: Callable[[T], Hashable],
) -> tuple[dict[int, int], list[int]]:
    """``{new index: old index}`` by id, else by position within ``group``; unmatched old."""
    match: dict[int, int] = {}
    free = list(range(len(old)))
    for j, item in enumerate(new):
        key = ident(item)
        found = next((i for i in free if key is not None and ident(old[i]) == key), None)
        if found is not None:
            match[j] = found
            free.remove(found)
    for j, item in enumerate(new):
        if j in match:
            continue
        # Two different ids are two different things; a missing id matches by position.
        found = next(
            (i for i in free if group(old[i]) == group(item)
             and (ident(old[i]) is None or ident(item) is None)),
            None,
        )  # fmt: skip
        if found is not None:
            match[j] = found
            free.remove(found)
    return match, free


def _timing(a: SegmentLine, b: SegmentLine, subject: str, photo: Photo | None) -> list[Change]:
    if a.start_ms == b.start_ms:
        if a.end_ms == b.end_ms:
            return []
        old, new = a.end_ms - a.start_ms, b.end_ms - b.start_ms
        return [Change("segment_changed", subject, "duration", old, new, photo)]
    spans = (a.start_ms, a.end_ms), (b.start_ms, b.end_ms)
    return [Change("segment_changed", subject, "start", *spans, photo)]


def _segment_changes(
    a: SegmentLine,
    b: SegmentLine,
    subject: str,
    totals: tuple[int, int] | None,
    photo: Photo | None = None,
) -> list[Change]:
    out: list[Change] = []
    if a.text != b.text:
        out.append(Change("segment_changed", subject, "text", a.text, b.text))
    if a.name != b.name and b.kind != "text":
        out.append(Change("segment_changed", subject, "name", a.name, b.name, photo))
    if a.percent() != b.percent() and a.volume is not None and b.volume is not None:
        out.append(Change("segment_changed", subject, "volume", a.percent(), b.percent()))
    # A segment spanning the whole draft before and after follows the video's length,
    # which ``duration_changed`` already reports.
    follows = totals is not None and (a.start_ms, a.end_ms, b.start_ms, b.end_ms) == (
        0, totals[0], 0, totals[1]
    )  # fmt: skip
    if not follows:
        out.extend(_timing(a, b, subject, photo))
    for (field, old), (_, new) in zip(a.fields, b.fields, strict=True):
        if old != new:
            out.append(Change("segment_changed", subject, field, old, new, photo))
    return out


def _places(track: TrackLine) -> dict[int, int]:
    """``{segment index: place in time order (1-based)}``."""
    order = sorted(range(len(track.segments)), key=lambda i: track.segments[i].start_ms)
    return {index: place for place, index in enumerate(order, start=1)}


def _track_changes(a: TrackLine, b: TrackLine, totals: tuple[int, int] | None) -> list[Change]:
    subject = _subject(b.label)
    match, free = _pair(a.segments, b.segments, lambda s: s.id, lambda s: 0)
    # Several photos: each sentence names its photo (a segment that keeps its id is the same photo).
    photos = b.kind == "video" and max(len(a.segments), len(b.segments)) > 1
    was, now = _places(a), _places(b)

    def photo(track: TrackLine, places: dict[int, int], i: int) -> Photo | None:
        return (places[i], track.segments[i].name) if photos else None

    out = [Change("segment_removed", subject, old=a.segments[i], photo=photo(a, was, i))
           for i in free]  # fmt: skip
    for j, seg in enumerate(b.segments):
        if j in match:
            out.extend(_segment_changes(a.segments[match[j]], seg, subject, totals,
                                        photo(b, now, j)))  # fmt: skip
        else:
            out.append(Change("segment_added", subject, new=seg, photo=photo(b, now, j)))
    return out


def _size(meta: Mapping[str, Any]) -> str | None:
    width, height = int(_number(meta.get("width"))), int(_number(meta.get("height")))
    return f"{width}x{height}" if width > 0 and height > 0 else None


def _meta_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    out: list[Change] = []
    aspect = (_aspect(before), _aspect(after))
    if aspect[0] != aspect[1]:
        out.append(Change("aspect_changed", "Aspect ratio", "aspect", *aspect))
    size = (_size(before), _size(after))
    if size[0] != size[1] and aspect[0] == aspect[1] and None not in size:
        out.append(Change("size_changed", "Resolution", "size", *size))
    fps = (_number(before.get("fps")), _number(after.get("fps")))
    if fps[0] != fps[1] and fps[0] > 0 and fps[1] > 0:
        out.append(Change("fps_changed", "Frame rate", "fps", *fps))
    for key, words in SETTING_WORDS.items():
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out.append(Change("setting_changed", words, key, old, new))
    return out


def diff(before: Any, after: Any) -> list[Change]:
    """What changed from ``before`` to ``after``: settings first, then tracks in order."""
    old_tracks, new_tracks = summarize(before), summarize(after)
    changes: list[Change] = []
    if _as_dict(before) and _as_dict(after):
        changes.extend(_meta_changes(_meta(before), _meta(after)))
    totals: tuple[int, int] | None = None
    if old_tracks and new_tracks and duration_ms(before) != duration_ms(after):
        totals = (duration_ms(before), duration_ms(after))
        has_video = any(t.kind == "video" for t in new_tracks)
        subject = "Video" if has_video else "Timeline"
        changes.append(Change("duration_changed", subject, "duration", *totals))
    match, free = _pair(old_tracks, new_tracks, lambda t: t.id, lambda t: t.tt)
    changes.extend(Change("track_removed", _subject(old_tracks[i].label), old=old_tracks[i])
                   for i in free)  # fmt: skip
    for j, track in enumerate(new_tracks):
        if j in match:
            changes.extend(_track_changes(old_tracks[match[j]], track, totals))
        else:
            changes.append(Change("track_added", _subject(track.label), new=track))
    return changes
