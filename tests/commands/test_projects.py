"""``nemo-skill projects``: this machine's projects, newest first, read from the local store."""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.support import Cli, LocalServer, make_image

PROMPT = "turn this image into a 1-second animated video clip"


def test_no_projects_says_how_to_start(cli: Cli) -> None:
    text = cli("projects")
    assert text.code == 0
    assert "No projects on this machine yet" in text.out and "nemo-skill chat" in text.out
    data = cli("--json", "projects").json()
    assert data["projects"] == [] and "nemo-skill chat" in data["hint"]


def test_projects_newest_first_with_their_details(
    cli: Cli, backend: LocalServer, tmp_path: Path
) -> None:
    photo = make_image(cli.cwd / "photo.jpg")
    assert cli("chat", PROMPT, "-f", str(photo)).code == 0
    assert cli("export", "-o", str(cli.cwd / "clip.mp4")).code == 0
    time.sleep(1.1)  # timestamps have second precision; the order must be by activity
    named = cli("--session", "holiday", "chat", "make a 1-second clip", "-f", str(photo))
    assert named.code == 0, named.err

    data = cli("--json", "projects").json()["projects"]
    assert [p["workspace"] for p in data] == ["holiday", str(cli.cwd.resolve())]
    latest, first = data
    assert latest["kind"] == "session" and first["kind"] == "directory"
    assert latest["last_message"] == "make a 1-second clip"
    assert first["last_message"] == PROMPT
    assert first["last_export"] == str(cli.cwd / "clip.mp4")
    assert latest["last_export"] is None
    for project in data:
        assert project["session_id"] and project["backend"] == backend.url
        assert project["created"] <= project["last_activity"]
    assert first["current"] is True and latest["current"] is False

    text = cli("projects").out
    assert text.index("--session holiday") < text.index(str(cli.cwd.resolve()))
    assert "last export: " + str(cli.cwd / "clip.mp4") in text


def test_projects_needs_no_backend(tmp_path: Path) -> None:
    cli = Cli("http://127.0.0.1:9", tmp_path / "state", tmp_path)  # nothing listens there
    result = cli("--json", "projects")
    assert result.code == 0 and result.json()["projects"] == []


def test_a_damaged_store_lists_what_it_can(cli: Cli) -> None:
    cli.state_dir.mkdir(parents=True, exist_ok=True)
    (cli.state_dir / "sessions.json").write_text(
        '{"http://x": {"dir:/a": {"session_id": 5, "last_message": "hi"}, "bad": 3}, "y": []}'
    )
    data = cli("--json", "projects").json()["projects"]
    assert data == [
        {
            "workspace": "/a",
            "kind": "directory",
            "session_id": None,
            "backend": "http://x",
            "created": None,
            "last_activity": None,
            "last_message": "hi",
            "last_export": None,
            "current": False,
        }
    ]
