"""``NemoClient``: the NemoVideo HTTP API, one method per endpoint.

Auth is automatic: ``NEMO_TOKEN``, else the cached token, else a free
anonymous token (cached 0600). A 1001 answer drops the token, re-authenticates
once and retries once. Responses are turned into models or errors in one
place (:meth:`NemoClient._parse`). Retries follow a :class:`RetryPolicy`, and
only for idempotent calls: requests that create work or charge credits
(``/run_sse``, render submit, upload) are never re-sent once they were sent.
The token is never part of a message, a URL or a ``repr``.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import random
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urljoin, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from nemo_skill import __version__
from nemo_skill.config import CachedToken, Settings, StateStore, parse_expiry
from nemo_skill.errors import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_TEXT,
    SUPPORTED_FORMATS,
    AuthError,
    FileTooLargeError,
    MissingClientIdError,
    NemoError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    TransportError,
    UnsupportedFileError,
    UsageError,
    error_from_response,
    parse_retry_after,
)
from nemo_skill.events import Event, iter_events
from nemo_skill.limiter import Limiter
from nemo_skill.manifest import SkillIdentity, default_identity
from nemo_skill.models import (
    AnonymousToken,
    ClaimToken,
    CreateSessionRequest,
    Credits,
    Envelope,
    RenderJob,
    RenderRequest,
    RunSSERequest,
    SessionInfo,
    SessionState,
    UploadResult,
    UrlUploadRequest,
)
from nemo_skill.render import new_render_id

M = TypeVar("M", bound=BaseModel)
# 1 MiB: as fast as 4 MiB on loopback (bench/upload.py) at a quarter of the memory.
UPLOAD_CHUNK = 1024 * 1024
DOWNLOAD_CHUNK = 1024 * 1024
ProgressFn = Callable[[int, int], None]
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before retrying an idempotent call."""

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    jitter: float = 0.25
    retry_statuses: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
    retry_after_cap: float = 60.0
    default_429_wait: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None, status: int = 0) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(retry_after, self.retry_after_cap)
        if status == 429:
            return self.default_429_wait
        base = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return base * (1 + random.uniform(-self.jitter, self.jitter))  # noqa: S311 - jitter


class NemoClient:
    """A synchronous client of the NemoVideo backend (a context manager)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        identity: SkillIdentity | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        store: StateStore | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        if self.settings.is_local:
            raise UsageError(
                "NEMO_API_URL=local needs the embedded backend started first.",
                hint="Use the nemo-skill CLI (it starts it) or nemo_skill.local.server.",
            )
        self.identity = identity or default_identity()
        self.retry = retry or RetryPolicy()
        self.store = store or StateStore(self.settings.state_dir)
        # Shared by every thread using this client: a 429 holds all their requests.
        self.limiter = limiter or Limiter()
        self._sleep = sleep
        self._token: str | None = None
        self._user_id: str | None = None
        self._http = httpx.Client(
            base_url=self.settings.api_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={
                **self.identity.headers(),
                "User-Agent": f"openai-image-to-video/{__version__}",
            },
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"NemoClient(api_url={self.settings.api_url!r}, user_id={self._user_id!r})"

    # --- lifecycle ------------------------------------------------------------
    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> NemoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def user_id(self) -> str | None:
        """The authenticated user's id (known after the first call)."""
        return self._user_id

    # --- auth -----------------------------------------------------------------
    def authenticate(self, *, force: bool = False) -> str:
        """The bearer token: ``NEMO_TOKEN``, the cached one, else a new anonymous one."""
        if self._token and not force:
            return self._token
        if self.settings.token and not force:
            self._token = self.settings.token
            return self._token
        cached = None if force else self.store.load_token(self.settings.store_key)
        if cached is not None and cached.valid():
            self._token, self._user_id = cached.token, cached.user_id
            return self._token
        token = self.anonymous_token()
        self._token, self._user_id = token.token, token.user_id
        return self._token

    def anonymous_token(self) -> AnonymousToken:
        """``POST /api/auth/anonymous-token``: a free token (100 credits, 7 days), cached."""
        client_id = self.store.client_id(self.settings.client_id)
        for attempt in (1, 2):
            try:
                response = self._send("POST", "/api/auth/anonymous-token", auth=False,
                                      headers={"X-Client-Id": client_id})  # fmt: skip
                token = self._parse(response, AnonymousToken, "anonymous token")
            except MissingClientIdError:
                if attempt == 2 or self.settings.client_id:
                    raise
                client_id = self.store.new_client_id()
                continue
            except RateLimitError as exc:
                if attempt == 2:
                    raise
                self._sleep(self.retry.delay(1, exc.retry_after, status=429))
                continue
            self.store.save_token(
                self.settings.store_key,
                CachedToken(token.token, token.user_id, parse_expiry(token.expires_at)),
            )
            return token
        raise AssertionError("unreachable")  # pragma: no cover

    # --- endpoints ------------------------------------------------------------
    def create_session(self, *, language: str = "en", task_name: str = "project") -> SessionInfo:
        """``POST /api/tasks/me/with-session/nemo_agent``: a new project session."""
        body = CreateSessionRequest(task_name=task_name, language=language).model_dump()
        info = self._call("POST", "/api/tasks/me/with-session/nemo_agent", SessionInfo,
                          "create session", json=body)  # fmt: skip
        if info.user_id and not self._user_id:
            self._user_id = info.user_id
        return info

    def credits(self) -> Credits:
        """``GET /api/credits/balance/simple``."""
        return self._call("GET", "/api/credits/balance/simple", Credits, "credits", idempotent=True)

    def state(self, session_id: str) -> SessionState:
        """``GET /api/state/nemo_agent/me/<sid>/latest``: the latest draft and media."""
        path = f"/api/state/nemo_agent/me/{_seg(session_id)}/latest"
        return self._call("GET", path, SessionState, "state", idempotent=True)

    def submit_render(
        self, session_id: str, draft: Mapping[str, Any], *, render_id: str | None = None
    ) -> RenderJob:
        """``POST /api/render/proxy/lambda``: start an export (free). Never re-sent."""
        body = RenderRequest(
            id=render_id or new_render_id(),
            sessionId=session_id,
            draft=dict(draft),
        ).to_wire()
        job = self._call("POST", "/api/render/proxy/lambda", RenderJob, "render", json=body)
        return job if job.id else job.model_copy(update={"id": body["id"]})

    def render_status(self, render_id: str) -> RenderJob:
        """``GET /api/render/proxy/lambda/<id>``."""
        path = f"/api/render/proxy/lambda/{_seg(render_id)}"
        job = self._call("GET", path, RenderJob, "render status", idempotent=True)
        return job if job.id else job.model_copy(update={"id": render_id})

    def cancel_render(self, render_id: str) -> RenderJob:
        """``POST /api/render/proxy/lambda/<id>/cancel``."""
        path = f"/api/render/proxy/lambda/{_seg(render_id)}/cancel"
        job = self._call("POST", path, RenderJob, "render cancel", idempotent=True)
        return job if job.id else job.model_copy(update={"id": render_id})

    def claim_token(self, task_id: str, session_id: str) -> ClaimToken:
        """``POST /api/auth/claim-token``: a token to claim the project in the web app."""
        body = {"task_id": task_id, "session_id": session_id}
        return self._call("POST", "/api/auth/claim-token", ClaimToken, "claim token", json=body)

    def upload_urls(self, session_id: str, urls: Sequence[str]) -> UploadResult:
        """Upload by URL: ``{"urls": [...], "source_type": "url"}``."""
        body = UrlUploadRequest(urls=list(urls)).model_dump()
        path = f"/api/upload-video/nemo_agent/me/{_seg(session_id)}"
        return self._call("POST", path, UploadResult, "upload", json=body)

    def upload_files(
        self, session_id: str, paths: Sequence[Path], *, progress: ProgressFn | None = None
    ) -> UploadResult:
        """Multipart upload (field ``files``), streamed from disk. Never re-sent."""
        files = [check_upload(Path(p)) for p in paths]
        body = MultipartBody(files, progress)
        path = f"/api/upload-video/nemo_agent/me/{_seg(session_id)}"
        headers = {"Content-Type": body.content_type, "Content-Length": str(body.length)}
        return self._call("POST", path, UploadResult, "upload", content=body, headers=headers,
                          timeout=httpx.Timeout(600.0, connect=10.0))  # fmt: skip

    def run_sse(
        self, session_id: str, text: str, *, read_timeout: float = 900.0
    ) -> Iterator[Event]:
        """``POST /run_sse``: stream the agent's events for one message. Never re-sent."""
        # Lone surrogates (undecodable input) cannot be sent as UTF-8: mark them U+FFFD,
        # not "?", which the agent would read as a question.
        clean = _SURROGATES.sub("\ufffd", text)
        body = RunSSERequest.for_text(session_id, clean).model_dump()
        timeout = httpx.Timeout(read_timeout, connect=10.0)
        for attempt in (1, 2):
            request = self._build("POST", "/run_sse", json=body, timeout=timeout,
                                  headers={"Accept": "text/event-stream"})  # fmt: skip
            response = self._transmit(request, stream=True)
            try:
                if response.status_code >= 400 or not _is_event_stream(response):
                    response.read()
                    try:
                        self._raise_for(response, "run_sse")
                    except AuthError as exc:
                        if attempt == 2 or not self._reauth():
                            raise self._final(exc) from None
                        continue  # nothing was processed: a 1001 is answered before any work
                    raise ProtocolError("The backend did not answer /run_sse with an event stream.")
                yield from iter_events(response)
                return
            finally:
                response.close()

    def download_render(
        self, job: RenderJob, dest: Path, *, progress: ProgressFn | None = None
    ) -> Path:
        """Stream the finished MP4 to ``dest``: temp file in the same folder, then rename."""
        url = job.output_url or f"/api/render/proxy/{_seg(job.id)}/download"
        absolute = urljoin(self.settings.api_url + "/", url)
        scheme = urlsplit(absolute).scheme
        if scheme not in ("http", "https"):
            raise ProtocolError(f"Refusing to download a render from a {scheme!r} URL.")
        same_origin = _origin(absolute) == _origin(self.settings.api_url)
        headers = {"Authorization": f"Bearer {self.authenticate()}"} if same_origin else {}
        request = self._http.build_request("GET", absolute, headers=headers,
                                           timeout=httpx.Timeout(300.0, connect=10.0))  # fmt: skip
        if not same_origin:  # never send the token or skill headers to a CDN
            for name in ("Authorization", *self.identity.headers()):
                request.headers.pop(name, None)
        response = self._transmit(request, stream=True)
        try:
            if response.status_code >= 400:
                response.read()
                self._raise_for(response, "download")
            return _stream_to_file(response, dest, progress)
        finally:
            response.close()

    # --- plumbing ---------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        what: str,
        *,
        idempotent: bool = False,
        **kwargs: Any,
    ) -> M:
        """Send with auth, 1001 re-auth and (idempotent only) retries; parse the data."""
        reauthed = False
        while True:
            try:
                response = self._send(method, path, idempotent=idempotent, **kwargs)
                return self._parse(response, model, what)
            except AuthError as exc:
                if reauthed or not self._reauth():
                    raise self._final(exc) from None
                reauthed = True
                content = kwargs.get("content")
                if isinstance(content, MultipartBody):
                    kwargs["content"] = content.fresh()

    def _reauth(self) -> bool:
        """Drop a rejected token and get a new anonymous one; False if the user set one."""
        if self.settings.token:
            return False
        self.store.forget_token(self.settings.store_key)
        self._token = None
        self.authenticate(force=True)
        return True

    def _final(self, error: AuthError) -> AuthError:
        """The rejection the user sees: say which token failed and what to do."""
        if self.settings.token:
            error.hint = (
                "The NEMO_TOKEN you set was rejected: set a valid token, or unset "
                "NEMO_TOKEN to use a free anonymous one."
            )
        else:
            error.hint = "A fresh anonymous token was rejected too: try again in a few minutes."
        return error

    def _build(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> httpx.Request:
        headers = dict(kwargs.pop("headers", None) or {})
        if auth:
            headers["Authorization"] = f"Bearer {self.authenticate()}"
        return self._http.build_request(method, path, headers=headers, **kwargs)

    def _send(
        self, method: str, path: str, *, auth: bool = True, idempotent: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One request, retried per the policy only when ``idempotent``."""
        attempt = 0
        while True:
            attempt += 1
            request = self._build(method, path, auth=auth, **kwargs)
            try:
                response = self._transmit(request)
            except (TransportError, RequestTimeoutError) as exc:
                connect_failed = isinstance(
                    exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout
                )
                if attempt > self.retry.max_retries or not (idempotent or connect_failed):
                    raise
                self._sleep(self.retry.delay(attempt))
                continue
            status = response.status_code
            if (
                idempotent
                and status in self.retry.retry_statuses
                and attempt <= self.retry.max_retries
            ):
                wait = parse_retry_after(response.headers.get("Retry-After"))
                self._sleep(self.retry.delay(attempt, wait, status))
                continue
            return response

    def _transmit(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send a built request, mapping transport failures to the package's errors.

        Every request waits out a 429 pause another thread heard (one backoff
        for all), and a 429 heard here pauses the others.
        """
        self.limiter.wait()
        try:
            response = self._http.send(request, stream=stream)
            if response.status_code == 429:
                self._pause_for(response.headers.get("Retry-After"))
            return response
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                raise TransportError(
                    f"Could not connect to {self.settings.api_url} in time."
                ) from exc
            raise RequestTimeoutError(
                f"No answer from {self.settings.api_url} in time ({request.url.path})."
            ) from exc
        except httpx.TransportError as exc:
            raise TransportError(
                f"Could not reach {self.settings.api_url} ({type(exc).__name__})."
            ) from exc

    def _parse(self, response: httpx.Response, model: type[M], what: str) -> M:
        """The response's ``data`` as ``model``, or the right error."""
        payload = self._raise_for(response, what)
        # RenderJob flattens every documented shape itself; others take the envelope's data.
        data = payload if model is RenderJob else Envelope.parse(payload).data
        try:
            return model.model_validate(data if data is not None else {})
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
            raise ProtocolError(
                f"Unexpected {what} response from the backend ({fields})."
            ) from None

    def _raise_for(self, response: httpx.Response, what: str) -> Any:
        """The decoded JSON body, or the error it (or the HTTP status) describes."""
        try:
            payload = response.json() if response.content else None
        except ValueError:
            payload = None
            if response.status_code < 400:
                raise ProtocolError(f"The backend's {what} response is not JSON.") from None
        code = Envelope.parse(payload).code if isinstance(payload, Mapping) else 0
        if response.status_code >= 400 or code != 0:
            error = error_from_response(
                response.status_code,
                payload,
                retry_after=response.headers.get("Retry-After"),
                user_id=self._user_id,
                web_url=self.settings.web_url,
            )
            if isinstance(error, RateLimitError) and response.status_code != 429:
                self._pause_for(response.headers.get("Retry-After"))  # a 429 in the body only
            raise _redact(error, self._token)
        return payload

    def _pause_for(self, retry_after: str | None) -> None:
        """Pause every thread of this client for the advised (capped) wait."""
        self.limiter.pause(self.retry.delay(1, parse_retry_after(retry_after), status=429))


def check_upload(path: Path) -> Path:
    """Local pre-checks before anything is sent: exists, format, size limit."""
    try:
        is_file, size = path.is_file(), path.stat().st_size if path.exists() else -1
    except (OSError, ValueError) as exc:  # e.g. a name too long for the file system, or a NUL
        raise UsageError(
            f"Cannot use this file path ({type(exc).__name__}).",
            hint="Check the path and try again.",
        ) from None
    if size < 0:
        raise UsageError(f"File not found: {path}", hint="Check the path and try again.")
    if not is_file:
        raise UsageError(f"Not a regular file: {path}")
    ext = path.suffix.lower().lstrip(".")
    if ext not in SUPPORTED_FORMATS:
        raise UnsupportedFileError(f"Unsupported file type: {path.name}")
    if size == 0:
        raise UnsupportedFileError(f"The file is empty: {path.name}")
    if size > MAX_UPLOAD_BYTES:
        raise FileTooLargeError(
            f"{path.name} is {size / 2**20:.1f} MB; the limit is {MAX_UPLOAD_TEXT}."
        )
    return path


class MultipartBody:
    """A ``multipart/form-data`` body streamed from disk in large chunks."""

    def __init__(self, paths: Sequence[Path], progress: ProgressFn | None = None) -> None:
        self.paths = list(paths)
        self.progress = progress
        self.boundary = uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={self.boundary}"
        self._heads = [self._head(p) for p in self.paths]
        self._tail = f"--{self.boundary}--\r\n".encode()
        sizes = [
            len(h) + p.stat().st_size + 2 for h, p in zip(self._heads, self.paths, strict=True)
        ]
        self.length = sum(sizes) + len(self._tail)
        # Progress counts file bytes only, against their total, so it ends at 100%.
        self.file_bytes = sum(p.stat().st_size for p in self.paths)

    def _head(self, path: Path) -> bytes:
        name = path.name.replace("\\", "_").replace('"', "_").replace("\r", "_").replace("\n", "_")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{name}"; '
            f"filename*=UTF-8''{quote(path.name)}\r\n"
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode()

    def fresh(self) -> MultipartBody:
        """A new body over the same files (for a re-send after re-authentication)."""
        return MultipartBody(self.paths, self.progress)

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        for head, path in zip(self._heads, self.paths, strict=True):
            yield head
            with path.open("rb") as fh:
                while chunk := fh.read(UPLOAD_CHUNK):
                    sent += len(chunk)
                    if self.progress:
                        self.progress(sent, self.file_bytes)
                    yield chunk
            yield b"\r\n"
        yield self._tail


def _stream_to_file(response: httpx.Response, dest: Path, progress: ProgressFn | None) -> Path:
    total = int(response.headers.get("Content-Length") or 0)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    done = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                fh.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            fh.flush()
            os.fsync(fh.fileno())
        if total and done != total:
            raise ProtocolError(f"The download ended early ({done} of {total} bytes).")
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, httpx.TransportError):
            raise TransportError(f"The download was interrupted ({type(exc).__name__}).") from exc
        raise
    return dest


def _redact(error: NemoError, token: str | None) -> NemoError:
    """Strip the token from a message the backend wrote (some echo the request back)."""
    if token and token in error.message:
        error.message = error.message.replace(token, "***")
        error.args = (error.message,)
    return error


def _seg(value: str) -> str:
    """A URL path segment (ids are never trusted to be URL-safe)."""
    return quote(str(value), safe="")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def _is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("Content-Type", "")


__all__ = ["MultipartBody", "NemoClient", "NemoError", "RetryPolicy", "check_upload"]
