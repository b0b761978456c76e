"""Every documented request and response shape parses into the typed models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from nemo_skill.draft import TrackType
from nemo_skill.models import (
    AnonymousToken,
    ClaimToken,
    CreateSessionRequest,
    Credits,
    Draft,
    Envelope,
    RenderJob,
    RenderRequest,
    RunSSERequest,
    SessionInfo,
    SessionState,
    UploadResult,
    UrlUploadRequest,
)

EXAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "nemo_rest_examples.json").read_text(encoding="utf-8")
)

# Which model reads the ``data`` of each endpoint's responses.
RESPONSE_MODELS: dict[str, type[BaseModel]] = {
    "POST /api/auth/anonymous-token": AnonymousToken,
    "POST /api/tasks/me/with-session/nemo_agent": SessionInfo,
    "POST /api/auth/claim-token": ClaimToken,
    "POST /api/upload-video/nemo_agent/me/<sid>": UploadResult,
    "GET /api/credits/balance/simple": Credits,
    "GET /api/state/nemo_agent/me/<sid>/latest": SessionState,
    "POST /api/render/proxy/lambda": RenderJob,
    "GET /api/render/proxy/lambda/<id>": RenderJob,
}


def _responses() -> list[tuple[str, str, Any]]:
    """(endpoint, variant, payload) for every JSON response example in the fixture."""
    found = []
    for endpoint, spec in EXAMPLES.items():
        if endpoint.startswith("_"):
            continue
        for key, value in spec.items():
            if ("response" in key or key == "_later_docs_show_only") and isinstance(value, dict):
                found.append((endpoint, key, value))
    return found


RESPONSES = _responses()


def test_fixture_covers_every_json_endpoint() -> None:
    assert {endpoint for endpoint, _, _ in RESPONSES} == set(RESPONSE_MODELS)
    assert len(RESPONSES) >= 10


@pytest.mark.parametrize(("endpoint", "variant", "payload"), RESPONSES)
def test_every_documented_response_parses(endpoint: str, variant: str, payload: Any) -> None:
    envelope = Envelope.parse(payload)
    assert envelope.code == 0, variant
    assert isinstance(envelope.data, dict)
    RESPONSE_MODELS[endpoint].model_validate(envelope.data)


# --- envelopes --------------------------------------------------------------------


def test_code_envelope() -> None:
    envelope = Envelope.parse({"code": 2001, "message": "no credits", "data": None})
    assert (envelope.code, envelope.message, envelope.data) == (2001, "no credits", None)
    assert Envelope.parse({"code": "1002"}).code == 1002
    assert Envelope.parse({"code": "oops"}).code == -1


def test_success_envelope() -> None:
    ok = Envelope.parse({"success": True, "data": {"id": "r"}})
    assert (ok.code, ok.data) == (0, {"id": "r"})
    failed = Envelope.parse({"success": False, "error": {"code": 402, "message": "plan"}})
    assert (failed.code, failed.message) == (402, "plan")
    plain = Envelope.parse({"success": False, "error": "boom"})
    assert (plain.code, plain.message) == (-1, "boom")


@pytest.mark.parametrize(
    "error", [{"code": "RENDER_FAILED", "message": "m"}, {"code": None}, {"message": "m"}]
)
def test_success_envelope_with_an_odd_error_code_is_an_error(error: dict[str, Any]) -> None:
    assert Envelope.parse({"success": False, "error": error}).code == -1


@pytest.mark.parametrize("code", ["--5", True, "", " "])
def test_odd_codes_never_crash(code: Any) -> None:
    assert Envelope.parse({"code": code}).code == -1


def test_bare_payloads() -> None:
    assert Envelope.parse({"taskId": "r"}).data == {"taskId": "r"}
    assert Envelope.parse([1, 2]).data == [1, 2]
    assert Envelope.parse(None).code == 0


# --- auth and sessions ---------------------------------------------------------------


def test_anonymous_token_hides_the_token() -> None:
    data = EXAMPLES["POST /api/auth/anonymous-token"]["response"]["data"]
    token = AnonymousToken.model_validate(data)
    assert token.user_id == "anon_abc123" and token.credits == 100
    assert data["token"] not in repr(token)


@pytest.mark.parametrize(
    "raw", [5529798706024415232, "5529798706024415232"], ids=["number", "string"]
)
def test_session_ids_are_exact_strings(raw: Any) -> None:
    info = SessionInfo.model_validate({"task_id": 77, "session_id": raw, "user_id": 9})
    assert info.session_id == "5529798706024415232"
    assert (info.task_id, info.user_id) == ("77", "9")
    state = SessionState.model_validate({"session_id": raw, "task_id": 1, "state": None})
    assert state.session_id == "5529798706024415232"
    assert state.draft is None


def test_session_info_from_raw_json_keeps_every_digit() -> None:
    payload = json.loads('{"code":0,"data":{"session_id":5529798706024415232999,"task_id":"t"}}')
    info = SessionInfo.model_validate(Envelope.parse(payload).data)
    assert info.session_id == "5529798706024415232999"


# --- requests serialise to the documented shapes ----------------------------------------


def test_create_session_request() -> None:
    body = EXAMPLES["POST /api/tasks/me/with-session/nemo_agent"]["request_body"]
    assert CreateSessionRequest().model_dump() == body
    assert CreateSessionRequest(language="zh").model_dump()["language"] == "zh"


def test_run_sse_request() -> None:
    documented = EXAMPLES["POST /run_sse"]["request_body"]
    body = RunSSERequest.for_text("<sid>", "<msg>").model_dump()
    assert {k: v for k, v in body.items() if k != "new_message"} == {
        k: v for k, v in documented.items() if k != "new_message"
    }
    assert body["new_message"]["parts"] == documented["new_message"]["parts"]
    assert body["new_message"]["role"] == "user"


def test_render_request_is_camel_case() -> None:
    documented = EXAMPLES["POST /api/render/proxy/lambda"]["request_body"]
    request = RenderRequest(id="render_1773423613616", session_id="<sid>", draft={"t": []})
    assert request.to_wire() == documented
    assert RenderRequest.model_validate(documented).session_id == "<sid>"


def test_url_upload_request() -> None:
    documented = EXAMPLES["POST /api/upload-video/nemo_agent/me/<sid>"]["json_body_alt"]
    assert UrlUploadRequest(urls=documented["urls"]).model_dump() == documented


# --- uploads and credits ------------------------------------------------------------------


def test_upload_result_fields() -> None:
    data = EXAMPLES["POST /api/upload-video/nemo_agent/me/<sid>"]["response"]["data"]
    result = UploadResult.model_validate(data)
    (file,) = result.files
    assert (file.filename, file.width, file.height, file.fps) == ("video.mp4", 1920, 1080, 30)
    assert result.session_state_applied is True
    assert UploadResult.model_validate({}).files == []


@pytest.mark.parametrize(
    ("data", "total"),
    [
        ({"available": 25000, "frozen": 40, "total": 25040}, 25040),
        ({"available": 90, "frozen": 10}, 100),
        ({"available": 90}, 90),
        ({}, 0),
        ({"available": 5, "frozen": 1, "total": 50}, 50),  # the backend's total wins
    ],
)
def test_credits_total_is_filled(data: dict[str, Any], total: float) -> None:
    assert Credits.model_validate(data).total == total


# --- render jobs ------------------------------------------------------------------------


def test_render_job_from_the_v4_4_doc() -> None:
    payload = EXAMPLES["GET /api/render/proxy/lambda/<id>"]["response_v4.4_doc"]
    for source in (payload, Envelope.parse(payload).data):
        job = RenderJob.model_validate(source)
        assert (job.id, job.status, job.progress) == ("render_xxx", "completed", 100)
        assert job.output_url == "https://static1.nemovideo.ai/render-result/render_xxx.mp4"
        assert job.created_at == 1773423613616 and job.done


def test_render_job_from_the_alt_response() -> None:
    spec = EXAMPLES["GET /api/render/proxy/lambda/<id>"]
    payload = spec["alt_response_init_doc_and_current_skill_text"]
    job = RenderJob.model_validate(Envelope.parse(payload).data)
    assert (job.id, job.status) == ("render_xxx", "completed")
    assert job.output_url == "https://cdn.example.com/renders/xxx/output.mp4"
    assert set(spec["status_values"]) <= {"pending", "processing", "completed", "failed"}


def test_render_job_submitted() -> None:
    payload = EXAMPLES["POST /api/render/proxy/lambda"]["response_v4.4_doc"]
    job = RenderJob.model_validate(payload)
    assert (job.status, job.progress, job.done, job.output_url) == ("pending", 5, False, None)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("queued", "pending"), ("RUNNING", "processing"), ("done", "completed"),
     ("error", "failed"), ("canceled", "cancelled"), (None, "pending")],
)  # fmt: skip
def test_render_status_synonyms(status: str | None, expected: str) -> None:
    assert RenderJob.model_validate({"id": "r", "status": status}).status == expected


def test_render_job_error_only_when_failed() -> None:
    failed = RenderJob.model_validate({"status": "failed", "error": {"message": "codec"}})
    assert failed.error == "codec" and failed.done
    ok = RenderJob.model_validate({"status": "processing", "message": "working"})
    assert ok.error is None and not ok.done


# --- drafts ------------------------------------------------------------------------------

DRAFT: dict[str, Any] = {
    "t": [
        {
            "tt": TrackType.VIDEO,
            "id": "v1",
            "sg": [
                {"d": 5000, "id": "s1", "src": "cdn://a.jpg", "motion": {"kind": "zoom_in"}},
                {"d": 3000, "id": "s2", "st": 5000, "transition": None},
            ],
        },
        {
            "tt": TrackType.AUDIO,
            "sg": [{"d": 8000, "name": "Lo-fi", "volume": 0.35}],
            "muted": False,
        },
        {"tt": TrackType.TEXT, "sg": [{"d": 3000, "text": "Urban Dreams", "style": {"size": 64}}]},
    ],
    "m": {"width": 1080, "height": 1920, "fps": 30, "title": None},
    "version": 3,
    "vendor_field": {"nested": [1, 2, {"deep": None}]},
}


def test_draft_keeps_unknown_keys_on_round_trip() -> None:
    draft = Draft.model_validate(DRAFT)
    assert draft.to_wire() == DRAFT
    assert json.loads(json.dumps(draft.to_wire())) == DRAFT
    assert draft.renderable
    assert [track.tt for track in draft.t] == [TrackType.VIDEO, TrackType.AUDIO, TrackType.TEXT]


def test_draft_normalises_once_then_is_stable() -> None:
    wire = Draft.model_validate({"t": [{"sg": [{"d": 1500.6}]}]}).to_wire()
    assert wire == {"t": [{"tt": TrackType.VIDEO, "sg": [{"d": 1501}]}], "m": {}}
    assert Draft.model_validate(wire).to_wire() == wire


def test_empty_drafts_are_not_renderable() -> None:
    assert not Draft().renderable
    assert not Draft.model_validate({"t": [{"tt": 0, "sg": []}]}).renderable


def test_state_with_an_empty_draft() -> None:
    state = SessionState.model_validate(
        {"state": {"draft": {}, "video_infos": None, "canvas_config": None}}
    )
    assert state.draft is None
    assert state.state.video_infos == [] and state.state.canvas_config == {}
