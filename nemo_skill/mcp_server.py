"""The skill as MCP tools (stdio), for hosts that speak MCP (extra ``[mcp]``).

Hosts often cut a tool call off after about a minute and a generation takes
longer, so a chat is a *turn with an id*: ``chat`` returns at once (or as soon
as the turn ends within a few seconds) with ``turn_state`` running /
awaiting_input / stopped / failed, and ``get_turn`` polls it. A repeated
``turn_id`` returns the earlier turn and never re-sends the message (the same
:class:`~nemo_skill.turns.TurnStore` backs ``nemo-skill chat --turn-id``).
Errors are tool errors carrying the hint; tokens never appear.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from nemo_skill.errors import NemoError
from nemo_skill.paths import resolve_output
from nemo_skill.render import ExportJob
from nemo_skill.skill import Skill
from nemo_skill.turns import FAILED, RUNNING, TurnStore, finished_fields

WAIT_S = 5.0
T = TypeVar("T")


class TurnRunner:
    """Runs chat turns in threads and keeps their records in the turn store."""

    def __init__(
        self, skill_factory: Callable[[Callable[[str], None]], Skill], store: TurnStore
    ) -> None:
        self.skill_factory = skill_factory
        self.store = store
        self._cursors: dict[str, int] = {}
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}

    def start(self, message: str, files: list[str], turn_id: str | None) -> dict[str, Any]:
        """Begin a turn (or return the existing one with that id)."""
        turn_id = turn_id or f"turn_{uuid.uuid4().hex[:16]}"
        record, created = self.store.begin(turn_id, message=message, files=files)
        if created:
            thread = threading.Thread(target=self._run, args=(turn_id, message, files), daemon=True)
            self._threads[turn_id] = thread
            thread.start()
        return record

    def _run(self, turn_id: str, message: str, files: list[str]) -> None:
        def progress(line: str) -> None:
            with self._lock:
                record = self.store.load(turn_id) or {}
                self.store.update(turn_id, progress=[*record.get("progress", []), line])

        try:
            result = self.skill_factory(progress).chat(message, files)
            with self._lock:
                self.store.update(turn_id, **finished_fields(result.to_dict()))
        except NemoError as exc:
            with self._lock:
                self.store.update(turn_id, turn_state=FAILED, error=exc.to_dict())
        except Exception as exc:  # a bug must still end the turn, never leave it running
            with self._lock:
                self.store.update(
                    turn_id,
                    turn_state=FAILED,
                    error={"code": "error", "message": f"{type(exc).__name__}: {exc}", "hint": ""},
                )

    def wait(self, turn_id: str, seconds: float) -> None:
        """Block up to ``seconds`` for the turn's thread."""
        thread = self._threads.get(turn_id)
        if thread is not None:
            thread.join(timeout=seconds)

    def view(self, turn_id: str, *, since_last: bool = False) -> dict[str, Any]:
        """The public shape of a turn; ``since_last`` returns only new progress lines."""
        record = self.store.load(turn_id)
        if record is None:
            raise NemoError(
                f"No turn with id {turn_id}.",
                code="turn_not_found",
                hint="Start one with the chat tool.",
            )
        progress = list(record.get("progress", []))
        if since_last:
            start = self._cursors.get(turn_id, 0)
            self._cursors[turn_id] = len(progress)
            progress = progress[start:]
        return {
            "turn_id": turn_id,
            "turn_state": record.get("turn_state"),
            "messages": record.get("messages", []),
            "question": record.get("question"),
            "options": record.get("options", []),
            "changes": record.get("changes", []),
            "progress": progress,
            "error": record.get("error"),
        }

    def cancel(self, turn_id: str) -> dict[str, Any]:
        """Stop following a turn. A message already sent cannot be taken back."""
        view = self.view(turn_id)
        if view["turn_state"] == RUNNING:
            self.store.update(
                turn_id,
                turn_state=FAILED,
                error={
                    "code": "cancelled",
                    "message": "Stopped following this turn.",
                    "hint": "The backend may still finish it: check the state tool in a minute.",
                },
            )
        return {
            **self.view(turn_id),
            "note": "A message already sent to the backend is not "
            "un-sent; cancelling stops waiting for it.",
        }


def build_server(
    skill_factory: Callable[[Callable[[str], None]], Skill], state_dir: Path
) -> MCPServer[Any]:
    """The MCPServer with every tool registered."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no per-request chatter on stderr
    runner = TurnRunner(skill_factory, TurnStore(state_dir))
    skill = skill_factory(lambda line: None)
    server = MCPServer(
        "openai-image-to-video",
        instructions=(
            "Turn still images into short animated MP4 clips. Call chat with the user's words "
            "(and image paths); poll get_turn until turn_state is not 'running'; export with "
            "export_start / export_status / export_download."
        ),
    )

    def guarded(call: Callable[[], T]) -> T:
        try:
            return call()
        except NemoError as exc:
            raise ToolError(f"{exc.message} {exc.hint}".strip()) from None

    @server.tool()
    async def chat(
        message: str, ctx: Context, files: list[str] | None = None, turn_id: str | None = None
    ) -> dict[str, Any]:
        """Send one user message (uploading files first); returns a turn to poll with get_turn."""
        record = guarded(lambda: runner.start(message, list(files or []), turn_id))
        tid = record["turn_id"]
        for step in range(int(WAIT_S / 0.25)):
            if runner.view(tid)["turn_state"] != RUNNING:
                break
            await ctx.report_progress(step, WAIT_S / 0.25, "working")
            await asyncio.sleep(0.25)
        return guarded(lambda: runner.view(tid, since_last=True))

    @server.tool()
    def get_turn(turn_id: str) -> dict[str, Any]:
        """The turn's state, messages, question and the progress since the last poll."""
        return guarded(lambda: runner.view(turn_id, since_last=True))

    @server.tool()
    def cancel_turn(turn_id: str) -> dict[str, Any]:
        """Stop following a turn (the backend may still finish it)."""
        return guarded(lambda: runner.cancel(turn_id))

    @server.tool()
    async def upload(paths: list[str]) -> dict[str, Any]:
        """Upload images, video or audio (local paths or URLs) to the project."""
        files = await asyncio.to_thread(guarded, lambda: skill.upload(paths))
        return {"files": [f.model_dump(mode="json") for f in files]}

    @server.tool()
    async def state() -> dict[str, Any]:
        """The project's timeline: a one-line summary and the tracks."""
        from nemo_skill import timeline

        current = await asyncio.to_thread(guarded, skill.state)
        return {
            "summary": timeline.format_summary(current.draft),
            "timeline": timeline.describe_draft(current.draft),
        }

    @server.tool()
    async def credits() -> dict[str, Any]:
        """Available, frozen and total credits (and the bind URL for anonymous users)."""
        result: dict[str, Any] = await asyncio.to_thread(guarded, skill.credits)
        return result

    @server.tool()
    async def generate(
        files: list[str], output_dir: str, prompt: str | None = None
    ) -> dict[str, Any]:
        """Batch: one clip per image into output_dir (each file gets its own render)."""
        items = await asyncio.to_thread(
            guarded,
            lambda: skill.generate(
                files,
                prompt or "turn this image into a 5-second animated video clip",
                output=output_dir,
            ),
        )
        return {"results": [i.to_dict() for i in items]}

    @server.tool()
    async def export_start() -> dict[str, Any]:
        """Start rendering the timeline; returns the job id to poll with export_status."""
        job = await asyncio.to_thread(guarded, skill.start_export)
        return {"job_id": job.render_id, "status": job.last.status if job.last else "pending"}

    @server.tool()
    async def export_status(job_id: str) -> dict[str, Any]:
        """Status and progress (0-100) of a render."""
        job = await asyncio.to_thread(guarded, ExportJob(skill.client, job_id).reload)
        return {
            "job_id": job_id,
            "status": job.status,
            "progress": job.progress,
            "url": job.output_url,
            "error": job.error,
        }

    @server.tool()
    async def export_download(job_id: str, output: str, force: bool = False) -> dict[str, Any]:
        """Download a completed render to output (a file path or a folder)."""

        def download() -> str:
            dest = resolve_output(output, job_id, force=force)
            return str(ExportJob(skill.client, job_id).download(dest))

        path = await asyncio.to_thread(guarded, download)
        return {"job_id": job_id, "path": path, "media": f"MEDIA:{path}"}

    @server.tool()
    async def export_cancel(job_id: str) -> dict[str, Any]:
        """Cancel a render."""
        job = await asyncio.to_thread(guarded, ExportJob(skill.client, job_id).cancel)
        return {"job_id": job_id, "status": job.status}

    return server
