"""A stand-in NemoVideo backend whose turns and renders take wall time, not CPU.

Independent of the embedded backend: it speaks just enough of the contract
(anonymous token, session, upload, ``/run_sse``, state, render submit /
status / download, credits) for ``nemo-skill generate``, and it behaves like
the real service in the ways a batch cares about:

- a turn takes ``turn_s`` seconds (heartbeats meanwhile) and runs to the end
  on the server even if the client hangs up; its draft appears in the state
  when it finishes;
- a render takes ``render_s`` seconds with progress, keyed by the
  client-chosen id (re-submitting an id is a no-op);
- every wait is an ``asyncio.sleep``, so 8 concurrent items cost no CPU.

It counts, per session, the turns and render submissions it received, and
the most turns in flight at once. Loopback only. Used by ``bench/batch.py``
and by ``tests/test_batch.py`` (a SIGKILL against a backend with latency).
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

DRAFT: dict[str, Any] = {
    "t": [{"tt": 0, "sg": [{"id": "v1", "d": 1000, "motion": "zoom_in"}]}],
    "m": {"width": 320, "height": 180, "fps": 10},
}


def tiny_mp4(frames: int = 10) -> bytes:
    """A real 320x180 H.264 MP4 (what every render 'produces')."""
    import av
    import numpy as np

    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for n in range(frames):
            image = np.full((180, 320, 3), (n * 20) % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


@dataclass
class Latency:
    """What the backend remembers and counts."""

    turn_s: float = 1.0
    render_s: float = 1.5
    heartbeat_s: float = 0.25
    mp4: bytes = b""
    drafts: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    renders: dict[str, tuple[float, str]] = field(default_factory=dict)  # id -> (start, session)
    turns_per_session: Counter[str] = field(default_factory=Counter)
    renders_per_session: Counter[str] = field(default_factory=Counter)
    turns_now: int = 0
    turns_max: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


def _ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "success", "data": data})


def _missing(what: str) -> JSONResponse:
    return JSONResponse({"code": 1002, "message": f"{what} not found", "data": None}, 404)


def build_app(turn_s: float = 1.0, render_s: float = 1.5) -> Starlette:
    """The app; its counters are ``app.state.latency``."""
    state = Latency(turn_s=turn_s, render_s=render_s, mp4=tiny_mp4())

    async def token(request: Request) -> Response:
        return _ok({"token": "nmv_lat_" + secrets.token_hex(8), "user_id": "anon_lat",
                    "expires_at": int(time.time()) + 7 * 86400, "credits": 100})  # fmt: skip

    async def session(request: Request) -> Response:
        sid = str(secrets.randbelow(10**18) + 10**18)
        state.drafts[sid] = None
        return _ok({"task_id": "t" + sid, "session_id": sid})

    async def upload(request: Request) -> Response:
        sid = request.path_params["sid"]
        if sid not in state.drafts:
            return _missing("Session")
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return _ok({"files": [{"filename": "image.jpg", "file_type": "image", "cdn_url": "x"}],
                    "session_state_applied": True})  # fmt: skip

    async def credits(request: Request) -> Response:
        return _ok({"available": 100, "frozen": 0, "total": 100})

    async def latest(request: Request) -> Response:
        sid = request.path_params["sid"]
        if sid not in state.drafts:
            return _missing("Session")
        return _ok({"session_id": sid, "state": {"draft": state.drafts[sid]}})

    async def work(sid: str) -> None:
        state.turns_now += 1
        state.turns_max = max(state.turns_max, state.turns_now)
        try:
            await asyncio.sleep(state.turn_s)
            state.drafts[sid] = DRAFT
        finally:
            state.turns_now -= 1

    async def run_sse(request: Request) -> Response:
        body = json.loads(await request.body())
        sid = str(body.get("session_id"))
        if sid not in state.drafts:
            return JSONResponse({"detail": "Session not found"}, 404)
        state.turns_per_session[sid] += 1
        task = asyncio.get_running_loop().create_task(work(sid))  # survives a hang-up
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)

        async def events() -> AsyncIterator[bytes]:
            while not task.done():
                await asyncio.wait({task}, timeout=state.heartbeat_s)
                if not task.done():
                    yield b'data: {"type":"heartbeat"}\n\n'
            event = {"author": "nemo_agent", "content": {"role": "model", "parts": [
                {"text": "Your video is ready."}]}, "actions": {"stateDelta": {"draft": DRAFT}}}  # fmt: skip
            yield b"data: " + json.dumps(event).encode() + b"\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    def job(render_id: str, request: Request) -> dict[str, Any]:
        start, _ = state.renders[render_id]
        progress = min(100.0, (time.monotonic() - start) / state.render_s * 100)
        data: dict[str, Any] = {"id": render_id, "progress": round(progress, 1),
                                "status": "completed" if progress >= 100 else "processing"}  # fmt: skip
        if progress >= 100:
            data["outputUrl"] = f"{request.base_url}api/render/proxy/{render_id}/download"
        return data

    async def submit(request: Request) -> Response:
        body = json.loads(await request.body())
        sid, render_id = str(body.get("sessionId")), str(body.get("id"))
        if state.drafts.get(sid) is None:
            return JSONResponse({"success": False, "error": "no draft"}, 400)
        state.renders_per_session[sid] += 1
        state.renders.setdefault(render_id, (time.monotonic(), sid))
        return JSONResponse({"success": True, "data": job(render_id, request)})

    async def status(request: Request) -> Response:
        render_id = request.path_params["rid"]
        if render_id not in state.renders:
            return JSONResponse({"success": False, "error": "not found"}, 404)
        return JSONResponse({"success": True, "data": job(render_id, request)})

    async def download(request: Request) -> Response:
        return Response(state.mp4, media_type="video/mp4")

    app = Starlette(routes=[
        Route("/api/auth/anonymous-token", token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", session, methods=["POST"]),
        Route("/api/upload-video/nemo_agent/me/{sid}", upload, methods=["POST"]),
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", latest, methods=["GET"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/render/proxy/lambda", submit, methods=["POST"]),
        Route("/api/render/proxy/lambda/{rid}", status, methods=["GET"]),
        Route("/api/render/proxy/{rid}/download", download, methods=["GET"]),
    ])  # fmt: skip
    app.state.latency = state
    return app


class LatencyServer:
    """The app on a free 127.0.0.1 port in a daemon thread."""

    def __init__(self, turn_s: float = 1.0, render_s: float = 1.5) -> None:
        import uvicorn

        self.app = build_app(turn_s, render_s)
        self.state: Latency = self.app.state.latency
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning",
                                access_log=False, lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the latency backend did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def idle(self) -> bool:
        """True when no turn is running on the server."""
        return self.state.turns_now == 0

    def stop(self) -> None:
        """Stop serving."""
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> LatencyServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
