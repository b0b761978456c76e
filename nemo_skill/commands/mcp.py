"""``nemo-skill mcp``: serve the skill's actions as MCP tools on stdio."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nemo_skill.cli import Context
    from nemo_skill.skill import Skill


def configure(parser: argparse.ArgumentParser) -> None:
    """``mcp`` takes only the global options (``--api-url local`` starts the offline backend)."""


def run(ctx: Context) -> int:
    """Serve until the host closes stdin."""
    from nemo_skill.errors import UsageError

    try:
        from nemo_skill.mcp_server import build_server
    except ImportError as exc:
        raise UsageError(
            f"The MCP server needs the mcp package ({exc.name}).",
            hint="pip install 'openai-image-to-video[mcp]'",
        ) from None
    from nemo_skill.skill import Skill
    from nemo_skill.workspace import workspace_key

    client = ctx.client()  # starts the embedded backend once for --api-url local
    key = workspace_key(getattr(ctx.args, "session", None))

    def factory(progress: Callable[[str], None]) -> Skill:
        return Skill(client, workspace=key, progress=progress)

    build_server(factory, ctx.settings.state_dir).run("stdio")
    return 0
