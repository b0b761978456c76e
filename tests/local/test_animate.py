"""``nemo_skill.local.animate``: the draft ``animate`` builds, and what building it loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from nemo_skill.local.animate import AnimateOptions, plan_animation
from nemo_skill.local.edits import Instruction, parse_instruction
from nemo_skill.local.grammar import parse

# Builds animate's draft in a fresh interpreter and prints the motion and which of the
# start-up costs the build paid: the grammar's interpreter (six language tables, ~350
# patterns compiled on first use), the HTTP client, the cloud intent router.
_PROBE = """
import json, sys
from pathlib import Path
from nemo_skill.local.animate import AnimateOptions, plan_animation
draft = plan_animation(Path(sys.argv[1]), AnimateOptions(prompt=sys.argv[2], motion="pan_left",
                                                          duration=3, music="calm"))
loaded = [m for m in ("nemo_skill.local.grammar.interpret", "httpx", "nemo_skill.intents")
          if m in sys.modules]
print(json.dumps({"motion": draft["t"][0]["sg"][0]["motion"], "loaded": loaded}))
"""


def _build(photo: Path, prompt: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(photo), prompt],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_blank_prompt_builds_the_draft_without_the_grammar(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    Image.new("RGB", (320, 240), (90, 120, 150)).save(photo)
    blank = _build(photo, " ")
    assert blank == {"motion": "pan_left", "loaded": []}
    # the same probe sees the grammar when a prompt needs it (the check above can fail)
    worded = _build(photo, "9:16, 4 seconds")
    assert "nemo_skill.local.grammar.interpret" in worded["loaded"]  # type: ignore[operator]


def test_a_blank_prompt_asks_for_what_the_grammar_reads_in_it() -> None:
    assert parse_instruction("") == parse_instruction(" \n ") == Instruction() == parse("")


def test_overrides_win_over_a_blank_prompt(tmp_path: Path) -> None:
    photo = tmp_path / "p.png"
    Image.new("RGB", (640, 480), (10, 20, 30)).save(photo)
    draft = plan_animation(photo, AnimateOptions(motion="zoom_out", duration=2, aspect="1:1"))
    segment = draft["t"][0]["sg"][0]
    assert (segment["motion"], segment["d"]) == ("zoom_out", 2000)
    assert (draft["m"]["aspect"], draft["m"]["width"], draft["m"]["height"]) == ("1:1", 1920, 1920)
