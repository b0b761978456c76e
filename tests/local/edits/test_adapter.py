"""A read message → its edits (nemo_skill/local/edits/adapter.py)."""

from __future__ import annotations

from typing import Any

from nemo_skill.local.edits.adapter import edits_for
from nemo_skill.local.edits.camera import Camera
from nemo_skill.local.edits.clip import Duration, Fade, Meta
from nemo_skill.local.edits.cuts import BeatSync, Transition
from nemo_skill.local.edits.music import Music
from nemo_skill.local.edits.photos import InsertPhotos, MovePhoto, RemovePhoto
from nemo_skill.local.edits.text import Text
from nemo_skill.local.grammar import Instruction, Target, parse


def kinds(text: str, draft: dict[str, Any] | None = None) -> list[type]:
    return [type(e) for e in edits_for(parse(text), draft)]


def test_one_edit_per_kind_in_reply_order() -> None:
    assert kinds('8 seconds, 9:16, zoom in, calm music, title "Hi", 60 fps, fade to black') == [
        Duration, Meta, Camera, Music, Text, Meta, Fade]  # fmt: skip
    assert kinds("crossfades and cut to the beat") == [Transition, BeatSync]
    assert kinds("remove the second photo") == [RemovePhoto]
    assert kinds("put the last photo first") == [MovePhoto]
    assert kinds("add this photo at the end") == [InsertPhotos]


def test_a_target_is_kept_only_when_the_draft_has_that_photo(story: dict[str, Any]) -> None:
    known = edits_for(parse("make the beach photo 4 seconds"), story)
    assert known == [Duration(seconds=4.0, target=Target(name="beach"))]
    unknown = edits_for(parse("make the lake photo 4 seconds"), story)
    assert unknown == [Duration(seconds=4.0)]  # no such photo: the whole clip
    assert edits_for(Instruction(), story) == []
