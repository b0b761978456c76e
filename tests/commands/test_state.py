"""``nemo-skill state``: the summary line, then one block per photo (and ``--json`` segments)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.support import Cli, LocalServer
from tests.test_timeline import story


def _with_story(backend: LocalServer, cli: Cli, photo: Path) -> None:
    """A real session whose latest draft is the hand-made three-photo story."""
    made = cli("chat", "animate this, 3 seconds", "-f", str(photo))
    assert made.code == 0, made.err
    session = cli("--json", "state").json()["session_id"]
    backend._app.state.backend.store.push_draft(session, story())


def test_state_prints_a_block_per_photo_after_the_summary(
    backend: LocalServer, cli: Cli, photo: Path
) -> None:
    _with_story(backend, cli, photo)
    shown = cli("state")
    assert shown.code == 0, shown.err
    summary, blocks = shown.out.split("\n\n")
    assert summary.startswith("1. Video: beach.jpg / city.jpg / food.jpg (0-9s, 3 clips)")
    assert blocks.splitlines()[:4] == [
        "Photo 1: beach.jpg, 0-3s, kenburns",
        "Photo 2: city.jpg, 3-6s, pan left ×2, crossfade into it (0.5s)",
        '  Caption "Downtown" (3-6s)',
        "Photo 3: food.jpg, 6-9s, zoom in, fade black into it (0.6s)",
    ]
    assert "  Music: Upbeat, 0-9s, 35%, 120 bpm" in blocks


def test_state_json_lists_the_segments(backend: LocalServer, cli: Cli, photo: Path) -> None:
    _with_story(backend, cli, photo)
    segments = cli("--json", "state").json()["timeline"]["segments"]
    assert [(s["number"], s["name"], s["start"], s["end"]) for s in segments] == [
        (1, "beach.jpg", 0.0, 3.0), (2, "city.jpg", 3.0, 6.0), (3, "food.jpg", 6.0, 9.0)
    ]  # fmt: skip
    assert [s["transition"] for s in segments] == [
        None, {"type": "crossfade", "duration": 0.5}, {"type": "fade_black", "duration": 0.6}
    ]  # fmt: skip
    assert [[c["text"] for c in s["captions"]] for s in segments] == [[], ["Downtown"], []]
