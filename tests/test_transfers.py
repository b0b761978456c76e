"""Uploads and downloads (``nemo_skill.transfers``, through ``NemoClient``).

Uploads: a 50 MB multipart body streamed in constant memory, the local checks,
a 1001 resending the whole body once. Downloads: auth only to the API's own
origin, nothing partial left behind, an old file replaced only when complete.
"""

from __future__ import annotations

import hashlib
import random
import re
import stat
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nemo_skill import errors
from nemo_skill.cli import STEPS
from nemo_skill.client import NemoClient
from nemo_skill.errors import SUPPORTED_FORMATS
from nemo_skill.models import RenderJob
from nemo_skill.settings import Settings
from tests.fulldisk import fill, small_disk
from tests.mock_backend import API, ENV_TOKEN, Harness, envelope

MB = 1024 * 1024
BIG = 50 * MB


class StreamingMockTransport(httpx.MockTransport):
    """A MockTransport that leaves the body unread: the stock one calls ``request.read()``."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.handler(request)  # type: ignore[return-value]


class MultipartSink:
    """Consumes one multipart upload chunk by chunk: counts bytes, hashes the file part.

    Only the closing delimiter's length is ever held back, so memory stays constant.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.received = 0
        self.head = b""
        self.digest = ""
        self.closing = b""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api/auth/anonymous-token":
            return httpx.Response(200, json={"code": 0, "data": {"token": "nmv_usr_t"}})
        boundary = re.search(r"boundary=(\S+)", request.headers["Content-Type"])
        assert boundary is not None
        self.consume(request.stream, f"\r\n--{boundary.group(1)}--\r\n".encode())  # type: ignore[arg-type]
        return httpx.Response(200, json={"code": 0, "data": {"files": [{"filename": "big.mp4"}]}})

    def consume(self, stream: Iterator[bytes], closing: bytes) -> None:
        hasher = hashlib.sha256()
        keep = len(closing)
        tail = b""
        for chunk in stream:
            self.received += len(chunk)
            if not self.head:  # the part header arrives whole, as its own first piece
                header, sep, chunk = chunk.partition(b"\r\n\r\n")
                self.head = header + sep
            if len(chunk) >= keep:
                hasher.update(tail)
                hasher.update(memoryview(chunk)[:-keep])
                tail = chunk[-keep:]
            else:
                joined = tail + chunk
                hasher.update(joined[:-keep])
                tail = joined[-keep:]
        self.closing = tail
        self.digest = hasher.hexdigest()


def write_big_file(path: Path) -> str:
    """A 50 MB file of distinct 1 MB blocks, written in chunks; returns its SHA-256."""
    block = random.Random(7).randbytes(MB)
    hasher = hashlib.sha256()
    with path.open("wb") as fh:
        for i in range(BIG // MB):
            chunk = i.to_bytes(4, "big") + block[4:]
            hasher.update(chunk)
            fh.write(chunk)
    return hasher.hexdigest()


def client_for(tmp_path: Path, handler: httpx.MockTransport) -> NemoClient:
    return NemoClient(Settings(api_url=API, state_dir=tmp_path / "state"), transport=handler)


def test_a_50_mb_upload_streams_in_constant_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    expected = write_big_file(big)
    sink = MultipartSink()
    progress: list[tuple[int, int]] = []
    with client_for(tmp_path, StreamingMockTransport(sink)) as client:
        client.authenticate()  # keep the token call out of the measured window
        tracemalloc.start()
        try:
            result = client.upload_files("s1", [big], progress=lambda d, t: progress.append((d, t)))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    upload = sink.requests[-1]
    assert upload.method == "POST" and upload.url.path == "/api/upload-video/nemo_agent/me/s1"
    assert sink.received == int(upload.headers["Content-Length"]) > BIG
    assert sink.digest == expected
    assert b'name="files"; filename="big.mp4"' in sink.head
    assert b"Content-Type: video/mp4" in sink.head
    assert sink.closing.startswith(b"\r\n--") and sink.closing.endswith(b"--\r\n")
    assert peak < BIG // 5, f"peak {peak / MB:.1f} MB"  # 1 MiB chunks: about 2 MB
    assert result.files[0].filename == "big.mp4"
    assert progress[-1][0] == progress[-1][1] == BIG
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_progress_of_a_small_photo_reaches_its_total(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8" + b"j" * 998)
    progress: list[tuple[int, int]] = []

    def ok(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "data": {"token": "t", "files": []}})

    with client_for(tmp_path, httpx.MockTransport(ok)) as client:
        client.upload_files("s", [photo], progress=lambda d, t: progress.append((d, t)))
    assert progress[-1] == (1000, 1000)


def test_two_files_share_one_request_with_two_parts(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0, "data": {"token": "t", "files": []}})

    a, b = tmp_path / "a.png", tmp_path / "b.webp"
    a.write_bytes(b"PNGDATA")
    b.write_bytes(b"WEBPDATA")
    with client_for(tmp_path, httpx.MockTransport(record)) as client:
        client.upload_files("s", [a, b])
    body = seen[-1].content
    assert len(body) == int(seen[-1].headers["Content-Length"])
    assert body.count(b'name="files"') == 2
    assert b"\r\n\r\nPNGDATA\r\n" in body and b"\r\n\r\nWEBPDATA\r\n" in body


# --- local pre-checks: nothing is sent ------------------------------------------------


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def bad_file(kind: str, folder: Path) -> Path:
    """A path that must fail the local checks."""
    if kind == "missing":
        return folder / "missing.jpg"
    if kind == "directory":
        return folder
    if kind == "txt":
        (folder / "notes.txt").write_text("x")
        return folder / "notes.txt"
    if kind == "empty":
        (folder / "empty.jpg").touch()
        return folder / "empty.jpg"
    return sparse(folder / "huge.mp4", 200 * MB + 1)


@pytest.mark.parametrize(
    ("kind", "exc", "hint_part"),
    [
        ("missing", errors.UsageError, "path"),
        ("directory", errors.UsageError, ""),
        ("txt", errors.UnsupportedFileError, ", ".join(SUPPORTED_FORMATS)),
        ("empty", errors.UnsupportedFileError, "jpg"),
        ("over-200mb", errors.FileTooLargeError, "200 MB"),
    ],
)
def test_local_prechecks_raise_before_any_request(
    tmp_path: Path, kind: str, exc: type[errors.NemoError], hint_part: str
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    path = bad_file(kind, files)
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    with client_for(tmp_path, httpx.MockTransport(record)) as client, pytest.raises(exc) as info:
        client.upload_files("s", [path])
    assert hint_part.lower() in info.value.hint.lower()
    assert seen == []


def test_exactly_200_mb_is_allowed(tmp_path: Path) -> None:
    seen: list[int] = []

    def count(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return httpx.Response(200, json={"code": 0, "data": {"token": "t", "files": []}})

    edge = sparse(tmp_path / "edge.mp4", 200 * MB)
    with client_for(tmp_path, StreamingMockTransport(count)) as client:
        client.upload_files("s", [edge])  # the unread body is never produced: fast
    assert len(seen) == 2  # token + upload


def test_one_bad_file_among_good_ones_sends_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    good.write_bytes(b"\xff\xd8")
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    with (
        client_for(tmp_path, httpx.MockTransport(record)) as client,
        pytest.raises(errors.UsageError),
    ):
        client.upload_files("s", [good, tmp_path / "gone.png"])
    assert seen == []


@pytest.mark.parametrize(
    ("name", "safe", "encoded", "ctype"),
    [
        ('we"ird\\name.PNG', "we_ird_name.PNG", "we%22ird%5Cname.PNG", "image/png"),
        ("caf\u00e9 photo.webp", "caf\u00e9 photo.webp", "caf%C3%A9%20photo.webp", "image/webp"),
        ("line\r\nbreak.mov", "line__break.mov", "line%0D%0Abreak.mov", "video/quicktime"),
    ],
    ids=["quote-backslash", "non-ascii", "crlf"],
)
def test_part_headers_use_a_quote_safe_basename_and_the_type_by_extension(
    tmp_path: Path, name: str, safe: str, encoded: str, ctype: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / name
    path.write_bytes(b"DATA")
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0, "data": {"token": "t", "files": []}})

    with client_for(tmp_path, httpx.MockTransport(record)) as client:
        client.upload_files("s", [path])
    head = seen[-1].content.split(b"\r\n\r\n", 1)[0].decode()
    disposition, content_type = head.split("\r\n")[1:]
    assert disposition == (
        f'Content-Disposition: form-data; name="files"; filename="{safe}"; '
        f"filename*=UTF-8''{encoded}"
    )
    assert content_type == f"Content-Type: {ctype}"
    assert str(folder) not in seen[-1].content.decode("utf-8", "replace")


# --- download -------------------------------------------------------------------------


class DropsMidway(httpx.SyncByteStream):
    """Sends part of the body, then the connection resets."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"\x00" * 4096
        raise httpx.ReadError("connection reset")


def test_download_render_from_the_api_carries_auth(env: Harness, tmp_path: Path) -> None:
    env.backend.reply("GET", "/api/render/proxy/", httpx.Response(200, content=b"MP4DATA"))
    progress: list[tuple[int, int]] = []
    dest = env.client.download_render(
        RenderJob(id="r 1", status="completed"),
        tmp_path / "clip.mp4",
        progress=lambda done, total: progress.append((done, total)),
    )
    assert dest.read_bytes() == b"MP4DATA" and progress[-1] == (7, 7)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    (request,) = env.backend.requests
    assert request.url.raw_path == b"/api/render/proxy/r%201/download"
    assert request.headers["Authorization"] == f"Bearer {ENV_TOKEN}"


def test_download_render_sends_no_token_to_a_cdn(env: Harness, tmp_path: Path) -> None:
    env.backend.on("GET", "/v.mp4", lambda r: httpx.Response(200, content=b"CDN"))
    job = RenderJob(id="r", status="completed", output_url="https://cdn.other.test/v.mp4")
    assert env.client.download_render(job, tmp_path / "v.mp4").read_bytes() == b"CDN"
    (request,) = env.backend.requests
    assert request.url.host == "cdn.other.test"
    assert "Authorization" not in request.headers
    assert not any(name.startswith("x-skill") for name in request.headers)


def test_download_render_treats_another_port_as_another_origin(
    env: Harness, tmp_path: Path
) -> None:
    env.backend.on("GET", "/v.mp4", lambda r: httpx.Response(200, content=b"X"))
    job = RenderJob(id="r", status="completed", output_url="https://api.test:8443/v.mp4")
    env.client.download_render(job, tmp_path / "v.mp4")
    assert "Authorization" not in env.backend.requests[0].headers


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://api.test/x.mp4"])
def test_download_render_refuses_non_http_urls(env: Harness, tmp_path: Path, url: str) -> None:
    with pytest.raises(errors.ProtocolError):
        env.client.download_render(
            RenderJob(id="r", status="completed", output_url=url), tmp_path / "x.mp4"
        )
    assert env.backend.requests == [] and list(tmp_path.glob("x.mp4*")) == []


def test_download_render_leaves_no_partial_file_when_the_stream_drops(
    env: Harness, tmp_path: Path
) -> None:
    env.backend.on(
        "GET",
        "/api/render/",
        lambda r: httpx.Response(200, headers={"Content-Length": "10000"}, stream=DropsMidway()),
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(errors.TransportError):
        env.client.download_render(RenderJob(id="r", status="completed"), out / "clip.mp4")
    assert list(out.iterdir()) == []


def test_download_render_rejects_a_short_body(env: Harness, tmp_path: Path) -> None:
    env.backend.on(
        "GET",
        "/api/render/",
        lambda r: httpx.Response(200, headers={"Content-Length": "100"}, content=b"x" * 10),
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises((errors.ProtocolError, errors.TransportError)):
        env.client.download_render(RenderJob(id="r", status="completed"), out / "clip.mp4")
    assert list(out.iterdir()) == []


def test_download_render_error_status_is_raised_and_writes_nothing(
    env: Harness, tmp_path: Path
) -> None:
    env.backend.reply("GET", "/api/render/", httpx.Response(404, json={"code": 1002}))
    with pytest.raises(errors.SessionNotFoundError):
        env.client.download_render(RenderJob(id="r", status="completed"), tmp_path / "c.mp4")
    assert list(tmp_path.glob("*c.mp4*")) == []


# --- re-authentication resends the whole upload ---------------------------------------


def test_1001_on_an_upload_resends_the_whole_body_once(h: Harness, tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8" + b"j" * 5000)
    h.backend.reply(
        "POST", "/api/upload-video/", httpx.Response(401, json={"code": 1001}),
        envelope({"files": [{"filename": "p.jpg"}]}),
    )  # fmt: skip
    assert h.client.upload_files("s", [photo]).files[0].filename == "p.jpg"
    first, second = (r for r in h.backend.requests if r.url.path.startswith("/api/upload"))
    for request in (first, second):
        assert len(request.content) == int(request.headers["Content-Length"])
        assert request.content.count(photo.read_bytes()) == 1
    assert h.count("/api/auth/anonymous-token") == 2


# --- download details -------------------------------------------------------------------


def test_a_relative_output_url_is_fetched_from_the_api_with_auth(
    env: Harness, tmp_path: Path
) -> None:
    env.backend.on("GET", "/files/", lambda r: httpx.Response(200, content=b"REL"))
    job = RenderJob(id="r", status="completed", output_url="/files/r.mp4")
    assert env.client.download_render(job, tmp_path / "r.mp4").read_bytes() == b"REL"
    (request,) = env.backend.requests
    assert (request.url.host, request.url.path) == ("api.test", "/files/r.mp4")
    assert request.headers["Authorization"] == f"Bearer {ENV_TOKEN}"


def test_a_download_replaces_an_existing_file_only_when_complete(
    env: Harness, tmp_path: Path
) -> None:
    dest = tmp_path / "clip.mp4"
    dest.write_bytes(b"OLD")
    env.backend.on("GET", "/api/render/", lambda r: httpx.Response(
        200, headers={"Content-Length": "10000"}, stream=DropsMidway()))  # fmt: skip
    with pytest.raises(errors.TransportError):
        env.client.download_render(RenderJob(id="r", status="completed"), dest)
    assert dest.read_bytes() == b"OLD" and sorted(tmp_path.iterdir()) == [dest]


@pytest.mark.parametrize("doc", ["SKILL.md", "README.md"])
def test_the_docs_state_the_upload_limit_of_the_code(doc: str) -> None:
    text = (Path(__file__).parent.parent / doc).read_text(encoding="utf-8")
    stated = {
        match.group(1)
        for line in text.splitlines()
        if re.search(r"upload|up to|over|limit|4002", line, re.IGNORECASE)
        for match in re.finditer(r"\b(\d+ MB)\b", line)
    }
    assert stated == {errors.MAX_UPLOAD_TEXT}


def test_a_download_to_a_full_disk_says_so_names_the_folder_and_leaves_nothing(
    env: Harness, tmp_path: Path
) -> None:
    """A real ENOSPC: the output folder is a full tmpfs (root only)."""
    env.backend.reply("GET", "/api/render/proxy/", httpx.Response(200, content=b"\0" * 300_000))
    with small_disk(tmp_path / "out", size="1m") as out:
        filler = fill(out)
        with pytest.raises(errors.NemoError) as full:
            env.client.download_render(RenderJob(id="r", status="completed"), out / "clip.mp4")
        assert full.value.message == f"Disk full: no space left in {out} to save the video."
        assert "`-o`" in full.value.worded_hint(STEPS)  # the CLI words the step
        assert [p.name for p in out.iterdir()] == [filler.name]  # no partial file
