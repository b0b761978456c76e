"""Titles and captions: font choice by glyph coverage, wrapping and fitting, fades."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nemo_skill.local.engine import text as tx

SIZE = (320, 180)
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _seg(text: str, **extra: object) -> dict[str, object]:
    return {"id": "seg_t", "st": 0, "d": 1000, "text": text, "role": "title", **extra}


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed")
def test_coverage_tells_real_glyphs_from_tofu() -> None:
    assert tx._covers(DEJAVU, "A")
    assert tx._covers(DEJAVU, "Ω")
    assert not tx._covers(DEJAVU, "夏")  # DejaVu has no Han characters


@pytest.mark.parametrize("text", ["Summer Sale", "夏日特卖"])
def test_without_any_font_file_the_builtin_font_draws(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tx, "_font_files", lambda: ())
    overlay = tx.make_overlay(_seg(text), SIZE, 0)
    assert overlay is not None
    assert overlay.alphas[0].max() > 0.9  # opaque text pixels exist


def _lines_drawn(overlay: tx.Overlay) -> int:
    """Bands of rows holding text, separated by empty rows."""
    rows = overlay.alphas[0].max(axis=1) > 0.5
    return int(np.sum(rows[1:] & ~rows[:-1]) + rows[0])


def test_long_text_wraps_and_stays_inside_the_frame() -> None:
    short = tx.make_overlay(_seg("Sale", size=0.12), SIZE, 0)
    long = tx.make_overlay(
        _seg("A very long title that cannot fit on one line", size=0.12), SIZE, 0
    )
    cjk = tx.make_overlay(
        _seg(
            "这是一个很长的中文标题需要换行显示出来才行这是一个很长的中文标题需要换行显示出来才行",
            size=0.12,
        ),
        SIZE,
        0,
    )
    assert short is not None and long is not None and cjk is not None
    assert _lines_drawn(short) == 1
    assert _lines_drawn(long) >= 2
    assert _lines_drawn(cjk) >= 2
    for overlay in (short, long, cjk):
        h, w = overlay.alphas[0].shape
        assert overlay.x >= 0 and overlay.y >= 0
        assert overlay.x + w <= SIZE[0] and overlay.y + h <= SIZE[1]


def test_an_unbreakable_word_shrinks_to_fit() -> None:
    word = "Supercalifragilisticexpialidocious-Extravaganza"
    overlay = tx.make_overlay(_seg(word, size=0.2), SIZE, 0)
    assert overlay is not None
    alpha = overlay.alphas[0]
    columns = np.nonzero(alpha.max(axis=0) > 0.5)[0]
    # Both ends of the word are inside the frame: ink starts and ends away from the edges.
    assert overlay.x + columns[0] > 0
    assert overlay.x + columns[-1] < SIZE[0] - 1


def test_opacity_follows_times_and_fades() -> None:
    overlay = tx.make_overlay(_seg("Hi", st=0, fade_in=200, fade_out=400), SIZE, 1000)
    assert overlay is not None
    assert overlay.opacity(999) == 0
    assert overlay.opacity(1000) == 0
    assert overlay.opacity(1100) == pytest.approx(0.5)
    assert overlay.opacity(1500) == 1
    assert overlay.opacity(1800) == pytest.approx(0.5)
    assert overlay.opacity(2000) == 0


def test_blank_text_draws_nothing() -> None:
    assert tx.make_overlay(_seg("   "), SIZE, 0) is None
