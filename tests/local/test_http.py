"""HTTP plumbing: Range parsing, envelopes for auth and body-limit errors, no stack traces."""

from __future__ import annotations

import pytest

from nemo_skill.local.http import JSON_LIMIT, byte_range
from tests.local.conftest import Api


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-50", (950, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=900-5000", (900, 999)),
        (" bytes=1-1 ", (1, 1)),
        ("bytes=-", None),
        ("items=0-1", None),
        ("bytes=0-1,5-6", None),  # multiple ranges: the whole file, as allowed
    ],
)
def test_byte_range(header: str, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-4", "bytes=2000-3000"])
def test_unsatisfiable_ranges_raise(header: str) -> None:
    with pytest.raises(ValueError, match="unsatisfiable"):
        byte_range(header, 1000)


def test_auth_errors_are_1001_envelopes(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        response = api.http.get("/api/credits/balance/simple", headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert body["code"] == 1001 and body["data"] is None
        assert "token" in body["message"]


def test_oversized_json_is_413_and_unknown_paths_404(api: Api) -> None:
    big = b'{"task_name": "' + b"x" * JSON_LIMIT + b'"}'
    response = api.http.post(
        "/api/tasks/me/with-session/nemo_agent",
        headers=api.headers(**{"Content-Type": "application/json"}),
        content=big,
    )
    assert response.status_code == 413
    assert response.json() == {"code": 413, "message": "Request body too large.", "data": None}
    missing = api.http.get("/no/such/path", headers=api.headers())
    assert missing.status_code == 404 and missing.json()["code"] == 404
    wrong_method = api.http.get("/run_sse", headers=api.headers())
    assert wrong_method.status_code == 404 and wrong_method.json()["message"] == "Not found."


def test_invalid_bodies_name_the_field(api: Api) -> None:
    response = api.http.post("/api/auth/claim-token", headers=api.headers(), json={"task_id": "t"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == 422 and "session_id" in body["message"]
