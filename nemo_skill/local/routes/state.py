"""A session's state: ``GET /api/state/nemo_agent/me/<sid>/latest``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nemo_skill.local.http import backend_of, current_user, ok, owned_session
from nemo_skill.local.uploads import file_info


async def state(request: Request) -> Response:
    """``GET /api/state/nemo_agent/me/<sid>/latest``: the draft and the uploaded files."""
    user = current_user(request)
    row = owned_session(request, user, request.path_params["sid"])
    store = backend_of(request).store
    draft = store.latest_draft(row["session_id"])
    files = [file_info(request, f) for f in store.files(row["session_id"])]
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


ROUTES = [Route("/api/state/nemo_agent/me/{sid}/latest", state, methods=["GET"])]
