"""The embedded backend: every endpoint of the NemoVideo contract, offline.

Same paths, envelopes (``{"code", "message", "data"}``; render endpoints
``{"success", "data"}``), error codes and ``/run_sse`` stream as the real
service, backed by SQLite (:mod:`.store`), a rule-based agent (:mod:`.agent`)
and the CPU render engine behind a bounded queue (:mod:`.jobs`). Errors never
carry a stack trace; file names from clients are never used as paths.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
import re
import secrets
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pydantic import BaseModel, Field, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from nemo_skill.errors import MAX_UPLOAD_BYTES, SUPPORTED_FORMATS
from nemo_skill.local import agent
from nemo_skill.local.jobs import LocalRenderQueue
from nemo_skill.local.store import Store, StoredFile, User

log = logging.getLogger("nemo_skill.local")
JSON_LIMIT = 1024 * 1024
SKILL_HEADERS = ("x-skill-source", "x-skill-version", "x-skill-platform")


@dataclass
class LocalConfig:
    """Knobs of the embedded backend (defaults follow the real service)."""

    credits_new_user: int = 100
    cost_generate: int = 100
    cost_edit: int = 50
    silent_edit_fraction: float = 0.3
    render_workers: int = max(1, (os.cpu_count() or 2) // 2)
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    token_ttl_s: float = 7 * 24 * 3600.0
    heartbeat_interval_s: float = 0.5
    default_long_side: int = 1920
    block_free_export: bool = False
    allowed_url_dirs: tuple[Path, ...] = ()
    seed: int | None = None


class BackendError(Exception):
    """An error answered with the contract's envelope."""

    def __init__(
        self, code: int, message: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.headers = code, message, status, headers or {}


@dataclass
class Backend:
    """Everything the endpoints share."""

    store: Store
    config: LocalConfig
    queue: LocalRenderQueue
    rng: random.Random
    turn_locks: dict[str, threading.Lock] = field(default_factory=dict)


def ok(data: Any) -> JSONResponse:
    """The success envelope."""
    return JSONResponse({"code": 0, "message": "success", "data": data})


def render_ok(data: Any) -> JSONResponse:
    """The render proxy's envelope."""
    return JSONResponse({"success": True, "data": data})


# --- request helpers ----------------------------------------------------------


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def _user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BackendError(1001, "Missing bearer token.", 401)
    user = _backend(request).store.user_for_token(token.strip())
    if user is None:
        raise BackendError(1001, "Invalid or expired token.", 401)
    return user


def _session(request: Request, user: User, session_id: str) -> Any:
    row = _backend(request).store.session(session_id, user.user_id)
    if row is None:
        raise BackendError(1002, "Session not found.", 404)
    return row


async def _body(request: Request, limit: int = JSON_LIMIT) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BackendError(413, "Request body too large.", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BackendError(413, "Request body too large.", 413)
        chunks.append(chunk)
    return b"".join(chunks)


async def _json(request: Request, model: type[BaseModel]) -> Any:
    raw = await _body(request)
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise BackendError(422, f"Invalid request body ({fields}).", 422) from None


# --- auth ---------------------------------------------------------------------


async def anonymous_token(request: Request) -> Response:
    """``POST /api/auth/anonymous-token``."""
    backend = _backend(request)
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id or len(client_id) > 64:
        raise BackendError(400, "Missing or invalid X-Client-Id header (1-64 chars).", 400)
    issued = backend.store.client_token_issued(client_id)
    ttl = backend.config.token_ttl_s
    if issued is not None and time.time() - issued < ttl:
        wait = int(ttl - (time.time() - issued)) + 1
        raise BackendError(
            429, "One token per client every 7 days.", 429, {"Retry-After": str(min(wait, 3600))}
        )
    token, user, expires = backend.store.issue_anonymous_token(
        client_id, backend.config.credits_new_user, ttl
    )
    expires_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
    return ok(
        {
            "token": token,
            "user_id": user.user_id,
            "expires_at": expires_iso,
            "credits": user.available,
        }
    )


class ClaimBody(BaseModel):
    """Body of the claim-token call."""

    task_id: str = Field(max_length=200)
    session_id: str = Field(max_length=200)


async def claim_token(request: Request) -> Response:
    """``POST /api/auth/claim-token``."""
    user = _user(request)
    body = await _json(request, ClaimBody)
    _session(request, user, body.session_id)
    return ok({"claim_token": f"clm_{secrets.token_urlsafe(18)}", "expires_in": 7 * 24 * 3600})


# --- sessions, credits, state ---------------------------------------------------


class SessionBody(BaseModel):
    """Body of the create-session call."""

    task_name: str = Field(default="project", max_length=200)
    language: str = Field(default="en", max_length=16)


async def create_session(request: Request) -> Response:
    """``POST /api/tasks/me/with-session/nemo_agent``."""
    user = _user(request)
    body = await _json(request, SessionBody)
    session_id, task_id = _backend(request).store.create_session(
        user.user_id, body.language, body.task_name
    )
    return ok({"task_id": task_id, "session_id": session_id, "user_id": user.user_id})


async def credits(request: Request) -> Response:
    """``GET /api/credits/balance/simple``."""
    user = _user(request)
    return ok(
        {"available": user.available, "frozen": user.frozen, "total": user.available + user.frozen}
    )


def _file_url(request: Request, f: StoredFile) -> str:
    return f"{str(request.base_url).rstrip('/')}/files/{f.sha256}/{quote(f.name)}"


def _file_info(request: Request, f: StoredFile) -> dict[str, Any]:
    return {
        "filename": f.name,
        "file_type": f.file_type,
        "cdn_url": _file_url(request, f),
        "duration": None,
        "width": f.width,
        "height": f.height,
        "fps": None,
        "hash": f.sha256,
    }


async def state(request: Request) -> Response:
    """``GET /api/state/nemo_agent/me/<sid>/latest``."""
    user = _user(request)
    row = _session(request, user, request.path_params["sid"])
    store = _backend(request).store
    draft = store.latest_draft(row["session_id"])
    files = [_file_info(request, f) for f in store.files(row["session_id"])]
    return ok(
        {
            "session_id": row["session_id"],
            "task_id": row["task_id"],
            "task_name": row["task_name"],
            "state": {
                "video_infos": files,
                "draft": draft or {},
                "canvas_config": (draft or {}).get("m", {}),
                "video_analyses": {},
                "generated_media": [],
            },
        }
    )


# --- upload ---------------------------------------------------------------------

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
_UNSUPPORTED = "Unsupported file. Supported: " + ", ".join(SUPPORTED_FORMATS) + "."


def sniff(head: bytes) -> str | None:
    """The format family the content really is (None if unknown)."""
    for name, test in _MAGIC:
        if test(head):
            return name
    return None


def _safe_name(name: str) -> str:
    """A display name: no directories, no control characters, at most 120 chars (suffix kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().strip(".") or "file"
    if len(base) <= 120:
        return base
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext) > 10:
        return base[:120]
    return f"{stem[: 119 - len(ext)]}.{ext}"


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    fd: int = -1
    tmp: str = ""
    size: int = 0
    head: bytes = b""
    sha: Any = None


class _UploadParser:
    """Streams multipart parts to temp files, enforcing the size limit as bytes arrive."""

    def __init__(self, tmp_dir: Path, limit: int) -> None:
        self.tmp_dir, self.limit = tmp_dir, limit
        self.parts: list[_Part] = []
        self.total = 0
        self._field = b""
        self._value = b""
        self._headers: dict[bytes, bytes] = {}
        self._current: _Part | None = None

    def callbacks(self) -> dict[str, Callable[..., None]]:
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
        self._current = _Part()

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
            raise BackendError(4002, f"File too large: the limit is {self.limit // 2**20} MB.", 413)
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
        for part in self.parts:
            if part.fd >= 0:
                os.close(part.fd)
            if part.tmp and os.path.exists(part.tmp):
                os.unlink(part.tmp)


async def _parse_multipart(request: Request, backend: Backend) -> _UploadParser:
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise BackendError(
            4001, "Send files as multipart/form-data (field 'files') or JSON {'urls': [...]}.", 400
        )
    limit = backend.config.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise BackendError(4002, f"File too large: the limit is {limit // 2**20} MB.", 413)
    collector = _UploadParser(backend.store.dir / "tmp", limit)
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            await asyncio.to_thread(parser.write, chunk) if len(chunk) > 1 << 20 else parser.write(
                chunk
            )
        parser.finalize()
    except MultipartParseError:
        collector.cleanup()
        raise BackendError(4001, "The upload is not valid multipart/form-data.", 400) from None
    except BaseException:
        collector.cleanup()
        raise
    return collector


@dataclass
class _Checked:
    """An upload part that passed every check, ready to be stored."""

    part: _Part
    name: str
    file_type: str
    width: int | None = None
    height: int | None = None


def _check_part(part: _Part) -> _Checked:
    """Extension, content sniffing and (images) a header probe; nothing is stored yet."""
    from nemo_skill.errors import FileTooLargeError, NemoError

    name = _safe_name(part.filename or "file")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    family = _FAMILY.get(ext)
    real = sniff(part.head)
    if family is None or real is None or (real != family and {real, family} != {"mp4", "m4a"}):
        raise BackendError(4001, f"{name}: {_UNSUPPORTED}", 415)
    if part.size == 0:
        raise BackendError(4001, f"{name}: the file is empty.", 415)
    checked = _Checked(part, name, _TYPES[real])
    if checked.file_type == "image":
        from nemo_skill.local.engine import probe_image

        probe = Path(part.tmp).with_suffix("." + ext)
        os.replace(part.tmp, probe)
        part.tmp = str(probe)
        try:
            checked.width, checked.height = probe_image(probe)
        except FileTooLargeError:
            raise BackendError(
                4002, f"{name}: the photo has too many pixels (limit about 100 megapixels).", 413
            ) from None
        except NemoError:  # the probe names our temp file: answer with the upload's name
            raise BackendError(4001, f"{name}: not a readable image. {_UNSUPPORTED}", 415) from None
    return checked


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


def _store_parts(
    backend: Backend, parts: list[_Part], user: User, session_id: str
) -> list[StoredFile]:
    """All or nothing: every part is checked before any is stored."""
    checked = [_check_part(p) for p in parts]
    return [_store_checked(backend, c, user, session_id) for c in checked]


class UrlBody(BaseModel):
    """The URL form of the upload call."""

    urls: list[str] = Field(min_length=1, max_length=20)
    source_type: str = "url"


async def upload(request: Request) -> Response:
    """``POST /api/upload-video/nemo_agent/me/<sid>``: multipart streamed to disk, or URLs."""
    user = _user(request)
    row = _session(request, user, request.path_params["sid"])
    backend = _backend(request)
    if request.headers.get("content-type", "").startswith("application/json"):
        return await _upload_urls(request, backend, user, row["session_id"])
    collector = await _parse_multipart(request, backend)
    try:
        parts = [
            p for p in collector.parts if p.filename is not None and p.name in ("files", "file")
        ]
        if not parts:
            raise BackendError(4001, "No file in the request (multipart field 'files').", 400)
        stored = _store_parts(backend, parts, user, row["session_id"])
    finally:
        collector.cleanup()
    return ok({"files": [_file_info(request, f) for f in stored], "session_state_applied": True})


async def _upload_urls(request: Request, backend: Backend, user: User, session_id: str) -> Response:
    body = await _json(request, UrlBody)
    stored = []
    for url in body.urls:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise BackendError(
                4001,
                "The local backend has no internet access: upload the file itself instead.",
                400,
            )
        path = Path(unquote(parts.path)).resolve()
        allowed = [d.resolve() for d in backend.config.allowed_url_dirs]
        if not any(path.is_relative_to(d) for d in allowed) or not path.is_file():
            raise BackendError(
                4001, "That file:// path is outside the folders this backend may read.", 400
            )
        if path.stat().st_size > backend.config.max_upload_bytes:
            raise BackendError(4002, "File too large: the limit is 200 MB.", 413)
        fd, tmp = tempfile.mkstemp(dir=backend.store.dir / "tmp", suffix=".upload")
        part = _Part(name="files", filename=path.name, tmp=tmp, sha=hashlib.sha256())
        with os.fdopen(fd, "wb") as out, path.open("rb") as src:
            while chunk := src.read(1 << 20):
                if not part.head:
                    part.head = chunk[:32]
                part.sha.update(chunk)
                part.size += len(chunk)
                out.write(chunk)
        try:
            stored += _store_parts(backend, [part], user, session_id)
        finally:
            if part.tmp and os.path.exists(part.tmp):
                os.unlink(part.tmp)
    return ok({"files": [_file_info(request, f) for f in stored], "session_state_applied": True})


async def serve_file(request: Request) -> Response:
    """``GET /files/<sha>/<name>``: an uploaded file, to its owner only."""
    user = _user(request)
    sha = request.path_params["sha"]
    record = (
        _backend(request).store.user_file(user.user_id, sha)
        if re.fullmatch(r"[0-9a-f]{64}", sha)
        else None
    )
    if record is None:
        raise BackendError(404, "File not found.", 404)
    return _file_response(
        request, _backend(request).store.blob_path(sha), "application/octet-stream"
    )


# --- run_sse ----------------------------------------------------------------------


class RunBody(BaseModel):
    """The ADK ``/run_sse`` body (snake_case or camelCase ids)."""

    app_name: str = Field(default="nemo_agent", alias="app_name")
    user_id: str | None = None
    session_id: str | None = None
    userId: str | None = None  # noqa: N815 - ADK accepts both spellings
    sessionId: str | None = None  # noqa: N815
    new_message: dict[str, Any] | None = None
    newMessage: dict[str, Any] | None = None  # noqa: N815


def _message_text(body: RunBody) -> str:
    message = body.new_message or body.newMessage or {}
    parts = message.get("parts") if isinstance(message, dict) else None
    texts = [
        p.get("text", "")
        for p in parts or []
        if isinstance(p, dict) and isinstance(p.get("text"), str)
    ]
    return "\n".join(texts).strip()


def _resolver(backend: Backend) -> Callable[[str, str], Path]:
    def resolve(user_id: str, src: str) -> Path:
        from nemo_skill.errors import UnsupportedFileError

        match = re.search(r"/files/([0-9a-f]{64})(?:/|$)", urlsplit(src).path)
        record = backend.store.user_file(user_id, match.group(1)) if match else None
        if record is None:
            raise UnsupportedFileError(
                f"The draft refers to a file that is not uploaded: {src[:80]}"
            )
        ext = record.name.rsplit(".", 1)[-1].lower() if "." in record.name else "jpg"
        path = backend.store.blob_path(record.sha256)
        link = backend.store.dir / "tmp" / f"{record.sha256}.{ext}"
        if not link.exists():
            try:
                os.link(path, link)
            except OSError:
                import shutil

                shutil.copyfile(path, link)
        return link

    return resolve


async def run_sse(request: Request) -> Response:
    """``POST /run_sse``: one agent turn streamed as ADK events."""
    user = _user(request)
    raw = await _body(request)
    try:
        body = RunBody.model_validate_json(raw or b"{}")
    except ValidationError:
        return JSONResponse(
            {"detail": [{"type": "json_invalid", "loc": ["body"], "msg": "Invalid JSON"}]}, 422
        )
    session_id = body.session_id or body.sessionId
    text = _message_text(body)
    if not session_id or not text:
        missing = "sessionId" if not session_id else "newMessage"
        return JSONResponse(
            {"detail": [{"type": "missing", "loc": ["body", missing], "msg": "Field required"}]},
            422,
        )
    backend = _backend(request)
    if backend.store.session(session_id, user.user_id) is None:
        return JSONResponse({"detail": f"Session not found: {session_id}"}, 404)
    lock = backend.turn_locks.setdefault(session_id, threading.Lock())
    if not lock.acquire(blocking=False):
        raise BackendError(
            429,
            "A turn is already running in this session; wait for it to finish.",
            429,
            {"Retry-After": "5"},
        )
    try:
        draft = backend.store.latest_draft(session_id)
        plan = agent.plan_turn(
            text,
            draft,
            backend.store.files(session_id),
            cost_generate=backend.config.cost_generate,
            cost_edit=backend.config.cost_edit,
            long_side=backend.config.default_long_side,
            source_url=lambda f: _file_url(request, f),
        )
        if plan.cost and not backend.store.freeze(user.user_id, plan.cost):
            raise BackendError(2001, "Not enough credits for this request.", 402)
    except BaseException:
        lock.release()
        raise
    undo_draft = backend.store.pop_draft(session_id) if plan.kind == "undo" else None
    return StreamingResponse(
        _turn_stream(backend, user, session_id, plan, undo_draft, lock),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
    )


async def _turn_stream(
    backend: Backend,
    user: User,
    session_id: str,
    plan: agent.TurnPlan,
    undo_draft: dict[str, Any] | None,
    lock: threading.Lock,
) -> AsyncIterator[bytes]:
    """The turn's SSE frames; settles the frozen credits however the stream ends.

    The cost is charged once the draft has changed (the work is done and kept
    in the state, as the real service does), and released when nothing was
    done: an agent error or a client hang-up before the first state change.
    """
    changed = plan.kind == "undo"
    try:
        for event in agent.stream_turn(
            plan,
            rng=backend.rng,
            silent_fraction=backend.config.silent_edit_fraction,
            undo_draft=undo_draft,
        ):
            if event is agent.HEARTBEAT:
                await asyncio.sleep(backend.config.heartbeat_interval_s)
                yield b'data: {"type":"heartbeat"}\n\n'
                continue
            delta = event["actions"]["stateDelta"].get("draft")
            if delta and plan.kind != "undo":
                # One history entry per turn (undo reverts the whole turn), always current.
                if changed:
                    backend.store.replace_latest_draft(session_id, delta)
                else:
                    backend.store.push_draft(session_id, delta)
                changed = True
            yield b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n"
    except Exception as exc:  # an agent failure is an error event, as ADK does
        log.exception("agent turn failed")
        error = {  # ADK's shape; the details stay in the server log
            "error": f"{type(exc).__name__}: turn failed",
            "error_details": {
                "error_type": type(exc).__name__,
                "error_message": "turn failed",
                "timestamp": time.time(),
            },
        }
        yield b"data: " + json.dumps(error).encode() + b"\n\n"
    finally:
        if plan.cost:
            backend.store.settle(user.user_id, plan.cost, spent=changed)
        lock.release()


# --- render -------------------------------------------------------------------------


class RenderBody(BaseModel):
    """Body of ``POST /api/render/proxy/lambda``."""

    id: str = Field(min_length=1, max_length=100)
    sessionId: str = Field(min_length=1, max_length=100)  # noqa: N815 - wire name
    draft: dict[str, Any]
    output: dict[str, Any] = Field(default_factory=dict)


def _job_data(request: Request, job: Any) -> dict[str, Any]:
    data = {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "createdAt": int(job.created * 1000),
        "completedAt": int(job.completed * 1000) if job.completed else None,
    }
    if job.status == "completed":
        base = str(request.base_url).rstrip("/")
        data["outputUrl"] = f"{base}/api/render/proxy/{quote(job.id, safe='')}/download"
    if job.error:
        data["error"] = job.error
    return data


def _own_job(request: Request, user: User) -> Any:
    job = _backend(request).store.job(request.path_params["job_id"])
    if job is None or job.user_id != user.user_id:
        raise BackendError(404, "Render job not found.", 404)
    return job


async def render_submit(request: Request) -> Response:
    """Queue an export (free). Idempotent per id for its owner."""
    user = _user(request)
    body = await _json(request, RenderBody)
    backend = _backend(request)
    if not all(request.headers.get(h) for h in SKILL_HEADERS):
        raise BackendError(
            402, "Export is not available on this plan (missing skill attribution).", 402
        )
    if backend.config.block_free_export and user.anonymous:
        raise BackendError(402, "Export is not available on the free plan.", 402)
    _session(request, user, body.sessionId)
    if not any(isinstance(t, dict) and t.get("sg") for t in body.draft.get("t", []) or []):
        raise BackendError(400, "The draft has no segments to render.", 400)
    existing = backend.store.job(body.id)
    if existing is not None and existing.user_id != user.user_id:
        raise BackendError(409, "A render with this id already exists.", 409)
    job = backend.store.create_job(body.id, user.user_id, body.sessionId, body.draft)
    if existing is None:
        backend.queue.submit(job.id)
    return render_ok(_job_data(request, job))


async def render_status(request: Request) -> Response:
    """``GET /api/render/proxy/lambda/<id>``."""
    return render_ok(_job_data(request, _own_job(request, _user(request))))


async def render_cancel(request: Request) -> Response:
    """``POST /api/render/proxy/lambda/<id>/cancel``."""
    user = _user(request)
    job = _own_job(request, user)
    backend = _backend(request)
    if job.status in ("pending", "processing"):
        if not backend.queue.cancel(job.id) or job.status == "pending":
            backend.store.update_job(job.id, status="cancelled", completed=time.time())
        for _ in range(50):  # give the encoder a moment to stop at its next frame
            job = backend.store.job(job.id)
            if job is None or job.status not in ("pending", "processing"):
                break
            await asyncio.sleep(0.05)
    return render_ok(_job_data(request, _own_job(request, user)))


async def render_download(request: Request) -> Response:
    """``GET /api/render/proxy/<id>/download``: the MP4, with Range support."""
    job = _own_job(request, _user(request))
    if job.status != "completed" or not job.output or not Path(job.output).is_file():
        raise BackendError(404, f"Render {job.id} is {job.status}; nothing to download.", 404)
    return _file_response(request, Path(job.output), "video/mp4")


def _file_response(request: Request, path: Path, media_type: str) -> Response:
    size = path.stat().st_size
    start, end = 0, size - 1
    status = 200
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", request.headers.get("range", "").strip())
    if match and (match.group(1) or match.group(2)):
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:
            start = max(0, size - int(match.group(2)))
        if start > end or start >= size:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
        status = 206

    async def chunks() -> AsyncIterator[bytes]:
        with path.open("rb") as fh:
            fh.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = fh.read(min(1 << 20, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    headers = {"Content-Length": str(end - start + 1), "Accept-Ranges": "bytes"}
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return StreamingResponse(chunks(), status_code=status, media_type=media_type, headers=headers)


# --- app ------------------------------------------------------------------------------


async def _fail(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BackendError)
    body = {"code": exc.code, "message": exc.message, "data": None}
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


async def _crash(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return JSONResponse({"code": 500, "message": "Internal error.", "data": None}, status_code=500)


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"code": 404, "message": "Not found.", "data": None}, status_code=404)


def create_app(data_dir: Path, *, config: LocalConfig | None = None) -> Starlette:
    """The backend app over ``data_dir`` (created if missing)."""
    config = config or LocalConfig()
    store = Store(Path(data_dir))
    store.fail_interrupted_jobs()
    store.sweep_partial_files()
    backend = Backend(
        store,
        config,
        LocalRenderQueue(store, lambda u, s: Path(), workers=config.render_workers),
        random.Random(config.seed),  # noqa: S311 - simulation, not security
    )
    backend.queue.resolver = _resolver(backend)
    routes = [
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/auth/claim-token", claim_token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/upload-video/nemo_agent/me/{sid}", upload, methods=["POST"]),
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", state, methods=["GET"]),
        Route("/api/render/proxy/lambda", render_submit, methods=["POST"]),
        Route("/api/render/proxy/lambda/{job_id}", render_status, methods=["GET"]),
        Route("/api/render/proxy/lambda/{job_id}/cancel", render_cancel, methods=["POST"]),
        Route("/api/render/proxy/{job_id}/download", render_download, methods=["GET"]),
        Route("/files/{sha}/{name:path}", serve_file, methods=["GET"]),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        BackendError: _fail,
        404: _not_found,
        405: _not_found,
        Exception: _crash,
    }
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.backend = backend
    return app


def close_app(app: Starlette) -> None:
    """Stop the render workers and close the database."""
    backend: Backend = app.state.backend
    backend.queue.shutdown()
    backend.store.close()
