"""Every failure the skill can raise, each with a code, a hint and an exit code.

::

    NemoError                      exit 1   base class; never raised bare
    ├── UsageError                 exit 2   bad arguments, refused output path, bad local input
    ├── APIError                   exit 1   the backend answered with an error code
    │   ├── AuthError              exit 3   1001 bad or expired token
    │   ├── SessionNotFoundError   exit 4   1002 session not found
    │   ├── InsufficientCreditsError exit 5 2001 out of credits (bind URL in the hint)
    │   ├── UnsupportedFileError   exit 6   4001 unsupported file (also raised locally)
    │   ├── FileTooLargeError      exit 7   4002 file over 200 MB (also raised locally)
    │   ├── MissingClientIdError   exit 8   400  missing X-Client-Id
    │   ├── PlanRequiredError      exit 9   402  export blocked on the free plan
    │   ├── RateLimitError         exit 10  429  rate limited (retry_after seconds)
    │   └── ServerError            exit 14  5xx or an unknown code
    ├── TransportError             exit 11  could not reach the backend
    │   ├── RequestTimeoutError    exit 12  no answer in time (never re-sent when it charges)
    │   └── StreamInterruptedError exit 11  the /run_sse stream dropped mid-turn (never re-sent)
    ├── ProtocolError              exit 13  the backend answered something we cannot read
    └── RenderError                exit 15  a render job failed or was cancelled
    CancelledError (Ctrl-C)  exit 130

Errors are built from a response in one place, :func:`error_from_response`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

SUPPORTED_FORMATS: tuple[str, ...] = (
    "mp4", "mov", "avi", "webm", "mkv",
    "jpg", "jpeg", "png", "gif", "webp", "heic", "heif",
    "mp3", "wav", "m4a", "aac",
)  # fmt: skip
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
DEFAULT_WEB_URL = "https://nemovideo.com"


class NemoError(Exception):
    """Base of every error the skill raises.

    ``code`` is the backend code (or a symbolic name for local errors),
    ``status`` the HTTP status when there was one, ``hint`` what the user can do.
    """

    exit_code: ClassVar[int] = 1
    default_code: ClassVar[int | str] = "error"
    default_hint: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        code: int | str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code: int | str = self.default_code if code is None else code
        self.status = status
        self.hint = self.default_hint if hint is None else hint

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape printed by the CLI: ``{"code", "message", "hint"}``."""
        return {"code": self.code, "message": self.message, "hint": self.hint}

    def __str__(self) -> str:
        return self.message


class UsageError(NemoError):
    """Bad arguments or local input the user can fix before anything is sent."""

    exit_code = 2
    default_code = "usage"


class APIError(NemoError):
    """The backend answered with an error code."""

    default_code: ClassVar[int | str] = "api_error"


class AuthError(APIError):
    """1001: the token is missing, malformed or expired."""

    exit_code = 3
    default_code = 1001
    default_hint = (
        "The token is invalid or expired. Unset NEMO_TOKEN to use a fresh free "
        "anonymous token, or set a valid one."
    )


class SessionNotFoundError(APIError):
    """1002: the session does not exist (or belongs to someone else)."""

    exit_code = 4
    default_code = 1002
    default_hint = "The project session was not found; a new session will be started."


class InsufficientCreditsError(APIError):
    """2001: not enough credits for this turn."""

    exit_code = 5
    default_code = 2001

    def __init__(
        self,
        message: str = "Out of credits.",
        *,
        user_id: str | None = None,
        web_url: str = DEFAULT_WEB_URL,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.user_id = user_id
        self.bind_url = bind_url(web_url, user_id) if is_anonymous(user_id) else None
        if hint is None:
            hint = (
                f"Register to get more credits and keep this project: {self.bind_url}"
                if self.bind_url
                else "Top up credits in your account."
            )
        super().__init__(message, status=status, hint=hint)


class UnsupportedFileError(APIError):
    """4001: the file format is not supported (raised locally too)."""

    exit_code = 6
    default_code = 4001
    default_hint = (
        "Supported formats: "
        + ", ".join(SUPPORTED_FORMATS)
        + ". For photos use JPG, PNG, WEBP or HEIC."
    )


class FileTooLargeError(APIError):
    """4002: the file is over the 200 MB limit (raised locally too)."""

    exit_code = 7
    default_code = 4002
    default_hint = (
        "The limit is 200 MB: compress the image, lower its resolution or trim the media."
    )


class MissingClientIdError(APIError):
    """400: the anonymous-token request had no X-Client-Id."""

    exit_code = 8
    default_code = 400
    default_hint = "A client id was missing; the skill generates one and retries."


class PlanRequiredError(APIError):
    """402: export is blocked on the free plan (a plan problem, not credits)."""

    exit_code = 9
    default_code = 402
    default_hint = "Register or upgrade your plan to unlock export."


class RateLimitError(APIError):
    """429: rate limited; ``retry_after`` is the advised wait in seconds."""

    exit_code = 10
    default_code = 429
    default_hint = "Too many requests: wait a little and try again."

    def __init__(
        self,
        message: str = "Rate limited.",
        *,
        retry_after: float | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        if hint is None and retry_after is not None:
            hint = f"Too many requests: try again in {int(retry_after + 0.999)} s."
        super().__init__(message, status=status, hint=hint)


class ServerError(APIError):
    """A 5xx answer or an error code this client does not know."""

    exit_code = 14
    default_hint = "The backend had a problem; try again in a minute."


class TransportError(NemoError):
    """The backend could not be reached (DNS, refused, reset)."""

    exit_code = 11
    default_code = "network"
    default_hint = "Check the network connection and NEMO_API_URL, then try again."


class RequestTimeoutError(TransportError):
    """No answer in time. Requests that charge credits are never re-sent."""

    exit_code = 12
    default_code = "timeout"
    default_hint = (
        "The backend did not answer in time. Do not re-send the message: "
        "check `nemo-skill state` in a minute to see whether it went through."
    )


class StreamInterruptedError(TransportError):
    """The ``/run_sse`` stream dropped mid-turn. The message is never re-sent."""

    default_code = "stream_interrupted"
    default_hint = (
        "The connection dropped while the backend was working. The message was not re-sent "
        "(that would charge twice); check `nemo-skill state` to see what changed."
    )


class ProtocolError(NemoError):
    """The backend answered something that does not follow the contract."""

    exit_code = 13
    default_code = "protocol"
    default_hint = "The backend sent an unexpected answer; try again, and report it if it persists."


class RenderError(NemoError):
    """A render job failed or was cancelled."""

    exit_code = 15
    default_code = "render_failed"
    default_hint = "Check the timeline with `nemo-skill state`, then export again."


class CancelledError(NemoError):
    """The user interrupted the command (Ctrl-C)."""

    exit_code = 130
    default_code = "cancelled"
    default_hint = (
        "Interrupted. Nothing was re-sent; `nemo-skill export --resume` picks up a render."
    )


_BY_CODE: dict[int, type[APIError]] = {
    1001: AuthError,
    1002: SessionNotFoundError,
    2001: InsufficientCreditsError,
    4001: UnsupportedFileError,
    4002: FileTooLargeError,
    400: MissingClientIdError,
    402: PlanRequiredError,
    429: RateLimitError,
    401: AuthError,
    404: SessionNotFoundError,
    413: FileTooLargeError,
    415: UnsupportedFileError,
}


def is_anonymous(user_id: str | None) -> bool:
    """Anonymous users have ids starting with ``anon_``."""
    return bool(user_id) and str(user_id).startswith("anon_")


def bind_url(web_url: str, user_id: str | None) -> str:
    """The registration link that binds an anonymous user's work to a new account."""
    return f"{web_url.rstrip('/')}/register?bind={user_id}"


def parse_retry_after(value: str | None, *, default: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form), capped at 60."""
    if value is None:
        return default
    try:
        seconds = float(value.strip())
    except ValueError:
        return default
    if seconds != seconds or seconds < 0:  # NaN or negative
        return default
    return min(seconds, 60.0)


def _message_of(payload: Any) -> str | None:
    if not isinstance(payload, Mapping):
        return None
    for key in ("message", "msg", "detail", "error", "errorMessage"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping):
            inner = _message_of(value)
            if inner:
                return inner
    return None


def _code_of(payload: Any) -> int | None:
    if not isinstance(payload, Mapping):
        return None
    for source in (payload, payload.get("error")):
        if isinstance(source, Mapping):
            code = source.get("code")
            if isinstance(code, bool):
                continue
            if isinstance(code, int) and code != 0:
                return code
            if isinstance(code, str) and code.isdigit() and code != "0":
                return int(code)
    return None


def error_from_response(
    status: int,
    payload: Any,
    *,
    retry_after: str | None = None,
    user_id: str | None = None,
    web_url: str = DEFAULT_WEB_URL,
) -> NemoError:
    """Build the right error from an HTTP status and a decoded body.

    The body code wins over the HTTP status (the backend sends codes either way).
    """
    code = _code_of(payload)
    if code is None and status >= 400:
        code = status
    message = _message_of(payload) or f"The backend answered HTTP {status}" + (
        f" with code {code}." if code and code != status else "."
    )
    cls = _BY_CODE.get(code or 0)
    if cls is InsufficientCreditsError:
        return InsufficientCreditsError(message, user_id=user_id, web_url=web_url, status=status)
    if cls is RateLimitError:
        return RateLimitError(
            message, retry_after=parse_retry_after(retry_after, default=None), status=status
        )
    if cls is not None:
        return cls(message, status=status)
    if code is not None and code < 500 and status < 500 and status != 200:
        return APIError(message, code=code, status=status, hint="")
    return ServerError(message, code=code if code is not None else status, status=status)
