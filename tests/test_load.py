"""Bounded load on the embedded backend over loopback: fixed counts, ends by itself.

200 client flows (anonymous token with its own client id, session, state,
credits) run on a pool of 32 threads, 20 of them also uploading a small photo;
then 5 small renders go through the render queue. Every request must succeed
(retries are switched off, so none is hidden), no write may be lost, and the
queue never runs more renders than its configured workers. Latencies are
printed, never asserted.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("av")
pytest.importorskip("starlette")

from nemo_skill.client import NemoClient, RetryPolicy
from nemo_skill.local.edits import plan_from_prompt
from nemo_skill.local.server import LocalServer
from nemo_skill.models import RenderJob
from nemo_skill.settings import Settings
from tests.e2e.support import make_image, start

CLIENTS = 200
WORKERS = 32
UPLOADS = 20
RENDERS = 5
RENDER_WORKERS = 2
CREDITS = 100
NO_RETRY = RetryPolicy(max_retries=0)


@dataclass
class Flow:
    """What one client flow saw: its ids, its balance and the latency of each call."""

    user_id: str = ""
    session_id: str = ""
    available: float = -1
    uploaded_hash: str | None = None
    latencies: dict[str, float] = field(default_factory=dict)


def timed(flow: Flow, name: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    flow.latencies[name] = time.perf_counter() - start
    return result


def client_for(server: LocalServer, state_dir: Path, client_id: str) -> NemoClient:
    settings = Settings(api_url=server.url, client_id=client_id, state_dir=state_dir)
    return NemoClient(settings, retry=NO_RETRY)


def run_flow(server: LocalServer, root: Path, index: int, photo: Path | None) -> Flow:
    """Token → session → state → credits (→ upload) as one fresh client."""
    flow = Flow()
    with client_for(server, root / f"client-{index:03d}", f"load-{index:03d}") as client:
        timed(flow, "token", client.authenticate)
        flow.user_id = client.user_id or ""
        info = timed(flow, "session", client.create_session)
        flow.session_id = info.session_id
        state = timed(flow, "state", lambda: client.state(info.session_id))
        assert state.session_id == info.session_id and state.draft is None
        flow.available = timed(flow, "credits", client.credits).available
        if photo is not None:
            result = timed(flow, "upload", lambda: client.upload_files(info.session_id, [photo]))
            flow.uploaded_hash = result.files[0].hash
    return flow


def percentiles(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {cuts[49] * 1000:7.1f} ms  p99 {cuts[98] * 1000:7.1f} ms  n={len(values)}"


def report(lines: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    root = tmp_path_factory.mktemp("load")
    server = start(
        root / "backend",
        credits_new_user=CREDITS,
        render_workers=RENDER_WORKERS,
        default_long_side=160,
    )
    yield server
    server.stop()


def read_only(server: LocalServer) -> sqlite3.Connection:
    """The backend's database opened read-only: what is really stored, not what was answered."""
    path = server.data_dir / "nemo-local.sqlite3"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def distinct_photos(folder: Path, count: int) -> list[Path]:
    """Small PNGs that differ in content, so every upload stores its own blob."""
    from PIL import Image

    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"photo-{i:02d}.png"
        Image.new("RGB", (96, 64), (i * 12 % 256, 80, 200 - i * 9 % 200)).save(path)
        paths.append(path)
    return paths


def test_200_concurrent_clients_lose_no_write(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = distinct_photos(tmp_path / "photos", UPLOADS)
    uploads: dict[int, Path] = {i * (CLIENTS // UPLOADS): p for i, p in enumerate(photos)}
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [
            pool.submit(run_flow, server, tmp_path, i, uploads.get(i)) for i in range(CLIENTS)
        ]
        flows = [f.result() for f in futures]  # re-raises the first error of any flow
    wall = time.perf_counter() - started

    assert all(f.available == CREDITS for f in flows)
    users = {f.user_id for f in flows}
    sessions = {f.session_id for f in flows}
    assert len(users) == CLIENTS and len(sessions) == CLIENTS
    hashes = {f.uploaded_hash for f in flows if f.uploaded_hash}
    assert hashes == {hashlib.sha256(p.read_bytes()).hexdigest() for p in photos}

    with closing(read_only(server)) as db:
        marks = ",".join("?" * CLIENTS)
        rows = db.execute(
            f"SELECT user_id, available, frozen FROM users WHERE user_id IN ({marks})",  # noqa: S608
            sorted(users),
        ).fetchall()
        assert len(rows) == CLIENTS
        assert all(available == CREDITS and frozen == 0 for _, available, frozen in rows)
        owned = db.execute(
            f"SELECT session_id, user_id FROM sessions WHERE user_id IN ({marks})",  # noqa: S608
            sorted(users),
        ).fetchall()
        assert {(f.session_id, f.user_id) for f in flows} == set(owned)
        assert db.execute("SELECT COUNT(*) FROM clients").fetchone()[0] == CLIENTS
        stored = db.execute("SELECT sha256 FROM files").fetchall()
        assert sorted(h for (h,) in stored) == sorted(hashes)
    for sha in hashes:
        blob = server.data_dir / "files" / sha[:2] / sha
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha

    lines = [f"load: {CLIENTS} client flows on {WORKERS} threads, {UPLOADS} uploads, {wall:.2f} s"]
    for name in ("token", "session", "state", "credits", "upload"):
        lines.append(
            f"  {name:8} " + percentiles([f.latencies[name] for f in flows if name in f.latencies])
        )
    lines.append("  all      " + percentiles([v for f in flows for v in f.latencies.values()]))
    report(lines, capsys)


def one_second_draft(photo_url: str, size: tuple[int, int]) -> dict[str, Any]:
    """A 1 s draft for the uploaded photo, 160 px on its long side."""
    draft = plan_from_prompt("a 1 second clip", source=photo_url, image_size=size, long_side=160)
    assert [seg["d"] for track in draft["t"] for seg in track["sg"]] == [1000]
    return draft


def wait_all(client: NemoClient, ids: list[str], deadline_s: float) -> tuple[list[RenderJob], int]:
    """Poll every job until all are done; also the most seen ``processing`` in one sweep."""
    most = 0
    deadline = time.monotonic() + deadline_s
    while True:
        jobs = [client.render_status(i) for i in ids]
        most = max(most, sum(j.status == "processing" for j in jobs))
        if all(j.done for j in jobs) or time.monotonic() > deadline:
            return jobs, most
        time.sleep(0.05)  # a poll interval, not a wait for something to happen


def test_render_queue_runs_at_most_its_workers(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = make_image(tmp_path / "photo.jpg", size=(320, 240))
    with client_for(server, tmp_path / "renderer", "load-renderer") as client:
        session = client.create_session().session_id
        uploaded = client.upload_files(session, [photo]).files[0]
        draft = one_second_draft(str(uploaded.cdn_url), (320, 240))
        started = time.perf_counter()
        ids = [client.submit_render(session, draft, render_id=f"render_load_{k}").id for k in range(RENDERS)]  # fmt: skip
        jobs, most_seen = wait_all(client, ids, deadline_s=180)
        wall = time.perf_counter() - started
        assert [j.status for j in jobs] == ["completed"] * RENDERS, [j.error for j in jobs]
        for job in jobs:
            out = client.download_render(job, tmp_path / f"{job.id}.mp4")
            assert out.read_bytes()[4:8] == b"ftyp"
    queue = server._app.state.backend.queue  # the in-process pool's own gauge
    assert 1 <= queue.peak_running <= RENDER_WORKERS
    # Not asserted on ``most_seen``: a sweep is RENDERS sequential GETs, not a snapshot, so
    # a job that ends and the next that starts between two GETs are both seen "processing"
    # (it failed that way on a loaded machine). The pool's gauge above is exact; the sweep
    # is reported below.
    assert_one_second_clip(tmp_path / f"{ids[0]}.mp4")
    report(
        [
            f"render queue: {RENDERS} jobs (1 s, 160 px) on {RENDER_WORKERS} workers in {wall:.2f} s; "
            f"peak running {queue.peak_running}, most seen processing {most_seen}"
        ],
        capsys,
    )


def assert_one_second_clip(path: Path) -> None:
    import av

    with av.open(io.BytesIO(path.read_bytes())) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert max(stream.width, stream.height) == 160
        assert abs(frames / float(stream.average_rate or 30) - 1.0) < 0.1
