"""Settings from the environment and the private state directory."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nemo_skill import config
from nemo_skill.config import (
    DEFAULT_API_URL,
    DEFAULT_WEB_URL,
    CachedToken,
    Settings,
    StateStore,
    default_state_dir,
    parse_expiry,
    read_json,
    write_json,
    write_private,
)

SECRET = "nmv_usr_secret_value_1234"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- Settings -------------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({}, state_dir=tmp_path)
    assert settings.api_url == DEFAULT_API_URL
    assert settings.web_url == DEFAULT_WEB_URL
    assert settings.token is None
    assert settings.client_id is None
    assert settings.skill_source is None
    assert settings.state_dir == tmp_path
    assert not settings.is_local


def test_environment_overrides() -> None:
    env = {
        "NEMO_TOKEN": f"  {SECRET}  ",
        "NEMO_API_URL": "http://127.0.0.1:8765/",
        "NEMO_WEB_URL": "https://web.example///",
        "NEMO_CLIENT_ID": "client-1",
        "SKILL_SOURCE": "cursor",
        "NEMO_SKILL_HOME": "/tmp/nemo-state",
    }
    settings = Settings.from_env(env)
    assert settings.token == SECRET
    assert settings.api_url == "http://127.0.0.1:8765"
    assert settings.web_url == "https://web.example"
    assert settings.client_id == "client-1"
    assert settings.skill_source == "cursor"
    assert settings.state_dir == Path("/tmp/nemo-state")


def test_blank_values_mean_unset() -> None:
    settings = Settings.from_env({"NEMO_TOKEN": "   ", "NEMO_API_URL": "", "NEMO_CLIENT_ID": " "})
    assert settings.token is None
    assert settings.api_url == DEFAULT_API_URL
    assert settings.client_id is None


def test_explicit_arguments_win(tmp_path: Path) -> None:
    env = {"NEMO_API_URL": "https://from-env.example", "NEMO_SKILL_HOME": "/elsewhere"}
    settings = Settings.from_env(env, api_url="http://127.0.0.1:9/", state_dir=tmp_path)
    assert settings.api_url == "http://127.0.0.1:9"
    assert settings.state_dir == tmp_path


@pytest.mark.parametrize("value", ["local", "LOCAL", " Local "])
def test_local_backend(value: str) -> None:
    assert Settings.from_env({"NEMO_API_URL": value}).is_local


def test_state_dir_default_and_home(tmp_path: Path) -> None:
    assert default_state_dir({}) == Path.home() / ".config" / "nemovideo"
    assert default_state_dir({"NEMO_SKILL_HOME": str(tmp_path)}) == tmp_path
    assert default_state_dir({"NEMO_SKILL_HOME": "~/x"}) == Path.home() / "x"


def test_repr_hides_the_token() -> None:
    settings = Settings.from_env({"NEMO_TOKEN": SECRET})
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert SECRET not in repr(CachedToken(token=SECRET, user_id="anon_1"))


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


# --- atomic private writes ----------------------------------------------------------


def test_write_private_mode_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.txt"
    write_private(target, "hello")
    write_private(target, b"bytes")
    assert target.read_bytes() == b"bytes"
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_write_private_tightens_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_private(target, "new")
    assert _mode(target) == 0o600


def test_failing_write_keeps_the_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.json"
    write_json(target, {"v": 1})

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(config.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_json(target, {"v": 2})
    monkeypatch.undo()
    assert read_json(target) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["file.json"]


def test_interrupted_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file"
    write_private(target, "old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(config.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_private(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_write_json_is_sorted_utf8(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_json(target, {"b": "导出", "a": 1})
    text = target.read_text(encoding="utf-8")
    assert "导出" in text
    assert list(json.loads(text)) == ["a", "b"]
    assert read_json(tmp_path / "missing.json") == {}


def test_sections(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    assert store.load_section("sessions") == {}
    store.save_section("sessions", {"/work": {"session_id": "5529798706024415232"}})
    assert store.load_section("sessions")["/work"]["session_id"] == "5529798706024415232"
    assert _mode(store.sessions_file) == 0o600
