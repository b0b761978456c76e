"""``nemo-skill serve-local``: run the embedded backend for other clients."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

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
    parser.add_argument("--port", type=_port, default=8765, help="port (0 = any free port)")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="database and files (default: state dir/local)"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (no TLS: be careful)",
    )
    parser.add_argument(
        "--credits", type=int, default=100, help="credits for each new user (default 100)"
    )
    parser.add_argument(
        "--add-credits",
        type=int,
        metavar="N",
        help="offline top-up: add N credits to every user of the data dir, then exit "
        "(safe while a server runs on it)",
    )


def run(ctx: Context) -> int:
    """Serve until Ctrl-C."""
    from pathlib import Path

    from nemo_skill.local.app import LocalConfig
    from nemo_skill.local.server import is_loopback, serve
    from nemo_skill.textsafe import for_terminal

    args = ctx.args
    data_dir = (
        Path(args.data_dir).expanduser() if args.data_dir else ctx.settings.state_dir / "local"
    )
    if args.add_credits is not None:
        return _add_credits(ctx, data_dir, args.add_credits)
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

    serve(
        args.host,
        args.port,
        data_dir,
        allow_remote=args.allow_remote,
        config=LocalConfig(credits_new_user=args.credits),
        on_ready=ready,
    )
    return 0


def _add_credits(ctx: Context, data_dir: Path, amount: int) -> int:
    """The offline top-up: the embedded backend has no account to register or pay."""
    from nemo_skill.errors import UsageError
    from nemo_skill.local.store import DB_NAME, Store

    if not 0 < amount <= 1_000_000:
        raise UsageError("--add-credits takes a number from 1 to 1000000.")
    if not (data_dir / DB_NAME).is_file():
        raise UsageError(
            f"No embedded backend data in {data_dir}.",
            hint="Pass the --data-dir the server uses (default: the state dir's local/).",
        )
    store = Store(data_dir)
    try:
        users = store.add_credits(amount)
    finally:
        store.close()
    ctx.emit(
        {"data_dir": str(data_dir), "added": amount, "users": users},
        f"Added {amount} credits to each of {users} user(s) in {data_dir}.",
    )
    return 0
