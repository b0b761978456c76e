"""Which photos the clip shows, in which order: remove, move, swap, replace, insert.

Every other segment keeps its id, its length and its content; the photos are
laid back to back again (:func:`.timeline.retime`), so later photos shift and
the texts anchored to a photo travel with it. The clip's fade from black stays
on whichever photo is first, its fade to black on whichever is last, and the
first photo never keeps a transition (there is no cut before it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.base import Context, Edit, EditError, Photo
from nemo_skill.local.grammar import Target
from nemo_skill.local.grammar.replies import photo_label, say

DEFAULT_PHOTO_MS = 3000


def reorder(draft: dict[str, Any], photos: list[dict[str, Any]]) -> None:
    """Lay ``photos`` out in this order, keeping the clip's fades at its ends."""
    old = tl.video(draft)
    cuts = [s.get("transition") for s in old[1:]]
    uniform = cuts[0] if cuts and all(c == cuts[0] for c in cuts) else None
    fade_in = old[0].get("fade_in") if old else None
    fade_out = old[-1].get("fade_out") if old else None
    for seg in photos:
        seg.pop("fade_in", None) if fade_in is not None else None
        seg.pop("fade_out", None) if fade_out is not None else None
    if isinstance(uniform, dict):  # every cut looked the same: the new cuts look so too
        for seg in photos[1:]:
            seg.setdefault("transition", dict(uniform))
    if photos:
        photos[0].pop("transition", None)
        if fade_in is not None:
            photos[0]["fade_in"] = fade_in
        if fade_out is not None:
            photos[-1]["fade_out"] = fade_out
    tl.set_photos(draft, photos)


def photo_segment(
    photo: Photo, like: dict[str, Any] | None, d: int = DEFAULT_PHOTO_MS
) -> dict[str, Any]:
    """A new video segment for ``photo``, moving like ``like`` (its neighbour)."""
    seg: dict[str, Any] = {"id": tl.new_id("seg"), "st": 0, "d": d, "src": photo.src,
                           "name": photo.name, "motion": "kenburns", "speed": 1.0}  # fmt: skip
    if like is not None:
        for key in ("motion", "speed", "transition"):
            if key in like:
                seg[key] = like[key]
    return seg


def _label(draft: dict[str, Any], index: int) -> str:
    return str(tl.video(draft)[index].get("name") or index + 1)


@dataclass(frozen=True)
class RemovePhoto(Edit):
    """Take the target photo out of the clip (never the only one)."""

    target: Target

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Drop the photo; the ones after it move up."""
        photos = tl.video(draft)
        index = tl.resolve(draft, self.target)
        if len(photos) == 1:
            raise EditError("r_last_photo")
        reorder(draft, photos[:index] + photos[index + 1 :])
        return draft

    def ops(self) -> dict[str, Any]:
        """``remove_photo``."""
        return {"remove_photo": self.target.place or self.target.name}

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """Which photo went."""
        index = tl.resolve(before, self.target)
        return [say(lang, "p_removed", photo=photo_label(lang, index), name=_label(before, index))]


def _place(draft: dict[str, Any], where: str | None, at: int | None, other: Target | None,
           moving: int | None) -> int:  # fmt: skip
    """The 0-based index a photo lands on, counted after taking the moving one out."""
    count = len(tl.video(draft)) - (moving is not None)
    if where == "start":
        return 0
    if where == "at" and at:
        return max(0, min(count, at - 1))
    if where in ("after", "before") and other is not None:
        anchor = tl.resolve(draft, other)
        if moving is not None and moving < anchor:
            anchor -= 1
        return anchor + 1 if where == "after" else anchor
    return count


@dataclass(frozen=True)
class MovePhoto(Edit):
    """Move the target photo to the start, the end, a place, or after/before another photo."""

    target: Target
    where: str | None = None
    at: int | None = None
    other: Target | None = None

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Reorder; every photo keeps its length and content."""
        photos = tl.video(draft)
        index = tl.resolve(draft, self.target)
        place = _place(draft, self.where, self.at, self.other, index)
        moving = photos.pop(index)
        photos.insert(place, moving)
        reorder(draft, photos)
        return draft

    def ops(self) -> dict[str, Any]:
        """``move_photo`` and where to."""
        return {"move_photo": self.target.place or self.target.name, "to": self.where or self.at}

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """Where the photo went."""
        moved = tl.video(before)[tl.resolve(before, self.target)]
        place = next(i for i, s in enumerate(tl.video(after)) if s.get("id") == moved.get("id"))
        return [say(lang, "p_moved", name=moved.get("name") or place + 1, place=place + 1)]


@dataclass(frozen=True)
class SwapPhotos(Edit):
    """Exchange the places of two photos."""

    target: Target
    other: Target

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Swap; both keep their length and content."""
        photos = tl.video(draft)
        a, b = tl.resolve(draft, self.target), tl.resolve(draft, self.other)
        photos[a], photos[b] = photos[b], photos[a]
        reorder(draft, photos)
        return draft

    def ops(self) -> dict[str, Any]:
        """``swap_photos``."""
        return {"swap_photos": [self.target.place or self.target.name,
                                self.other.place or self.other.name]}  # fmt: skip

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """Which two photos changed places."""
        a, b = tl.resolve(before, self.target), tl.resolve(before, self.other)
        return [say(lang, "p_swapped", name=_label(before, a), other=_label(before, b))]


def _new_photos(ctx: Context) -> tuple[Photo, ...]:
    if not ctx.photos:
        raise EditError("r_need_photo")
    return ctx.photos


@dataclass(frozen=True)
class ReplacePhoto(Edit):
    """Show the newly uploaded photo in the target's place (same id, timing, move, texts).

    No target (a story and no photo named): refused with a question, which photo.
    """

    target: Target | None

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Swap the picture only."""
        photo = _new_photos(ctx)[0]
        if self.target is None:
            raise EditError("r_no_photo", count=len(tl.video(draft)))
        index = tl.resolve(draft, self.target)
        seg = tl.video(draft)[index]
        seg["src"], seg["name"] = photo.src, photo.name
        return draft

    def ops(self) -> dict[str, Any]:
        """``replace_photo``."""
        named = (self.target.place or self.target.name) if self.target else None
        return {"replace_photo": named}

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """Which photo now shows which file."""
        index = tl.resolve(after, self.target or Target(place=1))
        return [say(lang, "p_replaced", photo=photo_label(lang, index), name=_label(after, index))]


@dataclass(frozen=True)
class InsertPhotos(Edit):
    """Put the newly uploaded photos at the end, the start, a place, or after/before a photo."""

    where: str | None = "end"
    at: int | None = None
    other: Target | None = None

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Insert one segment per new photo (3 s each, moving like their neighbour)."""
        new = _new_photos(ctx)
        photos = tl.video(draft)
        place = _place(draft, self.where, self.at, self.other, None)
        like = photos[min(place, len(photos) - 1)] if photos else None
        cut = next(
            (dict(p["transition"]) for p in photos if isinstance(p.get("transition"), dict)), None
        )
        added = [photo_segment(p, like) for p in new]
        if cut is not None:
            for seg in added + photos[:1]:  # the old first photo gets a cut before it too
                seg["transition"] = dict(cut)
        photos[place:place] = added
        reorder(draft, photos)
        tl.check_total(draft)
        return draft

    def ops(self) -> dict[str, Any]:
        """``insert_photos`` and where."""
        return {"insert_photos": True, "at": self.where or self.at}

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """Which files went where."""
        old = {s.get("id") for s in tl.video(before)}
        return [say(lang, "p_inserted", name=s.get("name"), photo=photo_label(lang, i))
                for i, s in enumerate(tl.video(after)) if s.get("id") not in old]  # fmt: skip
