"""The edit model: an :class:`Edit` owns its apply, its tool call, its summary and its replies.

A message becomes a list of edits (:func:`nemo_skill.local.edits.adapter.edits_for`),
each aimed at a :class:`~nemo_skill.local.grammar.Target` (one photo) or at the
whole clip. Adding a kind of edit is a class here (its module under
:mod:`nemo_skill.local.edits`), its phrase rows in the grammar tables and its
tests; the agent only runs edits and joins what they report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

DEFAULT_LONG_SIDE = 1920
Stage = Literal["video", "extras"]


class EditError(Exception):
    """An edit that cannot be made as asked (a number out of range, no such photo).

    ``key`` names the reply (:mod:`nemo_skill.local.grammar.replies`, ``r_*``) and
    ``fields`` fill it; the agent asks the user instead, for free, and changes nothing.
    """

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


@dataclass(frozen=True)
class Photo:
    """A newly uploaded photo an edit may place on the timeline."""

    src: str
    name: str
    size: tuple[int, int] | None = None


@dataclass(frozen=True)
class Context:
    """What edits may use besides the draft: the message's new photos and the frame size."""

    long_side: int = DEFAULT_LONG_SIDE
    photos: tuple[Photo, ...] = ()


@dataclass(frozen=True)
class Call:
    """A tool call an edit reports (its ADK name and arguments)."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


class Edit:
    """One change to a draft.

    ``apply`` edits the working copy it is given (the caller's deep copy) and
    returns it; ``ops`` are its fields of the agent's ``edit_multitrack`` call
    (``own_ops``: separate ops in it) and ``calls`` its own tool calls;
    ``summary`` says what it did, one phrase per change, in the reply's
    language, read from the drafts before and after this edit.
    ``stage`` ``video`` edits run in the first step of a generation (the video),
    ``extras`` in the second (music, text, beat).
    """

    stage: ClassVar[Stage] = "video"

    def apply(self, draft: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """The draft with this edit made (``draft`` is a working copy, edited in place)."""
        raise NotImplementedError

    def ops(self) -> dict[str, Any]:
        """This edit's fields of the ``edit_multitrack`` call (empty: none)."""
        return {}

    def own_ops(self) -> list[dict[str, Any]]:
        """Ops of their own in the ``edit_multitrack`` call (one per text restyled)."""
        return []

    def calls(self, draft: dict[str, Any]) -> list[Call]:
        """This edit's own tool calls (``add_bgm``, ``add_text``, ``remove_track``...)."""
        return []

    def summary(self, before: dict[str, Any], after: dict[str, Any], lang: str) -> list[str]:
        """What changed, as reply phrases (``before``/``after``: the draft this edit was
        given and the one it left; the last edit's ``after`` is the turn's result)."""
        return []
