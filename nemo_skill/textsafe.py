"""Text on its way to a terminal: control characters never reach it raw.

Titles, replies from a backend, file names and error messages can carry
anything, and a terminal obeys what it reads: ``ESC [ 2 J`` clears the screen,
``ESC ] 0 ; … BEL`` retitles the window, ``CSI`` (U+009B) starts a sequence on
its own in some terminals, a carriage return or a backspace overwrites what
was written before it. :func:`for_terminal` is the one place that makes such
text safe for the CLI's human output (replies, state, progress, errors):
every C0 and C1 control except newline and tab, and DEL, becomes a visible
escape such as ``\\x1b``; a line break as ``\\r\\n`` stays a line break.
CJK, emoji and every other printable character pass unchanged.

JSON output is escaped by :func:`json_line`: ``json.dumps`` already writes C0
controls as ``\\u001b``, but with ``ensure_ascii=False`` it leaves DEL and the
C1 range raw, so those are escaped too (still the same JSON value).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

# C0 controls but \t and \n, DEL, and the C1 range (U+0080-U+009F, CSI U+009B among them).
_CONTROL: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_RAW: Final = re.compile("[\x7f-\x9f]")  # what json.dumps(ensure_ascii=False) leaves raw
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def for_terminal(text: str) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``).

    ``\\r\\n`` becomes ``\\n``; newline and tab stay; lone surrogates (undecodable input)
    become U+FFFD so the text always encodes as UTF-8.
    """
    text = _SURROGATE.sub("\ufffd", text.replace("\r\n", "\n"))
    return _CONTROL.sub(_visible, text)


def json_line(data: Any) -> str:
    """``data`` as one line of JSON, readable (``ensure_ascii=False``) and safe to print."""
    line = json.dumps(data, ensure_ascii=False, default=str)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", _SURROGATE.sub("\ufffd", line))
