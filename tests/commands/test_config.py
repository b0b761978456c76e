"""``nemo-skill config``: get/set/unset/list through the CLI; secrets never reach the file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.e2e.support import Cli, make_image


def test_list_shows_each_value_and_where_it_comes_from(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = {r["key"]: r for r in cli("--json", "config", "list").json()["settings"]}
    assert rows["api_url"]["source"] == "flag"  # the test CLI passes --api-url
    assert rows["web_url"] == {
        "key": "web_url",
        "value": cli.url,
        "source": "derived",
        "help": rows["web_url"]["help"],
    }
    assert rows["output_dir"]["value"] is None and rows["output_dir"]["source"] == "default"

    monkeypatch.setenv("NEMO_WEB_URL", "https://env.example")
    assert cli("config", "set", "web_url", "https://file.example").code == 0
    text = cli("config", "list").out
    assert "web_url = https://env.example  [env NEMO_WEB_URL]" in text
    monkeypatch.delenv("NEMO_WEB_URL")
    assert "web_url = https://file.example  [config]" in cli("config", "list").out


def test_set_get_unset_round_trip(cli: Cli) -> None:
    folder = cli.cwd / "videos"
    folder.mkdir()
    result = cli("--json", "config", "set", "output_dir", "videos")
    assert result.code == 0, result.err
    assert result.json()["value"] == str(folder.resolve())
    path = cli.state_dir / "config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli("config", "get", "output_dir").out.strip() == str(folder.resolve())
    assert cli("--json", "config", "get", "output-dir").json()["source"] == "config"
    assert cli("config", "unset", "output_dir").out.startswith("Removed output_dir")
    assert "was not set" in cli("config", "unset", "output_dir").out
    assert cli("config", "get", "output_dir").out.startswith("(not set")


def test_set_says_when_the_environment_wins(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_WEB_URL", "https://env.example")
    out = cli("config", "set", "web_url", "https://file.example").out
    assert "NEMO_WEB_URL in the environment wins" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("set", "token", "nmv_usr_abcdef123456"), "looks like a secret"),
        (("set", "api_url", "https://api.example/?token=nmv_usr_abcdef123456"), "secret"),
        (("set", "web_url", "https://me:nmv_usr_abcdef123456@web.example"), "secret"),
        (("set", "web_url", "https://me:hunter2@web.example"), "password"),
    ],
)
def test_secrets_are_refused_and_never_printed_or_written(
    cli: Cli, args: tuple[str, ...], words: str
) -> None:
    assert cli("config", "set", "batch_jobs", "2").code == 0
    before = (cli.state_dir / "config.json").read_bytes()
    result = cli("--json", "config", *args)
    assert result.code == 2
    error = result.json()["error"]
    assert error["code"] == "secret_refused" and words in error["message"]
    assert "nmv_usr_abcdef123456" not in result.out + result.err
    assert (cli.state_dir / "config.json").read_bytes() == before
    for stored in cli.state_dir.iterdir():
        if stored.is_file():
            assert b"nmv_usr_abcdef123456" not in stored.read_bytes()


def test_the_nemo_token_itself_is_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_TOKEN", "plain-looking-value")
    result = cli("config", "set", "web_url", "https://web.example/plain-looking-value")
    assert result.code == 2 and "NEMO_TOKEN" in result.err
    assert "plain-looking-value" not in result.out + result.err
    assert not (cli.state_dir / "config.json").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("set", "colour", "blue"), "Unknown setting"),
        (("set", "batch_jobs", "0"), "1 to 16"),
        (("set", "output_dir", "/no/such/dir"), "not an existing folder"),
        (("get", "nope"), "Unknown setting"),
        (("frobnicate",), "invalid choice"),
        ((), "required"),
    ],
)
def test_bad_input_is_a_clear_usage_error(cli: Cli, args: tuple[str, ...], words: str) -> None:
    result = cli("config", *args)
    assert result.code == 2
    assert words in result.err
    assert not (cli.state_dir / "config.json").exists()


def test_flag_beats_env_beats_config(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = Cli("unused", cli.state_dir, cli.cwd)
    plain.base_args = lambda: ["--state-dir", str(cli.state_dir)]  # type: ignore[method-assign]
    assert plain("config", "set", "api_url", "https://file.example").code == 0
    assert plain("config", "get", "api_url").out.strip() == "https://file.example"
    monkeypatch.setenv("NEMO_API_URL", "https://env.example")
    assert plain("--json", "config", "get", "api_url").json() == {
        "key": "api_url",
        "value": "https://env.example",
        "source": "env NEMO_API_URL",
    }
    flagged = plain("--api-url", "https://flag.example", "--json", "config", "get", "api_url")
    assert flagged.json()["source"] == "flag"


def test_an_export_without_o_goes_to_the_configured_folder(cli: Cli) -> None:
    folder = cli.cwd / "exports"
    folder.mkdir()
    assert cli("config", "set", "output_dir", str(folder)).code == 0
    photo = make_image(cli.cwd / "photo.jpg")
    assert (
        cli("chat", "turn this image into a 1-second animated video clip", "-f", str(photo)).code
        == 0
    )
    result = cli("--json", "export")
    assert result.code == 0, result.err
    path = Path(result.json()["path"])
    assert path.parent == folder and path.is_file()
    assert json.loads(result.out)["claim_url"].startswith(cli.url + "/workspace/claim?ct=")
    text = cli("export", "--force")
    assert f"Open the project in the web app: {cli.url}/workspace/claim?ct=" in text.out


def test_batch_jobs_and_output_dir_are_generate_defaults_and_flags_win(cli: Cli) -> None:
    folder = cli.cwd / "clips"
    folder.mkdir()
    photo = make_image(cli.cwd / "photo.jpg")
    assert cli("config", "set", "batch_jobs", "2").code == 0
    assert cli("config", "set", "output_dir", str(folder)).code == 0
    prompt = "turn this image into a 1-second animated video clip"
    configured = cli("--json", "generate", prompt, "-f", str(photo))
    assert configured.code == 0, configured.err
    data = configured.json()
    assert data["jobs"] == 2
    (item,) = data["results"]
    assert Path(item["path"]).parent == folder
    assert item["claim_url"].startswith(cli.url + "/workspace/claim?ct=")
    other = cli.cwd / "other"
    other.mkdir()
    flagged = cli("--json", "generate", prompt, "-f", str(photo), "--jobs", "1", "-o", str(other))
    assert flagged.code == 0, flagged.err
    assert flagged.json()["jobs"] == 1
    assert Path(flagged.json()["results"][0]["path"]).parent == other


def test_a_configured_output_folder_that_vanished_is_a_clear_error(cli: Cli) -> None:
    folder = cli.cwd / "gone"
    folder.mkdir()
    assert cli("config", "set", "output_dir", str(folder)).code == 0
    folder.rmdir()
    photo = make_image(cli.cwd / "photo.jpg")
    assert (
        cli("chat", "turn this image into a 1-second animated video clip", "-f", str(photo)).code
        == 0
    )
    result = cli("--json", "export")
    assert result.code == 2
    error = result.json()["error"]
    assert "output_dir" in error["message"] and str(folder) in error["message"]
    assert "unset" in error["hint"]
    assert not list(cli.cwd.rglob("*.mp4"))  # nothing rendered or written elsewhere
    assert cli("--json", "export", "-o", str(cli.cwd / "here.mp4")).code == 0  # -o still works
