"""Translate the backend's GUI wording into what the skill can do.

The backend talks as if the user had its web app open ("click Export",
"open the Music panel", "preview it in the timeline"). Each row of
:data:`RULES` maps such a phrase to the skill's equivalent; the content of the
sentence (what was done) is kept. Pure and idempotent.
"""

from __future__ import annotations

import re
from typing import Final

_EXPORT = 'say "export" to render and download it'
_STATE = 'say "show tracks" to list the tracks'
_CREDITS = 'ask for your "credits" to see the balance'
_DESCRIBE = "tell me the change in words"
_UPLOAD = "send the file with the message"

# (pattern, replacement). Order matters: the most specific phrases first.
RULES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        # English: export / download buttons
        (r"\b(?:simply\s+|just\s+)?(?:click|tap|press|hit|use)\s+(?:on\s+)?(?:the\s+)?"
         r"[\"'“]?(?:export|download)[\"'”]?(?:\s+(?:button|icon))?"
         r"(?:\s+(?:to|and)\s+(?:download|export|save|get)(?:\s+(?:it|the\s+video|your\s+video))?)?",
         _EXPORT),
        (r"\b(?:the\s+)?[\"'“]?export[\"'”]?\s+button\b", '"export"'),
        # billing / account
        (r"\b(?:check|visit|open|go\s+to)\s+(?:your\s+|the\s+)?(?:account|billing|subscription)"
         r"(?:\s+(?:page|settings|panel|section))?", _CREDITS),
        # upload button
        (r"\b(?:click|tap|use|press)\s+(?:on\s+)?(?:the\s+)?upload(?:\s+button)?", _UPLOAD),
        # preview / timeline / panels
        (r"\b(?:you\s+can\s+)?preview\s+(?:it|the\s+(?:video|result|clip))\s+in\s+the\s+"
         r"(?:timeline|editor|preview\s+(?:panel|window))", _STATE),
        (r"\b(?:check|see|view)\s+(?:it\s+)?(?:in\s+)?the\s+timeline"
         r"(?:\s+(?:panel|view))?", _STATE),
        (r"\b(?:open|go\s+to)\s+the\s+timeline(?:\s+(?:panel|view|tab|editor))?",
         'say "show tracks"'),
        (r"\bopen\s+the\s+[\w\s-]{1,30}?\s+(?:panel|tab|sidebar|menu|settings)\s+to\s+"
         r"([^.!?,;。！？]+?)(?=,|;|\s+then\b|\s+and\b|[.!?。！？]|$)",
         r"to \1, tell me what you want"),
        (r"\bopen\s+the\s+[\w\s-]{1,30}?\s+(?:panel|tab|sidebar|menu|settings)", _STATE),
        (r"\b(?:drag(?:\s+and\s+drop)?|drop)\s+(?:it|the\s+[\w\s-]{1,30}?|your\s+[\w\s-]{1,30}?)"
         r"\s+(?:onto|into|to|on)\s+the\s+[\w\s-]{0,30}?(?:timeline|track|canvas)"
         r"(?:\s+to\s+([^.!?。！？]+))?", _DESCRIBE),
        (r"\brefresh\s+(?:the|your)\s+(?:page|browser)(?:\s+to\s+see\s+(?:it|the\s+changes))?", ""),
        # Chinese
        (r"(?:请)?点击[「“\"]?(?:导出|下载)[」”\"]?(?:按钮)?(?:即可|来|以)?(?:下载|导出)?"
         r"(?:视频)?", "说“导出”即可渲染并下载"),
        (r"(?:请)?(?:在|到)?(?:账户|账号|账单)(?:页面|设置)?(?:中)?查看", "问我“积分”即可查看余额"),
        (r"(?:可以)?在时间线(?:中|里|上)预览", "说“状态”即可查看时间线"),
        (r"(?:请)?打开[\w\u4e00-\u9fff]{1,10}?面板", "说“状态”即可查看时间线"),
        (r"(?:请)?(?:将|把)?[\w\u4e00-\u9fff]{0,10}?拖(?:动|拽|放)到[\w\u4e00-\u9fff]{1,10}",
         "用文字告诉我要改什么"),
    )
)  # fmt: skip

_TEMPORARY = re.compile(
    r"^\W*(?:sorry,?\s*)?i\s+(?:encountered|ran\s+into|hit)\s+(?:a\s+)?temporary\s+(?:issue|error|problem)"
    r"|遇到(?:了)?(?:一个)?临时(?:问题|错误)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?;:])")
_DOUBLE_PUNCT = re.compile(r"([,.!?;:])[,.;:]+")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")


def translate(text: str) -> str:
    """``text`` with every GUI instruction replaced by the skill's equivalent."""
    out = text
    for pattern, replacement in RULES:
        out = pattern.sub(replacement, out)
    out = _SPACES.sub(" ", out)
    out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
    out = _DOUBLE_PUNCT.sub(r"\1", out)
    if out == text:
        return text
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), out.strip())


def is_temporary_issue(text: str) -> bool:
    """True for the backend's "I encountered a temporary issue" family of texts."""
    return bool(_TEMPORARY.search(text.strip()))
