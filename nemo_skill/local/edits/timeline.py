"""Shared draft helpers of the edits: tracks, segments, re-timing, targets (no I/O).

Every helper works on the edit's own working copy of the draft (edited in
place) and reads values through :data:`nemo_skill.draft.TOLERANT`, so a
client-stored oddity never stops an edit.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from nemo_skill.draft import TOLERANT, TrackType, segments, tracks
from nemo_skill.local.edits.base import EditError
from nemo_skill.local.engine.frame import frame_size
from nemo_skill.local.grammar import Target

MAX_CLIP_MS = 60_000
MIN_SEGMENT_MS = 1000
_SHA = re.compile(r"(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])")


def new_id(prefix: str) -> str:
    """A fresh id (``seg_…``, ``trk_…``, ``draft_…``)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def track_list(draft: dict[str, Any], tt: TrackType) -> list[dict[str, Any]]:
    """The draft's own track dicts of type ``tt``."""
    return [t for _, t in tracks(draft) if isinstance(t, dict) and TOLERANT.track_type(t) == tt]


def segs(draft: dict[str, Any], tt: TrackType) -> list[dict[str, Any]]:
    """The draft's own segment dicts on tracks of type ``tt``, in timeline order."""
    return [p.segment for p in segments(draft, tt) if isinstance(p.segment, dict)]


def video(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The photos (video segments), in timeline order."""
    return segs(draft, TrackType.VIDEO)


def total_ms(draft: dict[str, Any]) -> int:
    """The clip's length: the end of its last video segment."""
    return max((p.end_ms for p in segments(draft, TrackType.VIDEO)), default=0)


def video_track(draft: dict[str, Any]) -> dict[str, Any]:
    """The (first) video track, created when the draft has none."""
    found = track_list(draft, TrackType.VIDEO)
    if found:
        return found[0]
    track: dict[str, Any] = {"id": new_id("trk"), "tt": int(TrackType.VIDEO), "sg": []}
    draft.setdefault("t", []).insert(0, track)
    return track


def set_photos(draft: dict[str, Any], photos: list[dict[str, Any]]) -> None:
    """Put ``photos`` on the video track in this order, back to back from 0 (keeps ``d``)."""
    for track in track_list(draft, TrackType.VIDEO)[1:]:
        draft["t"].remove(track)
    video_track(draft)["sg"] = photos
    retime(draft)


def retime(draft: dict[str, Any]) -> None:
    """Photos back to back in list order; music, clip-wide text and captions follow.

    Music spans the clip; a whole-clip text keeps its length (at most the clip's);
    a text anchored to a photo takes that photo's ``st``/``d``; a text whose photo
    is gone goes with it.
    """
    start = 0
    photos = video(draft)
    for seg in photos:
        seg["st"] = start
        start += TOLERANT.ms(seg, "d") or MIN_SEGMENT_MS
    total = start
    for seg in segs(draft, TrackType.AUDIO):
        seg["st"], seg["d"] = 0, total
    by_id = {str(s.get("id")): s for s in photos}
    for track in track_list(draft, TrackType.TEXT):
        kept = []
        for seg in track.get("sg", []):
            if not isinstance(seg, dict):
                kept.append(seg)
                continue
            anchor = seg.get("anchor")
            if anchor is None:
                seg["d"] = min(TOLERANT.ms(seg, "d"), total) or total
            elif str(anchor) in by_id:
                photo = by_id[str(anchor)]
                seg["st"], seg["d"] = photo["st"], TOLERANT.ms(photo, "d")
            else:
                continue
            kept.append(seg)
        track["sg"] = kept
    drop = {id(t) for t in track_list(draft, TrackType.TEXT) if not t.get("sg")}
    draft["t"] = [t for t in draft.get("t", []) if id(t) not in drop]


def check_total(draft: dict[str, Any]) -> None:
    """Refuse a clip over 60 s (the engine's limit): nothing is changed or charged."""
    if total_ms(draft) > MAX_CLIP_MS:
        raise EditError("r_total", seconds=f"{total_ms(draft) / 1000:g}")


def resolve(draft: dict[str, Any], target: Target) -> int:
    """The 0-based index of the photo ``target`` names; refused when there is none."""
    photos = video(draft)
    if target.place == 0:  # "the middle photo": only an odd number of photos has one
        if len(photos) % 2:
            return len(photos) // 2
        raise EditError("r_no_photo", count=len(photos))
    if target.place is not None:
        index = target.place - 1 if target.place > 0 else len(photos) + target.place
        if 0 <= index < len(photos):
            return index
        raise EditError("r_no_photo", count=len(photos))
    if target.name is not None:
        for index, seg in enumerate(photos):
            if target.name in name_words(str(seg.get("name", ""))):
                return index
    raise EditError("r_no_photo", count=len(photos))


def name_words(name: str) -> set[str]:
    """The words a photo is called by: its file name, its stem, and the stem's parts."""
    low = name.lower()
    stem = low.rsplit(".", 1)[0] if "." in low else low
    return {low, stem, *[w for w in re.split(r"[^0-9a-zà-ÿ]+", stem) if w]}


def names_photo(draft: dict[str, Any], target: Target | None) -> bool:
    """Whether ``target`` names a photo of the draft (an unknown name means the whole clip)."""
    if target is None:
        return False
    if target.place is not None:
        return True
    return any(target.name in name_words(str(s.get("name", ""))) for s in video(draft))


def content_hash(src: object) -> str | None:
    """The SHA-256 an uploaded file's reference carries (photos compare by content, not URL)."""
    found = _SHA.search(str(src or "").lower())
    return found.group(1) if found else None


def geometry(draft: dict[str, Any], long_side: int) -> None:
    """``m.width``/``m.height`` from ``aspect``, the first photo's size and ``long_side``."""
    meta = draft.setdefault("m", {})
    src_size = meta.get("source_size")
    size = (int(src_size[0]), int(src_size[1])) if isinstance(src_size, list) else None
    meta["long_side"] = int(meta.get("long_side", long_side))
    meta["width"], meta["height"] = frame_size(meta.get("aspect"), size, meta["long_side"])
