"""The render queue: jobs run on a bounded pool, end in one clear state, outputs owner-only."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("av")

import av

from nemo_skill.errors import UnsupportedFileError
from nemo_skill.local.edits import plan_from_prompt
from nemo_skill.local.jobs import LocalRenderQueue, Resolver, _safe
from nemo_skill.local.store import Job, Store, StoredFile
from tests.fulldisk import fill, small_disk
from tests.local.conftest import jpeg_bytes


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "data")
    yield db
    db.close()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes((320, 180)))
    return path


def _draft(seconds: int = 1) -> dict[str, object]:
    text = f"a {seconds} second clip"
    return plan_from_prompt(text, source="src://photo", image_size=(320, 180), long_side=160)


def _wait(store: Store, job_id: str, until: tuple[str, ...] = ("completed", "failed")) -> Job:
    for _ in range(600):  # bounded: 600 x 50 ms
        job = store.job(job_id)
        assert job is not None
        if job.status in until:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {until}")


def _run_one(store: Store, resolve: Resolver, job_id: str) -> Job:
    """Queue one 1 s job on its own pool and wait for its end."""
    queue = LocalRenderQueue(store, resolve, workers=1)
    try:
        store.create_job(job_id, "u1", "s1", _draft())
        queue.submit(job_id)
        return _wait(store, job_id)
    finally:
        queue.shutdown()


def test_a_job_renders_a_decodable_owner_only_mp4(store: Store, photo: Path) -> None:
    seen: list[tuple[str, str]] = []

    def resolve(user_id: str, src: str) -> Path:
        seen.append((user_id, src))
        return photo

    job = _run_one(store, resolve, "r1")
    assert (job.status, job.progress, job.error) == ("completed", 100, None)
    assert seen == [("u1", "src://photo")]
    assert job.output is not None
    output = Path(job.output)
    assert output.parent == store.dir / "renders"
    assert output.stat().st_mode & 0o777 == 0o600
    with av.open(str(output)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames >= 25


def test_a_source_that_cannot_be_resolved_fails_the_job_with_its_message(store: Store) -> None:
    def resolve(user_id: str, src: str) -> Path:
        raise UnsupportedFileError(f"The draft refers to a file that is not uploaded: {src}")

    job = _run_one(store, resolve, "r2")
    assert job.status == "failed"
    assert job.error == "The draft refers to a file that is not uploaded: src://photo"
    assert not list((store.dir / "renders").glob("*.mp4"))


def test_a_bug_in_a_job_fails_it_without_killing_the_worker(store: Store, photo: Path) -> None:
    calls = []

    def resolve(user_id: str, src: str) -> Path:
        calls.append(src)
        if len(calls) == 1:
            raise KeyError("boom")
        return photo

    queue = LocalRenderQueue(store, resolve, workers=1)
    try:
        for job_id in ("bad", "good"):
            store.create_job(job_id, "u1", "s1", _draft())
            queue.submit(job_id)
        bad, good = _wait(store, "bad"), _wait(store, "good")
    finally:
        queue.shutdown()
    assert (bad.status, bad.error) == ("failed", "render failed (KeyError)")
    assert good.status == "completed"


def test_cancel_stops_a_running_job_and_unknown_ids_say_no(store: Store, photo: Path) -> None:
    queue = LocalRenderQueue(store, lambda u, s: photo, workers=1)
    try:
        assert queue.cancel("never-submitted") is False
        store.create_job("long", "u1", "s1", _draft(seconds=20))
        queue.submit("long")
        _wait(store, "long", until=("processing",))
        assert queue.cancel("long") is True
        job = _wait(store, "long", until=("cancelled", "completed", "failed"))
    finally:
        queue.shutdown()
    assert job.status == "cancelled"
    assert queue.cancel("long") is False  # finished: nothing left to stop


def test_a_job_no_longer_pending_is_not_rendered_again(store: Store, photo: Path) -> None:
    queue = LocalRenderQueue(store, lambda u, s: photo, workers=1)
    try:
        store.create_job("done", "u1", "s1", _draft())
        store.update_job("done", status="cancelled")
        queue.submit("done")
        queue.shutdown()  # waits for the worker
    finally:
        queue.shutdown()
    job = store.job("done")
    assert job is not None and job.status == "cancelled"
    assert not list((store.dir / "renders").glob("*.mp4"))


def test_workers_are_bounded(store: Store, photo: Path) -> None:
    queue = LocalRenderQueue(store, lambda u, s: photo, workers=2)
    try:
        for i in range(4):
            store.create_job(f"b{i}", "u1", "s1", _draft())
            queue.submit(f"b{i}")
        jobs = [_wait(store, f"b{i}") for i in range(4)]
    finally:
        queue.shutdown()
    assert [j.status for j in jobs] == ["completed"] * 4
    assert 1 <= queue.peak_running <= 2


@pytest.mark.parametrize("job_id", ["../../etc/passwd", "a/b", "", "ü" * 200, "ok-id_1"])
def test_output_names_never_follow_the_client_id(job_id: str) -> None:
    name = _safe(job_id)
    assert "/" not in name and ".." not in name
    assert len(name) <= 91
    assert name != _safe(job_id + "x")  # the hash keeps distinct ids apart


def test_a_render_on_a_full_disk_fails_saying_so_and_naming_the_folder(
    store: Store, photo: Path
) -> None:
    """A real ENOSPC while the encoder writes (the renders folder is a full tmpfs; root only)."""
    renders = store.dir / "renders"
    with small_disk(renders, size="1m"):
        filler = fill(renders)
        job = _run_one(store, lambda user, src: photo, "full")
        assert job.status == "failed"
        assert job.error == f"Disk full: no space left in {renders} to write the video."
        assert [p.name for p in renders.iterdir()] == ["filler"]  # no partial MP4 left
        filler.unlink()
        again = _run_one(store, lambda user, src: photo, "after")  # space again: it renders
        assert again.status == "completed" and again.output is not None
        with av.open(again.output) as clip:
            assert clip.streams.video[0].frames > 0


def test_a_damaged_stored_photo_fails_the_render_naming_the_users_file(
    store: Store, tmp_path: Path
) -> None:
    """A photo stored before uploads were decoded in full: the error names it as uploaded."""
    data = jpeg_bytes((320, 180))
    damaged = data[: len(data) // 2]
    sha = hashlib.sha256(damaged).hexdigest()
    store.add_file(StoredFile("s1", "u1", sha, "beach.jpg", "image", len(damaged), 320, 180))
    link = tmp_path / f"{sha}.jpg"  # what the resolver hands the engine
    link.write_bytes(damaged)
    job = _run_one(store, lambda user, src: link, "damaged")
    assert job.status == "failed" and job.error is not None
    assert "beach.jpg" in job.error and sha not in job.error, job.error
