"""examples/: the scripts run as a user runs them, offline from the environment alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("cv2")

from tests.conftest import ROOT


@pytest.mark.slow
def test_animate_photo_runs_offline_through_skill_from_env(tmp_path: Path) -> None:
    import av

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env.update(NEMO_SKILL_HOME=str(tmp_path / "home"), NEMO_API_URL="local",
               NEMO_LOCAL_IDLE_S="60", PYTHONPATH=str(ROOT))  # fmt: skip
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "animate_photo.py"), str(out)],
        cwd=ROOT / "examples",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "open it in the web app: http://127.0.0.1:" in result.stdout
    for name in ("engine.mp4", "skill.mp4"):
        with av.open(str(out / name)) as container:
            assert container.streams.video[0].frames > 0 or container.duration
    with av.open(str(out / "skill.mp4")) as container:
        video = container.streams.video[0]
        assert video.codec_context.height > video.codec_context.width  # 9:16 was applied
        assert container.streams.audio  # the lo-fi music
