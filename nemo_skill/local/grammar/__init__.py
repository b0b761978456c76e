"""The edit grammar of the embedded agent: six languages, data-driven, no model.

:func:`read` turns a message into a :class:`Reading` (an edit and its
:class:`Instruction`, a question, small talk, or unclear); the words live in
one table module per language under :mod:`.lang`, the logic in
:mod:`.interpret` (and :mod:`.targets`: which photo a clause names), reply
texts in :mod:`.replies`.
"""

from __future__ import annotations

from nemo_skill.local.grammar.instruction import Act, Instruction, Reading, Target, TextStyle

# :mod:`.interpret` (six language tables, ~350 patterns compiled on first use) loads on the
# first call: `animate photo.jpg --motion ...` (no prompt) and the engine never need it.


def read(message: str, prefer: str | None = None) -> Reading:
    """How ``message`` reads (see :func:`.interpret.read`)."""
    from nemo_skill.local.grammar import interpret

    return interpret.read(message, prefer)


def parse(message: str) -> Instruction:
    """The edits ``message`` asks for, whatever its act (see :func:`.interpret.parse`)."""
    from nemo_skill.local.grammar import interpret

    return interpret.parse(message)


def music_styles() -> tuple[str, ...]:
    """The engine's music styles (see :func:`.interpret.music_styles`)."""
    from nemo_skill.local.grammar import interpret

    return interpret.music_styles()


__all__ = ["Act", "Instruction", "Reading", "Target", "TextStyle", "music_styles", "parse", "read"]
