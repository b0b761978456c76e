"""Translate the backend's GUI wording into what the skill can do.

The backend talks as if the user had its web app open ("click Export",
"open the Music panel", "preview it in the timeline"). Each row of
:data:`RULES` maps such a phrase to the skill's equivalent (a command, or
"tell me in words"); the rest of the sentence, what was done, is kept.

The replacements name the skill's actions symbolically (``{next:export}``,
``{next:state}``, ...: :class:`~nemo_skill.errors.Next`); each shell words
them with its own table (a CLI command, an MCP tool, a Python call) when it
shows the message, so nothing here knows a command or a flag.

:func:`translate` is pure and idempotent: no replacement text matches any
rule, and the clean-up only runs when a rule matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, TypeAlias

Handler: TypeAlias = Callable[[re.Match[str]], str]

EXPORT: Final = 'say "export" (or run {next:export}) to render and download it'
STATE: Final = "ask to see the timeline ({next:state})"
PREVIEW: Final = "run {next:state} to see the tracks"
DESCRIBE: Final = "tell me the change in words"
BY_EXPORT: Final = 'by saying "export" (or running {next:export})'
CREDITS: Final = "ask for your credits ({next:credits})"
UPLOAD: Final = "send the file with {next:files}"

ZH_EXPORT: Final = "说“导出”（或运行 {next:export}）即可渲染并下载"
ZH_STATE: Final = "说“状态”（或运行 {next:state}）即可查看时间线"
ZH_PREVIEW: Final = "运行 {next:state} 即可查看轨道"
ZH_DESCRIBE: Final = "用文字告诉我要改什么"
ZH_CREDITS: Final = "问我“积分”（{next:credits}）即可查看"
ZH_UPLOAD: Final = "用 {next:files} 发送文件"

# The embedded agent also answers in Spanish, French, German and Japanese.
ES_EXPORT: Final = 'di "exportar" (o ejecuta {next:export}) para renderizarlo y descargarlo'
ES_PREVIEW: Final = "ejecuta {next:state} para ver las pistas"
FR_EXPORT: Final = "dites « exporter » (ou lancez {next:export}) pour la rendre et la télécharger"
FR_PREVIEW: Final = "lancez {next:state} pour voir les pistes"
DE_EXPORT: Final = (
    "sag „exportieren“ (oder führe {next:export} aus), um es zu rendern und herunterzuladen"
)
DE_PREVIEW: Final = "führe {next:state} aus, um die Spuren zu sehen"
JA_EXPORT: Final = (
    "「エクスポート」と言う（または {next:export} を実行する）と書き出してダウンロードできます"
)
JA_PREVIEW: Final = "{next:state} でトラックを確認できます"

# A sentence starts at the beginning of the text or after ., !, ? (or their CJK forms).
_SENTENCE_END = re.compile(r"(?:^|[.!?。！？]\s*)$")


def _at_sentence_start(match: re.Match[str]) -> bool:
    return bool(_SENTENCE_END.search(match.string[: match.start()]))


def _cased(text: str, match: re.Match[str]) -> str:
    """``text`` capitalised when it replaces the start of a sentence."""
    if text and _at_sentence_start(match):
        return text[0].upper() + text[1:]
    return text


def _say(text: str) -> Handler:
    """A handler that puts ``text`` in place of the match."""
    return lambda match: _cased(text, match)


def _purpose_then(with_purpose: str, without: str | None = None) -> Handler:
    """``open the Music panel to adjust the volume`` → ``to adjust the volume, <with_purpose>``."""

    def handle(match: re.Match[str]) -> str:
        purpose = match.group("purpose")
        if purpose:
            return _cased(f"to {purpose.strip()}, {with_purpose}", match)
        return _cased(without or with_purpose, match)

    return handle


def _zh_purpose_then(with_purpose: str, without: str) -> Handler:
    """``打开音乐面板调整音量`` → ``直接告诉我要怎么调整音量``."""

    def handle(match: re.Match[str]) -> str:
        purpose = match.group("purpose")
        return with_purpose + purpose if purpose else without

    return handle


def _slider(match: re.Match[str]) -> str:
    """``drag the volume slider to 50%`` → ``say "set the volume to 50%"``."""
    what, value = match.group("what").lower(), match.group("value")
    if value:
        return _cased(f'say "set the {what} to {value.strip()}"', match)
    return _cased(f"tell me the {what} you want", match)


def _drop(match: re.Match[str]) -> str:
    """Remove the phrase; the next word starts the sentence if the phrase did."""
    following = match.group("next") or ""
    return following.upper() if _at_sentence_start(match) else following


# Words that name the export action and an optional place on the screen.
_EXPORT_WORD = r"[\"'“‘]?(?:export|download)\b[\"'”’]?"
_BUTTON = r"(?:\s+(?:button|icon|option))?"
_WHERE = (
    r"(?:\s+(?:in|at|on)\s+the\s+(?:top|bottom|upper|lower)[\w\s-]{0,25}?"
    r"(?:corner|screen|page|bar))?"
)
_VERB = r"\b(?:simply\s+|just\s+)?(?:click|tap|press|hit|select|use)\s+(?:on\s+)?(?:the\s+)?"
_BY_VERB = r"\bby\s+(?:clicking|tapping|pressing|hitting|selecting|using)\s+(?:on\s+)?(?:the\s+)?"
_VIDEO = r"(?:it|them|(?:the|your)\s+(?:[\w-]+\s+){0,2}?(?:video|clip|file|mp4|result)s?)"
_PURPOSE = (
    r"(?:\s+to\s+(?P<purpose>[^.!?,;。！？\n]+?))?"
    r"(?=\s*(?:,|;|\s+then\b|\s+and\b|[.!?。！？]|$))"
)
_CAN = r"\b(?:(?:you\s+can|simply|just)\s+)?"
_PANEL = r"(?:panel|tab|sidebar|menu|settings|section|window)"
_THING = r"(?:it|them|this|that|(?:the|your|a|an)\s+[\w-]+(?:\s+[\w-]+){0,2}?)"
_ZH_PURPOSE = r"(?:来|以|并)?(?P<purpose>(?:调整|修改|更改|设置|编辑|添加|删除)\w{0,12})?"

# (pattern, handler). Order matters: the most specific phrase of a kind first.
_ROWS: tuple[tuple[str, Handler], ...] = (
    # export / download buttons
    (_BY_VERB + _EXPORT_WORD + _BUTTON + _WHERE,
     _say(BY_EXPORT)),
    (r"\b(?:via|with|using)\s+the\s+" + _EXPORT_WORD + r"\s+button" + _WHERE, _say(BY_EXPORT)),
    (_VERB + _EXPORT_WORD + _BUTTON + _WHERE
     + r"(?:\s+(?:to|and)\s+(?:download|export|save|get|render)(?:\s+" + _VIDEO + ")?)?",
     _say(EXPORT)),
    (r"\bthe\s+" + _EXPORT_WORD + r"\s+button", _say('the "export" command')),
    # uploads
    (r"\b(?:click|tap|press|use)\s+(?:on\s+)?(?:the\s+)?[\"'“‘]?upload\b[\"'”’]?"
     r"(?:\s+(?:button|icon|area))?", _say(UPLOAD)),
    (r"\b(?:drag(?:\s*(?:and|&)\s*drop)?|drop)\s+(?:your\s+|the\s+|more\s+)?"
     r"(?:photos?|images?|files?|videos?)\s+(?:here|onto\s+the\s+page|into\s+the\s+upload\s+area)",
     _say(UPLOAD)),
    # account / billing
    (r"\b(?:check|visit|open|see|go\s+to|head\s+(?:over\s+)?to)\s+(?:your\s+|the\s+)?"
     r"(?:account|billing|subscription|credits?|balance)"
     r"(?:\s+(?:page|settings|panel|section|dashboard))?\b"
     r"(?:\s+(?:for\s+more\s+credits|to\s+see\s+(?:your\s+)?(?:balance|credits)))?", _say(CREDITS)),
    # previewing in the timeline
    (r"\b(?:you\s+can\s+)?preview\s+(?:it|this|the\s+(?:video|result|clip|changes?)|your\s+(?:video|clip))"
     r"\s+in\s+the\s+(?:timeline|editor|player|preview(?:\s+(?:panel|window))?)", _say(PREVIEW)),
    (r"\b(?:check|see|view|review)\s+(?:it\s+|the\s+(?:result|changes?)\s+)?(?:in|on)\s+the\s+"
     r"timeline(?:\s+(?:panel|view))?", _say(PREVIEW)),
    # panels
    (r"\b(?:open|go\s+to)\s+the\s+timeline(?:\s+(?:panel|view|tab|editor))?", _say(STATE)),
    (_CAN + r"open\s+the\s+(?:[\w-]+\s+){0,3}?" + _PANEL + _PURPOSE,
     _purpose_then("just tell me what you want", STATE)),
    # drag and drop, sliders
    (_CAN + r"(?:drag(?:\s*(?:and|&)\s*drop)?|drop|slide)\s+" + _THING
     + r"\s+(?:onto|into|to|on|along|across)\s+the\s+(?:[\w-]+\s+){0,3}?(?:timeline|track|canvas)"
     + _PURPOSE, _purpose_then(DESCRIBE)),
    (r"\b(?:drag|slide|move)\s+the\s+(?P<what>(?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:slider|handle|knob)"
     r"(?:\s+to\s+(?P<value>\d[\d.,]*\s*(?:%|percent|s|seconds?)?))?", _slider),
    (_CAN + r"drag(?:\s*(?:and|&)\s*drop)?(?:\s+" + _THING + ")?" + _PURPOSE,
     _purpose_then(DESCRIBE)),
    # page reloads mean nothing here
    (r"\b(?:refresh|reload)\s+(?:the|your)\s+(?:page|browser)"
     r"(?:\s+to\s+see\s+(?:it|them|the\s+(?:changes?|update|result)))?"
     r"(?:\s*,?\s*(?:and|then)\s+(?P<next>[a-z])?)?", _drop),
    # Chinese
    (r"(?:请)?(?:点击|单击|点)(?:右上角的?)?[「“\"]?(?:导出|下载)[」”\"]?(?:按钮)?"
     r"(?:即可|来|以|进行)?(?:下载|导出)?(?:视频)?", _say(ZH_EXPORT)),
    (r"(?:请)?(?:点击|单击)[「“\"]?上传[」”\"]?(?:按钮)?", _say(ZH_UPLOAD)),
    (r"(?:请)?(?:前往|到|在)?(?:您的)?(?:账户|账号|账单|计费)(?:页面|设置|中心)?(?:中|里)?查看",
     _say(ZH_CREDITS)),
    (r"(?:请)?查看(?:您的)?(?:账户|账号|账单)(?:页面|设置|中心)?", _say(ZH_CREDITS)),
    (r"(?:可以|请)?在时间线(?:中|里|上)(?:预览|查看)(?:效果|视频|结果)?", _say(ZH_PREVIEW)),
    (r"(?:请)?打开时间线(?:面板|视图)?", _say(ZH_STATE)),
    (r"(?:请)?打开\w{1,10}?(?:面板|设置|菜单|标签页)" + _ZH_PURPOSE,
     _zh_purpose_then("直接告诉我要怎么", ZH_STATE)),
    (r"(?:请)?(?:将|把)?\w{0,10}?(?:拖动|拖拽|拖放|拖)到\w{0,8}?(?:时间线|时间轴|轨道|画布)(?:上|中|里)?",
     _say(ZH_DESCRIBE)),
    (r"(?:请)?(?:拖动|拖拽)\w{0,6}?(?:滑块|边缘)", _say(ZH_DESCRIBE)),
    (r"(?:请)?刷新(?:一下)?(?:页面|浏览器)(?:即可看到(?:更改|变化|效果))?[，,。]?(?P<next>)",
     _drop),
    # Spanish, French, German, Japanese (the embedded agent's wording)
    (r"\bhaz\s+clic\s+en\s+(?:el\s+botón\s+)?[«\"“]?exportar[»\"”]?(?:\s+para\s+descargarlo)?",
     _say(ES_EXPORT)),
    (r"\b(?:previsualízalo|revísalo)\s+en\s+la\s+línea\s+de\s+tiempo", _say(ES_PREVIEW)),
    (r"\bcliquez\s+sur\s+(?:le\s+bouton\s+)?[«\"“]?\s*exporter(?:\s*[»\"”])?(?:\s+pour\s+la\s+télécharger)?",
     _say(FR_EXPORT)),
    (r"\b(?:prévisualisez|vérifiez)-la\s+dans\s+la\s+timeline", _say(FR_PREVIEW)),
    (r"\bklicke\s+(?:dann\s+)?auf\s+(?:die\s+schaltfläche\s+)?[„\"“]?exportieren[“\"”]?"
     r"(?:,?\s+um\s+es\s+herunterzuladen)?", _say(DE_EXPORT)),
    (r"\b(?:sieh\s+es\s+dir\s+in\s+der\s+zeitleiste\s+an|prüfe\s+es\s+in\s+der\s+zeitleiste)",
     _say(DE_PREVIEW)),
    (r"「エクスポート」ボタンをクリックして(?:ダウンロードしてください)?", _say(JA_EXPORT)),
    (r"タイムラインで(?:プレビュー|確認)し(?:てください)?", _say(JA_PREVIEW)),
)  # fmt: skip

RULES: Final[tuple[tuple[re.Pattern[str], Handler], ...]] = tuple(
    (re.compile(pattern, re.IGNORECASE), handler) for pattern, handler in _ROWS
)

# Clean-up after a substitution: each row is (pattern, replacement), applied in order.
_TIDY: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"[ \t]{2,}", " "),
        (r"[ \t]+([,.!?;:])", r"\1"),
        (r"\s*[,;:]\s*(?=[.!?]|$)", ""),  # "ready, ." → "ready."
        (r"([.!?])[.,;:]+", r"\1"),
        (r"(?:,\s*)?\b(?:or|and|then)\s*(?=[.!?]|$)", ""),  # dangling conjunction
        (r"[，、]+(?=[。！？]|$)", ""),
        (r"([。！？])[。，、]+", r"\1"),
        (r"^[\s,.;:，。、]+", ""),
    )
)

_MAX_PASSES: Final = 8

_TEMPORARY = re.compile(
    r"\b(?:i|we)\s*(?:'ve|\s+have)?\s+(?:encountered|ran\s+into|run\s+into|hit|experienced|had)\s+"
    r"(?:a\s+|some\s+)?(?:temporary|transient)\s+(?:issue|error|problem|glitch)"
    r"|\bthere\s+(?:was|is)\s+(?:a\s+)?(?:temporary|transient)\s+(?:issue|error|problem)"
    r"|遇到(?:了)?(?:一个|一些)?(?:临时|暂时)(?:性)?(?:的)?(?:问题|错误|故障)",
    re.IGNORECASE,
)


def _tidy(text: str) -> str:
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    return text.strip()


def _apply_rules(text: str) -> tuple[str, int]:
    matched = 0
    for pattern, handler in RULES:
        text, count = pattern.subn(handler, text)
        matched += count
    return text, matched


def translate(text: str) -> str:
    """``text`` with every GUI instruction replaced by the skill's equivalent."""
    out = text
    # A removed phrase can join its neighbours into a new one ("refresh the pageclick
    # Export"): repeat until nothing matches so that translating twice changes nothing.
    for _ in range(_MAX_PASSES):
        out, matched = _apply_rules(out)
        if not matched:
            break
        out = _tidy(out)
    return out


def is_temporary_issue(text: str) -> bool:
    """True for the backend's "I encountered a temporary issue" family of texts."""
    return bool(_TEMPORARY.search(text))
