"""The embedded backend as the one service of its data folder.

Run in the background by :func:`nemo_skill.backends.ensure_service`
(``python -m nemo_skill.local.service --data-dir DIR``) or in the foreground by
``serve-local`` (:func:`nemo_skill.local.server.serve`). Either way the process:

1. holds the folder's service lock for its whole life (a second one exits with
   :data:`~nemo_skill.backends.EXIT_ALREADY_SERVED`; a kill -9 releases the lock);
2. opens the app (its store claims a fresh owner id, and start-up recovery touches
   only the turns and renders of owners that are gone);
3. listens, then publishes URL, pid and a per-start secret in the port file;
4. answers ``/_local/service`` (status) and ``/_local/service/stop`` to callers that
   show the secret, counts requests, turns and renders as activity, and, when run in
   the background, stops after ``idle_s`` seconds without any.
"""

from __future__ import annotations

import argparse
import hmac
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nemo_skill import backends
from nemo_skill.errors import UsageError


class AlreadyServedError(UsageError):
    """Another live process is the service of this data folder."""

    default_code = "usage"


@dataclass
class Control:
    """The running service as its control endpoint sees it."""

    info: backends.ServiceInfo
    busy: Callable[[], bool]
    idle_for: Callable[[], float]
    stop: threading.Event = field(default_factory=threading.Event)


def _control(request: Request) -> Control | None:
    control: Control | None = getattr(request.app.state, "control", None)
    secret = request.headers.get(backends.SECRET_HEADER, "")
    if control is None or not hmac.compare_digest(secret, control.info.secret):
        return None
    return control


async def status(request: Request) -> Response:
    """``GET /_local/service``: who serves this folder (secret required)."""
    control = _control(request)
    if control is None:
        return JSONResponse({"detail": "Not Found"}, 404)
    return JSONResponse(
        {
            **control.info.to_dict(),
            "busy": control.busy(),
            "idle_for_s": round(control.idle_for(), 1),
        }
    )


async def stop(request: Request) -> Response:
    """``POST /_local/service/stop``: stop once the running requests end (secret required)."""
    control = _control(request)
    if control is None:
        return JSONResponse({"detail": "Not Found"}, 404)
    control.stop.set()
    return JSONResponse({"stopping": True, "pid": control.info.pid})


ROUTES = [
    Route(backends.STATUS_PATH, status, methods=["GET"]),
    Route(backends.STATUS_PATH + "/stop", stop, methods=["POST"]),
]


def already_served(data_dir: Path) -> AlreadyServedError:
    """The refusal when another process already serves ``data_dir``."""
    info = backends.read_info(data_dir)
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
    config: Any = None,
    idle_s: float | None = None,
    on_ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve ``data_dir`` as its one service until stopped, idle (``idle_s``) or interrupted."""
    from nemo_skill.local.app import close_app, create_app
    from nemo_skill.local.server import listen, url_host

    data_dir = Path(data_dir).expanduser().resolve()
    with backends.hold_service_lock(data_dir) as held:
        if not held:
            raise already_served(data_dir)
        app = create_app(data_dir, config=config)
        try:
            server, thread, bound = listen(app, host, port)
            url = f"http://{url_host(host)}:{bound}"
            backend = app.state.backend
            activity = backend.activity
            info = backends.ServiceInfo(
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
            backends.write_info(info)
            try:
                if on_ready is not None:
                    on_ready(url)
                _watch(control, thread, idle_s)
            finally:
                server.should_exit = True
                thread.join(timeout=15)
                backends.remove_info(data_dir, info.instance)
        finally:
            close_app(app)


def _watch(control: Control, thread: threading.Thread, idle_s: float | None) -> None:
    """Return when the server thread ends, a stop is asked, or the service is idle."""
    while thread.is_alive() and not control.stop.is_set():
        if idle_s is not None and not control.busy() and control.idle_for() >= idle_s:
            print(f"idle for {idle_s:g} s: stopping", file=sys.stderr, flush=True)
            return
        control.stop.wait(0.25)


def main(argv: list[str] | None = None) -> int:
    """``python -m nemo_skill.local.service``: the background service of one data folder."""
    from nemo_skill.local.app import LocalConfig

    parser = argparse.ArgumentParser(prog="nemo_skill.local.service")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--idle-s", type=float, default=backends.DEFAULT_IDLE_S)
    parser.add_argument("--credits", type=int, default=backends.LOCAL_DEMO_CREDITS)
    args = parser.parse_args(argv)
    stop_event = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_event.set())
    signal.signal(signal.SIGINT, lambda *_: stop_event.set())

    def ready(url: str) -> None:
        print(f"pid {os.getpid()} serving {args.data_dir} on {url}", file=sys.stderr, flush=True)

    try:
        run_service(
            Path(args.data_dir),
            config=LocalConfig(credits_new_user=args.credits),
            idle_s=args.idle_s,
            on_ready=ready,
            stop=stop_event,
        )
    except AlreadyServedError as exc:  # another instance won the race: it serves the folder
        print(exc.message, file=sys.stderr, flush=True)
        return backends.EXIT_ALREADY_SERVED
    print(f"pid {os.getpid()} stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a process by nemo_skill.backends
    sys.exit(main())
