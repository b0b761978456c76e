"""The web side of the embedded backend: the claim page and what it loads.

``GET /workspace/claim?ct=<claim token>`` is the page; ``/workspace/claim/view``
(JSON) and ``/workspace/claim/video`` (the MP4, Range supported; ``download=1``
as an attachment) are scoped by the same token, so the page works without a
bearer token. A wrong token is a 404 page, an expired one a 410 page.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from nemo_skill.errors import ErrorCode
from nemo_skill.local import claim
from nemo_skill.local.http import backend_of, file_response

# What the page may load: only itself. Tokens in its URLs never leave in a Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; "
        "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
STATIC = {"claim.js": "text/javascript; charset=utf-8", "claim.css": "text/css; charset=utf-8"}


class ClaimRefusedError(Exception):
    """A claim token that opens nothing: answered with a 4xx page (or JSON for the view)."""

    def __init__(self, code: ErrorCode, title: str, message: str) -> None:
        super().__init__(message)
        self.code, self.title, self.message = code, title, message
        self.status = int(code)  # these codes are HTTP statuses


def _project(request: Request) -> claim.Project:
    token = request.query_params.get("ct", "").strip()
    if not token:
        raise ClaimRefusedError(
            ErrorCode.BAD_REQUEST, "Missing claim token", "This link has no claim token (ct=...)."
        )
    store = backend_of(request).store
    grant = store.claim(token) if len(token) <= 200 else None
    project = claim.load_project(store, grant, token) if grant is not None else None
    if grant is None or project is None:
        raise ClaimRefusedError(
            ErrorCode.NOT_FOUND,
            "Link not recognised",
            "This claim link is wrong or belongs to another backend.",
        )
    if grant.expired:
        raise ClaimRefusedError(ErrorCode.GONE, "Link expired", "This claim link has expired.")
    return project


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**SECURITY_HEADERS, **(extra or {})}


def _claimed(
    request: Request, refuse: Callable[[ClaimRefusedError], Response]
) -> claim.Project | Response:
    """The project the request's token opens, or ``refuse``'s answer saying why not."""
    try:
        return _project(request)
    except ClaimRefusedError as refused:
        response = refuse(refused)
        response.headers.update(_headers())
        return response


def _html_refusal(refused: ClaimRefusedError) -> Response:
    body = claim.error_page(refused.status, refused.title, refused.message)
    return HTMLResponse(body, status_code=refused.status)


def _json_refusal(refused: ClaimRefusedError) -> Response:
    body = {"code": int(refused.code), "message": refused.message, "data": None}
    return JSONResponse(body, status_code=refused.status)


def _text_refusal(refused: ClaimRefusedError) -> Response:
    return Response(refused.message, status_code=refused.status)


async def claim_page(request: Request) -> Response:
    """``GET /workspace/claim?ct=...``: the project page (or a 4xx page saying why not)."""
    project = _claimed(request, _html_refusal)
    if isinstance(project, Response):
        return project
    return HTMLResponse(claim.page(project), headers=_headers())


async def claim_view(request: Request) -> Response:
    """``GET /workspace/claim/view?ct=...``: the page's data as JSON."""
    project = _claimed(request, _json_refusal)
    if isinstance(project, Response):
        return project
    return JSONResponse(claim.project_view(project), headers=_headers())


async def claim_video(request: Request) -> Response:
    """``GET /workspace/claim/video?ct=...[&download=1]``: the latest render's MP4."""
    project = _claimed(request, _text_refusal)
    if isinstance(project, Response):
        return project
    render = project.render
    if render is None or not render.output:
        message = "This project has no export yet. " + claim.EXPORT_HOW
        return Response(message, status_code=ErrorCode.NOT_FOUND, headers=_headers())
    response = file_response(request, Path(render.output), "video/mp4")
    response.headers.update(_headers())
    if request.query_params.get("download") == "1":
        name = claim.download_name(project.title)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


async def static(request: Request) -> Response:
    """``GET /workspace/static/<name>``: the page's script and style (a fixed list)."""
    name = request.path_params["name"]
    if name not in STATIC:
        return Response("Not found.", status_code=ErrorCode.NOT_FOUND, headers=_headers())
    text = resources.files("nemo_skill.local.web").joinpath(name).read_text("utf-8")
    return Response(text, media_type=STATIC[name], headers=_headers())


ROUTES = [
    Route(claim.CLAIM_PATH, claim_page, methods=["GET"]),
    Route(f"{claim.CLAIM_PATH}/view", claim_view, methods=["GET"]),
    Route(f"{claim.CLAIM_PATH}/video", claim_video, methods=["GET"]),
    Route(f"{claim.STATIC_PATH}/{{name}}", static, methods=["GET"]),
]
