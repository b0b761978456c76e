"""Install layouts of each host: the skill folder copied where the host puts it sends
the right X-Skill-Platform header on a real HTTP request."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.conftest import UvHost

ROOT = Path(__file__).resolve().parents[1]

LAYOUTS = [
    (".openclaw/skills/openai-image-to-video", "openclaw"),
    (".clawhub/skills/openai-image-to-video", "clawhub"),
    (".cursor/skills/openai-image-to-video", "cursor"),
    ("project/.agents/skills/openai-image-to-video", "unknown"),
    ("project/skills/openai-image-to-video", "unknown"),
]


class Recorder(BaseHTTPRequestHandler):
    """Answers the credits call and records the headers it got."""

    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        Recorder.seen.append({k.lower(): v for k, v in self.headers.items()})
        body = json.dumps({"code": 0, "data": {"available": 1, "frozen": 0, "total": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Recorder.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def install(home: Path, layout: str) -> Path:
    """Lay the skill folder out the way the host does (text files only)."""
    target = home / layout
    target.mkdir(parents=True)
    shutil.copy(ROOT / "SKILL.md", target / "SKILL.md")
    shutil.copy(ROOT / "skill.yaml", target / "skill.yaml")
    shutil.copytree(
        ROOT / "nemo_skill", target / "nemo_skill", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def host_env(home: Path, skill_dir: Path, state: Path, **extra: str) -> dict[str, str]:
    """A clean environment as the host would run the skill: HOME, the skill on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEMO_", "SKILL_"))}
    env.update(
        HOME=str(home),
        PYTHONPATH=str(skill_dir),
        NEMO_TOKEN="nmv_usr_test_token_for_headers",
        NEMO_SKILL_HOME=str(state),
        **extra,
    )
    return env


@pytest.mark.parametrize(("layout", "platform"), LAYOUTS)
def test_platform_header_per_install_layout(
    tmp_path: Path, recorder: str, layout: str, platform: str
) -> None:
    home = tmp_path / "home"
    skill_dir = install(home, layout)
    env = host_env(home, skill_dir, tmp_path / "state")
    result = subprocess.run(
        [sys.executable, "-m", "nemo_skill.cli", "--api-url", recorder, "--json", "credits"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    headers = Recorder.seen[-1]
    assert headers["x-skill-platform"] == platform
    assert headers["x-skill-source"] == "openai-image-to-video"
    assert headers["x-skill-version"]
    assert headers["authorization"] == "Bearer nmv_usr_test_token_for_headers"


def test_skill_source_env_overrides_the_layout(tmp_path: Path, recorder: str) -> None:
    home = tmp_path / "home"
    skill_dir = install(home, ".cursor/skills/openai-image-to-video")
    env = host_env(home, skill_dir, tmp_path / "state", SKILL_SOURCE="my-host")
    subprocess.run(
        [sys.executable, "-m", "nemo_skill.cli", "--api-url", recorder, "credits"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert Recorder.seen[-1]["x-skill-platform"] == "my-host"


# --- MCP hosts (Cursor, Claude Desktop): README's config, started through uv ------------------


def readme_mcp_config() -> dict[str, Any]:
    """The ``mcpServers`` JSON block README gives for Cursor and Claude Desktop."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)\n```", readme, re.DOTALL)
    configs = [json.loads(b) for b in blocks if '"mcpServers"' in b]
    assert len(configs) == 1, "README gives one MCP host config"
    servers = configs[0]["mcpServers"]
    assert len(servers) == 1
    server = next(iter(servers.values()))
    assert isinstance(server, dict)
    return server


def test_readme_mcp_config_runs_the_launcher() -> None:
    server = readme_mcp_config()
    assert server["command"] == "uv"
    assert server["args"][0] == "run" and server["args"][-1] == "mcp"
    assert server["args"][1].endswith("/scripts/nemo-skill.py")


@pytest.mark.slow
def test_mcp_server_through_uv_lists_its_tools(uv_host: UvHost, tmp_path: Path) -> None:
    """A host starts README's configuration (its path pointing at the installed skill)."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    server = readme_mcp_config()
    args = [
        str(uv_host.launcher) if a.endswith("/scripts/nemo-skill.py") else a for a in server["args"]
    ]
    env = uv_host.env(tmp_path, **server.get("env", {}))
    # Hosts resolve a bare "uv" on their PATH; ours has only uv and the system dirs.
    command = shutil.which(server["command"], path=env["PATH"])
    assert command is not None
    params = StdioServerParameters(command=command, args=args, env=env, cwd=str(tmp_path))

    async def tools() -> tuple[set[str], dict[str, Any]]:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            # The first start may install the mcp and local extras into uv's cache.
            await asyncio.wait_for(session.initialize(), timeout=240)
            listed = await asyncio.wait_for(session.list_tools(), timeout=60)
            credits = await asyncio.wait_for(session.call_tool("credits", {}), timeout=60)
            assert not credits.is_error, credits.content
            return {tool.name for tool in listed.tools}, dict(credits.structured_content or {})

    names, credits = asyncio.run(tools())
    assert {"chat", "credits", "state", "upload", "export_start"} <= names
    assert credits["available"] > 0  # README's env runs it on the embedded backend


@pytest.mark.slow
def test_skill_md_command_from_an_openclaw_install(
    uv_host: UvHost, tmp_path: Path, recorder: str
) -> None:
    """The published bundle in OpenClaw's managed folder, run with the command SKILL.md gives."""
    home = tmp_path / "home"
    base_dir = home / ".openclaw/skills/openai-image-to-video"
    shutil.copytree(uv_host.bundle, base_dir, ignore=shutil.ignore_patterns("__pycache__"))
    skill_md = (base_dir / "SKILL.md").read_text(encoding="utf-8")
    command = next(c for c in re.findall(r"`([^`]+)`", skill_md) if c.endswith("--json credits"))
    argv = shlex.split(command.replace("{baseDir}", str(base_dir)))
    assert argv[:2] == ["uv", "run"]
    env = {
        **uv_host.env(tmp_path),
        "HOME": str(home),
        "NEMO_API_URL": recorder,
        "NEMO_TOKEN": "nmv_usr_test_token_for_headers",
    }
    work = tmp_path / "workspace"
    work.mkdir()
    result = subprocess.run(
        argv, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert json.loads(result.stdout)["available"] == 1
    assert Recorder.seen[-1]["x-skill-platform"] == "openclaw"
    assert "nmv_usr_test_token_for_headers" not in result.stdout + result.stderr


# --- the real OpenClaw CLI, when installed (npm openclaw, Node >= 24): optional -------------


def openclaw_with_node() -> tuple[str, str] | None:
    """``openclaw`` and a ``node`` >= 24 from PATH, or None (the test then skips)."""
    openclaw, node = shutil.which("openclaw"), shutil.which("node")
    if not openclaw or not node:
        return None
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = re.match(r"v(\d+)", version.stdout.strip())
    return (openclaw, node) if major and int(major.group(1)) >= 24 else None


@pytest.mark.slow
def test_real_openclaw_reports_the_uv_requirement(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Ready with uv on PATH; without it, hidden from the model with the brew install offered."""
    found = openclaw_with_node()
    if found is None:
        pytest.skip("the openclaw npm package and Node >= 24 are not on PATH")
    openclaw, node = found
    uv_host: UvHost = request.getfixturevalue("uv_host")
    home = tmp_path / "home"
    skill = home / ".openclaw/skills/openai-image-to-video"
    shutil.copytree(uv_host.bundle, skill, ignore=shutil.ignore_patterns("__pycache__"))

    def info(*path: str) -> dict[str, Any]:
        env = {"HOME": str(home), "PATH": os.pathsep.join(path), "LANG": "C.UTF-8"}
        result = subprocess.run(
            [openclaw, "skills", "info", "openai-image-to-video", "--json"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert isinstance(data, dict)
        return data

    node_dir = str(Path(node).parent)
    ready = info(str(uv_host.uv.parent), node_dir, "/usr/bin", "/bin")
    assert ready["eligible"] and ready["modelVisible"], ready["missing"]
    assert ready["requirements"]["bins"] == ["uv"]
    missing = info(node_dir, "/usr/bin", "/bin")
    assert not missing["eligible"] and not missing["modelVisible"]
    assert missing["missing"]["bins"] == ["uv"]
    assert [(o["id"], o["kind"], o["bins"]) for o in missing["install"]] == [
        ("uv-brew", "brew", ["uv"])
    ]
