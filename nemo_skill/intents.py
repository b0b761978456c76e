"""Route a user message: export, credits, state, upload or chat.

The four direct actions skip the ``/run_sse`` stream (no credits, no wait);
everything else goes to the agent as ``chat``. A wrong direct route is worse
than a wrong ``chat`` (the agent understands ``chat``; a misrouted export
silently drops the user's edit), so every doubtful case falls back to ``chat``.

Rules, in order (the rule that decides is recorded in :attr:`Intent.reason`):

1. The text is normalised: NFKC (full-width letters and punctuation become
   ASCII), lower case, typographic apostrophes unified. Quoted text
   (``'...'``, ``"..."``, ``“...”``, ``„...“``, ``«...»``, ``「...」``,
   ``『...』``) and URLs are removed first, so a caption such as
   ``add the caption 'export ready'`` never triggers a keyword; a message that
   is only a quoted string is content for the agent (``chat``).
2. Empty text: ``upload`` with files (or a media URL), else ``chat``.
3. A long message (over 40 words, 80 CJK characters or 400 characters) is a
   description for the agent: ``chat``. Checking this first also bounds the
   cost of a call.
4. With files: an edit or generation request ("animate this into a 5-second
   clip") is ``chat`` (the files are uploaded first, then the text is sent);
   an upload keyword or plain text ("here is my photo") is ``upload``; a
   question or a request ("can you...", "I want...") is ``chat``. Export,
   credits and state keywords are ignored: the upload comes first.
5. An edit verb (add, make, change, 加, 改, 生成, añade, ajoute, füge...) or an
   edit parameter (an aspect ratio such as 9:16, an orientation, a duration
   such as 5 s, "without ...") makes the message ``chat`` even when it names
   an action: ``make the status text bigger``, ``export it in 9:16`` (the
   aspect must change before an export can use it) and ``add music, then
   export`` all go to the agent. A verb after a determiner is a noun ("the
   zoom is right").
6. No keyword: ``chat``, or ``upload`` when the text carries a media URL.
7. A message that starts with "why" (为什么, pourquoi, warum, なぜ...) asks for
   an explanation: ``chat``.
8. An export or upload keyword that is negated in its clause ("don't export
   yet", "先别导出", "n'exporte pas", "noch nicht exportieren") or reported as
   failing ("export failed", "导出不了") does not count; "能不能导出" is a
   question, not a negation. Reading credits or state is harmless, so those
   keywords are never discarded ("I have no credits?" still shows the balance).
9. Otherwise the action with the highest keyword score wins (phrases such as
   "send me the video" weigh more than single words); ties go to the
   read-only actions first (state, credits, then export, upload).

The module imports only the standard library and compiles its patterns at
import, so ``nemo-skill classify`` starts fast and a call takes microseconds.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["ACTIONS", "Action", "Intent", "classify", "detect_language"]

Action = Literal["export", "credits", "state", "upload", "chat"]
ACTIONS: Final[tuple[Action, ...]] = ("export", "credits", "state", "upload", "chat")


@dataclass(frozen=True)
class Intent:
    """Where a message goes.

    ``reason`` names the rule that decided, ``keyword`` the text that matched
    (empty when none did) and ``language`` the ISO 639-1 code of the message.
    """

    action: Action
    reason: str = ""
    language: str = "en"
    keyword: str = ""


# --- normalisation ----------------------------------------------------------

# Latin keywords are bounded by ASCII letters and digits instead of \b, because
# \b sees no boundary between a CJK character and a Latin letter ("帮我export一下").
# Classes stay within Latin-1: a class reaching past U+00FF makes `re` build a
# 64 K-entry map at import, which would slow `nemo-skill classify` down.
_B = "(?<![a-z0-9])"
_E = "(?![a-z0-9])"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_QUOTED = re.compile(
    r'"[^"\n]*"|“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|「[^」]*」|『[^』]*』'
    r"|(?<!\w)'(?:[^'\n]|(?<=\w)'(?=\w))*'(?!\w)"
)
_URL = re.compile(r"(?:https?://|www\.)\S+")
_MEDIA_URL = re.compile(
    r"\.(?:jpe?g|png|webp|gif|heic|heif|mp4|mov|avi|webm|mkv|mp3|wav|m4a|aac)(?:[?#]|$)"
)
# "能不能导出" asks a question; the 不 in an A-不-A pair is not a negation.
_A_NOT_A = re.compile(r"(\S)不\1")
# A Latin word (with Latin-1 accents and inner apostrophes: "don't", "n'est").
_TOKEN = re.compile(r"[a-z0-9à-öø-ÿ]+(?:'[a-z0-9à-öø-ÿ]+)*")
_CLAUSE_BREAK = re.compile(f"[.!?;,:。！？；，、\n]|{_B}(?:but|then|and then){_E}|然后|但是")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()


def _unquote(text: str) -> str:
    return _QUOTED.sub(" ", text)


# --- keyword rules ----------------------------------------------------------


def _w(pattern: str) -> str:
    """``pattern`` as whole Latin words."""
    return f"{_B}(?:{pattern}){_E}"


_SEND_ME_THE_VIDEO = _w(
    r"(?:send|give|email|share|deliver|get|grab)(?: it)?(?: (?:to|over to))?(?: me| us)?"
    r"(?: (?:the|my|that|this|our))?(?: (?:final|finished|rendered|edited|new))?"
    r" (?:video|clip|file|mp4|movie|result|output|animation)s?"
)
_SHOW_THE_TIMELINE = _w(
    r"(?:show|list|view|see|display|check|what's|what is|what are)(?: me)?(?: (?:on|in))?"
    r"(?: (?:the|my|our))?(?: (?:current|latest|whole))?"
    r" (?:tracks?|timeline|draft|project|layers?|state|status|progress)"
)
_SUBE_LA_FOTO = _w(
    r"sub(?:e|ir|o)(?: [a-záéíóúñ]+){0,2} (?:fotos?|im[aá]gen(?:es)?|archivos?|v[ií]deos?)"
)

# (action, weight, pattern). Phrases weigh 3, plain keywords 2, vague words 1.
_KEYWORD_RULES: Final[tuple[tuple[Action, int, str], ...]] = (
    ("export", 3, _SEND_ME_THE_VIDEO),
    ("export", 2, _w(r"send (?:it|that|this)(?: (?:to me|over|back))?")),
    (
        "export",
        2,
        _w(r"(?:export|download|desc[aá]rg|t[ée]l[ée]charg|herunterl|esport|scaric)[a-zà-ÿ]*"),
    ),
    ("export", 2, _w(r"lade (?:\w+ ){0,4}herunter")),
    (
        "export",
        2,
        r"导出|下载|導出|下載|发给我|发我|エクスポート|ダウンロード|書き出|내보내|다운로드",
    ),
    ("export", 1, _w(r"save (?:it|the (?:video|clip|file|mp4))|render(?: it)?") + r"(?=[\s.!?]*$)"),
    ("export", 1, r"保存视频|保存視頻"),
    ("credits", 3, _w(r"how (?:many|much) (?:credits?|points)|credits? (?:left|remaining)")),
    ("credits", 2, _w(r"cr[ée]dit[a-zà-ÿ]*|saldo|solde|guthaben|kontostand|quota")),
    ("credits", 2, _w(r"balance(?! (?:the|of|between|audio|music|sound|volume|levels?|it))")),
    ("credits", 2, r"积分|積分|余额|餘額|点数|額度|额度|クレジット|残高|ポイント|크레딧|잔액"),
    ("credits", 1, _w(r"billing|account|top ?up|recharge")),
    ("state", 3, _SHOW_THE_TIMELINE),
    ("state", 3, _w(r"where are we")),
    ("state", 2, _w(r"status|state|progress|estado|[ée]tat|statut|zustand|stato")),
    ("state", 2, r"状态|狀態|进度|進度|时间线|時間線|轨道|軌道|状態|ステータス|タイムライン"),
    ("state", 2, r"トラック|進捗|상태"),
    ("state", 1, _w(r"tracks?|timeline|zeitleiste|spuren|pistas|pistes|draft")),
    ("upload", 2, _w(r"(?:upload|t[ée]l[ée]vers|hochlad)[a-zà-ÿ]*")),
    ("upload", 2, _w(r"lade (?:\w+ ){0,4}hoch")),
    ("upload", 2, _SUBE_LA_FOTO),
    ("upload", 2, r"上传|上傳|アップロード|업로드"),
)
_KEYWORDS = re.compile("|".join(f"(?P<k{i}>{rule[2]})" for i, rule in enumerate(_KEYWORD_RULES)))

# Read-only actions win ties: showing state or credits by mistake costs nothing.
_TIE_ORDER: Final[dict[Action, int]] = {"state": 0, "credits": 1, "export": 2, "upload": 3}

# A verb after a determiner is a noun ("the zoom is right"), not an edit.
_NOT_AFTER_DETERMINER = "".join(
    f"(?<!{word} )" for word in ("the", "a", "an", "this", "that", "my", "your", "our")
)
_EDIT_VERBS = re.compile(
    _B
    + _NOT_AFTER_DETERMINER
    + r"(?:add|make(?! sure)|change|remove|delete|(?<!all )set|put|turn|animate|generate|create"
    r"|produce|zoom|pan|crop|trim|(?<!final )cut|rotate|flip|mirror|resize|shorten|lengthen"
    r"|extend|increase|decrease|reduce|lower|raise|boost|mute|unmute|replace|swap|insert|move"
    r"|shift|apply|adjust|tweak|edit|fix|improve|enhance|brighten|darken|blur|sharpen|slow"
    r"|speed|fade|loop|convert|translate|redo|undo|revert|bring|write|include"
    r"|añade|añadir|agrega|agregar|cambia|cambiar|haz|hacer|pon|poner|quita|quitar|elimina"
    r"|eliminar|genera|generar|crea|crear|anima|animar|convierte|convertir|ajusta|recorta"
    r"|ajoute|ajouter|changer|mets|mettre|fais|faites|enlève|enlever|supprime|supprimer"
    r"|génère|générer|crée|créer|anime|animer|transforme|transformer|ajuste|coupe|recadre"
    r"|füge|hinzufügen|ändere|ändern|mach|mache|machen|entferne|entfernen|erstelle|erstellen"
    r"|generiere|animiere|setze|verwandle|ersetze|schneide|drehe"
    r"|aggiungi|cambia|adicione|adiciona)"
    + _E
    + r"|加(?!载|油)|添加|增加|改|换|替换|生成|做(?!好|完)|制作|删|去掉|去除|调|放大|缩小|设置|设为"
    r"|变|让|动起来|动画|配乐|配上|插入|剪|裁|旋转|移动"
    r"|追加|変更|変え|作って|作成|削除|入れて|加え|消して|アニメーション|動かして|調整|拡大|縮小"
    r"|ズーム|回転"
)
_EDIT_PARAMS = re.compile(
    r"(?<!\d)(?:9:16|16:9|1:1|4:5|5:4|4:3|3:4|21:9|2:3|3:2)(?!\d)"
    r"|\d+(?:\.\d+)?\s*-?\s*(?:s|secs?|seconds?|segundos?|secondes?|sekunden?|seg)"
    + _E
    + r"|\d+\s*秒"
    + r"|"
    + _B
    + r"(?:vertical|portrait|landscape|horizontal|square|widescreen|vertikal|hochformat"
    r"|querformat|quadratisch|carré|paysage|cuadrado|without|sans|ohne|sin)"
    + _E
    + r"|竖屏|横屏|竖版|横版|正方形|縦長|横長|縦型|横型"
)
_WHY = re.compile(
    r"^\W*(?:(?:why|how come|por ?qu[ée]|pourquoi|warum|wieso|weshalb)"
    + _E
    + r"|为什么|为何|怎么会|なぜ|どうして)"
)
# With files only: a question or a request means the text is for the agent.
_REQUEST = re.compile(
    r"\?|"
    + _B
    + r"(?:want|need|would like|'d like|please|could you|can you|let's|lets|try|quiero|puedes"
    r"|por favor|je veux|peux-tu|pouvez|bitte|kannst|möchte|clip|animation|animated|movie|reel"
    r"|motion|music|song|bgm|soundtrack|title|caption|subtitle|effect|transition|slideshow"
    r"|cinematic|parallax)"
    + _E
    + r"|想|要|请|能|可以|帮|ください|たい|动画|音乐|标题|字幕|特效|動画|音楽|タイトル"
)

_NEG_BEFORE: Final[frozenset[str]] = frozenset(
    {"not", "no", "never", "don't", "dont", "doesn't", "didn't", "can't", "cannot", "won't",
     "shouldn't", "isn't", "stop", "cancel", "nunca", "ne", "n", "pas", "jamais", "nicht",
     "kein", "keine", "keinen", "nie", "não", "nao", "non"}
)  # fmt: skip
_NEG_AFTER: Final[frozenset[str]] = frozenset(
    {"not", "failed", "fails", "failing", "error", "broken", "stuck", "crashed", "isn't",
     "doesn't", "didn't", "won't", "pas", "nicht", "falló", "échoué"}
)  # fmt: skip
_NEG_BEFORE_CJK = re.compile(r"别|不|没|勿|未|まだ")
_NEG_AFTER_CJK = re.compile(r"不|没|失败|错误|出错|ない|ません|せず|失敗|エラー")

_WINDOW = 48  # characters around a keyword searched for a negation
_LONG_CHARS = 400
_READ_CHARS = 4000
_LONG_WORDS = 40
_LONG_CJK = 80


@dataclass(frozen=True)
class _Hit:
    action: Action
    weight: int
    start: int
    end: int
    text: str


def _hits(text: str) -> list[_Hit]:
    hits = []
    for match in _KEYWORDS.finditer(text):
        action, weight, _ = _KEYWORD_RULES[int((match.lastgroup or "k0")[1:])]
        hits.append(_Hit(action, weight, match.start(), match.end(), match.group()))
    return hits


def _negated(text: str, hit: _Hit) -> bool:
    """A negation just before the keyword, or a failure report just after it, in its clause."""
    # A window of a few words is all that is read, so the cost stays flat however
    # many keywords a message repeats.
    before = _CLAUSE_BREAK.split(text[max(0, hit.start - _WINDOW) : hit.start])[-1]
    after = _CLAUSE_BREAK.split(text[hit.end : hit.end + _WINDOW], maxsplit=1)[0]
    if _NEG_BEFORE.intersection(_TOKEN.findall(before)[-4:]):
        return True
    if _NEG_AFTER.intersection(_TOKEN.findall(after)[:3]):
        return True
    return bool(_NEG_BEFORE_CJK.search(before[-4:]) or _NEG_AFTER_CJK.search(after[:6]))


def _is_long(text: str) -> bool:
    if len(text) > _LONG_CHARS:
        return True
    if len(_TOKEN.findall(text)) > _LONG_WORDS:
        return True
    counts = _script_counts(text)
    return sum(counts.get(code, 0) for code in ("zh", "ja", "ko")) > _LONG_CJK


def _best(hits: list[_Hit]) -> _Hit:
    """The action with the highest total weight; its first keyword is reported."""
    scores: dict[Action, int] = {}
    for hit in hits:
        scores[hit.action] = scores.get(hit.action, 0) + hit.weight
    action = min(scores, key=lambda a: (-scores[a], _TIE_ORDER[a]))
    return next(hit for hit in hits if hit.action == action)


def _edit_signal(text: str) -> str | None:
    match = _EDIT_VERBS.search(text) or _EDIT_PARAMS.search(text)
    return match.group().strip() if match else None


def _with_files(text: str, language: str) -> Intent:
    if _is_long(text):
        return Intent("chat", "files with a long message", language)
    edit = _edit_signal(text)
    if edit:
        return Intent("chat", f"files with an edit request ({edit!r})", language, edit)
    uploads = [hit for hit in _hits(text) if hit.action == "upload"]
    if uploads:
        return Intent("upload", "files with an upload keyword", language, uploads[0].text)
    request = _REQUEST.search(text)
    if request:
        keyword = request.group()
        return Intent("chat", f"files with a request ({keyword!r})", language, keyword)
    return Intent("upload", "files attached", language)


def _route(text: str, language: str, media_url: bool) -> Intent:
    if _is_long(text):
        return Intent("chat", "long message", language)
    edit = _edit_signal(text)
    if edit:
        return Intent("chat", f"edit request ({edit!r})", language, edit)
    hits = _hits(text)
    if not hits:
        if media_url:
            return Intent("upload", "media URL", language)
        return Intent("chat", "no routing keyword", language)
    if _WHY.search(text):
        return Intent("chat", "asks why", language, hits[0].text)
    kept = [h for h in hits if h.action not in ("export", "upload") or not _negated(text, h)]
    if not kept:
        return Intent("chat", f"negated {hits[0].text!r}", language, hits[0].text)
    best = _best(kept)
    return Intent(best.action, f"keyword {best.text!r}", language, best.text)


def _without_text(normal: str, has_files: bool, media_url: bool, language: str) -> Intent:
    if has_files:
        return Intent("upload", "files without text", language)
    if media_url:
        return Intent("upload", "media URL without text", language)
    if normal.strip():
        return Intent("chat", "only quoted text", language)
    return Intent("chat", "empty message", language)


def classify(text: str, has_files: bool = False) -> Intent:
    """Route one user message (see the module docstring for the rules).

    ``has_files`` is true when the message carries files to upload.
    """
    # Past a few thousand characters a message is long whatever it says: reading
    # more would only cost time.
    normal = _A_NOT_A.sub(r"\1", _normalise((text or "")[:_READ_CHARS]))
    media_url = any(_MEDIA_URL.search(url) for url in _URL.findall(normal))
    body = _URL.sub(" ", _unquote(normal))
    language = _language_of(body if body.strip() else normal)
    if not body.strip():
        return _without_text(normal, has_files, media_url, language)
    if has_files:
        return _with_files(body, language)
    return _route(body, language, media_url)


# --- language detection -----------------------------------------------------

# (first code point, last code point, language), sorted for bisect. Counting in
# Python is cheaper than compiling wide regex classes at import.
_SCRIPT_RANGES: Final[tuple[tuple[int, int, str], ...]] = (
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x04FF, "ru"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0E00, 0x0E7F, "th"),
    (0x1100, 0x11FF, "ko"),
    (0x3040, 0x30FF, "ja"),
    (0x3130, 0x318F, "ko"),
    (0x31F0, 0x31FF, "ja"),
    (0x3400, 0x4DBF, "zh"),
    (0x4E00, 0x9FFF, "zh"),
    (0xAC00, 0xD7AF, "ko"),
)
_RANGE_STARTS: Final[tuple[int, ...]] = tuple(first for first, _, _ in _SCRIPT_RANGES)
_SCAN_CHARS = 1000  # enough to decide; keeps a pasted essay from costing milliseconds


def _script_counts(text: str) -> dict[str, int]:
    """Characters per non-Latin script in ``text``."""
    counts: dict[str, int] = {}
    for char in text:
        point = ord(char)
        if point < 0x0370:
            continue
        index = bisect_right(_RANGE_STARTS, point) - 1
        if index >= 0 and point <= _SCRIPT_RANGES[index][1]:
            code = _SCRIPT_RANGES[index][2]
            counts[code] = counts.get(code, 0) + 1
    return counts


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "en": _words(
        "the and is it to my me this of you please make add what how with can i video clip "
        "export show download send credits have left are on in a into your do don't"
    ),
    "es": _words(
        "el la los las de que y en un una por para con mi mis es esto este esta quiero hola "
        "exportar exporta exportes descargar descarga descárgalo añade agrega créditos cuántos "
        "cuántas cuál estado todavía primero música vídeo foto imagen puedes no me del al "
        "muéstrame quedan"
    ),
    "fr": _words(
        "le la les de des du et un une est je tu vous moi mon ma mes pour avec ce cette pas ne "
        "qui que exporter exporte télécharger télécharge ajoute ajouter vidéo crédits combien état "
        "quel quelle encore d'abord musique photo s'il plaît"
    ),
    "de": _words(
        "der die das und ist ich nicht ein eine mit zu mein meine bitte den dem für auf wie "
        "noch was exportieren exportiere herunterladen füge hinzu guthaben zeig zeige mir "
        "habe viel musik bild lade"
    ),
    "pt": _words(
        "o a os as de que e em um uma meu minha para com não você isso favor vídeo baixar "
        "exportar adicione créditos quantos música foto imagem"
    ),
    "it": _words(
        "il lo la gli le di che e un una mio mia per con non è questo questa video scarica "
        "esporta aggiungi crediti quanti musica foto immagine"
    ),
    "nl": _words(
        "de het een en van ik mijn niet met voor is dit dat downloaden exporteren voeg toe "
        "muziek alsjeblieft"
    ),
}
_DIACRITICS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("es", re.compile(r"[ñ¿¡]")),
    ("de", re.compile(r"[ßäöü]")),
    ("fr", re.compile(r"[çœèêâîôûëï]")),
    ("pt", re.compile(r"[ãõ]")),
)


def _script_language(text: str) -> str | None:
    """The language of a non-Latin script when it outweighs the Latin words."""
    counts = _script_counts(text)
    if not counts:
        return None
    if "ja" in counts:  # kanji are Han characters; any kana makes the text Japanese
        counts["ja"] += counts.pop("zh", 0)
    code = max(counts, key=counts.__getitem__)
    if counts[code] <= len(_TOKEN.findall(text)):
        return None
    if code == "ru" and any(char in text for char in "іїєґ"):
        return "uk"
    return code


# A word shared by several languages ("de", "video") is weak evidence for each.
_WORD_WEIGHTS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    word: tuple(
        (code, 1.0 / sum(word in s for s in _STOPWORDS.values()))
        for code, stop in _STOPWORDS.items()
        if word in stop
    )
    for stop in _STOPWORDS.values()
    for word in stop
}


def _latin_language(text: str) -> str:
    scores = dict.fromkeys(_STOPWORDS, 0.0)
    for word in _TOKEN.findall(text):
        for code, weight in _WORD_WEIGHTS.get(word, ()):
            scores[code] += weight
    for code, pattern in _DIACRITICS:
        scores[code] += 2 * len(pattern.findall(text))
    best = max(scores, key=lambda code: scores[code])
    # English wins ties and texts with no evidence (commands, names, numbers).
    return best if scores[best] > scores["en"] else "en"


def _language_of(normal: str) -> str:
    head = normal[:_SCAN_CHARS]
    return _script_language(head) or _latin_language(head)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of ``text`` (``en`` when unsure); quoted text and URLs are ignored.

    Scripts decide first (kana → ja, Hangul → ko, Han → zh, Cyrillic → ru...),
    then stopwords and diacritics among en, es, fr, de, pt, it, nl.
    """
    normal = _normalise(text or "")
    body = _URL.sub(" ", _unquote(normal))
    return _language_of(body if body.strip() else normal)
