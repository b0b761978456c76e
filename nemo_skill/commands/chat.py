"""``nemo-skill chat MESSAGE [-f FILE ...]``: the main entry for agent hosts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from nemo_skill.commands import add_files_option, claim_line, word_next
from nemo_skill.wording import say

if TYPE_CHECKING:
    from nemo_skill.cli import Context
    from nemo_skill.skill import ChatResult

# A repeated --turn-id call whose turn still runs elsewhere waits this long for it.
RETRY_WAIT_S = 15 * 60.0


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


def render_text(result: ChatResult, *, in_process: bool = False) -> str:
    """The reply for a person: messages, changes, question, state, export path."""
    lines = list(result.messages)
    if result.question and lines and lines[-1].strip() == result.question.strip():
        lines.pop()  # the backend says its question as text too: show it once, as the question
    lines += [f"- {change}" for change in result.changes]
    if result.question:
        lines.append(f"? {result.question}")
        lines += [f"  {i}. {option}" for i, option in enumerate(result.options, start=1)]
    if result.credits:
        from nemo_skill.commands.credits import credits_text

        lines.append(credits_text(result.credits, offline=in_process))
    if result.export:
        lines += claim_line(result.export.claim_url, in_process=in_process)
        if result.export.path:
            lines.append(f"MEDIA:{result.export.path}")
    if result.next:  # the heading and labels in the session's language, like the replies
        lines.append(say("next", result.language))
        lines += [f"  - {step}" for step in word_next(result.next, result.language)]
    return "\n".join(lines) or "Done."


def json_of(data: dict[str, Any]) -> dict[str, Any]:
    """The ``--json`` document: the result with its next steps worded for the CLI."""
    return {**data, "next": word_next(list(data.get("next") or []))}


def run(ctx: Context) -> int:
    """Route and handle one message (once per ``--turn-id``)."""
    if ctx.args.turn_id:
        return _run_once(ctx, ctx.args.turn_id)
    result = ctx.skill().chat(
        ctx.args.message, ctx.args.files, output=ctx.args.output, force=ctx.args.force
    )
    ctx.emit(json_of(result.to_dict()), render_text(result, in_process=ctx.settings.in_process))
    return 0


def _run_once(ctx: Context, turn_id: str) -> int:
    """Run the turn of ``turn_id`` unless it exists; then report the recorded turn."""
    from nemo_skill.skill import RUNNING

    skill = ctx.skill()
    args = ctx.args
    record, created = skill.turns.run_once(
        turn_id,
        lambda tid: skill.chat(
            args.message, args.files, output=args.output, force=args.force
        ).to_dict(),
        workspace=skill.key,
        message=args.message,
        files=args.files,
    )
    if not created:
        _say_already_sent(ctx, record)
        if record.get("turn_state") == RUNNING:
            record = skill.turns.wait(turn_id, RETRY_WAIT_S) or record
    return _report(ctx, record)


def _say_already_sent(ctx: Context, record: dict[str, Any]) -> None:
    from nemo_skill.skill import RUNNING

    turn_id = record.get("turn_id")
    ctx.progress(f"Turn {turn_id} was already sent; not sending it again.")
    if record.get("message") != ctx.args.message:
        ctx.progress(f"Note: turn {turn_id} was sent with a different message: showing that one.")
    if record.get("turn_state") == RUNNING:
        ctx.progress("It is still running; waiting for it to finish…")


def _report(ctx: Context, record: dict[str, Any]) -> int:
    """Print a recorded turn: its result, its error (raised), or that it still runs."""
    from nemo_skill.skill import RUNNING, ChatResult, Turns

    turn_id, state = record.get("turn_id"), record.get("turn_state")
    error = Turns.error_of(record)
    if error is not None:
        raise error
    if state == RUNNING:
        data = {k: record.get(k) for k in ("messages", "changes", "question", "options")}
        data.update(turn_id=turn_id, turn_state=state, progress=record.get("progress", []))
        ctx.emit(data, f"Turn {turn_id} is still running in another process; "
                       "run the same command again later for its result.")  # fmt: skip
        return 0
    data = {**(record.get("result") or {}), "turn_id": turn_id, "turn_state": state}
    text = render_text(ChatResult.from_dict(data), in_process=ctx.settings.in_process)
    ctx.emit(json_of(data), text)
    return 0
