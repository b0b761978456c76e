"""Which photo a message is aimed at, and what happens to it (read before every other concept).

A story has one video segment per photo; a message names one by its place
("the second photo", "photo 3", "the last one", 第二张, 2枚目, la segunda
foto, la deuxième photo, das zweite Foto) or by its file name ("the beach
photo", "beach.jpg"). The words live in the per-language tables
(``photo_*`` and ``place_*`` concepts, the ``ordinals`` words); this module
only reads them. Mentions of a place are blanked from the working text so a
"2" or a "second" is never read again as a number of seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from nemo_skill.local.grammar.instruction import Target
from nemo_skill.local.grammar.lang import LANGUAGES
from nemo_skill.local.grammar.numerals import cjk_int
from nemo_skill.local.grammar.table import Table

# Words that look like a photo's name in "the X photo" but describe it instead.
NOT_NAMES = frozenset(("new", "this", "that", "these", "same", "other", "whole", "next",
                       "uploaded", "original", "entire", "current", "my", "your", "every",
                       "each", "one", "3d", "full", "complete", "final", "photo", "picture",
                       "image", "video", "clip"))  # fmt: skip
_CJK_DIGITS = "一二两三四五六七八九十"
# A number followed by a unit of any language is an amount ("Foto 5 Sekunden", "foto 3 sec").
_UNIT_AFTER = re.compile(r"\s*(?:s\b|sec|sek|seg|min|ms\b|fps|%|秒|分|帧|フレーム)", re.IGNORECASE)
# The concepts this module reads (they do not vote on the message's language: the
# tuned language detection predates them).
CONCEPTS = ("photo_ordinal", "photo_middle", "photo_number", "photo_pair", "photo_name",
            "photo_each", "photo_fade",
            "photo_remove",
            "photo_move", "photo_swap", "photo_replace", "photo_insert", "photo_new",
            "place_start", "place_end", "place_after", "place_before", "place_at", "place_between",
            "crossfade",
            "fade_through_black", "beat_sync")  # fmt: skip


@dataclass(frozen=True)
class Mention:
    """A photo named in the message: where, and which."""

    start: int
    end: int
    target: Target
    blank: bool  # a place (blanked from the text); a name stays (it may be other words too)


def _phrases(table: Table, name: str) -> tuple[str, ...]:
    found = table.concepts.get(name, ())
    return (found,) if isinstance(found, str) else tuple(found)


@cache
def _pattern(name: str) -> re.Pattern[str]:
    """The union over the six tables of one ``photo_*``/``place_*`` concept."""
    parts = []
    for table in LANGUAGES:
        words = "|".join(re.escape(w) for w in sorted(table.ordinals, key=len, reverse=True))
        for phrase in _phrases(table, name):
            if "{ord}" in phrase and not words:
                continue
            parts.append(phrase.replace("{ord}", words))
    joined = "|".join(f"(?:{p})" for p in parts) or r"(?!x)x"
    # The tables reuse group names across alternatives: number them apart.
    counter = iter(range(10_000))
    joined = re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m.group(1)}_{next(counter)}>", joined)
    return re.compile(joined, re.IGNORECASE)


@cache
def _ordinals() -> dict[str, int]:
    return {w.lower(): v for table in LANGUAGES for w, v in table.ordinals.items()}


def _group(match: re.Match[str], name: str) -> str | None:
    return next(
        (v for k, v in match.groupdict().items() if v is not None and k.rsplit("_", 1)[0] == name),
        None,
    )


def _number(words: str) -> int | None:
    if words.isdigit():
        return int(words)
    return cjk_int(words) if all(c in _CJK_DIGITS for c in words) else None


def mentions(work: str) -> list[Mention]:
    """The photos ``work`` names, in order, without overlaps (places before names)."""
    found: list[Mention] = []
    for concept in ("photo_ordinal", "photo_middle", "photo_number"):
        for m in _pattern(concept).finditer(work):
            word, digits = _group(m, "o"), _group(m, "n")
            place = _ordinals().get(word.lower()) if word else None
            if place is None and digits and not _UNIT_AFTER.match(work, m.end()):
                place = _number(digits) or None  # "photo 0" names none
            if place is not None:
                found.append(Mention(m.start(), m.end(), Target(place=place), blank=True))
    for m in _pattern("photo_pair").finditer(work):  # "swap photos 2 and 3": two places
        for group in ("n", "m"):
            place = _number(_group(m, group) or "") or None
            key = next(k for k, v in m.groupdict().items() if v and k.rsplit("_", 1)[0] == group)
            start, end = (m.start(), m.end(key)) if group == "n" else (m.start(key), m.end())
            if place is not None:
                found.append(Mention(start, end, Target(place=place), blank=True))
    for m in _pattern("photo_name").finditer(work):
        name = (_group(m, "name") or "").strip("-_").lower()
        if name and name not in NOT_NAMES and name not in _ordinals():
            found.append(Mention(m.start(), m.end(), Target(name=name), blank=False))
    kept: list[Mention] = []
    for mention in sorted(found, key=lambda x: (x.start, -x.end)):
        if all(mention.start >= k.end or mention.end <= k.start for k in kept):
            kept.append(mention)
    return kept


def _blank(work: str, start: int, end: int) -> str:
    return work[:start] + " " * (end - start) + work[end:]


def _take(work: str, name: str) -> tuple[str, re.Match[str] | None]:
    match = _pattern(name).search(work)
    if match is None:
        return work, None
    for m in list(_pattern(name).finditer(work)):
        work = _blank(work, m.start(), m.end())
    return work, match


def read_photos(work: str) -> tuple[str, dict[str, Any]]:
    """``(work with places blanked, Instruction fields)`` for the photos ``work`` names."""
    out: dict[str, Any] = {}
    work, black = _take(work, "fade_through_black")
    work, cross = _take(work, "crossfade")
    if black or cross:
        out["transition"] = "fade_black" if black else "crossfade"
    work, beat = _take(work, "beat_sync")
    if beat:
        out["beat_sync"] = True
    work, each = _take(work, "photo_each")
    if each:
        out["each"] = True
    named = mentions(work)
    for mention in named:
        if mention.blank:
            work = _blank(work, mention.start, mention.end)
    if named:
        out["target"] = named[0].target
        if "transition" in out and len(named) > 1:  # "between photo 1 and photo 2": into the 2nd
            out["target"] = named[1].target
    out.update(_operation(work, named, verbless=not (out.get("transition") or beat)))
    if "transition" in out:
        drop_replace(work, out)  # "第二张换成叠化": the cut changes, the photo stays
    return work, out


def drop_replace(work: str, out: dict[str, Any]) -> None:
    """A replace read from a verb ("换成", "change to") with no new photo named is no replace
    when the clause also asks for a transition: "第二张照片换成淡入淡出" changes the cut."""
    if out.get("photo_op") == "replace" and _pattern("photo_new").search(work) is None:
        out.pop("photo_op")


def _place(work: str, after: int) -> dict[str, Any]:
    """Where a photo goes, from the words after position ``after``."""
    tail = work[after:]
    if at := _pattern("place_at").search(tail):
        return {"where": "at", "at": int(_group(at, "n") or 0)}
    hits = [(m.start(), key) for key, name in (("start", "place_start"), ("end", "place_end"))
            if (m := _pattern(name).search(tail))]  # fmt: skip
    return {"where": min(hits)[1]} if hits else {}


def _relative(work: str, named: list[Mention]) -> str | None:
    """``after``/``before`` when such a word comes right before the second mention."""
    if len(named) < 2:
        return None
    lead = work[max(0, named[1].start - 24) : named[1].start]
    for key in ("after", "before"):
        if _pattern(f"place_{key}").search(lead):
            return key
    tail = work[named[1].end : named[1].end + 12]  # ja/zh: the word follows ("2枚目の後に")
    for key in ("after", "before"):
        if _pattern(f"place_{key}").match(tail.lstrip()) or _pattern(f"place_{key}").match(tail):
            return key
    return None


def _operation(work: str, named: list[Mention], verbless: bool = True) -> dict[str, Any]:
    """The operation on the named photo (remove, move, swap, replace, insert), if any.

    With ``verbless``, a place alone moves the photo ("la photo 3 en premier"); it is off
    when the clause is about a cut ("crossfade into photo 2 at the start").
    """

    def has(concept: str) -> bool:
        return _pattern(concept).search(work) is not None

    new = has("photo_new")
    if not named:
        if new and has("photo_replace"):  # "use this photo instead": the only photo, or ask
            return {"photo_op": "replace"}
        place = _place(work, 0)  # "das neue Foto an den Anfang", 把新照片放在最前面
        if new and (has("photo_insert") or has("photo_move") or place):
            return {"photo_op": "insert", **(place or {"where": "end"})}
        return {}
    first, second = named[0], named[1] if len(named) > 1 else None
    if has("photo_swap") and second is not None:
        return {"photo_op": "swap", "other": second.target}
    if has("photo_replace") and (new or second is None):
        return {"photo_op": "replace"}
    if new and (has("photo_insert") or has("photo_move")):  # 把这张照片放在第二个位置
        if second is not None and has("place_between"):  # "between the first and the second"
            return {"photo_op": "insert", "where": "after"}
        if side := _side_of(work, first):
            return {"photo_op": "insert", "where": side}
        return {"photo_op": "insert", **(_place(work, 0) or _as_place(first))}
    relative = _relative(work, named)
    if second is not None and relative and has("photo_move"):
        return {"photo_op": "move", "where": relative, "other": second.target}
    place = _place(work, first.end)
    if place and (has("photo_move") or has("photo_insert") or verbless):  # "Foto 3 als erstes"
        return {"photo_op": "move", **place}
    if second is not None and has("photo_move") and second.target.place:
        return {"photo_op": "move", "where": "at", "at": second.target.place}
    if has("photo_remove"):
        return {"photo_op": "remove"}
    return {}


def _as_place(mention: Mention) -> dict[str, Any]:
    """A new photo put "as the 2nd one" (2番目に入れて, 第二个位置) goes to that place."""
    place = mention.target.place
    return {"where": "at", "at": place} if place and place > 0 else {"where": "end"}


def _side_of(work: str, mention: Mention) -> str | None:
    """``after``/``before`` written just before or just after ``mention``."""
    return _relative(work, [Mention(0, 0, Target(), False), mention])
