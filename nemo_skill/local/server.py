"""Run the embedded backend with uvicorn: blocking (``serve``) or in a thread.

``start_background`` is what ``--api-url local`` uses: a free port on
127.0.0.1, returned once the server accepts connections, stopped with the
command. Binding anything but loopback needs an explicit ``allow_remote``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemo_skill.errors import UsageError
from nemo_skill.local.app import LocalConfig, close_app, create_app
from nemo_skill.settings import is_loopback_host


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost`` (the rule web links use too)."""
    return is_loopback_host(host)


def _url_host(host: str) -> str:
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


def start_background(
    data_dir: Path, *, host: str = "127.0.0.1", port: int = 0, config: LocalConfig | None = None
) -> LocalServer:
    """Serve ``data_dir`` on a free loopback port in a thread; returns once it accepts."""
    if not is_loopback(host):
        raise UsageError(f"The in-process backend binds loopback only, not {host}.")
    app = create_app(Path(data_dir), config=config)
    server = _uvicorn_server(app, host, port)
    thread = threading.Thread(target=server.run, name="nemo-local-backend", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            close_app(app)
            raise UsageError("The embedded backend did not start.", hint="Is the port free?")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    return LocalServer(f"http://{host}:{bound[1]}", Path(data_dir), server, thread, app)


def serve(
    host: str,
    port: int,
    data_dir: Path,
    *,
    allow_remote: bool = False,
    config: LocalConfig | None = None,
    on_ready: Any = None,
) -> None:
    """Serve until interrupted (blocking)."""
    if not is_loopback(host) and not allow_remote:
        raise UsageError(
            f"Refusing to listen on {host}: the backend has no TLS and trusts its callers.",
            hint="Use 127.0.0.1, or pass --allow-remote if you really mean it.",
        )
    app = create_app(Path(data_dir), config=config)
    server = _uvicorn_server(app, host, port)
    thread = threading.Thread(target=server.run, name="nemo-local-backend", daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            time.sleep(0.01)
        if not server.started:
            raise UsageError(
                f"Could not listen on {host}:{port}.", hint="Is the port free? Try --port 0."
            )
        if on_ready is not None:
            bound = server.servers[0].sockets[0].getsockname()
            on_ready(f"http://{_url_host(host)}:{bound[1]}")
        while thread.is_alive():
            thread.join(timeout=0.5)
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(timeout=10)
    finally:
        close_app(app)
