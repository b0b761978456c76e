"""``nemo-skill credits``: available, frozen and total credits."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """``credits`` takes only the global options."""


def credits_text(data: dict[str, Any]) -> str:
    """``Credits: 100 available, 0 frozen, 100 total`` (+ the bind link for anonymous users)."""
    line = (
        f"Credits: {data['available']:g} available, {data['frozen']:g} frozen, "
        f"{data['total']:g} total"
    )
    if data.get("bind_url"):
        line += f"\nRegister to keep your work and get more credits: {data['bind_url']}"
    return line


def run(ctx: Context) -> int:
    """Print the balance."""
    data = ctx.skill().credits()
    ctx.emit(data, credits_text(data))
    return 0
