"""Every failure the skill can raise, each with a code, a hint and an exit code.

::

    NemoError                      exit 1   base class; never raised bare
    ├── UsageError                 exit 2   bad arguments, refused output path, bad local input
    ├── APIError                   exit 1   the backend answered with an error code
    │   ├── AuthError              exit 3   1001 bad or expired token
    │   ├── SessionNotFoundError   exit 4   1002 session not found
    │   ├── InsufficientCreditsError exit 5 2001 out of credits (bind URL in the hint)
    │   ├── UnsupportedFileError   exit 6   4001 unsupported file (also raised locally)
    │   ├── FileTooLargeError      exit 7   4002 file over the upload limit (also raised locally)
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

A hint names its next step symbolically (``{next}`` in the text, a
:class:`Next` in ``error.next``); any text of the core may name other steps as
``{next:NAME}`` (``{next:force}``, ``{next:export}``). Each shell words them
with its one table (the CLI as `` `nemo-skill state` ``, MCP as the ``state``
tool, the Python API as ``Skill.state()``): see :func:`word_hint` and
:meth:`NemoError.worded_hint`.
"""

from __future__ import annotations

import enum
import re
import shlex
from collections.abc import Mapping
from enum import IntEnum
from typing import Any, ClassVar

SUPPORTED_FORMATS: tuple[str, ...] = (
    "mp4", "mov", "avi", "webm", "mkv",
    "jpg", "jpeg", "png", "gif", "webp", "heic", "heif",
    "mp3", "wav", "m4a", "aac",
)  # fmt: skip
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_UPLOAD_TEXT = f"{MAX_UPLOAD_BYTES // 2**20} MB"  # how people read the limit: "200 MB"
DEFAULT_WEB_URL = "https://nemovideo.com"
NEXT_SLOT = "{next}"  # where a hint's own next step goes, worded by the shell
OFFLINE_TOP_UP_HINT = (
    "This is the offline embedded backend (no account, no registration): add credits with "
    "{next} {data_dir}, then send the message again."
)
_SLOTS = re.compile(r"\{next(?::([a-z_]+))?\}")  # {next} or {next:NAME}


class Next(enum.StrEnum):
    """A next step the core names; each shell words it (a command, a tool, a method, an option).

    Every shell's table words every member (tests/test_skill.py checks).
    """

    # Actions a hint or a reply points to.
    STATE = "state"  # look at the timeline to see what happened
    EXPORT = "export"  # start a new export
    EXPORT_RESUME = "export_resume"  # pick up an interrupted export by its job id
    EXPORT_STATUS = "export_status"  # check an export's progress by its job id
    CHAT = "chat"  # send an image and describe the clip
    CREDITS = "credits"  # see the balance
    PROJECTS = "projects"  # list this machine's projects
    GENERATE = "generate"  # a batch: one clip per image
    SETTINGS = "settings"  # the stored settings
    TOP_UP = "top_up"  # add credits to the offline embedded backend (it has no accounts)
    # Options of a call, named in hints ("use {next:force} to overwrite it").
    FILES = "files"  # the files sent with a message
    OUTPUT = "output"  # where the MP4 goes
    FORCE = "force"  # overwrite an existing output file
    FRESH = "fresh"  # forget a batch's progress and start over
    JOBS = "jobs"  # items of a batch in flight at once
    # Suggestions after a clip, an edit or an export (delivery.next_steps).
    ADD_MUSIC = "add_music"
    ADD_TITLE = "add_title"
    VERTICAL = "vertical"
    LONGER = "longer"
    EDIT = "edit"
    OPEN_LINK = "open_link"
    ANOTHER_CLIP = "another_clip"


# The Python API's wording of each step (what ``to_dict()`` says without a shell).
API_STEPS: Mapping[Next, str] = {
    Next.STATE: "Skill.state()",
    Next.EXPORT: "Skill.export()",
    Next.EXPORT_RESUME: "Skill.export(resume=job_id)",
    Next.EXPORT_STATUS: "Skill.export_status(job_id)",
    Next.CHAT: "Skill.chat(message, files=[image])",
    Next.CREDITS: "Skill.credits()",
    Next.PROJECTS: "Skill.projects()",
    Next.GENERATE: "Skill.generate(files)",
    Next.SETTINGS: "Settings.from_env() (NEMO_* variables, then config.json)",
    Next.TOP_UP: "Store(data_dir).add_credits(500) (nemo_skill.local.store) with data_dir",
    Next.FILES: "files=[...]",
    Next.OUTPUT: "output=PATH",
    Next.FORCE: "force=True",
    Next.FRESH: "fresh=True",
    Next.JOBS: "jobs=N",
    Next.ADD_MUSIC: 'Skill.chat("add calm background music")',
    Next.ADD_TITLE: "Skill.chat(\"add the title 'My Trip' at the start\")",
    Next.VERTICAL: 'Skill.chat("make it 9:16")',
    Next.LONGER: 'Skill.chat("make it 10 seconds long")',
    Next.EDIT: 'Skill.chat("a slower zoom in")',
    Next.OPEN_LINK: "Skill.claim_link()",
    Next.ANOTHER_CLIP: 'Skill.chat("animate this", files=["photo.jpg"])',
}


def word_hint(text: str, next_step: Next | str | None, steps: Mapping[Next, str]) -> str:
    """``text`` with its slots worded by a shell's table ``steps``.

    ``{next}`` is ``next_step`` (left as it is when there is none); ``{next:NAME}`` is
    that step. A step this version does not know (a record written by a newer one)
    reads "the next step".
    """

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or next_step
        if name is None:
            return match.group(0)
        try:
            step = Next(name)
        except ValueError:
            return "the next step"
        return steps.get(step, API_STEPS[step])

    return _SLOTS.sub(one, text) if "{next" in text else text


def word_error(error: Mapping[str, Any], steps: Mapping[Next, str]) -> dict[str, Any]:
    """A stored ``{code, message, hint, next}`` record as the shell's ``{code, message, hint}``."""
    hint = word_hint(str(error.get("hint") or ""), error.get("next"), steps)
    message = word_hint(str(error.get("message") or ""), None, steps)
    return {"code": error.get("code") or "error", "message": message, "hint": hint}


class ErrorCode(IntEnum):
    """Every error code of the backend contract, in one table.

    The client maps them to exceptions (:data:`_BY_CODE`); the embedded
    backend (:mod:`nemo_skill.local`) answers with them. Besides its own codes
    (1001...4002) the backend answers some errors with the HTTP status as code.
    """

    AUTH = 1001
    SESSION_NOT_FOUND = 1002
    INSUFFICIENT_CREDITS = 2001
    UNSUPPORTED_FILE = 4001
    FILE_TOO_LARGE = 4002
    BAD_REQUEST = 400  # also "missing X-Client-Id" on the anonymous-token call
    UNAUTHORIZED = 401
    PLAN_REQUIRED = 402
    NOT_FOUND = 404
    CONFLICT = 409
    GONE = 410  # an expired claim link
    PAYLOAD_TOO_LARGE = 413
    UNSUPPORTED_MEDIA = 415
    INVALID_BODY = 422
    RATE_LIMITED = 429
    INTERNAL = 500
    INSUFFICIENT_STORAGE = 507  # the embedded backend's disk is full (message names the folder)


class NemoError(Exception):
    """Base of every error the skill raises.

    ``code`` is the backend code (or a symbolic name for local errors),
    ``status`` the HTTP status when there was one, ``hint`` what the user can do.
    """

    exit_code: ClassVar[int] = 1
    label: ClassVar[str] = "error"  # the CLI help's name for this exit code
    default_code: ClassVar[int | str] = "error"
    default_hint: ClassVar[str] = ""
    default_next: ClassVar[Next | None] = None

    def __init__(
        self,
        message: str,
        *,
        code: int | str | None = None,
        status: int | None = None,
        hint: str | None = None,
        next: Next | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        chosen = self.default_code if code is None else code
        # Plain ints at run time: ErrorCode names the codes, callers compare and print numbers.
        self.code: int | str = int(chosen) if isinstance(chosen, ErrorCode) else chosen
        self.status = status
        self.hint = self.default_hint if hint is None else hint
        self.next = self.default_next if next is None else next

    def worded_hint(self, steps: Mapping[Next, str] = API_STEPS) -> str:
        """The hint with its next steps worded by a shell (``steps``)."""
        return word_hint(self.hint, self.next, steps)

    def worded_message(self, steps: Mapping[Next, str] = API_STEPS) -> str:
        """The message with any step it names worded by a shell (``steps``)."""
        return word_hint(self.message, None, steps)

    def to_dict(self, steps: Mapping[Next, str] = API_STEPS) -> dict[str, Any]:
        """The JSON shape every shell prints: ``{"code", "message", "hint"}``."""
        return {
            "code": self.code,
            "message": self.worded_message(steps),
            "hint": self.worded_hint(steps),
        }

    def to_record(self) -> dict[str, Any]:
        """The stored form, still symbolic: ``{"code", "message", "hint"}`` (+ ``"next"``)."""
        record: dict[str, Any] = {"code": self.code, "message": self.message, "hint": self.hint}
        if self.next is not None:
            record["next"] = self.next.value
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> NemoError:
        """The error of a stored ``{code, message, hint, next}`` record."""
        step = record.get("next")
        return NemoError(
            str(record.get("message") or "The turn failed."),
            code=record.get("code") or "error",
            hint=str(record.get("hint") or ""),
            next=Next(step) if step in {n.value for n in Next} else None,
        )

    @classmethod
    def unexpected(cls, exc: BaseException) -> NemoError:
        """A bug surfaced as a plain error (never a traceback)."""
        return NemoError(
            f"Unexpected error: {type(exc).__name__}: {exc}",
            hint="This is a bug in the skill; please report it with the steps that led here.",
        )

    def __str__(self) -> str:
        return self.message


class UsageError(NemoError):
    """Bad arguments or local input the user can fix before anything is sent."""

    exit_code = 2
    label = "usage / bad input"
    default_code = "usage"


class APIError(NemoError):
    """The backend answered with an error code."""

    default_code: ClassVar[int | str] = "api_error"


class AuthError(APIError):
    """1001: the token is missing, malformed or expired."""

    exit_code = 3
    label = "token"
    default_code = ErrorCode.AUTH
    default_hint = (
        "The token is invalid or expired. Unset NEMO_TOKEN to use a fresh free "
        "anonymous token, or set a valid one."
    )


class SessionNotFoundError(APIError):
    """1002: the session does not exist (or belongs to someone else)."""

    exit_code = 4
    label = "session"
    default_code = ErrorCode.SESSION_NOT_FOUND
    default_hint = "The project session was not found; a new session will be started."


class InsufficientCreditsError(APIError):
    """2001: not enough credits for this turn."""

    exit_code = 5
    label = "credits"
    default_code = ErrorCode.INSUFFICIENT_CREDITS

    def __init__(
        self,
        message: str = "Out of credits.",
        *,
        user_id: str | None = None,
        web_url: str = DEFAULT_WEB_URL,
        status: int | None = None,
        hint: str | None = None,
        next: Next | None = None,
    ) -> None:
        self.user_id = user_id
        self.bind_url = bind_url(web_url, user_id) if is_anonymous(user_id) else None
        if hint is None:
            hint = (
                f"Register to get more credits and keep this project: {self.bind_url}"
                if self.bind_url
                else "Top up credits in your account."
            )
        super().__init__(message, status=status, hint=hint, next=next)


class UnsupportedFileError(APIError):
    """4001: the file format is not supported (raised locally too)."""

    exit_code = 6
    label = "unsupported file"
    default_code = ErrorCode.UNSUPPORTED_FILE
    default_hint = (
        "Supported formats: "
        + ", ".join(SUPPORTED_FORMATS)
        + ". For photos use JPG, PNG, WEBP or HEIC."
    )


class FileTooLargeError(APIError):
    """4002: the file is over the upload limit (:data:`MAX_UPLOAD_TEXT`; raised locally too)."""

    exit_code = 7
    label = "file too large"
    default_code = ErrorCode.FILE_TOO_LARGE
    default_hint = (
        f"The limit is {MAX_UPLOAD_TEXT}: compress the image, lower its resolution or trim "
        "the media."
    )


class MissingClientIdError(APIError):
    """400: the anonymous-token request had no X-Client-Id."""

    exit_code = 8
    label = "client id"
    default_code = ErrorCode.BAD_REQUEST
    default_hint = "A client id was missing; the skill generates one and retries."


class PlanRequiredError(APIError):
    """402: export is blocked on the free plan (a plan problem, not credits)."""

    exit_code = 9
    label = "plan"
    default_code = ErrorCode.PLAN_REQUIRED
    default_hint = "Register or upgrade your plan to unlock export."


class RateLimitError(APIError):
    """429: rate limited; ``retry_after`` is the advised wait in seconds."""

    exit_code = 10
    label = "rate limited"
    default_code = ErrorCode.RATE_LIMITED
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
    label = "server error"
    default_hint = "The backend had a problem; try again in a minute."


class TransportError(NemoError):
    """The backend could not be reached (DNS, refused, reset)."""

    exit_code = 11
    label = "network"
    default_code = "network"
    default_hint = "Check the network connection and NEMO_API_URL, then try again."


class RequestTimeoutError(TransportError):
    """No answer in time. Requests that charge credits are never re-sent."""

    exit_code = 12
    label = "timeout"
    default_code = "timeout"
    default_hint = (
        "The backend did not answer in time. Do not re-send the message: "
        "check {next} in a minute to see whether it went through."
    )
    default_next = Next.STATE


class StreamInterruptedError(TransportError):
    """The ``/run_sse`` stream dropped mid-turn. The message is never re-sent."""

    default_code = "stream_interrupted"
    default_hint = (
        "The connection dropped while the backend was working. The message was not re-sent "
        "(that would charge twice); check {next} to see what changed."
    )
    default_next = Next.STATE


class ProtocolError(NemoError):
    """The backend answered something that does not follow the contract."""

    exit_code = 13
    label = "protocol"
    default_code = "protocol"
    default_hint = "The backend sent an unexpected answer; try again, and report it if it persists."


class RenderError(NemoError):
    """A render job failed or was cancelled."""

    exit_code = 15
    label = "render failed"
    default_code = "render_failed"
    default_hint = "Check the timeline with {next}, then export again."
    default_next = Next.STATE


class CancelledError(NemoError):
    """The user interrupted the command (Ctrl-C)."""

    exit_code = 130
    label = "interrupted"
    default_code = "cancelled"
    default_hint = "Interrupted. Nothing was re-sent; {next} picks up a render."
    default_next = Next.EXPORT_RESUME


_BY_CODE: dict[int, type[APIError]] = {
    ErrorCode.AUTH: AuthError,
    ErrorCode.SESSION_NOT_FOUND: SessionNotFoundError,
    ErrorCode.INSUFFICIENT_CREDITS: InsufficientCreditsError,
    ErrorCode.UNSUPPORTED_FILE: UnsupportedFileError,
    ErrorCode.FILE_TOO_LARGE: FileTooLargeError,
    ErrorCode.BAD_REQUEST: MissingClientIdError,
    ErrorCode.PLAN_REQUIRED: PlanRequiredError,
    ErrorCode.RATE_LIMITED: RateLimitError,
    ErrorCode.UNAUTHORIZED: AuthError,
    ErrorCode.NOT_FOUND: SessionNotFoundError,
    ErrorCode.PAYLOAD_TOO_LARGE: FileTooLargeError,
    ErrorCode.UNSUPPORTED_MEDIA: UnsupportedFileError,
}


def exit_codes() -> list[tuple[int, str]]:
    """``(exit code, meaning)`` for 0 and every error class, in code order (the CLI help's table).

    A backend code is named beside its meaning (``token (1001)``).
    """
    table: dict[int, str] = {0: "ok"}
    pending: list[type[NemoError]] = [NemoError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.exit_code in table or "label" not in vars(cls):
            continue  # an unlabelled subclass shares its parent's code (and line)
        code = cls.default_code
        table[cls.exit_code] = cls.label + (f" ({code})" if isinstance(code, int) else "")
    return sorted(table.items())


def is_anonymous(user_id: str | None) -> bool:
    """Anonymous users have ids starting with ``anon_``."""
    return bool(user_id) and str(user_id).startswith("anon_")


def bind_url(web_url: str, user_id: str | None) -> str:
    """The registration link that binds an anonymous user's work to a new account."""
    return f"{web_url.rstrip('/')}/register?bind={user_id}"


def parse_retry_after(
    value: str | None, *, default: float | None = None, cap: float | None = 60.0
) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form), capped at ``cap``.

    ``cap=None`` reads the backend's whole advice (to tell the user when to try again).
    """
    if value is None:
        return default
    try:
        seconds = float(value.strip())
    except ValueError:
        return default
    if seconds != seconds or seconds < 0:  # NaN or negative
        return default
    return seconds if cap is None else min(seconds, cap)


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


def _credits_error(
    message: str, payload: Any, *, status: int, user_id: str | None, web_url: str
) -> InsufficientCreditsError:
    """2001: the backend may say how to get credits (the embedded one: offline, no account).

    The embedded backend names its offline top-up symbolically too (``data.next`` is
    ``top_up``, with its ``data_dir``): each shell then words the step itself.
    """
    data = payload.get("data") if isinstance(payload, Mapping) else None
    data = data if isinstance(data, Mapping) else {}
    folder = data.get("data_dir")
    if data.get("next") == Next.TOP_UP and isinstance(folder, str) and folder.strip():
        hint = OFFLINE_TOP_UP_HINT.replace("{data_dir}", shlex.quote(folder.strip()[:400]))
        return InsufficientCreditsError(message, user_id=user_id, web_url=web_url,
                                        status=status, hint=hint, next=Next.TOP_UP)  # fmt: skip
    return InsufficientCreditsError(
        message, user_id=user_id, web_url=web_url, status=status, hint=_hint_of(payload)
    )


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
    told = _hint_of(payload)  # a backend may say what to do (the embedded one does, offline)
    if cls is InsufficientCreditsError:
        return _credits_error(message, payload, status=status, user_id=user_id, web_url=web_url)
    if cls is RateLimitError:
        return RateLimitError(
            message,
            retry_after=parse_retry_after(retry_after, default=None),
            status=status,
            hint=told,
        )
    if cls is not None:
        return cls(message, status=status, hint=told)
    if code is not None and code < 500 and status < 500 and status != 200:
        return APIError(message, code=code, status=status, hint=told or "")
    return ServerError(message, code=code if code is not None else status, status=status, hint=told)


def _hint_of(payload: Any) -> str | None:
    """The envelope's ``data.hint``: what the backend says to do (None when it says nothing)."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    told = data.get("hint") if isinstance(data, Mapping) else None
    return told.strip()[:500] if isinstance(told, str) and told.strip() else None
