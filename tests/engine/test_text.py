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


def test_without_any_font_file_latin_draws_and_cjk_is_left_out_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tx, "font_files", lambda **_: ())
    latin = tx.make_overlay(_seg("Summer Sale"), SIZE, 0)
    assert latin is not None and latin.alphas[0].max() > 0.9  # Pillow's built-in font draws
    assert tx.choose_face("Summer Sale").path is None
    assert tx.make_overlay(_seg("夏日特卖"), SIZE, 0) is None  # never boxes
    notes = tx.text_notes(_seg("夏日特卖"), SIZE)
    assert [(n.kind, n.detail) for n in notes] == [("chars_dropped", "夏日特卖")]


# --- the packaged font: CJK without any system font -------------------------------------


@pytest.fixture
def packaged_only(monkeypatch: pytest.MonkeyPatch) -> Path:
    """System fonts hidden (as on a machine with none); the packaged CJK font's path."""
    monkeypatch.setenv(tx.SYSTEM_FONTS_ENV, "0")
    packaged = tx.packaged_font_files()
    assert packaged, f"the `local` extra installs {tx.FONT_PACKAGES}: reinstall with [local]"
    assert tx.font_files() == packaged
    return packaged[0]


def _mask(font: object, text: str) -> bytes:
    mask = font.getmask(text)  # type: ignore[attr-defined]
    return bytes(mask) + repr(mask.size).encode()


def _ink(overlay: tx.Overlay | None) -> np.ndarray:
    assert overlay is not None
    return overlay.alphas[0] > 0.5


@pytest.mark.parametrize("title", ["夏日特卖会", "夏の思い出をシェア"])
def test_chinese_and_japanese_titles_draw_real_glyphs_with_only_the_packaged_font(
    title: str, packaged_only: Path
) -> None:
    face = tx.choose_face(title)
    assert face.path == packaged_only and face.text == title and face.dropped == ""
    assert tx.text_notes(_seg(title), SIZE) == []
    font = face.font(48)
    tofu = _mask(font, tx._MISSING)
    masks = {c: _mask(font, c) for c in title}
    assert tofu not in masks.values()  # no character is the missing-glyph box
    assert len(set(masks.values())) == len(set(title))  # different characters, different ink
    assert _mask(font, title) != _mask(font, tx._MISSING * len(title))
    # The overlay draws them all: ink in each character's column band, none left out.
    drawn = _ink(tx.make_overlay(_seg(title, size=0.1), (640, 360), 0))
    columns = drawn.any(axis=0)
    bands = np.array_split(np.arange(columns.size), len(title))
    assert all(columns[band].any() for band in bands)


def test_the_packaged_font_draws_the_six_languages_latin_too(packaged_only: Path) -> None:
    for text in ("Summer Sale", "¡Oferta de verano!", "Été à Paris", "Größe", "夏", "カ"):
        assert tx.choose_face(text) == tx.Face(packaged_only, text), text


# --- emoji and text that does not fit -----------------------------------------------------


def test_emoji_are_drawn_with_the_packaged_emoji_font(packaged_only: Path) -> None:
    title = "Summer 😀 Sale 🏖️"  # the variation selector after 🏖 is not drawn
    face = tx.choose_face(title)
    emoji_font = next(p for p in tx.packaged_font_files() if "Emoji" in p.name)
    assert (face.path, face.text, face.dropped) == (packaged_only, "Summer 😀 Sale 🏖", "")
    assert dict(face.fallback) == {"😀": emoji_font, "🏖": emoji_font}
    assert face.runs("Summer 😀 Sale 🏖") == [
        ("Summer ", packaged_only), ("😀 ", emoji_font), ("Sale ", packaged_only),
        ("🏖", emoji_font),
    ]  # fmt: skip
    assert tx.text_notes(_seg(title), SIZE) == []
    font = tx.Face(emoji_font, "").font(48)
    tofu = _mask(font, tx._MISSING)
    assert tofu not in (_mask(font, "😀"), _mask(font, "🏖"))  # real glyphs, not the box
    assert _mask(font, "😀") != _mask(font, "🏖")
    # Drawn: the line is wider than without the emoji, and ink where each emoji sits.
    with_emoji = _ink(tx.make_overlay(_seg(title), (640, 360), 0))
    without = _ink(tx.make_overlay(_seg("Summer Sale"), (640, 360), 0))
    assert with_emoji.shape[1] > without.shape[1] * 1.2
    columns = with_emoji.any(axis=0)
    sized = face.at(int(360 * 0.08))
    start, advance = sized.length("Summer "), sized.length("😀")
    emoji_cols = slice(int(start + advance * 0.3), int(start + advance * 0.7))
    assert columns[emoji_cols].all()  # the smiley is drawn where its run starts


def test_without_an_emoji_font_emoji_are_left_out_with_a_note_never_boxes(
    packaged_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tx, "FONT_PACKAGES", ("noto_cjk_sans_jp_bold",))
    title = "Summer 😀 Sale 🏖️"
    face = tx.choose_face(title)
    assert (face.text, face.dropped, face.emoji_dropped) == ("Summer Sale", "😀🏖", True)
    with_emoji = _ink(tx.make_overlay(_seg(title), SIZE, 0))
    without = _ink(tx.make_overlay(_seg("Summer Sale"), SIZE, 0))
    assert with_emoji.shape == without.shape and (with_emoji == without).all()
    assert [(n.kind, n.detail) for n in tx.text_notes(_seg(title), SIZE)] == [
        ("emoji_dropped", "😀🏖")
    ]
    # A title of emoji only draws nothing, and says so.
    assert tx.make_overlay(_seg("🎉🎉"), SIZE, 0) is None
    assert [n.kind for n in tx.text_notes(_seg("🎉🎉"), SIZE)] == ["emoji_dropped"]


def test_a_title_too_long_to_fit_says_so_and_stays_inside_the_frame(packaged_only: Path) -> None:
    size = (360, 640)  # 9:16
    long = "This summer only: every sandal, towel and hat in the shop at half price " * 4
    notes = tx.text_notes(_seg(long), size)
    assert [(n.kind, n.role, n.text) for n in notes] == [("too_long", "title", long.strip())]
    assert tx.text_notes(_seg("Half price this summer"), size) == []
    overlay = tx.make_overlay(_seg(long), size, 0)
    assert overlay is not None
    h, w = overlay.alphas[0].shape
    assert overlay.x >= 0 and overlay.y >= 0
    assert overlay.x + w <= size[0] and overlay.y + h <= size[1]
    # Longer than MAX_LINES lines at a readable size is too long too, even when it fits.
    four_lines = "Sandals\nTowels\nHats\nSunglasses"
    assert [n.kind for n in tx.text_notes(_seg(four_lines, size=0.05), size)] == ["too_long"]
    assert tx.text_notes(_seg("Sandals\nTowels\nHats", size=0.05), size) == []


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
