"""Per-language phrase tables of the edit grammar, one module per language."""

from __future__ import annotations

from nemo_skill.local.grammar.lang import de, en, es, fr, ja, zh

LANGUAGES = (en.TABLE, zh.TABLE, es.TABLE, fr.TABLE, de.TABLE, ja.TABLE)
CODES = tuple(t.code for t in LANGUAGES)
