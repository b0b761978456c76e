"""``nemo-skill export`` on the in-process embedded backend: no link that dies with the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemo_skill import cli
from nemo_skill.commands import IN_PROCESS_CLAIM


def test_an_in_process_export_says_how_to_open_the_page_instead_of_a_dead_link(
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
    assert IN_PROCESS_CLAIM in lines and "MEDIA:" + str(tmp_path / "clip.mp4") in lines
    assert not any("127.0.0.1" in line for line in lines)  # that server is gone
    assert (tmp_path / "clip.mp4").read_bytes()[4:8] == b"ftyp"

    # The JSON document still carries the link (an agent may serve the page itself).
    args = ["--api-url", "local", "--json", "export", "-o", "clip.mp4", "--force"]
    assert cli.main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert "/workspace/claim?ct=" in data["claim_url"]
