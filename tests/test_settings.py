"""User settings: precedence, validation, and secrets that are never written."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest

from nemo_skill import settings as user
from nemo_skill.errors import UsageError
from nemo_skill.settings import (
    DEFAULT_API_URL,
    DEFAULT_WEB_URL,
    SecretRefusedError,
    Settings,
    default_state_dir,
)

SECRET = "nmv_usr_secret_value_1234"


def test_set_writes_a_private_file_and_get_reads_it_back(tmp_state_dir: Path) -> None:
    user.set_value(tmp_state_dir, "api_url", "https://api.example.com/")
    path = user.config_path(tmp_state_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_state_dir.stat().st_mode) == 0o700
    assert json.loads(path.read_text()) == {"api_url": "https://api.example.com"}
    values = user.resolve(tmp_state_dir, env={})
    assert values["api_url"].to_dict() == {
        "key": "api_url",
        "value": "https://api.example.com",
        "source": "config",
    }


def test_precedence_flag_then_env_then_config_then_default(tmp_state_dir: Path) -> None:
    assert user.resolve(tmp_state_dir, env={})["api_url"].source == "default"
    assert user.resolve(tmp_state_dir, env={})["api_url"].value == DEFAULT_API_URL
    user.set_value(tmp_state_dir, "api_url", "https://from-config.example")
    env = {"NEMO_API_URL": "https://from-env.example/"}
    assert user.resolve(tmp_state_dir, env={})["api_url"].value == "https://from-config.example"
    from_env = user.resolve(tmp_state_dir, env=env)["api_url"]
    assert (from_env.value, from_env.source) == ("https://from-env.example", "env NEMO_API_URL")
    flagged = user.resolve(tmp_state_dir, env=env, flags={"api_url": "https://flag.example"})
    assert (flagged["api_url"].value, flagged["api_url"].source) == ("https://flag.example", "flag")


def test_settings_from_env_use_the_file(tmp_state_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "videos"
    out.mkdir()
    user.set_value(tmp_state_dir, "output_dir", str(out))
    user.set_value(tmp_state_dir, "batch_jobs", "4")
    user.set_value(tmp_state_dir, "web_url", "https://web.example")
    s = Settings.from_env({}, state_dir=tmp_state_dir)
    assert (s.output_dir, s.batch_jobs, s.web_url, s.web_url_source) == (
        out.resolve(),
        4,
        "https://web.example",
        "config",
    )
    s = Settings.from_env({"NEMO_WEB_URL": "https://env-web.example"}, state_dir=tmp_state_dir)
    assert s.web_url == "https://env-web.example"


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:9000/", "http://localhost:9000"),
        ("http://[::1]:8765", "http://[::1]:8765"),
        ("https://mega-api-prod.nemovideo.ai", DEFAULT_WEB_URL),
        ("http://10.0.0.5:8765", DEFAULT_WEB_URL),
    ],
)
def test_the_web_url_of_a_loopback_backend_is_the_backend(
    tmp_state_dir: Path, api: str, web: str
) -> None:
    s = Settings.from_env({"NEMO_API_URL": api}, state_dir=tmp_state_dir)
    assert s.web_url == web
    assert s.web_url_source == ("derived" if web != DEFAULT_WEB_URL else "default")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("token", "whatever"),
        ("NEMO_TOKEN", "x"),
        ("api_key", "x"),
        ("password", "hunter2"),
        ("client-secret", "x"),
        ("web_url", "https://user:pw@web.example"),
        ("web_url", "https://web.example/?access_token=abc"),
        ("api_url", "https://api.example/?key=abc"),
        ("output_dir", "/tmp/nmv_usr_0123456789abcdef"),
        ("web_url", "https://web.example/Bearer abc"),
        ("output_dir", "/tmp/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk"),
        ("output_dir", "/tmp/sk-live_abcdefghijklmnop1234"),
        ("output_dir", "/tmp/ghp_abcdefghijklmnopqrstuvwxyz0123"),
        ("output_dir", "/tmp/AKIAABCDEFGHIJKLMNOP"),
        ("output_dir", "/tmp/Zx8Qm2Lp9Vt4Rw7Yk1Hn5Bc3Jd6Fg0Sa"),  # random-looking key shape
        ("web_url", "https://web.example/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9"),
    ],
)
def test_secrets_are_refused_and_never_written(tmp_state_dir: Path, key: str, value: str) -> None:
    user.set_value(tmp_state_dir, "batch_jobs", "2")
    before = user.config_path(tmp_state_dir).read_bytes()
    with pytest.raises(SecretRefusedError) as caught:
        user.set_value(tmp_state_dir, key, value)
    assert caught.value.code == "secret_refused"
    assert "nothing was written" in caught.value.message
    assert "NEMO_TOKEN" in (caught.value.hint or "")
    assert value not in caught.value.message + (caught.value.hint or "")
    assert user.config_path(tmp_state_dir).read_bytes() == before


def test_the_current_token_is_refused_whatever_its_shape(tmp_state_dir: Path) -> None:
    with pytest.raises(SecretRefusedError, match="NEMO_TOKEN"):
        user.set_value(tmp_state_dir, "web_url", "https://web.example/v4lue", token="/v4lue")
    assert not user.config_path(tmp_state_dir).exists()


@pytest.mark.parametrize(
    "folder_name",
    [
        "0b7c4e2a-9f3d-4c1e-8a6b-2d5f7e9c1a3b",
        "Holiday Videos 2026",
        "My_Holiday_Videos_2026_Final_Cut_Version",
    ],
)
def test_ordinary_folder_names_are_not_taken_for_secrets(
    tmp_state_dir: Path, tmp_path: Path, folder_name: str
) -> None:
    folder = tmp_path / folder_name
    folder.mkdir()
    assert user.set_value(tmp_state_dir, "output_dir", str(folder)) == str(folder.resolve())


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("api_url", "ftp://x", "http"),
        ("api_url", "not a url", "http"),
        ("web_url", "", "http"),
        ("batch_jobs", "0", "1 to 16"),
        ("batch_jobs", "many", "whole number"),
        ("batch_jobs", "17", "1 to 16"),
        ("output_dir", "/no/such/folder/here", "mkdir -p"),
    ],
)
def test_bad_values_are_refused_with_the_reason(
    tmp_state_dir: Path, key: str, value: str, words: str
) -> None:
    with pytest.raises(UsageError) as caught:
        user.set_value(tmp_state_dir, key, value)
    assert words in caught.value.message
    assert key in (caught.value.hint or "")
    assert not user.config_path(tmp_state_dir).exists()


def test_unknown_keys_name_the_known_ones(tmp_state_dir: Path) -> None:
    with pytest.raises(UsageError) as caught:
        user.set_value(tmp_state_dir, "colour", "blue")
    assert "colour" in caught.value.message
    assert "output_dir" in (caught.value.hint or "")
    assert user.check_key("Output-Dir").name == "output_dir"


def test_unset_removes_only_that_key(tmp_state_dir: Path) -> None:
    user.set_value(tmp_state_dir, "batch_jobs", "3")
    user.set_value(tmp_state_dir, "api_url", "local")
    assert user.unset_value(tmp_state_dir, "batch_jobs") is True
    assert user.unset_value(tmp_state_dir, "batch_jobs") is False
    assert json.loads(user.config_path(tmp_state_dir).read_text()) == {"api_url": "local"}


def test_hand_edited_secrets_and_junk_are_ignored_not_used(tmp_state_dir: Path) -> None:
    tmp_state_dir.mkdir()
    user.config_path(tmp_state_dir).write_text(
        json.dumps(
            {
                "token": "nmv_usr_secret",
                "api_url": "https://api.example/?token=nmv_usr_secret",
                "batch_jobs": "lots",
                "colour": "blue",
                "web_url": "https://web.example",
            }
        )
    )
    assert user.load(tmp_state_dir) == {"web_url": "https://web.example"}
    assert user.ignored(tmp_state_dir) == ["api_url", "batch_jobs", "colour", "token"]
    s = Settings.from_env({}, state_dir=tmp_state_dir)
    assert s.api_url == DEFAULT_API_URL and s.batch_jobs is None


def test_a_corrupt_file_reads_as_empty_and_is_repaired_by_set(tmp_state_dir: Path) -> None:
    tmp_state_dir.mkdir()
    user.config_path(tmp_state_dir).write_text("{not json")
    assert user.load(tmp_state_dir) == {}
    user.set_value(tmp_state_dir, "batch_jobs", "2")
    assert json.loads(user.config_path(tmp_state_dir).read_text()) == {"batch_jobs": "2"}


def test_parallel_sets_lose_nothing(tmp_state_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    writes = [
        ("api_url", "https://a.example"),
        ("web_url", "https://w.example"),
        ("output_dir", str(folder)),
        ("batch_jobs", "5"),
    ] * 5
    threads = [threading.Thread(target=user.set_value, args=(tmp_state_dir, *w)) for w in writes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert set(json.loads(user.config_path(tmp_state_dir).read_text())) == {
        "api_url",
        "web_url",
        "output_dir",
        "batch_jobs",
    }


# --- Settings from the environment -------------------------------------------------------------------


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
