"""Music edits carry the style's tempo (nemo_skill/local/edits/music.py)."""

from __future__ import annotations

from typing import Any

from nemo_skill.local.edits.music import Music
from nemo_skill.local.engine.audio import STYLES
from tests.local.edits.conftest import run


def music(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for t in draft["t"] if t["tt"] == 1 for s in t["sg"]]


def test_added_and_changed_music_has_the_styles_bpm(story: dict[str, Any]) -> None:
    added = run(story, Music(style="calm"))
    assert (music(added)[0]["bpm"], music(added)[0]["d"]) == (STYLES["calm"]["bpm"], 9000)
    changed = run(added, Music(change=True))
    style = music(changed)[0]["style"]
    assert style != "calm" and music(changed)[0]["bpm"] == STYLES[style]["bpm"]
    assert music(run(changed, Music(remove=True))) == []
