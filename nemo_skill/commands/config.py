"""``nemo-skill config get|set|unset|list``: non-secret settings in ``config.json``.

A value comes from a flag, else the environment, else this file, else a
default; ``list`` shows where each one comes from. Secrets are refused.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_skill.cli import Context


def configure(parser: argparse.ArgumentParser) -> None:
    """Sub-actions of ``config``."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every setting, its value and where it comes from")
    get = actions.add_parser("get", help="print one setting's value in effect")
    get.add_argument("key")
    put = actions.add_parser("set", help="store a setting (never a secret)")
    put.add_argument("key")
    put.add_argument("value")
    unset = actions.add_parser("unset", help="remove a stored setting")
    unset.add_argument("key")


def _flags(ctx: Context) -> dict[str, str | None]:
    return {"api_url": getattr(ctx.args, "api_url", None)}


def _overridden(entry: Any) -> str:
    if entry.source == "config":
        return ""
    if entry.source.startswith("env"):
        return f" (note: {entry.source.split()[1]} in the environment wins over it)"
    if entry.source == "flag":
        return " (note: the command-line flag wins over it)"
    return ""


def run(ctx: Context) -> int:
    """Do the sub-action and print the result."""
    from nemo_skill import settings as user

    state_dir = ctx.settings.state_dir
    action = ctx.args.action
    path = str(user.config_path(state_dir))
    if action == "list":
        values = user.resolve(state_dir, flags=_flags(ctx))
        rows = [{**v.to_dict(), "help": user.KEYS[v.key].help} for v in values.values()]
        ignored = user.ignored(state_dir)
        lines = [f"{r['key']} = {r['value'] or '(not set)'}  [{r['source']}]" for r in rows]
        lines.append(f"(file: {path}; precedence: flag > environment > file > default)")
        if ignored:
            lines.append("Ignored in the file (unknown, malformed, secret): " + ", ".join(ignored))
        ctx.emit({"file": path, "settings": rows, "ignored": ignored}, "\n".join(lines))
        return 0
    key = user.check_key(ctx.args.key)
    if action == "get":
        entry = user.resolve(state_dir, flags=_flags(ctx))[key.name]
        ctx.emit(entry.to_dict(), entry.value or f"(not set: {key.help})")
    elif action == "set":
        value = user.set_value(state_dir, key.name, ctx.args.value, token=ctx.settings.token)
        entry = user.resolve(state_dir, flags=_flags(ctx))[key.name]
        ctx.emit(
            {"key": key.name, "value": value, "file": path, "in_effect": entry.to_dict()},
            f"Set {key.name} = {value} in {path}{_overridden(entry)}",
        )
    else:
        removed = user.unset_value(state_dir, key.name)
        ctx.emit(
            {"key": key.name, "removed": removed, "file": path},
            f"Removed {key.name} from {path}" if removed else f"{key.name} was not set in {path}",
        )
    return 0
