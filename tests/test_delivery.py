"""Delivery: the claim link, the export retry rule and next steps, over a real loopback backend.

The embedded backend runs behind the fault-injecting wrapper, so a claim call
that fails, a render that ends ``failed`` and a refused submit are real HTTP
answers; MP4s are decoded with PyAV.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from nemo_skill import errors
from nemo_skill.delivery import (
    GENERATION_NOTICE,
    NEXT_STEPS,
    ClaimLink,
    claim_url,
    claim_url_or_none,
    fetch_claim_link,
    next_steps,
    worth_retrying,
)

SUBMIT = "POST /api/render/proxy/lambda"
CLAIM = "POST /api/auth/claim-token"
PROMPT = "turn this image into a 1-second animated video clip"


# --- pure rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "query"),
    [("clm_abc", "clm_abc"), ("a&b=c d/é", "a%26b%3Dc%20d%2F%C3%A9")],
)
def test_claim_url_quotes_the_token(token: str, query: str) -> None:
    url = claim_url("https://web.example/", token)
    assert url == f"https://web.example/workspace/claim?ct={query}"
    assert parse_qs(urlsplit(url).query) == {"ct": [token]}


def test_claim_link_json_shape() -> None:
    assert ClaimLink("https://x/workspace/claim?ct=1", 60).to_dict() == {
        "url": "https://x/workspace/claim?ct=1",
        "expires_in": 60,
    }


def _state(*kinds: str, width: int = 1920, height: int = 1080, duration: float = 5.0) -> dict:
    tracks = [{"type": kind} for kind in kinds]
    return {"tracks": tracks, "width": width, "height": height, "duration": duration}


@pytest.mark.parametrize(
    ("state", "exported", "expected"),
    [
        (_state("video"), False, ["export", "add_music", "add_title"]),
        (_state("video", "audio", "text"), False, ["export", "vertical", "longer"]),
        (
            _state("video", "audio", "text", width=1080, height=1920, duration=10),
            False,
            ["export", "edit"],
        ),
        (_state("video", "audio"), True, ["open_link", "add_title", "vertical"]),
        (None, False, ["another_clip", "edit"]),
        ({"tracks": []}, False, ["another_clip", "edit"]),
        (None, True, ["open_link", "edit", "another_clip"]),
    ],
)
def test_next_steps_fit_the_timeline(state: dict | None, exported: bool, expected: list) -> None:
    steps = next_steps(state, exported=exported)
    assert steps == expected
    assert 2 <= len(steps) <= 3 and set(steps) <= set(NEXT_STEPS)


@pytest.mark.parametrize(
    ("status", "detail", "retry"),
    [
        ("failed", None, True),
        ("failed", "encoder crashed (RuntimeError)", True),
        ("failed", "render failed: code 2001 insufficient credits", False),
        ("failed", "HTTP 402 plan required", False),
        ("failed", "403 Forbidden", False),
        ("failed", "code 404", False),
        ("cancelled", None, False),
        ("completed", None, False),
        (None, None, False),
    ],
)
def test_only_a_failed_render_that_was_not_refused_is_retried(
    status: str | None, detail: str | None, retry: bool
) -> None:
    assert worth_retrying(status, detail) is retry


# --- the claim call on a mock backend (answers no real backend gives) --------------


@pytest.mark.parametrize("fixture", ["h", "env"])
@pytest.mark.parametrize("answer", ["bearer", "contains_bearer", "", "   "])
def test_a_claim_answer_carrying_the_bearer_token_or_nothing_is_refused(
    request: pytest.FixtureRequest, fixture: str, answer: str
) -> None:
    from tests.mock_backend import envelope

    harness = request.getfixturevalue(fixture)
    bearer = harness.client.authenticate()
    token = {"bearer": bearer, "contains_bearer": f"x{bearer}x"}.get(answer, answer)
    harness.backend.reply("POST", "/api/auth/claim-token", envelope({"claim_token": token}))
    with pytest.raises(errors.ProtocolError) as caught:
        fetch_claim_link(harness.client, "task_1", "sid_1")
    assert bearer not in str(caught.value) + (caught.value.hint or "")
    assert claim_url_or_none(harness.client, "task_1", "sid_1") is None


def test_a_claim_link_is_built_from_the_web_url_and_sends_ids_in_the_body(h: Any) -> None:
    from tests.mock_backend import envelope

    h.backend.reply(
        "POST", "/api/auth/claim-token", envelope({"claim_token": "clm_ok", "expires_in": 60})
    )
    link = fetch_claim_link(h.client, "task_1", "sid_1")
    assert link.to_dict() == {
        "url": f"{h.settings.web_url}/workspace/claim?ct=clm_ok",
        "expires_in": 60,
    }
    sent = [r for r in h.backend.requests if r.url.path == "/api/auth/claim-token"][-1]
    assert json.loads(sent.content) == {"task_id": "task_1", "session_id": "sid_1"}
    assert "clm_ok" not in str(sent.url) and sent.headers["authorization"].startswith("Bearer ")
    assert claim_url_or_none(h.client, None, "sid_1") is None  # no task: no call, no link


# --- over the embedded backend -------------------------------------------------

pytest.importorskip("starlette")
pytest.importorskip("av")

from nemo_skill.client import NemoClient  # noqa: E402
from nemo_skill.settings import Settings  # noqa: E402
from nemo_skill.skill import Skill  # noqa: E402
from tests.e2e.support import make_image  # noqa: E402
from tests.faults.faultapp import Fault, FaultApp  # noqa: E402
from tests.faults.test_faults import faulty  # noqa: E402 - the fixture

__all__ = ["faulty"]


@pytest.fixture
def skill(faulty: tuple[str, FaultApp], tmp_path: Path) -> Iterator[tuple[Skill, FaultApp, list]]:
    url, app = faulty
    said: list[str] = []
    settings = Settings.from_env({"NEMO_API_URL": url}, state_dir=tmp_path / "state")
    # This backend finishes a generation inside its turn: no second-stage settle wait here
    # (the wait itself: tests/test_second_stage.py, tests/faults/test_export_faults.py).
    settings = dataclasses.replace(settings, second_stage_s=0.0)
    with Skill(
        NemoClient(settings),
        workspace="name:delivery",
        progress=said.append,
        sleep=lambda s: time.sleep(0.05),
    ) as s:
        yield s, app, said


def _clip(skill: Skill, tmp_path: Path) -> None:
    photo = make_image(tmp_path / "photo.jpg")
    skill.chat(PROMPT, [photo])


def _frames(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_export_carries_a_claim_link_for_this_project(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    s, app, _ = skill
    _clip(s, tmp_path)
    result = s.export(tmp_path / "out.mp4")
    assert _frames(tmp_path / "out.mp4") > 0
    url = result.claim_url or ""
    assert url.startswith(f"{s.client.settings.api_url}/workspace/claim?ct=clm_"), url
    assert result.to_dict()["claim_url"] == url
    token = s.client.authenticate()
    assert token not in url and (s.client.user_id or "") not in url
    assert app.counts[CLAIM] == 1


@pytest.mark.parametrize(
    "fault",
    [
        Fault("code", status=500, code=500),
        Fault("code", status=404, code=1002),
        Fault("code", status=402, code=2001),
        Fault("reset"),
        Fault("bad_json"),
    ],
)
def test_a_failed_claim_call_never_fails_the_export(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path, fault: Fault
) -> None:
    s, app, said = skill
    _clip(s, tmp_path)
    app.add("POST", "/api/auth/claim-token", fault)
    result = s.export(tmp_path / "out.mp4")
    assert result.status == "completed" and result.claim_url is None
    assert _frames(tmp_path / "out.mp4") > 0
    assert any(line.startswith("(No web link this time") for line in said), said
    assert s.project.render_id is None  # nothing left pending


def test_a_failed_render_is_retried_once_with_a_new_id(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    s, app, said = skill
    _clip(s, tmp_path)
    app.add("GET", "/api/render/proxy/lambda/", Fault("render_status", value="failed", times=1))
    result = s.export(tmp_path / "out.mp4")
    assert app.counts[SUBMIT] == 2
    assert result.status == "completed" and _frames(tmp_path / "out.mp4") > 0
    assert any("trying once more" in line for line in said), said
    assert result.claim_url


def _failed_export(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path, method: str, fault: Fault, error: type
) -> errors.NemoError:
    """Make a clip, inject ``fault`` into the render calls, export: the error it raised."""
    s, app, _ = skill
    _clip(s, tmp_path)
    prefix = "/api/render/proxy/lambda" + ("/" if method == "GET" else "")
    app.add(method, prefix, fault)
    with pytest.raises(error) as caught:
        s.export(tmp_path / "out.mp4")
    assert not list(tmp_path.glob("*.mp4")) and s.project.render_id is None
    return caught.value


def test_a_render_that_fails_twice_is_a_clear_error_and_nothing_is_left(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    failed = Fault("render_status", value="failed")
    error = _failed_export(skill, tmp_path, "GET", failed, errors.RenderError)
    assert skill[1].counts[SUBMIT] == 2
    assert "failed twice" in error.message
    assert error.next == "state" and "{next}" in (error.hint or "")


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (402, 402, errors.PlanRequiredError),
        (402, 2001, errors.InsufficientCreditsError),
        (400, 4001, errors.UnsupportedFileError),
        (403, 403, errors.APIError),
    ],
)
def test_a_refused_render_is_never_retried(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path, status: int, code: int, error: type
) -> None:
    _failed_export(skill, tmp_path, "POST", Fault("code", status=status, code=code), error)
    assert skill[1].counts[SUBMIT] == 1


def test_a_cancelled_render_is_not_retried(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    cancelled = Fault("render_status", value="cancelled")
    error = _failed_export(skill, tmp_path, "GET", cancelled, errors.RenderError)
    assert error.code == "render_cancelled" and skill[1].counts[SUBMIT] == 1


def test_generation_is_announced_and_followed_by_next_steps(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    s, _, said = skill
    photo = make_image(tmp_path / "photo.jpg")
    first = s.chat(PROMPT, [photo])
    assert said.index(GENERATION_NOTICE) < len(said)
    assert first.next[0] == "export" and 2 <= len(first.next) <= 3
    assert first.to_dict()["next"] == first.next
    said.clear()
    edit = s.chat("add calm background music")
    assert GENERATION_NOTICE not in said  # an edit is not announced as a long generation
    assert 2 <= len(edit.next) <= 3 and "add_music" not in edit.next
    exported = s.chat("export it", output=tmp_path / "via-chat.mp4")
    assert exported.export is not None and exported.export.claim_url
    assert exported.next[0] == "open_link"


def test_export_without_output_goes_to_the_configured_folder(
    faulty: tuple[str, FaultApp], tmp_path: Path
) -> None:
    from nemo_skill import settings as user

    url, _ = faulty
    out = tmp_path / "exports"
    out.mkdir()
    user.set_value(tmp_path / "state", "output_dir", str(out))
    user.set_value(tmp_path / "state", "second_stage_s", "0")  # as in the `skill` fixture
    settings = Settings.from_env({"NEMO_API_URL": url}, state_dir=tmp_path / "state")
    with Skill(NemoClient(settings), workspace="name:cfg", sleep=lambda s: time.sleep(0.05)) as s:
        _clip(s, tmp_path)
        result = s.export()
    assert result.path and Path(result.path).parent == out
    assert _frames(Path(result.path)) > 0


def test_each_batch_item_carries_its_own_claim_link(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    s, _, _ = skill
    photos = [make_image(tmp_path / f"p{n}.jpg", seed=n) for n in (1, 2)]
    out = tmp_path / "clips"
    out.mkdir()
    report = s.generate([str(p) for p in photos], PROMPT, output=out, jobs=2)
    links = [item.claim_url for item in report.items]
    assert all(link and "/workspace/claim?ct=clm_" in link for link in links)
    assert len(set(links)) == 2
    assert [r["claim_url"] for r in report.to_dict()["results"]] == links


def test_a_batch_with_no_claim_link_still_delivers_its_clips(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    s, app, _ = skill
    app.add("POST", "/api/auth/claim-token", Fault("code", status=500, code=500))
    out = tmp_path / "clips"
    out.mkdir()
    report = s.generate([str(make_image(tmp_path / "p.jpg"))], PROMPT, output=out, jobs=1)
    (item,) = report.items
    assert item.path and item.claim_url is None and _frames(Path(item.path)) > 0


def test_a_batch_item_whose_render_fails_is_rendered_once_more(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    s, app, said = skill
    app.add("GET", "/api/render/proxy/lambda/", Fault("render_status", value="failed", times=1))
    out = tmp_path / "clips"
    out.mkdir()
    report = s.generate([str(make_image(tmp_path / "p.jpg"))], PROMPT, output=out, jobs=1)
    (item,) = report.items
    assert item.error is None and item.path and _frames(Path(item.path)) > 0
    assert app.counts[SUBMIT] == 2
    assert any("trying once more" in line for line in said), said


def test_a_batch_item_whose_render_fails_twice_fails_alone(
    skill: tuple[Skill, FaultApp, list], tmp_path: Path
) -> None:
    s, app, _ = skill
    app.add("GET", "/api/render/proxy/lambda/", Fault("render_status", value="failed"))
    out = tmp_path / "clips"
    out.mkdir()
    report = s.generate([str(make_image(tmp_path / "p.jpg"))], PROMPT, output=out, jobs=1)
    (item,) = report.items
    assert item.path is None and item.error and item.error["code"] == "render_failed"
    assert app.counts[SUBMIT] == 2
    assert not list(out.glob("*.mp4"))


def test_suggestions_are_worded_by_each_shell_and_unknown_steps_skipped() -> None:
    from nemo_skill.cli import STEPS
    from nemo_skill.delivery import suggestions

    steps = ["export", "add_music", "a_step_from_a_newer_version"]
    assert suggestions(steps, STEPS) == [
        "Export the MP4: `nemo-skill export`",
        'Add music: `nemo-skill chat "add calm background music"`',
    ]
    assert suggestions(steps) == [
        "Export the MP4: Skill.export()",
        'Add music: Skill.chat("add calm background music")',
    ]
