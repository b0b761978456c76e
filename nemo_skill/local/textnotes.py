"""Titles and captions that will not show as written, as sentences for the user.

The engine measures (:func:`nemo_skill.local.engine.text.text_notes`: a character
no font draws, a text too long for its frame); this module reads a whole draft
and words each note in the session's language (rows ``n_*``/``r_*`` of the reply
table). The agent's reply, the claim page and ``nemo-skill animate`` use it.
"""

from __future__ import annotations

from typing import Any

from nemo_skill.draft import TOLERANT, TrackType, segments
from nemo_skill.local.engine import text as engine_text
from nemo_skill.local.engine.text import TextNote
from nemo_skill.local.grammar.replies import say


def draft_notes(draft: Any) -> list[TextNote]:
    """What of the draft's titles and captions will not show as written on its frame."""
    meta = draft.get("m") if isinstance(draft, dict) else None
    width = TOLERANT.number(meta, "width", 0) if isinstance(meta, dict) else 0
    height = TOLERANT.number(meta, "height", 0) if isinstance(meta, dict) else 0
    if width <= 0 or height <= 0:
        return []
    size = (int(width), int(height))
    texts = [placed.segment for placed in segments(draft, TrackType.TEXT)]
    return [note for seg in texts for note in engine_text.text_notes(seg, size)]


def say_note(note: TextNote, lang: str) -> str:
    """``note`` as a sentence in ``lang`` (English when it is not one of the six)."""
    role = say(lang, "r_caption" if note.role in ("caption", "subtitle") else "r_title")
    key = {"emoji_dropped": "n_emoji", "chars_dropped": "n_chars"}.get(note.kind, "n_long")
    return say(lang, key, role=role, text=note.text, chars=" ".join(note.detail))
