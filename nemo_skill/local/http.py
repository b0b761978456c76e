"""HTTP plumbing of the embedded backend: envelopes, errors, auth, body limits, Range.

Every endpoint answers the contract's envelope (``{"code", "message",
"data"}``; render endpoints ``{"success", "data"}``); errors never carry a
stack trace.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from nemo_skill.errors import ErrorCode
from nemo_skill.local.backend import Backend
from nemo_skill.local.store import User
from nemo_skill.storage import disk_full_message, is_disk_full

log = logging.getLogger("nemo_skill.local")
JSON_LIMIT = 1024 * 1024


class BackendError(Exception):
    """An error answered with the contract's envelope."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        status: int = 400,
        headers: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.headers = code, message, status, headers or {}
        self.data = data  # the envelope's ``data`` (e.g. a 2001's offline ``hint``)


def ok(data: Any) -> JSONResponse:
    """The success envelope."""
    return JSONResponse({"code": 0, "message": "success", "data": data})


def render_ok(data: Any) -> JSONResponse:
    """The render proxy's envelope."""
    return JSONResponse({"success": True, "data": data})


def error_response(exc: BackendError) -> JSONResponse:
    """The error envelope of ``exc``."""
    body = {"code": int(exc.code), "message": exc.message, "data": exc.data}
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def backend_of(request: Request) -> Backend:
    """The app's shared state."""
    backend: Backend = request.app.state.backend
    return backend


def base_url(request: Request) -> str:
    """The URL this request reached the backend at, without a trailing slash."""
    return str(request.base_url).rstrip("/")


def current_user(request: Request) -> User:
    """The owner of the request's bearer token (1001 when missing or invalid)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BackendError(ErrorCode.AUTH, "Missing bearer token.", 401)
    user = backend_of(request).store.user_for_token(token.strip())
    if user is None:
        raise BackendError(ErrorCode.AUTH, "Invalid or expired token.", 401)
    return user


def owned_session(request: Request, user: User, session_id: str) -> sqlite3.Row:
    """The session if ``user`` owns it (1002 otherwise: others' sessions do not exist)."""
    row = backend_of(request).store.session(session_id, user.user_id)
    if row is None:
        raise BackendError(ErrorCode.SESSION_NOT_FOUND, "Session not found.", 404)
    return row


async def read_body(request: Request, limit: int = JSON_LIMIT) -> bytes:
    """The request body, refused (413) as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    too_large = BackendError(ErrorCode.PAYLOAD_TOO_LARGE, "Request body too large.", 413)
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, model: type[BaseModel]) -> Any:
    """The body validated as ``model`` (422 naming at most five bad fields)."""
    raw = await read_body(request)
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise BackendError(
            ErrorCode.INVALID_BODY, f"Invalid request body ({fields}).", 422
        ) from None


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(start, end)`` inclusive of a single ``bytes=`` range; None means the whole file.

    Raises ValueError when the range cannot be satisfied (answer 416).
    """
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    if match.group(1):
        start = int(match.group(1))
        end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    else:
        start, end = max(0, size - int(match.group(2))), size - 1
    if start > end or start >= size:
        raise ValueError(f"unsatisfiable range for {size} bytes")
    return start, end


def file_response(request: Request, path: Path, media_type: str) -> Response:
    """``path`` streamed in 1 MiB chunks, honouring a single HTTP Range."""
    size = path.stat().st_size
    try:
        wanted = byte_range(request.headers.get("range", ""), size)
    except ValueError:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    start, end = wanted or (0, size - 1)

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
    if wanted is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    status = 206 if wanted is not None else 200
    return StreamingResponse(chunks(), status_code=status, media_type=media_type, headers=headers)


async def on_backend_error(request: Request, exc: Exception) -> Response:
    """Exception handler: a :class:`BackendError` as its envelope."""
    assert isinstance(exc, BackendError)
    return error_response(exc)


def disk_full_error(request: Request) -> BackendError:
    """The 507 of a full disk (ENOSPC, a full quota, SQLite's "disk is full"), naming the
    data folder: the user can fix it, so it is never an anonymous 500."""
    folder = backend_of(request).store.dir
    return BackendError(
        ErrorCode.INSUFFICIENT_STORAGE,
        disk_full_message(folder, "(the offline backend's data folder)"),
        507,
        data={"hint": "Free some space on that disk, then try again."},
    )


@contextmanager
def disk_full_refused(request: Request) -> Iterator[None]:
    """Turn a full disk met inside the block into :func:`disk_full_error`.

    Raised as a :class:`BackendError` before the response starts, it is answered
    like any refusal and the connection stays usable (a crash closes it, and the
    client's next request on it would see a reset).
    """
    try:
        yield
    except Exception as exc:
        if isinstance(exc, BackendError) or not is_disk_full(exc):
            raise
        log.warning("disk full on %s", request.url.path)
        raise disk_full_error(request) from None


async def on_crash(request: Request, exc: Exception) -> Response:
    """Exception handler: any other error is a 500 with no details (they go to the log).

    A full disk met anywhere else still says so (:func:`disk_full_error`).
    """
    if is_disk_full(exc):
        log.warning("disk full on %s", request.url.path)
        return error_response(disk_full_error(request))
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    body = {"code": int(ErrorCode.INTERNAL), "message": "Internal error.", "data": None}
    return JSONResponse(body, status_code=500)


async def on_not_found(request: Request, exc: Exception) -> Response:
    """Exception handler: unknown paths and methods."""
    body = {"code": int(ErrorCode.NOT_FOUND), "message": "Not found.", "data": None}
    return JSONResponse(body, status_code=404)
