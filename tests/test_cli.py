"""The CLI shell itself: how it names its own commands, and how it reaches a local backend."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_skill import cli
from nemo_skill.client import direct_mounts

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "scripts" / "nemo-skill.py"
PROG = "uv run '/opt/my skills/openai-image-to-video/scripts/nemo-skill.py'"


def test_commands_are_named_nemo_skill_by_default() -> None:
    text = "Run `nemo-skill export --resume` later."
    assert cli.as_run(text) == text


def test_commands_are_named_as_the_launcher_runs_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.PROG_ENV, PROG)
    assert cli.as_run("Run `nemo-skill export --resume` later.") == (
        f"Run `{PROG} export --resume` later."
    )
    assert cli.as_run('Add music: nemo-skill chat "lo-fi"') == f'Add music: {PROG} chat "lo-fi"'
    # Paths and other words that merely contain the name are left alone.
    for text in ("/tmp/nemo-skill-x/clip.mp4 saved", "openai-nemo-skill run", "nemo-skill.py x"):
        assert cli.as_run(text) == text


def test_a_launcher_path_stays_valid_json(monkeypatch: pytest.MonkeyPatch) -> None:
    prog = 'uv run "C:\\skills\\x\\nemo-skill.py"'
    monkeypatch.setenv(cli.PROG_ENV, prog)
    line = cli.as_run(json.dumps({"hint": "Run `nemo-skill state`."}), in_json=True)
    assert json.loads(line) == {"hint": f"Run `{prog} state`."}


def test_usage_errors_name_the_launcher(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.PROG_ENV, PROG)
    assert cli.main(["--json", "frobnicate"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert f"Run `{PROG} --help` for usage." == error["hint"]
    assert "nemo-skill " not in error["hint"].replace(PROG, "")


def test_the_launcher_tells_the_cli_how_it_is_run(tmp_path: Path) -> None:
    """Run in place (the venv has the light packages), the launcher's hints name itself."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NEMO_SKILL_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(LAUNCHER), "--json", "frobnicate"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    hint = json.loads(done.stdout)["error"]["hint"]
    assert hint == f"Run `uv run {LAUNCHER.resolve()} --help` for usage."


def test_only_a_loopback_backend_bypasses_the_proxy() -> None:
    assert direct_mounts("https://mega-api-prod.nemovideo.ai") is None
    assert direct_mounts("http://10.0.0.5:8080") is None
    assert direct_mounts("http://127.0.0.1:8799") == {"all://127.0.0.1": None}
    assert direct_mounts("http://localhost:8799") == {"all://localhost": None}
    assert direct_mounts("http://[::1]:8799") == {"all://[::1]": None}


def test_the_embedded_backend_works_behind_a_proxy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user's HTTP_PROXY (here a closed port) must not swallow requests to 127.0.0.1."""
    pytest.importorskip("starlette")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEMO_SKILL_HOME", str(tmp_path))
    code = cli.main(["--api-url", "local", "--json", "credits"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert json.loads(out)["available"] > 0


def test_commands_shown_repeat_api_url_local_given_as_a_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Copied as shown, ``nemo-skill export`` after ``--api-url local`` reached the cloud."""
    import argparse
    import io

    monkeypatch.delenv(cli.PROG_ENV, raising=False)
    out, err = io.StringIO(), io.StringIO()
    ctx = cli.Context(argparse.Namespace(api_url="local", quiet=False), out, err)
    ctx.emit({}, "Next:\n  - Export the MP4: `nemo-skill export`\n"
             "(`nemo-skill open --api-url local --serve` keeps it up)\n"
             "More: `nemo-skill serve-local --add-credits 500`")  # fmt: skip
    ctx.progress('Hint: e.g. nemo-skill chat "animate this" -f photo.jpg')
    assert out.getvalue().splitlines() == [
        "Next:",
        "  - Export the MP4: `nemo-skill --api-url local export`",
        "(`nemo-skill open --api-url local --serve` keeps it up)",  # already said: once
        "More: `nemo-skill serve-local --add-credits 500`",  # needs no backend
    ]
    assert (
        err.getvalue() == 'Hint: e.g. nemo-skill --api-url local chat "animate this" -f photo.jpg\n'
    )
    monkeypatch.setenv(cli.PROG_ENV, PROG)
    line = cli.Context(argparse.Namespace(api_url=" local", json=True), io.StringIO())
    assert json.loads(line.as_run(json.dumps(["`nemo-skill state`"]), in_json=True)) == [
        f"`{PROG} --api-url local state`"
    ]
    for url in (None, "https://example.test", "http://127.0.0.1:8799"):  # only `local` is carried
        plain = cli.Context(argparse.Namespace(api_url=url))
        assert plain.as_run("`nemo-skill state`") == f"`{PROG} state`"
