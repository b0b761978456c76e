"""``nemo-skill export`` on the embedded backend: the link opens while the local service runs."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from nemo_skill import cli
from nemo_skill.commands import LOCAL_CLAIM_NOTE


def test_a_local_export_prints_a_link_that_opens_while_the_service_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    monkeypatch.setenv("NEMO_SKILL_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (320, 180), (40, 120, 200)).save(tmp_path / "photo.jpg")
    prompt = "turn this image into a 1-second animated video clip"
    assert cli.main(["--api-url", "local", "chat", prompt, "-f", "photo.jpg"]) == 0
    capsys.readouterr()

    assert cli.main(["--api-url", "local", "export", "-o", "clip.mp4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "MEDIA:" + str(tmp_path / "clip.mp4") in lines
    link = next(line for line in lines if line.startswith("Open the project in the web app: "))
    assert link.endswith(LOCAL_CLAIM_NOTE)
    url = link.split(": ", 1)[1].split(" ", 1)[0]
    assert url.startswith("http://127.0.0.1:") and "/workspace/claim?ct=" in url
    page = httpx.get(url, timeout=10)  # the command ended; the service still serves it
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert (tmp_path / "clip.mp4").read_bytes()[4:8] == b"ftyp"

    # The JSON document carries the link too.
    args = ["--api-url", "local", "--json", "export", "-o", "clip.mp4", "--force"]
    assert cli.main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert "/workspace/claim?ct=" in data["claim_url"]
