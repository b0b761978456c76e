"""``nemo-skill auth``: sign in (env token, cached or anonymous) and say who we are."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """``auth`` takes only the global options."""


def run(ctx: Context) -> int:
    """Authenticate and print the user id and credits, never the token."""
    from nemo_skill.commands.credits import credits_text
    from nemo_skill.errors import is_anonymous

    skill = ctx.skill()
    skill.client.authenticate()
    data = skill.credits()
    user_id = data["user_id"]
    payload = {"user_id": user_id, "anonymous": is_anonymous(user_id), "credits": data}
    ctx.emit(
        payload, f"Ready. Signed in as {user_id or 'the NEMO_TOKEN user'}.\n" + credits_text(data)
    )
    return 0
