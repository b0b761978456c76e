"""Projects: ``POST /api/tasks/me/with-session/nemo_agent``."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nemo_skill.local.http import backend_of, current_user, ok, read_json


class SessionBody(BaseModel):
    """Body of the create-session call."""

    task_name: str = Field(default="project", max_length=200)
    language: str = Field(default="en", max_length=16)


async def create_session(request: Request) -> Response:
    """``POST /api/tasks/me/with-session/nemo_agent``: a new session and task."""
    user = current_user(request)
    body = await read_json(request, SessionBody)
    session_id, task_id = backend_of(request).store.create_session(
        user.user_id, body.language, body.task_name
    )
    return ok({"task_id": task_id, "session_id": session_id, "user_id": user.user_id})


ROUTES = [Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"])]
