"""Files: ``POST /api/upload-video/nemo_agent/me/<sid>`` and ``GET /files/<sha>/<name>``."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nemo_skill.errors import ErrorCode
from nemo_skill.local.backend import Backend
from nemo_skill.local.http import (
    BackendError,
    backend_of,
    current_user,
    disk_full_refused,
    file_response,
    ok,
    owned_session,
    read_json,
)
from nemo_skill.local.store import StoredFile, User
from nemo_skill.local.uploads import (
    copy_local_file,
    file_info,
    parse_multipart,
    store_parts,
    too_large,
)


class UrlBody(BaseModel):
    """The URL form of the upload call."""

    urls: list[str] = Field(min_length=1, max_length=20)
    source_type: str = "url"


async def upload(request: Request) -> Response:
    """``POST /api/upload-video/nemo_agent/me/<sid>``: multipart streamed to disk, or URLs.

    The checks decode every photo in full, so they run off the event loop.
    """
    user = current_user(request)
    row = owned_session(request, user, request.path_params["sid"])
    backend = backend_of(request)
    with disk_full_refused(request):
        if request.headers.get("content-type", "").startswith("application/json"):
            stored = await _upload_urls(request, backend, user, row["session_id"])
        else:
            stored = await _upload_parts(request, backend, user, row["session_id"])
    return ok({"files": [file_info(request, f) for f in stored], "session_state_applied": True})


async def _upload_parts(
    request: Request, backend: Backend, user: User, session_id: str
) -> list[StoredFile]:
    """The multipart form: file parts streamed to temp files, then checked and stored."""
    collector = await parse_multipart(request, backend)
    try:
        parts = [
            p for p in collector.parts if p.filename is not None and p.name in ("files", "file")
        ]
        if not parts:
            raise BackendError(
                ErrorCode.UNSUPPORTED_FILE,
                "No file in the request (multipart field 'files').",
                400,
            )
        return await asyncio.to_thread(store_parts, backend, parts, user, session_id)
    finally:
        collector.cleanup()


async def _upload_urls(
    request: Request, backend: Backend, user: User, session_id: str
) -> list[StoredFile]:
    """``file://`` URLs inside ``allowed_url_dirs`` (the backend has no internet access)."""
    body = await read_json(request, UrlBody)
    stored: list[StoredFile] = []
    for url in body.urls:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise BackendError(
                ErrorCode.UNSUPPORTED_FILE,
                "The local backend has no internet access: upload the file itself instead.",
                400,
            )
        path = Path(unquote(parts.path)).resolve()
        allowed = [d.resolve() for d in backend.config.allowed_url_dirs]
        if not any(path.is_relative_to(d) for d in allowed) or not path.is_file():
            raise BackendError(
                ErrorCode.UNSUPPORTED_FILE,
                "That file:// path is outside the folders this backend may read.",
                400,
            )
        if path.stat().st_size > backend.config.max_upload_bytes:
            raise too_large(backend.config.max_upload_bytes)
        part = copy_local_file(path, backend.store.dir / "tmp")
        try:
            stored += await asyncio.to_thread(store_parts, backend, [part], user, session_id)
        finally:
            if part.tmp and os.path.exists(part.tmp):
                os.unlink(part.tmp)
    return stored


async def serve_file(request: Request) -> Response:
    """``GET /files/<sha>/<name>``: an uploaded file, to its owner only."""
    user = current_user(request)
    sha = request.path_params["sha"]
    store = backend_of(request).store
    record = store.user_file(user.user_id, sha) if re.fullmatch(r"[0-9a-f]{64}", sha) else None
    if record is None:
        raise BackendError(ErrorCode.NOT_FOUND, "File not found.", 404)
    return file_response(request, store.blob_path(sha), "application/octet-stream")


ROUTES = [
    Route("/api/upload-video/nemo_agent/me/{sid}", upload, methods=["POST"]),
    Route("/files/{sha}/{name:path}", serve_file, methods=["GET"]),
]
