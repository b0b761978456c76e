"""The interpreter of the edit grammar: one message → :class:`Reading`.

Pure and data-driven: every word it knows comes from the per-language tables
in :mod:`nemo_skill.local.grammar.lang`; the union of all six is matched, so
mixed messages ("mets la musique lo-fi", "做成TikTok") work too. Steps:

1. NFKC (full-width digits, letters and quote marks become ASCII), lower case.
2. Quoted text (every kind of quote mark) is lifted out: it is content for a
   title or caption, never a command.
3. Number words next to a unit become digits ("five seconds", "cinco
   segundos", 五秒, "d'une seconde").
4. Concepts are matched in a fixed order; a concept that wins a span blanks
   it, so "dolly zoom" is not also a zoom and "too fast" is not also "fast".
5. The act is decided: a question (interrogative, not a polite request) or
   small talk changes nothing; a message with no edit is ``unclear``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any

from nemo_skill.local.grammar.instruction import Instruction, Reading, TextStyle
from nemo_skill.local.grammar.lang import LANGUAGES
from nemo_skill.local.grammar.numerals import cjk_int as _cjk_int
from nemo_skill.local.grammar.table import Table
from nemo_skill.local.grammar.targets import CONCEPTS as PHOTO_CONCEPTS
from nemo_skill.local.grammar.targets import drop_replace, mentions, read_photos

ASPECTS = ("16:9", "9:16", "1:1", "4:5", "4:3")
FPS_VALUES = (24, 25, 30, 60)
MIN_FPS, MAX_FPS = 12, 120  # rates read as the nearest of FPS_VALUES; beyond, the user is asked
MIN_CLIP_S, MAX_CLIP_S = 1.0, 60.0
DURATION_STEP_S = 2.0  # "longer"/"shorter" without a number
SPEED_UP, SLOW_DOWN = 2.0, 0.5
VOLUME_STEP = 0.15
TEXT_BIGGER, TEXT_SMALLER = 1.25, 0.8
MUSIC_FADE_MS = 2000
# Edit requests are short; a longer text is a description whose head is read. The bound
# keeps a turn's reading time small whatever is sent (matching grows with the length).
MAX_CHARS = 800
VIDEO_FADE_MS = 1000
MOTION_ORDER = ("dolly", "orbit", "parallax", "zoom_out", "zoom_in", "pan_left", "pan_right",
                "pan_up", "pan_down", "kenburns", "static", "breathe", "sideways")  # fmt: skip
STYLE_CONCEPTS = {"lo-fi": "lofi", "upbeat": "upbeat", "calm": "calm", "cinematic": "cinematic"}

# Quote pairs; a straight single quote only counts at a word edge (not "it's", "d'été").
_QUOTES = re.compile(
    r"\"([^\"\n]{1,200})\"|“([^”\n]{1,200})[”“]|‘([^’'\n]{1,200})['’]|«\s?([^»\n]{1,200}?)\s?»"
    r"|„([^“”\n]{1,200})[“”]|「([^」\n]{1,200})」|『([^』\n]{1,200})』|‹([^›\n]{1,200})›"
    r"|(?<![A-Za-zÀ-ÿ0-9])'([^'\n]{1,200})'(?![A-Za-zÀ-ÿ0-9])"
)
_CLAUSE_END = r"(?=\s*(?:[,.;!?。！？，、\n]|$|\s(?:and|then|et|puis|y|luego|und|dann)\s))"
_CJK_NUM = "零〇一二两兩三四五六七八九十百"


@cache
def music_styles() -> tuple[str, ...]:
    """The engine's music styles (the one list lives in :mod:`..engine.audio`)."""
    from nemo_skill.local.engine.audio import STYLES

    return tuple(STYLES)


def _tables() -> tuple[Table, ...]:
    return LANGUAGES


def _phrases(table: Table, name: str) -> tuple[str, ...]:
    """A concept's alternatives (a lone string in a table counts as one alternative)."""
    found = table.concepts.get(name, ())
    return (found,) if isinstance(found, str) else tuple(found)


@cache
def _concept(name: str) -> re.Pattern[str]:
    parts = [p for table in _tables() for p in _phrases(table, name)]
    return re.compile("|".join(f"(?:{p})" for p in parts) or r"(?!x)x", re.IGNORECASE)


@cache
def _language_patterns(code: str) -> tuple[re.Pattern[str], ...]:
    """One pattern per concept of language ``code`` (brand names and units excluded)."""
    table = next(t for t in _tables() if t.code == code)
    out = []
    for name in table.concepts:
        parts = _phrases(table, name)
        if parts and name not in _NEUTRAL_CONCEPTS and name not in PHOTO_CONCEPTS:
            out.append(re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE))
    return tuple(out)


def _lower(text: str) -> str:
    """Lower case without changing the length (index-aligned with ``text``)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@cache
def _units() -> str:
    """Time units, milliseconds first ("500ms" is not 500 s)."""
    names = ("millis", "seconds", "minutes")
    return "|".join(f"(?:{p})" for n in names for t in _tables() for p in _phrases(t, n))


@cache
def _number_words() -> re.Pattern[str]:
    words = sorted({w for t in _tables() for w in t.numbers}, key=len, reverse=True)
    between = (
        r"(?:\s+(?:more|extra|additional|de\s+plus|más|weitere|zusätzliche|mehr)\s+|\s*-\s*|\s+)"
    )
    return re.compile(
        r"(?<![\w])("
        + "|".join(re.escape(w) for w in words)
        + r")(?="
        + between
        + r"(?:"
        + _units()
        + r")|(?P<times>\s+(?:"
        + _concept("times_word").pattern
        + ")))",
        re.IGNORECASE,
    )


def _numbers_as_digits(text: str) -> str:
    values = {w: v for t in _tables() for w, v in t.numbers.items()}

    def digits(m: re.Match[str]) -> str:
        value = values[m.group(1).lower()]
        # "deux fois plus vite" is an amount, "encore une fois" (once more) is not
        return m.group(1) if m.group("times") is not None and value < 2 else f"{value:g}"

    text = _number_words().sub(digits, text)
    text = re.sub(  # 百分之三十 → 30%
        f"百分之([{_CJK_NUM}]+)", lambda m: f"{_cjk_int(m.group(1)) or 0}%", text
    )
    return re.sub(
        f"([{_CJK_NUM}]+)(?=\\s*(?:秒|分|帧|フレーム|コマ|倍|fps|毫秒|ミリ秒))",
        lambda m: str(_cjk_int(m.group(1)) if _cjk_int(m.group(1)) is not None else m.group(1)),
        text,
    )


class _Text:
    """The message being read: original case, lower case, and spans already used."""

    def __init__(self, raw: str) -> None:
        self.raw = unicodedata.normalize("NFKC", raw).replace("\u2019", "'") if raw else ""
        self.raw = self.raw.replace("＂", '"')
        self.quotes: list[tuple[int, int, str]] = []
        for match in _QUOTES.finditer(self.raw):
            inner = next(g for g in match.groups() if g is not None).strip()
            if inner:
                self.quotes.append((match.start(), match.end(), inner))
        low = _lower(self.raw)
        for start, end, _ in self.quotes:
            low = low[:start] + " " * (end - start) + low[end:]
        self.low = low  # quoted text blanked, same indexes as raw
        self.work = _numbers_as_digits(low)  # spans blanked here as concepts win them
        self.paced: list[tuple[int, int]] = []  # where a change of speed was read

    def find(self, name: str) -> re.Match[str] | None:
        return _concept(name).search(self.work)

    def has(self, name: str) -> bool:
        return self.find(name) is not None

    def take(self, name: str) -> re.Match[str] | None:
        """Match ``name`` and blank every match so later concepts cannot reuse the words."""
        matches = [m for m in _concept(name).finditer(self.work) if m.end() > m.start()]
        if not matches:
            return None
        for m in matches:
            self.work = self.work[: m.start()] + " " * (m.end() - m.start()) + self.work[m.end() :]
        return matches[0]

    def all(self, name: str) -> Iterator[re.Match[str]]:
        return (m for m in _concept(name).finditer(self.work) if m.end() > m.start())

    def take_all(self, name: str) -> list[re.Match[str]]:
        """Every match of ``name``, each blanked (:meth:`take` returns only the first)."""
        matches = [m for m in _concept(name).finditer(self.work) if m.end() > m.start()]
        for m in matches:
            self.blank(m.start(), m.end())
        return matches

    def within(self, name: str, span: tuple[int, int]) -> re.Match[str] | None:
        """The first match of ``name`` inside ``span`` (a clause)."""
        match = _concept(name).search(self.work, *span)
        return match if match and match.end() > match.start() else None

    def blank(self, start: int, end: int) -> None:
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]


def _language(text: _Text, prefer: str | None = None) -> str | None:
    """The message's language: kana → ja, Han → zh, else the table with most hits.

    The stopword detector of :mod:`nemo_skill.intents` adds a vote for its language.
    """
    if re.search(r"[\u3040-\u30ff]", text.raw):
        return "ja"
    if re.search(r"[\u4e00-\u9fff]", text.raw):
        return "zh"
    from nemo_skill.intents import detect_language

    vote = detect_language(text.raw)
    scores: dict[str, float] = {}
    for table in _tables():
        if table.code in ("zh", "ja"):
            continue
        hits = 1.5 if vote == table.code and vote != "en" else 0.0
        hits += 2.0 if prefer == table.code else 0.0
        scores[table.code] = hits + sum(
            len(p.findall(text.low)) for p in _language_patterns(table.code)
        )
    best = max(scores, key=lambda c: scores[c]) if scores else None
    return best if best and scores[best] > 0 else None


_NEUTRAL_CONCEPTS = ("text_capture", "text_cue", "millis", "seconds", "minutes", "dur_to",
                     "platform_916", "platform_169", "platform_45", "fps_unit",
                     "times_unit")  # fmt: skip


# not "1.5", "1,5", nor the dot of a unit ("3 Sek. kürzer", "2 sec. more")
_CLAUSE_MARK = (
    r"(?<!\d)(?<!\bsek)(?<!\bsec)(?<!\bseg)(?<!\bmin)(?<!\bnr)[.,]|[.,](?!\d)(?<!\bsek\.)"
    r"(?<!\bsec\.)(?<!\bseg\.)(?<!\bmin\.)(?<!\bnr\.)|[;!?。！？，、；\n]"
)


def _clauses(text: _Text) -> list[tuple[int, int]]:
    """The message cut at punctuation and connectives ("and", "then", 然后, それから...).

    Spans index :attr:`_Text.work`; a message of several edits is read clause by clause
    where it matters (which text a style belongs to, what "twice" or "50%" applies to).
    """
    return _cut(text.work)


@lru_cache(maxsize=64)
def _cut(work: str) -> list[tuple[int, int]]:
    cuts = [(m.start(), m.end()) for m in re.finditer(_CLAUSE_MARK, work)]
    cuts += [(m.start(), m.end()) for m in _concept("joint").finditer(work) if m.end() > m.start()]
    spans, start = [], 0
    for lo, hi in sorted(cuts):
        if lo >= start:
            spans.append((start, lo))
            start = hi
    spans.append((start, len(work)))
    return [(a, b) for a, b in spans if work[a:b].strip()]


def _clause_of(text: _Text, position: int) -> tuple[int, int]:
    return next(((a, b) for a, b in _clauses(text) if a <= position < b), (0, len(text.work)))


_PERCENT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[.,]\d+)?)\s*(?:%|percent|pour\s*cent|por\s*ciento|prozent|パーセント)",
    re.IGNORECASE,
)
_SPEED_WORDS = ("faster", "slower", "fast_dir", "slow_dir", "speed_noun")
_LENGTH_WORDS = ("longer", "shorter", "long_dir", "short_dir", "length_noun")
_OTHER_TOPICS = ("music_noun", "volume_noun", "louder", "quieter", "title_noun", "caption_noun",
                 "text_noun", "bigger", "smaller")  # fmt: skip


@cache
def _times() -> re.Pattern[str]:
    """A number and a multiplier unit: "2x", "three times", "1,5-fach", 两倍, 2倍."""
    return re.compile(
        rf"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*-?\s*(?:{_concept('times_unit').pattern}|"
        rf"{_concept('times_word').pattern})(?![\d])|(?<![\w])[x×]\s?(\d+(?:[.,]\d+)?)(?![\d:])",
        re.IGNORECASE,
    )


def _factors(text: _Text, out: dict[str, Any]) -> None:
    """Multiplying amounts of time and speed, clause by clause (docs/draft.md).

    "half as long", "cut it in half" → ``duration_scale`` 0.5; "twice as fast" → ``speed``
    2.0; "50% slower" → ``speed`` 0.5; "20% longer" → ``duration_scale`` 1.2; "1.5x speed",
    1.5倍速 → ``speed_to`` 1.5 (an explicit rate); "normal speed" → ``speed_to`` 1.0.
    """
    if text.take("normal_speed"):
        out["speed_to"] = 1.0
    for span in _clauses(text):
        _clause_factor(text, out, span)


def _clause_factor(text: _Text, out: dict[str, Any], span: tuple[int, int]) -> None:
    """One clause's amount: which field it changes (speed or length), by how much or to what."""
    amount = _amount(text, span)
    if amount is None:
        return
    kind, value, where = amount
    on_speed = _about_speed(text, span, kind, where)
    if on_speed is None:
        return
    grow = _grows(text, span, on_speed)
    less = text.within("factor_less", span) is not None  # "deux fois moins long"
    if kind == "percent" and _percent_is_rate(text, span, where, grow, on_speed):
        out["speed_to" if on_speed else "duration_scale"] = value  # "at 50% speed", 速度调到150%
        _spend(text, span)
        return
    if kind == "percent":
        if grow is None:
            return
        value = 1 + value if grow else max(0.05, 1 - value)
    elif kind in ("times", "rate") and grow is None and not less:
        # an explicit rate ("1.5x speed", 2倍速) or length ("长度变成原来的两倍")
        out["speed_to" if on_speed else "duration_scale"] = value
        _spend(text, span)
        return
    else:
        if kind in ("times", "rate") and value == 1:
            value = 2.0  # 快一倍: "faster by one times" is twice as fast
        if kind != "half" and (grow is False or less):
            value = 1 / value
    out["speed" if on_speed else "duration_scale"] = round(value, 4)
    _spend(text, span)


def _percent_is_rate(
    text: _Text, span: tuple[int, int], where: int, grow: bool | None, on_speed: bool
) -> bool:
    """A percent that is the new value: after "to"/"at"/到/auf, before に, or "speed 150%"."""
    before = text.work[span[0] : where]
    after = text.work[where : span[1]]
    to = bool(_concept("dur_target").search(before)) or bool(re.search(r"%\s*に", after))
    return to or (grow is None and on_speed)


def _amount(text: _Text, span: tuple[int, int]) -> tuple[str, float, int] | None:
    """``(kind, value, position)`` of a clause's multiplier: rate ("2x"), times ("three
    times", 两倍), multiple ("double", "triple"), half or percent."""
    if numeric := _times().search(text.work, *span):
        value = float((numeric.group(1) or numeric.group(2)).replace(",", "."))
        kind = "rate" if re.search("[x×]", numeric.group(0), re.IGNORECASE) else "times"
        return (kind, value, numeric.start()) if 0 < value <= 10 else None
    if half := text.within("factor_half", span):
        return "half", 0.5, half.start()
    if double := text.within("factor_double", span):
        return "multiple", 2.0, double.start()
    if triple := text.within("factor_triple", span):
        return "multiple", 3.0, triple.start()
    if percent := _PERCENT.search(text.work, *span):
        return "percent", float(percent.group(1).replace(",", ".")) / 100, percent.start()
    return None


def _about_speed(text: _Text, span: tuple[int, int], kind: str, where: int) -> bool | None:
    """True when a clause's amount is about speed, False about length, None about neither."""
    speed = [m.start() for n in _SPEED_WORDS if (m := text.within(n, span))]
    length = [m.start() for n in _LENGTH_WORDS if (m := text.within(n, span))]
    if not (speed or length):
        if any(text.within(n, span) for n in _OTHER_TOPICS):
            return None  # "twice as big", "music at 50%": not time or speed
        if kind == "times":
            return None  # "encore une fois" (once more) is no amount of anything
        return kind == "rate"  # a bare "2x" is a rate; "double it", "cut it in half" a length
    if speed and length:  # the words nearest the amount decide
        return min(abs(p - where) for p in speed) <= min(abs(p - where) for p in length)
    return bool(speed)


def _grows(text: _Text, span: tuple[int, int], on_speed: bool) -> bool | None:
    """True for faster/longer, False for slower/shorter, None when the clause says neither."""
    up, down, up_word, down_word = (
        ("faster", "slower", "fast_dir", "slow_dir")
        if on_speed
        else ("longer", "shorter", "long_dir", "short_dir")
    )
    if text.within(up, span) and not text.within(down, span):
        return True
    if text.within(down, span) and not text.within(up, span):
        return False
    if text.within(up_word, span) and not text.within(down_word, span):
        return True
    if text.within(down_word, span) and not text.within(up_word, span):
        return False
    return None


def _spend(text: _Text, span: tuple[int, int]) -> None:
    """Blank a clause's amount and time/speed words so later steps do not read them again."""
    names = (*_SPEED_WORDS, *_LENGTH_WORDS, "factor_double", "factor_triple", "factor_half",
             "factor_less", "fast_adj", "slow_adj")  # fmt: skip
    for name in names:
        for m in list(_concept(name).finditer(text.work, *span)):
            text.blank(m.start(), m.end())
    for pattern in (_times(), _PERCENT):
        for m in list(pattern.finditer(text.work, *span)):
            text.blank(m.start(), m.end())
    text.paced.append(span)


_RELATIVE_AFTER = re.compile(
    r"\s*(?:more|extra|de\s+plus|más|mehr|länger|kürzer|fewer|less|de\s+moins|menos|weniger)\b"
)


_Signed = tuple[re.Match[str], int]  # a longer (+1) or shorter (-1) phrase


def _duration(text: _Text, out: dict[str, Any]) -> None:
    verbs = [(m, 1) for m in text.take_all("longer")] + [(m, -1) for m in text.take_all("shorter")]
    unit = f"(?:{_units()})"
    between = (
        r"(?:\s+(?:more|extra|additional|fewer|less|de\s+plus|de\s+moins|más|menos|mehr|"
        r"weitere|weniger))?"
    )
    number = re.compile(r"(\d+(?:[.,]\d+)?)" + between + r"\s*-?\s*(" + unit + ")", re.IGNORECASE)
    for match in number.finditer(text.work):
        value = float(match.group(1).replace(",", "."))
        if _concept("minutes").fullmatch(match.group(2).strip()):
            value *= 60
        elif _concept("millis").fullmatch(match.group(2).strip()):
            value /= 1000
        lo, hi = _clause_of(text, match.start())
        before = text.work[max(lo, match.start() - 30) : match.start()]
        after = text.work[match.start() + len(match.group(1)) : min(hi, match.end() + 30)]
        if _concept("fps_unit").match(after.strip()):
            continue
        near = [(m, sign) for m, sign in verbs if lo <= m.start() < hi]
        delta = _delta_sign(text, match, before, after, near)
        if delta:
            out["duration_delta_s"] = delta * value
        elif (
            minus := _negative(text.work, match.start())
        ) or not MIN_CLIP_S <= value <= MAX_CLIP_S:
            # "0 seconds", "-5 seconds", "2 minutes": asked back with the range, never clamped
            out["out_of_range"] = ("duration", -value if minus else value)
        else:
            out["duration_s"] = value
        return
    signs = {sign for _, sign in verbs}
    if len(signs) == 1 and "duration_scale" not in out:  # "shorter, about half" is the half
        out["duration_delta_s"] = DURATION_STEP_S * signs.pop()


def _delta_sign(
    text: _Text, match: re.Match[str], before: str, after: str, verbs: list[_Signed]
) -> int:
    """+1/-1 when the number is an amount to add or cut ("3 seconds shorter"), 0 for a length.

    A longer/shorter verb in the number's clause decides, unless a "to" word comes right
    before the number ("shorten it to 3 seconds", 缩短到3秒, "auf 3 Sekunden kürzen").
    """
    to_target = bool(_concept("dur_target").search(before)) or bool(
        re.match(r"\s*(?:に|へ)(?!延|伸|長|短)", text.work[match.end() :])
    )
    signs = {sign for _, sign in verbs}
    if len(signs) == 1:
        return 0 if to_target else signs.pop()
    if sign := re.search(r"(?:^|\s)([+\-−])$", before):  # "+2s", "-1 s" (not "vertical - 8 s")
        if sign.group(1) != "+" and _concept("dur_to").search(before[: sign.start()]):
            return 0  # "make it -5 seconds" asks for a negative length: asked back, not cut
        return 1 if sign.group(1) == "+" else -1
    relative_word = bool(
        re.match(
            r"\s+(?:more|extra|fewer|less|de\s+plus|de\s+moins|más|menos|mehr|weniger)\b",
            text.work[match.start() + len(match.group(1)) :],
        )
    )
    absolute = (
        not relative_word
        and not _RELATIVE_AFTER.match(text.work, match.end())
        and bool(_concept("dur_to").search(before))
    ) or to_target
    # apart: a word anchored at the number's left ("another 2 seconds") ends ``before``
    more = _concept("dur_more").search(before) or _concept("dur_more").search(after)
    less = _concept("dur_less").search(before) or _concept("dur_less").search(after)
    if absolute or bool(more) == bool(less):
        return 0
    return 1 if more else -1


def _negative(work: str, start: int) -> bool:
    """A minus sign written right before a number ("-5 seconds", not "3-5")."""
    return bool(re.search(r"(?:^|[^\w.])[-−–]\s*$", work[max(0, start - 3) : start]))


def _aspect(text: _Text, out: dict[str, Any]) -> None:
    for match in re.finditer(
        r"(?<!\d)(?<!\d\.)(\d{1,2})\s*(?:[:x/×比对]|\s+by\s+|\s+zu\s+|\s+a\s+)\s*(\d{1,2})(?!\d|\.\d)",
        text.work,
    ):
        ratio = f"{match.group(1)}:{match.group(2)}"
        if ratio in ASPECTS:
            out["aspect"] = ratio
            text.work = (
                text.work[: match.start()]
                + " " * (match.end() - match.start())
                + text.work[match.end() :]
            )
            return
    order = (("original_aspect", "original"), ("square", "1:1"), ("portrait", "9:16"),
             ("landscape", "16:9"), ("platform_916", "9:16"), ("platform_169", "16:9"),
             ("platform_45", "4:5"))  # fmt: skip
    for name, value in order:
        if text.take(name):
            out.setdefault("aspect", value)


def _motion(text: _Text, out: dict[str, Any], text_context: bool, complaint: bool) -> None:
    """The camera move asked for; the most specific one wins ("dolly zoom" over "zoom")."""
    camera = text.has("camera")
    found: list[str] = []
    for name in MOTION_ORDER:
        if name == "sideways" and text_context and not camera:
            continue
        if (
            name in ("pan_up", "pan_down")
            and text_context
            and not camera
            and not re.search(
                r"tilt|pan|crane|schwenk|incline|inclina|俯仰|摇|チルト|パン", text.work
            )
        ):
            continue  # "move the title up" moves the title, not the camera
        match = text.find(name)
        if match and text_context and _is_size_word(match.group(0)):
            continue  # "标题文字放大": the text grows, the camera does not zoom
        if match and _current_move(text, match):
            continue  # "speed the pan up", "acelera el paneo": the move there is, faster
        if text.take(name):
            found.append(name)
    if not found and text.take("zoom_bare"):
        found.append("zoom_in")
    # "this zoom is sluggish" names the current move: a complaint about the pace keeps it.
    if found and not complaint:
        out["motion"] = {"static": "none", "sideways": "pan_right"}.get(found[0], found[0])


_NAMED_MOVE = re.compile(
    r"\b(?:the|this|that|its|el|ese|este|su|le|ce|cette|son|la|den|der|die|das|dem|diesen)\s+$"
)


def _current_move(text: _Text, match: re.Match[str]) -> bool:
    """A move named as the thing whose speed changes, in its clause: the draft's own move."""
    lo, hi = _clause_of(text, match.start())
    if not any(lo <= start < hi for start, _ in text.paced):
        return False
    named = _NAMED_MOVE.search(text.work, max(0, match.start() - 12), match.start())
    return named is not None or bool(re.match(r"\s*(?:を|が|は)", text.work[match.end() :]))


def _is_size_word(words: str) -> bool:
    return any(_concept(n).fullmatch(words.strip()) for n in ("bigger", "smaller"))


def _speed(text: _Text, out: dict[str, Any]) -> bool:
    """Set ``speed``; True when the message complains about the pace ("too slow", "it drags")."""
    complains = text.has("complaint")
    slower, faster = text.take("slower"), text.take("faster")
    text.paced += [(m.start(), m.end()) for m in (slower, faster) if m]
    if "speed" in out or "speed_to" in out:  # an amount ("quicker, like 1.25x") said how much
        return complains
    if slower and not faster:
        out["speed"] = SLOW_DOWN
    elif faster and not slower:
        out["speed"] = SPEED_UP
    moving = text.has("camera") or any(text.has(m) for m in (*MOTION_ORDER, "zoom_bare"))
    if "speed" in out or (text.has("music_noun") and not moving):
        return "speed" in out and complains
    slow, fast = text.take("slow_adj"), text.take("fast_adj")
    if slow and not fast:
        out["speed"] = SLOW_DOWN
    elif fast and not slow:
        out["speed"] = SPEED_UP
    return False


def _near(text: _Text, verbs: str, nouns: str, reach: int = 28) -> bool:
    """True when a ``verbs`` match and a ``nouns`` match share a clause, ``reach`` chars apart."""
    for verb in text.all(verbs):
        for noun in text.all(nouns):
            lo, hi = (
                sorted((verb.end(), noun.start()))
                if verb.start() < noun.start()
                else sorted((noun.end(), verb.start()))
            )
            gap = text.work[lo:hi]
            if hi - lo <= reach and not re.search(
                r"[,;.!?。！？，、]|\b(?:and|but|then|et|y|und|pero|mais|aber)\b", gap
            ):
                return True
    return False


def _style(text: _Text, music: bool) -> str | None:
    """The music style named: a genre anywhere, a mood word unless its clause is about a text.

    ("le titre plus grand et la musique plus forte": "grand" is the title's size;
    "add some music, something epic": "epic" is the music's.)
    """
    found: list[tuple[int, str]] = []
    for style in music_styles():
        key = STYLE_CONCEPTS.get(style, style.replace("-", ""))
        if match := text.find(f"{key}_genre"):
            found.append((match.start(), style))
        if not music:
            continue
        for match in text.all(f"{key}_mood"):
            if not _about_text(text, _clause_of(text, match.start())):
                found.append((match.start(), style))
    return min(found)[1] if found else None


def _about_text(text: _Text, span: tuple[int, int]) -> bool:
    """True when a clause speaks of a title or caption and not of the music."""
    if text.within("music_noun", span) or text.within("background", span):
        return False
    return any(text.within(n, span) for n in (*_TEXT_NOUNS, "bigger", "smaller"))


def _text_context(text: _Text) -> bool:
    return text.has("title_noun") or text.has("caption_noun") or text.has("text_noun")


def _level(text: _Text, name: str, noun: bool) -> re.Match[str] | None:
    """A louder/quieter phrase, unless it speaks of a text ("标题大一点" grows the title).

    Without a music noun, a level word counts only in a clause that names no text
    ("タイトルを大きく、音量も上げて": the second clause is the volume's).
    """
    for match in text.all(name):
        span = _clause_of(text, match.start())
        if noun or not any(text.within(n, span) for n, _ in _TEXT_ROLES):
            text.blank(match.start(), match.end())
            return match
    return None


def _music(text: _Text, out: dict[str, Any]) -> bool:
    noun = text.has("music_noun")
    background = text.has("background")
    # The level words first: "zu leise" (too quiet) is about the volume, not a "quiet"
    # style, and "no se oye la música" (can't hear it) does not remove it.
    louder, quieter = _level(text, "louder", noun), _level(text, "quieter", noun)
    if _near(text, "remove", "music_noun") or text.take("mute"):
        out["remove_music"] = True
        return True
    style = _style(text, noun or background)
    volume = None
    percent = re.search(
        r"(\d{1,3}(?:[.,]\d+)?)\s*(?:%|percent|pour\s*cent|por\s*ciento|prozent|パーセント|％)",
        text.work,
    )
    level = re.search(
        r"(?:volume|volumen|lautstärke|音量|ボリューム)\D{0,12}?(\d{1,3})(?![\d%])", text.work
    )
    if percent and (noun or text.has("volume_noun")):
        volume = min(100.0, float(percent.group(1).replace(",", "."))) / 100
    elif level:
        volume = min(100, int(level.group(1))) / 100
    if volume is not None:
        out["music_volume"] = round(volume, 2)
    elif (
        louder
        and not quieter
        and not (text.within("bigger", _clause_of(text, louder.start())) and not noun)
    ):
        out["volume_step"] = VOLUME_STEP
    elif quieter and not louder:
        out["volume_step"] = -VOLUME_STEP
    fade = False
    black = bool(_BLACK.search(text.work))
    fade_in = text.has("fade_in") or (text.has("fade_from_black") and not black)
    fade_out = text.has("fade_out") or (text.has("fade_black") and not black)
    if noun and fade_in:
        out["music_fade_in_ms"] = MUSIC_FADE_MS
        fade = True
    if noun and fade_out:
        out["music_fade_out_ms"] = MUSIC_FADE_MS
        fade = True
    if style:
        out["music_style"] = style
    elif noun and text.has("music_change"):
        out["music_change"] = True
    elif (
        noun
        and volume is None
        and "volume_step" not in out
        and not fade
        and not text.has("volume_noun")
    ):
        out["music_style"] = music_styles()[0]
    return noun


def _text_edits(text: _Text, out: dict[str, Any]) -> bool:
    title, caption, generic = (
        text.has("title_noun"),
        text.has("caption_noun"),
        text.has("text_noun"),
    )
    if not (title or caption or generic):
        return False
    for noun, key in (("title_noun", "remove_title"), ("caption_noun", "remove_caption")):
        if _near(text, "remove", noun):
            out[key] = True
    if _near(text, "remove", "text_noun"):
        out["remove_title"] = out["remove_caption"] = True
    gone = {role for role in ("title", "caption") if out.get(f"remove_{role}")}
    whole = "title" if title and not caption else "caption" if caption and not title else None
    # "delete the caption and make the title green": the other text is still restyled
    styles = tuple(s for s in _text_styles(text, whole) if s.role not in gone)
    if styles and gone != {"title", "caption"}:
        out["text_styles"] = styles
    return True


_TEXT_ROLES = (("title_noun", "title"), ("caption_noun", "caption"), ("text_noun", "text"))
_TEXT_NOUNS = tuple(noun for noun, _ in _TEXT_ROLES)


def _text_styles(text: _Text, whole: str | None) -> tuple[TextStyle, ...]:
    """Restyles clause by clause: "make the title yellow and the caption smaller" is two.

    A clause names its texts or speaks of the last ones named ("make the title bigger and
    yellow"); a clause that only names texts lends them to the next ("the title and the
    caption in red"); with no text named yet, the message's own (``whole``) is meant.
    """
    found: dict[str | None, dict[str, Any]] = {}
    last: set[str] = set()
    lent: set[str] = set()
    for span in _clauses(text):
        named = {role for noun, role in _TEXT_ROLES if text.within(noun, span)}
        attrs = _style_attrs(text, span)
        if not attrs:
            lent = (lent | named) if named and _only_names(text, span) else set()
            last = named or last
            continue
        roles = (named | lent) if named else (lent or last)
        lent, last = set(), roles or last
        role = whole if not roles else next(iter(roles)) if len(roles) == 1 else None
        found.setdefault(None if role == "text" else role, {}).update(attrs)
    return tuple(TextStyle(role, **attrs) for role, attrs in found.items())


def _style_attrs(text: _Text, span: tuple[int, int]) -> dict[str, Any]:
    """Position, size step and colour a clause asks of a text."""
    attrs: dict[str, Any] = {}
    for name in ("top", "bottom", "center"):
        if text.within(name, span):
            attrs["position"] = name
            break
    bigger, smaller = text.within("bigger", span), text.within("smaller", span)
    if bigger and not smaller:
        attrs["scale"] = TEXT_BIGGER
    elif smaller and not bigger:
        attrs["scale"] = TEXT_SMALLER
    color = _color(text.work[span[0] : span[1]])
    if color:
        attrs["color"] = color
    return attrs


def _only_names(text: _Text, span: tuple[int, int]) -> bool:
    """True when a clause is little more than text nouns ("the title", 标题, "make the title")."""
    if any(span[0] <= start and end <= span[1] for start, end, _ in text.quotes):
        return False
    rest = text.work[span[0] : span[1]]
    for noun, _ in _TEXT_ROLES:
        rest = _concept(noun).sub(" ", rest)
    return len(rest.split()) <= 2 and len(rest.strip()) <= 10


@cache
def _color_words() -> tuple[re.Pattern[str], dict[str, str]]:
    colors = {w: h for t in _tables() for w, h in t.colors.items()}
    words = sorted(colors, key=len, reverse=True)
    latin = "|".join(
        re.escape(w) for w in words if w.isascii() or not re.search(r"[\u3040-\u9fff]", w)
    )
    cjk = "|".join(re.escape(w) for w in words if re.search(r"[\u3040-\u9fff]", w))
    pattern = rf"(?<![\w-])(?:{latin})(?![\w-])" + (f"|(?:{cjk})" if cjk else "")
    return re.compile(pattern, re.IGNORECASE), colors


def _color(words: str) -> str | None:
    if hexa := re.search(r"#([0-9a-f]{6})\b", words):
        return "#" + hexa.group(1).upper()
    pattern, colors = _color_words()
    match = pattern.search(words)
    return colors[match.group(0).lower()] if match else None


@cache
def _text_captures() -> tuple[re.Pattern[str], ...]:
    """Unquoted text after a title/caption noun and a cue word ("rename the heading to X")."""
    names = ("title_noun", "caption_noun", "text_noun")
    nouns = "|".join(f"(?:{p})" for t in _tables() for n in names for p in _phrases(t, n))
    cues = "|".join(f"(?:{p})" for t in _tables() for p in _phrases(t, "text_cue"))
    out = [
        re.compile(
            rf"(?P<noun>{nouns})(?:\s+{_RENAME_VERBS})?\s*(?P<cue>{cues})(?:(?<=\w)\s+|(?<!\w)\s*)"
            rf"(?P<x>[^\s,.;!?。！？，、].{{0,80}}?){_CLAUSE_END}",
            re.IGNORECASE,
        )
    ]
    for table in _tables():
        for pattern in _phrases(table, "text_capture"):
            out.append(re.compile(pattern + _CLAUSE_END, re.IGNORECASE))
    return tuple(out)


_RENAME_VERBS = (
    r"(?:changed|renamed|set|updated|ändern|umbenennen|setzen|geändert|changé|renommé|modifié|"
    r"cambiado|cambia|cambiar|pon|poner)"
)
_ARTICLES = re.compile(
    r"^(?:(?:the|a|an|le|la|les|l'|el|los|las|der|die|das|den|un|une|ein|eine)\s*)+"
)
_NOT_TEXT = ("top", "bottom", "center", "bigger", "smaller", "remove", "music_noun",
             "title_noun", "caption_noun", "text_noun", "camera", "zoom_in", "zoom_out",
             "louder", "quieter")  # fmt: skip


def _unquoted_text(text: _Text) -> tuple[str, str | None, int, int] | None:
    """``(words, noun)`` of an unquoted title/caption, cut from the original-case text."""
    for pattern in _text_captures():
        for match in pattern.finditer(text.low):
            start, end = match.span("x")
            words = text.raw[start:end].strip(" \t'\"")
            words = re.sub(
                r"\s+(?:please|pls|plz|por\s+favor|s'il\s+(?:te|vous)\s+pla[iî]t|stp|svp|bitte|hinzu|ein|"
                r"rein|drauf|dazu|an|um|thanks?|merci|gracias|danke)\s*$",
                "",
                words,
                flags=re.IGNORECASE,
            )
            low = _lower(words).strip()
            if (
                match.groupdict().get("bare") is not None
                and words[:1].lower() != words[:1].upper()
                and not words[:1].isupper()
            ):
                continue  # with no cue, a title starts with a capital ("add the title Summer Sale")
            if (
                re.match(r"(?:at|to|in|on|a|an|the|au|en|à|a|al|en|auf|in|an)\s", low)
                and match.groupdict().get("bare") is not None
            ):
                continue
            if not low or len(low) > 80 or _color(_Text(low).work):
                continue
            cue = match.groupdict().get("cue") or ""
            # with what follows ("タイトルは下に": 下に is a place, not the title's words)
            probe = _Text(f"{cue} {low}{text.low[end : end + 2]}")
            if any(_covers(probe.find(n), low) for n in _NOT_TEXT):
                continue
            noun = match.groupdict().get("noun")
            return words, noun, start, end
    return None


def _covers(match: re.Match[str] | None, words: str) -> bool:
    """True when ``match`` (a command phrase) makes up over half of ``words`` (articles aside)."""
    core = _ARTICLES.sub("", words.strip())
    return match is not None and len(match.group(0).strip()) > len(core) * 0.5


def _role_of(noun: str | None) -> str | None:
    if noun is None:
        return None
    probe = _Text(noun)
    if probe.has("title_noun"):
        return "title"
    if probe.has("caption_noun"):
        return "caption"
    return None


_LINKED_NOUN = re.compile(
    r"\s*(?:という|って|との|の|as\s+(?:the\s+|a\s+)?(?:new\s+)?|comme\s+|como\s+|als\s+|作为|当)?\s*$"
)


def _texts(text: _Text, out: dict[str, Any]) -> None:
    """Quoted (or unquoted) words for the title/caption, placed by the nearest noun before them."""
    nouns = sorted(
        [(m.start(), "title") for m in text.all("title_noun")]
        + [(m.start(), "caption") for m in text.all("caption_noun")]
        + [(m.start(), "text") for m in text.all("text_noun")]
    )
    for start, end, words in text.quotes:
        # "the caption text 'X'": a generic "text" after a title/caption noun is that one's
        before = [role for pos, role in nouns if pos < start]
        before = [r for r in before if r != "text"] or before
        after = [(pos, role) for pos, role in nouns if pos >= end]
        link = _LINKED_NOUN.match(text.low[end : after[0][0]]) if after else None
        named_next = link is not None and (bool(link.group(0).strip()) or not before)
        # "「期間限定」というキャプション", "'X' as the caption": the noun after the words
        next_role = after[0][1] if after else None
        role = (next_role if named_next else None) or (before[-1] if before else next_role)
        lead = text.low[max(0, start - 8) : start]
        if re.search(r"\b(?:from|de|von|del|du)\s*$|从\s*$", lead) and len(text.quotes) > 1:
            continue  # "change the title from 'A' to 'B'"
        key = {"title": "title", "caption": "caption"}.get(role or "text", "text")
        out[key] = words
    if text.quotes or not nouns:
        return
    found = _unquoted_text(text)
    if found:
        words, noun, start, end = found
        # the words are content, not commands
        text.low = text.low[:start] + " " * (end - start) + text.low[end:]
        text.work = _numbers_as_digits(text.low)
        named = {r for _, r in nouns}
        target = _role_of(noun) or next((r for r in ("caption", "title") if r in named), None)
        out[target if target in ("title", "caption") else "text"] = words


def _fps(text: _Text, out: dict[str, Any]) -> None:
    match = re.search(
        r"(?<![\d.])(\d{1,5})\s*(?:-\s*)?(?:" + _concept("fps_unit").pattern + ")",
        text.work,
        re.IGNORECASE,
    )
    noun = text.find("fps_noun")
    if not match and noun:  # "set the frame rate to 25"
        match = re.compile(r"\D{0,16}?(\d{2,3})(?!\d|\s*(?:%|s\b|sec|秒))").match(
            text.work, noun.end()
        )
    if match:
        value = int(match.group(1))
        if not MIN_FPS <= value <= MAX_FPS:  # "1000 fps": asked back with the choices
            out["out_of_range"] = ("fps", -value if _negative(text.work, match.start(1)) else value)
            return
        out["fps"] = min(FPS_VALUES, key=lambda v: abs(v - value))


_BLACK = re.compile(r"black|noir|negro|schwarz|黑|暗転|ブラック|暗く", re.IGNORECASE)


def _fades(text: _Text, out: dict[str, Any], music: bool) -> None:
    """A fade of the picture (to/from black); with music named, a bare fade is the music's.

    Clause by clause: a fade beside the music's name and no black is the music's ("音乐开头
    淡入"), one with black or away from the music the picture's ("zoom in, then fade out
    to black, and make the music fade in"); a phrase taken for the picture is spent.
    """
    black_anywhere = bool(_BLACK.search(text.work))
    # from black first: "fondu depuis le noir" is not also a fade *to* black
    for name, key in (("fade_from_black", "video_fade_in_ms"), ("fade_black", "video_fade_out_ms")):
        for match in list(text.all(name)):
            span = _clause_of(text, match.start())
            black = bool(_BLACK.search(text.work, *span))
            beside_music = text.within("music_noun", span) is not None
            if not music or black or (black_anywhere and not beside_music):
                out[key] = VIDEO_FADE_MS
                text.blank(match.start(), match.end())
    if not music and text.has("fade_in"):
        out["video_fade_in_ms"] = VIDEO_FADE_MS
    if not music and text.has("fade_out"):
        out["video_fade_out_ms"] = VIDEO_FADE_MS


def _photo_fade(text: _Text, out: dict[str, Any]) -> None:
    """A fade aimed at one photo is the cut into it, through black (docs/draft.md).

    "第二张照片淡入淡出", "la deuxième photo en fondu au noir", "das zweite Foto mit
    Abblende", "2枚目をフェードに", "use a fade for photo 3": ``transition`` fade_black
    on that photo. A fade in on the first photo and a fade out on the last one stay the
    clip's ("fade out the last photo"); a fade beside the music's name is the music's.
    """
    target = out.get("target")
    if target is None or out.get("transition") or out.get("photo_op") not in (None, "replace"):
        return
    fade_in, fade_out = out.get("video_fade_in_ms"), out.get("video_fade_out_ms")
    bare = fade_in is None and fade_out is None
    if bare and (text.has("music_noun") or not text.take("photo_fade")):
        return
    if (target.place == 1 and not fade_out) or (target.place == -1 and not fade_in and not bare):
        return
    out.pop("video_fade_in_ms", None)
    out.pop("video_fade_out_ms", None)
    out["transition"] = "fade_black"
    if len(named := mentions(text.low)) > 1:  # "a fade between photo 2 and photo 3": into the 3rd
        out["target"] = named[1].target
    drop_replace(text.work, out)


def _undo_steps(text: _Text) -> int:
    """How many turns an undo goes back: "undo the last two changes" 2, "撤销两步" 2 (2 – 10)."""
    match = text.take("undo_count")
    if match is None:
        return 1
    word = next((g for g in match.groups() if g), "2")  # "twice" names no number
    values = {w: v for t in _tables() for w, v in t.numbers.items()}
    count = int(word) if word.isdigit() else values.get(word.lower()) or _cjk_int(word) or 0
    return int(count) if 2 <= count <= 10 else 1


def _is_question(text: _Text, edits: bool, asks: bool) -> bool:
    """``asks``: the question words matched before any words were taken as content."""
    if text.has("request") and edits:  # "can you make it 9:16?" asks for an edit
        return False
    if asks:
        return True
    ends = re.search(r"[?？]\s*$|^\s*¿", text.raw)
    return bool(ends) and not edits


def read(message: str, prefer: str | None = None) -> Reading:
    """How ``message`` reads: an edit (and its :class:`Instruction`), a question, chat, unclear.

    Clauses aimed at different photos are read one part at a time (``Reading.steps``).
    """
    parts = photo_parts(message[:MAX_CHARS])
    if len(parts) > 1:
        readings = [_read(part, prefer) for part in parts]
        steps = tuple(r.instruction for r in readings if r.act == "edit")
        if len(steps) > 1:
            whole = _read(message, prefer)
            return Reading("edit", steps[0], (), whole.language, steps)
    return _read(message, prefer)


_GONE = object()  # the photo named last was removed or moved


def photo_parts(message: str) -> list[str]:
    """``message`` cut where a clause names another photo than the one before it.

    A clause that names no photo stays with the one before it ("make the second photo
    longer and faster"), unless that one was removed or moved ("remove the second photo
    and make it 9:16": the clip's again); the clauses before the first named photo are a
    part of their own.
    """
    text = _Text(message)
    starts: list[int] = []
    last: object = None
    every = mentions(text.low)
    for lo, hi in _clauses(text):
        named = [m for m in every if lo <= m.start < hi]
        if named and named[0].target != last:
            starts.append(lo)
            last = named[-1].target
        elif not named and last is _GONE:
            starts.append(lo)
            last = None
        if named:
            op = _read(text.raw[lo:hi]).instruction.photo_op
            last = _GONE if op in ("remove", "move") else last
    if len(starts) < 2:
        return [message]
    cuts = ([0] if starts[0] > 0 else []) + starts + [len(text.raw)]
    return [text.raw[a:b] for a, b in pairwise(cuts) if text.raw[a:b].strip()]


def _read(message: str, prefer: str | None = None) -> Reading:
    """One part of a message read as a whole."""
    # ``prefer`` (the session's language) breaks ties between languages that share words.
    text = _Text(message[:MAX_CHARS])
    language = _language(text, prefer)
    out: dict[str, Any] = {}
    asks_first = text.has("question")  # before "标题是什么" gives 什么 to the title
    _texts(text, out)  # first: the words of a title are content, not commands
    # a question before the places are blanked ("the 3rd photo is too long" is no "is ...?")
    asks_whole = text.has("question")
    text.work, photos = read_photos(text.work)  # then which photo: "the second" is no duration
    out.update(photos)
    unquoted = not text.quotes and any(k in out for k in ("title", "caption", "text"))
    undo = bool(text.take("undo"))
    if undo and (steps := _undo_steps(text)) > 1:
        out["undo_steps"] = steps
    regen = bool(text.take("regen_strong"))
    generate = bool(text.find("generate"))
    text_context = _text_context(text)
    _fps(text, out)
    _aspect(text, out)
    if text.take("crop"):  # before the duration: "recorta para llenar" fills, it does not cut
        out["fit"] = "crop"
    elif text.take("blur"):
        out["fit"] = "blur"
    _fades(text, out, text.has("music_noun"))
    _photo_fade(text, out)
    _factors(text, out)
    complaint = _speed(text, out)
    _motion(text, out, text_context, complaint)
    _music(text, out)
    _duration(text, out)
    _text_edits(text, out)
    _keep_photo_op(out)
    instruction = Instruction(generate=generate, undo=undo, **out)
    if not regen and not instruction.is_edit and not undo and text.has("regen_weak"):
        regen = True
    instruction = Instruction(generate=generate, undo=undo, regenerate=regen, **out)
    acted = instruction.is_edit or undo or regen or generate
    asks = (asks_whole and text.has("question")) or (asks_first and unquoted)
    if _is_question(text, acted, asks):
        topics = tuple(t for t in ("duration", "music", "styles", "format", "text", "motion")
                       if text.has(f"q_{t}") or (text.quotes and t == "text"))  # fmt: skip
        return Reading("question", Instruction(), topics, language)
    if acted:
        return Reading("edit", instruction, (), language)
    if text.has("chitchat"):
        return Reading("chat", instruction, (), language)
    return Reading("unclear", instruction, (), language)


_PHOTO_KEYS = ("target", "each", "photo_op", "other", "where", "at", "transition", "beat_sync")


def _keep_photo_op(out: dict[str, Any]) -> None:
    """A move or removal read from loose words gives way to a real edit of that photo.

    "make the first photo last 4 seconds" sets a duration, it does not move the photo
    to the end; "remove the zoom from photo 2" stops the camera, it keeps the photo.
    """
    if out.get("photo_op") in ("move", "remove") and any(
        k not in _PHOTO_KEYS and v not in (None, False, ()) for k, v in out.items()
    ):
        for key in ("photo_op", "other", "where", "at"):
            out.pop(key, None)


def parse(message: str) -> Instruction:
    """The edits ``message`` asks for, whatever its act (questions ask for none)."""
    reading = read(message)
    return reading.instruction
