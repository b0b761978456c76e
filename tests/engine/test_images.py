"""Opening photos: every supported format and colour mode, orientation, refused files."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from nemo_skill.errors import FileTooLargeError, UnsupportedFileError
from nemo_skill.local.engine.images import load_image, probe_image

Image = pytest.importorskip("PIL.Image")

SIZE = (90, 60)  # landscape, so a wrong orientation or a lost dimension shows


def _gradient(mode: str = "RGB") -> Image.Image:
    xs = np.linspace(0, 255, SIZE[0], dtype=np.uint8)
    rgb = np.stack([np.tile(xs, (SIZE[1], 1))] * 3, axis=-1)
    rgb[..., 1] = 128
    return Image.fromarray(rgb, "RGB").convert(mode)


def _jpg(path: Path) -> None:
    _gradient().save(path, "JPEG", quality=90)


def _png_alpha(path: Path) -> None:
    img = _gradient("RGBA")
    img.putalpha(Image.new("L", SIZE, 0))  # fully transparent: composites onto white
    img.save(path)


def _webp(path: Path) -> None:
    _gradient().save(path, "WEBP")


def _gif(path: Path) -> None:
    frames = [_gradient().convert("P"), Image.new("RGB", SIZE, (0, 0, 0)).convert("P")]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)


def _cmyk(path: Path) -> None:
    _gradient("CMYK").save(path, "JPEG")


def _png16(path: Path) -> None:
    values = np.tile(np.linspace(0, 65535, SIZE[0]).astype(np.uint16), (SIZE[1], 1))
    img = Image.frombytes("I;16", SIZE, values.astype("<u2").tobytes())
    assert img.mode == "I;16"
    img.save(path)


def _palette(path: Path) -> None:
    _gradient().convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(path)


def _heic(path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    try:
        _gradient().save(path, "HEIF")
    except (KeyError, OSError, ValueError, RuntimeError) as exc:
        pytest.skip(f"saving HEIF is not supported here: {exc}")


WRITERS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "jpg": ("jpg", _jpg),
    "png_alpha": ("png", _png_alpha),
    "webp": ("webp", _webp),
    "heic": ("heic", _heic),
    "gif": ("gif", _gif),
    "cmyk_jpeg": ("jpeg", _cmyk),
    "png_16bit": ("png", _png16),
    "png_palette": ("png", _palette),
}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_supported_inputs_load_as_rgb(kind: str, tmp_path: Path) -> None:
    ext, write = WRITERS[kind]
    path = tmp_path / f"photo.{ext}"
    write(path)
    assert probe_image(path) == SIZE
    pixels = load_image(path, max_side=1000)
    assert pixels.dtype == np.uint8
    assert pixels.shape == (SIZE[1], SIZE[0], 3)
    if kind == "png_alpha":
        assert pixels.min() >= 250  # transparent → white, not black
    else:
        # The left-to-right ramp survives the colour conversion (not a flat or black image).
        left, right = pixels[:, :10].mean(), pixels[:, -10:].mean()
        assert right - left > 40


def test_load_image_downscales_to_max_side(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    _gradient().resize((900, 600)).save(path)
    pixels = load_image(path, max_side=150)
    assert max(pixels.shape[:2]) == 150
    assert pixels.shape[:2] == (100, 150)


def test_exif_rotated_jpeg_is_upright(tmp_path: Path) -> None:
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    _gradient().save(path, exif=exif.tobytes())
    assert probe_image(path) == (SIZE[1], SIZE[0])
    assert load_image(path, max_side=1000).shape[:2] == (SIZE[0], SIZE[1])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bomb(path: Path) -> None:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    body = _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + body)


def _truncated(path: Path) -> None:
    source = path.with_name("whole.jpg")
    _gradient().resize((400, 300)).save(source, quality=95)
    path.write_bytes(source.read_bytes()[:600])


BAD: dict[str, tuple[str, Callable[[Path], None]]] = {
    "zero_byte": ("jpg", lambda p: p.write_bytes(b"")),
    "truncated_jpeg": ("jpg", _truncated),
    "text_as_jpg": ("jpg", lambda p: p.write_text("not an image at all\n" * 20)),
    "txt_extension": ("txt", _jpg),
    "missing": ("jpg", lambda p: None),
    "decompression_bomb": ("png", _bomb),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_files_raise_only_nemo_errors(kind: str, tmp_path: Path) -> None:
    ext, write = BAD[kind]
    path = tmp_path / f"bad.{ext}"
    write(path)
    expected = FileTooLargeError if kind == "decompression_bomb" else UnsupportedFileError
    with pytest.raises((UnsupportedFileError, FileTooLargeError)) as probed:
        probe_image(path)
        load_image(path, max_side=200)  # header-only damage shows up on decode
    assert isinstance(probed.value, expected)
    with pytest.raises(expected):
        load_image(path, max_side=200)


def test_reduced_alpha_has_no_dark_fringe(tmp_path: Path) -> None:
    # Opaque red beside transparent pixels stored as black; the border falls inside a
    # reduction box, so averaging without premultiplied alpha would give a dark pink seam.
    rgba = np.zeros((40, 400, 4), dtype=np.uint8)
    rgba[:, :202] = (255, 0, 0, 255)
    path = tmp_path / "logo.png"
    Image.fromarray(rgba, "RGBA").save(path)
    pixels = load_image(path, max_side=100)
    assert pixels.shape == (10, 100, 3)
    assert pixels[..., 0].min() >= 250  # red stays red, white stays white: no seam
    assert pixels[:, :45, 1].max() <= 5
    assert pixels[:, 55:].min() >= 250


def test_strip_reduction_equals_whole_image_reduction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nemo_skill.local.engine import images

    rng = np.random.default_rng(5)
    path = tmp_path / "noise.png"
    Image.fromarray(rng.integers(0, 255, (301, 211, 3), dtype=np.uint8)).save(path)
    whole = load_image(path, max_side=100)  # factor 3, one strip
    monkeypatch.setattr(images, "STRIP_ROWS", 7)  # many strips, the last one partial
    strips = load_image(path, max_side=100)
    assert np.array_equal(whole, strips)


def test_exif_rotated_png_probe_and_load_agree(tmp_path: Path) -> None:
    path = tmp_path / "rotated.png"
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90° counter-clockwise to display"
    _gradient().save(path, exif=exif.tobytes())
    assert probe_image(path) == (SIZE[1], SIZE[0])
    pixels = load_image(path, max_side=1000)
    assert pixels.shape[:2] == (SIZE[0], SIZE[1])
    # ROTATE_90 puts the original right edge (bright) at the top.
    assert pixels[:10].mean() - pixels[-10:].mean() > 40
