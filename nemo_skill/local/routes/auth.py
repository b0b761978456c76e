"""Tokens: ``POST /api/auth/anonymous-token`` and ``POST /api/auth/claim-token``."""

from __future__ import annotations

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
    """``POST /api/auth/anonymous-token``: a token for the client id's user.

    The real service gives one token per client id every 7 days. Offline that
    rule would only lock the user out (a deleted or damaged token cache, and
    every command waits and fails), so a known client id gets a new token for
    its same user: same projects, same credits, no free credits again.
    """
    backend = backend_of(request)
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id or len(client_id) > 64:
        raise BackendError(
            ErrorCode.BAD_REQUEST, "Missing or invalid X-Client-Id header (1-64 chars).", 400
        )
    token, user, expires = backend.store.issue_anonymous_token(
        client_id, backend.config.credits_new_user, backend.config.token_ttl_s
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
    """``POST /api/auth/claim-token``: read access to one project for the claim page.

    The session must be the caller's and ``task_id`` its task; only the token's
    hash is stored (see :mod:`nemo_skill.local.routes.claim`).
    """
    user = current_user(request)
    body = await read_json(request, ClaimBody)
    row = owned_session(request, user, body.session_id)
    if row["task_id"] != body.task_id:
        raise BackendError(
            ErrorCode.SESSION_NOT_FOUND, "No such task in this session (task_id).", 404
        )
    backend = backend_of(request)
    ttl = backend.config.claim_ttl_s
    token = backend.store.issue_claim_token(body.session_id, user.user_id, ttl)
    return ok({"claim_token": token, "expires_in": int(ttl)})


ROUTES = [
    Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
    Route("/api/auth/claim-token", claim_token, methods=["POST"]),
]
