"""Titles and captions: drawn once with Pillow on an RGBA overlay, blended per frame."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.draft import STRICT

if TYPE_CHECKING:
    import numpy as np
    from PIL import ImageFont

# Font packages installed with the `local` extra (import names): searched before the system's
# fonts, so a machine with no CJK font (Debian without fonts-noto-cjk, containers, CI) still
# draws Chinese and Japanese, and every machine draws titles with the same face.
FONT_PACKAGES = ("noto_cjk_sans_jp_bold",)  # Noto Sans CJK JP Bold: Latin, Greek, Cyrillic, CJK
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


@functools.cache
def packaged_font_files() -> tuple[Path, ...]:
    """The font files of the installed :data:`FONT_PACKAGES` (found without importing them)."""
    import importlib.util

    found: list[Path] = []
    for name in FONT_PACKAGES:
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


def _font_files() -> tuple[Path, ...]:
    return font_files()


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


@dataclass(frozen=True)
class Face:
    """The font a text is drawn with, and what of the text it can draw.

    ``text`` is the text with the characters no font draws left out (never drawn as boxes);
    ``dropped`` lists those characters once each, in order.
    """

    path: Path | None  # None: Pillow's built-in font
    text: str
    dropped: str = ""

    def font(self, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        """The face at ``size`` pixels."""
        from PIL import ImageFont

        if self.path is not None:
            with contextlib.suppress(OSError):
                return ImageFont.truetype(str(self.path), size)
        return ImageFont.load_default(size=size)

    @property
    def emoji_dropped(self) -> bool:
        """Whether emoji (or other pictographs) were left out."""
        return any(_is_symbol(c) for c in self.dropped)


def choose_face(text: str, *, system: bool | None = None) -> Face:
    """The first font covering every character of ``text`` (packaged fonts, then the
    system's), else the one covering most, else Pillow's built-in font; characters the
    chosen font cannot draw are left out of :attr:`Face.text`."""
    text = _INVISIBLE.sub("", text.replace("\t", " "))
    chars = sorted({c for c in text if not c.isspace()})
    best: tuple[int, Path | None] = (-1, None)
    for path in (*font_files(system=system), None):
        covered = sum(_covers(path, c) for c in chars)
        if covered == len(chars):
            best = (covered, path)
            break
        if covered > best[0] and _probe_font(path) is not None:
            best = (covered, path)
    missing = {c for c in chars if not _covers(best[1], c)}
    if not missing:
        return Face(best[1], text)
    kept = "".join(c for c in text if c not in missing)
    dropped = "".join(dict.fromkeys(c for c in text if c in missing))
    return Face(best[1], re.sub(r"[ \t]{2,}", " ", kept).strip(), dropped)


def font_for(text: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The font :func:`choose_face` picks for ``text``, at ``size`` pixels."""
    return choose_face(text).font(size)


_TOKENS = re.compile(
    r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]|[^\s\u3000-\u9fff]+|\s+"
)


def _wrap(text: str, font: Any, max_width: int, draw: Any) -> list[str]:
    """Greedy wrap: Latin words stay whole, CJK may break between any two characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _TOKENS.findall(paragraph):
            trial = line + token
            if not line.strip() or draw.textlength(trial.rstrip(), font=font) <= max_width:
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
    font: Any
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
READABLE_REL = 0.025


def readable_px(height: int) -> int:
    """The smallest text height still readable on a frame ``height`` pixels high."""
    return max(MIN_FONT_PX, round(height * READABLE_REL))


def _layout(face: Face, px: int, size: tuple[int, int], draw: Any) -> _Layout:
    """Font, wrapped lines and metrics; the font shrinks until the block fits the frame in
    at most MAX_LINES lines, then (too long) until it fits at all, down to MIN_FONT_PX."""
    width, height = size
    readable = readable_px(height)
    while True:
        font = face.font(px)
        stroke = max(1, round(px * 0.08))
        lines = _wrap(face.text, font, int(width * 0.86), draw)
        boxes = [draw.textbbox((0, 0), line, font=font, stroke_width=stroke) for line in lines]
        line_h = max(b[3] - b[1] for b in boxes) + stroke
        widest = max(b[2] - b[0] for b in boxes) + stroke
        fit = min(width * 0.94 / widest, height * 0.84 / (line_h * len(lines)))
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
    from PIL import Image, ImageDraw

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
    if face.text:
        draw = ImageDraw.Draw(Image.new("L", (1, 1)))
        if not _layout(face, px, size, draw).fits:
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
    lay = _layout(face, px, size, draw)
    block_h = lay.line_h * len(lay.lines)
    position = STRICT.text(seg, "position", "center" if role == "title" else "bottom")
    top = {"top": height * 0.08, "bottom": height * 0.9 - block_h}.get(
        position, (height - block_h) / 2
    )
    top = max(0.0, min(top, height - block_h))
    fill = (*_hex(STRICT.text(seg, "color", "#FFFFFF")), 255)
    for i, (line, box) in enumerate(zip(lay.lines, lay.boxes, strict=True)):
        x = (width - (box[2] - box[0])) / 2 - box[0]
        y = top + i * lay.line_h - box[1]
        shadow = (x + lay.stroke, y + lay.stroke)
        draw.text(shadow, line, font=lay.font, fill=(0, 0, 0, 140))
        draw.text(
            (x, y),
            line,
            font=lay.font,
            fill=fill,
            stroke_width=lay.stroke,
            stroke_fill=(0, 0, 0, 220),
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
