"""``python -m nemo_skill.local.service``: the background service of one data folder.

:func:`nemo_skill.backends.ensure_service` starts it detached; it runs
:func:`nemo_skill.local.server.run_service` (``serve-local`` runs the same in the
foreground) until SIGTERM, a stop request or ``--idle-s`` idle. The process:

1. holds the folder's service lock for its whole life (a second one exits with
   :data:`~nemo_skill.portfile.EXIT_ALREADY_SERVED`; a kill -9 releases the lock);
2. opens the app (its store claims a fresh owner id, and start-up recovery touches
   only the turns and renders of owners that are gone);
3. listens, then publishes URL, pid and a per-start secret in the port file;
4. answers ``/_local/service`` (status) and ``/_local/service/stop`` to callers that
   show the secret, counts requests, turns and renders as activity, and, when run in
   the background, stops after ``idle_s`` seconds without any.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from nemo_skill import portfile
from nemo_skill.local.app import LocalConfig
from nemo_skill.local.server import AlreadyServedError, run_service


def main(argv: list[str] | None = None) -> int:
    """``python -m nemo_skill.local.service``: the background service of one data folder."""
    parser = argparse.ArgumentParser(prog="nemo_skill.local.service")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--idle-s", type=float, default=portfile.DEFAULT_IDLE_S)
    parser.add_argument("--credits", type=int, default=portfile.LOCAL_DEMO_CREDITS)
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
        return portfile.EXIT_ALREADY_SERVED
    print(f"pid {os.getpid()} stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a process by nemo_skill.backends
    sys.exit(main())
