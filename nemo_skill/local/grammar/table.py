"""The shape of one language's phrase table (data only; :mod:`.interpret` reads it).

A table maps each *concept* of the edit grammar ("zoom_in", "longer",
"music_noun", ...) to regular-expression alternatives written for text that
is NFKC-normalised and lower-cased. Tables hold no logic: adding a language
is adding a module under :mod:`nemo_skill.local.grammar.lang` with a
:class:`Table` named ``TABLE`` and listing it in ``LANGUAGES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    """One language: concept phrases, number words, colour words and ordinal words."""

    code: str
    concepts: Mapping[str, str | tuple[str, ...]]  # a lone string is one alternative
    numbers: Mapping[str, float] = field(default_factory=dict)
    colors: Mapping[str, str] = field(default_factory=dict)
    # Ordinal words naming a photo's place ("second" 2, "last" -1); ``{ord}`` in a
    # ``photo_ordinal`` pattern stands for them.
    ordinals: Mapping[str, int] = field(default_factory=dict)
