"""Where titles and captions may sit: inside the platforms' safe zones on vertical clips.

TikTok, Instagram Reels and YouTube Shorts draw their own interface over a vertical video:
tabs and the status bar across the top, the account name, caption, sound and tab bar across
the bottom, the avatar/like/comment/share column down the right. Text there is hidden. One
table, :data:`SAFE_ZONES`, holds the margins (fractions of the frame) that stay clear on all
three; docs/engine.md gives the numbers in pixels and where they come from. Other shapes
(16:9, 1:1, 4:3) are shown without overlays, so only a small margin from the frame's edge.

Pure: no pixels, no imports beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Margins:
    """What to keep clear: ``top``/``bottom`` as fractions of the frame's height,
    ``left``/``right`` of its width."""

    top: float
    bottom: float
    left: float
    right: float


# Organic posts on a 1080x1920 frame: top 14% (269 px: Meta's Reels guidance; TikTok's tabs
# take ~150 px), bottom 22% (422 px: TikTok's caption and sound over its lower ~20%, Reels'
# and Shorts' name/caption/subscribe rows, the progress bar), right 12% (130 px: TikTok's
# 120-140 px button column; Reels' and Shorts' are narrower), left 6% (65 px: Meta's sides).
VERTICAL = Margins(top=0.14, bottom=0.22, left=0.06, right=0.12)
SAFE_ZONES: dict[str, Margins] = {
    "9:16": VERTICAL,
    "4:5": VERTICAL,  # the same fractions: a 4:5 post gets the same overlays, proportionally
}
EDGE = Margins(top=0.08, bottom=0.10, left=0.03, right=0.03)  # unframed shapes: off the edge
_SHAPES = {"9:16": 9 / 16, "4:5": 4 / 5}


def shape_of(size: tuple[int, int]) -> str | None:
    """``9:16`` or ``4:5`` when ``size`` (w, h) has that shape (within 2%), else None."""
    width, height = size
    ratio = width / max(1, height)
    return next((name for name, r in _SHAPES.items() if abs(ratio - r) <= 0.02 * r), None)


@dataclass(frozen=True)
class Area:
    """The box (px) text stays inside; horizontally symmetric, so centred text stays centred."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        """Usable width."""
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        """Usable height."""
        return self.y1 - self.y0


def text_area(size: tuple[int, int]) -> Area:
    """Where text may go on a ``size`` frame: the safe zone of its platform shape, else a
    margin off the edges. The wider side margin applies to both sides."""
    width, height = size
    shape = shape_of(size)
    margins = SAFE_ZONES[shape] if shape else EDGE
    side = width * max(margins.left, margins.right)
    return Area(side, height * margins.top, width - side, height * (1 - margins.bottom))
