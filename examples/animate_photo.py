"""Animate the sample photo through the Python API, twice: on the CPU alone, then via the skill.

    NEMO_API_URL=local python examples/animate_photo.py [OUT_DIR]

1. The render engine directly (no backend): a 5-second Ken Burns clip with a title.
2. The full skill flow: ``Skill.from_env()`` reads the environment alone; with
   ``NEMO_API_URL=local`` it uses this machine's local service (started in the
   background on first use, shared with the CLI and the MCP server, stopped when
   idle). Chat with the photo, edit, export: what an agent host does, one message
   at a time. Without ``NEMO_API_URL`` the script runs offline too (it defaults to
   ``local``); set ``NEMO_API_URL`` and ``NEMO_TOKEN`` to use the NemoVideo service.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from make_sample_image import make_sample


def main(argv: list[str]) -> int:
    """Write two clips to OUT_DIR (default: a temp dir) and print their paths."""
    from nemo_skill import Skill
    from nemo_skill.backends import animate_photo

    out_dir = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="nemo-example-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    photo = make_sample(out_dir / "sample.jpg")

    engine, _notes = animate_photo(
        photo,
        out_dir / "engine.mp4",
        progress=None,
        prompt="slow zoom in, 5 seconds, with the title 'Golden Hour'",
        size=960,
    )
    print(f"engine: {engine.path} {engine.width}x{engine.height} {engine.duration:g}s")

    os.environ.setdefault("NEMO_API_URL", "local")  # offline unless told otherwise
    with Skill.from_env(workspace="example", progress=print) as skill:
        reply = skill.chat("turn this image into a 5-second animated video clip", files=[photo])
        print("agent:", *reply.messages, sep="\n  ")
        reply = skill.chat("make it 9:16 and add lo-fi music at 35%")
        print("agent:", *reply.messages, *reply.changes, sep="\n  ")
        exported = skill.export(out_dir / "skill.mp4", force=True)
        print(f"skill: {exported.path}")
        if exported.claim_url:
            print(f"open it in the web app: {exported.claim_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
