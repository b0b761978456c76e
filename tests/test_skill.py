"""``Skill``: the one API behind the CLI and the MCP server.

The shells drive ``Skill`` only (their imports are read here), every next step
the core names is worded by each shell, and the rules the shells used to copy
(the unknown render job, idempotent turns, notices) live once, in ``Skill``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import nemo_skill
from nemo_skill import cli
from nemo_skill.errors import API_STEPS, NemoError, Next, word_error, word_hint

PACKAGE = Path(nemo_skill.__file__).parent
SHELLS = sorted(
    [PACKAGE / "cli.py", PACKAGE / "mcp_server.py", *(PACKAGE / "commands").glob("*.py")]
)
# What only Skill may drive: the conversation, the export job, the turn and workspace stores.
INTERNALS = {"conversation", "render", "turns", "workspace"}


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
