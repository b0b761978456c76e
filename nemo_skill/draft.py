"""The draft (timeline) format, read one way everywhere: track types and one segment reader.

Drafts come from the agent, from clients, from the network and from exported files, so
any value may be missing or of the wrong type. There are two ways to read them, with the
same rules otherwise:

- **strict** (the render engine): a bad value raises a
  :class:`~nemo_skill.errors.RenderError` naming the field and the segment or track
  (``The draft field 'd' of segment seg_v is not a number: 'abc'.``), never a ``ValueError``
  from deep inside;
- **tolerant** (summaries, diffs, the agent): a bad value becomes the field's default.

One start rule for both: a segment's ``st`` (ms, rounded, never negative) when it is a
number, else the end of the previous segment on its track. Durations ``d`` are whole ms,
never negative. See docs/draft.md for every field.

Light: no numpy; importing it loads nothing beyond :mod:`nemo_skill.errors`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from nemo_skill.errors import RenderError

__all__ = [
    "STRICT",
    "TOLERANT",
    "Placed",
    "Reader",
    "TrackType",
    "as_mapping",
    "segments",
    "tracks",
]

_HINT = "Fix that value in the draft, or ask for the change again in chat."


class TrackType(IntEnum):
    """A track's ``tt``: what its segments are."""

    VIDEO = 0
    AUDIO = 1
    TEXT = 7

    @property
    def kind(self) -> str:
        """``video``, ``audio`` or ``text``."""
        return self.name.lower()

    @classmethod
    def of(cls, tt: int) -> TrackType | None:
        """The type for a ``tt`` value, or None for one this package does not know."""
        try:
            return cls(tt)
        except ValueError:
            return None


def _where(obj: Mapping[str, Any]) -> str:
    ident = obj.get("id")
    if not isinstance(ident, str) or not ident:
        return ""
    return f" of {'track' if 'tt' in obj else 'segment'} {ident}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Reader:
    """Reads draft values; ``strict`` raises on a bad value, otherwise it becomes the default."""

    strict: bool

    def number(
        self,
        obj: Mapping[str, Any],
        key: str,
        default: float,
        *,
        lo: float | None = None,
        hi: float | None = None,
        owner: Mapping[str, Any] | None = None,
        label: str | None = None,
    ) -> float:
        """``obj[key]`` as a finite float clamped to [lo, hi]; ``default`` when absent or null.

        ``owner`` and ``label`` name the segment and the field in errors when ``obj`` is
        nested in a segment (``transition.d``).
        """
        value = obj.get(key)
        if value is None or value == "":
            return default
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise TypeError
            result = float(value)
            finite = math.isfinite(result)
        except (TypeError, ValueError, OverflowError):
            result, finite = math.nan, False
            problem = "is not a number"
        else:
            problem = "is not a finite number"
        if not finite:
            if not self.strict:
                return default
            where = _where(owner if owner is not None else obj)
            raise RenderError(
                f"The draft field '{label or key}'{where} {problem}: {_short(value)}.", hint=_HINT
            )
        if lo is not None:
            result = max(lo, result)
        if hi is not None:
            result = min(hi, result)
        return result

    def ms(
        self,
        obj: Mapping[str, Any],
        key: str,
        default: int = 0,
        *,
        owner: Mapping[str, Any] | None = None,
        label: str | None = None,
    ) -> int:
        """A time in whole milliseconds, never negative."""
        return round(self.number(obj, key, default, lo=0, owner=owner, label=label))

    def choice(
        self,
        obj: Mapping[str, Any],
        key: str,
        choices: tuple[str, ...],
        default: str,
        *,
        owner: Mapping[str, Any] | None = None,
        label: str | None = None,
    ) -> str:
        """``obj[key]`` when it is one of ``choices``; ``default`` when absent, null or empty.

        Anything else is an error naming the field and the choices (strict) or the default.
        """
        value = obj.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, str) and value in choices:
            return value
        if not self.strict:
            return default
        where = _where(owner if owner is not None else obj)
        raise RenderError(
            f"The draft field '{label or key}'{where} is not one of {', '.join(choices)}: "
            f"{_short(value)}.",
            hint=_HINT,
        )

    @staticmethod
    def text(obj: Mapping[str, Any], key: str, default: str) -> str:
        """``obj[key]`` as a string; ``default`` when absent, null or empty."""
        value = obj.get(key)
        return default if value is None or value == "" else str(value)

    @staticmethod
    def mapping(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """``obj[key]`` when it is an object, else an empty one."""
        value = obj.get(key)
        return value if isinstance(value, Mapping) else {}

    def track_type(self, track: Mapping[str, Any]) -> int:
        """The track's ``tt`` (0 when absent; strict: a non-number raises)."""
        return round(self.number(track, "tt", TrackType.VIDEO))


STRICT = Reader(strict=True)
TOLERANT = Reader(strict=False)


@dataclass(frozen=True)
class Placed:
    """A segment placed on the timeline: where, how long, on which track."""

    track: int  # index of its track in ``draft["t"]``
    tt: int
    index: int  # index in its track's ``sg``
    start_ms: int
    duration_ms: int
    segment: Mapping[str, Any]

    @property
    def end_ms(self) -> int:
        """Where the segment ends."""
        return self.start_ms + self.duration_ms


def as_mapping(draft: Any) -> Mapping[str, Any]:
    """The draft as a mapping: a dict as is, a pydantic model dumped, anything else empty."""
    if draft is None:
        return {}
    if hasattr(draft, "model_dump"):
        dumped: dict[str, Any] = draft.model_dump(mode="json")
        return dumped
    return draft if isinstance(draft, Mapping) else {}


def tracks(draft: Any) -> list[tuple[int, Mapping[str, Any]]]:
    """(index, track) of every track that is an object."""
    raw = as_mapping(draft).get("t")
    items = raw if isinstance(raw, list) else []
    return [(i, t) for i, t in enumerate(items) if isinstance(t, Mapping)]


def segments(
    draft: Any,
    tt: int | None = None,
    *,
    reader: Reader = TOLERANT,
    positive: bool = False,
) -> list[Placed]:
    """Every segment (that is an object) on tracks of type ``tt`` (all when None), in track
    order, with its start by the one start rule. ``positive`` keeps only segments with a
    duration above 0 (a zero-length segment then does not move the next one's start)."""
    out: list[Placed] = []
    for number, track in tracks(draft):
        kind = reader.track_type(track)
        if tt is not None and kind != tt:
            continue
        raw = track.get("sg")
        cursor = 0  # a segment without ``st`` follows the previous one on its track
        for index, seg in enumerate(raw if isinstance(raw, list) else []):
            if not isinstance(seg, Mapping):
                continue
            duration = reader.ms(seg, "d")
            if positive and duration <= 0:
                continue
            start = reader.ms(seg, "st", cursor)
            out.append(Placed(number, kind, index, start, duration, seg))
            cursor = start + duration
    return out
