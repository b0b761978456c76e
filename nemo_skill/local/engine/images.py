"""Open any supported photo safely: orientation, colour modes, size limits.

JPEG is decoded at a reduced scale when the output needs less (``Image.draft``),
so a 100 MP photo does not cost 300 MB of RGB before it is downscaled.
Anything unreadable raises :class:`~nemo_skill.errors.UnsupportedFileError`
with the supported list, never a traceback.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from nemo_skill.errors import FileTooLargeError, UnsupportedFileError

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

SUPPORTED_IMAGE_EXTENSIONS: tuple[str, ...] = ("jpg", "jpeg", "png", "webp", "heic", "heif", "gif")
MAX_PIXELS = 120_000_000  # 100 MP photos pass; bigger ones are refused as too large
DRAFT_SLACK = 0.8  # large JPEGs may decode at a DCT scale giving 80% of the wanted size
LARGE_PHOTO_SIDE = 3000  # where decoding dominates start-up (>= ~6 MP)
_HINT = "Supported photo formats: JPG, PNG, WEBP, HEIC/HEIF, GIF (first frame)."


def _open(path: Path) -> Image.Image:
    from PIL import Image

    if not path.is_file():
        raise UnsupportedFileError(f"Image not found or not a file: {path}", hint=_HINT)
    ext = path.suffix.lower().lstrip(".")
    if ext not in SUPPORTED_IMAGE_EXTENSIONS:
        raise UnsupportedFileError(f"Not a supported image type: {path.name}", hint=_HINT)
    if path.stat().st_size == 0:
        raise UnsupportedFileError(f"The image file is empty: {path.name}", hint=_HINT)
    if ext in ("heic", "heif"):
        import pillow_heif

        pillow_heif.register_heif_opener()
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileTooLargeError(
            f"{path.name} has too many pixels to process ({exc}).",
            hint="Use a photo under 100 megapixels.",
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise UnsupportedFileError(
            f"Cannot read {path.name} as an image ({type(exc).__name__}).", hint=_HINT
        ) from None


def probe_image(path: Path) -> tuple[int, int]:
    """(width, height) as displayed, EXIF orientation applied; reads only the header."""
    img = _open(Path(path))
    with img:
        width, height = img.size
        try:
            orientation = img.getexif().get(0x0112, 1)
        except Exception:  # a broken EXIF block must not make the photo unreadable
            orientation = 1
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    if width <= 0 or height <= 0:
        raise UnsupportedFileError(f"{Path(path).name} has no pixels.", hint=_HINT)
    return width, height


def _to_rgb(img: Image.Image) -> Image.Image:
    from PIL import Image

    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        img = img.point(lambda v: v / 256).convert("L")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("RGBA", "LA", "PA"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB") if img.mode != "RGB" else img


def load_image(path: Path, max_side: int) -> np.ndarray:
    """The photo as an RGB ``uint8`` array, its long side at most ``max_side``."""
    import numpy as np
    from PIL import ImageOps

    img = _open(Path(path))
    try:
        with img:
            img.seek(0)  # GIF/animated WEBP: first frame (before draft, which seek would undo)
            # Large JPEGs: decode at a reduced DCT scale when that still gives ~80% of the
            # size wanted (a 12 MP photo decodes 4x faster; the canvas has zoom headroom).
            slack = DRAFT_SLACK if max(img.size) >= LARGE_PHOTO_SIDE else 1.0
            wanted = int(max_side * slack)
            img.draft("RGB", (wanted, wanted * min(img.size) // max(img.size)))
            img.load()
            img = ImageOps.exif_transpose(img) or img
            img = _to_rgb(img)
            factor = max(img.size) // max_side
            if factor >= 2:  # cheap integer box reduction first; still >= max_side
                img = img.reduce(factor)
            array = np.asarray(img, dtype=np.uint8)
    except (FileTooLargeError, UnsupportedFileError):
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UnsupportedFileError(
            f"Cannot decode {Path(path).name}: the file is damaged or truncated "
            f"({type(exc).__name__}).",
            hint=_HINT,
        ) from None
    return _fit(array, max_side)


def _fit(array: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale (area-averaged, multi-threaded OpenCV) so the long side is at most ``max_side``."""
    import cv2

    h, w = array.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1:
        return array.copy()
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(array, size, interpolation=cv2.INTER_AREA)
