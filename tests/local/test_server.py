"""Starting the embedded backend: loopback by default, the serve-local command, file modes."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_skill import cli
from nemo_skill.errors import UsageError
from nemo_skill.local import server as local_server
from nemo_skill.local.server import is_loopback, serve, start_background
from nemo_skill.portfile import LOCAL_DEMO_CREDITS


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.9.9.9", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.com", False)],
)  # fmt: skip
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_remote_bind_is_refused_before_anything_starts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with pytest.raises(UsageError, match="Refusing") as refused:
        serve("0.0.0.0", 0, data)
    assert "--allow-remote" in str(refused.value.hint)
    with pytest.raises(UsageError):
        start_background(data, host="192.168.1.5")
    assert not data.exists()


def test_background_server_serves_then_stops(tmp_path: Path) -> None:
    with start_background(tmp_path / "data") as running:
        assert running.url.startswith("http://127.0.0.1:")
        assert running.data_dir == tmp_path / "data"
        response = httpx.get(running.url + "/api/credits/balance/simple", timeout=10)
        assert (response.status_code, response.json()["code"]) == (401, 1001)
        db = running.data_dir / "nemo-local.sqlite3"
        for path in (db, db.with_name(db.name + "-wal")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    with pytest.raises(httpx.ConnectError):
        httpx.get(running.url + "/api/credits/balance/simple", timeout=2)


def test_serve_local_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def fake_serve(host: str, port: int, data_dir: Path, **kwargs: Any) -> None:
        seen.update(host=host, port=port, data_dir=data_dir, **kwargs)
        kwargs["on_ready"]("http://127.0.0.1:4321")

    monkeypatch.setattr(local_server, "serve", fake_serve)
    argv = ["serve-local", "--host", "0.0.0.0", "--allow-remote", "--port", "0"]
    assert cli.main([*argv, "--state-dir", str(tmp_path / "state")]) == 0
    out, err = capsys.readouterr()
    assert "export NEMO_API_URL=http://127.0.0.1:4321" in out
    assert "WARNING" in err
    assert seen["data_dir"] == tmp_path / "state" / "local"
    assert seen["allow_remote"] is True
    # the foreground service gives new users what the background one gives
    assert seen["config"].credits_new_user == LOCAL_DEMO_CREDITS

    assert cli.main(["serve-local", "--data-dir", str(tmp_path / "d"), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert seen["host"] == "127.0.0.1"
    assert seen["data_dir"] == tmp_path / "d"
    assert '"url": "http://127.0.0.1:4321"' in out


def test_wildcard_binds_print_a_reachable_url() -> None:
    assert local_server.url_host("0.0.0.0") == "127.0.0.1"
    assert local_server.url_host("::") == "[::1]"
    assert local_server.url_host("::1") == "[::1]"
    assert local_server.url_host("127.0.0.1") == "127.0.0.1"
