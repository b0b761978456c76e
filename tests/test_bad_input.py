"""The bad-input corpus against every surface: engine, client, server, decoder, classifier, CLI.

Each case must end in a clear error (a NemoError with a message and a hint, a
4001/4002 envelope, a protocol ErrorEvent, or a CLI exit code with ``Error:``
and no traceback) and write nothing outside the place meant for it: the
backend's data dir only gains content-addressed blobs of accepted uploads.

Cases listed in ``KNOWN_DEFECTS`` are strict xfails: each names the module
that must change; when it is fixed the xfail turns red and the entry goes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("PIL")
pytest.importorskip("starlette")

from nemo_skill import timeline
from nemo_skill.cli import main
from nemo_skill.client import NemoClient
from nemo_skill.errors import (
    FileTooLargeError,
    NemoError,
    UnsupportedFileError,
    UsageError,
)
from nemo_skill.events import (
    ErrorEvent,
    HeartbeatEvent,
    StateDeltaEvent,
    decode_lines,
    decode_payload,
    iter_events,
)
from nemo_skill.intents import ACTIONS, classify
from nemo_skill.local.engine.images import load_image
from nemo_skill.local.server import LocalServer
from nemo_skill.settings import Settings
from nemo_skill.skill import ChatResult, Skill
from tests.corpus.build import (
    BOMB_SIDE,
    WIRE_STREAMS,
    FileCase,
    NameCase,
    SSECase,
    base,
    file_cases,
    message_cases,
    multipart,
    name_cases,
    png_bomb,
    sse_cases,
)
from tests.e2e.support import start

LIMIT = 1024 * 1024  # the test backend's upload limit: over-limit bodies stay cheap
MAX_SIDE = 160
DB_FILE = re.compile(r"nemo-local\.sqlite3(-wal|-shm|-journal)?$")
BLOB = re.compile(r"files/([0-9a-f]{2})/(\1[0-9a-f]{62})$")
TEMP_NAME = re.compile(r"tmp[a-z0-9_]{6,}\.")

# Every defect this corpus found (25) is fixed; new ones go here as strict xfails.
KNOWN_DEFECTS: dict[str, str] = {}


def param(case_id: str, *values: Any) -> Any:
    """A pytest param with its id, a strict xfail when the case is a known defect."""
    marks = []
    if case_id in KNOWN_DEFECTS:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[case_id]))
    return pytest.param(*values, id=case_id, marks=marks)


# --- snapshots -------------------------------------------------------------------


def tree(root: Path) -> dict[str, int]:
    """Every file under ``root`` (database files excluded) with its size."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.lstat().st_size
        for p in root.rglob("*")
        if not p.is_dir() and not DB_FILE.search(p.name)
    }


def assert_only_blobs_added(data_dir: Path, before: dict[str, int], allowed: set[str]) -> None:
    """The data dir lost and changed nothing; new files are content-addressed blobs in ``allowed``."""
    after = tree(data_dir)
    assert {k: v for k, v in before.items() if after.get(k) != v} == {}
    for rel in set(after) - set(before):
        match = BLOB.match(rel)
        assert match, f"unexpected file in the data dir: {rel}"
        sha = match.group(2)
        assert sha in allowed, f"a blob was stored for a refused upload: {rel}"
        assert hashlib.sha256((data_dir / rel).read_bytes()).hexdigest() == sha
    assert not list((data_dir / "tmp").iterdir()), "temp files left behind"


# --- the backend ------------------------------------------------------------------


@dataclass
class Backend:
    """The embedded backend with one anonymous user and session, spoken to with raw httpx."""

    server: LocalServer
    http: httpx.Client
    token: str
    session_id: str

    @property
    def data_dir(self) -> Path:
        return self.server.data_dir

    @property
    def upload_path(self) -> str:
        return f"/api/upload-video/nemo_agent/me/{self.session_id}"

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, content: Any, content_type: str | None, **headers: str) -> httpx.Response:
        """POST ``content`` to the upload endpoint."""
        sent = {**self.auth(), **headers}
        if content_type is not None:
            sent["Content-Type"] = content_type
        return self.http.post(self.upload_path, content=content, headers=sent)

    def upload(self, parts: list[tuple[bytes, bytes]], *, close: bool = True) -> httpx.Response:
        """A hand-written multipart upload (no client-side escaping of names)."""
        boundary = uuid.uuid4().hex
        body = multipart(boundary, parts, close=close)
        return self.post(body, f"multipart/form-data; boundary={boundary}")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-input")


@pytest.fixture(scope="module")
def backend(root: Path) -> Iterator[Backend]:
    server = start(root / "backend", max_upload_bytes=LIMIT)
    http = httpx.Client(base_url=server.url, timeout=30)
    grant = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "bad-input"})
    token = grant.json()["data"]["token"]
    created = http.post(
        "/api/tasks/me/with-session/nemo_agent",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    yield Backend(server, http, token, created.json()["data"]["session_id"])
    http.close()
    server.stop()


@pytest.fixture(scope="module")
def client(backend: Backend, root: Path) -> Iterator[NemoClient]:
    with NemoClient(Settings(api_url=backend.server.url, state_dir=root / "client-state")) as c:
        yield c


@pytest.fixture(scope="module")
def client_session(client: NemoClient) -> str:
    session_id = client.create_session().session_id
    assert session_id
    return session_id


def assert_clear(error: NemoError) -> None:
    """A message and a hint, and no stack trace or server temp path in either."""
    assert error.message.strip() and error.hint.strip()
    assert "Traceback" not in error.message + error.hint


# --- engine: loading photos ----------------------------------------------------------

FILES = file_cases()


@pytest.mark.parametrize("case", [param(f"engine-{c.id}", c) for c in FILES])
def test_engine_loads_or_refuses(case: FileCase, tmp_path: Path) -> None:
    path = case.write(tmp_path)
    try:
        image = load_image(path, MAX_SIDE)
    except (UnsupportedFileError, FileTooLargeError) as exc:
        assert_clear(exc)
        allowed = {
            "reject": (UnsupportedFileError,),
            "large": (FileTooLargeError,),
        }.get(case.engine, (UnsupportedFileError, FileTooLargeError))
        assert case.engine != "ok", f"a valid image was refused: {exc.message}"
        assert isinstance(exc, allowed)
    else:
        assert case.engine in ("ok", "safe"), "a hostile file was accepted"
        assert image.dtype.name == "uint8" and image.ndim == 3 and image.shape[2] == 3
        assert 0 < max(image.shape[:2]) <= MAX_SIDE
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


# --- server: raw multipart, sniffing and limits -----------------------------------------


def check_stored(backend: Backend, response: httpx.Response, data: bytes) -> dict[str, Any]:
    """An accepted upload: exactly the bytes sent, stored by content, served inert."""
    assert response.status_code == 200, response.text
    stored = response.json()["data"]["files"]
    assert len(stored) == 1
    sha = hashlib.sha256(data).hexdigest()
    assert stored[0]["hash"] == sha
    assert backend.server.data_dir.joinpath("files", sha[:2], sha).read_bytes() == data
    served = backend.http.get(stored[0]["cdn_url"], headers=backend.auth())
    assert served.content == data
    assert served.headers["content-type"] == "application/octet-stream"
    return dict(stored[0])


def check_refused(response: httpx.Response, codes: set[int]) -> str:
    """A refused upload: the contract's envelope with one of ``codes`` and a message."""
    body = response.json()
    assert body["code"] in codes, body
    assert response.status_code in (400, 413, 415)
    assert body["message"] and "Traceback" not in body["message"]
    return str(body["message"])


REFUSAL_CODES: dict[str, set[int]] = {"reject": {4001}, "large": {4002}, "refused": {4001, 4002}}


@pytest.mark.parametrize("case", [param(f"server-{c.id}", c) for c in FILES])
def test_server_sniffs_and_refuses(case: FileCase, backend: Backend) -> None:
    before = tree(backend.data_dir)
    response = backend.upload([(f'name="files"; filename="{case.name}"'.encode(), case.data)])
    sha = hashlib.sha256(case.data).hexdigest()
    if response.status_code == 200:
        assert case.server in ("ok", "safe"), "a hostile file was accepted"
        check_stored(backend, response, case.data)
    else:
        assert case.server != "ok", response.text
        message = check_refused(response, REFUSAL_CODES.get(case.server, {4001, 4002}))
        if case.server == "large":  # a photo too big to decode is not "unsupported"
            assert response.json()["code"] == 4002 and "pixel" in message.lower(), message
    assert_only_blobs_added(
        backend.data_dir, before, {sha} if response.status_code == 200 else set()
    )


def test_server_errors_name_the_upload_not_a_temp_file(backend: Backend) -> None:
    response = backend.upload([(b'name="files"; filename="magic.jpg"', base("jpg")[:8])])
    message = check_refused(response, {4001})
    assert not TEMP_NAME.search(message), message


# --- server: hostile file names --------------------------------------------------------

UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


@pytest.mark.parametrize("case", [param(f"name-{c.id}", c) for c in name_cases()])
def test_hostile_names_are_stored_safely(
    case: NameCase, backend: Backend, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root)  # a relative write by the server would land here, and show
    outside = tree(root / "work")
    before = tree(backend.data_dir)
    data = base("jpg")
    response = backend.upload([(b'name="files"; ' + case.header, data)])
    if case.stored is True or (case.stored is None and response.status_code == 200):
        name = check_stored(backend, response, data)["filename"]
        assert not UNSAFE_NAME.search(name) and name not in (".", "..")
        assert 0 < len(name) <= 120 and name.lower().endswith(".jpg")
    else:
        check_refused(response, {4001})
    assert_only_blobs_added(backend.data_dir, before, {hashlib.sha256(data).hexdigest()})
    assert tree(root / "work") == outside
    assert not [p for p in root.iterdir() if p.suffix == ".jpg"]
    assert not Path("/tmp/evil.jpg").exists() and not Path("/etc/passwd.jpg").exists()


# --- server: malformed requests and limits -----------------------------------------------


def _chunked_over_limit() -> Iterator[bytes]:
    """A multipart body with no Content-Length that grows past the limit as it streams."""
    boundary = "overlimit"
    yield f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.jpg"\r\n\r\n'.encode()
    yield base("jpg")
    for _ in range(5):
        yield b"\x00" * (LIMIT // 4)
    yield f"\r\n--{boundary}--\r\n".encode()


M = "multipart/form-data; boundary=b0undary"


def _declared_over_limit(backend: Backend) -> httpx.Response:
    """Only headers, declaring a body over the limit: refused before any byte is read.

    A raw socket, because an HTTP client refuses to send fewer bytes than it declared.
    """
    url = httpx.URL(backend.server.url)
    head = (
        f"POST {backend.upload_path} HTTP/1.1\r\nHost: {url.host}\r\n"
        f"Authorization: Bearer {backend.token}\r\nContent-Type: {M}\r\n"
        f"Content-Length: {LIMIT * 4}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((url.host, url.port or 80), timeout=30) as sock:
        sock.sendall(head.encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    status_line, _, rest = raw.partition(b"\r\n")
    return httpx.Response(int(status_line.split()[1]), content=rest.partition(b"\r\n\r\n")[2])


Request = Callable[[Backend], httpx.Response]


def _fresh_jpeg_part() -> tuple[bytes, bytes]:
    """A valid JPEG no earlier case stored (trailing bytes after EOI are ignored by decoders)."""
    return b'name="files"; filename="ok.jpg"', base("jpg") + uuid.uuid4().bytes


MALFORMED: list[tuple[str, Request, set[int]]] = [
    ("no-content-type", lambda b: b.post(base("jpg"), None), {4001}),
    ("multipart-without-boundary", lambda b: b.post(base("jpg"), "multipart/form-data"), {4001}),
    ("text-content-type", lambda b: b.post(base("jpg"), "text/plain"), {4001}),
    ("wrong-field-name", lambda b: b.upload([(b'name="other"; filename="a.jpg"', base("jpg"))]), {4001}),
    ("field-without-filename", lambda b: b.upload([(b'name="files"', base("jpg"))]), {4001}),
    ("empty-multipart", lambda b: b.post(b"--b0undary--\r\n", M), {4001}),
    ("empty-body", lambda b: b.post(b"", M), {4001}),
    ("garbage-multipart", lambda b: b.post(bytes(range(256)) * 20, M), {4001}),
    ("declared-length-over-limit", _declared_over_limit, {4002}),
    ("body-over-limit", lambda b: b.upload([(b'name="files"; filename="big.jpg"', base("jpg") + b"\x00" * LIMIT)]), {4002}),
    ("chunked-over-limit", lambda b: b.post(_chunked_over_limit(), "multipart/form-data; boundary=overlimit"), {4002}),
    ("good-then-bad", lambda b: b.upload([_fresh_jpeg_part(), (b'name="files"; filename="b.jpg"', b"not a photo")]), {4001}),
    ("json-http-url", lambda b: b.http.post(b.upload_path, json={"urls": ["http://example.com/a.jpg"]}, headers=b.auth()), {4001}),
    ("json-file-url-outside", lambda b: b.http.post(b.upload_path, json={"urls": ["file:///etc/passwd"]}, headers=b.auth()), {4001}),
    ("json-file-url-traversal", lambda b: b.http.post(b.upload_path, json={"urls": ["file:///tmp/../etc/shadow"]}, headers=b.auth()), {4001}),
    ("json-invalid", lambda b: b.post(b"{nope", "application/json"), {422}),
    ("json-empty-urls", lambda b: b.http.post(b.upload_path, json={"urls": []}, headers=b.auth()), {422}),
    ("json-deep-nesting", lambda b: b.post(b"[" * 100_000, "application/json"), {422}),
    ("json-too-big", lambda b: b.post(b'{"urls": ["' + b"a" * (2 * 1024 * 1024) + b'"]}', "application/json"), {413}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("request_", "codes"), [param(f"upload-{i}", r, c) for i, r, c in MALFORMED]
)
def test_malformed_uploads_are_refused(
    request_: Request, codes: set[int], backend: Backend
) -> None:
    before = tree(backend.data_dir)
    response = request_(backend)
    body = response.json()
    assert body["code"] in codes, body
    assert 400 <= response.status_code < 500
    assert body["message"] and "Traceback" not in body["message"]
    assert_only_blobs_added(backend.data_dir, before, set())


def test_unterminated_multipart_stores_exactly_what_was_sent(backend: Backend) -> None:
    data = base("png")
    before = tree(backend.data_dir)
    response = backend.upload([(b'name="files"; filename="open.png"', data)], close=False)
    if response.status_code == 200:
        check_stored(backend, response, data)
    else:
        check_refused(response, {4001})
    assert_only_blobs_added(backend.data_dir, before, {hashlib.sha256(data).hexdigest()})


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/api/upload-video/nemo_agent/me/..%2F..%2Fetc", {404}, id="sid-encoded-traversal"),
        pytest.param("/api/upload-video/nemo_agent/me/%00", {404}, id="sid-nul"),
        pytest.param("/files/..%2F..%2Fnemo-local.sqlite3/x", {404}, id="files-traversal"),
        pytest.param("/files/" + "0" * 64 + "/..%2F..%2F..%2Fetc%2Fpasswd", {404}, id="files-name-traversal"),
        pytest.param("/files/", {404}, id="files-listing"),
    ],
)  # fmt: skip
def test_paths_never_reach_the_disk(path: str, status: set[int], backend: Backend) -> None:
    method = "POST" if "upload" in path else "GET"
    response = backend.http.request(method, path, headers=backend.auth())
    assert response.status_code in status
    assert response.json()["code"] in (404, 1002)


# --- client: local pre-checks and the full upload path -----------------------------------


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def _symlink(path: Path, target: str | Path) -> Path:
    path.symlink_to(target)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


PRECHECKS: list[tuple[str, Callable[[Path], Path], type[NemoError]]] = [
    ("missing", lambda d: d / "nope.jpg", UsageError),
    ("directory", lambda d: d, UsageError),
    ("fifo", lambda d: _fifo(d / "pipe.jpg"), UsageError),
    ("symlink-to-dev-null", lambda d: _symlink(d / "null.jpg", "/dev/null"), UsageError),
    ("broken-symlink", lambda d: _symlink(d / "broken.jpg", d / "gone.jpg"), UsageError),
    ("nul-in-name", lambda d: d / "a\x00b.jpg", UsageError),
    ("300-char-name", lambda d: d / ("a" * 296 + ".jpg"), UsageError),
    ("zero-bytes", lambda d: _sparse(d / "empty.jpg", 0), UnsupportedFileError),
    ("exe", lambda d: _sparse(d / "tool.exe", 10), UnsupportedFileError),
    ("svg", lambda d: _sparse(d / "vector.svg", 10), UnsupportedFileError),
    ("no-extension", lambda d: _sparse(d / "photo", 10), UnsupportedFileError),
    ("double-extension-exe", lambda d: _sparse(d / "photo.jpg.exe", 10), UnsupportedFileError),
    ("sparse-over-200mb", lambda d: _sparse(d / "huge.mp4", 200 * 1024 * 1024 + 1), FileTooLargeError),
]  # fmt: skip


@pytest.mark.parametrize(("make", "error"), [param(f"client-{i}", m, e) for i, m, e in PRECHECKS])
def test_client_prechecks_refuse_before_sending(
    make: Callable[[Path], Path],
    error: type[NemoError],
    client: NemoClient,
    client_session: str,
    backend: Backend,
    tmp_path: Path,
) -> None:
    path = make(tmp_path)
    before = tree(backend.data_dir)
    with pytest.raises(error) as caught:
        client.upload_files(client_session, [path])
    assert caught.value.message.strip()
    assert tree(backend.data_dir) == before


@pytest.mark.parametrize("case", [param(f"client-{c.id}", c) for c in FILES])
def test_client_upload_of_hostile_files(
    case: FileCase, client: NemoClient, client_session: str, backend: Backend, tmp_path: Path
) -> None:
    path = case.write(tmp_path)
    before = tree(backend.data_dir)
    sha = hashlib.sha256(case.data).hexdigest()
    try:
        result = client.upload_files(client_session, [path])
    except (UnsupportedFileError, FileTooLargeError) as exc:
        assert case.server != "ok", exc.message
        assert_clear(exc)
        if case.server == "large":
            assert isinstance(exc, FileTooLargeError), exc.message
        assert_only_blobs_added(backend.data_dir, before, set())
    else:
        assert case.server in ("ok", "safe"), "a hostile file was accepted"
        assert [f.hash for f in result.files] == [sha]
        assert_only_blobs_added(backend.data_dir, before, {sha})


LOCAL_NAMES = ['quote"d.jpg', "new\nline.jpg", "semi;colon=x.jpg", "照片 été.jpg",
               "-rf.jpg", "back\\slash.jpg", "\x1b[31mansi.jpg", " spaced .jpg"]  # fmt: skip


@pytest.mark.parametrize(
    "name", [pytest.param(n, id=f"local-name-{i}") for i, n in enumerate(LOCAL_NAMES)]
)
def test_client_uploads_odd_local_names_safely(
    name: str, client: NemoClient, client_session: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(base("jpg"))
    stored = client.upload_files(client_session, [path]).files[0]
    assert stored.filename and not UNSAFE_NAME.search(stored.filename)
    assert stored.filename.endswith(".jpg")


# --- SSE decoder -----------------------------------------------------------------------


def _kinds(events: list[Any]) -> set[str]:
    return {type(e).__name__ for e in events}


@pytest.mark.parametrize("case", [param(f"sse-{c.id}", c) for c in sse_cases()])
def test_decoder_turns_hostile_streams_into_events(case: SSECase) -> None:
    events = list(decode_lines(case.lines))
    errors = [e for e in events if isinstance(e, ErrorEvent)]
    if case.expect == "protocol":
        assert errors and all(e.protocol and e.message for e in errors)
        assert _kinds(events) == {"ErrorEvent"}
    elif case.expect == "agent":
        assert len(errors) == 1 and not errors[0].protocol and errors[0].message
    elif case.expect == "quiet":
        assert all(isinstance(e, HeartbeatEvent) for e in events)
    elif case.expect != "safe":
        assert case.expect in _kinds(events)
    assert all(len(e.details.get("raw", "")) <= 200 for e in errors)  # no echo of huge input


@pytest.mark.parametrize("body", [pytest.param(v, id=f"wire-{k}") for k, v in WIRE_STREAMS.items()])
def test_wire_streams_decode_without_raising(body: bytes) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        http.stream("POST", "http://backend.test/run_sse") as response,
    ):
        events = list(iter_events(response))
    texts = [e.text for e in events if type(e).__name__ == "TextEvent"]
    assert all(t != "hel" for t in texts)  # a frame cut mid-way is never shown as text


# --- messages: classifier, CLI classify, chat ---------------------------------------------

MESSAGES = message_cases()


@pytest.mark.parametrize("text", [pytest.param(v, id=f"classify-{k}") for k, v in MESSAGES.items()])
def test_classifier_routes_hostile_text(text: str) -> None:
    intent = classify(text)
    assert intent.action in ACTIONS and intent.reason
    assert classify(text, has_files=True).action in ACTIONS


@dataclass
class Run:
    """One in-process CLI run, captured even when argparse exits."""

    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse reports bad arguments by exiting
            code = exc.code if isinstance(exc.code, int) else 1
    return Run(code, out.getvalue(), err.getvalue())


@pytest.mark.parametrize(
    "text", [pytest.param(v, id=f"cli-classify-{k}") for k, v in MESSAGES.items()]
)
def test_cli_classify_hostile_text(text: str) -> None:
    run = run_cli("--json", "classify", text)
    assert run.code == 0 and "Traceback" not in run.err
    assert json.loads(run.out)["action"] in ACTIONS


@pytest.mark.parametrize(
    "json_mode",
    [param("cli-text-undecodable-argv", False), param("cli-json-undecodable-argv", True)],
)
def test_cli_output_stays_utf8_with_undecodable_argv(json_mode: bool, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "nemo-skill"
    argv = [
        bytes(script),
        *([b"--json"] if json_mode else []),
        b"classify",
        b"make it \xff\xfe pop",
    ]
    done = subprocess.run(argv, capture_output=True, cwd=tmp_path, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    done.stdout.decode("utf-8")  # raises if invalid UTF-8 reached the host
    assert b"Traceback" not in done.stderr


CHAT_IDS = ["undecodable-argv-bytes", "lone-surrogate", "nul-bytes", "control-characters",
            "ansi-escapes", "one-mebibyte", "only-odd-whitespace", "format-strings"]  # fmt: skip


@pytest.mark.parametrize("key", [param(f"chat-{k}", k) for k in CHAT_IDS])
def test_chat_with_hostile_messages(key: str, client: NemoClient, root: Path) -> None:
    text = MESSAGES[key].replace("export", "animate")  # reach /run_sse, not the export path
    skill = Skill(client, workspace=f"name:{key}")
    try:
        result = skill.chat(text)
    except NemoError as exc:
        assert_clear(exc)
    else:
        assert isinstance(result, ChatResult) and result.action in ACTIONS


# --- CLI arguments -------------------------------------------------------------------------

ANIMATE = ("animate", "photo.jpg", "-o", "out.mp4")
ARGPARSE = "argparse"
CLI_CASES: list[tuple[str, tuple[str, ...], int]] = [
    ("unknown-flag", ("classify", "x", "--bogus"), 2),
    ("unknown-command", ("frobnicate",), 2),
    ("missing-value", ("chat", "hi", "-f"), 2),
    ("missing-message", ("chat",), 2),
    ("duration-abc", (*ANIMATE, "--duration", "abc"), 2),
    ("duration-negative", (*ANIMATE, "--duration", "-5"), 2),
    ("duration-zero", (*ANIMATE, "--duration", "0"), 2),
    ("duration-nan", (*ANIMATE, "--duration", "nan"), 2),
    ("duration-inf", (*ANIMATE, "--duration", "inf"), 2),
    ("duration-61", (*ANIMATE, "--duration", "61"), 2),
    ("fps-7", (*ANIMATE, "--fps", "7"), 2),
    ("volume-200", (*ANIMATE, "--volume", "200"), 2),
    ("volume-abc", (*ANIMATE, "--volume", "abc"), 2),
    ("size-abc", (*ANIMATE, "--size", "abc"), 2),
    ("aspect-3-2", (*ANIMATE, "--aspect", "3:2"), 2),
    ("motion-spin", (*ANIMATE, "--motion", "spin"), 2),
    ("output-missing", ("animate", "photo.jpg"), 2),
    ("output-dir-missing", ("animate", "photo.jpg", "-o", "nope/x.mp4"), 2),
    ("output-exists", ("animate", "photo.jpg", "-o", "exists.mp4"), 2),
    ("output-symlink", ("animate", "photo.jpg", "-o", "link.mp4"), 2),
    ("image-missing", ("animate", "nope.jpg", "-o", "o.mp4"), 6),
    ("image-text", ("animate", "text.jpg", "-o", "o.mp4"), 6),
    ("image-truncated", ("animate", "cut.jpg", "-o", "o.mp4", "--size", "160"), 6),
    ("image-bomb", ("animate", "bomb.png", "-o", "o.mp4"), 7),
    ("music-missing", (*ANIMATE, "--music", "x.mp3"), 2),
    ("music-unknown", (*ANIMATE, "--music", "polka"), 2),
    ("resume-and-cancel", ("export", "--resume", "--cancel"), 2),
    ("generate-without-files", ("generate",), 2),
    ("generate-one-file-two-inputs", ("generate", "-f", "photo.jpg", "-f", "photo.jpg", "-o", "x.mp4"), 2),
    ("upload-missing", ("upload", "nope.jpg"), 2),
    ("upload-directory", ("upload", "."), 2),
    ("upload-exe", ("upload", "tool.exe"), 6),
    ("upload-empty", ("upload", "empty.jpg"), 6),
    ("upload-sparse-201mb", ("upload", "huge.mp4"), 7),
    ("upload-text-as-jpg", ("upload", "text.jpg"), 6),
    ("upload-bomb", ("upload", "bomb.png"), 7),
    ("chat-file-missing", ("chat", "animate this", "-f", "nope.jpg"), 2),
    ("api-url-without-value", ("credits", "--api-url"), 2),
    ("json-upload-exe", ("--json", "upload", "tool.exe"), 6),
    ("export-empty-timeline", ("export",), 2),
    ("export-nothing-to-resume", ("export", "--resume"), 2),
    ("export-output-dir-missing", ("export", "-o", "nope/x.mp4"), 2),
    ("api-url-ftp", ("--api-url", "ftp://127.0.0.1:1", "credits"), 11),
    ("api-url-garbage", ("--api-url", "not a url", "credits"), 11),
    ("flag-with-value", ("classify", "x", "--with-files=yes"), 2),
    ("serve-remote-host", ("serve-local", "--host", "0.0.0.0"), 2),
    ("serve-port-abc", ("serve-local", "--port", "abc"), 2),
    ("serve-port-70000", ("serve-local", "--port", "70000"), 2),
    ("language-1000-chars", ("new", "--language", "x" * 1000), 1),
    ("turn-id-without-value", ("chat", "hi", "--turn-id"), 2),
    ("session-without-value", ("state", "--session"), 2),
    ("json-argparse-error", ("--json", "chat"), 2),
]  # fmt: skip


@pytest.fixture(scope="module")
def workdir(root: Path) -> Path:
    """The folder the CLI runs in, with the inputs the cases name."""
    work = root / "work"
    work.mkdir()
    (work / "photo.jpg").write_bytes(base("jpg"))
    (work / "text.jpg").write_bytes(b"not a photo\n")
    (work / "cut.jpg").write_bytes(base("jpg")[:-200])
    (work / "bomb.png").write_bytes(png_bomb(BOMB_SIDE))
    (work / "exists.mp4").write_bytes(b"keep me")
    (work / "link.mp4").symlink_to(root / "elsewhere.mp4")
    (work / "tool.exe").write_bytes(b"MZ")
    (work / "empty.jpg").write_bytes(b"")
    _sparse(work / "huge.mp4", 201 * 1024 * 1024)
    return work


def _looks_like_an_error(run: Run, json_mode: bool) -> bool:
    if json_mode:
        with_json = run.out.strip().startswith("{")
        return with_json and {"code", "message", "hint"} <= set(json.loads(run.out)["error"])
    return "Error:" in run.err or ("error:" in run.err and "usage:" in run.err)


@pytest.mark.parametrize(("argv", "exit_code"), [param(f"cli-{i}", a, c) for i, a, c in CLI_CASES])
def test_cli_refuses_bad_arguments(
    argv: tuple[str, ...],
    exit_code: int,
    backend: Backend,
    root: Path,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = root / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))  # a stray write to ~/.config would show here
    monkeypatch.chdir(workdir)
    before_work, before_home = tree(workdir), tree(home)
    base_args = ["--api-url", backend.server.url, "--state-dir", str(root / "cli-state")]
    run = run_cli(*base_args, *argv)
    assert run.code == exit_code, run.err or run.out
    assert "Traceback" not in run.out + run.err
    assert _looks_like_an_error(run, "--json" in argv), run.err or run.out
    assert tree(workdir) == before_work
    assert tree(home) == before_home
    assert not (root / "elsewhere.mp4").exists()


def test_cli_without_a_command_prints_help_and_fails() -> None:
    run = run_cli()
    assert run.code == 2 and "usage:" in run.out and "Traceback" not in run.err


# --- backend drafts with values JSON should not carry --------------------------------------
# Python's json module reads NaN, Infinity and 1e400, and nothing stops a backend (or a
# proxy) from sending a string where a number belongs. A draft reaches the skill two ways:
# the state call (through the models) and a stateDelta on the SSE stream (a raw dict).

ODD_DRAFTS: dict[str, str] = {
    "duration-infinity": '{"t": [{"tt": 0, "sg": [{"d": Infinity}]}]}',
    "duration-nan": '{"t": [{"tt": 0, "sg": [{"d": NaN}]}]}',
    "duration-1e400": '{"t": [{"tt": 0, "sg": [{"d": 1e400}]}]}',
    "duration-string": '{"t": [{"tt": 0, "sg": [{"d": "abc"}]}]}',
    "duration-negative": '{"t": [{"tt": 0, "sg": [{"d": -5000}]}]}',
    "start-string": '{"t": [{"tt": 0, "sg": [{"d": 1000, "st": "abc"}]}]}',
    "track-type-string": '{"t": [{"tt": "video", "sg": [{"d": 1000}]}]}',
    "volume-nan": '{"t": [{"tt": 1, "sg": [{"d": 1000, "volume": NaN}]}]}',
    "volume-infinity": '{"t": [{"tt": 1, "sg": [{"d": 1000, "volume": Infinity}]}]}',
}


def _fake_backend(state_draft: str, progress: str = "50") -> httpx.MockTransport:
    """Just enough of the contract for a state call and an export, answering raw JSON text."""
    polls = [0]

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = '{"code": 0, "data": {"token": "t", "user_id": "anon_x", "expires_at": 0}}'
        if path.endswith("/with-session/nemo_agent"):
            body = '{"code": 0, "data": {"task_id": "k", "session_id": "1"}}'
        elif path.startswith("/api/state/"):
            body = (
                f'{{"code": 0, "data": {{"session_id": "1", "state": {{"draft": {state_draft}}}}}}}'
            )
        elif path.endswith("/download"):
            return httpx.Response(200, content=b"\x00\x00\x00\x18ftypisom")
        elif path.startswith("/api/render/proxy/lambda"):
            polls[0] += request.method == "GET"
            status = "processing" if polls[0] < 2 else "completed"
            data = f'{{"id": "r1", "status": "{status}", "progress": {progress}}}'
            body = f'{{"success": true, "data": {data}}}'
        return httpx.Response(
            200, content=body.encode(), headers={"content-type": "application/json"}
        )

    return httpx.MockTransport(answer)


def _fake_client(state_dir: Path, transport: httpx.MockTransport) -> NemoClient:
    settings = Settings(api_url="http://backend.test", state_dir=state_dir)
    return NemoClient(settings, transport=transport, sleep=lambda s: None)


def _summarise(draft: Any) -> None:
    """Everything the skill does with a draft it is shown."""
    assert isinstance(timeline.format_summary(draft), str)
    timeline.describe_draft(draft)
    assert timeline.diff(draft, draft) == []
    timeline.diff(None, draft)


@pytest.mark.parametrize("draft", [param(f"state-{k}", v) for k, v in ODD_DRAFTS.items()])
def test_odd_numbers_in_state_are_a_clear_error_or_harmless(draft: str, tmp_path: Path) -> None:
    with _fake_client(tmp_path, _fake_backend(draft)) as client:
        try:
            state = client.state("1")
        except NemoError as exc:
            assert exc.message
            return
    _summarise(state.draft)


@pytest.mark.parametrize("draft", [param(f"delta-{k}", v) for k, v in ODD_DRAFTS.items()])
def test_odd_numbers_in_a_state_delta_are_harmless(draft: str) -> None:
    event = f'{{"content": {{"parts": []}}, "actions": {{"stateDelta": {{"draft": {draft}}}}}}}'
    (delta,) = decode_payload(event)
    assert isinstance(delta, StateDeltaEvent)
    _summarise(delta.delta["draft"])


@pytest.mark.parametrize("progress", [param("render-progress-nan", "NaN")])
def test_non_finite_render_progress_does_not_break_export(progress: str, tmp_path: Path) -> None:
    draft = '{"t": [{"tt": 0, "sg": [{"d": 1000}]}]}'
    with _fake_client(tmp_path / "state", _fake_backend(draft, progress)) as client:
        skill = Skill(client, workspace="name:nan", sleep=lambda s: None)
        result = skill.export(tmp_path / "clip.mp4")
    assert result.status == "completed" and Path(str(result.path)).is_file()


# --- bad photos through the CLI, as real processes: refused before any charge -------------


def cli_local(state: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``nemo-skill --api-url local ARGS`` as its own process on the state dir's data folder."""
    argv = [sys.executable, "-m", "nemo_skill.cli", "--api-url", "local", "--state-dir", str(state)]
    return subprocess.run([*argv, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip


BAD_PHOTOS = {  # corpus case -> the words the refusal must say besides the file name
    "jpg-photo-truncated": "the image is damaged or incomplete",  # the others: test_uploads.py
    "png-10000x10": "between 1:4 and 4:1",
}


def test_bad_photos_sent_with_a_message_are_refused_before_any_charge(tmp_path: Path) -> None:
    """``chat -f BAD "animate this"`` on a project: exit 6, the user's file named, the
    limit said, a hint; the credits and the draft are what they were."""
    state, work = tmp_path / "state", tmp_path / "work"
    work.mkdir()
    (work / "photo.jpg").write_bytes(base("jpg"))
    first = cli_local(state, work, "chat", "-f", "photo.jpg", "animate this, 1 second")
    assert first.returncode == 0, first.stderr
    credits = cli_local(state, work, "--json", "credits").stdout
    draft = json.loads(cli_local(state, work, "--json", "state").stdout)["draft"]
    cases = {c.id: c for c in FILES}
    for case_id, words in BAD_PHOTOS.items():
        path = cases[case_id].write(work)
        done = cli_local(state, work, "chat", "-f", path.name, "animate this photo")
        assert done.returncode == 6, done.stdout + done.stderr
        error, hint = done.stderr.splitlines()[-2:]
        assert error.startswith(f"Error: {path.name}: ") and words in error, done.stderr
        assert hint.startswith("Hint: ") and "Supported formats" not in hint, done.stderr
        assert not re.search(r"[0-9a-f]{64}", done.stderr), done.stderr  # never a hash
    assert cli_local(state, work, "--json", "credits").stdout == credits  # nothing charged
    assert json.loads(cli_local(state, work, "--json", "state").stdout)["draft"] == draft
