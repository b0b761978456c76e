"""The skill as MCP tools on stdio, for hosts that speak MCP (extra ``[mcp]``).

Hosts often cut a tool call off after about a minute and a generation takes
longer, so long work is a *turn with an id*: ``chat`` (and the batch
``generate``) starts the turn in a background thread and returns at once, or
as soon as the turn ends within a few seconds, with ``turn_state`` running /
awaiting_input / stopped / failed; ``get_turn`` polls it. A repeated
``turn_id`` returns the earlier turn and never re-sends the message: the same
rules (``Skill.turns``) back ``nemo-skill chat --turn-id``.

Every tool drives :class:`~nemo_skill.skill.Skill` only, built with this
module's one table of next steps (:data:`STEPS`): the core names steps
symbolically and every reply, hint and progress line reaches the host worded
as tools and parameters, never as a CLI command or flag. Every parameter is
described in the tool's schema. A folder given to a tool (``output_dir``, an
``output`` folder) is created when it is missing. Tool failures are MCP tool
errors carrying the message and the hint, never a traceback or a token.
Progress lines go out as progress notifications when the host asked for them;
notices (e.g. "started a new session") come back in each result's ``notes``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.types import (
    CLIENT_CAPABILITIES_META_KEY,
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    GetTaskRequestParams,
    TextContent,
)
from pydantic import Field
from typing_extensions import TypedDict

from nemo_skill import __version__, timeline
from nemo_skill.config import DEFAULT_PROMPT
from nemo_skill.delivery import suggestions
from nemo_skill.errors import NemoError, Next, UsageError, word_error, word_hint
from nemo_skill.paths import ensure_folder
from nemo_skill.skill import RUNNING, BatchReport, Skill, Turns

Progress = Callable[[str], None]
# (workspace key, progress sink) -> a Skill on the server's one client
SkillFactory = Callable[[str, Progress], Skill]
T = TypeVar("T")
Record = dict[str, Any]

# The MCP server's one table of the core's next steps (errors.Next): the tools and
# parameters that take them. Never a CLI command or flag (tests/test_mcp.py scans results).
STEPS: Mapping[Next, str] = {
    Next.STATE: "the `state` tool",
    Next.EXPORT: "the `export_start` tool",
    Next.EXPORT_RESUME: "the `export_status` tool (with the job_id)",
    Next.EXPORT_STATUS: "the `export_status` tool",
    Next.CHAT: f'the `chat` tool (files=["photo.jpg"], message "{DEFAULT_PROMPT}")',
    Next.CREDITS: "the `credits` tool",
    Next.PROJECTS: "the `projects` tool",
    Next.GENERATE: "the `generate` tool",
    Next.SETTINGS: "the settings of the server's environment (NEMO_* variables)",
    Next.TOP_UP: "an offline top-up (ask the person who runs this server) for the data folder",
    Next.FILES: "the `files` parameter",
    Next.OUTPUT: "the `output` (or `output_dir`) parameter",
    Next.FORCE: "`force: true`",
    Next.FRESH: "`fresh: true`",
    Next.JOBS: "the `jobs` parameter",
    Next.ADD_MUSIC: 'the `chat` tool with "add calm background music"',
    Next.ADD_TITLE: "the `chat` tool with \"add the title 'My Trip' at the start\"",
    Next.VERTICAL: 'the `chat` tool with "make it 9:16"',
    Next.LONGER: 'the `chat` tool with "make it 10 seconds long"',
    Next.EDIT: 'the `chat` tool with "a slower zoom in"',
    Next.OPEN_LINK: "the `open_project` tool",
    Next.ANOTHER_CLIP: 'the `chat` tool with "animate this" and files=["photo.jpg"]',
}


def worded(text: str) -> str:
    """``text`` with every next step it names worded as this server's tools."""
    return word_hint(text, None, STEPS)


def chat_result(data: dict[str, Any]) -> dict[str, Any]:
    """A chat result for MCP hosts: its next steps worded as tool calls."""
    return {**data, "next": suggestions(list(data.get("next") or []), STEPS)}


def export_result(data: dict[str, Any]) -> dict[str, Any]:
    """An export turn's result: where the MP4 is, its MEDIA line and the claim link."""
    path = data.get("path")
    saved = f"Saved {path}" if path else f"Rendered {data.get('job_id')}: {data.get('url')}"
    return {"messages": [saved], **data, "media": f"MEDIA:{path}" if path else None}


def output_target(output: str) -> str:
    """An ``output`` (a ``.mp4`` file or a folder) whose folder exists, created if missing."""
    path = Path(output).expanduser()
    if path.suffix.lower() == ".mp4" and not path.is_dir():
        return str(ensure_folder(path.parent) / path.name)
    return str(ensure_folder(path))


FIRST_WAIT_S = 5.0  # chat/generate return as soon as the turn ends within this
MAX_POLL_WAIT_S = 30.0  # get_turn's longest wait, well under a host's ~60 s cut-off
TICK_S = 0.2
BATCH_SUFFIX = "#batch"  # batches get their own sessions, leaving the chat project alone
CANCEL_NOTE = (
    "A message already sent to the backend cannot be un-sent: cancelling stops waiting "
    "for it, and the backend may still finish (and charge for) it."
)


class ErrorInfo(TypedDict):
    """A failure: the backend or local code, what happened, what to do."""

    code: int | str
    message: str
    hint: str


class TurnView(TypedDict):
    """What ``chat``, ``generate``, ``get_turn`` and ``cancel_turn`` return."""

    turn_id: str
    kind: str
    turn_state: str
    messages: list[str]
    question: str | None
    options: list[str]
    changes: list[str]
    progress: list[str]
    error: ErrorInfo | None
    result: dict[str, Any] | None
    note: str | None


class TurnRunner:
    """Runs turns in background threads and serves their records from the turn store."""

    def __init__(self, factory: SkillFactory, turns: Turns, workspace: str) -> None:
        self.factory = factory
        self.turns = turns
        self.workspace = workspace
        self.active: str | None = None  # the turn this server is running, if any
        self._thread: threading.Thread | None = None
        self._seen: dict[str, tuple[int, int]] = {}  # turn id -> (messages, progress) shown

    def start(
        self,
        kind: str,
        turn_id: str | None,
        work: Callable[[Skill], dict[str, Any]],
        *,
        message: str,
        files: Sequence[str],
    ) -> tuple[Record, bool]:
        """Begin a turn running ``work`` in a thread, or return the turn that has the id."""
        self._refuse_if_busy(turn_id)
        workspace = self.workspace + (BATCH_SUFFIX if kind == "generate" else "")

        def in_background(tid: str, run: Callable[[], Record]) -> None:
            self.active = tid
            self._seen.pop(tid, None)
            self._thread = threading.Thread(target=self._run, args=(tid, run), daemon=True)
            self._thread.start()

        def turn(tid: str) -> dict[str, Any]:
            return work(self.factory(workspace, lambda line: self.turns.add_progress(tid, line)))

        return self.turns.run_once(turn_id, turn, kind=kind, workspace=workspace,
                                   message=message, files=files, start=in_background)  # fmt: skip

    def _refuse_if_busy(self, tid: str | None) -> None:
        """One turn at a time: the backend runs one turn per session."""
        active = self.active
        if active is None or active == tid:
            return
        known = self.turns.find(tid) if tid is not None else None
        if known is not None and not known.get("retryable"):
            return  # a known turn is only looked up, never run again
        current = self.turns.find(active) or {}
        if current.get("turn_state") != RUNNING and not current.get("cancelled"):
            return  # it has ended; its thread is only finishing up
        if current.get("cancelled"):
            hint = "It was cancelled, but the backend is still working on it; try again shortly."
        else:
            hint = f"Poll get_turn with turn_id {active} until it ends, then send this."
        raise UsageError(f"Turn {active} is still running.", hint=hint)

    def _run(self, tid: str, run: Callable[[], Record]) -> None:
        try:
            run()
        except Exception:  # noqa: S110 - recorded in the turn, which the host polls
            pass
        finally:
            if self.active == tid:  # a next turn may have started once this one ended
                self.active = None

    def join(self, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` for the running turn's thread to end."""
        if self._thread is not None:
            self._thread.join(timeout_s)

    def load(self, tid: str) -> Record:
        """The record of ``tid``, or a :class:`UsageError` naming the unknown id."""
        return self.turns.get(tid)

    def view(self, tid: str, *, full: bool = False, note: str | None = None) -> TurnView:
        """The turn; unless ``full``, only the messages and progress new since the last view."""
        record = self.load(tid)
        messages = list(record.get("messages") or [])
        progress = list(record.get("progress") or [])
        seen_messages, seen_progress = (0, 0) if full else self._seen.get(tid, (0, 0))
        self._seen[tid] = (len(messages), len(progress))
        error = record.get("error")
        return TurnView(
            turn_id=tid,
            kind=str(record.get("kind") or "chat"),
            turn_state=str(record.get("turn_state")),
            messages=[worded(m) for m in messages[seen_messages:]],
            question=record.get("question"),
            options=list(record.get("options") or []),
            changes=list(record.get("changes") or []),
            progress=[worded(p) for p in progress[seen_progress:]],
            error=_error_info(error) if isinstance(error, dict) else None,
            result=record.get("result"),
            note=note,
        )

    async def follow(self, ctx: Context, tid: str, seconds: float) -> None:
        """Wait up to ``seconds`` for the turn to end, relaying its progress lines."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, seconds)
        record = self.load(tid)
        relayed = len(record.get("progress") or [])
        while record.get("turn_state") == RUNNING and loop.time() < deadline:
            await asyncio.sleep(TICK_S)
            record = self.load(tid)
            lines = list(record.get("progress") or [])
            for number, line in enumerate(lines[relayed:], start=relayed + 1):
                await ctx.report_progress(number, None, line)
            relayed = len(lines)


def tool_error(error: NemoError) -> ToolError:
    """The MCP tool error for ``error``: message, code and hint (worded as tools), nothing else."""
    text = f"{error.worded_message(STEPS)} (code {error.code})"
    hint = error.worded_hint(STEPS)
    return ToolError(f"{text}\nHint: {hint}" if hint else text)


def _error_info(error: dict[str, Any]) -> ErrorInfo:
    worded = word_error(error, STEPS)
    return ErrorInfo(code=worded["code"], message=worded["message"], hint=worded["hint"])


def guarded(call: Callable[[], T]) -> T:
    """Run ``call``, turning every failure into a :class:`ToolError` with its hint."""
    try:
        return call()
    except NemoError as exc:
        raise tool_error(exc) from None
    except Exception as exc:  # never let a traceback reach the host
        raise tool_error(NemoError.unexpected(exc)) from None


async def in_thread(call: Callable[[], T]) -> T:
    """``guarded(call)`` in a worker thread, so the event loop keeps answering the host."""
    return await asyncio.to_thread(guarded, call)


def batch_result(report: BatchReport) -> dict[str, Any]:
    """A batch's turn result: one message per clip plus every item (state, output, error)."""
    items = report.items
    made = [i for i in items if i.path]
    messages = [f"Made {len(made)} of {len(items)} clips."]
    for item in items:
        failure = worded((item.error or {}).get("message", "failed"))
        messages.append(f"{item.input}: {item.path}" if item.path else f"{item.input}: {failure}")
    return {"messages": messages, **report.to_dict(STEPS)}


TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
TASK_TOOLS = frozenset({"chat", "generate", "export"})  # the tools whose work is a turn
TASK_POLL_MS = 1000


def wants_tasks(meta: Mapping[str, Any] | None) -> bool:
    """True when the request declares the tasks extension in its client capabilities."""
    capabilities = (meta or {}).get(CLIENT_CAPABILITIES_META_KEY)
    extensions = capabilities.get("extensions") if isinstance(capabilities, Mapping) else None
    return isinstance(extensions, Mapping) and TASKS_EXTENSION in extensions


def _iso(stamp: Any) -> str:
    when = float(stamp) if isinstance(stamp, int | float) else time.time()
    return datetime.fromtimestamp(when, UTC).isoformat().replace("+00:00", "Z")


class TurnTasks(Extension):
    """Long work as MCP tasks (SEP-2663, ``io.modelcontextprotocol/tasks``), on turns.

    The installed SDK (mcp 2.3) carries the task types but no task runtime; it
    offers the extension hooks this class uses: a ``tools/call`` interceptor and
    new request methods. When a request declares the extension, a ``chat``,
    ``generate`` or ``export`` call still running after the tool's first wait
    answers with a task handle (``resultType: "task"``) whose ``taskId`` is the
    turn id; ``tasks/get`` reports the turn (``working``, then ``completed`` with
    the tool's result, or ``cancelled``), ``tasks/cancel`` stops following it.
    A call that finishes within the first wait answers with its result, as the
    extension allows. Hosts without the extension poll ``get_turn`` as before.
    """

    identifier = TASKS_EXTENSION

    def __init__(self, runner: TurnRunner) -> None:
        self.runner = runner

    def methods(self) -> Sequence[MethodBinding]:
        """``tasks/get``, ``tasks/update`` (nothing to update: no task asks for input), cancel."""
        return [
            MethodBinding("tasks/get", GetTaskRequestParams, self._get),
            MethodBinding("tasks/update", GetTaskRequestParams, self._update),
            MethodBinding("tasks/cancel", GetTaskRequestParams, self._cancel),
        ]

    async def intercept_tool_call(
        self,
        params: CallToolRequestParams,
        ctx: ServerRequestContext[Any, Any],
        call_next: CallNext,
    ) -> HandlerResult:
        """A long tool's result, or a task handle when the host asked for tasks."""
        result = await call_next(ctx)
        if params.name not in TASK_TOOLS or not wants_tasks(ctx.meta):
            return result
        if not isinstance(result, CallToolResult) or result.is_error:
            return result
        view = result.structured_content or {}
        if view.get("turn_state") != RUNNING:
            return result
        return {"resultType": "task", **self._task(str(view["turn_id"]))}

    def _record(self, task_id: str) -> Record:
        try:
            return self.runner.load(task_id)
        except NemoError as exc:
            raise MCPError(code=INVALID_PARAMS, message=exc.message) from None

    def _task(self, task_id: str) -> dict[str, Any]:
        """The task's wire shape (flat): status, times, and the result once it ended."""
        record = self._record(task_id)
        state = record.get("turn_state")
        status = "working" if state == RUNNING else "completed"
        if record.get("cancelled"):
            status = "cancelled"
        progress = list(record.get("progress") or [])
        task: dict[str, Any] = {
            "taskId": task_id,
            "status": status,
            "createdAt": _iso(record.get("created")),
            "lastUpdatedAt": _iso(record.get("updated")),
            "ttlMs": None,
            "pollIntervalMs": TASK_POLL_MS,
        }
        if progress:
            task["statusMessage"] = worded(progress[-1])
        if status == "completed":
            task["result"] = _tool_result(self.runner.view(task_id, full=True))
        return task

    async def _get(self, ctx: ServerRequestContext[Any, Any], params: Any) -> HandlerResult:
        return self._task(params.task_id)

    async def _update(self, ctx: ServerRequestContext[Any, Any], params: Any) -> HandlerResult:
        self._record(params.task_id)
        return {}

    async def _cancel(self, ctx: ServerRequestContext[Any, Any], params: Any) -> HandlerResult:
        self._record(params.task_id)
        guarded(lambda: self.runner.turns.cancel(params.task_id))
        return {}


def _tool_result(view: TurnView) -> dict[str, Any]:
    """A finished turn as the ``tools/call`` result it stands for (a failure: ``isError``)."""
    result = CallToolResult(
        content=[TextContent(type="text", text=json.dumps(view, ensure_ascii=False))],
        structured_content=dict(view),
        is_error=view["error"] is not None,
    )
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)


def build_server(factory: SkillFactory, workspace: str) -> MCPServer[Any]:
    """The MCPServer with every tool registered, for the project ``workspace``."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no per-request chatter on stderr
    skill = factory(workspace, lambda line: None)
    runner = TurnRunner(factory, skill.turns, workspace)
    server: MCPServer[Any] = MCPServer(
        "openai-image-to-video",
        version=__version__,
        log_level="WARNING",
        instructions=(
            "Turn still images into short animated MP4 clips. Call chat with the user's words "
            "and image paths (pass a turn_id you can retry with); while turn_state is "
            "'running', poll get_turn. Then export (a turn too), or export_start, "
            "export_status until 'completed', export_download. Retrying with the same "
            "turn_id never sends a message twice. Hosts that support the tasks extension "
            "get chat, generate and export as tasks."
        ),
        extensions=[TurnTasks(runner)],
    )
    _register_turn_tools(server, runner)
    _register_project_tools(server, skill)
    _register_export_tools(server, skill)
    return server


async def _start_turn(
    ctx: Context,
    runner: TurnRunner,
    kind: str,
    turn_id: str | None,
    work: Callable[[Skill], dict[str, Any]],
    **fields: Any,
) -> TurnView:
    """Start (or find) a turn and wait briefly for it; a new turn refused up front is an error."""
    record, created = guarded(lambda: runner.start(kind, turn_id, work, **fields))
    tid = str(record["turn_id"])
    note = None
    if not created:
        note = "This turn_id was used before: this is that turn; nothing was sent again."
        if record.get("message") != fields["message"]:
            note += " It was sent with a different message, shown in its result."
    await runner.follow(ctx, tid, FIRST_WAIT_S)
    if created:
        current = guarded(lambda: runner.load(tid))
        error = Turns.error_of(current)
        if error is not None and Turns.retryable_failure(current):
            raise tool_error(error)  # nothing was sent: fix it and retry
    return guarded(lambda: runner.view(tid, full=True, note=note))


# Every tool parameter, described once (hosts show these to the model).
Message = Annotated[str, Field(description="The user's message, as they wrote it.")]
Files = Annotated[
    list[str] | None,
    Field(description="Files to upload first: local paths (on the server's machine) or URLs."),
]
Images = Annotated[
    list[str],
    Field(description="The images to animate, one clip each: local paths or URLs."),
]
TurnId = Annotated[
    str | None,
    Field(
        description="An idempotency key, e.g. the host's message id: calling again with the "
        "same turn_id returns that turn and never sends the message twice. Omit for a new id."
    ),
]
KnownTurnId = Annotated[str, Field(description="The turn_id a chat or generate call returned.")]
OutputDir = Annotated[
    str,
    Field(
        description="The folder the clips are saved in (created when missing); a .mp4 file "
        "name for a single image."
    ),
]
Prompt = Annotated[str, Field(description="What to make of each image, in plain words.")]
Jobs = Annotated[
    int | None,
    Field(description="Items in flight at once (1-16; default 3, fewer on the local backend)."),
]
Fresh = Annotated[
    bool,
    Field(
        description="Forget this batch's recorded progress and make every clip again "
        "(turns are charged again)."
    ),
]
WaitSeconds = Annotated[
    float,
    Field(description="Wait up to this many seconds (at most 30) for the turn to end first."),
]
AllMessages = Annotated[
    bool,
    Field(description="Return every message and progress line, not only the new ones."),
]
Paths = Annotated[
    list[str], Field(description="Images, video or audio to upload: local paths or URLs.")
]
Output = Annotated[
    str | None,
    Field(
        description="Where to save the MP4: a .mp4 file name or a folder (created when "
        "missing). Default: the output_dir setting, else the server's working folder."
    ),
]
Force = Annotated[bool, Field(description="Overwrite an existing file at output.")]
JobId = Annotated[str, Field(description="The job_id export_start returned.")]


def _register_turn_tools(server: MCPServer[Any], runner: TurnRunner) -> None:
    @server.tool()
    async def chat(
        message: Message, ctx: Context, files: Files = None, turn_id: TurnId = None
    ) -> TurnView:
        """Send one user message (uploading files, local paths or URLs, first).

        Returns the turn: poll get_turn while turn_state is 'running'. Reusing a
        turn_id returns that turn and never sends the message again. A message
        that could not be sent (bad file, no credits) is a tool error.
        """
        names = list(files or [])
        return await _start_turn(
            ctx,
            runner,
            "chat",
            turn_id,
            lambda skill: chat_result(skill.chat(message, names).to_dict()),
            message=message,
            files=names,
        )

    @server.tool()
    async def generate(
        files: Images,
        output_dir: OutputDir,
        ctx: Context,
        prompt: Prompt = DEFAULT_PROMPT,
        turn_id: TurnId = None,
        jobs: Jobs = None,
        fresh: Fresh = False,
    ) -> TurnView:
        """Batch: one clip per image, each in its own session and render, into output_dir.

        A batch is a turn: poll get_turn (progress has one line per item step);
        its result lists each file's state, clip or error. Calling it again with
        the same files, prompt and output_dir resumes: finished clips are
        skipped and no turn is sent twice.
        """
        names = list(files)
        folder = guarded(lambda: output_target(output_dir))
        return await _start_turn(
            ctx,
            runner,
            "generate",
            turn_id,
            lambda skill: batch_result(
                skill.generate(names, prompt, output=folder, jobs=jobs, fresh=fresh)
            ),
            message=prompt,
            files=names,
        )

    @server.tool()
    async def export(
        ctx: Context, output: Output = None, force: Force = False, turn_id: TurnId = None
    ) -> TurnView:
        """Render the timeline and save the MP4 in one call (free); a turn like chat.

        Poll get_turn while turn_state is 'running' (hosts with the tasks extension
        get a task). export_start, export_status and export_download do the same in steps.
        """
        target = guarded(lambda: output_target(output)) if output else None
        return await _start_turn(
            ctx,
            runner,
            "export",
            turn_id,
            lambda skill: export_result(skill.export(target, force=force).to_dict()),
            message="export",
            files=[],
        )

    @server.tool()
    async def get_turn(
        turn_id: KnownTurnId,
        ctx: Context,
        wait_seconds: WaitSeconds = 0.0,
        all_messages: AllMessages = False,
    ) -> TurnView:
        """A turn's state, with the messages and progress lines new since the last poll."""
        guarded(lambda: runner.load(turn_id))  # an unknown id is a tool error with a hint
        await runner.follow(ctx, turn_id, min(wait_seconds, MAX_POLL_WAIT_S))
        return guarded(lambda: runner.view(turn_id, full=all_messages))

    @server.tool()
    def cancel_turn(turn_id: KnownTurnId) -> TurnView:
        """Stop waiting for a running turn. A message already sent cannot be un-sent."""
        guarded(lambda: runner.turns.cancel(turn_id))
        return guarded(lambda: runner.view(turn_id, full=True, note=CANCEL_NOTE))


async def with_notes(skill: Skill, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``call()``'s result in a worker thread, plus the skill's notices since the last tool."""
    result = await in_thread(call)
    return {**result, "notes": skill.take_notes()}


def _register_project_tools(server: MCPServer[Any], skill: Skill) -> None:
    @server.tool()
    async def open_project() -> dict[str, Any]:
        """A link that opens this project in the web app ({url, expires_in}); share it
        with the user whenever you deliver a video."""
        return await with_notes(skill, lambda: skill.claim_link().to_dict())

    @server.tool()
    async def projects() -> dict[str, Any]:
        """This machine's projects, most recently active first (workspace, session, backend,
        created, last activity, last message, last export)."""
        return {"projects": await in_thread(skill.projects)}

    @server.tool()
    async def upload(paths: Paths) -> dict[str, Any]:
        """Upload images, video or audio (local paths or URLs) to the project."""
        return await with_notes(
            skill, lambda: {"files": [f.model_dump(mode="json") for f in skill.upload(paths)]}
        )

    @server.tool()
    async def state() -> dict[str, Any]:
        """The project's timeline: a one-line summary and the tracks."""

        def read() -> dict[str, Any]:
            current = skill.state()
            draft = current.draft
            return {
                "session_id": current.session_id,
                "summary": timeline.format_summary(draft) if draft else "",
                "timeline": timeline.describe_draft(draft) if draft else None,
            }

        return await with_notes(skill, read)

    @server.tool()
    async def credits() -> dict[str, Any]:
        """Available, frozen and total credits (and the bind URL for anonymous users)."""
        return await in_thread(skill.credits)


def _register_export_tools(server: MCPServer[Any], skill: Skill) -> None:
    @server.tool()
    async def export_start(output: Output = None, force: Force = False) -> dict[str, Any]:
        """Start rendering the timeline (free); poll export_status with the job_id.

        output is checked now and used by export_download.
        """

        def start() -> dict[str, Any]:
            target = output_target(output) if output else None
            started = skill.begin_export(target, force=force)
            return {"job_id": started.job_id, "status": started.status, "output": started.output}

        return await with_notes(skill, start)

    @server.tool()
    async def export_status(job_id: JobId) -> dict[str, Any]:
        """A render's status (pending, processing, completed, failed, cancelled) and progress."""
        status = await in_thread(lambda: skill.export_status(job_id))
        return {
            "job_id": status.job_id,  # a failed render retried once: the new id to poll
            "status": status.status,
            "progress": status.progress,
            "url": status.url,
            "error": status.error,
        }

    @server.tool()
    async def export_download(
        job_id: JobId, output: Output = None, force: Force = False
    ) -> dict[str, Any]:
        """Save a completed render as MP4 (default: where export_start was told)."""

        def download() -> dict[str, Any]:
            target = output_target(output) if output else None
            done = skill.download_export(job_id, target, force=force)
            return {
                "job_id": job_id,
                "path": done.path,
                "media": f"MEDIA:{done.path}",
                "claim_url": done.claim_url,
            }

        return await with_notes(skill, download)  # e.g. "no web link this time"

    @server.tool()
    async def export_cancel(job_id: JobId) -> dict[str, Any]:
        """Ask the backend to cancel a render."""
        return (await in_thread(lambda: skill.cancel_export(job_id))).to_dict()
