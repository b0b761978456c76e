"""A fault-injecting ASGI wrapper around the embedded backend (test-only).

``FaultApp(app)`` passes requests through, except those matching a rule set
with :meth:`FaultApp.add`: answer a code, hang, reset the connection, close an
SSE stream mid-event, send malformed JSON or a truncated frame, stream only
heartbeats, or report an unexpected render status. Two faults let the request
through to the backend and spoil only what the client sees: ``lost_answer``
(the backend does the work, the client gets an error status: a submit whose
answer was lost) and ``stage2_late`` (a generation's stream closes after its
first stage, and the backend's second stage, music and title, lands
``seconds`` later, as the vendor's two-stage generation does). Every request
is counted per path, and the JSON bodies of ``record``-ed paths are kept, so
tests can assert retries and render ids exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass
class Fault:
    """What to do with a matching request (``times`` = how many requests it applies to)."""

    kind: (
        str  # code | hang | reset | sse_cut | bad_json | sse_truncated | heartbeats |
        # render_status | lost_answer | stage2_late
    )
    status: int = 200
    code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    value: str = ""
    times: int = 10**9


class FaultApp:
    """ASGI middleware injecting faults by method and path prefix."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rules: list[tuple[str, str, Fault]] = []
        self.counts: Counter[str] = Counter()
        self.record: set[str] = set()  # "METHOD /path" keys whose JSON bodies are kept
        self.bodies: dict[str, list[Any]] = {}

    def add(self, method: str, prefix: str, fault: Fault) -> None:
        """Apply ``fault`` to requests of ``method`` whose path starts with ``prefix``."""
        self.rules.append((method.upper(), prefix, fault))

    def clear(self) -> None:
        """Remove every rule and reset the counters."""
        self.rules.clear()
        self.counts.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = f"{scope['method']} {scope['path']}"
        self.counts[key] += 1
        if key in self.record or any(r.kind in _PASS_THROUGH for _, _, r in self.rules):
            body = await read_body(receive)
            receive = replay(body)
            if key in self.record:
                self.bodies.setdefault(key, []).append(json.loads(body or b"null"))
        for method, prefix, fault in self.rules:
            if scope["method"] == method and scope["path"].startswith(prefix) and fault.times > 0:
                fault.times -= 1
                await self._inject(fault, scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _inject(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        kind = fault.kind
        if kind == "code":
            body = {
                "code": fault.code or fault.status,
                "message": f"injected {fault.code or fault.status}",
                "data": None,
            }
            await _json(send, fault.status, body, fault.headers)
        elif kind == "hang":
            await asyncio.sleep(fault.seconds)
            await _json(send, 200, {"code": 0, "data": {}})
        elif kind == "reset":
            raise ConnectionResetError("injected reset")
        elif kind == "bad_json":
            await _raw(send, 200, b'{"code": 0, "data": {"avail', "application/json")
        elif kind in ("sse_cut", "sse_truncated", "heartbeats"):
            await self._sse(kind, fault, send)
        elif kind == "lost_answer":
            await detached(self.app, scope, receive, _drop)  # the work is done...
            body = {"code": fault.status, "message": "Bad Gateway", "data": None}
            await _json(send, fault.status, body)  # ...but its answer never arrives
        elif kind == "stage2_late":
            await detached(self.app, scope, receive, _close_after_first_stage(send, fault))
        elif kind == "render_status":
            body = {"success": True, "data": {"id": "x", "status": fault.value, "progress": 10}}
            await _json(send, 200, body)

    async def _sse(self, kind: str, fault: Fault, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        text = json.dumps({"content": {"parts": [{"text": "Working on it."}], "role": "model"}})
        if kind == "heartbeats":
            for _ in range(int(fault.value or 5)):
                await send(
                    {
                        "type": "http.response.body",
                        "body": b'data: {"type":"heartbeat"}\n\n',
                        "more_body": True,
                    }
                )
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send(
            {"type": "http.response.body", "body": f"data: {text}\n\n".encode(), "more_body": True}
        )
        if kind == "sse_truncated":
            await send(
                {
                    "type": "http.response.body",
                    "body": b'data: {"content": {"parts": [{"te\n\n',
                    "more_body": False,
                }
            )
            return
        await send(
            {"type": "http.response.body", "body": b'data: {"content": {"par', "more_body": True}
        )
        raise ConnectionResetError("injected mid-event close")


_PASS_THROUGH = ("lost_answer", "stage2_late")


async def read_body(receive: Receive) -> bytes:
    """The whole request body."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """The request body once, then never a disconnect: the work goes on without the client."""
    sent = False

    async def receive() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive


async def _drop(message: MutableMapping[str, Any]) -> None:
    """A send to a client that is gone."""


async def detached(app: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """Serve to the end whatever happens to the client (as the real backend does)."""

    async def safe_send(message: MutableMapping[str, Any]) -> None:
        with contextlib.suppress(Exception):  # the client is gone; the work still completes
            await send(message)

    await asyncio.shield(asyncio.ensure_future(app(scope, receive, safe_send)))


def _close_after_first_stage(send: Send, fault: Fault) -> Send:
    """A send that ends the client's stream after the first event carrying a draft.

    The backend's later frames (the second stage) are held ``fault.seconds``
    first, so the draft they carry lands in the state that long after the
    stream closed, then dropped.
    """
    closed = False

    async def forward(message: MutableMapping[str, Any]) -> None:
        nonlocal closed
        if closed:
            return
        await send(message)
        if message["type"] == "http.response.body" and b'"stateDelta": {"draft"' in message.get(
            "body", b""
        ):
            closed = True
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            await asyncio.sleep(fault.seconds)  # the backend's next step waits this long

    return forward


async def _json(send: Send, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    await _raw(send, status, json.dumps(body).encode(), "application/json", headers)


async def _raw(
    send: Send, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
) -> None:
    raw_headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
