"""The corpus is what it claims: lies are well-formed, bombs are small, ids are unique."""

from __future__ import annotations

import io
import struct
import zlib

import pytest

from tests.corpus import build

Image = pytest.importorskip("PIL.Image")


def _claimed_size(data: bytes) -> tuple[int, int]:
    """Width and height as Pillow reads them from the header, without decoding pixels."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # read the claim; the refusal is the skill's job
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def test_ids_are_unique_per_table_and_the_corpus_has_over_150_cases() -> None:
    tables = {
        "file": [c.id for c in build.file_cases()],
        "name": [c.id for c in build.name_cases()],
        "sse": [c.id for c in build.sse_cases()],
        "message": list(build.message_cases()),
        "wire": list(build.WIRE_STREAMS),
    }
    for ids in tables.values():
        assert len(ids) == len(set(ids))
    assert sum(map(len, tables.values())) >= 150


def test_png_chunks_carry_valid_crcs() -> None:
    data = build.png_header(100_000, 100_000)
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        tag_and_body = data[offset + 4 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(tag_and_body)
        offset += 12 + length
    assert offset == len(data)


@pytest.mark.parametrize(
    ("data", "size"),
    [
        pytest.param(build.png_header(100_000, 100_000), (100_000, 100_000), id="png"),
        pytest.param(build.jpeg_claiming(65_500, 65_500), (65_500, 65_500), id="jpeg"),
        pytest.param(build.gif_claiming(65_535, 65_535), (65_535, 65_535), id="gif"),
    ],
)
def test_headers_claim_the_size_they_say(data: bytes, size: tuple[int, int]) -> None:
    assert _claimed_size(data) == size


@pytest.mark.parametrize("side", [build.BOMB_SIDE, build.HUGE_BOMB_SIDE])
def test_bombs_are_small_files_over_the_pixel_limit(side: int) -> None:
    from nemo_skill.local.engine.images import MAX_PIXELS

    data = build.png_bomb(side)
    assert len(data) < 100 * 1024
    assert _claimed_size(data) == (side, side)
    assert side * side > MAX_PIXELS


def test_bases_are_valid_images_of_their_format() -> None:
    pytest.importorskip("pillow_heif").register_heif_opener()
    for fmt in build.FORMATS:
        with Image.open(io.BytesIO(build.base(fmt))) as img:
            img.load()
            assert img.size == build.BASE_SIZE
            assert build.base(fmt).startswith(build.magic(fmt))


def test_random_bytes_are_the_same_every_run() -> None:
    assert build.rng("x").randbytes(16) == build.rng("x").randbytes(16)
    assert build.flip_middle(b"a" * 100, "s") == build.flip_middle(b"a" * 100, "s")
    assert build.flip_middle(b"a" * 100, "s") != b"a" * 100


def test_multipart_writer_frames_parts() -> None:
    body = build.multipart("B", [(b'name="files"; filename="a.jpg"', b"xyz")])
    assert body.startswith(b'--B\r\nContent-Disposition: form-data; name="files"')
    assert body.endswith(b"xyz\r\n--B--\r\n")
    assert not build.multipart("B", [(b'name="f"', b"")], close=False).endswith(b"--B--\r\n")
