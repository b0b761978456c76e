"""Uploads: content sniffing, display names, the streaming multipart parser's limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nemo_skill.errors import ErrorCode
from nemo_skill.local.http import BackendError
from nemo_skill.local.uploads import UploadParser, safe_name, sniff


@pytest.mark.parametrize(
    ("head", "family"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"GIF89a\x01\x00", "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "heic"),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00", "m4a"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", "mp4"),
        (b"\x1a\x45\xdf\xa3\x01\x00", "webm"),
        (b"ID3\x04\x00", "mp3"),
        (b"\xff\xfb\x90\x00", "mp3"),
        (b"\xff\xf1\x50\x80", "aac"),
        (b"%PDF-1.7", None),
        (b"", None),
        (b"MZ\x90\x00", None),
    ],
)
def test_sniff(head: bytes, family: str | None) -> None:
    assert sniff(head) == family


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\cat.png", "cat.png"),
        ("a\x00b\x1f.jpg", "ab.jpg"),
        ("...", "file"),
        ("", "file"),
        ("x" * 200 + ".jpeg", "x" * 115 + ".jpeg"),
        ("y" * 200, "y" * 120),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def _multipart(payload: bytes, boundary: bytes = b"XyZ") -> bytes:
    return (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="files"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + payload + b"\r\n--" + boundary + b"--\r\n"
    )


def test_parser_streams_parts_to_temp_files(tmp_path: Path) -> None:
    from python_multipart.multipart import MultipartParser

    collector = UploadParser(tmp_path, limit=1000)
    parser = MultipartParser(b"XyZ", collector.callbacks())  # type: ignore[arg-type]
    parser.write(_multipart(b"\xff\xd8\xff" + b"a" * 97))
    parser.finalize()
    [part] = collector.parts
    assert (part.name, part.filename, part.size) == ("files", "a.jpg", 100)
    assert part.head == b"\xff\xd8\xff" + b"a" * 29
    assert Path(part.tmp).read_bytes() == b"\xff\xd8\xff" + b"a" * 97
    collector.cleanup()
    assert os.listdir(tmp_path) == []


def test_parser_refuses_past_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    from python_multipart.multipart import MultipartParser

    collector = UploadParser(tmp_path, limit=2 * 2**20)
    parser = MultipartParser(b"XyZ", collector.callbacks())  # type: ignore[arg-type]
    with pytest.raises(BackendError) as refused:
        parser.write(_multipart(b"\x00" * (2 * 2**20 + 1)))
    assert (refused.value.code, refused.value.status) == (ErrorCode.FILE_TOO_LARGE, 413)
    assert refused.value.message == "File too large: the limit is 2 MB."
    collector.cleanup()
    assert os.listdir(tmp_path) == []
