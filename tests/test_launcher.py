"""scripts/nemo-skill.py: the launcher SKILL.md gives, run the way a stock machine runs it.

The first half runs the launcher's decisions directly (which extras a command needs,
where their requirements come from, the re-run through uv, its loop guard). The
second half runs the published bundle through the real ``uv`` with nothing else on
``PATH``, from another directory, on the embedded backend.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ROOT, SYSTEM_PATH, UvHost

LAUNCHER = ROOT / "scripts" / "nemo-skill.py"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCAL = PYPROJECT["project"]["optional-dependencies"]["local"]
MCP = PYPROJECT["project"]["optional-dependencies"]["mcp"]
GUARD = "_NEMO_SKILL_LAUNCHER_REEXEC"


def load_launcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nemo_skill_launcher", LAUNCHER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


launcher = load_launcher()


def inline_metadata(text: str) -> dict[str, Any]:
    """The PEP 723 ``script`` block of ``text`` (the reference regex of the PEP)."""
    regex = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
    blocks = [m for m in re.finditer(regex, text) if m.group("type") == "script"]
    assert len(blocks) == 1
    content = "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in blocks[0].group("content").splitlines(keepends=True)
    )
    return tomllib.loads(content)


# --- what the launcher declares and decides ---------------------------------------


def test_inline_metadata_is_pyprojects() -> None:
    meta = inline_metadata(LAUNCHER.read_text(encoding="utf-8"))
    assert meta["dependencies"] == PYPROJECT["project"]["dependencies"]
    assert meta["requires-python"] == PYPROJECT["project"]["requires-python"]
    # Only the four light dependencies load for cloud use.
    assert [launcher.distribution_name(r) for r in meta["dependencies"]] == [
        "httpx",
        "httpx-sse",
        "pyyaml",
        "pydantic",
    ]


def test_extras_come_from_pyproject() -> None:
    assert launcher.requirements(("local",)) == LOCAL
    assert launcher.requirements(("mcp",)) == MCP
    assert launcher.requirements(("mcp", "local")) == MCP + LOCAL
    assert launcher.PYPROJECT == ROOT / "pyproject.toml"


def test_extras_expand_references_to_the_project(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "Demo_Pkg"\n[project.optional-dependencies]\n'
        'a = ["numpy>=1", "demo-pkg[b]"]\nb = ["av>=12", "demo_pkg[a]"]\n',
        encoding="utf-8",
    )
    assert launcher.requirements(("a",), pyproject) == ["numpy>=1", "av>=12"]
    with pytest.raises(KeyError, match="no extra 'c'"):
        launcher.requirements(("c",), pyproject)


@pytest.mark.parametrize(
    ("argv", "env", "extras"),
    [
        (["classify", "export"], {}, ()),
        (["--json", "credits"], {}, ()),
        (["credits", "--api-url", "https://api.example"], {"NEMO_API_URL": "local"}, ()),
        (["--api-url", "local", "credits"], {}, ("local",)),
        (["--api-url=LOCAL/", "--json", "state"], {}, ("local",)),
        (["--api", "local", "chat", "hi"], {}, ("local",)),  # argparse takes prefixes
        (["chat", "hi", "--api-url", "local"], {}, ("local",)),
        (["--json", "chat", "make it 9:16"], {"NEMO_API_URL": " local "}, ("local",)),
        (["--api-url", "", "generate", "-f", "a.jpg"], {"NEMO_API_URL": "local"}, ("local",)),
        (["--session", "animate", "credits"], {}, ()),  # a session named "animate"
        (["--state-dir=/x", "animate", "a.jpg", "-o", "a.mp4"], {}, ("local",)),
        (["serve-local", "--port", "0"], {}, ("local",)),
        (["classify", "export"], {"NEMO_API_URL": "local"}, ()),
        (["mcp"], {}, ("mcp",)),
        (["mcp"], {"NEMO_API_URL": "local"}, ("mcp", "local")),
        (["--api-url", "local", "mcp", "--help"], {}, ()),
        (["--version"], {}, ()),
        ([], {"NEMO_API_URL": "local"}, ()),
        (["--", "animate", "a.jpg"], {}, ("local",)),
        (["animate", "a.jpg", "-o", "a.mp4"], {"NEMO_DEPTH_MODEL": "/m.onnx"}, ("local", "depth")),
        (["--api-url", "local", "chat", "hi"], {"NEMO_DEPTH_MODEL": " "}, ("local",)),
        (["credits"], {"NEMO_DEPTH_MODEL": "/m.onnx"}, ()),
    ],
)
def test_extras_for_each_command(
    argv: list[str], env: dict[str, str], extras: tuple[str], tmp_path: Path
) -> None:
    env = {"NEMO_SKILL_HOME": str(tmp_path / "state"), **env}
    assert launcher.extras_for(argv, env) == extras


def test_the_config_file_api_url_counts_like_the_cli(tmp_path: Path) -> None:
    """`nemo-skill config set api_url local` makes every command offline: the launcher agrees."""
    from nemo_skill import settings

    state = tmp_path / "state"
    settings.set_value(state, "api_url", "local")
    env = {"NEMO_SKILL_HOME": str(state)}
    assert launcher.extras_for(["--json", "credits"], env) == ("local",)
    assert launcher.extras_for(["credits", "--api-url", "https://api.example"], env) == ()
    assert launcher.extras_for(["credits"], {**env, "NEMO_API_URL": "https://a.example"}) == ()
    other = {"NEMO_SKILL_HOME": str(tmp_path / "elsewhere")}
    assert launcher.extras_for(["credits"], other) == ()
    assert launcher.extras_for(["--state-dir", str(state), "credits"], other) == ("local",)
    # A config file the CLI will refuse: the flag and environment still decide.
    (state / "config.json").write_text("{not json", encoding="utf-8")
    assert launcher.extras_for(["--api-url", "local", "state"], env) == ("local",)


# --- the re-run through uv, observed with a stand-in uv that records its call ---------


@pytest.fixture
def fake_uv(tmp_path: Path) -> tuple[Path, Path]:
    """An executable ``uv`` that records its arguments and the guard, then exits 7."""
    record = tmp_path / "uv-call.json"
    uv = tmp_path / "fake-bin" / "uv"
    uv.parent.mkdir()
    uv.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"json.dump({{'argv': sys.argv[1:], 'guard': os.environ.get({GUARD!r})}}, "
        f"open({str(record)!r}, 'w'))\nsys.exit(7)\n",
        encoding="utf-8",
    )
    uv.chmod(uv.stat().st_mode | stat.S_IXUSR)
    return uv, record


def run_bare(args: list[str], tmp_path: Path, **env: str) -> tuple[int, str, str]:
    """The launcher on this interpreter without site-packages: none of the extras."""
    base = {"PATH": os.pathsep.join(SYSTEM_PATH), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(LAUNCHER), *args],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


def runner_of(call: dict[str, Any], home: Path) -> tuple[Path, dict[str, Any]]:
    """The generated script the launcher handed to uv, and its inline metadata."""
    assert call["argv"][:2] == ["run", "--script"]
    runner = Path(call["argv"][2])
    assert runner.parent == home / "launcher"
    assert stat.S_IMODE(runner.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(runner.stat().st_mode) == 0o600
    text = runner.read_text(encoding="utf-8")
    assert f"runpy.run_path({str(LAUNCHER)!r}, run_name='__main__')" in text
    return runner, inline_metadata(text)


def test_offline_command_reruns_itself_through_uv_with_the_local_extra(
    tmp_path: Path, fake_uv: tuple[Path, Path]
) -> None:
    uv, record = fake_uv
    home = tmp_path / "state"
    args = ["--json", "--api-url", "local", "chat", "hi é"]
    code, out, err = run_bare(args, tmp_path, UV=str(uv), NEMO_SKILL_HOME=str(home))
    assert code == 7, err  # uv's exit code is the command's
    assert out == ""
    call = json.loads(record.read_text(encoding="utf-8"))
    assert call["guard"] == "1"
    runner, meta = runner_of(call, home)
    assert call["argv"][3:] == args
    assert meta["dependencies"] == PYPROJECT["project"]["dependencies"] + LOCAL
    assert meta["requires-python"] == PYPROJECT["project"]["requires-python"]
    assert runner.name.startswith("nemo-skill-local-")


def test_mcp_reruns_with_the_mcp_extra_found_on_path(
    tmp_path: Path, fake_uv: tuple[Path, Path]
) -> None:
    uv, record = fake_uv
    home = tmp_path / "state"
    path = os.pathsep.join((str(uv.parent), *SYSTEM_PATH))
    code, _, err = run_bare(["mcp"], tmp_path, PATH=path, NEMO_SKILL_HOME=str(home))
    assert code == 7, err
    call = json.loads(record.read_text(encoding="utf-8"))
    _, meta = runner_of(call, home)
    assert meta["dependencies"] == PYPROJECT["project"]["dependencies"] + MCP
    assert call["argv"][3:] == ["mcp"]


def test_runner_script_is_rewritten_only_when_its_requirements_change(
    isolated_env: Path,
) -> None:
    first = launcher.runner_script(("local",), ["numpy>=1.26"])
    mtime = first.stat().st_mtime_ns
    assert launcher.runner_script(("local",), ["numpy>=1.26"]) == first
    assert first.stat().st_mtime_ns == mtime
    other = launcher.runner_script(("mcp",), ["mcp>=2.0"])
    second = launcher.runner_script(("local",), ["numpy>=2"])
    assert second != first and not first.exists()  # the stale one of the same extras goes
    assert other.exists() and second.parent == isolated_env / "launcher"
    assert [p.name for p in second.parent.iterdir() if p.name.startswith(".")] == []


def test_cloud_commands_run_in_place(tmp_path: Path, fake_uv: tuple[Path, Path]) -> None:
    uv, record = fake_uv
    result = subprocess.run(
        [sys.executable, str(LAUNCHER), "classify", "export"],
        cwd=tmp_path,
        env={"PATH": os.pathsep.join(SYSTEM_PATH), "UV": str(uv), "NEMO_API_URL": "local"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "export\n", "")
    assert not record.exists()


def test_a_plain_python_hands_the_command_to_uv(tmp_path: Path, fake_uv: tuple[Path, Path]) -> None:
    """`python3 scripts/nemo-skill.py` without the light dependencies runs as SKILL.md says."""
    uv, record = fake_uv
    code, _, err = run_bare(["--json", "classify", "export"], tmp_path, UV=str(uv))
    assert code == 7, err
    call = json.loads(record.read_text(encoding="utf-8"))
    assert call["argv"] == ["run", "--script", str(LAUNCHER), "--json", "classify", "export"]


def test_base_modules_are_the_inline_dependencies() -> None:
    meta = inline_metadata(LAUNCHER.read_text(encoding="utf-8"))
    wanted = {launcher.canonical(launcher.distribution_name(r)) for r in meta["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    found = {launcher.canonical(d) for m in launcher.BASE_MODULES for d in providers[m]}
    assert found == wanted
    assert len(launcher.BASE_MODULES) == len(wanted)


def test_still_missing_after_the_rerun_is_an_error_not_a_loop(
    tmp_path: Path, fake_uv: tuple[Path, Path]
) -> None:
    uv, record = fake_uv
    code, out, err = run_bare(
        ["animate", "a.jpg", "-o", "a.mp4"], tmp_path, UV=str(uv), **{GUARD: "1"}
    )
    assert code == 2
    assert not record.exists()
    assert out == ""
    assert "uv ran this command without httpx" in err and "numpy" in err
    assert f"uv tool install '{ROOT}[local]'" in err

    code, out, err = run_bare(
        ["--json", "animate", "a.jpg", "-o", "a.mp4"], tmp_path, UV=str(uv), **{GUARD: "1"}
    )
    assert code == 2 and err == ""
    error = json.loads(out)["error"]
    assert error["code"] == "missing_dependency"
    assert "opencv-python-headless" in error["message"] and error["hint"]


def test_without_uv_says_what_to_install(tmp_path: Path) -> None:
    code, out, err = run_bare(["serve-local"], tmp_path)
    assert code == 2 and out == ""
    assert "needs httpx, httpx_sse, yaml, pydantic, numpy, opencv-python-headless" in err
    assert "uv is not installed" in err and "uv tool install" in err


def test_missing_pyproject_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "skill"
    (folder / "scripts").mkdir(parents=True)
    shutil.copy(LAUNCHER, folder / "scripts" / "nemo-skill.py")
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(folder / "scripts" / "nemo-skill.py"), "mcp"],
        cwd=tmp_path,
        env={"PATH": os.pathsep.join(SYSTEM_PATH)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot read the mcp requirements" in result.stderr
    assert "pyproject.toml must ship" in result.stderr


# --- the published bundle through the real uv, clean environment ----------------------


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from examples.make_sample_image import make_sample

    return make_sample(tmp_path_factory.mktemp("photo") / "photo.jpg", (640, 400))


@pytest.mark.slow
def test_credits_on_the_embedded_backend(uv_host: UvHost, tmp_path: Path) -> None:
    result = uv_host.run(
        ["--json", "--api-url", "local", "credits"], cwd=tmp_path, env=uv_host.env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    credits = json.loads(result.stdout)
    assert credits["available"] > 0 and credits["total"] >= credits["available"]
    # The embedded backend has no registration: no bind link (an offline top-up).
    assert credits["bind_url"] is None and credits["user_id"].startswith("anon_")


@pytest.mark.slow
def test_chat_turn_with_a_photo(uv_host: UvHost, tmp_path: Path, photo: Path) -> None:
    env = uv_host.env(tmp_path, NEMO_API_URL="local")
    work = tmp_path / "project"
    work.mkdir()
    message = "turn this image into a 5-second animated video clip"
    result = uv_host.run(["--json", "chat", message, "-f", str(photo)], cwd=work, env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    reply = json.loads(result.stdout)
    assert reply["action"] == "chat" and reply["messages"], reply
    # The same directory continues the same project.
    state = uv_host.run(["--json", "state"], cwd=work, env=env)
    assert state.returncode == 0, state.stderr
    assert "photo.jpg" in json.loads(state.stdout)["summary"]


@pytest.mark.slow
def test_offline_render_decodes(uv_host: UvHost, tmp_path: Path, photo: Path) -> None:
    import av

    out = tmp_path / "clip.mp4"
    args = ["animate", str(photo), "slow zoom in", "-o", str(out), "--duration", "2"]
    result = uv_host.run([*args, "--size", "320"], cwd=tmp_path, env=uv_host.env(tmp_path))
    assert result.returncode == 0, result.stderr + result.stdout
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        frames = [f for f in container.decode(stream)]
    assert max(frames[0].width, frames[0].height) == 320
    assert 2 * 24 <= len(frames) <= 2 * 60


@pytest.mark.slow
def test_exit_codes_and_json_pass_through(uv_host: UvHost, tmp_path: Path) -> None:
    env = uv_host.env(tmp_path)
    missing = str(tmp_path / "no-such.jpg")
    # After the re-run with the local extra ...
    local = uv_host.run(["--json", "--api-url", "local", "upload", missing], cwd=tmp_path, env=env)
    # ... and in place, for a cloud command.
    usage = uv_host.run(["--json", "chat"], cwd=tmp_path, env=env)
    for result in (local, usage):
        assert result.returncode == 2, result.stderr
        error = json.loads(result.stdout)["error"]  # exactly one JSON document on stdout
        assert error["code"] == "usage" and error["message"] and error["hint"]
    assert "File not found" in json.loads(local.stdout)["error"]["message"]


@pytest.mark.slow
def test_system_python_hands_over_to_uv(uv_host: UvHost, tmp_path: Path) -> None:
    """An agent that runs the launcher with the system's python3 (PEP 668, no httpx) still works."""
    python3 = shutil.which("python3", path=uv_host.base_env["PATH"])
    if python3 is None:
        pytest.skip("no python3 in the system directories")
    result = subprocess.run(
        [python3, str(uv_host.launcher), "--json", "--api-url", "local", "credits"],
        cwd=tmp_path,
        env=uv_host.env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["available"] > 0


@pytest.mark.slow
def test_offline_commands_need_no_network_after_the_first_run(
    uv_host: UvHost, tmp_path: Path, photo: Path
) -> None:
    env = uv_host.env(tmp_path, NEMO_API_URL="local")
    first = uv_host.run(["--json", "credits"], cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    # Every request to an index now fails at once (a dead proxy); loopback stays direct.
    dead = "http://127.0.0.1:9"
    offline = {
        **env,
        **{k: dead for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")},
        **{k.lower(): dead for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")},
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    again = uv_host.run(["--json", "credits"], cwd=tmp_path, env=offline)
    assert again.returncode == 0, again.stderr
    out = tmp_path / "clip.mp4"
    render = uv_host.run(
        ["animate", str(photo), "-o", str(out), "--duration", "1", "--size", "160"],
        cwd=tmp_path,
        env=offline,
    )
    assert render.returncode == 0, render.stderr
    assert out.stat().st_size > 0


def test_option_and_command_tables_follow_the_cli() -> None:
    """The launcher reads argv without the CLI's parser: its tables must stay the CLI's."""
    import argparse

    from nemo_skill.cli import COMMANDS, add_global_options

    parser = argparse.ArgumentParser(add_help=False)
    add_global_options(parser)
    longs = [(a, [o for o in a.option_strings if o.startswith("--")]) for a in parser._actions]
    assert {o for a, opts in longs if a.nargs != 0 for o in opts} == set(launcher.VALUE_OPTIONS)
    flags = {o for a, opts in longs if a.nargs == 0 for o in opts}
    assert flags | {"--help", "--version"} == set(launcher.FLAG_OPTIONS)
    assert set(launcher.OFFLINE_COMMANDS) | launcher.NO_BACKEND_COMMANDS | {"mcp"} <= set(COMMANDS)
