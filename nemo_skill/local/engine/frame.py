"""The output frame's shape: named aspect ratios and even pixel sizes (pure, no imports)."""

from __future__ import annotations

ASPECTS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5), "4:3": (4, 3)}


def frame_size(
    aspect: str | None, image_size: tuple[int, int] | None, long_side: int
) -> tuple[int, int]:
    """Even output dimensions for ``aspect`` with the long side ``long_side``."""
    if aspect in ASPECTS:
        w, h = ASPECTS[aspect]
    elif image_size and image_size[0] > 0 and image_size[1] > 0:
        w, h = image_size
    else:
        w, h = 16, 9
    scale = long_side / max(w, h)
    return max(2, round(w * scale / 2) * 2), max(2, round(h * scale / 2) * 2)
