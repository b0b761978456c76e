"""Fixtures of the command tests: the e2e suite's backend on loopback and in-process CLI."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette")

from tests.e2e.conftest import backend, cli, photo

__all__ = ["backend", "cli", "photo"]
