"""``nemo-skill open``: the claim link, never the bearer token, and the local service."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.support import Cli, LocalServer, make_image

PROMPT = "turn this image into a 1-second animated video clip"


def _cached_token(state_dir: Path) -> str:
    entries = json.loads((state_dir / "token.json").read_text())
    return next(iter(entries.values()))["token"]


def test_open_prints_the_claim_link_of_this_project(cli: Cli, photo: Path) -> None:
    assert cli("chat", PROMPT, "-f", str(photo)).code == 0
    result = cli("--json", "open")
    assert result.code == 0, result.err + result.out
    data = result.json()
    assert set(data) == {"url", "expires_in"}
    assert data["expires_in"] == 7 * 24 * 3600
    parts = urlsplit(data["url"])
    assert f"{parts.scheme}://{parts.netloc}" == cli.url  # loopback: the backend is the web app
    assert parts.path == "/workspace/claim"
    assert parse_qs(parts.query)["ct"][0].startswith("clm_")
    token = _cached_token(cli.state_dir)
    assert token not in result.out + result.err
    assert "anon_" not in data["url"]  # no user id either
    page = httpx.get(data["url"], timeout=10)  # the backend serves the page of that link
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert token not in page.text

    text = cli("open")
    assert text.code == 0
    lines = text.out.splitlines()
    assert lines[0].startswith(f"{cli.url}/workspace/claim?ct=clm_")
    assert "7 days" in lines[1]


def test_open_uses_the_web_url_setting_and_the_environment(
    cli: Cli, photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("chat", PROMPT, "-f", str(photo)).code == 0
    assert cli("config", "set", "web_url", "https://web.example/").code == 0
    assert cli("--json", "open").json()["url"].startswith("https://web.example/workspace/claim?ct=")
    monkeypatch.setenv("NEMO_WEB_URL", "https://env.example")
    url = cli("--json", "open").json()["url"]
    assert url.startswith("https://env.example/workspace/claim?ct=")


def test_open_with_no_project_says_how_to_start(cli: Cli, backend: LocalServer) -> None:
    result = cli("--json", "open")
    assert result.code == 2
    error = result.json()["error"]
    assert "no project in this workspace" in error["message"]
    assert "nemo-skill chat" in error["hint"] and "{next}" not in error["hint"]
    assert not (cli.state_dir / "sessions.json").exists()  # nothing created by asking


def test_open_serve_needs_the_local_backend(cli: Cli, photo: Path) -> None:
    assert cli("chat", PROMPT, "-f", str(photo)).code == 0
    result = cli("open", "--serve")
    assert result.code == 2
    assert "--api-url local" in result.err


def _local_project(tmp_path: Path) -> Cli:
    """A CLI on the local service (``--api-url local``) with one clip made."""
    work = tmp_path / "w"
    work.mkdir()
    cli = Cli("local", tmp_path / "state", work)
    assert cli("chat", PROMPT, "-f", str(make_image(work / "p.jpg"))).code == 0
    return cli


def test_open_with_the_local_backend_prints_a_link_that_opens(tmp_path: Path) -> None:
    cli = _local_project(tmp_path)
    result = cli("--json", "open")
    assert result.code == 0, result.err
    data = result.json()
    assert data["serving"] is True and data["url"].startswith("http://127.0.0.1:")
    page = httpx.get(data["url"], timeout=10)  # served by the local service after the command
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    text = cli("open")
    assert "local service" in text.out and "open --api-url local --serve" in text.out


def test_open_serve_keeps_the_link_alive_until_ctrl_c(tmp_path: Path) -> None:
    cli = _local_project(tmp_path)
    work = cli.cwd
    proc = subprocess.Popen(
        [sys.executable, "-m", "nemo_skill.cli", *cli.base_args(), "--json", "open", "--serve"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = json.loads(line)["url"]
        base = url.split("/workspace/")[0]
        deadline = time.monotonic() + 30
        answer = None
        while time.monotonic() < deadline:  # the backend is still up after the link was printed
            try:
                answer = httpx.get(f"{base}/api/credits/balance/simple", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None and answer.status_code in (401, 403)  # alive, wants a token
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert "Stopped." in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
