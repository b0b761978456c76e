"""``nemo-skill chat MESSAGE [-f FILE ...]``: the main entry for agent hosts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from nemo_skill.commands import add_files_option

if TYPE_CHECKING:
    from nemo_skill.cli import Context
    from nemo_skill.skill import ChatResult


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``chat``."""
    parser.add_argument("message", help="the user's message, as they wrote it")
    add_files_option(parser, "a file (or URL) to upload first; repeatable")
    parser.add_argument(
        "-o", "--output", metavar="PATH", help="where to save the MP4 if the message asks to export"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")
    parser.add_argument(
        "--turn-id",
        metavar="KEY",
        help="idempotency key: a repeated call with the same KEY returns the first result "
        "and never re-sends the message",
    )


def render_text(result: ChatResult) -> str:
    """The reply for a person: messages, changes, question, state, export path."""
    lines = list(result.messages)
    lines += [f"- {change}" for change in result.changes]
    if result.question:
        lines.append(f"? {result.question}")
        lines += [f"  {i}. {option}" for i, option in enumerate(result.options, start=1)]
    if result.credits:
        from nemo_skill.commands.credits import credits_text

        lines.append(credits_text(result.credits))
    if result.export and result.export.path:
        lines.append(f"MEDIA:{result.export.path}")
    return "\n".join(lines) or "Done."


def run(ctx: Context) -> int:
    """Route and handle one message (once per ``--turn-id``)."""
    if ctx.args.turn_id:
        return _run_once(ctx, ctx.args.turn_id)
    result = ctx.skill().chat(
        ctx.args.message, ctx.args.files, output=ctx.args.output, force=ctx.args.force
    )
    ctx.emit(result.to_dict(), render_text(result))
    return 0


def _run_once(ctx: Context, turn_id: str) -> int:
    import time

    from nemo_skill.errors import NemoError
    from nemo_skill.skill import ChatResult
    from nemo_skill.turns import RUNNING, TurnStore, finished_fields

    store = TurnStore(ctx.settings.state_dir)
    record, created = store.begin(turn_id, message=ctx.args.message, files=ctx.args.files)
    if created:
        try:
            result = ctx.skill().chat(
                ctx.args.message, ctx.args.files, output=ctx.args.output, force=ctx.args.force
            )
        except NemoError as exc:
            store.update(turn_id, turn_state="failed", error=exc.to_dict())
            raise
        record = store.update(turn_id, **finished_fields(result.to_dict()))
    else:
        ctx.progress(f"Turn {turn_id} was already sent; not sending it again.")
        deadline = time.monotonic() + 900
        while record.get("turn_state") == RUNNING and time.monotonic() < deadline:
            time.sleep(1.0)
            record = store.load(turn_id) or record
    if record.get("error") and not record.get("result"):
        error = NemoError(
            record["error"]["message"],
            code=record["error"].get("code"),
            hint=record["error"].get("hint"),
        )
        raise error
    data = dict(record.get("result") or {})
    data.update(turn_id=turn_id, turn_state=record.get("turn_state"))
    known = ChatResult.__dataclass_fields__
    result = ChatResult(**{k: v for k, v in data.items() if k in known and k != "export"})
    text = render_text(result)
    export = data.get("export") or {}
    if export.get("path"):
        text += f"\nMEDIA:{export['path']}"
    ctx.emit(data, text)
    return 0
