"""``nemo-skill serve-local`` in the foreground, as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nemo_skill.portfile import LOCAL_DEMO_CREDITS


def test_the_foreground_service_gives_new_users_what_the_background_one_gives(
    tmp_path: Path,
) -> None:
    """A first ``serve-local`` gave 100 credits (one generation), the auto-started one 1000."""
    env = {**os.environ, "HOME": str(tmp_path), "NEMO_SKILL_HOME": str(tmp_path / "state")}
    env.pop("NEMO_API_URL", None)
    cli = [sys.executable, "-m", "nemo_skill.cli"]
    data = str(tmp_path / "data")
    serving = subprocess.Popen(
        [*cli, "--json", "serve-local", "--port", "0", "--data-dir", data],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert serving.stdout is not None
        url = json.loads(serving.stdout.readline())["url"]
        done = subprocess.run(
            [*cli, "--json", "--api-url", url, "credits"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["available"] == LOCAL_DEMO_CREDITS
    finally:
        serving.terminate()
        serving.wait(timeout=30)
