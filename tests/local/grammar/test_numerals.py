"""Chinese/Japanese numerals (nemo_skill/local/grammar/numerals.py)."""

from __future__ import annotations

import pytest

from nemo_skill.local.grammar.numerals import cjk_int


@pytest.mark.parametrize(
    ("chars", "value"),
    [("二", 2), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十五", 25), ("一百", 100),
     ("零", 0), ("三张", None)],
)  # fmt: skip
def test_numerals(chars: str, value: int | None) -> None:
    assert cjk_int(chars) == value
