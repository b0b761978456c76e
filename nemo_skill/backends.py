"""Which backend a command talks to: the one module outside ``nemo_skill.local`` that opens it.

``--api-url`` / ``NEMO_API_URL`` names a backend URL, or ``local``: the embedded
backend of the data folder ``<state dir>/local``. :func:`open_settings` turns
``local`` into the URL of that folder's **one service**, started in the background
on first use and reused by every later or concurrent command, the MCP server and
the Python API (:class:`~nemo_skill.client.NemoClient` calls it). The service's
lifecycle follows style-by-example habit 14 (the Gradle daemon, ``ollama serve``):

- found again through the port file ``service.json`` in the data folder, written
  atomically (0600) by the service once it listens: URL, pid and a per-start
  secret (the file and the locks: :mod:`nemo_skill.portfile`). A file is trusted
  only while the service's lock (``service.lock``) is held and the URL answers
  ``/_local/service`` with that secret: a killed service or a reused port is a
  stale file, ignored and replaced;
- started under ``service.start.lock``, so commands started at once start exactly
  one: a detached process (its own session, loopback only, a free port, its log in
  ``service.log``);
- stopped after ``NEMO_LOCAL_IDLE_S`` seconds with no request, turn or render
  (default 900), or on request (``serve-local --stop``, :func:`stop_service`).

No other module outside ``nemo_skill/local`` imports ``nemo_skill.local``: the
commands that need the package itself (``serve-local``, ``animate``, ``generate``)
go through the narrow functions at the end of this module, imported lazily so a
cloud command never loads the local extra.
"""

from __future__ import annotations

import hmac
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.errors import NemoError, UsageError
from nemo_skill.portfile import (
    DEFAULT_IDLE_S,
    EXIT_ALREADY_SERVED,
    LOCAL_DEMO_CREDITS,
    LOG_FILE,
    PORT_FILE,
    SECRET_HEADER,
    START_LOCK,
    STATUS_PATH,
    ServiceInfo,
    read_info,
    service_lock_held,
)
from nemo_skill.settings import LOCAL_API_URL
from nemo_skill.storage import ensure_private_dir, locked

if TYPE_CHECKING:
    from nemo_skill.settings import Settings

__all__ = [
    "LOCAL_DEMO_CREDITS",
    "LOG_FILE",
    "PORT_FILE",
    "ServiceInfo",
    "ensure_service",
    "find_service",
    "idle_seconds",
    "local_data_dir",
    "open_settings",
    "read_info",
    "service_lock_held",
    "service_status",
    "stop_service",
]

LOCAL_DIR = "local"  # the data folder under the state dir
START_TIMEOUT_S = 90.0  # a first start imports OpenCV and PyAV: slow on a busy machine
LOG_KEEP_BYTES = 1 << 20  # the log is rotated (once) past 1 MB when a service starts
HELD_WAIT_S = 15.0  # how long a service that holds the folder may take to answer (or exit)


def local_data_dir(settings: Settings) -> Path:
    """The embedded backend's data folder of ``settings``: ``<state dir>/local``."""
    return settings.state_dir / LOCAL_DIR


def idle_seconds(env: Mapping[str, str] | None = None) -> float:
    """``NEMO_LOCAL_IDLE_S`` (seconds, > 0), else :data:`DEFAULT_IDLE_S`."""
    env = os.environ if env is None else env
    text = env.get("NEMO_LOCAL_IDLE_S", "").strip()
    if not text:
        return DEFAULT_IDLE_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 7 * 86400:
        raise UsageError(
            f"NEMO_LOCAL_IDLE_S must be a number of seconds above 0 (at most 604800), "
            f"not {text!r}.",
            hint="Unset it for the default (900 s), or set e.g. NEMO_LOCAL_IDLE_S=300.",
        )
    return value


# --- finding, starting and stopping the service -----------------------------------------


def _ask(info: ServiceInfo, method: str, path: str, *, timeout: float = 5.0) -> Any:
    """One authenticated call to the service's control endpoint; None when it fails."""
    import httpx  # here: `animate` (the engine alone) never talks to a service

    try:
        with httpx.Client(timeout=timeout, trust_env=False) as http:
            response = http.request(method, info.url + path, headers={SECRET_HEADER: info.secret})
        return response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None


def find_service(data_dir: Path, *, touch: bool = True) -> ServiceInfo | None:
    """The folder's running service, checked (lock held, answers with its secret), or None.

    ``touch`` counts the check as activity (a command is about to use the service);
    ``serve-local --status`` looks without keeping it awake.
    """
    info = read_info(data_dir)
    if info is None or not service_lock_held(data_dir):
        return None
    answer = _ask(info, "GET", STATUS_PATH + ("" if touch else "?peek=1"))
    if not isinstance(answer, dict) or not hmac.compare_digest(
        str(answer.get("instance", "")), info.instance
    ):
        return None
    return info


def ensure_service(
    data_dir: Path, *, credits: int = LOCAL_DEMO_CREDITS, idle_s: float | None = None
) -> ServiceInfo:
    """The folder's running service, started in the background when there is none."""
    data_dir = Path(data_dir).expanduser().resolve()
    info = find_service(data_dir)
    if info is not None:
        return info
    ensure_private_dir(data_dir)
    with locked(data_dir / START_LOCK):  # one starter at a time; the others then find it
        return _start_or_wait(data_dir, credits, idle_seconds() if idle_s is None else idle_s)


def _start_or_wait(data_dir: Path, credits: int, idle_s: float) -> ServiceInfo:
    """Under the start lock: the service once it answers, started here when none holds the
    folder. A service still holding it (starting by another route, or shutting down) is
    waited for; one that holds it but never answers is reported with its pid."""
    process: subprocess.Popen[bytes] | None = None
    deadline = time.monotonic() + START_TIMEOUT_S
    held_since: float | None = None  # when we began waiting on a service that is not ours
    while True:
        info = find_service(data_dir)
        if info is not None:
            return info
        now = time.monotonic()
        code = process.poll() if process is not None else None
        if code is not None and code != EXIT_ALREADY_SERVED:
            raise NemoError(
                f"The local service did not start (exit code {code}): {_log_tail(data_dir)}",
                hint=f"See its log: {data_dir / LOG_FILE}",
            )
        if code is not None:
            process = None  # another instance won the folder: wait for it like any other
        if process is None:
            if not service_lock_held(data_dir):
                _check_local_extra()
                process, held_since = _spawn(data_dir, credits, idle_s), None
            elif held_since is None:
                held_since = now
            elif now - held_since > HELD_WAIT_S:
                raise _not_answering(data_dir)
        if now > deadline:
            raise NemoError(
                f"The local service did not answer within {START_TIMEOUT_S:g} s.",
                hint=f"See its log: {data_dir / LOG_FILE}",
            )
        time.sleep(0.05)


def _not_answering(data_dir: Path) -> NemoError:
    stale = read_info(data_dir)
    if stale is None:
        return NemoError(
            f"A process holds {data_dir} as its local service but publishes no address.",
            hint=f"See its log: {data_dir / LOG_FILE}",
        )
    return NemoError(
        f"The local service of {data_dir} (pid {stale.pid}) holds the folder but does not "
        f"answer at {stale.url} as its port file says.",
        hint=f"Stop that process (kill {stale.pid}) and run the command again.",
    )


_IMPORT_PATH = "PYTHONPATH"
# Import names of the ``local`` extra the service cannot start without.
LOCAL_EXTRA_MODULES = ("starlette", "uvicorn", "cv2", "av")


def _check_local_extra() -> None:
    """Say plainly that the ``local`` extra is missing, rather than a crash in the log."""
    import importlib.util

    absent = [name for name in LOCAL_EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if absent:
        raise UsageError(
            f"The embedded backend (--api-url local) needs the local extra ({', '.join(absent)} "
            "missing).",
            hint="Install it: pip install 'openai-image-to-video[local]' (the skill's launcher, "
            "uv run scripts/nemo-skill.py, brings it in by itself).",
        )


def _package_root() -> str:
    """The folder holding ``nemo_skill`` (the launcher runs it from the skill folder)."""
    return str(Path(__file__).resolve().parent.parent)


def _spawn(data_dir: Path, credits: int, idle_s: float) -> subprocess.Popen[bytes]:
    """Start the service detached: its own session, no terminal, output to its log."""
    env = dict(os.environ)
    env.pop("NEMO_TOKEN", None)  # a cloud secret the embedded backend never needs
    # Passed through with our package in front (not a setting of ours: not in ENV_VARS).
    env[_IMPORT_PATH] = os.pathsep.join(p for p in (_package_root(), env.get(_IMPORT_PATH)) if p)
    command = [
        sys.executable,
        "-m",
        "nemo_skill.local.service",
        "--data-dir",
        str(data_dir),
        "--idle-s",
        repr(idle_s),
        "--credits",
        str(credits),
    ]
    log = data_dir / LOG_FILE
    if log.is_file() and log.stat().st_size > LOG_KEEP_BYTES:  # one old log is kept
        os.replace(log, log.with_name(LOG_FILE + ".1"))
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        process = subprocess.Popen(  # our own interpreter and module, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_fd,
            stderr=log_fd,
            cwd=data_dir,
            env=env,
            start_new_session=True,  # Ctrl-C in the terminal is for the command, not for it
            close_fds=True,
        )
    finally:
        os.close(log_fd)
    # Reap it when it exits, so a long-lived parent (MCP server, Python API) keeps no zombie.
    threading.Thread(target=process.wait, name="nemo-service-reaper", daemon=True).start()
    return process


def _log_tail(data_dir: Path, lines: int = 3) -> str:
    try:
        text = (data_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "no log"
    tail = [line for line in text.splitlines() if line.strip()][-lines:]
    return " / ".join(tail) or "no log"


def stop_service(data_dir: Path, *, timeout: float = 30.0) -> ServiceInfo | None:
    """Ask the folder's service to stop and wait until it has; the stopped one, or None."""
    data_dir = Path(data_dir).expanduser().resolve()
    info = find_service(data_dir, touch=False)
    if info is None:
        return None
    _ask(info, "POST", STATUS_PATH + "/stop")
    deadline = time.monotonic() + timeout
    while service_lock_held(data_dir):
        if time.monotonic() > deadline:
            raise NemoError(
                f"The local service (pid {info.pid}) did not stop within {timeout:g} s.",
                hint=f"See its log: {data_dir / LOG_FILE}",
            )
        time.sleep(0.05)
    return info


def service_status(data_dir: Path) -> dict[str, Any] | None:
    """The running service's status (url, pid, folder, uptime, busy), without waking it."""
    data_dir = Path(data_dir).expanduser().resolve()
    info = find_service(data_dir, touch=False)
    if info is None:
        return None
    answer = _ask(info, "GET", STATUS_PATH + "?peek=1")
    status = info.to_dict()
    if isinstance(answer, dict):
        status["busy"] = bool(answer.get("busy"))
        status["idle_for_s"] = answer.get("idle_for_s")
    return status


def open_settings(settings: Settings) -> Settings:
    """``settings`` whose ``api_url`` is a real URL: ``local`` becomes the folder's service.

    Cached tokens and sessions stay under the ``local`` scope (the port changes between
    starts); claim links point at the service, which serves the project page itself.
    """
    if not settings.is_local:
        return settings
    info = ensure_service(local_data_dir(settings))
    opened = replace(settings, api_url=info.url, scope=LOCAL_API_URL)
    if settings.web_url_source in ("default", "derived"):
        opened = replace(opened, web_url=info.url, web_url_source="derived")
    return opened


# --- the embedded package itself, for the commands that need it -----------------------------


def serve_foreground(
    data_dir: Path,
    *,
    host: str,
    port: int,
    credits: int,
    allow_remote: bool,
    on_ready: Callable[[str], None],
) -> None:
    """``serve-local``: the folder's service in the foreground, until Ctrl-C."""
    from nemo_skill.local.app import LocalConfig
    from nemo_skill.local.server import serve

    serve(
        host,
        port,
        data_dir,
        allow_remote=allow_remote,
        config=LocalConfig(credits_new_user=credits),
        on_ready=on_ready,
    )


def add_credits(data_dir: Path, amount: int) -> int | None:
    """The offline top-up: ``amount`` more credits for every user; None when no data."""
    from nemo_skill.local.store import DB_NAME, Store

    if not (data_dir / DB_NAME).is_file():
        return None
    store = Store(data_dir)
    try:
        return store.add_credits(amount)
    finally:
        store.close()


def render_workers() -> int:
    """How many renders the embedded backend runs at once (its default config)."""
    from nemo_skill.local.app import LocalConfig

    return LocalConfig().render_workers


def motion_names() -> tuple[str, ...]:
    """The camera moves the render engine knows (``animate --motion``)."""
    from nemo_skill.local.engine.motion import MOTIONS

    return tuple(MOTIONS)


def animate_photo(
    image: Path, out: Path, *, progress: Callable[[float], None] | None, **options: Any
) -> tuple[Any, list[str]]:
    """``animate``: render ``image`` to ``out`` on the CPU, no backend (options: the flags).

    The engine's ``RenderResult`` and the notes about titles that will not show as written.
    """
    from nemo_skill.local.animate import AnimateOptions, animate

    return animate(image, out, AnimateOptions(**options), progress)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    from nemo_skill.settings import is_loopback_host

    return is_loopback_host(host)
