"""Exports: ``/api/render/proxy/...`` (submit, status, cancel, download with Range)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nemo_skill.errors import ErrorCode
from nemo_skill.local.http import (
    BackendError,
    backend_of,
    base_url,
    current_user,
    file_response,
    owned_session,
    read_json,
    render_ok,
)
from nemo_skill.local.store import Job, User

SKILL_HEADERS = ("x-skill-source", "x-skill-version", "x-skill-platform")


class RenderBody(BaseModel):
    """Body of ``POST /api/render/proxy/lambda``."""

    id: str = Field(min_length=1, max_length=100)
    sessionId: str = Field(min_length=1, max_length=100)  # noqa: N815 - wire name
    draft: dict[str, Any]
    output: dict[str, Any] = Field(default_factory=dict)


def job_data(request: Request, job: Job) -> dict[str, Any]:
    """The contract's view of a render job (``outputUrl`` once completed)."""
    data: dict[str, Any] = {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "createdAt": int(job.created * 1000),
        "completedAt": int(job.completed * 1000) if job.completed else None,
    }
    if job.status == "completed":
        data["outputUrl"] = (
            f"{base_url(request)}/api/render/proxy/{quote(job.id, safe='')}/download"
        )
    if job.error:
        data["error"] = job.error
    return data


def _own_job(request: Request, user: User) -> Job:
    job = backend_of(request).store.job(request.path_params["job_id"])
    if job is None or job.user_id != user.user_id:
        raise BackendError(ErrorCode.NOT_FOUND, "Render job not found.", 404)
    return job


async def render_submit(request: Request) -> Response:
    """Queue an export (free). Idempotent per id for its owner."""
    user = current_user(request)
    body = await read_json(request, RenderBody)
    backend = backend_of(request)
    if not all(request.headers.get(h) for h in SKILL_HEADERS):
        raise BackendError(
            ErrorCode.PLAN_REQUIRED,
            "Export is not available on this plan (missing skill attribution).",
            402,
        )
    if backend.config.block_free_export and user.anonymous:
        raise BackendError(
            ErrorCode.PLAN_REQUIRED, "Export is not available on the free plan.", 402
        )
    owned_session(request, user, body.sessionId)
    if not any(isinstance(t, dict) and t.get("sg") for t in body.draft.get("t", []) or []):
        raise BackendError(ErrorCode.BAD_REQUEST, "The draft has no segments to render.", 400)
    existing = backend.store.job(body.id)
    if existing is not None and existing.user_id != user.user_id:
        raise BackendError(ErrorCode.CONFLICT, "A render with this id already exists.", 409)
    job = backend.store.create_job(body.id, user.user_id, body.sessionId, body.draft)
    if existing is None:
        backend.queue.submit(job.id)
    return render_ok(job_data(request, job))


async def render_status(request: Request) -> Response:
    """``GET /api/render/proxy/lambda/<id>``."""
    return render_ok(job_data(request, _own_job(request, current_user(request))))


async def render_cancel(request: Request) -> Response:
    """``POST /api/render/proxy/lambda/<id>/cancel``."""
    user = current_user(request)
    job: Job | None = _own_job(request, user)
    backend = backend_of(request)
    assert job is not None
    if job.status in ("pending", "processing"):
        if not backend.queue.cancel(job.id) or job.status == "pending":
            backend.store.update_job(job.id, status="cancelled", completed=time.time())
        for _ in range(50):  # give the encoder a moment to stop at its next frame
            job = backend.store.job(job.id)
            if job is None or job.status not in ("pending", "processing"):
                break
            await asyncio.sleep(0.05)
    return render_ok(job_data(request, _own_job(request, user)))


async def render_download(request: Request) -> Response:
    """``GET /api/render/proxy/<id>/download``: the MP4, with Range support."""
    job = _own_job(request, current_user(request))
    if job.status != "completed" or not job.output or not Path(job.output).is_file():
        raise BackendError(
            ErrorCode.NOT_FOUND, f"Render {job.id} is {job.status}; nothing to download.", 404
        )
    return file_response(request, Path(job.output), "video/mp4")


ROUTES = [
    Route("/api/render/proxy/lambda", render_submit, methods=["POST"]),
    Route("/api/render/proxy/lambda/{job_id}", render_status, methods=["GET"]),
    Route("/api/render/proxy/lambda/{job_id}/cancel", render_cancel, methods=["POST"]),
    Route("/api/render/proxy/{job_id}/download", render_download, methods=["GET"]),
]
