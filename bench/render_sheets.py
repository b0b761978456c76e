"""Side-by-side contact sheets: 2D Ken Burns against the depth-aware motions on varied photos.

The photos are synthesised (nothing downloaded): a product on a plain background, a
portrait, a landscape, a busy street and a flat illustration. For each, the sheet shows the
depth estimate (subject mask tinted, confidence) and the first and last frames of
``kenburns``, ``parallax`` and ``dolly`` (rendered at 640x360, decoded from the MP4), and
prints the confidence and the subject's motion against the background.

    python bench/render_sheets.py [OUT_DIR]   # default docs/contact-sheets (not published)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
W, H = 640, 360


def _noise(rng: np.random.Generator, size: tuple[int, int], cell: int) -> np.ndarray:
    import cv2

    w, h = size
    small = rng.integers(0, 255, (max(2, h // cell), max(2, w // cell), 3), dtype=np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).astype(np.float32)


def product(rng: np.random.Generator) -> np.ndarray:
    """A bottle with a label on a plain light backdrop with a soft shadow."""
    import cv2

    w, h = 960, 640
    ys = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = np.broadcast_to(235 - 25 * ys, (h, w, 3)).copy()
    shadow = np.zeros((h, w), np.float32)
    cv2.ellipse(shadow, (480, 560), (150, 24), 0, 0, 360, 1.0, -1)
    img *= 1 - 0.35 * cv2.GaussianBlur(shadow, (0, 0), 14)[..., None]
    body = np.zeros((h, w), np.uint8)
    cv2.rectangle(body, (400, 220), (560, 560), 1, -1)
    cv2.rectangle(body, (450, 120), (510, 230), 1, -1)
    glass = np.array([30, 110, 60], np.float32) + 0.2 * _noise(rng, (w, h), 6)
    img = np.clip(np.where(body[..., None] > 0, glass, img), 0, 255).astype(np.uint8)
    cv2.rectangle(img, (400, 320), (560, 450), (230, 200, 120), -1)
    cv2.putText(img, "OLIVA", (412, 400), cv2.FONT_HERSHEY_DUPLEX, 1.3, (90, 40, 20), 3)
    return img


def portrait(rng: np.random.Generator) -> np.ndarray:
    """Head and shoulders in front of a blurred (bokeh) background."""
    import cv2

    w, h = 960, 640
    img = cv2.GaussianBlur(_noise(rng, (w, h), 40) * 0.5 + np.array([60, 80, 50]), (0, 0), 9)
    for _ in range(25):
        x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(10, 40))
        cv2.circle(img, (x, y), r, (200, 190, 140), -1)
    img = cv2.GaussianBlur(img, (0, 0), 6)
    cv2.ellipse(img, (480, 640), (230, 150), 0, 180, 360, (40, 50, 90), -1)  # shoulders
    cv2.rectangle(img, (440, 400), (520, 500), (150, 110, 90), -1)  # neck
    cv2.ellipse(img, (480, 300), (105, 135), 0, 0, 360, (190, 145, 120), -1)  # face
    cv2.ellipse(img, (480, 220), (115, 80), 0, 180, 360, (40, 30, 25), -1)  # hair
    for x in (440, 520):
        cv2.circle(img, (x, 290), 10, (40, 30, 30), -1)
    cv2.ellipse(img, (480, 370), (35, 12), 0, 0, 180, (120, 60, 60), 3)
    texture = 0.08 * (_noise(rng, (w, h), 3) - 128)
    return np.clip(img + texture, 0, 255).astype(np.uint8)


def landscape(rng: np.random.Generator) -> np.ndarray:
    """Sky, distant mountains, a textured meadow: depth from the ground plane, no subject."""
    import cv2

    w, h = 960, 640
    ys = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = np.broadcast_to(np.array([120, 170, 230]) * (1 - 0.4 * ys), (h, w, 3)).copy()
    mountains = np.array([[0, 330], [150, 200], [300, 290], [470, 160], [650, 300], [820, 210],
                          [960, 280], [960, 400], [0, 400]], np.int32)  # fmt: skip
    cv2.fillPoly(img, [mountains], (110, 120, 140))
    meadow = np.array([60, 130, 50], np.float32) + 0.35 * (_noise(rng, (w, h), 5) - 128)
    img[380:] = meadow[380:]
    for _ in range(60):
        x, y = int(rng.integers(0, w)), int(rng.integers(390, h))
        cv2.circle(img, (x, y), int(2 + (y - 380) / 40), (230, 220, 90), -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def street(rng: np.random.Generator) -> np.ndarray:
    """Buildings, windows, signs, cars and people everywhere: no single subject."""
    import cv2

    w, h = 960, 640
    img = np.full((h, w, 3), 90, np.float32)
    x = 0
    while x < w:
        bw = int(rng.integers(80, 200))
        colour = rng.integers(60, 200, 3).astype(float).tolist()
        top = int(rng.integers(40, 200))
        cv2.rectangle(img, (x, top), (x + bw, 460), colour, -1)
        for wy in range(top + 15, 440, 35):
            for wx in range(x + 10, x + bw - 20, 30):
                cv2.rectangle(img, (wx, wy), (wx + 16, wy + 20), (220, 220, 160), -1)
        x += bw
    cv2.rectangle(img, (0, 460), (w, h), (70, 70, 75), -1)
    for _ in range(12):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(470, 600))
        colour = rng.integers(40, 230, 3).astype(float).tolist()
        cv2.rectangle(img, (cx, cy), (cx + 110, cy + 40), colour, -1)
    for _ in range(20):
        px, py = int(rng.integers(0, w)), int(rng.integers(420, 560))
        cv2.rectangle(img, (px, py), (px + 14, py + 50), rng.integers(20, 230, 3).tolist(), -1)
        cv2.circle(img, (px + 7, py - 8), 8, (170, 130, 110), -1)
    return np.clip(img + 0.1 * (_noise(rng, (w, h), 2) - 128), 0, 255).astype(np.uint8)


def illustration(rng: np.random.Generator) -> np.ndarray:
    """Flat colours and outlines: a house, a tree and a sun over hills."""
    import cv2

    w, h = 960, 640
    img = np.full((h, w, 3), (150, 210, 240), np.uint8)
    cv2.ellipse(img, (300, 700), (600, 260), 0, 180, 360, (120, 200, 110), -1)
    cv2.ellipse(img, (800, 720), (500, 240), 0, 180, 360, (90, 170, 90), -1)
    cv2.circle(img, (820, 110), 60, (250, 210, 60), -1)
    cv2.rectangle(img, (380, 300), (620, 520), (230, 120, 90), -1)
    cv2.rectangle(img, (380, 300), (620, 520), (30, 30, 30), 4)
    roof = np.array([[360, 310], [500, 190], [640, 310]], np.int32)
    cv2.fillPoly(img, [roof], (150, 60, 60))
    cv2.polylines(img, [roof], True, (30, 30, 30), 4)
    cv2.rectangle(img, (470, 420), (530, 520), (90, 60, 40), -1)
    cv2.rectangle(img, (180, 380), (210, 520), (110, 70, 40), -1)
    cv2.circle(img, (195, 340), 70, (60, 140, 60), -1)
    cv2.circle(img, (195, 340), 70, (30, 30, 30), 3)
    return img


PHOTOS = {"product": product, "portrait": portrait, "landscape": landscape,
          "street": street, "illustration": illustration}  # fmt: skip
MOTIONS = ("kenburns", "parallax", "dolly")


def _frames(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _label(img: np.ndarray, text: str) -> np.ndarray:
    import cv2

    out = img.copy()
    cv2.putText(out, text, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.65, (0, 0, 0), 4)
    cv2.putText(out, text, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.65, (255, 255, 255), 1)
    return out


def main() -> int:
    import cv2

    from nemo_skill.local.engine import depth
    from nemo_skill.local.engine.render import render_draft

    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "contact-sheets"
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    print(f"{'photo':13s} confidence  sheet")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for name, make in PHOTOS.items():
            rgb = make(rng)
            photo = tmp / f"{name}.png"
            cv2.imwrite(str(photo), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
            small = cv2.resize(rgb, (W, H), interpolation=cv2.INTER_AREA)
            est = depth.estimate(small)
            tint = small.copy()
            if est.has_subject:
                tint = (small * (1 - 0.5 * est.mask[..., None])
                        + np.array([255, 0, 80]) * 0.5 * est.mask[..., None]).astype(np.uint8)  # fmt: skip
            cells = [_label(small, name), _label(tint, f"depth conf {est.confidence:.2f}")]
            for motion in MOTIONS:
                clip = tmp / f"{name}-{motion}.mp4"
                draft = {"m": {"fps": 24, "width": W, "height": H, "fit": "crop"},
                         "t": [{"id": "v", "tt": 0, "sg": [{"id": "s", "st": 0, "d": 2000,
                               "src": str(photo), "motion": motion}]}]}  # fmt: skip
                render_draft(draft, clip)
                frames = _frames(clip)
                cells += [
                    _label(frames[0], f"{motion} first"),
                    _label(frames[-1], f"{motion} last"),
                ]
            rows = [np.hstack(cells[i : i + 4]) for i in range(0, len(cells), 4)]
            sheet = cv2.resize(np.vstack(rows), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
            target = out_dir / f"{name}.jpg"
            cv2.imwrite(str(target), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR),
                        [cv2.IMWRITE_JPEG_QUALITY, 82])  # fmt: skip
            print(f"{name:13s} {est.confidence:10.2f}  {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
