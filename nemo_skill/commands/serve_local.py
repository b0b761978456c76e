"""``nemo-skill serve-local``: the data folder's local service in the foreground; its status.

``--api-url local`` commands start the same service in the background on first use
(:mod:`nemo_skill.backends`); ``--status`` shows it and ``--stop`` stops it. A
foreground ``serve-local`` publishes itself the same way, so those commands use it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from nemo_skill.portfile import LOCAL_DEMO_CREDITS

if TYPE_CHECKING:
    from pathlib import Path

    from nemo_skill.cli import Context


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("port must be between 0 and 65535")
    return port


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``serve-local``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8765, help="port (default 8765; 0 = any free port)"
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", help="database and files (default: state dir/local)"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (no TLS: be careful)",
    )
    parser.add_argument(
        "--credits",
        type=int,
        default=LOCAL_DEMO_CREDITS,  # as the background service: the same folder, the same start
        help=f"credits for each new user (default {LOCAL_DEMO_CREDITS})",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--status",
        action="store_true",
        help="show the folder's running local service (url, pid, folder, uptime) and exit",
    )
    what.add_argument(
        "--stop", action="store_true", help="stop the folder's running local service and exit"
    )
    what.add_argument(
        "--add-credits",
        type=int,
        metavar="N",
        help="offline top-up: add N credits to every user of the data dir, then exit "
        "(safe while a server runs on it)",
    )


def run(ctx: Context) -> int:
    """Serve until Ctrl-C (or show/stop the running service, or top up credits)."""
    from pathlib import Path

    from nemo_skill.backends import is_loopback, local_data_dir, serve_foreground
    from nemo_skill.textsafe import for_terminal

    args = ctx.args
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else local_data_dir(ctx.settings)
    if args.add_credits is not None:
        return _add_credits(ctx, data_dir, args.add_credits)
    if args.status:
        return _status(ctx, data_dir)
    if args.stop:
        return _stop(ctx, data_dir)
    if args.allow_remote and not is_loopback(args.host):
        host = for_terminal(args.host)
        ctx.stderr.write(
            f"WARNING: listening on {host}: anyone who can reach it can use this backend.\n"
        )

    def ready(url: str) -> None:
        ctx.emit(
            {"url": url, "data_dir": str(data_dir)},
            f"Embedded NemoVideo backend on {url} (data: {data_dir})\n"
            f"Use it with: export NEMO_API_URL={url}\nCtrl-C to stop.",
        )

    serve_foreground(
        data_dir,
        host=args.host,
        port=args.port,
        credits=args.credits,
        allow_remote=args.allow_remote,
        on_ready=ready,
    )
    return 0


def _uptime(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def _status(ctx: Context, data_dir: Path) -> int:
    """``--status``: the running service, or that none runs (exit 0 either way)."""
    from nemo_skill.backends import service_status

    status = service_status(data_dir)
    if status is None:
        ctx.emit(
            {"running": False, "data_dir": str(data_dir)},
            f"No local service runs for {data_dir} (a command with --api-url local starts one).",
        )
        return 0
    idle = status["idle_s"]
    stops = f"stops after {idle:g} s idle" if idle is not None else "runs until Ctrl-C"
    busy = "busy" if status.get("busy") else "idle"
    ctx.emit(
        {"running": True, **status},
        f"Local service for {status['data_dir']}: {status['url']} (pid {status['pid']}, "
        f"up {_uptime(status['uptime_s'])}, {busy}, {stops}).",
    )
    return 0


def _stop(ctx: Context, data_dir: Path) -> int:
    """``--stop``: stop the running service now (a render in progress is cancelled)."""
    from nemo_skill.backends import stop_service

    stopped = stop_service(data_dir)
    if stopped is None:
        ctx.emit(
            {"stopped": False, "data_dir": str(data_dir)},
            f"No local service runs for {data_dir}.",
        )
        return 0
    ctx.emit(
        {"stopped": True, **stopped.to_dict()},
        f"Stopped the local service for {stopped.data_dir} (pid {stopped.pid}, {stopped.url}).",
    )
    return 0


def _add_credits(ctx: Context, data_dir: Path, amount: int) -> int:
    """The offline top-up: the embedded backend has no account to register or pay."""
    from nemo_skill.backends import add_credits
    from nemo_skill.errors import UsageError

    if not 0 < amount <= 1_000_000:
        raise UsageError("--add-credits takes a number from 1 to 1000000.")
    users = add_credits(data_dir, amount)
    if users is None:
        raise UsageError(
            f"No embedded backend data in {data_dir}.",
            hint="Pass the --data-dir the server uses (default: the state dir's local/).",
        )
    ctx.emit(
        {"data_dir": str(data_dir), "added": amount, "users": users},
        f"Added {amount} credits to each of {users} user(s) in {data_dir}.",
    )
    return 0
