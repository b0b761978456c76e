"""Open any supported photo safely: orientation, colour modes, size limits.

JPEG is decoded at a reduced scale when the output needs less (``Image.draft``),
so a 100 MP photo does not cost 300 MB of RGB before it is downscaled. Other
formats decode in full, then are converted and box-reduced strip by strip, so
the peak is the decoded photo itself, never a second full-size copy.
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
STRIP_ROWS = 256  # rows converted and reduced at a time: small next to a 100 MP photo
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


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation tag (1-8); 1 when absent or unreadable."""
    if img.format == "PNG" and "exif" not in img.info:
        # PNG's getexif() decodes the whole image looking for a late eXIf chunk:
        # seconds for a large photo just to read its size. Header chunks suffice.
        return 1
    try:
        value = int(img.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block must not make the photo unreadable
        return 1
    return value if 1 <= value <= 8 else 1


def probe_image(path: Path) -> tuple[int, int]:
    """(width, height) as displayed, EXIF orientation applied; reads only the header."""
    img = _open(Path(path))
    with img:
        width, height = img.size
        orientation = _orientation(img)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    if width <= 0 or height <= 0:
        raise UnsupportedFileError(f"{Path(path).name} has no pixels.", hint=_HINT)
    return width, height


def _normalize(strip: Image.Image) -> Image.Image:
    """Any colour mode as ``RGB``, or ``RGBa`` (premultiplied) when it has transparency.

    Premultiplied alpha lets box reduction average colours without dark fringes
    where transparent pixels (often stored black) meet opaque ones.
    """
    if strip.mode in ("I;16", "I;16B", "I;16L", "I"):
        strip = strip.point(lambda v: v / 256).convert("L")
    elif strip.mode == "F":
        strip = strip.convert("L")
    if strip.mode == "P" and "transparency" not in strip.info:
        return strip.convert("RGB")
    if strip.mode in ("P", "RGBA", "LA", "PA", "La", "RGBa"):
        return strip.convert("RGBA").convert("RGBa")
    return strip if strip.mode == "RGB" else strip.convert("RGB")


def _reduce(img: Image.Image, factor: int) -> Image.Image:
    """Convert and box-reduce by ``factor`` strip by strip: peak memory ≈ the decoded photo."""
    from PIL import Image

    width, height = img.size
    rows = factor * max(1, STRIP_ROWS // factor)  # a multiple of the factor: boxes never split
    out: Image.Image | None = None
    for top in range(0, height, rows):
        strip = _normalize(img.crop((0, top, width, min(height, top + rows))))
        if factor > 1:
            strip = strip.reduce(factor)
        if out is None:
            out = Image.new(strip.mode, (-(-width // factor), -(-height // factor)))
        out.paste(strip, (0, top // factor))
    assert out is not None  # height >= 1
    return out


_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
              6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}  # fmt: skip


def _finish(img: Image.Image, orientation: int) -> np.ndarray:
    """Flatten premultiplied alpha onto white and turn upright, as an RGB array."""
    import numpy as np
    from PIL import Image

    if orientation in _TRANSPOSE:
        img = img.transpose(Image.Transpose[_TRANSPOSE[orientation]])
    if img.mode != "RGBa":
        return np.array(img, dtype=np.uint8)  # one copy, writable
    rgba = np.asarray(img, dtype=np.int16)
    # colour·α + white·(1 − α), with colour·α already stored
    flat: np.ndarray = np.clip(rgba[..., :3] + (255 - rgba[..., 3:4]), 0, 255).astype(np.uint8)
    return flat


def load_image(path: Path, max_side: int) -> np.ndarray:
    """The photo as an RGB ``uint8`` array, its long side at most ``max_side``."""
    img = _open(Path(path))
    try:
        img.seek(0)  # GIF/animated WEBP: first frame (before draft, which seek would undo)
        # Large JPEGs: decode at a reduced DCT scale when that still gives ~80% of the
        # size wanted (a 12 MP photo decodes 4x faster; the canvas has zoom headroom).
        slack = DRAFT_SLACK if max(img.size) >= LARGE_PHOTO_SIDE else 1.0
        wanted = int(max_side * slack)
        img.draft("RGB", (wanted, wanted * min(img.size) // max(img.size)))
        img.load()
        orientation = _orientation(img)
        # Integer box reduction first (result still >= max_side), before any full-size copy;
        # an RGB photo needing none (the common JPEG after draft) is used as decoded.
        factor = max(1, max(img.size) // max_side)
        if factor == 1 and img.mode == "RGB":
            array = _finish(img, orientation)
        else:
            array = _finish(_reduce(img, factor), orientation)
    except (FileTooLargeError, UnsupportedFileError):
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UnsupportedFileError(
            f"Cannot decode {Path(path).name}: the file is damaged or truncated "
            f"({type(exc).__name__}).",
            hint=_HINT,
        ) from None
    finally:
        img.close()  # frees the full-size pixels before the canvas is built
    return _fit(array, max_side)


def _fit(array: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale (area-averaged, multi-threaded OpenCV) so the long side is at most ``max_side``."""
    import cv2

    h, w = array.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1:
        return array
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(array, size, interpolation=cv2.INTER_AREA)
