"""``NemoClient`` over ``httpx.MockTransport``: endpoints, errors, auth, headers, retries.

The mock backend lives in mock_backend.py (the ``h``/``env`` fixtures in conftest);
uploads and downloads are tested in test_transfers.py.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_skill import cli, errors
from nemo_skill.client import RetryPolicy
from nemo_skill.config import CachedToken, StateStore
from nemo_skill.events import StateDeltaEvent, TextEvent
from nemo_skill.models import (
    AnonymousToken,
    ClaimToken,
    Credits,
    RenderJob,
    SessionInfo,
    SessionState,
    UploadResult,
)
from tests.mock_backend import ANON_TOKEN, API, ENV_TOKEN, Handler, Harness, anon_ok, envelope

# --- endpoints ------------------------------------------------------------------------


def test_anonymous_token_endpoint(h: Harness) -> None:
    token = h.client.anonymous_token()
    assert isinstance(token, AnonymousToken)
    assert (token.token, token.user_id) == (ANON_TOKEN, "anon_42")
    (request,) = h.backend.requests
    assert request.method == "POST" and request.url.path == "/api/auth/anonymous-token"
    assert request.headers["X-Client-Id"] == StateStore(h.state_dir).client_id()


def test_create_session_endpoint(env: Harness) -> None:
    env.backend.reply(
        "POST",
        "/api/tasks/me/with-session/nemo_agent",
        envelope({"task_id": 7, "session_id": 5529798706024415232, "user_id": "u_9"}),
    )
    info = env.client.create_session(language="de", task_name="clip")
    assert isinstance(info, SessionInfo)
    assert (info.task_id, info.session_id) == ("7", "5529798706024415232")
    assert env.client.user_id == "u_9"
    assert json.loads(env.backend.requests[0].content) == {"task_name": "clip", "language": "de"}


def test_run_sse_endpoint_streams_typed_events(env: Harness) -> None:
    body = (
        b'data: {"invocationId":"e","author":"nemo_agent","content":{"parts":[{"text":"hi"}]}}\n\n'
        b'data: {"invocationId":"e","actions":{"stateDelta":{"draft":{"t":[]}}}}\n\n'
    )
    env.backend.reply(
        "POST",
        "/run_sse",
        httpx.Response(200, headers={"Content-Type": "text/event-stream"}, content=body),
    )
    events = list(env.client.run_sse("s1", "make it cinematic"))
    assert events == [TextEvent("hi", "nemo_agent"), StateDeltaEvent({"draft": {"t": []}})]
    (request,) = env.backend.requests
    assert request.headers["Accept"] == "text/event-stream"
    assert json.loads(request.content) == {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": "s1",
        "new_message": {"role": "user", "parts": [{"text": "make it cinematic"}]},
    }


def test_run_sse_answered_with_json_is_a_protocol_error(env: Harness) -> None:
    env.backend.reply("POST", "/run_sse", httpx.Response(200, json={"code": 0, "data": {}}))
    with pytest.raises(errors.ProtocolError):
        list(env.client.run_sse("s1", "hi"))


def test_upload_urls_endpoint(env: Harness) -> None:
    env.backend.reply(
        "POST",
        "/api/upload-video/nemo_agent/me/",
        envelope({"files": [{"filename": "a.jpg", "width": 640}], "session_state_applied": True}),
    )
    result = env.client.upload_urls("s/1", ["https://img.test/a.jpg"])
    assert isinstance(result, UploadResult)
    assert result.files[0].width == 640 and result.session_state_applied is True
    (request,) = env.backend.requests
    assert request.url.raw_path == b"/api/upload-video/nemo_agent/me/s%2F1"  # id is one segment
    assert json.loads(request.content) == {
        "urls": ["https://img.test/a.jpg"],
        "source_type": "url",
    }


def test_credits_endpoint(env: Harness) -> None:
    env.backend.reply(
        "GET", "/api/credits/balance/simple", envelope({"available": 90, "frozen": 10})
    )
    credits = env.client.credits()
    assert isinstance(credits, Credits) and credits.total == 100


def test_state_endpoint(env: Harness) -> None:
    draft = {"t": [{"tt": 0, "sg": [{"d": 5000}]}]}
    env.backend.reply(
        "GET",
        "/api/state/nemo_agent/me/s1/latest",
        envelope({"session_id": "s1", "state": {"draft": draft}}),
    )
    state = env.client.state("s1")
    assert isinstance(state, SessionState) and state.draft is not None
    assert state.draft.t[0].sg[0].d == 5000 and state.draft.renderable


def test_submit_status_cancel_render(env: Harness) -> None:
    env.backend.reply("POST", "/api/render/proxy/lambda", envelope({"status": "queued"}))
    env.backend.reply(
        "GET", "/api/render/proxy/lambda/r1", envelope({"status": "running", "progress": 40})
    )
    env.backend.reply(
        "POST", "/api/render/proxy/lambda/r1/cancel", envelope({"status": "canceled"})
    )
    job = env.client.submit_render("s1", {"t": []}, render_id="r1")
    assert isinstance(job, RenderJob) and (job.id, job.status) == ("r1", "pending")
    body = json.loads(env.backend.requests[-1].content)
    assert (body["id"], body["sessionId"], body["draft"]) == ("r1", "s1", {"t": []})
    status = env.client.render_status("r1")
    assert (status.id, status.status, status.progress) == ("r1", "processing", 40)
    assert env.client.cancel_render("r1").status == "cancelled"


@pytest.mark.parametrize(
    "payload",
    [
        {"code": 0, "data": {"status": "completed", "output": {"url": "https://cdn.test/v.mp4"}}},
        {"success": True, "data": {"status": "done", "outputUrl": "https://cdn.test/v.mp4"}},
        {"taskId": "r9", "status": "completed", "output": {"url": "https://cdn.test/v.mp4"}},
    ],
    ids=["data.status", "success-data", "top-level"],
)
def test_render_status_variants(env: Harness, payload: dict[str, Any]) -> None:
    env.backend.reply("GET", "/api/render/proxy/lambda/", httpx.Response(200, json=payload))
    job = env.client.render_status("r9")
    assert (job.id, job.status, job.output_url) == ("r9", "completed", "https://cdn.test/v.mp4")
    assert job.done


def test_claim_token_endpoint(env: Harness) -> None:
    env.backend.reply(
        "POST", "/api/auth/claim-token", envelope({"claim_token": "clm_1", "expires_in": 60})
    )
    claim = env.client.claim_token("t1", "s1")
    assert isinstance(claim, ClaimToken) and claim.claim_token == "clm_1"
    assert json.loads(env.backend.requests[0].content) == {"task_id": "t1", "session_id": "s1"}


@pytest.mark.parametrize(
    "payload",
    [
        {"code": 0, "message": "ok", "data": {"available": 5}},
        {"code": "0", "data": {"available": 5}},
        {"success": True, "data": {"available": 5}},
        {"available": 5},
    ],
    ids=["code-data", "string-code", "success-data", "bare"],
)
def test_envelope_variants(env: Harness, payload: dict[str, Any]) -> None:
    env.backend.reply("GET", "/api/credits/", httpx.Response(200, json=payload))
    assert env.client.credits().available == 5


def test_success_false_envelope_is_an_error(env: Harness) -> None:
    env.backend.reply(
        "GET",
        "/api/credits/",
        httpx.Response(200, json={"success": False, "error": {"code": 1002, "message": "gone"}}),
    )
    with pytest.raises(errors.SessionNotFoundError, match="gone"):
        env.client.credits()


def test_a_non_json_success_body_is_a_protocol_error(env: Harness) -> None:
    env.backend.reply("GET", "/api/credits/", httpx.Response(200, text="<html>hi</html>"))
    with pytest.raises(errors.ProtocolError):
        env.client.credits()


def test_a_body_of_the_wrong_shape_is_a_protocol_error(env: Harness) -> None:
    env.backend.reply("POST", "/api/auth/claim-token", envelope({"nothing": 1}))
    with pytest.raises(errors.ProtocolError, match="claim_token"):
        env.client.claim_token("t", "s")


# --- error codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "exc", "hint_part"),
    [
        (1002, 404, errors.SessionNotFoundError, "session"),
        (2001, 402, errors.InsufficientCreditsError, "https://nemovideo.com/register?bind=anon_42"),
        (4001, 415, errors.UnsupportedFileError, "jpg"),
        (4002, 413, errors.FileTooLargeError, "200 MB"),
        (400, 400, errors.MissingClientIdError, "client id"),
        (402, 402, errors.PlanRequiredError, "upgrade"),
        (1002, 200, errors.SessionNotFoundError, "session"),
        (500, 500, errors.ServerError, "try again"),
        (502, 502, errors.ServerError, "try again"),
        (503, 503, errors.ServerError, "try again"),
        (9999, 200, errors.ServerError, "try again"),
    ],
)  # fmt: skip
def test_error_codes_map_to_classes(
    h: Harness, code: int, status: int, exc: type[errors.NemoError], hint_part: str
) -> None:
    h.backend.reply("POST", "/api/render/proxy/lambda", httpx.Response(status, json={"code": code}))
    with pytest.raises(exc) as info:
        h.client.submit_render("s", {"t": []})
    assert info.value.code == code
    assert hint_part.lower() in info.value.hint.lower()
    assert h.count("/api/render/") == 1 and h.waits == []


def test_1001_with_a_user_token_is_an_auth_error(env: Harness) -> None:
    env.backend.reply("GET", "/api/credits/", httpx.Response(401, json={"code": 1001}))
    with pytest.raises(errors.AuthError) as info:
        env.client.credits()
    assert info.value.code == 1001 and info.value.hint


@pytest.mark.parametrize(
    ("status", "exc", "code"),
    [
        (401, errors.AuthError, 1001),
        (404, errors.SessionNotFoundError, 1002),
        (413, errors.FileTooLargeError, 4002),
        (415, errors.UnsupportedFileError, 4001),
        (402, errors.PlanRequiredError, 402),
        (500, errors.ServerError, 500),
        (504, errors.ServerError, 504),
    ],
)
def test_http_status_only_errors(
    env: Harness, status: int, exc: type[errors.NemoError], code: int
) -> None:
    env.backend.reply("POST", "/api/auth/claim-token", httpx.Response(status, text="<html/>"))
    with pytest.raises(exc) as info:
        env.client.claim_token("t", "s")
    assert (info.value.status, info.value.code) == (status, code)


@pytest.mark.parametrize(("header", "wait"), [({"Retry-After": "12"}, 12.0), ({}, 30.0)])
def test_429_waits_the_advised_time_on_idempotent_calls(
    env: Harness, header: dict[str, str], wait: float
) -> None:
    env.backend.reply(
        "GET",
        "/api/credits/",
        httpx.Response(429, json={"code": 429}, headers=header),
        envelope({"available": 3}),
    )
    assert env.client.credits().available == 3
    assert env.waits == [wait] and env.count("/api/credits/") == 2


@pytest.mark.parametrize(("header", "after"), [({"Retry-After": "12"}, 12.0), ({}, None)])
def test_429_on_a_call_that_creates_work_is_raised_with_its_wait(
    env: Harness, header: dict[str, str], after: float | None
) -> None:
    env.backend.reply(
        "POST", "/api/render/proxy/lambda", httpx.Response(429, json={"code": 429}, headers=header)
    )
    with pytest.raises(errors.RateLimitError) as info:
        env.client.submit_render("s", {"t": []})
    assert info.value.retry_after == after and env.waits == []
    assert env.count("/api/render/") == 1


# --- auth flow ------------------------------------------------------------------------


def test_nemo_token_is_used_as_is(env: Harness) -> None:
    env.backend.reply("GET", "/api/credits/", envelope({"available": 1}))
    env.client.credits()
    assert env.count("/api/auth/") == 0
    assert env.backend.requests[0].headers["Authorization"] == f"Bearer {ENV_TOKEN}"
    assert not StateStore(env.state_dir).token_file.exists()


def test_cached_token_is_reused_without_a_call(tmp_path: Path) -> None:
    StateStore(tmp_path / "state").save_token(
        API, CachedToken("nmv_usr_cached_SECRET", "anon_7", 4102444800.0)
    )
    h = Harness(tmp_path)
    h.backend.reply("GET", "/api/credits/", envelope({"available": 1}))
    h.client.credits()
    assert h.count("/api/auth/") == 0 and h.client.user_id == "anon_7"
    assert h.backend.requests[0].headers["Authorization"] == "Bearer nmv_usr_cached_SECRET"


def test_an_expired_cached_token_is_replaced(tmp_path: Path) -> None:
    StateStore(tmp_path / "state").save_token(API, CachedToken("nmv_usr_old", "anon_7", 1.0))
    h = Harness(tmp_path)
    assert h.client.authenticate() == ANON_TOKEN
    assert h.count("/api/auth/anonymous-token") == 1


def test_anonymous_token_is_cached_0600_in_a_0700_dir(h: Harness) -> None:
    h.client.authenticate()
    token_file = h.state_dir / "token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(h.state_dir.stat().st_mode) == 0o700
    assert json.loads(token_file.read_text())[API]["token"] == ANON_TOKEN
    assert stat.S_IMODE((h.state_dir / "client_id").stat().st_mode) == 0o600


def test_1001_reauthenticates_once_then_succeeds(h: Harness) -> None:
    h.backend.reply(
        "GET", "/api/credits/", httpx.Response(401, json={"code": 1001}), envelope({"available": 2})
    )
    assert h.client.credits().available == 2
    assert h.count("/api/auth/anonymous-token") == 2 and h.count("/api/credits/") == 2


def test_1001_on_run_sse_reauthenticates_and_resends_once(h: Harness) -> None:
    h.backend.reply(
        "POST",
        "/run_sse",
        httpx.Response(401, json={"code": 1001}),
        httpx.Response(200, headers={"Content-Type": "text/event-stream"}, content=b"data:\n\n"),
    )
    assert len(list(h.client.run_sse("s", "hi"))) == 1
    assert h.count("/run_sse") == 2 and h.count("/api/auth/anonymous-token") == 2


def test_1001_twice_is_an_auth_error(h: Harness) -> None:
    h.backend.reply("GET", "/api/credits/", httpx.Response(401, json={"code": 1001}))
    with pytest.raises(errors.AuthError):
        h.client.credits()
    assert h.count("/api/credits/") == 2 and h.count("/api/auth/anonymous-token") == 2


def test_a_rejected_nemo_token_is_not_replaced(env: Harness) -> None:
    env.backend.reply("GET", "/api/credits/", httpx.Response(401, json={"code": 1001}))
    with pytest.raises(errors.AuthError):
        env.client.credits()
    assert env.count("/api/credits/") == 1 and env.count("/api/auth/") == 0


def test_missing_client_id_gets_a_new_persisted_id_and_one_retry(h: Harness) -> None:
    h.backend.reply(
        "POST",
        "/api/auth/anonymous-token",
        httpx.Response(400, json={"code": 400, "message": "missing X-Client-Id"}),
        anon_ok(httpx.Request("POST", API)),
    )
    assert h.client.authenticate() == ANON_TOKEN
    first, second = (r.headers["X-Client-Id"] for r in h.backend.requests)
    assert first != second
    assert (h.state_dir / "client_id").read_text().strip() == second


def test_missing_client_id_twice_is_raised(h: Harness) -> None:
    h.backend.reply("POST", "/api/auth/anonymous-token", httpx.Response(400, json={"code": 400}))
    with pytest.raises(errors.MissingClientIdError):
        h.client.authenticate()
    assert h.count("/api/auth/anonymous-token") == 2


def test_429_on_anonymous_token_with_a_short_wait_waits_then_retries_once(h: Harness) -> None:
    h.backend.reply(
        "POST",
        "/api/auth/anonymous-token",
        httpx.Response(429, json={"code": 429}, headers={"Retry-After": "7"}),
        anon_ok(httpx.Request("POST", API)),
    )
    notices: list[str] = []
    h.client.notice = notices.append
    assert h.client.authenticate() == ANON_TOKEN
    assert h.waits == [7.0] and h.count("/api/auth/anonymous-token") == 2
    assert notices == ["The backend asks to wait 7 s before a new token; waiting…"]  # not silent


@pytest.mark.parametrize(
    ("header", "token_json", "why"),
    [
        ({}, None, "token.json is missing"),
        ({"Retry-After": "518400"}, "{not json", "token.json is damaged"),
        ({"Retry-After": "3600"}, '{"https://other.example": {"token": "t"}}', "holds no token"),
    ],
)
def test_429_on_anonymous_token_fails_at_once_saying_why_and_what_to_do(
    h: Harness, header: dict[str, str], token_json: str | None, why: str
) -> None:
    """The 7-day rule: no silent wait; what happened (the cache, the rule) and what to do."""
    if token_json is not None:
        h.state_dir.mkdir(exist_ok=True)
        (h.state_dir / "token.json").write_text(token_json)
    h.backend.reply("POST", "/api/auth/anonymous-token", httpx.Response(429, json={"code": 429},
                                                                        headers=header))  # fmt: skip
    with pytest.raises(errors.RateLimitError) as refused:
        h.client.credits()
    assert h.waits == [] and h.count("/api/auth/anonymous-token") == 1
    assert h.count("/api/credits/") == 0
    message, hint = refused.value.message, refused.value.hint
    assert why in message and "one free anonymous token per client id every 7 days" in message
    assert "Set NEMO_TOKEN" in hint and "NEMO_CLIENT_ID" in hint
    assert ("after 20" in hint) == bool(header)  # a date when the backend said how long
    assert h.client.limiter.remaining() == 0  # later calls are not held up either


def test_429_after_a_rejected_cached_token_says_so(h: Harness) -> None:
    h.backend.reply("GET", "/api/credits/", httpx.Response(401, json={"code": 1001}))
    h.backend.reply(
        "POST",
        "/api/auth/anonymous-token",
        anon_ok(httpx.Request("POST", API)),
        httpx.Response(429, json={"code": 429}),
    )
    with pytest.raises(errors.RateLimitError) as refused:
        h.client.credits()
    assert "the backend rejected the cached token" in refused.value.message
    assert h.waits == []


# --- headers --------------------------------------------------------------------------


def test_skill_headers_on_every_call_and_auth_on_all_but_the_anonymous_one(h: Harness) -> None:
    h.backend.reply("GET", "/api/credits/", envelope({"available": 1}))
    h.backend.reply("GET", "/api/state/", envelope({"state": {}}))
    h.client.credits()
    h.client.state("s")
    anon, *rest = h.backend.requests
    assert len(rest) == 2
    for request in h.backend.requests:
        assert request.headers["X-Skill-Source"] == h.client.identity.name
        assert request.headers["X-Skill-Version"] == h.client.identity.version
        assert request.headers["X-Skill-Platform"] == h.client.identity.platform
        assert request.headers["User-Agent"].startswith("openai-image-to-video/")
    assert "Authorization" not in anon.headers
    assert all(r.headers["Authorization"] == f"Bearer {ANON_TOKEN}" for r in rest)
    assert all(ANON_TOKEN not in str(r.url) for r in h.backend.requests)


# --- retries --------------------------------------------------------------------------


def test_get_state_is_retried_at_most_twice_on_503(env: Harness) -> None:
    env.backend.reply("GET", "/api/state/", httpx.Response(503))
    with pytest.raises(errors.ServerError):
        env.client.state("s")
    assert env.count("/api/state/") == 3 and len(env.waits) == 2
    assert all(w > 0 for w in env.waits)


def test_get_state_recovers_after_a_503(env: Harness) -> None:
    env.backend.reply("GET", "/api/state/", httpx.Response(503), envelope({"state": {}}))
    assert env.client.state("s").draft is None
    assert env.count("/api/state/") == 2


@pytest.mark.parametrize("call", ["submit_render", "run_sse", "upload_urls", "upload_files"])
def test_calls_that_create_work_are_never_resent_on_502(
    env: Harness, tmp_path: Path, call: str
) -> None:
    env.backend.on("POST", "/", lambda r: httpx.Response(502))
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8jpeg")
    with pytest.raises(errors.ServerError):
        if call == "submit_render":
            env.client.submit_render("s", {"t": []})
        elif call == "run_sse":
            list(env.client.run_sse("s", "hi"))
        elif call == "upload_urls":
            env.client.upload_urls("s", ["https://img.test/a.jpg"])
        else:
            env.client.upload_files("s", [photo])
    assert len(env.backend.requests) == 1 and env.waits == []


def _failing(exc_type: type[httpx.TransportError]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("down", request=request)

    return handler


def test_connect_errors_are_retried_for_get(env: Harness) -> None:
    env.backend.on("GET", "/api/state/", _failing(httpx.ConnectError))
    with pytest.raises(errors.TransportError) as info:
        env.client.state("s")
    assert env.count("/api/state/") == 3 and len(env.waits) == 2
    assert "ConnectError" in str(info.value)


def test_a_connect_error_then_success_for_get(env: Harness) -> None:
    answers: list[Handler] = [_failing(httpx.ConnectError), lambda r: envelope({"state": {}})]
    env.backend.on("GET", "/api/state/", lambda r: answers.pop(0)(r))
    assert env.client.state("s").draft is None
    assert env.count("/api/state/") == 2


def test_a_read_error_on_submit_render_is_not_resent(env: Harness) -> None:
    env.backend.on("POST", "/api/render/", _failing(httpx.ReadError))
    with pytest.raises(errors.TransportError):
        env.client.submit_render("s", {"t": []})
    assert env.count("/api/render/") == 1 and env.waits == []


def test_a_read_timeout_is_a_request_timeout(env: Harness) -> None:
    env.backend.on("POST", "/api/auth/claim-token", _failing(httpx.ReadTimeout))
    with pytest.raises(errors.RequestTimeoutError):
        env.client.claim_token("t", "s")


# --- secrets --------------------------------------------------------------------------


def _all_text(exc: errors.NemoError) -> str:
    return " ".join([str(exc), repr(exc), exc.hint, json.dumps(exc.to_dict()), repr(exc.args)])


@pytest.mark.parametrize(
    "handler",
    [
        lambda r: httpx.Response(401, json={"code": 1001, "message": "expired"}),
        lambda r: httpx.Response(500, text="oops"),
        lambda r: httpx.Response(200, text="not json"),
        _failing(httpx.ConnectError),
        _failing(httpx.ReadTimeout),
    ],
    ids=["1001", "500", "not-json", "connect", "timeout"],
)
def test_the_token_never_appears_in_errors_or_reprs(env: Harness, handler: Handler) -> None:
    env.backend.on("GET", "/api/credits/", handler)
    with pytest.raises(errors.NemoError) as info:
        env.client.credits()
    assert ENV_TOKEN not in _all_text(info.value)
    assert ENV_TOKEN not in repr(env.client) and ENV_TOKEN not in repr(env.settings)


@pytest.mark.parametrize("status", [401, 500])
def test_a_backend_echoing_the_token_does_not_leak_it(env: Harness, status: int) -> None:
    env.backend.on(
        "GET",
        "/api/credits/",
        lambda r: httpx.Response(
            status, json={"message": f"rejected {r.headers['Authorization']}"}
        ),
    )
    with pytest.raises(errors.NemoError) as info:
        env.client.credits()
    assert ENV_TOKEN not in _all_text(info.value)
    assert "rejected Bearer ***" in str(info.value)


def test_the_anonymous_token_is_not_in_reprs(h: Harness) -> None:
    token = h.client.anonymous_token()
    assert ANON_TOKEN not in repr(token) and ANON_TOKEN not in repr(h.client)


# --- the documented examples, end to end -----------------------------------------------

EXAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "nemo_rest_examples.json").read_text(encoding="utf-8")
)
SSE_TURN = (Path(__file__).parent / "fixtures" / "adk_sse_tool_turn.txt").read_text()


def documented(key: str, variant: str = "response") -> Handler:
    """Answer with the fixture's documented response for ``key``."""
    return lambda r: httpx.Response(200, json=EXAMPLES[key][variant])


def documented_backend(h: Harness) -> None:
    """Every endpoint answers as the vendor's documents show."""
    b = h.backend
    b.on("POST", "/api/auth/anonymous-token", documented("POST /api/auth/anonymous-token"))
    b.on("POST", "/api/tasks/", documented("POST /api/tasks/me/with-session/nemo_agent"))
    b.on("POST", "/api/auth/claim-token", documented("POST /api/auth/claim-token"))
    b.on("POST", "/api/upload-video/", documented("POST /api/upload-video/nemo_agent/me/<sid>"))
    b.on("GET", "/api/credits/", documented("GET /api/credits/balance/simple"))
    b.on("GET", "/api/state/", documented("GET /api/state/nemo_agent/me/<sid>/latest"))
    b.on("POST", "/api/render/proxy/lambda", documented("POST /api/render/proxy/lambda",
                                                        "response_v4.4_doc"))  # fmt: skip
    b.on("GET", "/api/render/proxy/lambda/", documented("GET /api/render/proxy/lambda/<id>",
                                                        "response_v4.4_doc"))  # fmt: skip
    b.on(
        "GET", "/api/render/proxy/render_xxx/download", lambda r: httpx.Response(200, content=b"M")
    )
    wire = "".join(line for line in SSE_TURN.splitlines(True) if not line.startswith("#"))
    b.on("POST", "/run_sse", lambda r: httpx.Response(
        200, headers={"Content-Type": "text/event-stream"}, content=wire.encode()))  # fmt: skip


def test_every_documented_response_parses_and_every_call_carries_the_headers(
    h: Harness, tmp_path: Path
) -> None:
    documented_backend(h)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8jpeg")
    c = h.client
    session = c.create_session()
    assert (session.task_id, session.session_id, c.user_id) == (
        "task_xxx", "5529798706024415232", "anon_abc123"
    )  # fmt: skip
    events = list(c.run_sse(session.session_id, "animate it"))
    assert [type(e).__name__ for e in events].count("StateDeltaEvent") == 2
    assert c.upload_files(session.session_id, [photo]).files[0].width == 1920
    assert c.upload_urls(session.session_id, ["https://img.test/a.jpg"]).session_state_applied
    assert (c.credits().available, c.credits().total) == (25000, 25040)
    state = c.state(session.session_id)
    assert state.draft is not None and state.draft.t[0].sg[0].d == 10000
    job = c.submit_render(session.session_id, {"t": []})
    assert (job.id, job.status, job.progress) == ("render_xxx", "pending", 5)
    done = c.render_status(job.id)
    assert done.done and done.output_url == (
        "https://static1.nemovideo.ai/render-result/render_xxx.mp4"
    )
    c.download_render(job, tmp_path / "out.mp4")  # no output_url: the API's own download
    assert c.claim_token(session.task_id, session.session_id).expires_in == 604800
    anon, *rest = h.backend.requests
    assert anon.url.path == "/api/auth/anonymous-token" and "Authorization" not in anon.headers
    assert len(rest) == 11
    for request in h.backend.requests:
        for name, value in c.identity.headers().items():
            assert request.headers[name] == value, (request.url.path, name)
        assert request.headers["User-Agent"].startswith("openai-image-to-video/")
    assert all(r.headers["Authorization"] == "Bearer nmv_usr_xxxxxx" for r in rest)


def test_the_alternative_render_status_shape_from_the_documents(env: Harness) -> None:
    key = "GET /api/render/proxy/lambda/<id>"
    env.backend.on(
        "GET", "/api/render/", documented(key, "alt_response_init_doc_and_current_skill_text")
    )
    job = env.client.render_status("render_xxx")
    assert (job.id, job.status, job.progress) == ("render_xxx", "completed", 100)
    assert job.output_url == "https://cdn.example.com/renders/xxx/output.mp4"


# --- retry policy as data ---------------------------------------------------------------


def test_retry_delays_back_off_within_the_jitter_and_the_cap() -> None:
    policy = RetryPolicy()
    for attempt, base in [(1, 0.5), (2, 1.0), (3, 2.0), (5, 8.0), (9, 8.0)]:
        waits = [policy.delay(attempt) for _ in range(50)]
        assert all(base * 0.75 <= w <= base * 1.25 for w in waits), (attempt, waits)
    assert len({policy.delay(1) for _ in range(20)}) > 1  # jittered, not lockstep


def test_retry_after_wins_and_is_capped_and_a_bare_429_waits_30_s() -> None:
    policy = RetryPolicy()
    assert policy.delay(1, 3.0) == 3.0
    assert policy.delay(1, 600.0) == 60.0
    assert policy.delay(2, None, status=429) == 30.0
    assert RetryPolicy(jitter=0.0, backoff_base=1.0).delay(3) == 4.0


def test_a_long_retry_after_on_a_get_is_capped_at_60_s(env: Harness) -> None:
    env.backend.reply(
        "GET",
        "/api/state/",
        httpx.Response(503, headers={"Retry-After": "3600"}),
        envelope({"state": {}}),
    )
    env.client.state("s")
    assert env.waits == [60.0]


def test_a_custom_policy_bounds_the_attempts(tmp_path: Path) -> None:
    h = Harness(tmp_path, token=ENV_TOKEN)
    h.client.retry = RetryPolicy(max_retries=0)
    h.backend.reply("GET", "/api/credits/", httpx.Response(503))
    with pytest.raises(errors.ServerError):
        h.client.credits()
    assert h.count("/api/credits/") == 1 and h.waits == []


def test_cancel_is_idempotent_and_retried(env: Harness) -> None:
    env.backend.reply(
        "POST", "/api/render/proxy/lambda/r/cancel", httpx.Response(502),
        envelope({"status": "cancelled"}),
    )  # fmt: skip
    assert env.client.cancel_render("r").status == "cancelled"
    assert env.count("/api/render/") == 2 and len(env.waits) == 1


def test_create_session_is_resent_only_when_the_connection_never_opened(env: Harness) -> None:
    answers: list[Handler] = [
        _failing(httpx.ConnectError),
        lambda r: envelope({"task_id": "t", "session_id": "s"}),
    ]
    env.backend.on("POST", "/api/tasks/", lambda r: answers.pop(0)(r))
    assert env.client.create_session().session_id == "s"
    assert env.count("/api/tasks/") == 2


@pytest.mark.parametrize(
    "handler",
    [lambda r: httpx.Response(502), _failing(httpx.ReadTimeout), _failing(httpx.ReadError)],
    ids=["502", "read-timeout", "read-error"],
)
def test_create_session_is_not_resent_once_it_was_sent(env: Harness, handler: Handler) -> None:
    env.backend.on("POST", "/api/tasks/", handler)
    with pytest.raises((errors.ServerError, errors.TransportError)):
        env.client.create_session()
    assert env.count("/api/tasks/") == 1 and env.waits == []


def test_a_connect_failure_names_the_api_url(env: Harness) -> None:
    env.backend.on("GET", "/api/credits/", _failing(httpx.ConnectTimeout))
    with pytest.raises(errors.TransportError) as info:
        env.client.credits()
    assert not isinstance(info.value, errors.RequestTimeoutError)
    assert API in str(info.value)


# --- /run_sse -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "exc", "code"),
    [
        (httpx.Response(404, json={"detail": "Session not found"}),
         errors.SessionNotFoundError, 1002),
        (httpx.Response(422, json={"detail": [{"loc": ["body", "new_message"], "msg": "x"}]}),
         errors.APIError, 422),
        (httpx.Response(200, json={"code": 2001, "message": "no credits"}),
         errors.InsufficientCreditsError, 2001),
        (httpx.Response(503, text="busy"), errors.ServerError, 503),
    ],
    ids=["404-detail", "422", "2001", "503"],
)  # fmt: skip
def test_run_sse_errors_before_the_stream_are_raised_and_never_resent(
    env: Harness, answer: httpx.Response, exc: type[errors.NemoError], code: int
) -> None:
    env.backend.reply("POST", "/run_sse", answer)
    with pytest.raises(exc) as info:
        list(env.client.run_sse("s", "hi"))
    assert info.value.code == code
    assert env.count("/run_sse") == 1 and env.waits == []


def test_run_sse_read_timeout_before_any_byte_is_not_resent(env: Harness) -> None:
    env.backend.on("POST", "/run_sse", _failing(httpx.ReadTimeout))
    with pytest.raises(errors.RequestTimeoutError):
        list(env.client.run_sse("s", "hi"))
    assert env.count("/run_sse") == 1


class DropsAfterOneEvent(httpx.SyncByteStream):
    """One text event, then the peer goes away."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'data: {"type":"text","text":"working"}\n\n'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message")


def test_run_sse_mid_stream_drop_raises_after_the_events_that_arrived(env: Harness) -> None:
    env.backend.on("POST", "/run_sse", lambda r: httpx.Response(
        200, headers={"Content-Type": "text/event-stream"}, stream=DropsAfterOneEvent()))  # fmt: skip
    seen: list[object] = []
    with pytest.raises(errors.StreamInterruptedError):
        for event in env.client.run_sse("s", "hi"):
            seen.append(event)
    assert seen == [TextEvent("working")] and env.count("/run_sse") == 1


def test_run_sse_sends_undecodable_text_as_replacement_characters(env: Harness) -> None:
    env.backend.reply("POST", "/run_sse", httpx.Response(
        200, headers={"Content-Type": "text/event-stream"}, content=b""))  # fmt: skip
    assert list(env.client.run_sse("s", "bad \udcff end")) == []
    body = json.loads(env.backend.requests[0].content)
    assert body["new_message"]["parts"] == [{"text": "bad \ufffd end"}]


# --- auth failures say which token to fix ---------------------------------------------------


def test_a_rejected_nemo_token_says_to_fix_or_unset_it(env: Harness) -> None:
    env.backend.reply("POST", "/run_sse", httpx.Response(401, json={"code": 1001}))
    with pytest.raises(errors.AuthError) as info:
        list(env.client.run_sse("s", "hi"))
    assert "NEMO_TOKEN" in info.value.hint and env.count("/api/auth/") == 0
    assert ENV_TOKEN not in _all_text(info.value)


def test_a_rejected_fresh_anonymous_token_does_not_blame_nemo_token(h: Harness) -> None:
    h.backend.reply("GET", "/api/state/", httpx.Response(401, json={"code": 1001}))
    with pytest.raises(errors.AuthError) as info:
        h.client.state("s")
    assert "NEMO_TOKEN" not in info.value.hint and info.value.hint
    assert h.count("/api/state/") == 2 and h.count("/api/auth/anonymous-token") == 2


# --- the auth and credits commands ----------------------------------------------------------


@pytest.fixture
def cli_client(h: Harness, monkeypatch: pytest.MonkeyPatch) -> Harness:
    """``nemo-skill`` commands run against ``h``'s mock backend (anonymous user)."""
    h.backend.reply("GET", "/api/credits/", envelope({"available": 100, "frozen": 0}))
    monkeypatch.setattr(cli.Context, "client", lambda self: h.client)
    return h


def test_credits_command_text_for_an_anonymous_user(
    cli_client: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["credits"]) == 0
    out = capsys.readouterr().out
    web = cli_client.settings.web_url
    assert out.splitlines() == [
        "Credits: 100 available, 0 frozen, 100 total",
        f"Register to keep your work and get more credits: {web}/register?bind=anon_42",
    ]
    assert ANON_TOKEN not in out


def test_credits_command_json_for_a_nemo_token_user(
    env: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.backend.reply("GET", "/api/credits/", envelope({"available": 7.5, "frozen": 2}))
    monkeypatch.setattr(cli.Context, "client", lambda self: env.client)
    assert cli.main(["--json", "credits"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "available": 7.5,
        "frozen": 2,
        "total": 9.5,
        "user_id": None,
        "bind_url": None,
    }


def test_auth_command_json_names_the_user_never_the_token(
    cli_client: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--json", "auth"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert (data["user_id"], data["anonymous"]) == ("anon_42", True)
    assert (data["credits"]["available"], data["credits"]["total"]) == (100, 100)
    assert ANON_TOKEN not in captured.out + captured.err
    assert cli_client.count("/api/auth/anonymous-token") == 1


def test_auth_command_text(cli_client: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["auth"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ready. Signed in as anon_42.\nCredits: 100 available")
    assert ANON_TOKEN not in out


def test_auth_command_with_a_rejected_nemo_token_exits_3_without_the_token(
    env: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.backend.reply("GET", "/api/credits/", httpx.Response(401, json={"code": 1001}))
    monkeypatch.setattr(cli.Context, "client", lambda self: env.client)
    assert cli.main(["--json", "auth"]) == errors.AuthError.exit_code == 3
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert error["code"] == 1001 and "NEMO_TOKEN" in error["hint"]
    assert ENV_TOKEN not in captured.out + captured.err
