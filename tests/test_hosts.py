"""Install layouts of each host: the skill folder copied where the host puts it sends
the right X-Skill-Platform header on a real HTTP request."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

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
