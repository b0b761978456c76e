"""SIGKILL the embedded backend mid-render: after a restart the store is consistent."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("cv2")

from tests.e2e.support import make_image

HEADERS = {"X-Skill-Source": "t", "X-Skill-Version": "1", "X-Skill-Platform": "test"}


def serve(data: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nemo_skill.cli",
            "--json",
            "serve-local",
            "--port",
            "0",
            "--data-dir",
            str(data),
            "--credits",
            "1000",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())["url"]


def test_server_killed_mid_render_restarts_consistent(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc, url = serve(data)
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            token = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "crash"}).json()[
                "data"
            ]["token"]
            auth = {"Authorization": f"Bearer {token}", **HEADERS}
            sid = http.post("/api/tasks/me/with-session/nemo_agent", json={}, headers=auth).json()[
                "data"
            ]["session_id"]
            image = make_image(tmp_path / "p.jpg", (1280, 720))
            with image.open("rb") as fh:
                http.post(
                    f"/api/upload-video/nemo_agent/me/{sid}",
                    files={"files": ("p.jpg", fh, "image/jpeg")},
                    headers=auth,
                )
            with http.stream(
                "POST",
                "/run_sse",
                headers=auth,
                json={
                    "session_id": sid,
                    "new_message": {"parts": [{"text": "animate this, 60 seconds"}]},
                },
            ) as stream:
                stream.read()
            draft = http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=auth).json()["data"][
                "state"
            ]["draft"]
            before = http.get("/api/credits/balance/simple", headers=auth).json()["data"]
            http.post(
                "/api/render/proxy/lambda",
                headers=auth,
                json={"id": "render_crash", "sessionId": sid, "draft": draft},
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                job = http.get("/api/render/proxy/lambda/render_crash", headers=auth).json()["data"]
                if job["status"] == "processing" and job["progress"] > 2:
                    break
                time.sleep(0.05)
            assert job["status"] == "processing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert list((data / "renders").glob(".*.part.mp4")), "the kill should leave a half file"
        proc, url = serve(data)
        with httpx.Client(base_url=url, timeout=30) as http:
            job = http.get("/api/render/proxy/lambda/render_crash", headers=auth).json()["data"]
            after = http.get("/api/credits/balance/simple", headers=auth).json()["data"]
            state = http.get(f"/api/state/nemo_agent/me/{sid}/latest", headers=auth).json()["data"][
                "state"
            ]
        assert job["status"] == "failed" and "restart" in job["error"]
        assert after == before  # export is free; nothing frozen or lost
        assert state["draft"] == draft
        assert not list((data / "renders").glob(".*.part.mp4")) and not list(
            (data / "tmp").iterdir()
        )
    finally:
        proc.kill()
        proc.wait(timeout=10)
