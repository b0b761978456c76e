"""Titles and captions: drawn once with Pillow on an RGBA overlay, blended per frame."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.draft import STRICT

if TYPE_CHECKING:
    import numpy as np
    from PIL import ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local/share/fonts",
    Path("/System/Library/Fonts"),  # macOS
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")
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


@functools.cache
def _font_files() -> tuple[Path, ...]:
    found: list[Path] = []
    for base in FONT_DIRS:
        with contextlib.suppress(OSError):
            if base.is_dir():
                found += [
                    p for p in base.rglob("*") if p.suffix.lower() in (".ttf", ".otf", ".ttc")
                ]
    rank = {name.lower(): i for i, name in enumerate(_PREFERRED)}

    def score(p: Path) -> tuple[int, str]:
        stem = p.stem.lower()
        return min((i for n, i in rank.items() if stem.startswith(n)), default=len(rank)), stem

    return tuple(sorted(found, key=score))


@functools.cache
def _probe_font(path: Path) -> ImageFont.FreeTypeFont | None:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(path), _PROBE_SIZE)
    except OSError:  # unreadable or not really a font
        return None


@functools.cache
def _covers(path: Path, char: str) -> bool:
    """Whether the font at ``path`` has a real glyph for ``char`` (not the tofu box)."""
    font = _probe_font(path)
    if font is None:
        return False
    try:
        glyph, tofu = font.getmask(char), font.getmask(_MISSING)
    except (OSError, ValueError):
        return False
    return bool(glyph.getbbox()) and (glyph.size != tofu.size or bytes(glyph) != bytes(tofu))


def font_for(text: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The preferred font covering every character of ``text`` (CJK included when one is
    installed), else the one covering most, else Pillow's built-in scalable font."""
    from PIL import ImageFont

    chars = sorted({c for c in text if not c.isspace()})
    best: tuple[int, Path] | None = None
    for path in _font_files():
        covered = sum(_covers(path, c) for c in chars)
        if covered == len(chars):
            best = (covered, path)
            break
        if covered and (best is None or covered > best[0]):
            best = (covered, path)
    if best is not None:
        with contextlib.suppress(OSError):
            return ImageFont.truetype(str(best[1]), size)
    return ImageFont.load_default(size=size)


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


def _layout(text: str, px: int, size: tuple[int, int], draw: Any) -> _Layout:
    """Font, wrapped lines and metrics; the font shrinks until the block fits the frame
    (a long unbreakable word or many lines would otherwise be cut off at the edges)."""
    width, height = size
    while True:
        font = font_for(text, px)
        stroke = max(1, round(px * 0.08))
        lines = _wrap(text, font, int(width * 0.86), draw)
        boxes = [draw.textbbox((0, 0), line, font=font, stroke_width=stroke) for line in lines]
        line_h = max(b[3] - b[1] for b in boxes) + stroke
        widest = max(b[2] - b[0] for b in boxes) + stroke
        fit = min(width * 0.94 / widest, height * 0.84 / (line_h * len(lines)))
        if fit >= 1 or px <= MIN_FONT_PX:
            return _Layout(font, lines, boxes, stroke, line_h)
        px = max(MIN_FONT_PX, min(px - 1, int(px * fit)))


def make_overlay(seg: Mapping[str, Any], size: tuple[int, int], start_ms: int) -> Overlay | None:
    """Draw one text segment; ``None`` when it has no text."""
    import numpy as np
    from PIL import Image, ImageDraw

    text = STRICT.text(seg, "text", "").strip()
    if not text:
        return None
    width, height = size
    role = STRICT.text(seg, "role", "title")
    rel = STRICT.number(seg, "size", 0.08 if role == "title" else 0.05, lo=0.02, hi=0.3)
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    px = max(MIN_FONT_PX, int(height * rel))
    lay = _layout(text, px, size, draw)
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
