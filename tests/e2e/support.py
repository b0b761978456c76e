"""End-to-end support: the embedded backend on loopback and the CLI run in-process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cv2")
pytest.importorskip("starlette")

from nemo_skill.cli import main
from nemo_skill.local.app import LocalConfig
from nemo_skill.local.server import LocalServer, start_background

# Small clips keep the suite fast; the 1080p work lives in bench/.
TEST_CONFIG: dict[str, Any] = {
    "default_long_side": 320,
    "heartbeat_interval_s": 0.05,
    "credits_new_user": 10_000,
}


@dataclass
class CliResult:
    """What one CLI command printed and returned."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def make_image(path: Path, size: tuple[int, int] = (640, 480), seed: int = 1) -> Path:
    """A small textured JPEG/PNG made with Pillow (no binaries in the repo)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, (30 + seed * 40 % 200, 90, 160))
    draw = ImageDraw.Draw(img)
    w, h = size
    for i in range(0, w, 24):
        draw.line([(i, 0), (w - i, h)], fill=((i * 7) % 255, (i * 3) % 255, 200), width=3)
    draw.ellipse([w // 3, h // 4, w // 3 + h // 2, h // 4 + h // 2], fill=(250, 200, 60))
    img.save(path)
    return path


class Cli:
    """Runs ``nemo-skill`` in this process against one backend and state dir."""

    def __init__(self, url: str, state_dir: Path, cwd: Path) -> None:
        self.url = url
        self.state_dir = state_dir
        self.cwd = cwd

    def base_args(self) -> list[str]:
        return ["--api-url", self.url, "--state-dir", str(self.state_dir)]

    def __call__(self, *args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code = main([*self.base_args(), *args])
        finally:
            os.chdir(old)
        return CliResult(code, out.getvalue(), err.getvalue())

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        """The CLI as a real subprocess (for kill tests)."""
        return subprocess.Popen(
            [sys.executable, "-m", "nemo_skill.cli", *self.base_args(), *args],
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def start(data_dir: Path, **overrides: Any) -> LocalServer:
    """The embedded backend on a free loopback port with test-sized defaults."""
    return start_background(data_dir, config=LocalConfig(**{**TEST_CONFIG, **overrides}))


@contextmanager
def project(tmp_path: Path, **overrides: Any) -> Iterator[Cli]:
    """A backend with ``overrides`` and a CLI in a fresh work folder; stopped afterwards."""
    server = start(tmp_path / "backend", **overrides)
    try:
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        yield Cli(server.url, tmp_path / "state", work)
    finally:
        server.stop()
