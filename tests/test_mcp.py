"""The MCP server: turns in-process with a scripted skill, then over stdio with the SDK client.

The stdio tests spawn ``nemo-skill mcp`` as a host would and drive it with the
SDK's ``ClientSession`` against the embedded backend: a slow turn polled to
the end, a repeated turn_id charged once, tool errors with hints, an export
decoded with PyAV, a batch.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, Literal, cast

import httpx
import pytest

pytest.importorskip("mcp")

from mcp.client.client import Client
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, GetTaskRequestParams, Request, Result, TextContent
from pydantic import ConfigDict, TypeAdapter

from nemo_skill import gui
from nemo_skill.client import NemoClient
from nemo_skill.errors import UnsupportedFileError
from nemo_skill.mcp_server import (
    STEPS,
    TASKS_EXTENSION,
    TurnRunner,
    build_server,
    guarded,
    with_notes,
)
from nemo_skill.settings import Settings
from nemo_skill.skill import Skill
from nemo_skill.turns import FAILED, RUNNING, STOPPED, Turns, TurnStore
from tests.mock_backend import DRAFT, Harness, envelope

TOOLS = {
    "chat", "get_turn", "cancel_turn", "upload", "state", "credits", "generate",
    "export_start", "export_status", "export_download", "export_cancel", "export",
}  # fmt: skip
PROMPT = "turn this image into a 2-second animated video clip"
BOUND_S = 10.0  # the longest any in-process wait may take


# --- in-process: the turn runner with a scripted skill ------------------------------------


class ScriptedSkill:
    """Stands in for :class:`Skill`: each chat waits for the test's go-ahead."""

    def __init__(self, progress: Callable[[str], None], script: Script) -> None:
        self.progress, self.script = progress, script

    def chat(self, message: str, files: list[str]) -> Any:
        self.script.calls.append(message)
        assert self.script.go.wait(BOUND_S)
        for line in self.script.lines:
            self.progress(line)
        if self.script.error is not None:
            raise self.script.error
        return _Result({"messages": [f"did: {message}"], "question": None})


class _Result:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return self.data


class Script:
    """What the scripted skill does, and what it was asked."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.lines = ["uploading…", "generating video…"]
        self.error: BaseException | None = None
        self.calls: list[str] = []


class Notes:
    """A stand-in MCP context that keeps the progress notifications it is sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str | None]] = []

    async def report_progress(self, progress: float, total: float | None, message: str) -> None:
        self.sent.append((progress, message))


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def runner(tmp_path: Path, script: Script) -> Iterator[TurnRunner]:
    def factory(workspace: str, progress: Callable[[str], None]) -> Skill:
        return cast(Skill, ScriptedSkill(progress, script))

    yield TurnRunner(factory, Turns(TurnStore(tmp_path)), "dir:/project")
    script.go.set()  # never leave a turn thread waiting


def _chat(runner: TurnRunner, message: str, turn_id: str | None = "t1") -> tuple[str, bool]:
    record, created = runner.start(
        "chat", turn_id, lambda skill: skill.chat(message, []).to_dict(), message=message, files=[]
    )
    return str(record["turn_id"]), created


def _settled(runner: TurnRunner, tid: str) -> dict[str, Any]:
    record = runner.turns.wait(tid, BOUND_S, interval_s=0.01)
    assert record is not None and record["turn_state"] != RUNNING
    return record


def test_follow_relays_progress_and_polls_return_only_what_is_new(
    runner: TurnRunner, script: Script
) -> None:
    tid, created = _chat(runner, PROMPT)
    notes = Notes()

    async def follow_while_it_runs() -> None:
        task = asyncio.ensure_future(runner.follow(cast(Any, notes), tid, BOUND_S))
        await asyncio.sleep(0)  # the follower reads the record before the turn goes on
        script.go.set()
        await task

    asyncio.run(follow_while_it_runs())
    assert created and notes.sent == [(1, "uploading…"), (2, "generating video…")]
    first = runner.view(tid)
    assert first["turn_state"] == STOPPED and first["messages"] == [f"did: {PROMPT}"]
    assert first["progress"] == script.lines and first["kind"] == "chat"
    second = runner.view(tid)
    assert second["messages"] == [] and second["progress"] == []
    assert runner.view(tid, full=True)["messages"] == first["messages"]


def test_a_repeated_turn_id_never_runs_the_message_again(
    runner: TurnRunner, script: Script
) -> None:
    script.go.set()
    tid, created = _chat(runner, PROMPT)
    _settled(runner, tid)
    again, created_again = _chat(runner, "something else")
    assert (again, created, created_again) == (tid, True, False)
    assert script.calls == [PROMPT]
    fresh, created_fresh = _chat(runner, "another message", turn_id=None)
    _settled(runner, fresh)
    assert created_fresh and fresh != tid and script.calls == [PROMPT, "another message"]


def test_steps_the_core_names_reach_hosts_as_tools(runner: TurnRunner, script: Script) -> None:
    """The core's GUI translation names steps symbolically; a host reads the tools."""
    script.go.set()
    script.lines = [f"Ready: {gui.PREVIEW}"]
    tid, _ = _chat(runner, f"Your video is ready! Next, {gui.EXPORT}.")
    _settled(runner, tid)
    view = runner.view(tid)
    text = " ".join([*view["messages"], *view["progress"]])
    assert "nemo-skill" not in text and "{next" not in text
    assert "the `export_start` tool" in view["messages"][0]
    assert view["progress"] == ["Ready: run the `state` tool to see the tracks"]


def test_one_turn_at_a_time_but_known_turns_are_always_answered(runner: TurnRunner) -> None:
    tid, _ = _chat(runner, PROMPT)
    with pytest.raises(ToolError, match=f"Turn {tid} is still running"):
        guarded(lambda: _chat(runner, "next", turn_id="t2"))
    assert _chat(runner, PROMPT) == (tid, False)
    assert runner.turns.find("t2") is None  # the refused message left no record


def test_cancel_stops_waiting_and_the_late_result_is_kept(
    runner: TurnRunner, script: Script
) -> None:
    tid, _ = _chat(runner, PROMPT)
    runner.turns.cancel(tid)
    view = runner.view(tid)
    assert view["turn_state"] == FAILED and view["error"] is not None
    assert view["error"]["code"] == "cancelled"
    with pytest.raises(ToolError, match="cancelled, but the backend is still working"):
        guarded(lambda: _chat(runner, "next", turn_id="t2"))
    script.go.set()
    runner.join(BOUND_S)
    late = runner.view(tid)
    assert late["turn_state"] == FAILED and late["messages"] == [f"did: {PROMPT}"]
    assert runner.active is None and _chat(runner, "next", turn_id="t2")[1]


def test_a_turn_refused_before_sending_can_be_retried_with_its_id(
    runner: TurnRunner, script: Script
) -> None:
    script.go.set()
    script.error = UnsupportedFileError("Unsupported file type: .txt", code=4001, hint="Use a JPG")
    tid, _ = _chat(runner, PROMPT)
    failed = _settled(runner, tid)
    assert failed["turn_state"] == FAILED and failed["retryable"]
    assert failed["error"] == {"code": 4001, "message": "Unsupported file type: .txt",
                               "hint": "Use a JPG"}  # fmt: skip
    script.error = None
    assert _chat(runner, PROMPT) == (tid, True)
    assert _settled(runner, tid)["turn_state"] == STOPPED and len(script.calls) == 2


def test_a_bug_ends_the_turn_as_failed_without_a_traceback(
    runner: TurnRunner, script: Script
) -> None:
    script.go.set()
    script.error = KeyError("draft")
    tid, _ = _chat(runner, PROMPT)
    record = _settled(runner, tid)
    error = record["error"]
    assert record["turn_state"] == FAILED and not record["retryable"]
    assert error["message"] == "Unexpected error: KeyError: 'draft'" and error["hint"]
    assert "Traceback" not in str(record)


def test_unknown_turn_ids_are_tool_errors_with_a_hint(runner: TurnRunner) -> None:
    with pytest.raises(ToolError) as caught:
        guarded(lambda: runner.view("nope"))
    assert str(caught.value).startswith("There is no turn with id nope.")
    assert "\nHint: Start one with the `chat` tool" in str(caught.value)


def test_a_lost_session_notice_reaches_the_mcp_caller_once(env: Harness, renders: object) -> None:
    env.backend.reply(
        "GET", "/api/state/", httpx.Response(404, json={"code": 1002, "message": "no session"}),
        envelope({"state": {"draft": DRAFT}}),
    )  # fmt: skip
    skill = Skill(env.client, workspace="name:mcp")
    skill.new_session()
    first = asyncio.run(with_notes(skill, lambda: {"draft": skill.state().draft is not None}))
    assert first == {
        "draft": True,
        "notes": ["The previous project session was not found, so I started a new one."],
    }
    assert asyncio.run(with_notes(skill, lambda: {}))["notes"] == []


# --- the command ------------------------------------------------------------------------


def test_without_the_mcp_package_the_command_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nemo_skill.cli import main

    monkeypatch.delitem(sys.modules, "nemo_skill.mcp_server")
    monkeypatch.setitem(sys.modules, "mcp.server.mcpserver", None)  # as if not installed
    code = main(["--state-dir", str(tmp_path), "--json", "mcp"])
    error = json.loads(capsys.readouterr().out)["error"]
    assert code == 2 and error["hint"] == "pip install 'openai-image-to-video[mcp]'"


def test_the_cli_loads_the_mcp_sdk_only_to_serve() -> None:
    code = "import sys; from nemo_skill.cli import build_parser; build_parser(only='mcp'); "
    code += "print(sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    assert done.stdout.strip() == "[]"


# --- over stdio, against the embedded backend ------------------------------------------


Body = Callable[[ClientSession], Awaitable[Any]]


async def _serve(tmp: Path, api_url: str, body: Body) -> Any:
    """Spawn ``nemo-skill mcp`` like a host, run ``body`` against it, bounded."""
    state = str(tmp / "state")
    args = ["-m", "nemo_skill.cli", "--api-url", api_url, "--state-dir", state, "mcp"]
    params = StdioServerParameters(command=sys.executable, args=args, cwd=str(tmp))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await asyncio.wait_for(session.initialize(), timeout=30)
        return await asyncio.wait_for(body(session), timeout=60)


async def _call(session: ClientSession, tool: str, **args: Any) -> dict[str, Any]:
    result = await session.call_tool(tool, args)
    assert not result.is_error, result.content
    return dict(result.structured_content or {})


async def _export(session: ClientSession, clip: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """export_start, poll export_status until it ends, export_download: (status, saved)."""
    started = await _call(session, "export_start", output=str(clip))
    for _ in range(300):
        status = await _call(session, "export_status", job_id=started["job_id"])
        if status["status"] in ("completed", "failed", "cancelled"):
            break
        await asyncio.sleep(0.1)
    return status, await _call(session, "export_download", job_id=started["job_id"])


async def _until_stopped(
    session: ClientSession, turn_id: str, wait_seconds: float, notified: list[str]
) -> list[dict[str, Any]]:
    """Poll get_turn like a host until the turn leaves 'running'; every answer, in order."""

    async def note(progress: float, total: float | None, message: str | None) -> None:
        notified.append(message or "")

    polls: list[dict[str, Any]] = []
    for _ in range(100):
        result = await session.call_tool(
            "get_turn", {"turn_id": turn_id, "wait_seconds": wait_seconds}, progress_callback=note
        )
        polls.append(dict(result.structured_content or {}))
        if polls[-1]["turn_state"] != RUNNING:
            return polls
    raise AssertionError(f"turn {turn_id} still running after 100 polls")


def test_a_host_polls_a_slow_turn_to_the_end_is_charged_once_and_exports(
    tmp_path: Path,
) -> None:
    support = pytest.importorskip("tests.e2e.support")
    av = pytest.importorskip("av")
    # The backend's one keep-alive takes longer than chat's first wait: the turn outlives it.
    backend = support.start(tmp_path / "backend", heartbeat_interval_s=6.5)
    photo = support.make_image(tmp_path / "photo.jpg", size=(160, 120))
    clip = tmp_path / "clip.mp4"
    notified: list[str] = []

    async def body(session: ClientSession) -> dict[str, Any]:
        names = {tool.name for tool in (await session.list_tools()).tools}
        before = await _call(session, "credits")
        uploaded = await _call(session, "upload", paths=[str(photo)])
        first = await _call(session, "chat", message=PROMPT, turn_id="host-msg-1")
        polls = await _until_stopped(session, "host-msg-1", 30.0, notified)
        charged = await _call(session, "credits")
        again = await _call(session, "chat", message=PROMPT, turn_id="host-msg-1")
        after = await _call(session, "credits")
        status, saved = await _export(session, clip)
        return {"names": names, "credits": (before, charged, after), "uploaded": uploaded,
                "first": first, "polls": polls, "again": again, "status": status,
                "saved": saved}  # fmt: skip

    try:
        out = asyncio.run(_serve(tmp_path, backend.url, body))
    finally:
        backend.stop()
    assert out["names"] >= TOOLS
    assert out["uploaded"]["files"][0]["filename"] == "photo.jpg"
    first, polls, again = out["first"], out["polls"], out["again"]
    assert first["turn_state"] == RUNNING and first["turn_id"] == "host-msg-1"
    assert polls[-1]["turn_state"] == STOPPED
    messages = first["messages"] + [m for poll in polls for m in poll["messages"]]
    assert any("2-second" in m for m in messages)
    progress = [line for poll in polls for line in poll["progress"]]
    assert notified and set(notified) <= set(progress)
    # the repeat is the same turn, reported whole, and sent nothing
    assert again["turn_id"] == "host-msg-1" and again["messages"] == messages
    assert "nothing was sent again" in again["note"]
    before, charged, after = (c["available"] for c in out["credits"])
    assert before > charged == after
    assert out["status"]["status"] == "completed"
    assert out["saved"]["path"] == str(clip) and out["saved"]["media"] == f"MEDIA:{clip}"
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert frames > 0 and stream.codec_context.name == "h264"


def test_local_backend_tool_errors_carry_hints_and_a_batch_is_a_turn(tmp_path: Path) -> None:
    support = pytest.importorskip("tests.e2e.support")
    photo = support.make_image(tmp_path / "photo.jpg", size=(160, 120))
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    clips = tmp_path / "clips"
    clips.mkdir()

    async def body(session: ClientSession) -> dict[str, Any]:
        upload = await session.call_tool("upload", {"paths": [str(notes)]})
        refused = await session.call_tool(
            "chat", {"message": PROMPT, "files": [str(notes)], "turn_id": "m1"}
        )
        retried = await _call(session, "chat", message=PROMPT, files=[str(photo)], turn_id="m1")
        await _until_stopped(session, "m1", 5.0, [])
        unknown = await session.call_tool("export_status", {"job_id": "render_0"})
        no_turn = await session.call_tool("get_turn", {"turn_id": "never-sent"})
        batch = await _call(session, "generate", files=[str(photo)], output_dir=str(clips),
                            turn_id="b1")  # fmt: skip
        notified: list[str] = []
        polls = await _until_stopped(session, "b1", 5.0, notified)
        lines = [*batch["progress"], *notified, *(line for p in polls for line in p["progress"])]
        return {"upload": upload, "refused": refused, "retried": retried, "unknown": unknown,
                "no_turn": no_turn, "batch": batch, "done": polls[-1], "lines": lines}  # fmt: skip

    out = asyncio.run(_serve(tmp_path, "local", body))
    for key in ("upload", "refused"):
        result = out[key]
        text = result.content[0].text
        assert result.is_error and "Unsupported file type" in text and "(code 4001)" in text
        assert "\nHint: " in text and "jpg" in text.split("Hint:")[1]
        assert "Traceback" not in text
    assert out["retried"]["turn_id"] == "m1" and out["retried"]["note"] is None
    unknown = out["unknown"].content[0].text
    assert out["unknown"].is_error and "There is no render job render_0." in unknown
    assert "Hint: Start one with the `export_start` tool" in unknown
    no_turn = out["no_turn"]
    assert no_turn.is_error and "never-sent" in no_turn.content[0].text
    assert "Hint: Start one with the `chat` tool" in no_turn.content[0].text
    assert out["batch"]["kind"] == "generate"
    done = out["done"]
    assert done["turn_state"] == STOPPED and done["result"]["results"][0]["error"] is None
    made = Path(done["result"]["results"][0]["path"])
    # Per-item progress, as the CLI prints it, reaches the host (polls and notifications).
    assert "[1/1] photo.jpg uploading" in out["lines"]
    assert any(line.startswith("[1/1] photo.jpg rendering ") for line in out["lines"])
    assert done["result"]["results"][0]["state"] == "done"
    assert made.parent == clips and made.stat().st_size > 0


def test_delivery_tools_give_the_claim_link_projects_and_worded_next_steps(
    tmp_path: Path,
) -> None:
    support = pytest.importorskip("tests.e2e.support")
    backend = support.start(tmp_path / "backend")
    photo = support.make_image(tmp_path / "photo.jpg", size=(160, 120))
    clip = tmp_path / "clip.mp4"

    async def body(session: ClientSession) -> dict[str, Any]:
        names = {tool.name for tool in (await session.list_tools()).tools}
        empty = await _call(session, "projects")
        no_project = await session.call_tool("open_project", {})
        await _call(session, "chat", message=PROMPT, files=[str(photo)], turn_id="d1")
        done = (await _until_stopped(session, "d1", 5.0, []))[-1]
        link = await _call(session, "open_project")
        listed = await _call(session, "projects")
        _, saved = await _export(session, clip)
        return {"names": names, "empty": empty, "no_project": no_project, "done": done,
                "link": link, "listed": listed, "saved": saved}  # fmt: skip

    try:
        out = asyncio.run(_serve(tmp_path, backend.url, body))
    finally:
        backend.stop()
    assert {"open_project", "projects"} <= out["names"]
    assert out["empty"]["projects"] == []
    refused = out["no_project"]
    assert refused.is_error and "no project in this workspace" in refused.content[0].text
    assert "the `chat` tool" in refused.content[0].text
    steps = out["done"]["result"]["next"]
    assert 2 <= len(steps) <= 3 and any("export_start" in step for step in steps)
    link = out["link"]
    assert link["url"].startswith(f"{backend.url}/workspace/claim?ct=clm_")
    assert link["expires_in"] == 7 * 24 * 3600
    (project,) = out["listed"]["projects"]
    assert project["backend"] == backend.url and project["last_message"] == PROMPT
    saved = out["saved"]
    assert saved["path"] == str(clip)
    assert saved["claim_url"].startswith(f"{backend.url}/workspace/claim?ct=clm_")


# --- in-process with the SDK's client: schemas, folders, and no CLI words --------------------

# A CLI command or flag in what a host reads: `nemo-skill`, a long flag, a short flag word.
CLI_WORD = re.compile(r"nemo-skill|(?<![\w-])--[a-z]|(?:^|[\s`(\"'])-[a-zA-Z](?=[\s`),.:;\"']|$)")


def _in_process(skill_for: Callable[[str, Callable[[str], None]], Skill], body: Body) -> Any:
    """Run ``body`` with the SDK's in-process client against :func:`build_server`, bounded."""

    async def run() -> Any:
        async with Client(build_server(skill_for, "name:mcp-test")) as client:
            return await asyncio.wait_for(body(client.session), timeout=120)

    return asyncio.run(run())


def _offline_skill(tmp_path: Path) -> Callable[[str, Callable[[str], None]], Skill]:
    client = NemoClient(Settings(api_url="http://127.0.0.1:9", state_dir=tmp_path / "state"))
    return lambda workspace, progress: Skill(
        client, workspace=workspace, progress=progress, steps=STEPS
    )


def test_every_tool_parameter_is_described_in_its_schema(tmp_path: Path) -> None:
    async def body(session: ClientSession) -> list[Any]:
        return list((await session.list_tools()).tools)

    tools = _in_process(_offline_skill(tmp_path), body)
    params = [
        (tool.name, name, str(schema.get("description") or "").strip())
        for tool in tools
        for name, schema in (tool.input_schema.get("properties") or {}).items()
    ]
    assert {tool.name for tool in tools} >= TOOLS and len(params) >= 24
    assert [(tool, name) for tool, name, text in params if not text] == []
    assert not [text for *_, text in params if CLI_WORD.search(text)]


def _texts(value: Any) -> Iterator[str]:
    """Every string in a tool result: its text content and its structured content."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def test_every_tool_answers_in_tool_words_never_cli_words(tmp_path: Path) -> None:
    """Each tool, on its happy path and its refusals, against the embedded backend."""
    support = pytest.importorskip("tests.e2e.support")
    pytest.importorskip("av")
    backend = support.start(tmp_path / "backend")
    photo = support.make_image(tmp_path / "photo.jpg", size=(160, 120))
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    clips, made = tmp_path / "new" / "clips", tmp_path / "new" / "exports"
    turn_clip = str(tmp_path / "new" / "turn" / "clip.mp4")  # the export tool: a turn
    client = NemoClient(Settings(api_url=backend.url, state_dir=tmp_path / "state"))

    def skill_for(workspace: str, progress: Callable[[str], None]) -> Skill:
        return Skill(client, workspace=workspace, progress=progress, steps=STEPS)

    async def body(session: ClientSession) -> dict[str, Any]:
        calls: dict[str, Any] = {}

        async def call(key: str, tool: str, **args: Any) -> Any:
            calls[key] = await session.call_tool(tool, args)
            return calls[key].structured_content or {}

        await call("credits", "credits")
        await call("projects", "projects")
        await call("open_no_project", "open_project")
        await call("upload_refused", "upload", paths=[str(notes)])
        await call("upload", "upload", paths=[str(photo)])
        await call("chat_refused", "chat", message=PROMPT, files=[str(notes)], turn_id="x1")
        await call("chat", "chat", message=PROMPT, files=[str(photo)], turn_id="t1")
        calls["polls"] = await _until_stopped(session, "t1", 5.0, [])
        await call("chat_again", "chat", message=PROMPT, turn_id="t1")
        await call("cancel_turn", "cancel_turn", turn_id="t1")
        await call("no_turn", "get_turn", turn_id="never-sent")
        await call("state", "state")
        await call("open_project", "open_project")
        started = await call("export_start", "export_start", output=str(made))
        job = started["job_id"]
        for _ in range(300):
            status = await call("export_status", "export_status", job_id=job)
            if status["status"] in ("completed", "failed", "cancelled"):
                break
            await asyncio.sleep(0.1)
        saved = await call("export_download", "export_download", job_id=job)
        await call("download_exists", "export_download", job_id=job, output=saved["path"])
        await call("export_cancel", "export_cancel", job_id=job)
        await call("export_turn", "export", output=turn_clip, turn_id="e1")
        calls["export_polls"] = await _until_stopped(session, "e1", 5.0, [])
        await call("no_job", "export_status", job_id="render_0")
        await call("generate", "generate", files=[str(photo)], output_dir=str(clips), turn_id="b1")
        calls["batch_polls"] = await _until_stopped(session, "b1", 5.0, [])
        await call("generate_no_files", "generate", files=[], output_dir=str(clips))
        await call("output_is_a_file", "generate", files=[str(photo)], output_dir=str(photo))
        return calls

    try:
        calls = _in_process(skill_for, body)
    finally:
        client.close()
        backend.stop()
    refused = {
        "open_no_project", "upload_refused", "chat_refused", "no_turn", "download_exists",
        "no_job", "generate_no_files", "output_is_a_file",
    }  # fmt: skip
    polled = ("polls", "batch_polls", "export_polls")
    results = {k: v for k, v in calls.items() if k not in polled}
    assert {k for k, r in results.items() if r.is_error} == refused
    seen = [
        text
        for result in results.values()
        for text in _texts([result.model_dump(mode="json")["content"], result.structured_content])
    ]
    seen += [text for key in polled for text in _texts(calls[key])]
    assert len(seen) > 100  # the scan saw real answers
    assert [text for text in seen if CLI_WORD.search(text)] == []
    assert not [text for text in seen if "{next" in text]  # every step was worded
    # Folders named to a tool are created; the refusals speak in tool terms.
    assert calls["batch_polls"][-1]["turn_state"] == STOPPED
    assert Path(calls["batch_polls"][-1]["result"]["results"][0]["path"]).parent == clips
    assert Path(results["export_download"].structured_content["path"]).parent == made
    exported = calls["export_polls"][-1]["result"]
    assert exported["path"] == turn_clip and Path(turn_clip).stat().st_size > 0
    exists = results["download_exists"].content[0].text
    assert "already exists" in exists and "`force: true`" in exists
    assert "the `output` (or `output_dir`) parameter" in results["output_is_a_file"].content[0].text
    assert "the `files` parameter" in results["generate_no_files"].content[0].text


# --- long work as MCP tasks (SEP-2663 on the SDK's extension hooks) ------------------------


class TaskHandle(Result):
    """What a task-augmented ``tools/call`` answers: ``resultType: "task"`` and the task."""

    model_config = ConfigDict(extra="allow")
    result_type: Literal["task"] = "task"
    task_id: str
    status: str


class TaskRequest(Request[GetTaskRequestParams, str]):
    """``tasks/get`` or ``tasks/cancel`` (the SDK has the params type, not these requests)."""

    method: str
    params: GetTaskRequestParams


class HostTasks(ClientExtension):
    """A host that declares the tasks extension and polls ``tasks/get`` to the end."""

    identifier = TASKS_EXTENSION

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []  # (task id, status) of every poll
        self.cancel_next = False

    def claims(self) -> list[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=TaskHandle, resolve=self.resolve)]

    async def send(self, ctx: ClaimContext, method: str, task_id: str) -> dict[str, Any]:
        request = TaskRequest(method=method, params=GetTaskRequestParams(task_id=task_id))
        return await ctx.session.send_request(request, TypeAdapter(dict[str, Any]))

    async def resolve(self, handle: TaskHandle, ctx: ClaimContext) -> CallToolResult:
        self.seen.append((handle.task_id, handle.status))
        if self.cancel_next:
            await self.send(ctx, "tasks/cancel", handle.task_id)
        for _ in range(600):
            task = await self.send(ctx, "tasks/get", handle.task_id)
            self.seen.append((handle.task_id, task["status"]))
            if task["status"] == "cancelled":
                return CallToolResult(
                    content=[TextContent(type="text", text="cancelled")], is_error=True
                )
            if task["status"] != "working":
                return CallToolResult.model_validate(task["result"])
            await asyncio.sleep(task["pollIntervalMs"] / 1000 / 10)  # a tenth: a quick test
        raise AssertionError(f"task {handle.task_id} still working")


def test_long_work_runs_as_a_task_when_the_host_asks_for_one(tmp_path: Path) -> None:
    """chat, export and generate as tasks end to end; tasks/cancel; the polling tools stay."""
    support = pytest.importorskip("tests.e2e.support")
    av = pytest.importorskip("av")
    # The backend's one keep-alive outlasts the tools' first wait: every turn becomes a task.
    backend = support.start(tmp_path / "backend", heartbeat_interval_s=6.5)
    photo = support.make_image(tmp_path / "photo.jpg", size=(160, 120))
    clip, clips = tmp_path / "out" / "clip.mp4", tmp_path / "batch"
    client = NemoClient(Settings(api_url=backend.url, state_dir=tmp_path / "state"))
    host = HostTasks()

    async def body() -> dict[str, Any]:
        server = build_server(
            lambda ws, progress: Skill(client, workspace=ws, progress=progress, steps=STEPS),
            "name:tasks",
        )
        async with Client(server, extensions=[host]) as tasks_host:
            session = tasks_host.session
            out = {"chat": await tasks_host.call_tool("chat", {"message": PROMPT,
                                                          "files": [str(photo)],
                                                          "turn_id": "c1"})}  # fmt: skip
            out["export"] = await tasks_host.call_tool("export", {"output": str(clip)})
            out["generate"] = await tasks_host.call_tool(
                "generate", {"files": [str(photo)], "output_dir": str(clips)}
            )
            host.cancel_next = True
            out["cancelled"] = await tasks_host.call_tool("chat", {"message": "add calm music"})
            try:
                await host.send(
                    ClaimContext(session=session, tool_name="", read_timeout_seconds=None),
                    "tasks/get",
                    "no-such-task",
                )
            except MCPError as exc:
                out["unknown"] = exc
            out["polled"] = await session.call_tool("get_turn", {"turn_id": "c1"})
            return out

    try:
        out = asyncio.run(asyncio.wait_for(body(), timeout=240))
    finally:
        client.close()
        backend.stop()
    statuses = {task_id: [s for t, s in host.seen if t == task_id] for task_id, _ in host.seen}
    # chat and generate outlast the first wait (the slow keep-alive): tasks, seen working.
    # The export may end within it (a small render): then it answers directly, as allowed.
    assert all(polls[0] == "working" for polls in statuses.values())
    generated = out["generate"].structured_content["turn_id"]
    assert {"c1", generated} <= set(statuses) and 3 <= len(statuses) <= 4
    chat = out["chat"].structured_content
    assert (
        chat["turn_id"] == "c1"
        and chat["turn_state"] == STOPPED
        and statuses["c1"][-1] == ("completed")
    )
    assert any("2-second" in message for message in chat["messages"])
    export = out["export"].structured_content
    assert export["result"]["path"] == str(clip) and export["result"]["media"] == f"MEDIA:{clip}"
    with av.open(str(clip)) as container:
        assert sum(1 for _ in container.decode(container.streams.video[0])) > 0
    made = out["generate"].structured_content["result"]["results"][0]
    assert made["state"] == "done" and Path(made["path"]).parent == clips
    ends = sorted(polls[-1] for polls in statuses.values())
    assert ends[0] == "cancelled" and set(ends[1:]) == {"completed"}
    assert "no turn with id no-such-task" in str(out["unknown"])
    # A host without tasks still reads the same turn by polling.
    assert out["polled"].structured_content["turn_state"] == STOPPED


def test_out_of_credits_on_the_offline_backend_is_told_in_tool_words(tmp_path: Path) -> None:
    """The embedded backend's top-up reaches a host as a step, never as a CLI command."""
    support = pytest.importorskip("tests.e2e.support")
    backend = support.start(tmp_path / "backend", credits_new_user=0)
    photo = support.make_image(tmp_path / "photo.jpg", size=(160, 120))
    client = NemoClient(Settings(api_url=backend.url, state_dir=tmp_path / "state"))

    def skill_for(workspace: str, progress: Callable[[str], None]) -> Skill:
        return Skill(client, workspace=workspace, progress=progress, steps=STEPS)

    async def body(session: ClientSession) -> list[Any]:
        refused = await session.call_tool("chat", {"message": PROMPT, "files": [str(photo)],
                                                   "turn_id": "t1"})  # fmt: skip
        polls = await _until_stopped(session, "t1", 5.0, []) if not refused.is_error else []
        return [refused, polls]

    try:
        refused, polls = _in_process(skill_for, body)
    finally:
        client.close()
        backend.stop()
    text = " ".join(_texts([refused.model_dump(mode="json")["content"], polls]))
    assert "2001" in text and "an offline top-up" in text
    assert str(backend.data_dir) in text and not CLI_WORD.search(text)
