"""The whole flow through the package's own NemoClient, ending in a decoded MP4."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nemo_skill.client import NemoClient
from nemo_skill.events import (
    HeartbeatEvent,
    StateDeltaEvent,
    TextEvent,
    ToolCallEvent,
    ToolResponseEvent,
)
from nemo_skill.local.server import LocalServer
from nemo_skill.models import RenderJob
from nemo_skill.settings import Settings
from tests.local.conftest import jpeg_bytes

av = pytest.importorskip("av")


def wait_done(client: NemoClient, job: RenderJob) -> RenderJob:
    for _ in range(400):  # bounded: 400 × 50 ms
        job = client.render_status(job.id)
        if job.status in ("completed", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"render {job.id} stuck at {job.status}")


def test_token_session_upload_turn_state_export_download(
    server: LocalServer, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes((320, 180)))
    settings = Settings(api_url=server.url, state_dir=tmp_path / "state")
    with NemoClient(settings) as client:
        client.authenticate()
        assert client.credits().available == 100
        session = client.create_session()
        uploaded = client.upload_files(session.session_id, [photo])
        assert [(f.width, f.height) for f in uploaded.files] == [(320, 180)]

        text = "turn this image into a 2-second animated video clip"
        got = list(client.run_sse(session.session_id, text))
        kinds = {type(e) for e in got}
        assert {TextEvent, ToolCallEvent, ToolResponseEvent, StateDeltaEvent} <= kinds
        assert HeartbeatEvent in kinds
        calls = [e.name for e in got if isinstance(e, ToolCallEvent)]
        assert calls[0] == "generate_video"
        replies = " ".join(e.text for e in got if isinstance(e, TextEvent))
        assert "click Export" in replies
        deltas = [e.delta["draft"] for e in got if isinstance(e, StateDeltaEvent)]

        draft = client.state(session.session_id).draft
        assert draft is not None
        wire = draft.model_dump(mode="json", exclude_none=True)
        assert wire["t"] == deltas[-1]["t"]
        # The draft names the file with no host and no port; the upload gave its URL.
        src = wire["t"][0]["sg"][0]["src"]
        assert src.startswith("/files/") and uploaded.files[0].cdn_url == server.url + src
        assert client.credits().available == 0  # one generation: 100

        job = client.submit_render(session.session_id, deltas[-1], render_id="render_flow")
        done = wait_done(client, job)
        assert done.status == "completed", done.error
        assert client.credits().available == 0  # export is free
        out = client.download_render(done, tmp_path / "out.mp4")

    private = [p for p in server.data_dir.rglob("*") if p.is_file() and p.stat().st_mode & 0o077]
    assert private == []  # database, blobs and renders are owner-only
    meta = deltas[-1]["m"]
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (
            meta["width"],
            meta["height"],
        )
        frames = sum(1 for _ in container.decode(stream))
    assert frames == pytest.approx(2 * meta["fps"], abs=1)
    assert out.stat().st_size > 1000
