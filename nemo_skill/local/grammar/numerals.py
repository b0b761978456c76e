"""Chinese/Japanese numerals as numbers (二十 20, 两 2, 一百 100): shared by the interpreter
and the photo targets."""

from __future__ import annotations


def cjk_int(chars: str) -> int | None:
    """``chars`` (零〇一二两兩三…九十百) as a number, or None when another character is in it."""
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
    total, current = 0, 0
    for ch in chars:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current
