"""Draft editing: a message's edits applied to a draft (the render engine only renders).

A message is read by :mod:`nemo_skill.local.grammar` into an
:class:`~nemo_skill.local.grammar.Instruction` (fields plus a target photo);
:func:`edits_for` turns it into :class:`Edit` objects (one module per kind:
:mod:`.clip`, :mod:`.camera`, :mod:`.music`, :mod:`.text`, :mod:`.photos`,
:mod:`.cuts`), and :func:`apply_edits` runs them on a copy of the draft,
keeping ids, timing and unrelated content (see docs/draft.md).
:func:`story_draft` makes the first draft from one photo or several.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from nemo_skill.local.edits import timeline as tl
from nemo_skill.local.edits.adapter import edits_for
from nemo_skill.local.edits.base import DEFAULT_LONG_SIDE, Call, Context, Edit, EditError, Photo
from nemo_skill.local.edits.story import DEFAULT_FPS, MAX_PHOTOS, story_draft
from nemo_skill.local.grammar import Instruction, parse

__all__ = [
    "DEFAULT_FPS",
    "DEFAULT_LONG_SIDE",
    "MAX_PHOTOS",
    "Call",
    "Context",
    "Edit",
    "EditError",
    "Instruction",
    "Photo",
    "apply_edits",
    "apply_instruction",
    "edits_for",
    "parse_instruction",
    "plan_from_prompt",
    "story_draft",
]


def parse_instruction(text: str) -> Instruction:
    """Read what ``text`` asks for (pure; unknown words are ignored; questions ask for nothing)."""
    if not text.strip():
        # Nothing asked (`animate photo.jpg -o clip.mp4 --motion ...`): skip the grammar, whose
        # first use compiles its patterns (0.2-0.3 s of a command that renders in ~2.5 s).
        return Instruction()
    return parse(text)


def apply_edits(
    draft: Mapping[str, Any],
    edits: Iterable[Edit],
    ctx: Context,
    *,
    trail: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A new draft with ``edits`` made in order; ``draft`` is not changed.

    ``trail``, when given, receives a copy of the draft as each edit left it (an
    edit's summary reads the draft it changed: "the second photo" of a message
    that also moves photos is the one that edit saw). Raises :class:`EditError`
    (nothing changed) when an edit cannot be made as asked or the clip would pass 60 s.
    """
    out: dict[str, Any] = copy.deepcopy(dict(draft))
    out.setdefault("t", [])
    out.setdefault("m", {})
    before = tl.total_ms(out)
    for edit in edits:
        out = edit.apply(out, ctx)
        if trail is not None:
            trail.append(copy.deepcopy(out))
    if tl.total_ms(out) > before:
        tl.check_total(out)
    tl.geometry(out, ctx.long_side)
    out["m"].setdefault("fps", DEFAULT_FPS)
    return out


def apply_instruction(
    draft: Mapping[str, Any], instr: Instruction, *, long_side: int = DEFAULT_LONG_SIDE
) -> dict[str, Any]:
    """A new draft with every edit ``instr`` asks made; ids and unrelated content are kept."""
    plain = dict(draft)
    return apply_edits(plain, edits_for(instr, plain), Context(long_side))


def plan_from_prompt(
    text: str,
    *,
    source: str | None = None,
    name: str | None = None,
    image_size: tuple[int, int] | None = None,
    long_side: int = DEFAULT_LONG_SIDE,
) -> dict[str, Any]:
    """A full draft for one image (5 s, Ken Burns, its aspect, 30 fps), then ``text`` applied."""
    base = story_draft([Photo(source or "", name or "clip", image_size)], long_side)
    if source is None:
        base["t"][0]["sg"][0]["src"] = None
    return apply_instruction(base, parse_instruction(text), long_side=long_side)
