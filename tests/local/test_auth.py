"""Tokens of the embedded backend: a lost or damaged token cache never locks the user out.

Run as the user runs it: real ``nemo-skill --api-url local`` processes on one
data folder, the token cache deleted or damaged between them.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.local.conftest import jpeg_bytes


def cli(state: Path, cwd: Path, *args: str) -> dict[str, Any]:
    """``nemo-skill --api-url local --json ARGS`` as its own process; its JSON answer."""
    argv = [sys.executable, "-m", "nemo_skill.cli", "--api-url", "local", "--state-dir", str(state)]
    # Bounded well under the 60 s the client used to wait before failing.
    done = subprocess.run([*argv, "--json", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=45, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


def count(state: Path, table: str) -> int:
    """Rows of a table in the embedded backend's database under ``state``."""
    (db_path,) = state.rglob("nemo-local.sqlite3")
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608


def test_a_lost_token_cache_gets_a_token_for_the_same_user(tmp_path: Path) -> None:
    state, work = tmp_path / "state", tmp_path / "work"
    work.mkdir()
    (work / "photo.jpg").write_bytes(jpeg_bytes((320, 180)))
    cli(state, work, "chat", "-f", "photo.jpg", "animate this, 1 second")
    credits, project = cli(state, work, "credits"), cli(state, work, "state")
    token_file = state / "token.json"
    for damage in ("deleted", "corrupt", "emptied"):
        if damage == "deleted":
            token_file.unlink()
        else:
            token_file.write_text('{"local": {"tok' if damage == "corrupt" else "")
        assert cli(state, work, "credits") == credits, damage  # no wait, same user and balance
        assert json.loads(token_file.read_text()), damage  # cached again, readable
    assert cli(state, work, "state") == project  # the project is still there
    assert (count(state, "users"), count(state, "clients")) == (1, 1)


def test_first_use_from_two_offline_commands_at_once_makes_one_user(tmp_path: Path) -> None:
    """An empty state dir, two ``--api-url local`` commands at once: one id, one user, one token."""
    state = tmp_path / "state"
    argv = [sys.executable, "-m", "nemo_skill.cli", "--api-url", "local", "--state-dir", str(state)]
    procs = [
        subprocess.Popen([*argv, "--json", "auth"], cwd=tmp_path, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]  # fmt: skip
    answers = [p.communicate(timeout=45) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], answers
    assert len({json.loads(out)["user_id"] for out, _ in answers}) == 1
    assert (count(state, "clients"), count(state, "users"), count(state, "tokens")) == (1, 1, 1)
