"""``nemo-skill chat``: the generation notice, worded next steps and the claim line."""

from __future__ import annotations

from pathlib import Path

from nemo_skill.delivery import GENERATION_NOTICE
from tests.e2e.support import Cli

PROMPT = "turn this image into a 1-second animated video clip"


def test_a_generation_is_announced_and_next_steps_are_commands(cli: Cli, photo: Path) -> None:
    result = cli("--json", "chat", PROMPT, "-f", str(photo))
    assert result.code == 0, result.err
    assert GENERATION_NOTICE in result.err  # progress on stderr, JSON stays clean
    steps = result.json()["next"]
    assert 2 <= len(steps) <= 3
    assert steps[0] == "Export the MP4: `nemo-skill export`"
    assert all("nemo-skill " in step for step in steps)

    edit = cli("chat", "add calm background music")
    assert edit.code == 0 and GENERATION_NOTICE not in edit.err
    tail = edit.out.split("Next:\n", 1)[1].splitlines()
    assert 2 <= len(tail) <= 3 and all(line.startswith("  - ") for line in tail)
    assert not any("Add music" in line for line in tail)


def test_an_export_by_chat_carries_the_claim_link(cli: Cli, photo: Path) -> None:
    assert cli("chat", PROMPT, "-f", str(photo)).code == 0
    out = cli.cwd / "clip.mp4"
    text = cli("chat", "export", "-o", str(out))
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    link = next(line for line in lines if line.startswith("Open the project in the web app: "))
    assert f"{cli.url}/workspace/claim?ct=clm_" in link
    assert lines.index(link) < lines.index(f"MEDIA:{out}")
    assert any("nemo-skill open" in line for line in lines)  # next: open the link
    data = cli("--json", "chat", "export", "-o", str(out), "--force").json()
    assert data["export"]["claim_url"].startswith(f"{cli.url}/workspace/claim?ct=clm_")
    assert data["next"][0] == "Open the project in the web app: `nemo-skill open`"


def test_a_question_is_printed_once_with_its_options(cli: Cli, photo: Path) -> None:
    assert cli("chat", PROMPT, "-f", str(photo)).code == 0
    asked = cli("chat", "asdfgh qwerty")
    assert asked.code == 0, asked.err
    question = cli("--json", "chat", "asdfgh qwerty").json()["question"]
    assert question and asked.out.count(question) == 1
    lines = asked.out.splitlines()
    assert lines[0] == f"? {question}" and lines[1].startswith("  1. ")
