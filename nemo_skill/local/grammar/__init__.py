"""The edit grammar of the embedded agent: six languages, data-driven, no model.

:func:`read` turns a message into a :class:`Reading` (an edit and its
:class:`Instruction`, a question, small talk, or unclear); the words live in
one table module per language under :mod:`.lang`, the logic in
:mod:`.interpret` (and :mod:`.targets`: which photo a clause names), reply
texts in :mod:`.replies`.
"""

from __future__ import annotations

from nemo_skill.local.grammar.instruction import Act, Instruction, Reading, Target, TextStyle
from nemo_skill.local.grammar.interpret import music_styles, parse, read

__all__ = ["Act", "Instruction", "Reading", "Target", "TextStyle", "music_styles", "parse", "read"]
