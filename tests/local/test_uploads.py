"""Uploads: sniffing, names, the streaming parser's limit, photo checks, dedup, a full disk."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from nemo_skill.errors import ErrorCode
from nemo_skill.local.http import BackendError
from nemo_skill.local.server import LocalServer
from nemo_skill.local.store import DB_NAME, Store, StoredFile
from nemo_skill.local.uploads import UploadParser, safe_name, sniff
from tests.corpus.build import file_cases
from tests.fulldisk import fill, small_disk
from tests.local.conftest import Api, Factory, jpeg_bytes


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


# --- over HTTP: photo checks, dedup, a full disk ------------------------------------------


def _stored(server: LocalServer) -> tuple[int, list[str]]:
    """Files recorded, and what is left in the temp folder (must stay empty)."""
    db = sqlite3.connect(f"file:{server.data_dir / DB_NAME}?mode=ro", uri=True)
    try:
        files = int(db.execute("SELECT COUNT(*) FROM files").fetchone()[0])
    finally:
        db.close()
    return files, sorted(p.name for p in (server.data_dir / "tmp").iterdir())


def _refusal(response: Any) -> tuple[str, str]:
    """A 4001 answer: its message and its hint."""
    body = response.json()
    assert (response.status_code, body["code"]) == (415, 4001), response.text
    assert not re.search(r"[0-9a-f]{64}|\.upload|tmp", body["message"]), body["message"]
    return str(body["message"]), str(body["data"]["hint"])


@pytest.mark.parametrize(
    ("case_id", "words"),
    [
        ("png-10000x10", ("10000x10 pixels, too wide", "between 1:4 and 4:1")),
        ("png-10x10000", ("10x10000 pixels, too tall", "between 1:4 and 4:1")),
        ("png-5-to-1", ("1000x200 pixels", "between 1:4 and 4:1")),
        ("png-40x40", ("40x40 pixels, too small", "at least 64 pixels on the short side")),
        ("jpg-photo-truncated", ("the image is damaged or incomplete",)),
        ("png-photo-truncated", ("the image is damaged or incomplete",)),
        ("heic-photo-truncated", ("the image is damaged or incomplete",)),
        ("jpg-garbage-after-header", ("the image is damaged or incomplete",)),
    ],
)
def test_photos_that_cannot_be_framed_or_decoded_are_refused_naming_the_file(
    server: LocalServer, bodies: list[bytes], case_id: str, words: tuple[str, ...]
) -> None:
    (case,) = [c for c in file_cases() if c.id == case_id]
    api = Api(server, bodies)
    try:
        api.login()
        sid = api.session()
        message, hint = _refusal(api.upload(sid, case.name, case.data))
    finally:
        api.close()
    assert message.startswith(f"{case.name}: "), message
    assert all(w in message for w in words), message
    assert hint
    assert _stored(server) == (0, [])  # nothing recorded, no temp file left


def test_the_same_photo_sent_again_is_one_file_with_its_hash(
    server: LocalServer, bodies: list[bytes]
) -> None:
    api = Api(server, bodies)
    first, other = jpeg_bytes(seed=1), jpeg_bytes(seed=2)
    try:
        api.login()
        sid = api.session()
        hashes = []
        for name, data in (("a.jpg", first), ("b.jpg", other), ("again.jpg", first)):
            response = api.upload(sid, name, data)
            assert response.status_code == 200, response.text
            hashes.append(response.json()["data"]["files"][0]["hash"])
    finally:
        api.close()
    assert hashes[0] == hashes[2] == hashlib.sha256(first).hexdigest() != hashes[1]
    store = Store(server.data_dir)
    try:
        files = store.files(sid)
    finally:
        store.close()
    # One record per content, the one sent last is the newest (what "this photo" means).
    assert [(f.sha256, f.name) for f in files] == [(hashes[1], "b.jpg"), (hashes[0], "again.jpg")]


def test_a_full_disk_while_an_upload_streams_says_so_and_names_the_folder(
    server: LocalServer, bodies: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC at the write seam (every disk write of an upload goes through ``_data``)."""
    real = UploadParser._data

    def full(self: UploadParser, data: bytes, start: int, end: int) -> None:
        real(self, data, start, min(end, start + 1000))  # the disk takes 1000 bytes, then no more
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(UploadParser, "_data", full)
    api = Api(server, bodies)
    try:
        api.login()
        sid = api.session()
        response = api.upload(sid, "photo.jpg", jpeg_bytes((640, 480)))
    finally:
        api.close()
    body = response.json()
    assert (response.status_code, body["code"]) == (507, 507), response.text
    assert body["message"].startswith(f"Disk full: no space left in {server.data_dir} ")
    assert "Free some space" in body["data"]["hint"]
    assert _stored(server) == (0, [])
    assert not list((server.data_dir / "files").rglob("*.*"))


def test_an_upload_to_a_really_full_disk_says_so_and_loses_nothing(
    make_server: Factory, bodies: list[bytes], tmp_path: Path
) -> None:
    """A real ENOSPC: the data folder is a small tmpfs, filled (root only)."""
    with small_disk(tmp_path / "data") as data:
        server = make_server(data)
        api = Api(server, bodies)
        try:
            api.login()
            sid = api.session()
            assert api.upload(sid, "first.jpg", jpeg_bytes(seed=1)).status_code == 200
            filler = fill(data)
            refused = api.upload(sid, "photo.jpg", jpeg_bytes((640, 480), seed=2))
            body = refused.json()
            assert (refused.status_code, body["code"]) == (507, 507), refused.text
            assert body["message"].startswith(f"Disk full: no space left in {data} ")
            assert not list((data / "tmp").iterdir())  # no half-written upload left
            assert [f.name for f in _files(server, sid)] == ["first.jpg"]
            filler.unlink()  # space again: the same upload now goes through
            assert api.upload(sid, "photo.jpg", jpeg_bytes((640, 480), seed=2)).status_code == 200
            assert [f.name for f in _files(server, sid)] == ["first.jpg", "photo.jpg"]
        finally:
            api.close()
            server.stop()


def _files(server: LocalServer, sid: str) -> list[StoredFile]:
    store = Store(server.data_dir)
    try:
        return store.files(sid)
    finally:
        store.close()


def test_the_same_photo_sent_again_after_a_restart_is_not_a_new_generation(
    make_server: Factory, bodies: list[bytes], tmp_path: Path
) -> None:
    """Same bytes, another name, another port: the agent sees the hash, nothing is charged."""
    photo = jpeg_bytes((320, 180), seed=3)
    first = make_server(tmp_path / "data", credits_new_user=1000)
    api = Api(first, bodies)
    try:
        api.login()
        sid = api.session()
        assert api.upload(sid, "photo.jpg", photo).status_code == 200
        assert api.turn(sid, "animate this, 1 second").status_code == 200
        credits, draft = api.credits(), api.state(sid)["state"]["draft"]
        client_id = api.client_id
    finally:
        api.close()
    first.stop()
    again = make_server(tmp_path / "data", credits_new_user=1000)  # another port
    assert again.url != first.url
    api = Api(again, bodies)
    try:
        api.client_id = client_id
        api.login()  # the same client id: the same user
        for name, text in (("copy of photo.jpg", "asdfgh qwerty"), ("photo.jpg", "🙂")):
            sent = api.upload(sid, name, photo)
            assert sent.json()["data"]["files"][0]["hash"] == hashlib.sha256(photo).hexdigest()
            turn = api.turn(sid, text)
            assert turn.status_code == 200, turn.text
            assert b"generate_video" not in turn.content  # a question, not a new generation
            assert api.credits() == credits
            assert api.state(sid)["state"]["draft"] == draft
    finally:
        api.close()
    assert len(_files(again, sid)) == 1  # one file: the content, under its newest name


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        (
            "notes.jpg",
            b"hello, this is text\n",
            "the name says .jpg, but the content is not a photo",
        ),
        ("photo.png", jpeg_bytes(seed=3), "the name says .png, but the content is a JPG file"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_saying_so(
    server: LocalServer, bodies: list[bytes], name: str, data: bytes, words: str
) -> None:
    api = Api(server, bodies)
    try:
        api.login()
        message, hint = _refusal(api.upload(api.session(), name, data))
    finally:
        api.close()
    assert message.startswith(f"{name}: ") and words in message, message
    assert hint
    assert _stored(server) == (0, [])
