"""A read message (:class:`~nemo_skill.local.grammar.Instruction`) → the list of edits it asks.

The grammar reads each clause into the Instruction's fields plus a target;
this adapter is the one place that turns those fields into :class:`.Edit`
objects, in the order their replies are said.
"""

from __future__ import annotations

from typing import Any

from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.base import Edit
from nemo_skill.local.edits.camera import Camera
from nemo_skill.local.edits.clip import Duration, Fade, Meta
from nemo_skill.local.edits.cuts import BeatSync, Transition
from nemo_skill.local.edits.music import Music
from nemo_skill.local.edits.photos import (
    InsertPhotos,
    MovePhoto,
    RemovePhoto,
    ReplacePhoto,
    SwapPhotos,
)
from nemo_skill.local.edits.text import Text
from nemo_skill.local.grammar import Instruction, Target


def edits_for(instr: Instruction, draft: dict[str, Any] | None = None) -> list[Edit]:
    """The edits ``instr`` asks of ``draft`` (a name that no photo has means the whole clip)."""
    target = instr.target if draft is None or tl.names_photo(draft, instr.target) else None
    edits: list[Edit] = _photo_op(instr, target, draft)
    if instr.duration_s or instr.duration_delta_s or instr.duration_scale:
        edits.append(
            Duration(
                instr.duration_s, instr.duration_delta_s, target, instr.each, instr.duration_scale
            )
        )
    if instr.aspect:
        edits.append(Meta("aspect", instr.aspect))
    if instr.motion or instr.speed or instr.speed_to:
        edits.append(Camera(instr.motion, instr.speed, target, instr.speed_to))
    music = Music(instr.music_style, instr.music_change, instr.music_volume, instr.volume_step,
                  instr.music_fade_in_ms, instr.music_fade_out_ms, instr.remove_music)  # fmt: skip
    if music != Music():
        edits.append(music)
    text = Text(
        instr.title,
        instr.caption,
        instr.text,
        instr.remove_title,
        instr.remove_caption,
        instr.text_styles,
        target,
    )
    if text != Text(target=target):
        edits.append(text)
    if instr.fps:
        edits.append(Meta("fps", instr.fps))
    if instr.video_fade_in_ms is not None or instr.video_fade_out_ms is not None:
        edits.append(Fade(instr.video_fade_in_ms, instr.video_fade_out_ms))
    if instr.fit:
        edits.append(Meta("fit", instr.fit))
    if instr.transition:
        edits.append(Transition(instr.transition, target))
    if instr.beat_sync:
        edits.append(BeatSync())
    return edits


def _photo_op(
    instr: Instruction, target: Target | None, draft: dict[str, Any] | None
) -> list[Edit]:
    """The edit that changes which photos the clip shows (at most one per clause)."""
    op = instr.photo_op
    if op == "insert":
        return [InsertPhotos(instr.where or "end", instr.at, target)]
    if op == "replace" and target is None:  # no photo named: the only one (else asked which)
        return [ReplacePhoto(Target(place=1) if draft and len(tl.video(draft)) == 1 else None)]
    if target is None:
        return []
    if op == "remove":
        return [RemovePhoto(target)]
    if op == "move":
        return [MovePhoto(target, instr.where, instr.at, instr.other)]
    if op == "swap" and instr.other is not None:
        return [SwapPhotos(target, instr.other)]
    if op == "replace":
        return [ReplacePhoto(target)]
    return []
