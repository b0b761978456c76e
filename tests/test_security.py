"""Secrets stay secret: the token appears nowhere but its 0600 cache file."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

pytest.importorskip("starlette")

from tests.e2e.support import make_image, project

ROOT = Path(__file__).resolve().parents[1]


def test_token_never_leaks_through_a_whole_session(tmp_path: Path) -> None:
    with project(tmp_path, silent_edit_fraction=0.5) as cli:
        work = cli.cwd
        photo = make_image(work / "photo.jpg")
        outputs = []
        for args in (
            ("auth",),
            ("--json", "auth"),
            ("chat", "turn this image into a 1-second animated video clip", "-f", str(photo)),
            ("--json", "chat", "add lo-fi music"),
            ("state",),
            ("--json", "credits"),
            ("upload", str(work / "missing.jpg")),
            ("--json", "export", "-o", str(work / "clip.mp4")),
            ("export", "--resume"),
        ):
            result = cli(*args)
            outputs += [result.out, result.err]
        token_file = tmp_path / "state" / "token.json"
        token = next(iter(json.loads(token_file.read_text()).values()))["token"]
        assert token.startswith("nmv_usr_")
        for text in outputs:
            assert token not in text
        for path in (tmp_path / "state").rglob("*"):
            if path.is_file() and path != token_file:
                assert token.encode() not in path.read_bytes(), path
        for path in (tmp_path / "backend").rglob("*"):
            if path.is_file():
                assert token.encode() not in path.read_bytes(), path  # stored hashed
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
        for path in (tmp_path / "state").glob("*.json"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_no_tls_bypass_and_no_token_literals_in_the_package() -> None:
    for path in (ROOT / "nemo_skill").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"verify\s*=\s*False", text), path
        assert not re.search(r"nmv_usr_[A-Za-z0-9_-]{12,}", text), path
        assert "eval(" not in text and "exec(" not in text, path


def test_client_repr_and_settings_repr_hide_the_token(tmp_path: Path) -> None:
    from nemo_skill.client import NemoClient
    from nemo_skill.settings import Settings

    settings = Settings(
        api_url="https://api.invalid", token="nmv_usr_secretsecretsecret", state_dir=tmp_path
    )
    assert "secret" not in repr(settings)
    with NemoClient(settings) as client:
        assert "secret" not in repr(client)
