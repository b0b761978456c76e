"""``Skill``: the one API behind the CLI and the MCP server.

The shells drive ``Skill`` only (their imports are read here), every next step
the core names is worded by each shell, and the rules the shells used to copy
(the unknown render job, idempotent turns, notices) live once, in ``Skill``.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

import nemo_skill
from nemo_skill import cli
from nemo_skill.errors import (
    API_STEPS,
    CancelledError,
    NemoError,
    Next,
    RequestTimeoutError,
    TransportError,
    UsageError,
    word_error,
    word_hint,
)
from nemo_skill.render import DEFAULT_DEADLINE_S, POLL_SCHEDULE
from nemo_skill.skill import Skill
from tests.mock_backend import DRAFT, MP4, Clock, Harness, RenderBackend, envelope

PACKAGE = Path(nemo_skill.__file__).parent
SHELLS = sorted(
    [PACKAGE / "cli.py", PACKAGE / "mcp_server.py", *(PACKAGE / "commands").glob("*.py")]
)
# What only Skill may drive: the conversation, the exporter, the batch, the turn and workspace
# stores (the shells take batch results through Skill).
INTERNALS = {"batch", "conversation", "exporter", "render", "turns", "workspace"}


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any level (also inside functions and TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("shell", SHELLS, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_shells_drive_skill_only(shell: Path) -> None:
    banned = {f"nemo_skill.{name}" for name in INTERNALS}
    assert _imported_modules(shell) & banned == set()


def _mcp_steps() -> dict[Next, str]:
    mcp_server = pytest.importorskip("nemo_skill.mcp_server")
    return dict(mcp_server.STEPS)


@pytest.mark.parametrize("shell", ["cli", "mcp", "api"])
@pytest.mark.parametrize("step", list(Next))
def test_every_shell_words_every_next_step(shell: str, step: Next) -> None:
    steps = {"cli": lambda: cli.STEPS, "mcp": _mcp_steps, "api": lambda: API_STEPS}[shell]()
    assert steps[step].strip() and "{" not in steps[step]


# Modules whose texts may name CLI commands or flags: the CLI itself (its one table),
# settings (each Key names the CLI option that overrides it, for `config list`) and the
# opener of backends (the command line of the service process it starts,
# `python -m nemo_skill.local.service --data-dir ...`, is no user's command).
CLI_TEXT_OWNERS = {"cli.py", "settings.py", "backends.py"}
CLI_WORD = re.compile(r"nemo-skill|(?<![\w-])--[a-z]|(?:^|[\s`(\"'])-[a-zA-Z](?=[\s`),.:;\"']|$)")


def _texts_of(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module except docstrings, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


@pytest.mark.parametrize(
    "module",
    sorted(p for p in PACKAGE.glob("*.py") if p.name not in CLI_TEXT_OWNERS),
    ids=lambda p: p.name,
)
def test_the_core_names_steps_symbolically_never_as_cli_words(module: Path) -> None:
    """gui, skill, conversation, batch...: a step is ``{next:NAME}``, worded by each shell."""
    found = [(line, text) for line, text in _texts_of(module) if CLI_WORD.search(text)]
    assert found == []


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        (cli.STEPS, "Use `--force` to overwrite it, or choose another path with `-o`."),
        (API_STEPS, "Use force=True to overwrite it, or choose another path with output=PATH."),
    ],
)
def test_a_text_names_several_steps_each_in_the_shells_words(
    shell: dict[Next, str], expected: str
) -> None:
    text = "Use {next:force} to overwrite it, or choose another path with {next:output}."
    assert word_hint(text, None, shell) == expected
    mcp = word_hint(text, None, _mcp_steps())
    assert "`force: true`" in mcp and "`output`" in mcp and not CLI_WORD.search(mcp)
    assert word_hint("Try {next:teleport}.", None, shell) == "Try the next step."


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (cli.STEPS, "check `nemo-skill state` in a minute"),
        (API_STEPS, "check Skill.state() in a minute"),
    ],
)
def test_a_hint_names_its_next_step_in_the_shells_words(
    steps: dict[Next, str], expected: str
) -> None:
    error = NemoError(
        "Timed out.", hint="Do not re-send: check {next} in a minute.", next=Next.STATE
    )
    assert expected in error.worded_hint(steps)
    assert error.to_dict(steps)["hint"] == error.worded_hint(steps)
    assert list(error.to_dict(steps)) == ["code", "message", "hint"]  # the JSON shape stays


def test_a_stored_error_keeps_its_step_symbolic_until_a_shell_words_it() -> None:
    error = NemoError("Render failed.", code="render_failed", hint="Use {next}.", next=Next.EXPORT)
    record = error.to_record()
    assert record["hint"] == "Use {next}." and record["next"] == "export"
    assert word_error(record, cli.STEPS)["hint"] == "Use `nemo-skill export`."
    back = NemoError.from_record(record)
    assert (back.code, back.next) == ("render_failed", Next.EXPORT)


@pytest.mark.parametrize(
    ("hint", "step"),
    [
        ("Braces {in a path} stay as they are.", None),
        ("No slot here.", Next.STATE),
        ("Check {next}.", "a_step_from_a_newer_version"),
    ],
)
def test_hints_without_a_known_step_are_never_mangled(hint: str, step: Next | str | None) -> None:
    worded = word_hint(hint, step, cli.STEPS)
    assert worded == hint.replace("{next}", "the next step")


def test_the_cli_help_lists_every_exit_code_from_the_errors_table() -> None:
    from nemo_skill.errors import exit_codes

    help_text = cli.build_parser(only="classify").format_help()
    for code, meaning in exit_codes():
        assert f"{code} {meaning}" in help_text


# --- the export lifecycle against a scripted render backend, on a fake clock -------------


def _skill(harness: Harness, clock: Clock) -> Skill:
    return Skill(harness.client, workspace="name:test", sleep=clock.sleep, clock=clock)


def test_an_export_that_never_finishes_ends_at_the_deadline_and_stays_resumable(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    renders.polls_to_finish = None
    skill = _skill(env, clock)
    with pytest.raises(RequestTimeoutError) as caught:
        skill.export(tmp_path / "clip.mp4")
    (job_id,) = renders.submitted
    assert caught.value.message == f"Render {job_id} is still processing after 30 minutes."
    # It gave up at the deadline: not before it, and within one poll interval after it.
    assert DEFAULT_DEADLINE_S < clock.now <= DEFAULT_DEADLINE_S + POLL_SCHEDULE[-1]
    hint = caught.value.worded_hint(cli.STEPS)
    assert hint == "Run `nemo-skill export --resume` later to pick it up."
    assert skill.project.render_id == job_id  # `export --resume` finds the same job
    assert renders.cancelled == [] and not (tmp_path / "clip.mp4").exists()


def test_ctrl_c_during_an_export_asks_the_backend_to_cancel(
    env: Harness, renders: RenderBackend, tmp_path: Path
) -> None:
    renders.polls_to_finish = None
    clock = Clock(interrupt_on=3)  # Ctrl-C during the third wait between polls
    with pytest.raises(CancelledError) as caught:
        _skill(env, clock).export(tmp_path / "clip.mp4")
    (job_id,) = renders.submitted
    assert renders.cancelled == [job_id]
    assert (
        caught.value.message == f"Export interrupted; asked the backend to cancel render {job_id}."
    )
    assert caught.value.worded_hint(cli.STEPS) == "Run `nemo-skill export` to start a new render."
    assert not (tmp_path / "clip.mp4").exists()


def test_a_persisted_render_id_that_never_reached_the_backend_is_submitted_once_on_resume(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    skill = _skill(env, clock)
    renders.refuse_submits = 99  # the submit never gets through (connection refused)
    with pytest.raises(TransportError):
        skill.export(tmp_path / "clip.mp4")
    persisted = skill.project.render_id
    assert persisted and renders.submitted == []  # the id was kept before the submit

    renders.refuse_submits = 0
    done = skill.export(resume=True)
    assert renders.submitted == [persisted]  # the same id, submitted once
    assert done.job_id == persisted and done.path == str(tmp_path / "clip.mp4")
    assert (tmp_path / "clip.mp4").read_bytes() == MP4
    assert skill.project.render_id is None
    with pytest.raises(UsageError, match="no interrupted export"):
        skill.export(resume=True)
    assert renders.submitted == [persisted]


def test_export_by_job_id_start_status_download(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    skill = _skill(env, clock)
    started = skill.begin_export(tmp_path / "out.mp4")
    assert (started.status, started.next) == ("pending", Next.EXPORT_STATUS)
    assert started.output == str(tmp_path / "out.mp4")
    with pytest.raises(UsageError) as early:
        skill.download_export(started.job_id)
    assert early.value.next is Next.EXPORT_STATUS and "processing (40%)" in early.value.message
    status = skill.export_status(started.job_id)
    assert (status.status, status.next) == ("completed", None)
    done = skill.download_export(started.job_id)  # defaults to where begin_export was told
    assert done.path == str(tmp_path / "out.mp4") and (tmp_path / "out.mp4").read_bytes() == MP4
    assert skill.project.render_id is None  # delivered: nothing left to resume


@pytest.mark.parametrize(
    "call",
    [
        lambda skill, out: skill.export_status("render_nope"),
        lambda skill, out: skill.download_export("render_nope", out),
        lambda skill, out: skill.cancel_export("render_nope"),
    ],
    ids=["status", "download", "cancel"],
)
def test_an_unknown_job_id_is_one_usage_error_worded_by_each_shell(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path, call: Any
) -> None:
    skill = _skill(env, clock)
    with pytest.raises(UsageError) as caught:
        call(skill, tmp_path / "x.mp4")
    assert caught.value.next is Next.EXPORT
    assert caught.value.message.startswith("There is no render job")
    assert "`nemo-skill export`" in caught.value.worded_hint(cli.STEPS)
    assert "`export_start` tool" in caught.value.worded_hint(_mcp_steps())


def test_a_lost_session_is_renewed_once_and_said_in_the_notes(
    env: Harness, renders: RenderBackend, clock: Clock
) -> None:
    env.backend.reply(
        "GET", "/api/state/", httpx.Response(404, json={"code": 1002, "message": "no session"}),
        envelope({"state": {"draft": DRAFT}}),
    )  # fmt: skip
    skill = _skill(env, clock)
    skill.new_session()
    assert skill.state().draft is not None
    assert skill.take_notes() == [
        "The previous project session was not found, so I started a new one."
    ]
    assert skill.take_notes() == []  # said once
    assert env.count("/api/tasks/me/with-session/") == 2


def test_the_usage_docs_list_the_same_exit_codes() -> None:
    from nemo_skill.errors import exit_codes

    usage = " ".join((PACKAGE.parent / "docs" / "usage.md").read_text(encoding="utf-8").split())
    for code, meaning in exit_codes()[1:]:
        assert f"{code} {meaning}" in usage


def test_the_cli_prints_the_core_hint_in_its_own_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A closed local port: the refusal comes before anything is sent.
    args = ["--api-url", "http://127.0.0.1:9", "--state-dir", str(tmp_path)]
    assert cli.main([*args, "--json", "export", "--resume"]) == UsageError.exit_code
    error = json.loads(capsys.readouterr().out)["error"]
    assert error == {
        "code": "usage",
        "message": "There is no interrupted export to resume.",
        "hint": "Run `nemo-skill export`.",
    }
    assert cli.main([*args, "export", "--resume"]) == UsageError.exit_code
    assert "Hint: Run `nemo-skill export`.\n" in capsys.readouterr().err


def test_mcp_tool_errors_word_the_same_hint_as_tools(env: Harness) -> None:
    mcp_server = pytest.importorskip("nemo_skill.mcp_server")
    skill = Skill(env.client, workspace="name:mcp")
    with pytest.raises(Exception) as caught:
        mcp_server.guarded(lambda: skill.export(resume=True))
    assert str(caught.value) == (
        "There is no interrupted export to resume. (code usage)\nHint: Run the `export_start` tool."
    )
