"""Uploaded files: content sniffing, the streaming multipart parser, storage and URLs.

Nothing here trusts a client's file name: names are cleaned for display only,
content is stored by its SHA-256, and a file's format is what its first bytes
say it is (and must agree with its extension).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request

from nemo_skill.errors import SUPPORTED_FORMATS, ErrorCode
from nemo_skill.local.backend import Backend
from nemo_skill.local.http import BackendError, base_url
from nemo_skill.local.refs import file_ref, ref_sha
from nemo_skill.local.store import StoredFile, User

_MAGIC: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("jpg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ("png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ("gif", lambda b: b[:6] in (b"GIF87a", b"GIF89a")),
    ("webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    ("wav", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE"),
    ("avi", lambda b: b[:4] == b"RIFF" and b[8:12] == b"AVI "),
    (
        "heic",
        lambda b: (
            b[4:8] == b"ftyp" and b[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif", b"hevc")
        ),
    ),
    ("m4a", lambda b: b[4:8] == b"ftyp" and b[8:11] in (b"M4A", b"M4B")),
    ("mp4", lambda b: b[4:8] == b"ftyp"),
    ("webm", lambda b: b.startswith(b"\x1a\x45\xdf\xa3")),
    (
        "mp3",
        lambda b: (
            b.startswith(b"ID3")
            or (len(b) > 1 and b[0] == 0xFF and (b[1] & 0xE0) == 0xE0 and (b[1] & 0x06) != 0)
        ),
    ),
    ("aac", lambda b: len(b) > 1 and b[0] == 0xFF and (b[1] & 0xF6) == 0xF0),
)
_FAMILY = {
    "jpeg": "jpg",
    "jpg": "jpg",
    "png": "png",
    "gif": "gif",
    "webp": "webp",
    "heic": "heic",
    "heif": "heic",
    "wav": "wav",
    "avi": "avi",
    "mp4": "mp4",
    "mov": "mp4",
    "m4a": "m4a",
    "webm": "webm",
    "mkv": "webm",
    "mp3": "mp3",
    "aac": "aac",
}
_TYPES = {
    "jpg": "image",
    "png": "image",
    "gif": "image",
    "webp": "image",
    "heic": "image",
    "wav": "audio",
    "mp3": "audio",
    "aac": "audio",
    "m4a": "audio",
    "mp4": "video",
    "avi": "video",
    "webm": "video",
}
MIN_PHOTO_SIDE = 64  # px on the short side: smaller is a thumbnail blown up 20x at 1080p
MAX_PHOTO_ASPECT = 4.0  # 1:4 .. 4:1: past it the frame is a strip (10000x10 -> 1920x2)
DECODE_CHECK_SIDE = 256  # the full-decode check keeps no more than this (JPEG decodes at 1/8)
DAMAGED_HINT = (
    "Open the photo on your device to check it, save or export it again (JPG or PNG), "
    "and upload that copy."
)
ASPECT_HINT = (
    "Crop it to a shape between 1:4 and 4:1 (for example 16:9, 4:3, 1:1 or 9:16) and "
    "upload it again."
)
_UNSUPPORTED = "Unsupported file. Supported: " + ", ".join(SUPPORTED_FORMATS) + "."


def too_large(limit: int) -> BackendError:
    """The 4002 answer for an upload over ``limit`` bytes."""
    return BackendError(
        ErrorCode.FILE_TOO_LARGE, f"File too large: the limit is {limit // 2**20} MB.", 413
    )


def sniff(head: bytes) -> str | None:
    """The format family the content really is (None if unknown)."""
    for name, test in _MAGIC:
        if test(head):
            return name
    return None


def safe_name(name: str) -> str:
    """A display name: no directories, no control characters, at most 120 chars (suffix kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().strip(".") or "file"
    if len(base) <= 120:
        return base
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext) > 10:
        return base[:120]
    return f"{stem[: 119 - len(ext)]}.{ext}"


# --- URLs of stored files -------------------------------------------------------


def source_ref(f: StoredFile) -> str:
    """How a draft names ``f``: ``/files/<sha>/<name>``, no host, no port (see :mod:`.refs`)."""
    return file_ref(f.sha256, f.name)


def file_url(request: Request, f: StoredFile) -> str:
    """Where the owner downloads ``f`` now (this request's host and port, bearer token)."""
    return f"{base_url(request)}{source_ref(f)}"


def file_info(request: Request, f: StoredFile) -> dict[str, Any]:
    """The contract's description of an uploaded file."""
    return {
        "filename": f.name,
        "file_type": f.file_type,
        "cdn_url": file_url(request, f),
        "duration": None,
        "width": f.width,
        "height": f.height,
        "fps": None,
        "hash": f.sha256,
    }


def source_resolver(backend: Backend) -> Callable[[str, str], Path]:
    """``(user_id, src) -> path``: a draft's file reference (or an old URL with a port) as
    the local file the user uploaded."""

    def resolve(user_id: str, src: str) -> Path:
        from nemo_skill.errors import UnsupportedFileError

        sha = ref_sha(src)
        record = backend.store.user_file(user_id, sha) if sha else None
        if record is None:
            raise UnsupportedFileError(
                f"The draft refers to a file that is not uploaded: {src[:80]}"
            )
        ext = record.name.rsplit(".", 1)[-1].lower() if "." in record.name else "jpg"
        path = backend.store.blob_path(record.sha256)
        link = backend.store.dir / "tmp" / f"{record.sha256}.{ext}"
        if not link.exists():  # the decoders pick a demuxer by suffix: give them one
            try:
                os.link(path, link)
            except FileExistsError:
                pass  # another render worker linked it first (copying onto it is SameFileError)
            except OSError:
                shutil.copyfile(path, link)
        return link

    return resolve


# --- multipart ---------------------------------------------------------------------


@dataclass
class Part:
    """One multipart part; a file part is streamed to ``tmp`` as it arrives."""

    name: str = ""
    filename: str | None = None
    fd: int = -1
    tmp: str = ""
    size: int = 0
    head: bytes = b""
    sha: Any = None


class UploadParser:
    """Streams multipart parts to temp files, enforcing the size limit as bytes arrive."""

    def __init__(self, tmp_dir: Path, limit: int) -> None:
        self.tmp_dir, self.limit = tmp_dir, limit
        self.parts: list[Part] = []
        self.total = 0
        self._field = b""
        self._value = b""
        self._headers: dict[bytes, bytes] = {}
        self._current: Part | None = None

    def callbacks(self) -> dict[str, Callable[..., None]]:
        """The callbacks for ``python_multipart.MultipartParser``."""
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._hfield,
            "on_header_value": self._hvalue,
            "on_header_end": self._hend,
            "on_headers_finished": self._hdone,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers = {}
        self._current = Part()

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _hend(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _hdone(self) -> None:
        from python_multipart.multipart import parse_options_header

        assert self._current is not None
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._current.name = params.get(b"name", b"").decode("utf-8", "replace")
        raw = params.get(b"filename*") or params.get(b"filename")
        if raw is not None:
            text = raw.decode("utf-8", "replace")
            self._current.filename = unquote(text.split("''", 1)[1]) if "''" in text else text
            fd, tmp = tempfile.mkstemp(dir=self.tmp_dir, suffix=".upload")
            self._current.fd, self._current.tmp, self._current.sha = fd, tmp, hashlib.sha256()
        self.parts.append(self._current)

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._current
        if part is None or part.fd < 0:
            return
        chunk = data[start:end]
        self.total += len(chunk)
        if self.total > self.limit:
            raise too_large(self.limit)
        if len(part.head) < 32:
            part.head += chunk[: 32 - len(part.head)]
        part.size += len(chunk)
        part.sha.update(chunk)
        os.write(part.fd, chunk)

    def _end(self) -> None:
        if self._current is not None and self._current.fd >= 0:
            os.close(self._current.fd)
            self._current.fd = -2

    def cleanup(self) -> None:
        """Close and remove every temp file not moved into storage."""
        for part in self.parts:
            if part.fd >= 0:
                os.close(part.fd)
            if part.tmp and os.path.exists(part.tmp):
                os.unlink(part.tmp)


async def parse_multipart(request: Request, backend: Backend) -> UploadParser:
    """Stream the request's multipart body to temp files (cleaned up on any error)."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise BackendError(
            ErrorCode.UNSUPPORTED_FILE,
            "Send files as multipart/form-data (field 'files') or JSON {'urls': [...]}.",
            400,
        )
    limit = backend.config.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise too_large(limit)
    collector = UploadParser(backend.store.dir / "tmp", limit)
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    body = _Body(request)
    try:
        async for chunk in body.chunks():
            if len(chunk) > 1 << 20:  # big chunks off the event loop
                await asyncio.to_thread(parser.write, chunk)
            else:
                parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        collector.cleanup()
        raise BackendError(
            ErrorCode.UNSUPPORTED_FILE, "The upload is not valid multipart/form-data.", 400
        ) from None
    except OSError:  # a full disk, say: the answer says so, once the client has sent it all
        collector.cleanup()
        await body.drain(limit)
        raise
    except BaseException:
        collector.cleanup()
        raise
    return collector


class _Body:
    """A request body read chunk by chunk, remembering whether the client has sent it all."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.complete = False

    async def chunks(self) -> AsyncIterator[bytes]:
        """The chunks still to come (``Request.stream`` does not say where it stopped)."""
        from starlette.requests import ClientDisconnect

        while not self.complete:
            message = await self.request.receive()
            if message["type"] != "http.request":
                raise ClientDisconnect()
            self.complete = not message.get("more_body", False)
            if message.get("body"):
                yield message["body"]

    async def drain(self, limit: int) -> None:
        """Read and drop the rest (at most ``limit`` bytes), so a client still sending
        hears the error instead of a connection reset."""
        received = 0
        async for chunk in self.chunks():
            received += len(chunk)
            if received > limit:
                return


def copy_local_file(path: Path, tmp_dir: Path) -> Part:
    """A ``file://`` upload: ``path`` copied to a temp file as a :class:`Part`."""
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, suffix=".upload")
    part = Part(name="files", filename=path.name, tmp=tmp, sha=hashlib.sha256())
    with os.fdopen(fd, "wb") as out, path.open("rb") as src:
        while chunk := src.read(1 << 20):
            if not part.head:
                part.head = chunk[:32]
            part.sha.update(chunk)
            part.size += len(chunk)
            out.write(chunk)
    return part


# --- checks and storage ----------------------------------------------------------------


@dataclass
class _Checked:
    """An upload part that passed every check, ready to be stored."""

    part: Part
    name: str
    file_type: str
    width: int | None = None
    height: int | None = None


def _check_part(part: Part) -> _Checked:
    """Extension, content sniffing and (images) the photo checks; nothing is stored yet."""
    name = safe_name(part.filename or "file")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    family = _FAMILY.get(ext)
    real = sniff(part.head)
    if family is None:
        raise BackendError(ErrorCode.UNSUPPORTED_FILE, f"{name}: {_UNSUPPORTED}", 415)
    if real is None or (real != family and {real, family} != {"mp4", "m4a"}):
        raise BackendError(
            ErrorCode.UNSUPPORTED_FILE, _misnamed(name, ext, real), 415, data={"hint": DAMAGED_HINT}
        )
    if part.size == 0:
        raise BackendError(ErrorCode.UNSUPPORTED_FILE, f"{name}: the file is empty.", 415)
    checked = _Checked(part, name, _TYPES[real])
    if checked.file_type == "image":
        probe = Path(part.tmp).with_suffix("." + ext)
        os.replace(part.tmp, probe)
        part.tmp = str(probe)
        checked.width, checked.height = _check_photo(name, probe)
    return checked


def _misnamed(name: str, ext: str, real: str | None) -> str:
    """The refusal of a file whose content is not what its name says (a text named .jpg):
    the supported list alone would name the very format the user thinks they sent."""
    what = f"a {real.upper()} file" if real else "not a photo, video or audio format"
    formats = ", ".join(SUPPORTED_FORMATS)
    return f"{name}: the name says .{ext}, but the content is {what} (supported: {formats})."


def _check_photo(name: str, path: Path) -> tuple[int, int]:
    """The photo's (width, height) once it is known to frame and to decode to the end.

    Refused here, before anything is stored or charged, rather than at export:
    a damaged file (truncated, garbage after a valid header), a photo too small
    or too narrow/wide to frame. Every message names the user's file, never ours.
    """
    from nemo_skill.errors import FileTooLargeError, NemoError
    from nemo_skill.local.engine import probe_image
    from nemo_skill.local.engine.images import load_image

    try:
        width, height = probe_image(path)
        _check_frame(name, width, height)  # from the header: before seconds of decoding
        load_image(path, DECODE_CHECK_SIDE)  # every byte decoded (JPEG at a reduced scale)
    except FileTooLargeError:
        raise BackendError(
            ErrorCode.FILE_TOO_LARGE,
            f"{name}: the photo has too many pixels (limit about 100 megapixels).",
            413,
        ) from None
    except NemoError:  # the engine names our temp file: answer with the upload's name
        # Its first bytes said it is this format (sniffed above): it is damaged, not foreign.
        raise BackendError(
            ErrorCode.UNSUPPORTED_FILE,
            f"{name}: the image is damaged or incomplete (it cannot be decoded to the end).",
            415,
            data={"hint": DAMAGED_HINT},
        ) from None
    return width, height


def _check_frame(name: str, width: int, height: int) -> None:
    """4001 for a photo the engine cannot frame sensibly; the message states both limits."""
    long, short = max(width, height), min(width, height)
    if long > MAX_PHOTO_ASPECT * short:
        problem, hint = f"too {'wide' if width > height else 'tall'} to frame", ASPECT_HINT
    elif short < MIN_PHOTO_SIDE:
        problem, hint = "too small", f"Use a larger photo (at least {MIN_PHOTO_SIDE} px a side)."
    else:
        return
    raise BackendError(
        ErrorCode.UNSUPPORTED_FILE,
        f"{name}: the photo is {width}x{height} pixels, {problem}; photos must be between "
        f"1:{MAX_PHOTO_ASPECT:g} and {MAX_PHOTO_ASPECT:g}:1 (width:height) and at least "
        f"{MIN_PHOTO_SIDE} pixels on the short side.",
        415,
        data={"hint": hint},
    )


def _store_checked(backend: Backend, checked: _Checked, user: User, session_id: str) -> StoredFile:
    """Move a checked part into content-addressed storage and record it."""
    part = checked.part
    sha = part.sha.hexdigest()
    blob = backend.store.blob_path(sha)
    blob.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if blob.exists():
        os.unlink(part.tmp)
    else:
        os.replace(part.tmp, blob)
    part.tmp = ""
    record = StoredFile(
        session_id,
        user.user_id,
        sha,
        checked.name,
        checked.file_type,
        part.size,
        checked.width,
        checked.height,
    )
    backend.store.add_file(record)
    return record


def store_parts(
    backend: Backend, parts: list[Part], user: User, session_id: str
) -> list[StoredFile]:
    """All or nothing: every part is checked before any is stored."""
    checked = [_check_part(p) for p in parts]
    return [_store_checked(backend, c, user, session_id) for c in checked]
