"""Agent turns: ``POST /run_sse``, one turn streamed as ADK events.

The turn runs inside a :class:`~nemo_skill.local.turnslot.TurnSlot` entered
and left within the response's own ASGI call, so the session's slot and the
frozen credits are released on every path - including a client that is gone
before ``http.response.start`` (then the stream never starts and nothing is
charged).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from nemo_skill.local import agent
from nemo_skill.local.backend import Backend
from nemo_skill.local.http import backend_of, current_user, read_body
from nemo_skill.local.store import StoredFile, User
from nemo_skill.local.turnslot import TurnSlot
from nemo_skill.local.uploads import source_ref
from nemo_skill.storage import disk_full_message, is_disk_full

log = logging.getLogger("nemo_skill.local")


class RunBody(BaseModel):
    """The ADK ``/run_sse`` body (snake_case or camelCase ids)."""

    app_name: str = Field(default="nemo_agent", alias="app_name")
    user_id: str | None = None
    session_id: str | None = None
    userId: str | None = None  # noqa: N815 - ADK accepts both spellings
    sessionId: str | None = None  # noqa: N815
    new_message: dict[str, Any] | None = None
    newMessage: dict[str, Any] | None = None  # noqa: N815


def message_text(body: RunBody) -> str:
    """The text parts of the new message, joined."""
    message = body.new_message or body.newMessage or {}
    parts = message.get("parts") if isinstance(message, dict) else None
    texts = [
        p.get("text", "")
        for p in parts or []
        if isinstance(p, dict) and isinstance(p.get("text"), str)
    ]
    return "\n".join(texts).strip()


async def run_sse(request: Request) -> Response:
    """``POST /run_sse``: validate like ADK (422/404 in its shapes), then stream the turn."""
    user = current_user(request)
    raw = await read_body(request)
    try:
        body = RunBody.model_validate_json(raw or b"{}")
    except ValidationError:
        return JSONResponse(
            {"detail": [{"type": "json_invalid", "loc": ["body"], "msg": "Invalid JSON"}]}, 422
        )
    session_id = body.session_id or body.sessionId
    text = message_text(body)
    if not session_id or not text:
        missing = "sessionId" if not session_id else "newMessage"
        return JSONResponse(
            {"detail": [{"type": "missing", "loc": ["body", missing], "msg": "Field required"}]},
            422,
        )
    backend = backend_of(request)
    session = backend.store.session(session_id, user.user_id)
    if session is None:
        return JSONResponse({"detail": f"Session not found: {session_id}"}, 404)
    # Drafts name files by reference (no host, no port): stable across service restarts.
    source_url: Callable[[StoredFile], str] = source_ref
    # The agent replies in the session's language.
    return TurnResponse(backend, user, session_id, text, source_url, str(session["language"]))


class TurnResponse(Response):
    """The turn as an ASGI response that owns its :class:`TurnSlot` for the whole call.

    The slot is taken when the response is called (429 if the session is busy,
    2001 if credits are short: both answered before anything is streamed) and
    left when the call ends, whatever ended it.
    """

    def __init__(
        self,
        backend: Backend,
        user: User,
        session_id: str,
        text: str,
        source_url: Callable[[StoredFile], str],
        language: str = "en",
    ) -> None:
        super().__init__(media_type="text/event-stream")
        self.backend, self.user, self.session_id = backend, user, session_id
        self.text, self.source_url, self.language = text, source_url, language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Plan, freeze, stream; the slot settles and unlocks on the way out."""
        backend = self.backend
        store = backend.store
        with TurnSlot(store, self.session_id, self.user.user_id) as slot:
            new_files, mark = store.files_since_turn(self.session_id)
            plan = agent.plan_turn(
                self.text,
                store.latest_draft(self.session_id),
                store.files(self.session_id),
                cost_generate=backend.config.cost_generate,
                cost_edit=backend.config.cost_edit,
                long_side=backend.config.default_long_side,
                source_url=self.source_url,
                language=self.language,
                new_files=new_files,
            )
            if plan.kind not in ("ask", "answer"):  # a question leaves the photos for the answer
                store.take_turn_files(self.session_id, mark)
            slot.freeze(plan.cost)
            stream = StreamingResponse(
                _turn_stream(backend, plan, slot),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache"},
            )
            await stream(scope, receive, send)


async def _turn_stream(
    backend: Backend, plan: agent.TurnPlan, slot: TurnSlot
) -> AsyncIterator[bytes]:
    """The turn's SSE frames; marks the slot spent once the draft has changed.

    The cost is charged once the draft has changed (the work is done and kept
    in the state, as the real service does), and released when nothing was
    done: an agent error or a client hang-up before the first state change.
    Settling is the slot's job, not this generator's: it may never run.
    """
    store, session_id = backend.store, slot.session_id
    steps = plan.instruction.undo_steps  # "undo the last two changes": 2
    undo_draft = store.pop_draft(session_id, steps) if plan.kind == "undo" else None
    slot.spent = plan.kind == "undo"
    try:
        for event in agent.stream_turn(
            plan,
            rng=backend.rng,
            silent_fraction=backend.config.silent_edit_fraction,
            undo_draft=undo_draft,
        ):
            if event is agent.HEARTBEAT:
                await asyncio.sleep(backend.config.heartbeat_interval_s)
                yield b'data: {"type":"heartbeat"}\n\n'
                continue
            delta = event["actions"]["stateDelta"].get("draft")
            if delta and plan.kind != "undo":
                # One history entry per turn (undo reverts the whole turn), always current.
                if slot.spent:
                    store.replace_latest_draft(session_id, delta)
                else:
                    store.push_draft(session_id, delta)
                slot.spent = True
            yield b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n"
    except Exception as exc:  # an agent failure is an error event, as ADK does
        log.exception("agent turn failed")
        # The details stay in the server log; a full disk is the user's to fix: say so.
        words = (
            disk_full_message(store.dir, "(the offline backend's data folder)")
            if is_disk_full(exc)
            else "turn failed"
        )
        error = {  # ADK's shape
            "error": f"{type(exc).__name__}: {words}",
            "error_details": {
                "error_type": type(exc).__name__,
                "error_message": words,
                "timestamp": time.time(),
            },
        }
        yield b"data: " + json.dumps(error).encode() + b"\n\n"


ROUTES = [Route("/run_sse", run_sse, methods=["POST"])]
