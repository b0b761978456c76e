"""``nemo-skill open``: print the link that opens this project in the web app.

With ``--api-url local`` the page is served by the data folder's local service,
which stops after a while with nothing to do: ``--serve`` keeps it (and the link)
up until Ctrl-C; without it the command says how long the link lives.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``open``."""
    parser.add_argument(
        "--serve",
        action="store_true",
        help="with --api-url local: keep the local service serving the page until Ctrl-C",
    )


def run(ctx: Context) -> int:
    """Ask the backend for a claim token and print the link (``--json``: url, expires_in)."""
    from nemo_skill.errors import UsageError

    local = ctx.settings.is_local
    if ctx.args.serve and not local:
        raise UsageError(
            "--serve keeps the local service running, so it needs --api-url local.",
            hint="Run `nemo-skill open` without --serve: the link works while that backend runs.",
        )
    link = ctx.skill().claim_link()
    data = link.to_dict()
    lines = [link.url]
    if link.expires_in:
        lines.append(f"(valid for {_duration(link.expires_in)}; anyone with the link can view it)")
    if local:
        data["serving"] = True
        if not ctx.args.serve:
            lines.append(
                "Note: the local service on this machine serves this page; it stops after "
                f"{_duration(int(_idle_s()))} with nothing to do. "
                "`nemo-skill open --api-url local --serve` keeps it up until Ctrl-C."
            )
    ctx.emit(data, "\n".join(lines))
    if local and ctx.args.serve:
        return _serve_until_interrupted(ctx)
    return 0


def _idle_s() -> float:
    from nemo_skill.backends import idle_seconds

    return idle_seconds()


def _duration(seconds: int) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    return f"{max(1, seconds // 60)} minutes"


def _serve_until_interrupted(ctx: Context) -> int:
    """Keep the local service awake (a look now and then) until Ctrl-C."""
    import time

    from nemo_skill.backends import find_service, local_data_dir

    folder = local_data_dir(ctx.settings)
    every = max(0.5, min(30.0, _idle_s() / 3))
    ctx.progress("Serving the project page; Ctrl-C to stop.")
    try:
        while True:
            if find_service(folder) is None:  # stopped by `serve-local --stop`
                ctx.progress("The local service has stopped.")
                return 0
            time.sleep(every)
    except KeyboardInterrupt:
        ctx.progress("Stopped.")
    return 0
