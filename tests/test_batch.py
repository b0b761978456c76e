"""Batches over the real embedded backend on loopback: concurrency, one backoff, resume.

The backend runs behind :class:`Spy`, an ASGI wrapper that counts, per
session, the turns (``POST /run_sse``) and render submissions it received,
how many turns were in flight at once, and when each request arrived. It
finishes every request even when the client is gone (like the real service,
whose agent keeps working after a disconnect), can hold requests (to kill a
batch while every worker is inside a call) and can answer a request with a
fault. Nothing here asserts a duration; the one time comparison is a lower
bound (a paused worker did not knock before the advised Retry-After).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import stat
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("av")

from nemo_skill import batch
from nemo_skill.batch import ProgressFile, run_batch
from nemo_skill.batch.progress import exclusive
from nemo_skill.cli import STEPS
from nemo_skill.client import NemoClient
from nemo_skill.conversation import TurnTimings
from nemo_skill.errors import UsageError, word_error
from nemo_skill.local.app import LocalConfig, close_app, create_app
from nemo_skill.local.server import _uvicorn_server
from nemo_skill.settings import Settings
from tests.e2e.support import Cli, make_image
from tests.faults.faultapp import detached, read_body, replay

PROMPT = "turn this image into a 1-second animated video clip"
CONFIG: dict[str, Any] = {
    "default_long_side": 320,
    "heartbeat_interval_s": 0.05,
    "credits_new_user": 10_000,
    "silent_edit_fraction": 0.0,
    "render_workers": 2,
}
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Hook = Callable[[str, int], Awaitable[tuple[int, dict[str, str], dict[str, Any]] | None]]
BUFFERED = ("POST /run_sse", "POST /api/render/proxy/lambda")


class Spy:
    """ASGI wrapper: per-session counts, turns in flight, holds, faults (test-only)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.arrivals: list[tuple[float, str]] = []  # (monotonic time, "METHOD /path")
        self.turns: Counter[str] = Counter()  # session id -> turns received
        self.renders: Counter[str] = Counter()  # session id -> render submissions received
        self.requests: Counter[str] = Counter()
        self.sse_now = self.sse_max = 0
        self.gate = 0  # each turn waits until this many are in flight (bounded)
        self.hold = False  # new requests wait at the door while set
        self.inside = 0  # requests being held or served
        self.hook: Hook | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = f"{scope['method']} {scope['path']}"
        self.requests[key] += 1
        self.arrivals.append((time.monotonic(), key))
        self.inside += 1
        try:
            inner_receive = receive
            if key in BUFFERED:
                body = await read_body(receive)
                inner_receive = replay(body)
                data = json.loads(body or b"{}")
                if key == "POST /run_sse":
                    self.turns[str(data.get("session_id"))] += 1
                else:
                    self.renders[str(data.get("sessionId"))] += 1
            while self.hold:
                await asyncio.sleep(0.01)
            if self.hook is not None:
                answer = await self.hook(key, self.requests[key])
                if answer is not None:
                    await _answer(send, *answer)
                    return
            if key == "POST /run_sse":
                await self._turn(scope, inner_receive, send)
            else:
                await detached(self.app, scope, inner_receive, send)
        finally:
            self.inside -= 1

    async def _turn(self, scope: Scope, receive: Any, send: Any) -> None:
        self.sse_now += 1
        self.sse_max = max(self.sse_max, self.sse_now)
        try:
            deadline = time.monotonic() + 30
            while self.sse_now < self.gate and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            await detached(self.app, scope, receive, send)
        finally:
            self.sse_now -= 1


async def _answer(send: Any, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    head += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": raw, "more_body": False})


def serve(app: Any, port: int = 0) -> tuple[Any, threading.Thread, int]:
    """``app`` on 127.0.0.1 in a daemon thread: (uvicorn server, thread, port)."""
    server = _uvicorn_server(app, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "backend did not start"
        time.sleep(0.01)
    return server, thread, server.servers[0].sockets[0].getsockname()[1]


class Backend:
    """The embedded backend behind a :class:`Spy` on a loopback port (restartable)."""

    def __init__(self, data_dir: Path, **overrides: Any) -> None:
        self.data_dir = data_dir
        self.port = 0
        self.start(**overrides)

    def start(self, **overrides: Any) -> None:
        self.app = create_app(self.data_dir, config=LocalConfig(**{**CONFIG, **overrides}))
        self.spy = Spy(self.app)
        self.server, self.thread, self.port = serve(self.spy, self.port)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        close_app(self.app)

    def restart(self, **overrides: Any) -> None:
        """Same data and port (so the CLI's token and manifest keys still apply)."""
        self.stop()
        self.start(**overrides)


@pytest.fixture
def make_backend(tmp_path: Path) -> Iterator[Callable[..., Backend]]:
    made: list[Backend] = []

    def make(**overrides: Any) -> Backend:
        backend = Backend(tmp_path / f"backend{len(made)}", **overrides)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.stop()


def cli_for(backend: Backend, tmp_path: Path) -> Cli:
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True, exist_ok=True)
    no_settle_wait(tmp_path / "state")
    return Cli(backend.url, tmp_path / "state", work)


def no_settle_wait(state_dir: Path) -> None:
    """These backends finish music and title inside the turn: no second-stage settle wait.

    (The wait itself is tested in tests/test_second_stage.py.)
    """
    from nemo_skill.settings import set_value

    set_value(state_dir, "second_stage_s", "0")


def images(folder: Path, *names: str) -> list[str]:
    paths = []
    for seed, name in enumerate(names, start=1):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        paths.append(str(make_image(path, size=(320, 180), seed=seed)))
    return paths


def generate(cli: Cli, files: list[str], *extra: str) -> Any:
    args = [a for f in files for a in ("-f", f)]
    return cli("--json", "generate", PROMPT, *args, "-o", "out", *extra)


def frames(path: str | Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(container.streams.video[0]))


def manifest_items(folder: Path) -> list[dict[str, Any]]:
    data = json.loads((folder / batch.PROGRESS_NAME).read_text())
    return list(data["items"].values())


# --- concurrency, duplicates, the JSON document ------------------------------------------------


def test_jobs_run_items_at_once_each_in_its_own_session_with_distinct_outputs(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend()
    backend.spy.gate = 3  # every turn waits (bounded) until three are in flight
    cli = cli_for(backend, tmp_path)
    files = images(cli.cwd, "a/photo.jpg", "b/photo.jpg", "beach.png")
    result = generate(cli, files, "--jobs", "3")
    assert result.code == 0, result.err
    assert backend.spy.sse_max == 3  # measured by the backend: three turns in flight at once
    doc = result.json()
    items = doc["results"]
    assert [i["input"] for i in items] == files  # input order, whatever finished first
    assert [Path(i["path"]).name for i in items] == ["photo.mp4", "photo-2.mp4", "beach.mp4"]
    for item in items:
        assert set(item) >= {"input", "output", "job_id", "error", "seconds", "state"}
        assert item["state"] == "done" and item["error"] is None and item["seconds"] > 0
        assert re.fullmatch(r"render_\d{13}_[0-9a-f]{16}", item["job_id"])
        assert frames(item["path"]) > 0
    sessions = {i["session_id"] for i in items}
    assert len(sessions) == 3  # each item in its own session, one turn and one render each
    assert {backend.spy.turns[s] for s in sessions} == {1}
    assert {backend.spy.renders[s] for s in sessions} == {1}
    assert doc["counts"] == {"done": 3} and doc["jobs"] == 3
    # One line per item state change, naming the item; same-named inputs shown by their path.
    lines = result.err.splitlines()
    assert "[1/3] a/photo.jpg uploading" in lines and "[3/3] beach.png uploading" in lines
    assert any(re.fullmatch(r"\[2/3\] b/photo\.jpg rendering \d+%", line) for line in lines)
    assert any(line.startswith("[3/3] beach.png done: ") for line in lines)


def test_jobs_1_is_one_item_at_a_time(make_backend: Callable[..., Backend], tmp_path: Path) -> None:
    backend = make_backend()
    cli = cli_for(backend, tmp_path)
    result = generate(cli, images(cli.cwd, "one.jpg", "two.jpg"), "--jobs", "1")
    assert result.code == 0, result.err
    assert backend.spy.sse_max == 1
    assert [Path(i["path"]).name for i in result.json()["results"]] == ["one.mp4", "two.mp4"]


def test_bad_jobs_value_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    cli = Cli("http://127.0.0.1:9", tmp_path / "state", tmp_path)
    (tmp_path / "out").mkdir()
    result = generate(cli, images(tmp_path, "x.jpg"), "--jobs", "0")
    assert result.code == 2
    error = result.json()["error"]
    assert "`--jobs` must be between 1 and 16" in error["message"]
    assert "`--jobs` with 3" in error["hint"]


def test_a_missing_output_folder_is_created_and_the_clips_land_in_it(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend()
    cli = cli_for(backend, tmp_path)
    files = images(cli.cwd, "a.jpg")
    result = cli("generate", PROMPT, "-f", files[0], "-o", "new/deeper")
    assert result.code == 0, result.err
    made = cli.cwd / "new" / "deeper" / "a.mp4"
    assert frames(made) > 0
    assert "Generating 1 clip(s)" in result.err


def test_an_output_folder_that_is_a_file_is_refused_before_anything_is_announced(
    tmp_path: Path,
) -> None:
    cli = Cli("http://127.0.0.1:9", tmp_path / "state", tmp_path)
    (tmp_path / "out").write_bytes(b"not a folder")
    result = cli("generate", PROMPT, "-f", images(tmp_path, "x.jpg")[0], "-o", "out")
    assert result.code == 2
    assert "The output folder is a file, not a folder" in result.err
    assert "Generating" not in result.err  # nothing announced before the refusal
    assert (tmp_path / "out").read_bytes() == b"not a folder"


# --- one backoff for all -------------------------------------------------------------------------


def test_a_429_pauses_every_worker_for_the_advised_time(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend()
    spy = backend.spy
    hit: list[float] = []

    async def hook(key: str, n: int) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        if key != "POST /api/tasks/me/with-session/nemo_agent":
            return None
        if n == 1:  # the first worker hears 429, Retry-After 3 s
            hit.append(time.monotonic())
            return 429, {"Retry-After": "3"}, {"code": 429, "message": "slow down", "data": None}
        if n == 2:  # the second worker's answer comes well after the 429 was heard
            await asyncio.sleep(1.5)
        return None

    spy.hook = hook
    cli = cli_for(backend, tmp_path)
    result = generate(cli, images(cli.cwd, "p.jpg", "q.jpg"), "--jobs", "2")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["counts"] == {"done": 2} and doc["rate_limit_pauses"] == 1
    assert spy.requests["POST /api/tasks/me/with-session/nemo_agent"] == 3  # 429, retry, other
    # The other worker had its session 1.5 s after the 429, yet its next call (the upload)
    # waited for the shared pause: nothing reached the backend before Retry-After ran out.
    after = [t for t, key in spy.arrivals if t > hit[0] and not key.endswith("/nemo_agent")]
    assert min(after) >= hit[0] + 3.0 - 0.05


# --- 2001 / 402 stop new items -------------------------------------------------------------------


def test_out_of_credits_stops_starting_items_and_says_which_did_not_run(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend(credits_new_user=100, cost_generate=100)  # one generation's worth
    cli = cli_for(backend, tmp_path)
    files = images(cli.cwd, "a.jpg", "b.jpg", "c.jpg", "d.jpg")
    result = generate(cli, files, "--jobs", "1")
    assert result.code == 5  # the exit code of 2001
    items = result.json()["results"]
    assert [i["state"] for i in items] == ["done", "failed", "not_run", "not_run"]
    assert items[1]["error"]["code"] == 2001
    for item in items[2:]:
        assert item["error"]["code"] == 2001 and item["error"]["message"].startswith(
            "Not started: an earlier item failed with:"
        )
        assert item["error"]["hint"] and item["error"]["hint"] == items[1]["error"]["hint"]
    assert backend.spy.requests["POST /run_sse"] == 2  # no turn tried for c and d
    assert backend.spy.requests["POST /api/tasks/me/with-session/nemo_agent"] == 2
    table = cli("generate", PROMPT, *[a for f in files for a in ("-f", f)], "-o", "out", "-j", "1")
    assert table.code == 5
    assert "done in an earlier run" in table.out and "NOT RUN: Not started" in table.out
    assert backend.spy.requests["POST /run_sse"] == 3  # b tried again (refused, free), a skipped


def test_export_blocked_by_plan_stops_items_and_a_rerun_renders_without_a_new_turn(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend(block_free_export=True)
    cli = cli_for(backend, tmp_path)
    files = images(cli.cwd, "first.jpg", "second.jpg")
    blocked = generate(cli, files, "--jobs", "1")
    assert blocked.code == 9  # 402
    first, second = blocked.json()["results"]
    assert first["state"] == "failed" and first["error"]["code"] == 402
    assert second["state"] == "not_run" and "upgrade" in second["error"]["hint"]
    sid = first["session_id"]
    assert backend.spy.turns[sid] == 1 and backend.spy.renders[sid] == 1
    backend.restart(block_free_export=False)  # the user upgraded
    done = generate(cli, files, "--jobs", "1")
    assert done.code == 0, done.err
    again = done.json()["results"]
    assert again[0]["session_id"] == sid and backend.spy.turns[sid] == 0  # no turn re-sent
    assert backend.spy.requests["POST /run_sse"] == 1  # only the second item's
    assert all(frames(i["path"]) > 0 for i in again)


# --- resume, --fresh, the manifest -----------------------------------------------------------------


def test_rerun_skips_finished_items_and_fresh_starts_over(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend()
    cli = cli_for(backend, tmp_path)
    files = images(cli.cwd, "clip.jpg")
    first = generate(cli, files)
    assert first.code == 0, first.err
    out = cli.cwd / "out"
    manifest = out / batch.PROGRESS_NAME
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == [batch.PROGRESS_NAME, "clip.mp4"]  # no temp
    entry = manifest_items(out)[0]
    assert entry["stage"] == "done" and entry["input"] == str(Path(files[0]).resolve())
    assert "token" not in manifest.read_text().lower()
    # What a kill -9 can leave behind: a manifest temp file, a partial download of our clip.
    leftovers = [out / f"{batch.PROGRESS_NAME}.k2j3.tmp", out / ".clip.mp4.x8f1.part"]
    for path in leftovers:
        path.write_bytes(b"half")
    (out / ".other.mp4.x8f1.part").write_bytes(b"not ours")
    again = generate(cli, files)
    assert again.code == 0 and again.json()["results"][0]["note"] == "done in an earlier run"
    assert not any(path.exists() for path in leftovers)
    assert (out / ".other.mp4.x8f1.part").read_bytes() == b"not ours"
    (out / ".other.mp4.x8f1.part").unlink()
    assert backend.spy.requests["POST /run_sse"] == 1  # nothing sent again
    fresh = generate(cli, files, "--fresh")
    assert fresh.code == 0, fresh.err
    redo = fresh.json()["results"][0]
    assert redo["note"] is None and redo["job_id"] != first.json()["results"][0]["job_id"]
    assert redo["path"] == first.json()["results"][0]["path"]  # its own clip, replaced
    assert backend.spy.requests["POST /run_sse"] == 2


def test_an_existing_file_is_not_overwritten_without_force(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend()
    cli = cli_for(backend, tmp_path)
    (cli.cwd / "out" / "mine.mp4").write_bytes(b"keep me")
    result = generate(cli, images(cli.cwd, "mine.jpg"))
    assert result.code == 2 and "--force" in result.json()["error"]["hint"]
    assert (cli.cwd / "out" / "mine.mp4").read_bytes() == b"keep me"
    assert backend.spy.requests["POST /api/tasks/me/with-session/nemo_agent"] == 0


def test_manifest_writes_are_atomic_and_an_unreadable_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = ProgressFile.load(tmp_path)
    manifest.update("k", stage="uploaded", session_id="1")
    before = (tmp_path / batch.PROGRESS_NAME).read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        manifest.update("k", stage="turn_sent")
    monkeypatch.undo()
    assert (tmp_path / batch.PROGRESS_NAME).read_bytes() == before  # the old one, whole
    assert [p.name for p in tmp_path.iterdir()] == [batch.PROGRESS_NAME]  # no temp file left
    (tmp_path / batch.PROGRESS_NAME).write_text('{"items": {"k": {"stage": "tur')
    with pytest.raises(UsageError) as refused:
        ProgressFile.load(tmp_path)
    assert "charge twice" in refused.value.message
    assert "`--fresh`" in refused.value.worded_hint(STEPS)


def test_a_second_batch_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    client = NemoClient(Settings(api_url="http://127.0.0.1:9", state_dir=tmp_path / "s"))
    photo = images(tmp_path, "x.jpg")
    with exclusive(tmp_path), pytest.raises(UsageError) as refused:
        run_batch(client, photo, PROMPT, output=tmp_path)
    message = refused.value.worded_message(STEPS)
    assert "Another batch (`nemo-skill generate`) is writing into" in message
    client.close()


def record_entry(client: NemoClient, photo: str, **fields: Any) -> None:
    """A manifest entry for ``photo`` (clip beside it) as an interrupted run would leave it."""
    folder = Path(photo).parent
    key = batch.item_key(client.settings.store_key, str(Path(photo).resolve()), PROMPT)
    ProgressFile.load(folder).update(key, output=str(folder / f"{Path(photo).stem}.mp4"), **fields)


def test_a_turn_recorded_as_sent_is_never_sent_again(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    """Killed between recording "turn sent" and sending it: the turn is not re-sent."""
    backend = make_backend()
    client = NemoClient(Settings(api_url=backend.url, state_dir=tmp_path / "state"))
    photo = images(tmp_path, "lost.jpg")
    sid = client.create_session().session_id
    client.upload_files(sid, [Path(photo[0])])
    record_entry(client, photo[0], stage="turn_sent", session_id=sid,
                 turn_sent_at=time.time() - 3600)  # fmt: skip
    lines: list[str] = []
    report = run_batch(client, photo, PROMPT, output=tmp_path, progress=lines.append,
                       timings=TurnTimings(recovery_wait_s=0.0, recovery_poll_s=0.0,
                                           recovery_polls=2))  # fmt: skip
    client.close()
    item = report.items[0]
    assert item.state == "failed" and item.error is not None
    assert "not re-sent" in item.error["message"]
    assert "`--fresh`" in word_error(item.error, STEPS)["hint"]
    assert backend.spy.requests["POST /run_sse"] == 0
    assert any("not re-sending it" in line for line in lines)


def test_workers_sharing_a_client_replace_a_rejected_token_once(tmp_path: Path) -> None:
    """Two workers hear 1001 at once: one new token, not one each (one user, one cache)."""
    from bench.latency_backend import build_app

    spy = Spy(build_app())
    server, thread, port = serve(spy)
    key = "GET /api/credits/balance/simple"

    async def expire(k: str, n: int) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        if k != key or n > 2:
            return None
        deadline = time.monotonic() + 10
        while spy.requests[key] < 2 and time.monotonic() < deadline:  # both sent, old token
            await asyncio.sleep(0.01)
        return 401, {}, {"code": 1001, "message": "Token expired.", "data": None}

    spy.hook = expire
    client = NemoClient(Settings(api_url=f"http://127.0.0.1:{port}", state_dir=tmp_path / "s"))
    try:
        client.authenticate()
        seen: list[float] = []
        workers = [threading.Thread(target=lambda: seen.append(client.credits().available))
                   for _ in range(2)]  # fmt: skip
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)
    assert seen == [100, 100]
    assert spy.requests[key] == 4  # two rejected, two retried with the new token
    assert spy.requests["POST /api/auth/anonymous-token"] == 2  # the first and ONE replacement


def test_a_session_lost_before_its_turn_is_replaced_and_said_so(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend()
    client = NemoClient(
        Settings(api_url=backend.url, state_dir=tmp_path / "state", second_stage_s=0.0)
    )
    photo = images(tmp_path, "gone.jpg")
    record_entry(client, photo[0], stage="uploaded", session_id="999999999999999999")
    lines: list[str] = []
    report = run_batch(client, photo, PROMPT, output=tmp_path, progress=lines.append)
    client.close()
    item = report.items[0]
    assert item.state == "done", item.error
    assert item.session_id != "999999999999999999" and frames(str(item.path)) > 0
    renewed = "The previous project session was not found, so I started a new one."
    assert f"[1/1] gone.jpg {renewed}" in lines
    assert backend.spy.turns[str(item.session_id)] == 1
    assert backend.spy.requests["POST /run_sse"] == 1  # nothing was sent to the lost session


# --- SIGKILL in the middle of a batch, then the same command again -------------------------------


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _kill_mid_batch(
    proc: subprocess.Popen[str],
    in_flight: Callable[[], bool],
    settle: Callable[[], None] = lambda: None,
) -> None:
    """Wait until ``in_flight()`` (the batch still running), ``settle()``, then kill -9 it."""
    try:
        _wait_for(lambda: in_flight() or proc.poll() is not None, "items in flight")
        assert proc.poll() is None, proc.communicate()
        settle()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun_sends_each_turn_and_render_once(
    make_backend: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = make_backend()
    spy = backend.spy

    async def slow_turns(key: str, n: int) -> None:
        if key == "POST /run_sse" and n in (2, 3):  # two turns still running at the kill
            await asyncio.sleep(6.0)  # outlasts the wait for every worker to be held

    spy.hook = slow_turns
    cli = cli_for(backend, tmp_path)
    files = images(cli.cwd, *(f"img{n}.jpg" for n in range(1, 7)))
    args = [a for f in files for a in ("-f", f)]
    proc = cli.spawn("generate", PROMPT, *args, "-o", "out", "--jobs", "3")

    def hold_every_worker() -> None:
        # Hold every new request at the door until all three workers are inside a call, so
        # none is between recording a step and sending it.
        spy.hold = True
        _wait_for(lambda: spy.inside >= 3, "every worker inside a call")

    # Items in flight: a render submitted, two turns sent and unanswered, three not started.
    _kill_mid_batch(
        proc,
        lambda: sum(spy.turns.values()) >= 3 and sum(spy.renders.values()) >= 1,
        hold_every_worker,
    )
    spy.hold = False  # what reached the backend is served to the end, as the real one does
    _wait_for(lambda: spy.inside == 0, "the backend to finish what it received")
    out = cli.cwd / "out"
    first_run = manifest_items(out)
    assert sum(1 for e in first_run if e.get("stage") == "done") < len(files)  # truly mid-batch
    stages = sorted(e.get("stage") for e in first_run)
    assert stages == ["rendering", "turn_sent", "turn_sent"]  # killed mid-render and mid-turn

    rerun = cli("--json", "generate", PROMPT, *args, "-o", "out", "--jobs", "3")
    assert rerun.code == 0, rerun.err
    items = rerun.json()["results"]
    assert [i["state"] for i in items] == ["done"] * len(files)
    sessions = [i["session_id"] for i in items]
    assert len(set(sessions)) == len(files)
    # Counted by the backend, per item, over both runs: one turn and one render each.
    assert [spy.turns[s] for s in sessions] == [1] * len(files)
    assert [spy.renders[s] for s in sessions] == [1] * len(files)
    assert sum(spy.turns.values()) == len(files)  # no other session got a turn either
    assert sum(spy.renders.values()) == len(files)
    assert all(frames(i["path"]) > 0 for i in items)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [batch.PROGRESS_NAME, *(f"img{n}.mp4" for n in range(1, 7))]
    )


@pytest.mark.slow
def test_sigkill_against_an_independent_backend_with_latency_then_rerun(tmp_path: Path) -> None:
    """Like the real service: turns take 1 s and renders 1.5 s, and go on after a hang-up."""
    from bench.latency_backend import LatencyServer

    with LatencyServer(turn_s=1.0, render_s=1.5) as server:
        state = server.state
        no_settle_wait(tmp_path / "state")
        cli = Cli(server.url, tmp_path / "state", tmp_path / "work")
        (cli.cwd / "out").mkdir(parents=True)
        files = images(cli.cwd, *(f"p{n}.jpg" for n in range(1, 8)))
        args = [a for f in files for a in ("-f", f)]
        proc = cli.spawn("generate", PROMPT, *args, "-o", "out", "--jobs", "3")
        _kill_mid_batch(  # wherever the workers are
            proc,
            lambda: (
                sum(state.turns_per_session.values()) >= 4
                and sum(state.renders_per_session.values()) >= 1
            ),
        )
        _wait_for(server.idle, "the turns sent before the kill to finish on the server")
        rerun = cli("--json", "generate", PROMPT, *args, "-o", "out", "--jobs", "3")
        assert rerun.code == 0, rerun.err
        items = rerun.json()["results"]
        sessions = [i["session_id"] for i in items]
        assert [state.turns_per_session[s] for s in sessions] == [1] * len(files)
        assert [state.renders_per_session[s] for s in sessions] == [1] * len(files)
        assert sum(state.turns_per_session.values()) == len(files)
        assert state.turns_max <= 3
        assert all(frames(i["path"]) > 0 for i in items)
