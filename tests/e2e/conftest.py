"""Fixtures of the end-to-end suite (helpers live in support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.support import Cli, LocalServer, make_image, start


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[LocalServer]:
    server = start(tmp_path / "backend", silent_edit_fraction=0.0)
    yield server
    server.stop()


@pytest.fixture
def cli(backend: LocalServer, tmp_path: Path) -> Cli:
    work = tmp_path / "work"
    work.mkdir()
    return Cli(backend.url, tmp_path / "state", work)


@pytest.fixture
def photo(cli: Cli) -> Path:
    return make_image(cli.cwd / "photo.jpg")


@pytest.fixture(autouse=True)
def no_second_stage_wait(tmp_path: Path) -> None:
    """The embedded backend adds music and title inside the generation turn, so an export
    right after it has no second stage to wait for (that wait has its own tests:
    tests/test_second_stage.py, tests/faults/test_export_faults.py). Only this folder's
    tests: the command tests share the ``cli`` fixture but check the config file itself."""
    from nemo_skill.settings import set_value

    set_value(tmp_path / "state", "second_stage_s", "0")
