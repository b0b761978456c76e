"""Background music: add, change style, volume, fades, remove; its tempo (``bpm``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nemo_skill.draft import TOLERANT, TrackType
from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.base import Call, Context, Edit, Stage
from nemo_skill.local.grammar import music_styles
from nemo_skill.local.grammar.replies import say

DEFAULT_VOLUME = 0.35


def style_bpm(style: str) -> int:
    """The tempo of a synthesised style (the one list lives in :mod:`..engine.audio`)."""
    from nemo_skill.local.engine.audio import default_bpm

    return default_bpm(style)


def style_label(style: str) -> str:
    """The music's display name."""
    return {"lo-fi": "Lo-fi"}.get(style, style.title())


def music(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The music segments."""
    return tl.segs(draft, TrackType.AUDIO)


def add_music(draft: dict[str, Any], style: str, volume: float | None = None) -> dict[str, Any]:
    """A new music track of ``style`` over the whole clip (with its ``bpm``)."""
    seg: dict[str, Any] = {"id": tl.new_id("seg"), "st": 0, "d": tl.total_ms(draft),
                           "style": style, "name": style_label(style),
                           "volume": DEFAULT_VOLUME if volume is None else volume,
                           "fade_in": 500, "fade_out": 1000}  # fmt: skip
    seg["bpm"] = style_bpm(style)
    draft.setdefault("t", []).append(
        {"id": tl.new_id("trk"), "tt": int(TrackType.AUDIO), "sg": [seg]}
    )
    return seg


@dataclass(frozen=True)
class Music(Edit):
    """Add or change the music: ``style`` (or ``change`` to the next style), ``volume``
    (absolute) or ``step`` (relative, existing music only), fades, or ``remove``.

    A clip whose cuts were all on the beat keeps them on the beat of the new style."""

    style: str | None = None
    change: bool = False
    volume: float | None = None
    step: float | None = None
    fade_in_ms: int | None = None
    fade_out_ms: int | None = None
    remove: bool = False
    stage: ClassVar[Stage] = "extras"

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Edit the first music segment (or add one); louder/quieter never adds music."""
        if self.remove:
            audio = {id(t) for t in tl.track_list(draft, TrackType.AUDIO)}
            draft["t"] = [t for t in draft.get("t", []) if id(t) not in audio]
            return draft
        style = _next_style(draft) if self.change and not self.style else self.style
        synced = bool(style) and on_beat(draft)
        if style or self.volume is not None:
            self._set(draft, style)
        if synced:  # a clip cut to the beat stays on the beat of its new music
            snap_cuts(draft)
        for seg in music(draft):
            if self.step:
                level = TOLERANT.number(seg, "volume", DEFAULT_VOLUME) + self.step
                seg["volume"] = round(max(0.0, min(1.0, level)), 2)
            if self.fade_in_ms is not None:
                seg["fade_in"] = self.fade_in_ms
            if self.fade_out_ms is not None:
                seg["fade_out"] = self.fade_out_ms
        return draft

    def _set(self, draft: dict[str, Any], style: str | None) -> None:
        found = music(draft)
        if not found:
            add_music(draft, style or music_styles()[0], self.volume)
            return
        seg = found[0]
        if style:
            seg["style"], seg["name"] = style, style_label(style)
            seg.pop("src", None)
            seg["bpm"] = style_bpm(style)
        if self.volume is not None:
            seg["volume"] = self.volume

    def ops(self) -> dict[str, Any]:
        """``volume_step``, ``music_fade_in`` / ``music_fade_out``."""
        pairs = (("volume_step", self.step), ("music_fade_in", self.fade_in_ms),
                 ("music_fade_out", self.fade_out_ms))  # fmt: skip
        return {k: v for k, v in pairs if v}

    def calls(self, draft: dict[str, Any]) -> list[Call]:
        """``add_bgm`` when the music was set, ``remove_track`` when removed."""
        calls = []
        found = music(draft)
        if found and (self.style or self.change or self.volume is not None):
            calls.append(
                Call("add_bgm", {"style": found[0].get("style"), "volume": found[0].get("volume")})
            )
        if self.remove:
            calls.append(Call("remove_track", {"tracks": ["bgm"]}))
        return calls

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """What happened to the music."""
        found = music(after)
        done = []
        if found and (self.style or self.change):
            done.append(say(lang, "c_music", style=found[0].get("style")))
        if self.remove:
            done.append(say(lang, "c_music_removed"))
        if self.volume is not None:
            done.append(say(lang, "c_volume", percent=round(self.volume * 100)))
        if self.step:
            done.append(say(lang, "c_louder" if self.step > 0 else "c_quieter"))
        if self.fade_in_ms is not None or self.fade_out_ms is not None:
            done.append(say(lang, "c_music_fade"))
        return done


def _beat_ms(seg: dict[str, Any]) -> float:
    return 60000 / TOLERANT.number(seg, "bpm", style_bpm(str(seg.get("style"))), lo=40, hi=240)


def on_beat(draft: dict[str, Any]) -> bool:
    """Whether the clip has cuts and every one sits on a beat of its music (within a frame)."""
    found = music(draft)
    photos = tl.video(draft)
    if not found or len(photos) < 2 or "bpm" not in found[0]:
        return False
    beat, start = _beat_ms(found[0]), TOLERANT.ms(found[0], "st")
    offsets = [(TOLERANT.ms(p, "st") - start) / beat for p in photos[1:]]
    return all(abs(o - round(o)) * beat <= 1000 / 60 for o in offsets)


def snap_cuts(draft: dict[str, Any]) -> None:
    """Move every cut between photos to the nearest beat of the (first) music segment.

    Photos keep at least 1 s (rounded up to whole beats); the clip's end stays.
    """
    found = music(draft)
    if not found:
        return
    seg = found[0]
    seg.setdefault("bpm", style_bpm(str(seg.get("style"))))
    beat = _beat_ms(seg)
    photos = tl.video(draft)
    least = max(1, -(-tl.MIN_SEGMENT_MS // int(beat)))  # whole beats in 1 s, rounded up
    ends, end = [], 0
    for photo in photos:
        end += TOLERANT.ms(photo, "d")
        ends.append(end)
    cuts, beats = [], 0
    for end in ends[:-1]:  # the cuts between photos; the clip's end needs no beat
        beats = max(beats + least, round(end / beat))
        cuts.append(round(beats * beat))
    cuts.append(max(ends[-1], (cuts[-1] if cuts else 0) + tl.MIN_SEGMENT_MS) if ends else 0)
    start = 0
    for photo, cut in zip(photos, cuts, strict=True):
        photo["d"] = cut - start
        start = cut
    tl.retime(draft)


def _next_style(draft: dict[str, Any]) -> str:
    """The style after the current one in the engine's list ("different music")."""
    styles = music_styles()
    current = next((str(s.get("style")) for s in music(draft) if s.get("style")), None)
    if current not in styles:
        return styles[1] if current is None and len(styles) > 1 else styles[0]
    return styles[(styles.index(current) + 1) % len(styles)]
