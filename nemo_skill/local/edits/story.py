"""A new draft from one photo or several (a story): one video segment per photo, in order.

One photo lasts 5 s; several last 3 s each (2 s each when that would pass
60 s), so every photo is on screen long enough to see. At most
:data:`MAX_PHOTOS` fit in the 60 s a clip may last. The canvas follows the
first photo (``aspect: original``) and frames the others per ``m.fit``.
"""

from __future__ import annotations

from typing import Any

from nemo_skill.draft import TrackType
from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.base import DEFAULT_LONG_SIDE, EditError, Photo

DEFAULT_FPS = 30
SINGLE_PHOTO_MS = 5000
STORY_PHOTO_MS = 3000
MIN_STORY_PHOTO_MS = 2000
MAX_PHOTOS = tl.MAX_CLIP_MS // MIN_STORY_PHOTO_MS


def photo_ms(count: int) -> int:
    """How long each of ``count`` photos lasts by default."""
    if count <= 1:
        return SINGLE_PHOTO_MS
    return max(MIN_STORY_PHOTO_MS, min(STORY_PHOTO_MS, tl.MAX_CLIP_MS // count))


def story_draft(photos: list[Photo], long_side: int = DEFAULT_LONG_SIDE) -> dict[str, Any]:
    """The default clip of ``photos``: Ken Burns, 30 fps, the first photo's aspect, blur fill."""
    if not photos:
        raise EditError("r_need_photo")
    if len(photos) > MAX_PHOTOS:
        raise EditError("r_photos", max=MAX_PHOTOS, count=len(photos))
    each = photo_ms(len(photos))
    draft: dict[str, Any] = {"id": tl.new_id("draft"),
                             "m": {"fps": DEFAULT_FPS, "aspect": "original", "fit": "blur"},
                             "t": []}  # fmt: skip
    if photos[0].size:
        draft["m"]["source_size"] = list(photos[0].size)
    segs = [{"id": tl.new_id("seg"), "st": i * each, "d": each, "src": p.src, "name": p.name,
             "motion": "kenburns", "speed": 1.0} for i, p in enumerate(photos)]  # fmt: skip
    draft["t"].append({"id": tl.new_id("trk"), "tt": int(TrackType.VIDEO), "sg": segs})
    tl.geometry(draft, long_side)
    return draft
