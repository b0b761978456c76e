"""``NemoClient``: the NemoVideo HTTP API, one method per endpoint.

Auth is automatic: ``NEMO_TOKEN``, else the cached token, else a free
anonymous token (cached 0600). A 1001 answer drops the token, re-authenticates
once and retries once. Responses are turned into models or errors in one
place (:meth:`NemoClient.parse`). Retries follow a :class:`RetryPolicy`, and
only for idempotent calls: requests that create work or charge credits
(``/run_sse``, render submit, upload) are never re-sent once they were sent.
The token is never part of a message, a URL or a ``repr``.

Plain and streamed calls share one request path, as in httpx
(``Client.send`` → ``_send_handling_auth`` → ``_send_single_request``):
:meth:`NemoClient.send` → :meth:`~NemoClient._send_handling_auth` (a 1001
re-authenticates once and sends again) → :meth:`~NemoClient._send_handling_retries`
(the retry policy) → :meth:`~NemoClient._send_single_request` (the rate limiter
and the transport's errors). Uploads and downloads go through the same path; their
pure parts (checks, the multipart body, streaming to a file) live in
:mod:`nemo_skill.transfers`.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from nemo_skill import __version__
from nemo_skill.config import CachedToken, StateStore, parse_expiry
from nemo_skill.errors import (
    AuthError,
    MissingClientIdError,
    NemoError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    TransportError,
    error_from_response,
    parse_retry_after,
)
from nemo_skill.events import Event, iter_events
from nemo_skill.ids import new_render_id
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
from nemo_skill.settings import Settings, is_loopback_url
from nemo_skill.transfers import (
    DOWNLOAD_TIMEOUT,
    UPLOAD_TIMEOUT,
    MultipartBody,
    ProgressFn,
    check_upload,
    download_url,
    stream_to_file,
    upload_path,
)

M = TypeVar("M", bound=BaseModel)
ANONYMOUS_AUTH_PATH = "/api/auth/anonymous-token"
SHORT_TOKEN_WAIT_S = 10.0  # a 429 on the token call advising no longer than this is waited out
T = TypeVar("T")
RequestFactory = Callable[[], httpx.Request]
_SURROGATES = re.compile("[\ud800-\udfff]")


def direct_mounts(api_url: str) -> dict[str, httpx.BaseTransport | None] | None:
    """No proxy for a backend on this machine (the embedded one): proxies are for the internet.

    httpx, like curl, sends loopback requests through ``HTTP_PROXY``/``ALL_PROXY`` unless
    ``NO_PROXY`` names them; a proxy cannot reach our ``127.0.0.1`` server. A ``None``
    mount means "the client's own transport, no proxy" for that host.
    """
    if not is_loopback_url(api_url):
        return None
    host = httpx.URL(api_url).host
    return {f"all://{'[' + host + ']' if ':' in host else host}": None}


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
        notice: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.notice = notice  # where a wait the user would otherwise not see is announced
        if self.settings.is_local:  # the data folder's local service (started on first use)
            from nemo_skill.backends import open_settings

            self.settings = open_settings(self.settings)
        self.identity = identity or default_identity()
        self.retry = retry or RetryPolicy()
        self.store = store or StateStore(self.settings.state_dir)
        # Shared by every thread using this client: a 429 holds all their requests.
        self.limiter = limiter or Limiter()
        self._sleep = sleep
        self._token: str | None = None
        self._user_id: str | None = None
        # Threads share a client (a batch): one of them replaces a rejected token, the
        # others retry with it instead of each fetching (and caching) one of their own.
        self._auth_lock = threading.Lock()
        self._reopen_lock = threading.Lock()  # one thread re-opens a stopped local service
        self._auth_epoch = 0
        self._http = httpx.Client(
            base_url=self.settings.api_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={
                **self.identity.headers(),
                "User-Agent": f"openai-image-to-video/{__version__}",
            },
            follow_redirects=False,
            mounts=direct_mounts(self.settings.api_url),
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
        """The bearer token: ``NEMO_TOKEN``, the cached one, else a new anonymous one.

        ``force`` (after a 1001) never reuses the token this client was using.
        """
        if self._token and not force:
            return self._token
        if self.settings.token and not force:
            self._token = self.settings.token
            return self._token
        rejected, self._token = (self._token, None) if force else (None, self._token)
        cached = None if force else self._cached_token()
        if cached is None:
            self.store.client_id(self.settings.client_id)  # made first: it takes the same lock
            with self.store.auth_lock():
                # A command started at the same time may have just cached one: the backend
                # gives one anonymous token per client id, so ask only if there is still none.
                cached = self._cached_token(besides=rejected)
                if cached is None:
                    token = self.anonymous_token(rejected=rejected is not None)
                    cached = CachedToken(token.token, token.user_id)
        self._token, self._user_id = cached.token, cached.user_id
        return self._token

    def _cached_token(self, *, besides: str | None = None) -> CachedToken | None:
        """The cached token if it is still valid (and is not ``besides``, a rejected one)."""
        cached = self.store.load_token(self.settings.store_key)
        if cached is None or not cached.valid() or cached.token == besides:
            return None
        return cached

    def anonymous_token(self, *, rejected: bool = False) -> AnonymousToken:
        """``POST /api/auth/anonymous-token``: a free token (100 credits, 7 days), cached.

        A 429 with a short Retry-After is waited out once; any other 429 (the
        backend's one token per client id every 7 days) fails at once, saying
        why there is no token and what to do. ``rejected``: the backend has just
        refused the cached token (1001).
        """
        client_id = self.store.client_id(self.settings.client_id)
        advice: list[str | None] = [None]  # the Retry-After of the last answer, as sent

        def accept(response: httpx.Response) -> AnonymousToken:
            advice[0] = response.headers.get("Retry-After")
            return self.parse(response, AnonymousToken, "anonymous token")

        for attempt in (1, 2):
            request = self.request_factory(
                "POST", ANONYMOUS_AUTH_PATH, auth=False, headers={"X-Client-Id": client_id}
            )
            try:
                # Never re-authenticated: this call is how we authenticate.
                token = self.send(request, accept, reauth=False)
            except MissingClientIdError:
                if attempt == 2 or self.settings.client_id:
                    raise
                client_id = self.store.new_client_id()
                continue
            except RateLimitError as exc:
                wait = parse_retry_after(advice[0], cap=None)
                if attempt == 2 or wait is None or wait > SHORT_TOKEN_WAIT_S:
                    raise self._no_token(exc, wait, rejected=rejected) from None
                if self.notice is not None:
                    self.notice(f"The backend asks to wait {wait:g} s before a new token; waiting…")
                self._sleep(wait)
                continue
            self.store.save_token(
                self.settings.store_key,
                CachedToken(token.token, token.user_id, parse_expiry(token.expires_at)),
            )
            return token
        raise AssertionError("unreachable")  # pragma: no cover

    def _no_token(
        self, error: RateLimitError, advised: float | None, *, rejected: bool
    ) -> RateLimitError:
        """The 429 of the anonymous-token call as the user needs it: what happened, what to do."""
        why = (
            "the backend rejected the cached token"
            if rejected
            else self.store.token_cache_problem(self.settings.store_key)
        )
        when = (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(time.time() + advised))
            if advised
            else "7 days after this client id's last token"
        )
        message = (
            f"No token for {self.settings.api_url}: {why}, and the backend gives one free "
            "anonymous token per client id every 7 days, so it refused a new one (429)."
        )
        hint = (
            f"Set NEMO_TOKEN to your token, or try again after {when}, or set NEMO_CLIENT_ID "
            "to a new value to start as a new anonymous user (the projects made so far stay "
            "with the old client id)."
        )
        return RateLimitError(message, retry_after=error.retry_after, status=error.status,
                              hint=hint)  # fmt: skip

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
        return self._call("POST", upload_path(session_id), UploadResult, "upload", json=body)

    def upload_files(
        self, session_id: str, paths: Sequence[Path], *, progress: ProgressFn | None = None
    ) -> UploadResult:
        """Multipart upload (field ``files``), streamed from disk.

        It goes through the one send path, so a 1001 re-authenticates and sends the
        whole body again (the body re-opens its files); nothing else re-sends it.
        """
        body = MultipartBody([check_upload(Path(p)) for p in paths], progress)
        request = self.request_factory(
            "POST", upload_path(session_id), content=body, headers=body.headers,
            timeout=UPLOAD_TIMEOUT,
        )  # fmt: skip
        return self.send(request, lambda r: self.parse(r, UploadResult, "upload"))

    def run_sse(
        self, session_id: str, text: str, *, read_timeout: float = 900.0
    ) -> Iterator[Event]:
        """``POST /run_sse``: stream the agent's events for one message. Never re-sent."""
        # Lone surrogates (undecodable input) cannot be sent as UTF-8: mark them U+FFFD,
        # not "?", which the agent would read as a question.
        clean = _SURROGATES.sub("\ufffd", text)
        body = RunSSERequest.for_text(session_id, clean).model_dump()
        request = self.request_factory(
            "POST", "/run_sse", json=body, timeout=httpx.Timeout(read_timeout, connect=10.0),
            headers={"Accept": "text/event-stream"},
        )  # fmt: skip
        # Not even an unopened connection is retried here: the turn is the user's to resend.
        response = self.send(request, self._event_stream, stream=True, resend_unconnected=False)
        try:
            yield from iter_events(response)
        finally:
            response.close()

    def download_render(
        self, job: RenderJob, dest: Path, *, progress: ProgressFn | None = None
    ) -> Path:
        """Stream the finished MP4 to ``dest``: temp file in the same folder, then rename.

        The token and the skill's headers go only to the API's own origin, never to a CDN.
        """
        url, same_origin = download_url(self.settings.api_url, job)

        def build() -> httpx.Request:
            request = self._build("GET", url, auth=same_origin, timeout=DOWNLOAD_TIMEOUT)
            if not same_origin:  # never send the token or skill headers to a CDN
                for name in ("Authorization", *self.identity.headers()):
                    request.headers.pop(name, None)
            return request

        def save(response: httpx.Response) -> Path:
            try:
                if response.status_code >= 400:
                    response.read()
                    self.check(response, "download")
                return stream_to_file(response, dest, progress)
            finally:
                response.close()

        # A download is neither re-authenticated nor retried.
        return self.send(build, save, stream=True, reauth=False, resend_unconnected=False)

    # --- the request path ---------------------------------------------------------
    def request_factory(
        self, method: str, url: str, *, auth: bool = True, **kwargs: Any
    ) -> RequestFactory:
        """A maker of fresh requests: each send gets the current token and a new body stream."""
        return lambda: self._build(method, url, auth=auth, **kwargs)

    def send(
        self,
        request: RequestFactory,
        accept: Callable[[httpx.Response], T],
        *,
        idempotent: bool = False,
        stream: bool = False,
        reauth: bool = True,
        resend_unconnected: bool = True,
    ) -> T:
        """Send, and turn the response into a result with ``accept`` (which raises its errors).

        The one path of every call, plain or streamed. ``idempotent`` calls
        are retried on the policy's statuses and on transport errors; others
        only when the connection never opened (``resend_unconnected``). A
        1001 raised by ``accept`` drops the token, re-authenticates once and
        sends again (``reauth``): the backend answers 1001 before any work.
        A streamed response that ``accept`` returns is the caller's to close.
        """
        return self._send_handling_auth(
            request, accept, reauth=reauth, idempotent=idempotent, stream=stream,
            resend_unconnected=resend_unconnected,
        )  # fmt: skip

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        what: str,
        *,
        idempotent: bool = False,
        auth: bool = True,
        **kwargs: Any,
    ) -> M:
        """A plain JSON call: send it and parse the response's data as ``model``."""
        request = self.request_factory(method, path, auth=auth, **kwargs)
        # The anonymous-token call itself is never re-authenticated (it is how we authenticate).
        return self.send(request, lambda r: self.parse(r, model, what), idempotent=idempotent,
                         reauth=auth)  # fmt: skip

    def _send_handling_auth(
        self, request: RequestFactory, accept: Callable[[httpx.Response], T], *, reauth: bool,
        **retry: bool,
    ) -> T:  # fmt: skip
        """Send and accept; on a 1001, re-authenticate once and send again."""
        reauthed = False
        while True:
            epoch = self._auth_epoch
            response = self._send_handling_retries(request, **retry)
            try:
                return accept(response)
            except AuthError as exc:
                response.close()
                if not reauth or reauthed or not self._reauth(epoch):
                    raise self._final(exc) if reauth else exc from None
                reauthed = True
            except BaseException:
                response.close()
                raise

    def _send_handling_retries(
        self, request: RequestFactory, *, idempotent: bool, stream: bool, resend_unconnected: bool
    ) -> httpx.Response:
        """One request, retried per the policy (only unsent ones unless ``idempotent``)."""
        attempt = 0
        while True:
            attempt += 1
            url = self.settings.api_url
            try:
                response = self._send_single_request(request(), stream=stream)
            except (TransportError, RequestTimeoutError) as exc:
                connect_failed = isinstance(
                    exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout
                )
                if connect_failed and self._reopen_local(url):
                    continue  # never sent: the same request goes to the new service
                resendable = idempotent or (connect_failed and resend_unconnected)
                if attempt > self.retry.max_retries or not resendable:
                    raise
                self._sleep(self.retry.delay(attempt))
                continue
            status = response.status_code
            if (
                idempotent
                and status in self.retry.retry_statuses
                and attempt <= self.retry.max_retries
            ):
                response.close()
                wait = parse_retry_after(response.headers.get("Retry-After"))
                self._sleep(self.retry.delay(attempt, wait, status))
                continue
            return response

    def _reopen_local(self, failed_url: str) -> bool:
        """The local service at ``failed_url`` is gone (stopped when idle, or killed): open the
        data folder's service again (started anew if needed); True when the URL changed.

        A long-lived client (the MCP server, a Python API script) outlives a service.
        """
        from dataclasses import replace

        from nemo_skill.settings import LOCAL_API_URL

        if self.settings.scope != LOCAL_API_URL:
            return False
        with self._reopen_lock:
            if self.settings.api_url == failed_url:  # no other thread has re-opened it yet
                from nemo_skill.backends import open_settings

                self.settings = open_settings(replace(self.settings, api_url=LOCAL_API_URL))
                self._http.base_url = httpx.URL(self.settings.api_url)
            return self.settings.api_url != failed_url

    def _send_single_request(self, request: httpx.Request, *, stream: bool) -> httpx.Response:
        """Send a built request, mapping transport failures to the package's errors.

        Every request waits out a 429 pause another thread heard (one backoff
        for all), and a 429 heard here pauses the others.
        """
        self.limiter.wait()
        try:
            response = self._http.send(request, stream=stream)
            if response.status_code == 429 and _pauses_others(request):
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

    def _reauth(self, epoch: int | None = None) -> bool:
        """Drop a rejected token and get a new anonymous one; False if the user set one.

        ``epoch`` is :attr:`_auth_epoch` when the rejected request was sent: if
        another thread has replaced the token since, just send again with that one.
        """
        if self.settings.token:
            return False
        with self._auth_lock:
            if epoch is not None and epoch != self._auth_epoch:
                return True
            self.store.forget_token(self.settings.store_key)
            self.authenticate(force=True)
            self._auth_epoch += 1
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

    def _build(self, method: str, url: str, *, auth: bool = True, **kwargs: Any) -> httpx.Request:
        headers = dict(kwargs.pop("headers", None) or {})
        if auth:
            headers["Authorization"] = f"Bearer {self.authenticate()}"
        return self._http.build_request(method, url, headers=headers, **kwargs)

    # --- responses ------------------------------------------------------------------
    def _event_stream(self, response: httpx.Response) -> httpx.Response:
        """``response`` if it is an event stream, else the error it carries."""
        if response.status_code >= 400 or not _is_event_stream(response):
            response.read()
            self.check(response, "run_sse")
            raise ProtocolError("The backend did not answer /run_sse with an event stream.")
        return response

    def parse(self, response: httpx.Response, model: type[M], what: str) -> M:
        """The response's ``data`` as ``model``, or the right error."""
        payload = self.check(response, what)
        # RenderJob flattens every documented shape itself; others take the envelope's data.
        data = payload if model is RenderJob else Envelope.parse(payload).data
        try:
            return model.model_validate(data if data is not None else {})
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
            raise ProtocolError(
                f"Unexpected {what} response from the backend ({fields})."
            ) from None

    def check(self, response: httpx.Response, what: str) -> Any:
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
            paused = response.status_code == 429 or not _pauses_others(response.request)
            if isinstance(error, RateLimitError) and not paused:
                self._pause_for(response.headers.get("Retry-After"))  # a 429 in the body only
            raise _redact(error, self._token)
        return payload

    def _pause_for(self, retry_after: str | None) -> None:
        """Pause every thread of this client for the advised (capped) wait."""
        self.limiter.pause(self.retry.delay(1, parse_retry_after(retry_after), status=429))


def _redact(error: NemoError, token: str | None) -> NemoError:
    """Strip the token from a message the backend wrote (some echo the request back)."""
    if token and token in error.message:
        error.message = error.message.replace(token, "***")
        error.args = (error.message,)
    return error


def _pauses_others(request: httpx.Request) -> bool:
    """Whether a 429 to ``request`` should hold this client's other requests.

    Not the anonymous-token call's: its limit (one token per client id every
    7 days) is that call's own, and waiting it out would stall every later call.
    """
    return request.url.path != ANONYMOUS_AUTH_PATH


def _seg(value: str) -> str:
    """A URL path segment (ids are never trusted to be URL-safe)."""
    return quote(str(value), safe="")


def _is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("Content-Type", "")


__all__ = ["MultipartBody", "NemoClient", "NemoError", "RetryPolicy", "check_upload"]
