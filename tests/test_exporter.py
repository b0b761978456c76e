"""``nemo_skill.exporter``: one export lifecycle behind one journal, on both of its stores.

The journal stores (a workspace record, a batch item's progress entry) are
checked against the same contract, then the exporter's rules on the mock
render backend (fake clock): a lost submit answer is followed, never doubled;
a plain export follows the render in flight unless the draft changed; the
MCP polling path retries a failed render once. The paths users take (export,
generate, the MCP tools) are tested over the embedded backend with faults in
tests/faults/test_export_faults.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_skill.batch.progress import FINISHED, RENDER_SUBMITTED, TURN_DONE, ItemJournal
from nemo_skill.batch.progress import ProgressFile as BatchProgress
from nemo_skill.config import StateStore
from nemo_skill.errors import ServerError, UsageError
from nemo_skill.exporter import Exporter, Journal, Pending
from nemo_skill.models import SessionState
from nemo_skill.second_stage import Generation
from nemo_skill.skill import Skill
from nemo_skill.workspace import WorkspaceJournal, Workspaces
from tests.mock_backend import DRAFT, MP4, Clock, Harness, RenderBackend, envelope

# --- the journal contract, on both stores ------------------------------------------------


def _workspace_store(folder: Path) -> Callable[[], Journal]:
    return lambda: WorkspaceJournal(Workspaces(StateStore(folder), "https://api.test"), "dir:/p")


def _batch_store(folder: Path) -> Callable[[], Journal]:
    folder.mkdir(parents=True, exist_ok=True)
    return lambda: ItemJournal(BatchProgress.load(folder), "item-1")


STORES = {"workspace": _workspace_store, "batch": _batch_store}


@pytest.mark.parametrize("store", STORES)
def test_a_journal_keeps_the_pending_render_across_processes(tmp_path: Path, store: str) -> None:
    reopen = STORES[store](tmp_path / "journal")  # each call reads the file afresh
    assert reopen().pending() is None and reopen().generation() is None
    pending = Pending("render_1_ab", str(tmp_path / "clip.mp4"), "d1g3st", retry_of="render_0")
    reopen().submitting(pending)
    assert reopen().pending() == pending  # written before the submit leaves: a new process sees it
    reopen().generated(Generation(1700000000.5))
    assert reopen().generation() == Generation(1700000000.5)
    reopen().settle(delivered=False)
    assert reopen().pending() is None
    assert reopen().generation() == Generation(1700000000.5)  # only the render is forgotten


def test_the_batch_store_records_the_items_stage(tmp_path: Path) -> None:
    progress = BatchProgress.load(tmp_path)
    journal = ItemJournal(progress, "k")
    journal.submitting(Pending("render_1_ab", None, "d"))
    assert progress.entry("k")["stage"] == RENDER_SUBMITTED
    journal.settle(delivered=False)  # refused or failed for good: a re-run renders anew
    assert progress.entry("k")["stage"] == TURN_DONE and progress.entry("k")["render_id"] is None
    journal.submitting(Pending("render_2_cd", None, "d"))
    journal.settle(delivered=True)
    entry = json.loads((tmp_path / ".nemo-batch.json").read_text())["items"]["k"]
    assert entry["stage"] == FINISHED and entry["render_id"] == "render_2_cd"
    assert ItemJournal(progress, "k").pending() is None  # a finished item has nothing in flight


def test_the_workspace_store_ignores_a_damaged_generation_time(tmp_path: Path) -> None:
    workspaces = Workspaces(StateStore(tmp_path), "https://api.test")
    workspaces.update("dir:/p", generated_at="yesterday")
    assert WorkspaceJournal(workspaces, "dir:/p").generation() is None


# --- the exporter's rules on the mock render backend --------------------------------------


def _quiet(line: str) -> None:
    """Progress goes nowhere unless a test collects it."""


def _skill(harness: Harness, clock: Clock, progress: Callable[[str], None] = _quiet) -> Skill:
    return Skill(harness.client, workspace="name:x", progress=progress, sleep=clock.sleep,
                 clock=clock)  # fmt: skip


def _lose_answers(renders: RenderBackend, harness: Harness, times: int = 1) -> None:
    """The backend takes the submit, but the client hears a 502 (the answer was lost)."""
    left = [times]

    def post(request: httpx.Request) -> httpx.Response:
        answer = renders.post(request)
        if left[0] > 0 and not request.url.path.endswith("/cancel"):
            left[0] -= 1
            return httpx.Response(502, json={"code": 502, "message": "Bad Gateway"})
        return answer

    harness.backend.on("POST", "/api/render/proxy/lambda", post)


def test_a_lost_submit_answer_is_followed_not_doubled(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    _lose_answers(renders, env)
    said: list[str] = []
    done = _skill(env, clock, said.append).export(tmp_path / "clip.mp4")
    (job_id,) = renders.submitted  # one render, one id
    assert done.job_id == job_id and (tmp_path / "clip.mp4").read_bytes() == MP4
    assert any(f"render {job_id} did arrive: following it" in line for line in said), said


def test_a_lost_submit_that_never_landed_is_sent_again_under_the_same_id(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    answers = [httpx.Response(502, json={"code": 502, "message": "Bad Gateway"})]
    env.backend.on("POST", "/api/render/proxy/lambda",
                   lambda r: answers.pop() if answers else renders.post(r))  # fmt: skip
    skill = _skill(env, clock)
    done = skill.export(tmp_path / "clip.mp4")
    bodies = [json.loads(r.content) for r in env.backend.requests
              if r.method == "POST" and r.url.path == "/api/render/proxy/lambda"]  # fmt: skip
    assert [b["id"] for b in bodies] == [done.job_id, done.job_id]  # the same id twice
    assert renders.submitted == [done.job_id] and skill.project.render_id is None


def test_a_lost_answer_while_the_backend_is_down_keeps_the_id_for_the_next_export(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    env.backend.on("POST", "/api/render/proxy/lambda",
                   lambda r: httpx.Response(502, json={"code": 502, "message": "down"}))  # fmt: skip
    env.backend.on("GET", "/api/render/proxy/lambda/",
                   lambda r: httpx.Response(503, json={"code": 503, "message": "down"}))  # fmt: skip
    skill = _skill(env, clock)
    with pytest.raises(ServerError):
        skill.export(tmp_path / "clip.mp4")
    kept = skill.project.render_id
    assert kept and renders.submitted == []
    env.backend.routes = env.backend.routes[2:]  # the backend is back
    RenderBackend(env)
    assert skill.export().job_id == kept  # a plain export picks up the same id


def test_a_plain_export_follows_the_render_in_flight(
    env: Harness, renders: RenderBackend, tmp_path: Path
) -> None:
    renders.polls_to_finish = None
    first = _skill(env, Clock(interrupt_on=99))
    with pytest.raises(Exception, match="still processing"):  # gave up at the deadline
        first.export(tmp_path / "clip.mp4")
    (job_id,) = renders.submitted
    renders.polls_to_finish = renders.polls[job_id] + 1
    said: list[str] = []
    again = _skill(env, Clock(), said.append).export()  # plain: no --resume
    assert again.job_id == job_id and renders.submitted == [job_id]
    assert again.path == str(tmp_path / "clip.mp4")  # where the first export was told
    assert any(f"following render {job_id}" in line for line in said), said


def test_a_plain_export_after_the_draft_changed_replaces_the_render_in_flight(
    env: Harness, renders: RenderBackend, tmp_path: Path
) -> None:
    renders.polls_to_finish = None
    with pytest.raises(Exception, match="still processing"):
        _skill(env, Clock()).export(tmp_path / "old.mp4")
    (old,) = renders.submitted
    changed = {**DRAFT, "m": {"w": 180, "h": 320}}
    env.backend.on("GET", "/api/state/", lambda r: envelope({"state": {"draft": changed}}))

    def status(request: httpx.Request) -> httpx.Response:  # the old one never finishes
        renders.polls_to_finish = None if request.url.path.endswith(old) else 1
        return renders.status(request)

    env.backend.on("GET", "/api/render/proxy/lambda/", status)
    done = _skill(env, Clock()).export(tmp_path / "new.mp4")
    assert done.job_id != old and renders.submitted == [old, done.job_id]
    assert renders.cancelled == [old]  # the stale render is not left running
    assert (tmp_path / "new.mp4").read_bytes() == MP4


def test_the_polling_path_retries_a_failed_render_once_under_a_new_id(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    skill = _skill(env, clock)
    started = skill.begin_export(tmp_path / "clip.mp4")
    failed: list[str] = [started.job_id]

    def status(request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[-1]
        if job_id in failed:
            return envelope({"id": job_id, "status": "failed", "error": "encoder crashed"})
        return renders.status(request)

    env.backend.on("GET", "/api/render/proxy/lambda/", status)
    retried = skill.export_status(started.job_id)
    assert retried.job_id != started.job_id and retried.status == "pending"
    assert renders.submitted == [started.job_id, retried.job_id]
    for _ in range(3):
        current = skill.export_status(started.job_id)  # the host may keep the old id
    assert current.job_id == retried.job_id and current.status == "completed"
    saved = skill.download_export(started.job_id)
    assert saved.path == str(tmp_path / "clip.mp4") and len(renders.submitted) == 2
    assert skill.project.render_id is None


def test_the_polling_path_does_not_retry_a_second_failure(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    env.backend.on("GET", "/api/render/proxy/lambda/",
                   lambda r: envelope({"id": r.url.path.rsplit("/", 1)[-1], "status": "failed",
                                       "error": "encoder crashed"}))  # fmt: skip
    skill = _skill(env, clock)
    started = skill.begin_export(tmp_path / "clip.mp4")
    retry = skill.export_status(started.job_id)
    final = skill.export_status(retry.job_id)
    assert (final.job_id, final.status) == (retry.job_id, "failed")
    assert len(renders.submitted) == 2 and skill.project.render_id is None


def test_export_start_follows_the_render_already_in_flight(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    renders.polls_to_finish = None
    skill = _skill(env, clock)
    first = skill.begin_export(tmp_path / "clip.mp4")
    again = skill.begin_export()
    assert again.job_id == first.job_id and renders.submitted == [first.job_id]
    assert again.output == str(tmp_path / "clip.mp4")


def test_an_empty_timeline_is_refused_before_any_id_is_saved(
    env: Harness, renders: RenderBackend, clock: Clock
) -> None:
    env.backend.on("GET", "/api/state/", lambda r: envelope({"state": {"draft": {}}}))
    skill = _skill(env, clock)
    with pytest.raises(UsageError, match="nothing to export"):
        skill.export()
    assert skill.project.render_id is None and renders.submitted == []


def test_the_exporter_reads_the_draft_through_its_read_state(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    """A batch item reads its own session: the exporter never assumes the workspace's."""
    reads: list[Any] = []

    def read() -> SessionState:
        reads.append(1)
        return env.client.state("s1")

    journal = WorkspaceJournal(Workspaces(StateStore(tmp_path / "s"), "x"), "k")
    exporter = Exporter(env.client, journal, read, sleep=clock.sleep, clock=clock)
    done = exporter.run(lambda render_id, pending: tmp_path / "c.mp4")
    assert reads and done.path == tmp_path / "c.mp4" and journal.pending() is None
