"""Exports over the embedded backend with faults: one render per export, whatever is lost.

The backend runs behind :class:`FaultApp` on loopback and keeps every render
submit's body, so each test counts the render ids the backend received:

- a submit the backend accepted whose answer was lost (a 502 instead) is
  followed, for ``export``, ``generate`` and the MCP export tools;
- an ``export`` killed with SIGKILL mid-render, run again as a plain
  ``export``, follows the same render id;
- a generation whose second stage (music, title) lands seconds after its
  stream closed has both in the exported draft, after ``chat`` and in ``generate``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("av")

from nemo_skill.client import NemoClient
from nemo_skill.settings import Settings
from nemo_skill.skill import Skill
from tests.e2e.support import Cli, make_image
from tests.faults.faultapp import Fault, FaultApp
from tests.faults.test_faults import faulty
from tests.test_batch import _kill_mid_batch

__all__ = ["faulty"]

SUBMIT = "POST /api/render/proxy/lambda"
PROMPT = "turn this image into a 1-second animated video clip"
STAGED = "turn this image into a 1-second animated video clip with calm music and the title 'Late'"
LATE_S = 3.0  # the second stage lands this long after the stream closed (under the 8 s settle)


def _frames(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.fixture
def backend(faulty: tuple[str, FaultApp]) -> tuple[str, FaultApp]:
    url, app = faulty
    app.record.add(SUBMIT)
    return url, app


@pytest.fixture
def skill(backend: tuple[str, FaultApp], tmp_path: Path) -> Iterator[tuple[Skill, list[str]]]:
    url, _ = backend
    said: list[str] = []
    settings = Settings.from_env({"NEMO_API_URL": url}, state_dir=tmp_path / "state")
    with Skill(NemoClient(settings), workspace="name:faults", progress=said.append,
               sleep=lambda s: time.sleep(0.05)) as s:  # fmt: skip
        yield s, said


def _submitted_ids(app: FaultApp) -> list[str]:
    return [body["id"] for body in app.bodies.get(SUBMIT, [])]


def _lose_the_next_submit_answer(app: FaultApp) -> None:
    app.add("POST", "/api/render/proxy/lambda", Fault("lost_answer", status=502, times=1))


# --- a lost submit answer -------------------------------------------------------------------


def test_export_follows_a_render_whose_submit_answer_was_lost(
    backend: tuple[str, FaultApp], skill: tuple[Skill, list[str]], tmp_path: Path
) -> None:
    _, app = backend
    s, said = skill
    s.chat(STAGED, [make_image(tmp_path / "photo.jpg", size=(320, 180))])
    _lose_the_next_submit_answer(app)
    done = s.export(tmp_path / "clip.mp4")
    assert _submitted_ids(app) == [done.job_id]  # one render id, submitted once
    assert done.status == "completed" and _frames(tmp_path / "clip.mp4") > 0
    assert any("did arrive: following it" in line for line in said), said
    assert s.project.render_id is None


def test_generate_follows_a_render_whose_submit_answer_was_lost(
    backend: tuple[str, FaultApp], skill: tuple[Skill, list[str]], tmp_path: Path
) -> None:
    _, app = backend
    s, _ = skill
    out = tmp_path / "clips"
    out.mkdir()
    _lose_the_next_submit_answer(app)
    photo = make_image(tmp_path / "photo.jpg", size=(320, 180))
    report = s.generate([str(photo)], STAGED, output=out, jobs=1)
    (item,) = report.items
    assert item.error is None and item.path and _frames(Path(item.path)) > 0
    assert _submitted_ids(app) == [item.job_id]


def test_the_mcp_export_tools_follow_a_render_whose_submit_answer_was_lost(
    backend: tuple[str, FaultApp], tmp_path: Path
) -> None:
    pytest.importorskip("mcp")
    from tests.test_mcp import _call, _export, _serve, _until_stopped

    url, app = backend
    photo = make_image(tmp_path / "photo.jpg", size=(320, 180))
    clip = tmp_path / "clip.mp4"

    async def body(session: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        await _call(session, "chat", message=STAGED, files=[str(photo)], turn_id="t1")
        await _until_stopped(session, "t1", 5.0, [])
        _lose_the_next_submit_answer(app)
        return await _export(session, clip)

    status, saved = asyncio.run(_serve(tmp_path, url, body))
    assert status["status"] == "completed" and saved["path"] == str(clip)
    assert _submitted_ids(app) == [status["job_id"]] and _frames(clip) > 0


# --- a killed export, run again ----------------------------------------------------------------


def test_a_killed_export_rerun_as_a_plain_export_follows_the_same_render(
    backend: tuple[str, FaultApp], tmp_path: Path
) -> None:
    url, app = backend
    work = tmp_path / "work"
    work.mkdir()
    cli = Cli(url, tmp_path / "state", work)
    photo = make_image(work / "photo.jpg", size=(320, 180))
    assert cli("chat", STAGED, "-f", str(photo)).code == 0
    # Hold every status answer: the render stays "in flight" for the killed process.
    app.add("GET", "/api/render/proxy/lambda/", Fault("hang", seconds=20.0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nemo_skill.cli", *cli.base_args(), "export", "-o", "clip.mp4"],
        cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Killed once it submitted and started waiting for the render (mid-render).
    _kill_mid_batch(proc, lambda: app.counts[SUBMIT] > 0 and _polled(app))
    (first,) = _submitted_ids(app)
    app.rules.clear()  # the backend answers again
    again = cli("--json", "export")  # plain: no --resume
    assert again.code == 0, again.err
    data = json.loads(again.out)
    assert data["job_id"] == first and _submitted_ids(app) == [first]
    assert f"following render {first}" in again.err
    assert data["path"] == str(work / "clip.mp4") and _frames(work / "clip.mp4") > 0


# --- the second stage lands after the stream closed ----------------------------------------------


def _polled(app: FaultApp) -> bool:
    return any(key.startswith("GET /api/render/proxy/lambda/") for key in app.counts)


def _tracks(draft: dict[str, Any]) -> set[int]:
    return {int(t.get("tt", -1)) for t in draft.get("t", []) if t.get("sg")}


def test_an_export_after_chat_waits_for_the_second_stage(
    backend: tuple[str, FaultApp], skill: tuple[Skill, list[str]], tmp_path: Path
) -> None:
    _, app = backend
    s, said = skill
    app.add("POST", "/run_sse", Fault("stage2_late", seconds=LATE_S, times=1))
    s.chat(STAGED, [make_image(tmp_path / "photo.jpg", size=(320, 180))])
    assert _tracks(s.state().draft.to_wire()) == {0}  # type: ignore[union-attr]  # stage 1 only
    done = s.export(tmp_path / "clip.mp4")
    (submitted,) = app.bodies[SUBMIT]
    assert _tracks(submitted["draft"]) == {0, 1, 7}  # video, music and the title
    assert any("second stage" in line for line in said), said
    assert done.status == "completed" and _frames(tmp_path / "clip.mp4") > 0


def test_generate_waits_for_the_second_stage_before_it_renders(
    backend: tuple[str, FaultApp], skill: tuple[Skill, list[str]], tmp_path: Path
) -> None:
    _, app = backend
    s, said = skill
    app.add("POST", "/run_sse", Fault("stage2_late", seconds=LATE_S, times=1))
    out = tmp_path / "clips"
    out.mkdir()
    photo = make_image(tmp_path / "photo.jpg", size=(320, 180))
    report = s.generate([str(photo)], STAGED, output=out, jobs=1)
    (item,) = report.items
    assert item.error is None and item.path and _frames(Path(item.path)) > 0
    (submitted,) = app.bodies[SUBMIT]
    assert _tracks(submitted["draft"]) == {0, 1, 7}
    assert any("second stage" in line for line in said), said


def test_an_export_after_a_generation_without_music_says_it_stopped_waiting(
    backend: tuple[str, FaultApp], tmp_path: Path
) -> None:
    url, app = backend
    from nemo_skill.settings import set_value

    set_value(tmp_path / "state", "second_stage_s", "1")
    said: list[str] = []
    settings = Settings.from_env({"NEMO_API_URL": url}, state_dir=tmp_path / "state")
    with Skill(NemoClient(settings), workspace="name:plain", progress=said.append) as s:
        s.chat(PROMPT, [make_image(tmp_path / "photo.jpg", size=(320, 180))])
        s.export(tmp_path / "clip.mp4")
    assert "no music or title arrived within 1 s; exporting the timeline as it is" in said
    (submitted,) = app.bodies[SUBMIT]
    assert _tracks(submitted["draft"]) == {0}
