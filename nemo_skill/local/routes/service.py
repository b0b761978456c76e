"""The local service's control: ``GET /_local/service`` (status), ``POST .../stop``.

Both answer only a caller that shows the per-start secret of the port file (0600:
the folder's owner); anyone else gets the 404 of an unknown path. An app run
without a :class:`Control` (tests, ``start_background``) has no control at all.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nemo_skill import portfile


@dataclass
class Control:
    """The running service as its control endpoint sees it."""

    info: portfile.ServiceInfo
    busy: Callable[[], bool]
    idle_for: Callable[[], float]
    stop: threading.Event = field(default_factory=threading.Event)


def _control(request: Request) -> Control | None:
    control: Control | None = getattr(request.app.state, "control", None)
    secret = request.headers.get(portfile.SECRET_HEADER, "")
    if control is None or not hmac.compare_digest(secret, control.info.secret):
        return None
    return control


async def status(request: Request) -> Response:
    """``GET /_local/service``: who serves this folder (secret required)."""
    control = _control(request)
    if control is None:
        return JSONResponse({"detail": "Not Found"}, 404)
    return JSONResponse(
        {
            **control.info.to_dict(),
            "busy": control.busy(),
            "idle_for_s": round(control.idle_for(), 1),
        }
    )


async def stop(request: Request) -> Response:
    """``POST /_local/service/stop``: stop now; requests in flight get a short grace (secret)."""
    control = _control(request)
    if control is None:
        return JSONResponse({"detail": "Not Found"}, 404)
    control.stop.set()
    return JSONResponse({"stopping": True, "pid": control.info.pid})


ROUTES = [
    Route(portfile.STATUS_PATH, status, methods=["GET"]),
    Route(portfile.STATUS_PATH + "/stop", stop, methods=["POST"]),
]
