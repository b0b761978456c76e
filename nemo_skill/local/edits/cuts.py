"""The cuts between photos: how each looks (``transition``) and when it falls (on the beat)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nemo_skill.draft import TOLERANT
from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.base import Call, Context, Edit, EditError, Stage
from nemo_skill.local.edits.music import add_music, music, snap_cuts, style_bpm
from nemo_skill.local.grammar import Target, music_styles
from nemo_skill.local.grammar.replies import photo_label, say

TRANSITION_MS = {"crossfade": 500, "fade_black": 1000}


@dataclass(frozen=True)
class Transition(Edit):
    """The cut into the target photo (or every cut) becomes a crossfade or a fade through black.

    The transition lasts at most half of each photo it joins, so a photo is
    always fully on screen for a while.
    """

    kind: str
    target: Target | None = None

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Set ``transition`` on the photo(s) after the cut(s)."""
        photos = tl.video(draft)
        if self.target is None:
            indexes = list(range(1, len(photos)))
        else:
            index = tl.resolve(draft, self.target)
            if index == 0:
                raise EditError("r_first_cut")
            indexes = [index]
        for i in indexes:
            shortest = min(TOLERANT.ms(photos[i - 1], "d"), TOLERANT.ms(photos[i], "d"))
            length = min(TRANSITION_MS[self.kind], shortest // 2)
            photos[i]["transition"] = {"type": self.kind, "d": length}
        return draft

    def ops(self) -> dict[str, Any]:
        """``transition`` (and the photo, when aimed at one)."""
        op: dict[str, Any] = {"transition": self.kind}
        if self.target is not None:
            op["photo"] = self.target.place or self.target.name
        return op

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """Which cut(s) got which transition."""
        kind = say(lang, f"t_{self.kind}")
        if self.target is None:
            return [say(lang, "c_transition", kind=kind)]
        photo = photo_label(lang, tl.resolve(after, self.target))
        return [say(lang, "p_transition", kind=kind, photo=photo)]


@dataclass(frozen=True)
class BeatSync(Edit):
    """Every cut lands on a beat of the music: ``st`` = music ``st`` + k × 60000 / ``bpm``.

    Each cut moves to the nearest beat (photos keep at least 1 s, rounded up to
    whole beats); the clip's end stays where it was. Music is added (the first
    style) when the clip has none.
    """

    stage: ClassVar[Stage] = "extras"

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Snap the photos' lengths to whole beats."""
        found = music(draft)
        seg = found[0] if found else add_music(draft, music_styles()[0])
        if "bpm" not in seg:
            seg["bpm"] = style_bpm(str(seg.get("style")))
        snap_cuts(draft)
        return draft

    def calls(self, draft: dict[str, Any]) -> list[Call]:
        """``sync_to_beat`` with the tempo used."""
        return [Call("sync_to_beat", {"bpm": music(draft)[0].get("bpm") if music(draft) else None})]

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """The tempo the cuts follow."""
        found = music(after)
        return [say(lang, "c_beat", bpm=found[0].get("bpm") if found else "?")]
