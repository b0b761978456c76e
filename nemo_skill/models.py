"""Typed requests and responses of the NemoVideo contract.

Tolerant on input (every documented variant parses: ``code/data`` or
``success/data`` envelopes, render status at ``data.status`` or ``status``,
output URL at ``data.outputUrl``, ``outputUrl`` or ``output.url``, numeric
session ids), strict on output (requests serialise to the documented shape).

The draft (timeline) keeps unknown keys: the backend and the local engine add
their own segment fields, and a draft must survive a round trip unchanged.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nemo_skill.draft import Placed, TrackType, segments

RenderStatus = Literal["pending", "processing", "completed", "failed", "cancelled"]
TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", "failed", "cancelled"})


class _Tolerant(BaseModel):
    """Accept and keep unknown fields; allow population by name or alias."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _as_str(value: Any) -> Any:
    """Ids arrive as numbers in some docs: keep them as exact strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value


def _envelope_code(value: Any) -> int:
    """A whole-number code; anything else (a name, ``None``, a bool) is the error code -1."""
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return -1


class Envelope(BaseModel):
    """``{"code", "message", "data"}`` or ``{"success", "data", "error"}`` or a bare object."""

    code: int = 0
    message: str = ""
    data: Any = None

    @classmethod
    def parse(cls, payload: Any) -> Envelope:
        """Normalise every envelope variant; a bare object becomes ``data``."""
        if not isinstance(payload, Mapping):
            return cls(data=payload)
        if "code" in payload and isinstance(payload.get("code"), int | str):
            code = _envelope_code(payload["code"])
            message = str(payload.get("message") or "")
            return cls(code=code, message=message, data=payload.get("data"))
        if "success" in payload:
            ok = bool(payload.get("success"))
            error = payload.get("error")
            message = error.get("message", "") if isinstance(error, Mapping) else str(error or "")
            code = _envelope_code(error.get("code")) if isinstance(error, Mapping) else -1
            code = 0 if ok else code
            return cls(code=code, message=message, data=payload.get("data"))
        return cls(data=dict(payload))


# --- auth -----------------------------------------------------------------


class AnonymousToken(_Tolerant):
    """``data`` of ``POST /api/auth/anonymous-token``."""

    token: str = Field(repr=False)
    user_id: str | None = None
    expires_at: str | float | int | None = None
    credits: int | None = None

    _ids = field_validator("user_id", mode="before")(_as_str)


class ClaimToken(_Tolerant):
    """``data`` of ``POST /api/auth/claim-token``."""

    claim_token: str
    expires_in: int | None = None


# --- sessions -------------------------------------------------------------


class CreateSessionRequest(BaseModel):
    """Body of ``POST /api/tasks/me/with-session/nemo_agent``."""

    task_name: str = "project"
    language: str = "en"


class SessionInfo(_Tolerant):
    """``data`` of the create-session call; ids are kept as strings."""

    task_id: str | None = None
    session_id: str
    user_id: str | None = None

    _ids = field_validator("task_id", "session_id", "user_id", mode="before")(_as_str)


# --- run_sse --------------------------------------------------------------


class Part(BaseModel):
    """One part of a message; only text is sent by the skill."""

    text: str


class NewMessage(BaseModel):
    """``new_message`` of a ``/run_sse`` request."""

    role: Literal["user"] = "user"
    parts: list[Part]


class RunSSERequest(BaseModel):
    """Body of ``POST /run_sse``."""

    app_name: str = "nemo_agent"
    user_id: str = "me"
    session_id: str
    new_message: NewMessage

    @classmethod
    def for_text(cls, session_id: str, text: str) -> RunSSERequest:
        """A request carrying one user text message."""
        return cls(session_id=session_id, new_message=NewMessage(parts=[Part(text=text)]))


# --- upload ---------------------------------------------------------------


class UploadedFile(_Tolerant):
    """One entry of ``data.files`` of the upload call."""

    filename: str = ""
    file_type: str | None = None
    cdn_url: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    hash: str | None = None


class UploadResult(_Tolerant):
    """``data`` of ``POST /api/upload-video/nemo_agent/me/<sid>``."""

    files: list[UploadedFile] = Field(default_factory=list)
    session_state_applied: bool | None = None


class UrlUploadRequest(BaseModel):
    """JSON body of the URL form of the upload call."""

    urls: list[str]
    source_type: Literal["url"] = "url"


# --- credits --------------------------------------------------------------


class Credits(_Tolerant):
    """``data`` of ``GET /api/credits/balance/simple``."""

    available: float = 0
    frozen: float = 0
    total: float = 0

    @model_validator(mode="after")
    def _fill_total(self) -> Credits:
        if not self.total and (self.available or self.frozen):
            self.total = self.available + self.frozen
        return self


# --- draft / state --------------------------------------------------------


class Segment(_Tolerant):
    """A timeline segment: ``d`` is its duration in ms; engine fields are kept as extras.

    Fields the local engine understands (all optional): ``id``, ``st`` start ms,
    ``src``, ``name``, ``motion``, ``speed``, ``transition``, ``text``, ``role``,
    ``position``, ``size``, ``style``, ``volume``, ``fade_in``, ``fade_out``
    (see docs/draft.md).
    """

    d: int = 0

    @field_validator("d", mode="before")
    @classmethod
    def _ms(cls, value: Any) -> Any:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError("duration must be a finite number of milliseconds")
            return round(value)
        return 0 if value is None else value


class Track(_Tolerant):
    """A timeline track: ``tt`` a :class:`~nemo_skill.draft.TrackType` value (0 video, 1 audio,
    7 text; others are kept); ``sg`` its segments."""

    tt: int = TrackType.VIDEO
    sg: list[Segment] = Field(default_factory=list)


class Draft(_Tolerant):
    """The timeline: ``t`` tracks and ``m`` metadata (width, height, fps, ...)."""

    t: list[Track] = Field(default_factory=list)
    m: dict[str, Any] = Field(default_factory=dict)

    @property
    def renderable(self) -> bool:
        """A draft can be exported when some track has segments."""
        return any(track.sg for track in self.t)

    def to_wire(self) -> dict[str, Any]:
        """The draft as JSON-ready data; unknown fields, nulls included, pass through unchanged."""
        return self.model_dump(mode="json")

    def digest(self) -> str:
        """A stable digest of the draft (key order does not matter): "did it change?"."""
        raw = json.dumps(self.to_wire(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def placed(self, tt: TrackType | None = None) -> list[Placed]:
        """The segments (of tracks of type ``tt``, or all) with their start and duration by
        the draft module's one start rule, read tolerantly."""
        return segments(self.to_wire(), tt)


class StateData(_Tolerant):
    """``data.state`` of the state call."""

    video_infos: list[Any] = Field(default_factory=list)
    draft: Draft | None = None
    canvas_config: dict[str, Any] = Field(default_factory=dict)
    video_analyses: Any = None
    generated_media: list[Any] = Field(default_factory=list)

    @field_validator("draft", mode="before")
    @classmethod
    def _empty_draft(cls, value: Any) -> Any:
        return None if value in ({}, "", None) else value

    @field_validator("video_infos", "generated_media", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("canvas_config", mode="before")
    @classmethod
    def _dictify(cls, value: Any) -> Any:
        return {} if value is None else value


class SessionState(_Tolerant):
    """``data`` of ``GET /api/state/nemo_agent/me/<sid>/latest``."""

    session_id: str | None = None
    task_id: str | None = None
    task_name: str | None = None
    state: StateData = Field(default_factory=StateData)

    _ids = field_validator("session_id", "task_id", mode="before")(_as_str)

    @field_validator("state", mode="before")
    @classmethod
    def _state(cls, value: Any) -> Any:
        return {} if value is None else value

    @property
    def draft(self) -> Draft | None:
        """The latest draft, if the session has one."""
        return self.state.draft


# --- render ---------------------------------------------------------------


class RenderOutput(BaseModel):
    """``output`` of a render request."""

    format: str = "mp4"
    quality: str = "high"


class RenderRequest(BaseModel):
    """Body of ``POST /api/render/proxy/lambda``."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    session_id: str = Field(alias="sessionId")
    draft: dict[str, Any]
    output: RenderOutput = Field(default_factory=RenderOutput)

    def to_wire(self) -> dict[str, Any]:
        """camelCase JSON body as the contract documents it."""
        return self.model_dump(mode="json", by_alias=True)


class RenderJob(_Tolerant):
    """A render job's status, from any documented response shape."""

    id: str = ""
    status: RenderStatus = "pending"
    progress: float = 0
    output_url: str | None = None
    error: str | None = None
    created_at: float | None = None
    completed_at: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        data = dict(value)
        inner = data.get("data")
        if isinstance(inner, Mapping):  # {"success":..., "data": {...}} kept whole
            data = {**{k: v for k, v in data.items() if k != "data"}, **inner}
        output = data.get("output")
        url = data.get("outputUrl") or data.get("output_url") or data.get("url")
        if not url and isinstance(output, Mapping):
            url = output.get("url")
        error = data.get("error") or data.get("errorMessage") or data.get("message")
        if isinstance(error, Mapping):
            error = error.get("message") or str(error)
        progress = data.get("progress") or 0
        if not isinstance(progress, int | float) or isinstance(progress, bool):
            progress = 0
        progress = min(100.0, max(0.0, float(progress))) if math.isfinite(progress) else 0.0
        status = str(data.get("status") or "pending").lower()
        status = {"queued": "pending", "running": "processing", "rendering": "processing",
                  "done": "completed", "succeeded": "completed", "success": "completed",
                  "error": "failed", "canceled": "cancelled"}.get(status, status)  # fmt: skip
        return {
            **data,
            "id": _as_str(data.get("id") or data.get("taskId") or data.get("task_id") or ""),
            "status": status,
            "progress": progress,
            "output_url": url,
            "error": error if isinstance(error, str) and status == "failed" else None,
            "created_at": data.get("createdAt") or data.get("created_at"),
            "completed_at": data.get("completedAt") or data.get("completed_at"),
        }

    @property
    def done(self) -> bool:
        """True once the job can no longer change."""
        return self.status in TERMINAL_STATUSES
