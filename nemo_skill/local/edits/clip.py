"""Whole-clip edits: length (or one photo's), format, frame rate, fill, fades to black."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nemo_skill.draft import TOLERANT
from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.base import Context, Edit, EditError, Stage
from nemo_skill.local.grammar import Target
from nemo_skill.local.grammar.replies import photo_label, say

FPS_CHOICES = (24, 25, 30, 60)


@dataclass(frozen=True)
class Duration(Edit):
    """The clip's length (photos scaled together), one photo's, or every photo's (``each``).

    ``seconds`` sets, ``scale`` multiplies ("half as long" 0.5), then ``delta`` adds
    (negative: removes). A photo keeps at least
    1 s and the clip at most 60 s; beyond, the edit is refused (the allowed range
    is said) and nothing changes. Later photos shift when one photo's length changes.
    """

    seconds: float | None = None
    delta: float | None = None
    target: Target | None = None
    each: bool = False
    scale: float | None = None

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Set the length and re-time the photos, the music and the texts."""
        photos = tl.video(draft)
        if not photos:
            return draft
        if self.target is not None:
            self._one(draft, photos, tl.resolve(draft, self.target))
        elif self.each:
            for seg in photos:
                seg["d"] = self._wanted(TOLERANT.ms(seg, "d"))
            if min(s["d"] for s in photos) < tl.MIN_SEGMENT_MS or (
                sum(s["d"] for s in photos) > tl.MAX_CLIP_MS
            ):
                raise EditError(
                    "r_photo_length", lo=1, hi=f"{tl.MAX_CLIP_MS // len(photos) / 1000:g}"
                )
        else:
            self._clip(photos, self._wanted(tl.total_ms(draft)))
        tl.retime(draft)
        return draft

    def _wanted(self, current: int) -> int:
        if self.seconds is not None:
            return round(self.seconds * 1000)
        return round(current * (self.scale or 1.0) + (self.delta or 0) * 1000)

    def _one(self, draft: dict[str, Any], photos: list[dict[str, Any]], index: int) -> None:
        seg = photos[index]
        others = tl.total_ms(draft) - TOLERANT.ms(seg, "d")
        wanted = self._wanted(TOLERANT.ms(seg, "d"))
        if wanted < tl.MIN_SEGMENT_MS or others + wanted > tl.MAX_CLIP_MS:
            hi = (tl.MAX_CLIP_MS - others) / 1000
            raise EditError("r_photo_length", lo=1, hi=f"{hi:g}")
        seg["d"] = wanted

    @staticmethod
    def _clip(photos: list[dict[str, Any]], total: int) -> None:
        """Scale every photo by the same factor; the last one takes the rounding."""
        count = len(photos)
        if total < count * tl.MIN_SEGMENT_MS or total > tl.MAX_CLIP_MS:
            raise EditError("r_length", count=count, lo=count, hi=tl.MAX_CLIP_MS // 1000)
        old = [max(1, TOLERANT.ms(s, "d")) for s in photos]
        scaled = [max(tl.MIN_SEGMENT_MS, round(d * total / sum(old))) for d in old[:-1]]
        scaled.append(total - sum(scaled))
        if scaled[-1] < tl.MIN_SEGMENT_MS:  # uneven photos: fall back to an even split
            per = total // count
            scaled = [per] * (count - 1) + [total - per * (count - 1)]
        for seg, d in zip(photos, scaled, strict=True):
            seg["d"] = d

    def ops(self) -> dict[str, Any]:
        """``duration`` / ``duration_delta`` (and the photo, when aimed at one)."""
        pairs = (("duration", self.seconds), ("duration_scale", self.scale),
                 ("duration_delta", self.delta))  # fmt: skip
        op: dict[str, Any] = {k: v for k, v in pairs if v}
        if self.target is not None:
            op["photo"] = self.target.place or self.target.name
        if self.each:
            op["per_photo"] = True
        return op

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """The photo's new length, or the clip's."""
        if self.target is not None and tl.names_photo(after, self.target):
            index = tl.resolve(after, self.target)
            seconds = TOLERANT.ms(tl.video(after)[index], "d") / 1000
            return [say(lang, "p_length", photo=photo_label(lang, index), seconds=f"{seconds:g}")]
        if self.each and tl.video(after):
            seconds = TOLERANT.ms(tl.video(after)[0], "d") / 1000
            return [say(lang, "p_each", seconds=f"{seconds:g}")]
        return [say(lang, "c_length", seconds=f"{tl.total_ms(after) / 1000:g}")]


@dataclass(frozen=True)
class Meta(Edit):
    """One clip setting in ``m``: ``aspect``, ``fps`` or ``fit`` (the frame size follows)."""

    key: str
    value: str | int
    stage: ClassVar[Stage] = "video"

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Set the value (``fps`` snaps to the engine's rates)."""
        value = self.value
        if self.key == "fps":
            value = min(FPS_CHOICES, key=lambda v: abs(v - int(self.value)))
        draft.setdefault("m", {})[self.key] = value
        return draft

    def ops(self) -> dict[str, Any]:
        """``aspect_ratio``, ``fps`` or ``fit``."""
        return {{"aspect": "aspect_ratio"}.get(self.key, self.key): self.value}

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """The new format, frame rate or fill."""
        meta = after.get("m", {})
        if self.key == "aspect":
            return [say(lang, "c_format", aspect=meta.get("aspect"))]
        if self.key == "fps":
            return [say(lang, "c_fps", fps=meta.get("fps"))]
        return [say(lang, "c_fit")]


@dataclass(frozen=True)
class Fade(Edit):
    """A fade from black at the clip's start (first photo) and/or to black at its end (last)."""

    fade_in_ms: int | None = None
    fade_out_ms: int | None = None

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Set ``fade_in`` on the first photo, ``fade_out`` on the last."""
        photos = tl.video(draft)
        if photos and self.fade_in_ms is not None:
            photos[0]["fade_in"] = self.fade_in_ms
        if photos and self.fade_out_ms is not None:
            photos[-1]["fade_out"] = self.fade_out_ms
        return draft

    def ops(self) -> dict[str, Any]:
        """``fade_in`` / ``fade_out`` in ms."""
        return {
            k: v for k, v in (("fade_in", self.fade_in_ms), ("fade_out", self.fade_out_ms)) if v
        }

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """Says a fade was added."""
        return [say(lang, "c_fade")]
