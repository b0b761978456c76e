"""``nemo-skill credits``: available, frozen and total credits."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """``credits`` takes only the global options."""


# The embedded backend has no accounts: its credits are added on this machine.
OFFLINE_TOP_UP = "More credits for the offline backend: `nemo-skill serve-local --add-credits 500`"


def credits_text(data: dict[str, Any], *, offline: bool = False) -> str:
    """``Credits: 100 available, 0 frozen, 100 total`` (+ where to get more)."""
    line = (
        f"Credits: {data['available']:g} available, {data['frozen']:g} frozen, "
        f"{data['total']:g} total"
    )
    if data.get("bind_url"):
        line += f"\nRegister to keep your work and get more credits: {data['bind_url']}"
    elif offline:
        line += f"\n{OFFLINE_TOP_UP}"
    return line


def run(ctx: Context) -> int:
    """Print the balance."""
    data = ctx.skill().credits()
    ctx.emit(data, credits_text(data, offline=ctx.settings.in_process))
    return 0
