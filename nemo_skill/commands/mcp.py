"""``nemo-skill mcp``: serve the skill's actions as MCP tools on stdio."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context
    from nemo_skill.skill import Skill


def configure(parser: argparse.ArgumentParser) -> None:
    """``mcp`` takes only the global options (``--api-url local``: the local service)."""


def run(ctx: Context) -> int:
    """Serve until the host closes stdin."""
    from nemo_skill.errors import NemoError, UsageError

    try:
        from nemo_skill.mcp_server import STEPS, build_server
    except ImportError as exc:
        if not (exc.name or "").startswith("mcp"):
            raise  # a broken install of this package, not the missing extra
        raise UsageError(
            "The MCP server needs the mcp package.",
            hint="pip install 'openai-image-to-video[mcp]'",
        ) from None
    from nemo_skill.skill import Skill

    client = ctx.client()  # one client for the server's lifetime (local: the shared service)
    try:
        # Authenticate before tools run in parallel threads, so they share one token.
        client.authenticate()
    except NemoError as exc:  # the tools report it (with its hint) when they are called
        ctx.progress(f"Not signed in yet: {exc.message}")

    def factory(workspace: str, progress: Callable[[str], None]) -> Skill:
        return Skill(client, workspace=workspace, progress=progress, steps=STEPS)

    build_server(factory, Skill.key_for(getattr(ctx.args, "session", None))).run("stdio")
    return 0
