"""The camera over a photo: its move (``motion``) and how fast it goes (``speed``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nemo_skill.draft import TOLERANT
from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.base import Context, Edit
from nemo_skill.local.grammar import Target
from nemo_skill.local.grammar.replies import photo_label, say

MIN_SPEED, MAX_SPEED = 0.25, 4.0


@dataclass(frozen=True)
class Camera(Edit):
    """Set the move, set (``speed_to``) then multiply (``speed``) the speed (0.25 – 4),
    of one photo or of every photo."""

    motion: str | None = None
    speed: float | None = None
    target: Target | None = None
    speed_to: float | None = None

    def _photos(self, draft: dict[str, Any]) -> list[dict[str, Any]]:
        photos = tl.video(draft)
        if self.target is None:
            return photos
        return [photos[tl.resolve(draft, self.target)]]

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Change the named photo(s); the others keep their move."""
        for seg in self._photos(draft):
            if self.motion:
                seg["motion"] = self.motion
            if self.speed_to:
                seg["speed"] = round(max(MIN_SPEED, min(MAX_SPEED, self.speed_to)), 3)
            if self.speed:
                speed = TOLERANT.number(seg, "speed", 1.0) * self.speed
                seg["speed"] = round(max(MIN_SPEED, min(MAX_SPEED, speed)), 3)
        return draft

    def ops(self) -> dict[str, Any]:
        """``motion`` / ``speed_factor`` (and the photo, when aimed at one)."""
        pairs = (("motion", self.motion), ("speed", self.speed_to), ("speed_factor", self.speed))
        op: dict[str, Any] = {k: v for k, v in pairs if v}
        if self.target is not None:
            op["photo"] = self.target.place or self.target.name
        return op

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """The new move and pace, of the photo or of the clip."""
        if self.target is not None:
            index = tl.resolve(after, self.target)
            photo = photo_label(lang, index)
            seg = tl.video(after)[index]
            done = []
            if self.motion:
                motion = str(seg.get("motion")).replace("_", " ")
                done.append(say(lang, "p_motion", photo=photo, motion=motion))
            if self.speed_to:
                done.append(
                    say(lang, "p_speed", photo=photo, speed=f"{float(seg.get('speed', 1.0)):g}")
                )
            elif self.speed:
                done.append(say(lang, "p_faster" if self.speed > 1 else "p_slower", photo=photo))
            return done
        done = []
        photos = tl.video(after)
        if self.motion and photos:
            done.append(
                say(lang, "c_motion", motion=str(photos[0].get("motion")).replace("_", " "))
            )
        if self.speed_to and photos:
            done.append(say(lang, "c_speed", speed=f"{float(photos[0].get('speed', 1.0)):g}"))
        elif self.speed:
            done.append(say(lang, "c_faster" if self.speed > 1 else "c_slower"))
        return done
