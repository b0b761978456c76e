"""``nemo-skill credits`` on the embedded backend: no registration, an offline top-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemo_skill import cli
from nemo_skill.commands.credits import OFFLINE_TOP_UP


def test_the_embedded_backend_offers_an_offline_top_up_not_a_registration_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEMO_SKILL_HOME", str(tmp_path))
    assert cli.main(["--api-url", "local", "--json", "credits"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["bind_url"] is None and data["available"] > 0

    assert cli.main(["--api-url", "local", "credits"]) == 0
    text = capsys.readouterr().out
    assert OFFLINE_TOP_UP in text and "register" not in text.lower()

    # The top-up it names works: the same data folder gains the credits.
    before = data["available"]
    assert cli.main(["serve-local", "--add-credits", "500"]) == 0
    capsys.readouterr()
    assert cli.main(["--api-url", "local", "--json", "credits"]) == 0
    assert json.loads(capsys.readouterr().out)["available"] == before + 500
