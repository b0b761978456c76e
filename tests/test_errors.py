"""The error tree: one class, one exit code and one JSON shape per failure."""

from __future__ import annotations

import re

import pytest

from nemo_skill import errors
from nemo_skill.errors import (
    APIError,
    AuthError,
    FileTooLargeError,
    InsufficientCreditsError,
    MissingClientIdError,
    NemoError,
    PlanRequiredError,
    RateLimitError,
    ServerError,
    SessionNotFoundError,
    StreamInterruptedError,
    TransportError,
    UnsupportedFileError,
    error_from_response,
    parse_retry_after,
)

WEB = "https://web.example"

CODES: list[tuple[int, type[APIError]]] = [
    (1001, AuthError),
    (1002, SessionNotFoundError),
    (2001, InsufficientCreditsError),
    (4001, UnsupportedFileError),
    (4002, FileTooLargeError),
    (400, MissingClientIdError),
    (402, PlanRequiredError),
    (429, RateLimitError),
]


@pytest.mark.parametrize(("code", "cls"), CODES)
def test_code_in_the_body(code: int, cls: type[APIError]) -> None:
    error = error_from_response(200, {"code": code, "message": "backend says no", "data": None})
    assert type(error) is cls
    assert error.code == code
    assert error.message == "backend says no"
    assert error.status == 200
    assert error.hint


@pytest.mark.parametrize(("code", "cls"), CODES)
def test_code_as_a_string_or_nested(code: int, cls: type[APIError]) -> None:
    assert type(error_from_response(200, {"code": str(code)})) is cls
    nested = {"success": False, "error": {"code": code, "message": "nested"}}
    error = error_from_response(200, nested)
    assert type(error) is cls
    assert error.message == "nested"


# HTTP statuses that mean the same as a contract code.
STATUSES: list[tuple[int, type[APIError]]] = [
    *[(code, cls) for code, cls in CODES if code < 600],
    (401, AuthError),
    (404, SessionNotFoundError),
    (413, FileTooLargeError),
    (415, UnsupportedFileError),
]


@pytest.mark.parametrize(("status", "cls"), STATUSES)
def test_code_as_the_http_status(status: int, cls: type[APIError]) -> None:
    error = error_from_response(status, None)
    assert type(error) is cls
    assert error.status == status
    assert str(status) in error.message


def test_body_code_wins_over_status() -> None:
    assert type(error_from_response(400, {"code": 2001})) is InsufficientCreditsError
    assert type(error_from_response(500, {"code": 1002})) is SessionNotFoundError


def test_message_is_found_in_every_usual_place() -> None:
    assert error_from_response(404, {"detail": "Session not found"}).message == "Session not found"
    assert error_from_response(400, {"msg": "m"}).message == "m"
    assert error_from_response(400, {"error": "plain"}).message == "plain"
    assert error_from_response(400, {"errorMessage": "camel"}).message == "camel"
    assert error_from_response(400, "not a mapping").message.startswith("The backend answered")


def test_unknown_client_code_is_a_plain_api_error() -> None:
    error = error_from_response(418, {"code": 418, "message": "teapot"})
    assert type(error) is APIError
    assert error.code == 418
    assert error.exit_code == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_a_server_error(status: int) -> None:
    error = error_from_response(status, None)
    assert type(error) is ServerError
    assert error.code == status
    assert error.exit_code == 14
    assert "try again" in error.hint


def test_unknown_code_on_200_is_a_server_error() -> None:
    error = error_from_response(200, {"code": 9999, "message": "odd"})
    assert type(error) is ServerError
    assert error.code == 9999


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("60", 60.0),
        ("3600", 60.0),
        ("inf", 60.0),
        ("garbage", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("-3", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected
    error = error_from_response(429, None, retry_after=header)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == expected


def test_retry_after_default_and_hint() -> None:
    assert parse_retry_after("junk", default=30.0) == 30.0
    assert parse_retry_after(None, default=30.0) == 30.0
    assert "7 s" in RateLimitError(retry_after=6.2).hint
    assert RateLimitError().hint == RateLimitError.default_hint


def test_credits_hint_for_anonymous_users_is_the_bind_link() -> None:
    error = error_from_response(200, {"code": 2001}, user_id="anon_abc123", web_url=WEB + "/")
    assert isinstance(error, InsufficientCreditsError)
    assert error.bind_url == f"{WEB}/register?bind=anon_abc123"
    assert error.bind_url in error.hint
    assert "Top up" not in error.hint


@pytest.mark.parametrize("user_id", ["usr_42", None, ""])
def test_credits_hint_for_registered_users_is_top_up(user_id: str | None) -> None:
    error = error_from_response(402 if user_id else 200, {"code": 2001}, user_id=user_id)
    assert isinstance(error, InsufficientCreditsError)
    assert error.bind_url is None
    assert "Top up" in error.hint
    assert "register?bind" not in error.hint


def test_plan_required_is_about_the_plan_not_credits() -> None:
    hint = error_from_response(402, None).hint.lower()
    assert "register" in hint and "plan" in hint
    assert "credit" not in hint


def _classes() -> list[type[NemoError]]:
    found = [NemoError]
    for cls in found:
        found.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__ == errors.__name__]


def test_exit_codes_are_distinct_except_the_documented_sharing() -> None:
    by_exit: dict[int, set[str]] = {}
    for cls in _classes():
        by_exit.setdefault(cls.exit_code, set()).add(cls.__name__)
    shared = {code: names for code, names in by_exit.items() if len(names) > 1}
    assert shared == {
        1: {"NemoError", "APIError"},  # the base classes; never raised for a known code
        11: {"TransportError", "StreamInterruptedError"},  # both: the network failed
    }
    assert issubclass(StreamInterruptedError, TransportError)


def test_the_docstring_tree_lists_every_class_with_its_exit_code() -> None:
    assert errors.__doc__
    drawn = dict(re.findall(r"(\w+Error)\b[^\n]*?exit (\d+)", errors.__doc__))
    assert {name: int(code) for name, code in drawn.items()} == {
        cls.__name__: cls.exit_code for cls in _classes()
    }


@pytest.mark.parametrize("cls", _classes(), ids=lambda cls: cls.__name__)
def test_to_dict_shape(cls: type[NemoError]) -> None:
    error = cls("what happened")
    data = error.to_dict()
    assert list(data) == ["code", "message", "hint"]
    assert data["message"] == "what happened" == str(error)
    assert isinstance(data["code"], int | str)
    assert isinstance(data["hint"], str)


def test_explicit_code_and_hint_override_the_defaults() -> None:
    error = UnsupportedFileError("bad", code="local_format", hint="use a JPG")
    assert error.to_dict() == {"code": "local_format", "message": "bad", "hint": "use a JPG"}
    assert "jpg" in UnsupportedFileError("x").hint and "200 MB" in FileTooLargeError("x").hint


def test_one_code_table_for_client_and_backend() -> None:
    from nemo_skill.errors import _BY_CODE, ErrorCode

    assert set(_BY_CODE) <= set(ErrorCode)
    contract = {1001, 1002, 2001, 4001, 4002, 400, 402, 429}
    assert contract <= {int(c) for c in ErrorCode}
    for code, cls in _BY_CODE.items():
        made = error_from_response(400 if code < 1000 else 200, {"code": int(code), "message": "m"})
        assert isinstance(made, cls)
        assert type(made.code) is int  # a plain number on the wire and in messages


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [(415, 4001, errors.UnsupportedFileError), (429, 429, errors.RateLimitError),
     (507, 507, errors.ServerError), (409, 409, errors.APIError)],
)  # fmt: skip
def test_a_hint_the_backend_gives_is_the_hint_shown(
    status: int, code: int, cls: type[errors.NemoError]
) -> None:
    told = {"code": code, "message": "m", "data": {"hint": " Crop it, then upload again. "}}
    error = errors.error_from_response(status, told)
    assert type(error) is cls and error.hint == "Crop it, then upload again."
    plain = errors.error_from_response(status, {"code": code, "message": "m", "data": None})
    assert plain.hint != error.hint  # without one, the class's own hint
