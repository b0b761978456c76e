"""Run the embedded backend with uvicorn: as its folder's service, or in a thread.

:func:`run_service` is the folder's one service: it holds the folder's service lock
(a second one is refused), opens the app, listens, publishes its URL, pid and a
per-start secret in the port file (:mod:`nemo_skill.portfile`), answers the control
endpoint, and stops when asked, interrupted or (given ``idle_s``) idle with no
request, turn or render. ``serve`` is ``serve-local``: that service in the
foreground. ``--api-url local`` starts it in the background
(:mod:`nemo_skill.backends` runs ``python -m nemo_skill.local.service``). ``start_background``
runs an app in a thread of the caller, unpublished (tests, embedding): its store
is still an owner, so it never recovers a live process's work. Binding anything
but loopback needs an explicit ``allow_remote``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemo_skill import portfile
from nemo_skill.errors import UsageError
from nemo_skill.local.app import LocalConfig, close_app, create_app
from nemo_skill.local.routes.service import Control
from nemo_skill.settings import is_loopback_host


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost`` (the rule web links use too)."""
    return is_loopback_host(host)


def url_host(host: str) -> str:
    """The host part of a URL that reaches ``host`` from this machine."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - naming the wildcard, not binding it
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _uvicorn_server(app: Any, host: str, port: int) -> Any:
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


@dataclass
class LocalServer:
    """A backend running in a daemon thread."""

    url: str
    data_dir: Path
    _server: Any
    _thread: threading.Thread
    _app: Any

    def stop(self) -> None:
        """Stop serving, finish the render workers, close the store."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        close_app(self._app)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def listen(app: Any, host: str, port: int) -> tuple[Any, threading.Thread, int]:
    """Serve ``app`` in a daemon thread; returns (server, thread, bound port) once it accepts."""
    server = _uvicorn_server(app, host, port)
    thread = threading.Thread(target=server.run, name="nemo-local-backend", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise UsageError(
                f"Could not listen on {host}:{port}.", hint="Is the port free? Try --port 0."
            )
        time.sleep(0.01)
    return server, thread, int(server.servers[0].sockets[0].getsockname()[1])


def start_background(
    data_dir: Path, *, host: str = "127.0.0.1", port: int = 0, config: LocalConfig | None = None
) -> LocalServer:
    """Serve ``data_dir`` on a free loopback port in a thread; returns once it accepts."""
    if not is_loopback(host):
        raise UsageError(f"A backend in a thread binds loopback only, not {host}.")
    app = create_app(Path(data_dir), config=config)
    try:
        server, thread, bound = listen(app, host, port)
    except BaseException:
        close_app(app)
        raise
    return LocalServer(f"http://{url_host(host)}:{bound}", Path(data_dir), server, thread, app)


class AlreadyServedError(UsageError):
    """Another live process is the service of this data folder."""


def already_served(data_dir: Path) -> AlreadyServedError:
    """The refusal when another process already serves ``data_dir``."""
    info = portfile.read_info(data_dir)
    where = f" at {info.url} (pid {info.pid})" if info else ""
    return AlreadyServedError(
        f"A local service already serves {data_dir}{where}.",
        hint="Commands with --api-url local use it as it is; stop it first with "
        "`nemo-skill serve-local --stop` to serve this folder in the foreground.",
    )


def run_service(
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: LocalConfig | None = None,
    idle_s: float | None = None,
    on_ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve ``data_dir`` as its one service until stopped, idle (``idle_s``) or interrupted."""
    data_dir = Path(data_dir).expanduser().resolve()
    with portfile.hold_service_lock(data_dir) as held:
        if not held:
            raise already_served(data_dir)
        app = create_app(data_dir, config=config)
        try:
            server, thread, bound = listen(app, host, port)
            url = f"http://{url_host(host)}:{bound}"
            backend = app.state.backend
            activity = backend.activity
            info = portfile.ServiceInfo(
                url=url,
                pid=os.getpid(),
                data_dir=data_dir,
                instance=backend.store.owner or secrets.token_hex(8),
                started=time.time(),
                idle_s=idle_s,
                secret=secrets.token_urlsafe(24),
            )
            control = Control(info, backend.busy, activity.idle_for, stop or threading.Event())
            app.state.control = control
            portfile.write_info(info)
            try:
                if on_ready is not None:
                    on_ready(url)
                _watch(control, thread, idle_s)
            finally:
                server.should_exit = True
                thread.join(timeout=15)
                portfile.remove_info(data_dir, info.instance)
        finally:
            close_app(app)


def _watch(control: Control, thread: threading.Thread, idle_s: float | None) -> None:
    """Return when the server thread ends, a stop is asked, or the service is idle."""
    while thread.is_alive() and not control.stop.is_set():
        if idle_s is not None and not control.busy() and control.idle_for() >= idle_s:
            print(f"idle for {idle_s:g} s: stopping", file=sys.stderr, flush=True)
            return
        control.stop.wait(0.25)


def serve(
    host: str,
    port: int,
    data_dir: Path,
    *,
    allow_remote: bool = False,
    config: LocalConfig | None = None,
    on_ready: Any = None,
) -> None:
    """Serve ``data_dir`` as its one service until interrupted (blocking)."""
    if not is_loopback(host) and not allow_remote:
        raise UsageError(
            f"Refusing to listen on {host}: the backend has no TLS and trusts its callers.",
            hint="Use 127.0.0.1, or pass --allow-remote if you really mean it.",
        )
    # Ctrl-C ends it: by then the service has stopped and unpublished itself.
    with contextlib.suppress(KeyboardInterrupt):
        run_service(data_dir, host=host, port=port, config=config, on_ready=on_ready)
