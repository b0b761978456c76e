"""Fixtures of the command tests: the embedded backend on loopback and the CLI in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")

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
