"""Fixtures shared by the whole suite: an isolated environment and a private state dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Variables that would route a test to a real backend, a real account or the user's state.
ISOLATED_PREFIXES = ("NEMO_",)
ISOLATED_NAMES = frozenset({"SKILL_SOURCE"})


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No ``NEMO_*``/``SKILL_SOURCE`` from the caller's shell; state in a fresh tmp dir.

    Returns the ``NEMO_SKILL_HOME`` directory (created, owner-only).
    """
    for name in list(os.environ):
        if name.startswith(ISOLATED_PREFIXES) or name in ISOLATED_NAMES:
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("nemo-home")
    home.chmod(0o700)
    monkeypatch.setenv("NEMO_SKILL_HOME", str(home))
    return home


@pytest.fixture
def tmp_state_dir(tmp_path: Path) -> Path:
    """A fresh state directory (not yet created) for a ``Settings``/``StateStore``."""
    return tmp_path / "state"
