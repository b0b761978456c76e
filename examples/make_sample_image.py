"""Draw a colourful, textured sample photo (no binaries in the repository).

python examples/make_sample_image.py examples/sample.jpg [WIDTHxHEIGHT]
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path


def make_sample(path: Path, size: tuple[int, int] = (1920, 1280)) -> Path:
    """A sunset over hills with texture, so motion and compression are realistic."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(height):  # sky gradient
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=(int(255 - 90 * t), int(140 + 60 * t), int(90 + 150 * t))
        )
    sun = (int(width * 0.68), int(height * 0.38))
    r = int(height * 0.12)
    draw.ellipse([sun[0] - r, sun[1] - r, sun[0] + r, sun[1] + r], fill=(255, 226, 120))
    rng = random.Random(42)
    for layer, color in enumerate([(70, 120, 90), (50, 95, 70), (30, 70, 55)]):
        base = height * (0.55 + 0.12 * layer)
        points = [(0, height)]
        for x in range(0, width + 40, 40):
            wave = math.sin(x / (180 + 60 * layer) + layer) * height * 0.05
            points.append((x, base + wave + rng.uniform(-8, 8)))
        points.append((width, height))
        draw.polygon(points, fill=color)
    for _ in range(2500):  # grass and foliage texture
        x, y = rng.uniform(0, width), rng.uniform(height * 0.6, height)
        shade = rng.randint(20, 90)
        draw.line(
            [(x, y), (x + rng.uniform(-3, 3), y - rng.uniform(4, 16))],
            fill=(shade, shade + 60, shade + 20),
        )
    for _ in range(12):  # birds
        x, y = rng.uniform(0.1, 0.5) * width, rng.uniform(0.1, 0.3) * height
        draw.line([(x - 10, y), (x, y + 5), (x + 10, y)], fill=(40, 40, 60), width=2)
    img = img.filter(ImageFilter.SMOOTH_MORE)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, quality=92)
    return path


def main(argv: list[str]) -> int:
    """Write the sample to argv[0] (default examples/sample.jpg)."""
    out = Path(argv[0]) if argv else Path(__file__).with_name("sample.jpg")
    size = tuple(int(v) for v in argv[1].lower().split("x")) if len(argv) > 1 else (1920, 1280)
    make_sample(out, (size[0], size[1]))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
