"""``nemo-skill classify TEXT`` / ``classify -``: show how messages are routed."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from nemo_skill.textsafe import json_line

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``classify``."""
    parser.add_argument("text", help="the message, or '-' to read one message per line from stdin")
    parser.add_argument(
        "--with-files", action="store_true", help="classify as if the message carried files"
    )


def run(ctx: Context) -> int:
    """Print the action (or one JSON object per stdin line)."""
    from nemo_skill.intents import classify

    has_files = bool(ctx.args.with_files)
    if ctx.args.text == "-":
        for line in sys.stdin:
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            intent = classify(text, has_files=has_files)
            ctx.stdout.write(json_line({"text": text, "action": intent.action}) + "\n")
        ctx.stdout.flush()
        return 0
    intent = classify(ctx.args.text, has_files=has_files)
    data = {"text": ctx.args.text, "action": intent.action, "reason": intent.reason}
    ctx.emit(data, intent.action)
    return 0
