"""The private state directory: client id, token cache, sections (``nemo_skill.config``)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nemo_skill.config import (
    CachedToken,
    StateStore,
    parse_expiry,
)
from nemo_skill.settings import Settings
from nemo_skill.storage import write_json

SECRET = "nmv_usr_secret_value_1234"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- client id --------------------------------------------------------------------


def test_client_id_generated_once_and_private(tmp_path: Path) -> None:
    state = tmp_path / "state"
    store = StateStore(state)
    first = store.client_id()
    assert first
    assert StateStore(state).client_id() == first
    assert store.client_id_file.read_text(encoding="utf-8").strip() == first
    assert _mode(store.client_id_file) == 0o600
    assert _mode(state) == 0o700


def test_configured_client_id_wins_and_is_not_written(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state")
    settings = Settings.from_env({"NEMO_CLIENT_ID": "fixed-id"}, state_dir=store.dir)
    assert store.client_id(settings.client_id) == "fixed-id"
    assert not store.client_id_file.exists()


def test_new_client_id_replaces_the_old(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    old = store.client_id()
    new = store.new_client_id()
    assert new != old
    assert store.client_id() == new


MAKE_ID = """
import sys, time
from pathlib import Path
from nemo_skill.config import StateStore
store = StateStore(Path(sys.argv[1]))
Path(sys.argv[2] + "." + sys.argv[3]).touch()  # ready
while not Path(sys.argv[2]).exists():  # every process is ready, then all go at once
    time.sleep(0.001)
print(store.client_id())
"""


def test_client_id_made_by_concurrent_processes_is_one_id(tmp_path: Path) -> None:
    """First use from several commands at once (real processes, empty state dir): one id."""
    state, go = tmp_path / "state", tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", MAKE_ID, str(state), str(go), str(n)],
                         stdout=subprocess.PIPE, text=True)
        for n in range(6)
    ]  # fmt: skip
    for _ in range(3000):  # bounded: until the six are ready (imports done)
        if len(list(tmp_path.glob("go.*"))) == 6:
            break
        time.sleep(0.01)
    go.touch()
    ids = {proc.communicate(timeout=60)[0].strip() for proc in procs}
    assert all(proc.returncode == 0 for proc in procs)
    assert len(ids) == 1 and ids == {StateStore(state).client_id()}


def test_state_dir_is_tightened(tmp_path: Path) -> None:
    state = tmp_path / "loose"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)  # noqa: S103 - loosened on purpose, to be tightened
    StateStore(state).client_id()
    assert _mode(state) == 0o700


# --- token cache ------------------------------------------------------------------


def test_token_cache_round_trip_per_api_url(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    a = "https://a.example"
    b = "http://127.0.0.1:9"
    assert store.load_token(a) is None
    store.save_token(a, CachedToken(token="tok-a", user_id="anon_a", expires_at=1_900_000_000))
    store.save_token(b, CachedToken(token="tok-b"))
    loaded = store.load_token(a)
    assert loaded == CachedToken(token="tok-a", user_id="anon_a", expires_at=1_900_000_000.0)
    assert store.load_token(b) == CachedToken(token="tok-b", user_id=None, expires_at=0.0)
    assert _mode(store.token_file) == 0o600
    store.forget_token(a)
    assert store.load_token(a) is None
    assert store.load_token(b) is not None


@pytest.mark.parametrize(
    "content",
    ["", "not json", "[1, 2]", '{"https://a.example": "just a string"}', '{"x": {"token": 5}}'],
)
def test_corrupt_token_cache_reads_as_empty(tmp_path: Path, content: str) -> None:
    store = StateStore(tmp_path)
    store.token_file.write_text(content, encoding="utf-8")
    assert store.load_token("https://a.example") is None
    assert store.load_token("x") is None


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "is missing"),
        ("{not json", "is damaged (not readable JSON)"),
        ("[1]", "is damaged (not a JSON object)"),
        ('{"https://b.example": {"token": "t"}}', "holds no token for https://a.example"),
        ('{"https://a.example": {"token": "t", "expires_at": 1}}', "has expired"),
    ],
)
def test_token_cache_problem_says_what_is_wrong(
    tmp_path: Path, content: str | None, why: str
) -> None:
    store = StateStore(tmp_path)
    if content is not None:
        store.token_file.write_text(content, encoding="utf-8")
    problem = store.token_cache_problem("https://a.example")
    assert why in problem
    assert "expired" in problem or str(store.token_file) in problem


def test_cached_token_expiry_parsed_on_load(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    write_json(store.token_file, {"u": {"token": "t", "expires_at": "2030-01-01T00:00:00Z"}})
    token = store.load_token("u")
    assert token is not None
    assert token.expires_at == datetime(2030, 1, 1, tzinfo=UTC).timestamp()


def test_token_validity() -> None:
    now = 1_000_000.0
    assert CachedToken("t", expires_at=0).valid(now)  # unknown expiry: try it
    assert CachedToken("t", expires_at=now + 3600).valid(now)
    assert not CachedToken("t", expires_at=now + 60).valid(now)  # inside the margin
    assert not CachedToken("t", expires_at=now - 1).valid(now)
    assert not CachedToken("", expires_at=0).valid(now)


EPOCH = datetime(2026, 3, 18, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-18T00:00:00Z", EPOCH),
        ("2026-03-18T00:00:00+00:00", EPOCH),
        ("2026-03-18T08:00:00+08:00", EPOCH),
        (EPOCH, EPOCH),
        (int(EPOCH), EPOCH),
        (int(EPOCH * 1000), EPOCH),
        (str(int(EPOCH)), EPOCH),
        (str(int(EPOCH * 1000)), EPOCH),
        ("garbage", 0.0),
        ("", 0.0),
        (None, 0.0),
        (True, 0.0),
        ([], 0.0),
        ({"at": 1}, 0.0),
    ],
)
def test_parse_expiry(value: object, expected: float) -> None:
    assert parse_expiry(value) == pytest.approx(expected)


def test_sections(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    assert store.load_section("sessions") == {}
    store.save_section("sessions", {"/work": {"session_id": "5529798706024415232"}})
    assert store.load_section("sessions")["/work"]["session_id"] == "5529798706024415232"
    assert _mode(store.sessions_file) == 0o600


def test_cached_token_repr_hides_the_token() -> None:
    assert SECRET not in repr(CachedToken(token=SECRET, user_id="anon_1"))
