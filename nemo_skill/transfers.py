"""The pure parts of uploads and downloads: checks, the multipart body, streaming to a file.

An upload is checked locally first (:func:`check_upload`: exists, a supported
format, not empty, within :data:`~nemo_skill.errors.MAX_UPLOAD_BYTES`), then
streamed from disk as ``multipart/form-data`` in 1 MiB chunks
(:class:`MultipartBody`), never read whole into memory. A download streams to
a temp file beside the target and renames it only when complete
(:func:`stream_to_file`); :func:`download_url` says where a render is fetched
from and whether that is the API's own origin (the only one that gets the token).
The client (:class:`~nemo_skill.client.NemoClient`) owns the sends; nothing
here sends a request.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import httpx

from nemo_skill.errors import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_TEXT,
    SUPPORTED_FORMATS,
    FileTooLargeError,
    NemoError,
    ProtocolError,
    TransportError,
    UnsupportedFileError,
    UsageError,
)
from nemo_skill.models import RenderJob
from nemo_skill.storage import disk_full_message, is_disk_full

# 1 MiB: as fast as 4 MiB on loopback (bench/upload.py) at a quarter of the memory.
UPLOAD_CHUNK = 1024 * 1024
DOWNLOAD_CHUNK = 1024 * 1024
UPLOAD_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
DOWNLOAD_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
ProgressFn = Callable[[int, int], None]


def check_upload(path: Path) -> Path:
    """Local pre-checks before anything is sent: exists, format, size limit."""
    try:
        is_file, size = path.is_file(), path.stat().st_size if path.exists() else -1
    except (OSError, ValueError) as exc:  # e.g. a name too long for the file system, or a NUL
        raise UsageError(
            f"Cannot use this file path ({type(exc).__name__}).",
            hint="Check the path and try again.",
        ) from None
    if size < 0:
        raise UsageError(f"File not found: {path}", hint="Check the path and try again.")
    if not is_file:
        raise UsageError(f"Not a regular file: {path}")
    ext = path.suffix.lower().lstrip(".")
    if ext not in SUPPORTED_FORMATS:
        raise UnsupportedFileError(f"Unsupported file type: {path.name}")
    if size == 0:
        raise UnsupportedFileError(f"The file is empty: {path.name}")
    if size > MAX_UPLOAD_BYTES:
        raise FileTooLargeError(
            f"{path.name} is {size / 2**20:.1f} MB; the limit is {MAX_UPLOAD_TEXT}."
        )
    return path


class MultipartBody:
    """A ``multipart/form-data`` body streamed from disk in large chunks.

    Iterating it again starts over (the files are reopened), so a re-sent
    request sends the whole body again.
    """

    def __init__(self, paths: Sequence[Path], progress: ProgressFn | None = None) -> None:
        self.paths = list(paths)
        self.progress = progress
        self.boundary = uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={self.boundary}"
        self._heads = [self._head(p) for p in self.paths]
        self._tail = f"--{self.boundary}--\r\n".encode()
        sizes = [
            len(h) + p.stat().st_size + 2 for h, p in zip(self._heads, self.paths, strict=True)
        ]
        self.length = sum(sizes) + len(self._tail)
        # Progress counts file bytes only, against their total, so it ends at 100%.
        self.file_bytes = sum(p.stat().st_size for p in self.paths)

    def _head(self, path: Path) -> bytes:
        name = path.name.replace("\\", "_").replace('"', "_").replace("\r", "_").replace("\n", "_")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{name}"; '
            f"filename*=UTF-8''{quote(path.name)}\r\n"
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode()

    @property
    def headers(self) -> dict[str, str]:
        """The request headers this body needs."""
        return {"Content-Type": self.content_type, "Content-Length": str(self.length)}

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        for head, path in zip(self._heads, self.paths, strict=True):
            yield head
            with path.open("rb") as fh:
                while chunk := fh.read(UPLOAD_CHUNK):
                    sent += len(chunk)
                    if self.progress:
                        self.progress(sent, self.file_bytes)
                    yield chunk
            yield b"\r\n"
        yield self._tail


def upload_path(session_id: str) -> str:
    """The multipart upload endpoint of ``session_id``."""
    return f"/api/upload-video/nemo_agent/me/{quote(str(session_id), safe='')}"


def download_url(api_url: str, job: RenderJob) -> tuple[str, bool]:
    """Where ``job``'s MP4 is fetched from, and whether that is the API's own origin.

    The backend's ``output_url`` (absolute, or relative to the API), else the
    documented fallback endpoint. Only http(s) is accepted.
    """
    url = job.output_url or f"/api/render/proxy/{quote(str(job.id), safe='')}/download"
    absolute = urljoin(api_url + "/", url)
    scheme = urlsplit(absolute).scheme
    if scheme not in ("http", "https"):
        raise ProtocolError(f"Refusing to download a render from a {scheme!r} URL.")
    return absolute, _origin(absolute) == _origin(api_url)


def stream_to_file(response: httpx.Response, dest: Path, progress: ProgressFn | None) -> Path:
    """Stream ``response``'s body to ``dest``: temp file beside it, fsync, then rename."""
    total = int(response.headers.get("Content-Length") or 0)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    done = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                fh.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            fh.flush()
            os.fsync(fh.fileno())
        if total and done != total:
            raise ProtocolError(f"The download ended early ({done} of {total} bytes).")
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, httpx.TransportError):
            raise TransportError(f"The download was interrupted ({type(exc).__name__}).") from exc
        if isinstance(exc, OSError) and is_disk_full(exc):
            raise NemoError(
                disk_full_message(dest.parent, "to save the video"),
                code="disk_full",
                hint="Free some space there (or choose another folder with {next:output}), "
                "then export again (exports cost no credits).",
            ) from None
        raise
    return dest


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port
