"""Titles and captions: words, removal, position/size/colour; over the clip or one photo.

A text aimed at a photo ("a caption on the second photo") is its own text
segment with ``anchor`` = that photo's segment id: shown over that photo only,
its ``st``/``d`` follow the photo (see :func:`.timeline.retime`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nemo_skill.draft import TOLERANT, TrackType
from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.base import Call, Context, Edit, Stage
from nemo_skill.local.grammar import Target, TextStyle
from nemo_skill.local.grammar.replies import photo_label, say

MIN_TEXT_SIZE, MAX_TEXT_SIZE = 0.02, 0.3
TITLE_SIZE, CAPTION_SIZE = 0.08, 0.05


def texts(
    draft: dict[str, Any], role: str | None = None, anchor: str | None = None
) -> list[dict[str, Any]]:
    """Text segments of ``role`` (None: any) over the whole clip, or over photo ``anchor``."""
    found = tl.segs(draft, TrackType.TEXT)
    return [
        s for s in found if role in (None, s.get("role", "title")) and s.get("anchor") == anchor
    ]


@dataclass(frozen=True)
class Text(Edit):
    """Set, remove or restyle the title/caption (``text``: the role was not named)."""

    title: str | None = None
    caption: str | None = None
    text: str | None = None
    remove_title: bool = False
    remove_caption: bool = False
    styles: tuple[TextStyle, ...] = ()  # restyles, one per role named (None: every text)
    target: Target | None = None
    stage: ClassVar[Stage] = "extras"

    def _anchor(self, draft: dict[str, Any]) -> str | None:
        if self.target is None:
            return None
        seg = tl.video(draft)[tl.resolve(draft, self.target)]
        seg.setdefault("id", tl.new_id("seg"))
        return str(seg["id"])

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """Edit the texts of the clip (or of the target photo only)."""
        anchor = self._anchor(draft)
        if self.remove_title:
            _remove(draft, "title", anchor)
        if self.remove_caption:
            _remove(draft, "caption", anchor)
        if self.title:
            _put(draft, "title", self.title, anchor)
        if self.caption:
            _put(draft, "caption", self.caption, anchor)
        if self.text:  # the role was not named: the existing title, else the caption, else a title
            roles = [s.get("role", "title") for s in texts(draft, None, anchor)]
            _put(draft, "title" if "title" in roles or not roles else "caption", self.text, anchor)
        for style in self.styles:
            for seg in tl.segs(draft, TrackType.TEXT):  # the clip's styling reaches every text
                role = seg.get("role", "title")
                if style.role in (None, role) and anchor in (None, seg.get("anchor")):
                    _style(seg, style)
        return draft

    def own_ops(self) -> list[dict[str, Any]]:
        """One op per restyle: ``text_role``, ``text_position``, ``text_scale``, ``text_color``."""
        out = []
        for style in self.styles:
            fields = (
                ("text_role", style.role),
                ("text_position", style.position),
                ("text_scale", style.scale),
                ("text_color", style.color),
            )
            out.append({k: v for k, v in fields if v is not None})
        return out

    def calls(self, draft: dict[str, Any]) -> list[Call]:
        """``add_text`` per new words, ``remove_track`` for removed texts."""
        calls = []
        for role, words in (("title", self.title), ("caption", self.caption), (None, self.text)):
            if words:
                args: dict[str, Any] = {"text": words, "role": role or "title"}
                if self.target is not None:
                    args["photo"] = self.target.place or self.target.name
                calls.append(Call("add_text", args))
        kinds = [
            k for k, on in (("title", self.remove_title), ("caption", self.remove_caption)) if on
        ]
        if kinds:
            calls.append(Call("remove_track", {"tracks": kinds}))
        return calls

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """The words set, the texts removed, a restyle."""
        if self.target is not None:
            photo = photo_label(lang, tl.resolve(after, self.target))
            done = []
            if self.title or (self.text and not self.caption):
                done.append(say(lang, "p_title", text=self.title or self.text, photo=photo))
            if self.caption:
                done.append(say(lang, "p_caption", text=self.caption, photo=photo))
            if self.remove_title or self.remove_caption:
                done.append(say(lang, "p_text_removed", photo=photo))
            if self.styles:
                done.append(say(lang, "c_text_style"))
            return done
        done = []
        if self.title or (self.text and not self.caption):
            done.append(say(lang, "c_title", text=self.title or self.text))
        if self.caption:
            done.append(say(lang, "c_caption", text=self.caption))
        if self.remove_title or self.remove_caption:
            done.append(say(lang, "c_text_removed"))
        if self.styles:
            done.append(say(lang, "c_text_style"))
        return done


def _style(seg: dict[str, Any], style: TextStyle) -> None:
    if style.position:
        seg["position"] = style.position
    if style.scale:
        default = TITLE_SIZE if seg.get("role", "title") == "title" else CAPTION_SIZE
        size = TOLERANT.number(seg, "size", default) * style.scale
        seg["size"] = round(max(MIN_TEXT_SIZE, min(MAX_TEXT_SIZE, size)), 3)
    if style.color:
        seg["color"] = style.color


def _put(draft: dict[str, Any], role: str, words: str, anchor: str | None) -> None:
    """New words for the text of ``role`` (a new text segment when there is none)."""
    for found in texts(draft, role, anchor):
        found["text"] = words
        return
    if anchor is None:
        duration = tl.total_ms(draft)
        start, length = 0, min(3000, duration) if role == "title" else duration
    else:
        photo = next(s for s in tl.video(draft) if str(s.get("id")) == anchor)
        start, length = TOLERANT.ms(photo, "st"), TOLERANT.ms(photo, "d")
    seg: dict[str, Any] = {"id": tl.new_id("seg"), "st": start, "text": words, "role": role,
                           "d": length, "position": "center" if role == "title" else "bottom",
                           "size": TITLE_SIZE if role == "title" else CAPTION_SIZE,
                           "color": "#FFFFFF", "fade_in": 300, "fade_out": 300}  # fmt: skip
    if anchor is not None:
        seg["anchor"] = anchor
    draft.setdefault("t", []).append(
        {"id": tl.new_id("trk"), "tt": int(TrackType.TEXT), "sg": [seg]}
    )


def _remove(draft: dict[str, Any], role: str, anchor: str | None) -> None:
    for track in tl.track_list(draft, TrackType.TEXT):
        track["sg"] = [s for s in track.get("sg", []) if not isinstance(s, dict)
                       or s.get("role", "title") != role or s.get("anchor") != anchor]  # fmt: skip
    empty = {id(t) for t in tl.track_list(draft, TrackType.TEXT) if not t.get("sg")}
    draft["t"] = [t for t in draft.get("t", []) if id(t) not in empty]
