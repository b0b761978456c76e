"""``nemo-skill open``: print the link that opens this project in the web app.

With ``--api-url local`` the backend runs inside this command and stops when
it ends, so the link would die with it: ``--serve`` keeps the backend (and the
link) up until Ctrl-C; without it the command says so and what to run.
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
        help="with --api-url local: keep the embedded backend serving the page until Ctrl-C",
    )


def run(ctx: Context) -> int:
    """Ask the backend for a claim token and print the link (``--json``: url, expires_in)."""
    from nemo_skill.errors import UsageError

    local = ctx.settings.is_local
    if ctx.args.serve and not local:
        raise UsageError(
            "--serve keeps the in-process backend running, so it needs --api-url local.",
            hint="Run `nemo-skill open` without --serve: the link works while that backend runs.",
        )
    link = ctx.skill().claim_link()
    data = link.to_dict()
    lines = [link.url]
    if link.expires_in:
        lines.append(f"(valid for {_duration(link.expires_in)}; anyone with the link can view it)")
    if local and not ctx.args.serve:
        lines.append(
            "Note: this backend ran inside this command and has stopped, so the link above "
            "no longer opens. To view the project, run `nemo-skill open --api-url local --serve` "
            "(a fresh link, served until Ctrl-C), or start `nemo-skill serve-local`, set "
            "NEMO_API_URL to the URL it prints and run `nemo-skill open`."
        )
        data["serving"] = False
    ctx.emit(data, "\n".join(lines))
    if local and ctx.args.serve:
        return _serve_until_interrupted(ctx)
    return 0


def _duration(seconds: int) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    return f"{max(1, seconds // 60)} minutes"


def _serve_until_interrupted(ctx: Context) -> int:
    import time

    ctx.progress("Serving the project page; Ctrl-C to stop.")
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        ctx.progress("Stopped.")
    return 0
