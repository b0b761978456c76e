"""Fixtures of the engine suite: small textured photos made with Pillow."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import pytest

pytest.importorskip("cv2")
pytest.importorskip("av")


def textured(path: Path, size: tuple[int, int] = (320, 240), hue: int = 0) -> Path:
    """A photo with detail everywhere, so any camera move changes the pixels."""
    from PIL import Image, ImageDraw

    w, h = size
    img = Image.new("RGB", size, (40 + hue % 180, 90, 160))
    draw = ImageDraw.Draw(img)
    for i in range(0, w + h, 12):
        draw.line([(i, 0), (i - h, h)], fill=((i * 7 + hue) % 255, (i * 3) % 255, 220), width=4)
    for j in range(0, h, 20):
        draw.line([(0, j), (w, j)], fill=(250, (j * 5) % 255, 30), width=2)
    draw.ellipse([w // 3, h // 4, w // 3 + h // 2, h // 4 + h // 2], fill=(250, 220, 60))
    img.save(path)
    return path


def tone_wav(path: Path, seconds: float = 0.5) -> Path:
    """A 440 Hz mono 16-bit WAV, shorter than the clips (so music must loop)."""
    import numpy as np

    rate = 22_050
    samples = [
        int(12_000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(rate * seconds))
    ]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.array(samples, dtype="<i2").tobytes())
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A 320×240 textured JPEG in its own folder (render outputs go elsewhere)."""
    folder = tmp_path / "in"
    folder.mkdir()
    return textured(folder / "photo.jpg")


def subject_photo(path: Path, size: tuple[int, int] = (640, 360), seed: int = 1) -> Path:
    """A clear subject in front of a background: a warm textured disc (radius h/4, centred)
    on a cool textured field. Both are textured (trackable) at a scale x264 keeps."""
    import cv2
    import numpy as np

    w, h = size
    rng = np.random.default_rng(seed)
    bg = cv2.resize(rng.integers(0, 255, (h // 10, w // 10, 3), dtype=np.uint8), (w, h),
                    interpolation=cv2.INTER_CUBIC)  # fmt: skip
    bg = (bg * 0.45 + np.array([30, 80, 110])).astype(np.uint8)
    fg = cv2.resize(rng.integers(0, 255, (h // 12, w // 12, 3), dtype=np.uint8), (w, h),
                    interpolation=cv2.INTER_CUBIC)  # fmt: skip
    fg = (fg * 0.4 + np.array([150, 70, 30])).astype(np.uint8)
    mask = np.zeros((h, w), np.uint8)
    cv2.circle(mask, (w // 2, h // 2), h // 4, 1, -1, lineType=cv2.LINE_AA)
    image = np.where(mask[..., None] > 0, fg, bg)
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    return path
