"""``nemo_skill.render``: the export job (submit, poll with backoff, deadline, cancel, download).

On the mock render backend and a fake clock: the poll schedule, the deadline
for a render that never finishes, Ctrl-C asking the backend to cancel, and
failed or cancelled renders. (tests/engine/test_render.py is the local
engine's renderer, a different module.)
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from nemo_skill.errors import (
    CancelledError,
    Next,
    RenderError,
    RequestTimeoutError,
)
from nemo_skill.ids import new_render_id
from nemo_skill.render import (
    DEFAULT_DEADLINE_S,
    POLL_SCHEDULE,
    ExportJob,
    poll_intervals,
    submit,
)
from tests.mock_backend import DRAFT, MP4, Clock, Harness, RenderBackend, envelope


def _submitted(harness: Harness) -> ExportJob:
    return submit(harness.client, "s1", DRAFT, render_id=new_render_id())


def test_polls_back_off_to_30_s_and_stay_there() -> None:
    waits = list(itertools.islice(poll_intervals(), len(POLL_SCHEDULE) + 3))
    assert waits[: len(POLL_SCHEDULE)] == list(POLL_SCHEDULE)
    assert waits[0] == 2.0 and waits[len(POLL_SCHEDULE) :] == [30.0] * 3
    assert waits == sorted(waits)


def test_a_render_is_polled_until_it_completes_then_downloaded(
    env: Harness, renders: RenderBackend, clock: Clock, tmp_path: Path
) -> None:
    renders.polls_to_finish = 4
    job = _submitted(env)
    seen: list[str] = []
    done = job.wait(on_update=lambda j: seen.append(j.status), sleep=clock.sleep, clock=clock)
    assert done.status == "completed" and renders.polls[job.render_id] == 4
    assert clock.sleeps == list(POLL_SCHEDULE[:4])  # one wait before each poll
    assert seen[-1] == "completed" and "processing" in seen
    assert job.download(tmp_path / "clip.mp4").read_bytes() == MP4


def test_a_render_that_never_finishes_ends_with_a_clear_error_at_the_deadline(
    env: Harness, renders: RenderBackend, clock: Clock
) -> None:
    renders.polls_to_finish = None
    job = _submitted(env)
    with pytest.raises(RequestTimeoutError) as caught:
        job.wait(sleep=clock.sleep, clock=clock, deadline_s=600.0)
    assert caught.value.message == f"Render {job.render_id} is still processing after 10 minutes."
    assert caught.value.next is Next.EXPORT_RESUME  # the job goes on: pick it up later
    assert 600.0 < clock.now <= 600.0 + POLL_SCHEDULE[-1]
    assert renders.cancelled == []  # a timeout does not cancel the render


def test_the_default_deadline_is_30_minutes(
    env: Harness, renders: RenderBackend, clock: Clock
) -> None:
    renders.polls_to_finish = None
    with pytest.raises(RequestTimeoutError, match="after 30 minutes"):
        _submitted(env).wait(sleep=clock.sleep, clock=clock)
    assert DEFAULT_DEADLINE_S == 1800.0 and clock.now <= DEFAULT_DEADLINE_S + POLL_SCHEDULE[-1]


@pytest.mark.parametrize("interrupt_on", [1, 5])
def test_ctrl_c_while_waiting_asks_the_backend_to_cancel(
    env: Harness, renders: RenderBackend, interrupt_on: int
) -> None:
    renders.polls_to_finish = None
    job = _submitted(env)
    clock = Clock(interrupt_on=interrupt_on)
    with pytest.raises(CancelledError) as caught:
        job.wait(sleep=clock.sleep, clock=clock)
    assert renders.cancelled == [job.render_id]
    assert caught.value.next is Next.EXPORT
    assert f"asked the backend to cancel render {job.render_id}" in caught.value.message


def test_ctrl_c_still_ends_cleanly_when_the_cancel_call_fails(
    env: Harness, renders: RenderBackend
) -> None:
    renders.polls_to_finish = None
    job = _submitted(env)
    env.backend.reply("POST", f"/api/render/proxy/lambda/{job.render_id}/cancel",
                      envelope(None, code=500, message="down"))  # fmt: skip
    clock = Clock(interrupt_on=2)
    with pytest.raises(CancelledError):  # best effort: the user is leaving
        job.wait(sleep=clock.sleep, clock=clock)


@pytest.mark.parametrize(
    ("status", "code"), [("failed", "render_failed"), ("cancelled", "render_cancelled")]
)
def test_a_render_that_fails_or_is_cancelled_is_a_render_error(
    env: Harness, renders: RenderBackend, clock: Clock, status: str, code: str
) -> None:
    job = _submitted(env)
    env.backend.reply("GET", "/api/render/proxy/lambda/",
                      envelope({"id": job.render_id, "status": status, "error": "no frames"}))  # fmt: skip
    with pytest.raises(RenderError) as caught:
        job.wait(sleep=clock.sleep, clock=clock)
    assert caught.value.code == code and job.render_id in caught.value.message
    if status == "failed":
        assert caught.value.message.endswith(": no frames")


def test_download_refuses_a_render_that_is_not_completed(
    env: Harness, renders: RenderBackend, tmp_path: Path
) -> None:
    renders.polls_to_finish = None
    with pytest.raises(RenderError, match="is processing, not completed"):
        _submitted(env).download(tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []
