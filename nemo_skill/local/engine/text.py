"""Titles and captions: drawn once with Pillow on an RGBA overlay, blended per frame."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.draft import STRICT
from nemo_skill.local.engine.safezone import text_area

if TYPE_CHECKING:
    import numpy as np
    from PIL import ImageFont

# Font packages installed with the `local` extra (import names): searched before the system's
# fonts, so a machine with no CJK font (Debian without fonts-noto-cjk, containers, CI) still
# draws Chinese and Japanese, and every machine draws titles with the same face.
FONT_PACKAGES = (
    "noto_cjk_sans_jp_bold",  # Noto Sans CJK JP Bold: Latin, Greek, Cyrillic, CJK
    "manimgx_fonts",  # Noto Emoji (monochrome), Noto Sans Symbols and the other scripts' Noto
)
SYSTEM_FONTS_ENV = "NEMO_SYSTEM_FONTS"  # "0": only the packaged fonts (reproducible renders)
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local/share/fonts",
    Path("/System/Library/Fonts"),  # macOS
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
# Bold sans faces first; CJK families are only chosen when the text needs them (coverage test).
_PREFERRED = (
    "DejaVuSans-Bold",
    "NotoSans-Bold",
    "LiberationSans-Bold",
    "Arial Bold",
    "FreeSansBold",
    "NotoSansCJK-Bold",
    "NotoSansSC-Bold",
    "SourceHanSans",
    "wqy-zenhei",
    "WenQuanYi",
    "PingFang",
    "msyh",
    "DejaVuSans",
)
_PROBE_SIZE = 24
MIN_FONT_PX = 10
_MISSING = "\U0010fffd"  # a private-use code point no font draws: its glyph is the "tofu" box
# Characters that draw nothing themselves: control characters (a title may carry terminal
# escapes), and those that only shape their neighbours (zero-width joiner, variation
# selectors, keycap, tags). Removed before drawing, since a font without them shows a box,
# and the emoji sequences they build are left out anyway.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200d\u2060\ufe00-\ufe0f\u20e3\U000e0000-\U000e007f]"
)


def packaged_font_files() -> tuple[Path, ...]:
    """The font files of the installed :data:`FONT_PACKAGES` (found without importing them)."""
    return _package_fonts(FONT_PACKAGES)


@functools.cache
def _package_fonts(names: tuple[str, ...]) -> tuple[Path, ...]:
    import importlib.util

    found: list[Path] = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            found += sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in _FONT_SUFFIXES)
    return tuple(found)


@functools.cache
def system_font_files() -> tuple[Path, ...]:
    """Installed font files under :data:`FONT_DIRS`, preferred faces first."""
    found: list[Path] = []
    for base in FONT_DIRS:
        with contextlib.suppress(OSError):
            if base.is_dir():
                found += [p for p in base.rglob("*") if p.suffix.lower() in _FONT_SUFFIXES]
    rank = {name.lower(): i for i, name in enumerate(_PREFERRED)}

    def score(p: Path) -> tuple[int, str]:
        stem = p.stem.lower()
        return min((i for n, i in rank.items() if stem.startswith(n)), default=len(rank)), stem

    return tuple(sorted(found, key=score))


def font_files(*, system: bool | None = None) -> tuple[Path, ...]:
    """Where fonts are searched, in order: the packaged fonts, then the system's.

    ``system=False`` (or ``NEMO_SYSTEM_FONTS=0`` when ``system`` is None) hides the system's.
    """
    if system is None:
        system = os.environ.get(SYSTEM_FONTS_ENV, "1").strip().lower() not in ("0", "no", "false")
    return packaged_font_files() + (system_font_files() if system else ())


@functools.cache
def _probe_font(path: Path | None) -> ImageFont.FreeTypeFont | ImageFont.ImageFont | None:
    """The font at ``path`` at the probe size; ``None`` is Pillow's built-in font."""
    from PIL import ImageFont

    try:
        if path is None:
            return ImageFont.load_default(size=_PROBE_SIZE)
        return ImageFont.truetype(str(path), _PROBE_SIZE)
    except OSError:  # unreadable or not really a font
        return None


@functools.cache
def _covers(path: Path | None, char: str) -> bool:
    """Whether the font at ``path`` has a real glyph for ``char`` (not the tofu box)."""
    font = _probe_font(path)
    if font is None:
        return False
    try:
        glyph, tofu = font.getmask(char), font.getmask(_MISSING)
    except (OSError, ValueError):
        return False
    return bool(glyph.getbbox()) and (glyph.size != tofu.size or bytes(glyph) != bytes(tofu))


def _is_symbol(char: str) -> bool:
    """Emoji and pictographs (``So``, skin tones ``Sk``, regional indicators for flags)."""
    return unicodedata.category(char) in ("So", "Sk") or 0x1F1E6 <= ord(char) <= 0x1F1FF


@functools.cache
def _truetype(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The font at ``path`` (None: Pillow's built-in one) at ``size`` px; a variable font
    (Noto Emoji) at its bold instance, like the bold faces titles use."""
    from PIL import ImageFont

    if path is not None:
        with contextlib.suppress(OSError):
            font = ImageFont.truetype(str(path), size)
            with contextlib.suppress(OSError, ValueError, AttributeError):
                if b"Bold" in font.get_variation_names():
                    font.set_variation_by_name("Bold")
            return font
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Face:
    """The fonts a text is drawn with, and what of the text they can draw.

    ``path`` draws the text's letters; ``fallback`` names, for each character that font
    lacks (emoji, another script), the font that draws it. ``text`` is the text with the
    characters no font draws left out (never drawn as boxes); ``dropped`` lists those
    characters once each, in order.
    """

    path: Path | None  # None: Pillow's built-in font
    text: str
    dropped: str = ""
    fallback: tuple[tuple[str, Path], ...] = ()

    def font(self, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        """The main font at ``size`` pixels."""
        return _truetype(self.path, size)

    def at(self, size: int) -> Sized:
        """The face at ``size`` pixels, to measure and draw lines with."""
        return Sized(self, size)

    def runs(self, line: str) -> list[tuple[str, Path | None]]:
        """``line`` cut into runs drawn with one font each (spaces and combining marks join
        the run before, so a vowel sign is shaped with its consonant)."""
        other = dict(self.fallback)
        out: list[tuple[str, Path | None]] = []
        for char in line:
            joins = char.isspace() or unicodedata.category(char) in ("Mn", "Mc", "Me")
            path = out[-1][1] if joins and out else other.get(char, self.path)
            if out and out[-1][1] == path:
                out[-1] = (out[-1][0] + char, path)
            else:
                out.append((char, path))
        return out

    @property
    def emoji_dropped(self) -> bool:
        """Whether emoji (or other pictographs) were left out."""
        return any(_is_symbol(c) for c in self.dropped)


@dataclass(frozen=True)
class Sized:
    """A :class:`Face` at one size: lines measured and drawn run by run on one baseline."""

    face: Face
    size: int

    def _pieces(self, line: str) -> list[tuple[str, Any, float]]:
        """``(run, font, x)``: each run with its font and where it starts."""
        out, x = [], 0.0
        for run, path in self.face.runs(line):
            font = _truetype(path, self.size)
            out.append((run, font, x))
            x += font.getlength(run)
        return out

    def length(self, line: str) -> float:
        """The advance width of ``line``."""
        return float(sum(font.getlength(run) for run, font, _ in self._pieces(line)))

    def bbox(self, line: str, stroke: int) -> tuple[float, float, float, float]:
        """The ink box of ``line`` drawn at (0, 0) with the baseline at y = 0."""
        boxes = [
            font.getbbox(run, stroke_width=stroke, anchor="ls")
            for run, font, _ in self._pieces(line)
        ]
        xs = [x for _, _, x in self._pieces(line)]
        return (
            min(b[0] + x for b, x in zip(boxes, xs, strict=True)),
            min(b[1] for b in boxes),
            max(b[2] + x for b, x in zip(boxes, xs, strict=True)),
            max(b[3] for b in boxes),
        )

    def draw(self, draw: Any, xy: tuple[float, float], line: str, **style: Any) -> None:
        """Draw ``line`` with its baseline's start at ``xy``."""
        for run, font, x in self._pieces(line):
            draw.text((xy[0] + x, xy[1]), run, font=font, anchor="ls", **style)


def _font_for_letters(chars: list[str], fonts: tuple[Path | None, ...]) -> Path | None:
    """The first font with every letter of ``chars`` (emoji aside), else the one with most."""
    letters = [c for c in chars if not _is_symbol(c)] or chars
    best: tuple[int, Path | None] = (-1, None)
    for path in fonts:
        covered = sum(_covers(path, c) for c in letters)
        if covered == len(letters):
            return path
        if covered > best[0] and _probe_font(path) is not None:
            best = (covered, path)
    return best[1]


def choose_face(text: str, *, system: bool | None = None) -> Face:
    """The fonts for ``text``: for its letters the first font that has them all (packaged
    fonts, then the system's), else the one with most, else Pillow's built-in font; each
    other character (emoji, another script) from the first font that has it; characters no
    font has are left out of :attr:`Face.text`."""
    text = _INVISIBLE.sub("", text.replace("\t", " "))
    chars = sorted({c for c in text if not c.isspace()})
    fonts = (*font_files(system=system), None)
    main = _font_for_letters(chars, fonts)
    fallback: list[tuple[str, Path]] = []
    missing = set()
    for char in (c for c in chars if not _covers(main, c)):
        found = next((p for p in fonts if p is not None and _covers(p, char)), None)
        if found is None:
            missing.add(char)
        else:
            fallback.append((char, found))
    if not missing:
        return Face(main, text, "", tuple(fallback))
    kept = "".join(c for c in text if c not in missing)
    dropped = "".join(dict.fromkeys(c for c in text if c in missing))
    return Face(main, re.sub(r"[ \t]{2,}", " ", kept).strip(), dropped, tuple(fallback))


_TOKENS = re.compile(
    r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]|[^\s\u3000-\u9fff]+|\s+"
)


def _wrap(text: str, measure: Callable[[str], float], max_width: int) -> list[str]:
    """Greedy wrap: Latin words stay whole, CJK may break between any two characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _TOKENS.findall(paragraph):
            trial = line + token
            if not line.strip() or measure(trial.rstrip()) <= max_width:
                line = trial
            else:
                lines.append(line.rstrip())
                line = token.lstrip()
        lines.append(line.strip())
    return [line for line in lines if line] or [text.strip()]


Planes = tuple["np.ndarray", "np.ndarray", "np.ndarray"]  # Y (h, w), U and V (h/2, w/2)


@dataclass
class Overlay:
    """A pre-drawn text overlay in yuv420p: premultiplied planes and alpha, in an even box."""

    x: int  # even
    y: int  # even
    planes: Planes  # premultiplied Y, U, V as float32
    alphas: tuple[np.ndarray, np.ndarray]  # alpha at luma and at chroma resolution
    start_ms: int
    end_ms: int
    fade_in_ms: int
    fade_out_ms: int

    def opacity(self, t_ms: float) -> float:
        """0 outside the segment, ramps during the fades."""
        if t_ms < self.start_ms or t_ms >= self.end_ms:
            return 0.0
        value = 1.0
        if self.fade_in_ms:
            value = min(value, (t_ms - self.start_ms) / self.fade_in_ms)
        if self.fade_out_ms:
            value = min(value, (self.end_ms - t_ms) / self.fade_out_ms)
        return max(0.0, min(1.0, value))

    def blend(self, frame: Planes, t_ms: float) -> None:
        """Alpha-blend onto the frame's Y, U, V planes (uint8, in place)."""
        a = self.opacity(t_ms)
        if a <= 0:
            return
        for index, plane in enumerate(frame):
            scale = 1 if index == 0 else 2
            alpha = self.alphas[0 if index == 0 else 1]
            h, w = alpha.shape
            y, x = self.y // scale, self.x // scale
            region = plane[y : y + h, x : x + w]
            mixed = region * (1.0 - alpha * a) + self.planes[index] * a
            region[...] = mixed.astype(plane.dtype)


def _hex(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", value):
        return 255, 255, 255
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@dataclass(frozen=True)
class _Layout:
    font: Sized
    lines: list[str]
    boxes: list[tuple[float, float, float, float]]
    stroke: int
    line_h: float
    px: int = 0
    fits: bool = True  # within MAX_LINES lines at READABLE_REL or more, inside the frame


# A text that needs more lines than this, or a smaller size than this fraction of the frame
# height (27 px at 1080p, never under MIN_FONT_PX), does not fit: it is still drawn, shrunk
# until it is inside the frame, and the reply that sets it says so (see text_notes).
MAX_LINES = 3
WRAP = 0.915  # lines wrap at this share of the text area's width (room for the outline)
READABLE_REL = 0.025


def readable_px(height: int) -> int:
    """The smallest text height still readable on a frame ``height`` pixels high."""
    return max(MIN_FONT_PX, round(height * READABLE_REL))


def _layout(face: Face, px: int, size: tuple[int, int]) -> _Layout:
    """Font, wrapped lines and metrics; the font shrinks until the block fits the frame in
    at most MAX_LINES lines, then (too long) until it fits at all, down to MIN_FONT_PX."""
    readable = readable_px(size[1])
    area = text_area(size)  # the platform's safe zone on vertical clips
    while True:
        font = face.at(px)
        stroke = max(1, round(px * 0.08))
        lines = _wrap(face.text, font.length, int(area.width * WRAP))
        boxes = [font.bbox(line, stroke) for line in lines]
        line_h = max(b[3] - b[1] for b in boxes) + stroke
        widest = max(b[2] - b[0] for b in boxes) + stroke
        fit = min(area.width / widest, area.height / (line_h * len(lines)))
        many = len(lines) > MAX_LINES and px > readable
        if (fit >= 1 and not many) or px <= MIN_FONT_PX:
            fits = fit >= 1 and len(lines) <= MAX_LINES and px >= readable
            return _Layout(font, lines, boxes, stroke, line_h, px, fits)
        if many and fit >= 1:  # fits the frame but in too many lines: shrink towards readable
            px = max(readable, min(px - 1, int(px * 0.9)))
        else:
            px = max(MIN_FONT_PX, min(px - 1, int(px * fit)))


@dataclass(frozen=True)
class TextNote:
    """Something the viewer will not see as written: ``kind`` is ``emoji_dropped`` (emoji or
    pictographs left out), ``chars_dropped`` (other characters no font draws) or
    ``too_long`` (more than MAX_LINES lines, or smaller than readable, at this frame size)."""

    kind: str
    role: str
    text: str
    detail: str = ""


def _start_px(seg: Mapping[str, Any], height: int) -> tuple[str, int]:
    role = STRICT.text(seg, "role", "title")
    rel = STRICT.number(seg, "size", 0.08 if role == "title" else 0.05, lo=0.02, hi=0.3)
    return role, max(MIN_FONT_PX, int(height * rel))


def text_notes(seg: Mapping[str, Any], size: tuple[int, int]) -> list[TextNote]:
    """What of text segment ``seg`` will not show as written on a ``size`` frame (no drawing:
    font choice and layout only, a few milliseconds)."""
    text = STRICT.text(seg, "text", "").strip()
    if not text:
        return []
    role, px = _start_px(seg, size[1])
    face = choose_face(text)
    notes = []
    if face.dropped:
        symbols = "".join(c for c in face.dropped if _is_symbol(c))
        if symbols:
            notes.append(TextNote("emoji_dropped", role, text, symbols))
        if len(symbols) < len(face.dropped):
            others = "".join(c for c in face.dropped if not _is_symbol(c))
            notes.append(TextNote("chars_dropped", role, text, others))
    if face.text and not _layout(face, px, size).fits:
        notes.append(TextNote("too_long", role, text))
    return notes


def make_overlay(seg: Mapping[str, Any], size: tuple[int, int], start_ms: int) -> Overlay | None:
    """Draw one text segment; ``None`` when it has nothing to draw."""
    import numpy as np
    from PIL import Image, ImageDraw

    text = STRICT.text(seg, "text", "").strip()
    face = choose_face(text)
    if not face.text:
        return None  # blank, or only characters no font draws (see text_notes)
    width, height = size
    role, px = _start_px(seg, height)
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    lay = _layout(face, px, size)
    block_h = lay.line_h * len(lay.lines)
    position = STRICT.text(seg, "position", "center" if role == "title" else "bottom")
    area = text_area(size)
    top = {"top": area.y0, "bottom": area.y1 - block_h}.get(position, (height - block_h) / 2)
    top = max(area.y0, min(top, area.y1 - block_h))
    fill = (*_hex(STRICT.text(seg, "color", "#FFFFFF")), 255)
    for i, (line, box) in enumerate(zip(lay.lines, lay.boxes, strict=True)):
        x = (width - (box[2] - box[0])) / 2 - box[0]
        y = top + i * lay.line_h - box[1]
        shadow = (x + lay.stroke, y + lay.stroke)
        lay.font.draw(draw, shadow, line, fill=(0, 0, 0, 140))
        lay.font.draw(
            draw, (x, y), line, fill=fill, stroke_width=lay.stroke, stroke_fill=(0, 0, 0, 220)
        )
    bbox = canvas.getbbox()
    if bbox is None:
        return None
    return _to_overlay(np.asarray(canvas), bbox, seg, start_ms)


def _to_overlay(
    rgba: np.ndarray, bbox: tuple[int, int, int, int], seg: Mapping[str, Any], start_ms: int
) -> Overlay:
    """Crop to an even-aligned box and convert to premultiplied yuv420p planes."""
    import cv2
    import numpy as np

    height, width = rgba.shape[:2]
    x0, y0 = bbox[0] // 2 * 2, bbox[1] // 2 * 2
    x1, y1 = min(width, (bbox[2] + 1) // 2 * 2), min(height, (bbox[3] + 1) // 2 * 2)
    crop = np.ascontiguousarray(rgba[y0:y1, x0:x1])
    h, w = crop.shape[:2]
    yuv = cv2.cvtColor(np.ascontiguousarray(crop[..., :3]), cv2.COLOR_RGB2YUV_I420).reshape(-1)
    luma = yuv[: h * w].reshape(h, w).astype(np.float32)
    u = yuv[h * w : h * w * 5 // 4].reshape(h // 2, w // 2).astype(np.float32)
    v = yuv[h * w * 5 // 4 :].reshape(h // 2, w // 2).astype(np.float32)
    alpha = crop[..., 3].astype(np.float32) / 255.0
    alpha_half = cv2.resize(alpha, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    return Overlay(
        x=x0,
        y=y0,
        planes=(luma * alpha, u * alpha_half, v * alpha_half),
        alphas=(alpha, alpha_half),
        start_ms=start_ms,
        end_ms=start_ms + STRICT.ms(seg, "d"),
        fade_in_ms=STRICT.ms(seg, "fade_in"),
        fade_out_ms=STRICT.ms(seg, "fade_out"),
    )
