"""Terminal hygiene (nemo_skill/textsafe.py): control characters never reach a terminal raw.

The end-to-end cases run the real CLI as a process against the embedded backend, with
escapes in the title, in a file name and in an error, and read the raw bytes it wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_skill.textsafe import for_terminal, json_line

EVIL = "\x1b[31mRed\x1b]0;pwned\x07 \x9b2J back\x08\x08 over\rwrite"
# Raw bytes a terminal acts on: ESC, BEL, BS, CR, CSI (U+009B in UTF-8), DEL.
RAW = (b"\x1b", b"\x07", b"\x08", b"\r", b"\xc2\x9b", b"\x7f")


def test_controls_become_visible_escapes_and_text_stays() -> None:
    assert for_terminal(EVIL) == (
        "\\x1b[31mRed\\x1b]0;pwned\\x07 \\x9b2J back\\x08\\x08 over\\x0dwrite"
    )
    kept = "夏の思い出 🎉 Été\tline\nnext"
    assert for_terminal(kept) == kept  # CJK, emoji, accents, tab and newline unchanged
    assert for_terminal("a\r\nb") == "a\nb"  # a Windows line break is a line break
    assert for_terminal("\x00\x7f\x85\x9f") == "\\x00\\x7f\\x85\\x9f"
    assert for_terminal("bad \udcff byte") == "bad \ufffd byte"  # always encodable


def test_json_lines_escape_what_json_dumps_leaves_raw() -> None:
    data = {"title": EVIL + "\x7f\x85", "name": "夏.jpg"}
    line = json_line(data)
    assert json.loads(line) == data  # the same value, every character kept
    assert not any(raw in line.encode() for raw in RAW)
    assert "夏.jpg" in line  # readable, not \u-escaped


# --- the real CLI, as a process, against the embedded backend ------------------------------


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NEMO_SKILL_HOME": str(home), "NEMO_SYSTEM_FONTS": "0",
           "NEMO_LOCAL_IDLE_S": "30"}  # a background local service, if any, ends soon after  # fmt: skip
    env.pop("NEMO_API_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "nemo_skill.cli", "--api-url", "local", *args],
        capture_output=True,
        env=env,
        cwd=home,
        timeout=120,
        check=False,
    )


def _clean(done: subprocess.CompletedProcess[bytes]) -> str:
    for stream in (done.stdout, done.stderr):
        found = [raw for raw in RAW if raw in stream]
        assert not found, (found, stream)
    return done.stdout.decode() + done.stderr.decode()


@pytest.fixture(scope="module")
def evil_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project made by `chat` with escapes in the title and in the photo's file name."""
    pytest.importorskip("starlette")
    from PIL import Image

    home = tmp_path_factory.mktemp("evil")
    photo = home / "beach\x1b[2J\x07.jpg"
    Image.new("RGB", (320, 180), (40, 120, 200)).save(photo)
    done = _cli(home, "chat", f'animate this, 1 second, add the title "{EVIL}"', "-f", photo.name)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return home, _clean(done)


def test_chat_shows_a_hostile_title_only_as_visible_escapes(
    evil_project: tuple[Path, str],
) -> None:
    home, said = evil_project
    assert "adding text" in said  # the generation's reply and progress were printed, cleaned
    done = _cli(home, "chat", f'change the title to "{EVIL} again"')
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert "\\x1b[31mRed\\x1b]0;pwned\\x07 \\x9b2J" in _clean(done)


def test_state_shows_title_and_file_name_escaped(evil_project: tuple[Path, str]) -> None:
    home, _ = evil_project
    shown = _clean(_cli(home, "state"))
    assert "\\x1b[31mRed\\x1b]0;pwned\\x07" in shown
    assert "beach" in shown  # the upload keeps the name, without its control characters


def test_state_json_keeps_the_value_and_writes_no_raw_control(
    evil_project: tuple[Path, str],
) -> None:
    home, _ = evil_project
    done = _cli(home, "--json", "state")
    _clean(done)
    texts = [t["text"] for t in json.loads(done.stdout)["timeline"]["tracks"] if t["text"]]
    assert len(texts) == 1 and texts[0].startswith(EVIL)  # every control character kept


def test_an_error_naming_a_hostile_file_is_escaped(evil_project: tuple[Path, str]) -> None:
    home, _ = evil_project
    done = _cli(home, "chat", "animate this", "-f", "missing\x1b]0;pwned\x07.jpg")
    assert done.returncode != 0
    assert "missing\\x1b]0;pwned\\x07.jpg" in _clean(done)
