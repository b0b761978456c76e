"""Animate the sample photo through the Python API, twice: locally and via the skill.

    python examples/animate_photo.py [OUT_DIR]

1. The render engine directly (no backend): a 5-second Ken Burns clip.
2. The full skill flow on the embedded backend: chat with the photo, edit,
   export — what an agent host does, one message at a time.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from make_sample_image import make_sample


def main(argv: list[str]) -> int:
    """Write two clips to OUT_DIR (default: a temp dir) and print their paths."""
    from nemo_skill.client import NemoClient
    from nemo_skill.local.app import LocalConfig
    from nemo_skill.local.edits import plan_from_prompt
    from nemo_skill.local.engine import probe_image, render_draft
    from nemo_skill.local.server import start_background
    from nemo_skill.settings import Settings
    from nemo_skill.skill import Skill

    out_dir = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="nemo-example-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    photo = make_sample(out_dir / "sample.jpg")

    draft = plan_from_prompt(
        "slow zoom in, 5 seconds, with the title 'Golden Hour'",
        source=str(photo),
        image_size=probe_image(photo),
    )
    local = render_draft(draft, out_dir / "engine.mp4", progress=None)
    print(f"engine: {local.path} {local.width}x{local.height} {local.duration:g}s")

    # A generation costs 100 credits and an edit 50: give the demo user enough for both.
    with start_background(out_dir / "backend", config=LocalConfig(credits_new_user=1000)) as server:
        settings = Settings(api_url=server.url, state_dir=out_dir / "state")
        with NemoClient(settings) as client:
            skill = Skill(client, workspace="example", progress=print)
            reply = skill.chat("turn this image into a 5-second animated video clip", files=[photo])
            print("agent:", *reply.messages, sep="\n  ")
            reply = skill.chat("make it 9:16 and add lo-fi music at 35%")
            print("agent:", *reply.messages, *reply.changes, sep="\n  ")
            exported = skill.export(out_dir / "skill.mp4", force=True)
            print(f"skill: {exported.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
