"""Tokens: ``POST /api/auth/anonymous-token`` and ``POST /api/auth/claim-token``."""

from __future__ import annotations

import secrets
import time

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nemo_skill.errors import ErrorCode
from nemo_skill.local.http import (
    BackendError,
    backend_of,
    current_user,
    ok,
    owned_session,
    read_json,
)


async def anonymous_token(request: Request) -> Response:
    """``POST /api/auth/anonymous-token``: one token per client id every 7 days."""
    backend = backend_of(request)
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id or len(client_id) > 64:
        raise BackendError(
            ErrorCode.BAD_REQUEST, "Missing or invalid X-Client-Id header (1-64 chars).", 400
        )
    issued = backend.store.client_token_issued(client_id)
    ttl = backend.config.token_ttl_s
    if issued is not None and time.time() - issued < ttl:
        wait = int(ttl - (time.time() - issued)) + 1
        raise BackendError(
            ErrorCode.RATE_LIMITED,
            "One token per client every 7 days.",
            429,
            {"Retry-After": str(min(wait, 3600))},
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
    user = current_user(request)
    body = await read_json(request, ClaimBody)
    owned_session(request, user, body.session_id)
    return ok({"claim_token": f"clm_{secrets.token_urlsafe(18)}", "expires_in": 7 * 24 * 3600})


ROUTES = [
    Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
    Route("/api/auth/claim-token", claim_token, methods=["POST"]),
]
