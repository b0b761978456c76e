"""Reading draft values: numbers and times checked, with errors that name the field.

Drafts come from the agent, from clients and from exported files, so any value
may have the wrong type. A bad value stops the render with a
:class:`~nemo_skill.errors.RenderError` saying which field of which segment is
wrong, instead of a ``ValueError`` from deep inside the engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_HINT = "Fix that value in the draft, or ask for the change again in chat."


def _where(obj: Mapping[str, Any]) -> str:
    ident = obj.get("id")
    if not isinstance(ident, str) or not ident:
        return ""
    return f" of {'track' if 'tt' in obj else 'segment'} {ident}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def number(
    obj: Mapping[str, Any],
    key: str,
    default: float,
    *,
    lo: float | None = None,
    hi: float | None = None,
    owner: Mapping[str, Any] | None = None,
    label: str | None = None,
) -> float:
    """``obj[key]`` as a finite float clamped to [lo, hi]; ``default`` when absent or null.

    ``owner`` and ``label`` name the segment and the field in errors when ``obj`` is
    nested in a segment (``transition.d``).
    """
    from nemo_skill.errors import RenderError

    value = obj.get(key)
    where = _where(owner if owner is not None else obj)
    name = label or key
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        raise RenderError(
            f"The draft field '{name}'{where} is not a number: {_short(value)}.", hint=_HINT
        ) from None
    if not math.isfinite(result):
        raise RenderError(
            f"The draft field '{name}'{where} is not a finite number: {_short(value)}.", hint=_HINT
        )
    if lo is not None:
        result = max(lo, result)
    if hi is not None:
        result = min(hi, result)
    return result


def ms(
    obj: Mapping[str, Any],
    key: str,
    default: int = 0,
    *,
    owner: Mapping[str, Any] | None = None,
    label: str | None = None,
) -> int:
    """A time in whole milliseconds, never negative."""
    return round(number(obj, key, default, lo=0, owner=owner, label=label))


def text(obj: Mapping[str, Any], key: str, default: str) -> str:
    """``obj[key]`` as a string; ``default`` when absent, null or empty."""
    value = obj.get(key)
    return default if value is None or value == "" else str(value)


def mapping(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``obj[key]`` when it is an object, else an empty one."""
    value = obj.get(key)
    return value if isinstance(value, Mapping) else {}
