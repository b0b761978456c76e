"""Credits: ``GET /api/credits/balance/simple``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nemo_skill.local.http import current_user, ok


async def credits(request: Request) -> Response:
    """``GET /api/credits/balance/simple``: available, frozen (held by running turns), total."""
    user = current_user(request)
    return ok(
        {"available": user.available, "frozen": user.frozen, "total": user.available + user.frozen}
    )


ROUTES = [Route("/api/credits/balance/simple", credits, methods=["GET"])]
