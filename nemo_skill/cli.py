"""``nemo-skill``: one command per user message, for agent hosts and people.

stdout carries the reply (or, with ``--json``, exactly one JSON document);
progress goes to stderr. Every error prints a message and a hint (or
``{"error": {"code", "message", "hint"}}``) and exits with the code of its
class in :mod:`nemo_skill.errors`; the core's next steps are worded here as
commands (:data:`STEPS`). Commands drive :class:`~nemo_skill.skill.Skill`
only. Command modules live in
``nemo_skill/commands/`` and are imported only when their command runs, so
``nemo-skill classify`` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TextIO, cast

from nemo_skill import __version__
from nemo_skill.config import DEFAULT_PROMPT
from nemo_skill.errors import Next, exit_codes, word_hint
from nemo_skill.textsafe import for_terminal, json_line

if TYPE_CHECKING:
    from nemo_skill.client import NemoClient
    from nemo_skill.settings import Settings
    from nemo_skill.skill import Skill

# name -> (module under nemo_skill.commands, one-line help). Order = --help order.
COMMANDS: dict[str, tuple[str, str]] = {
    "chat": ("chat", "send one user message (uploads -f files first); the main entry for hosts"),
    "generate": ("generate", "batch: animate each image and download one clip per file"),
    "upload": ("upload", "upload image/video/audio files or URLs to the session"),
    "state": ("state", "show the timeline of the current session"),
    "credits": ("credits", "show available/frozen/total credits"),
    "export": ("export", "render the timeline to MP4 and download it"),
    "new": ("new", "start a fresh project session for this workspace"),
    "open": ("open", "print the link that opens this project in the web app"),
    "projects": ("projects", "list this machine's projects, newest first"),
    "config": ("config", "get/set/unset/list non-secret settings (API URL, output folder, ...)"),
    "auth": ("auth", "authenticate and show the user id and credits (never the token)"),
    "classify": ("classify", "show how a message is routed: export/credits/state/upload/chat"),
    "animate": ("animate", "render an image to MP4 locally on the CPU, no backend needed"),
    "serve-local": ("serve_local", "run the embedded local backend (offline NemoVideo contract)"),
    "mcp": ("mcp", "run the MCP server on stdio"),
}


# How the user runs this CLI. The uv launcher (scripts/nemo-skill.py) sets it to
# ``uv run <skill folder>/scripts/nemo-skill.py``, since ``nemo-skill`` is then not on PATH.
PROG_ENV = "NEMO_SKILL_PROG"
_PROG_WORD = re.compile(r"(?<![\w./-])nemo-skill(?= )")
# The rest of one command: to its closing backtick, the end of its line or of its JSON string.
_NO_BACKEND = (["serve-local"], ["animate"], ["config"], ["classify"])  # need no --api-url
_COMMAND_REST = re.compile(r'[^`\n]*?(?=`|\n|"[,}\]]|$)')


def program() -> str:
    """How a user runs to run this CLI: ``nemo-skill`` unless a launcher says otherwise."""
    return os.environ.get(PROG_ENV, "").strip() or "nemo-skill"


def as_run(text: str, *, in_json: bool = False, carry: str = "") -> str:
    """``text`` with every ``nemo-skill COMMAND`` it names written as :func:`program` runs it.

    One place for every sentence the CLI prints (next steps, hints, the GUI wording the core
    translated, batch summaries), so an agent can run each command it is shown as it is.
    ``carry`` (see :meth:`Context.carried`) follows the program word, except in a command
    that already gives ``--api-url``.
    """
    prog = program()
    if prog == "nemo-skill" and not carry:
        return text
    bare = json_line(prog)[1:-1] if in_json else prog
    full = f"{bare} {carry}" if carry else bare

    def word(match: re.Match[str]) -> str:
        rest = _COMMAND_REST.match(text, match.end())
        command = rest.group() if rest else ""
        local = "--api-url" in command or command.split(" ", 2)[1:2] in _NO_BACKEND
        return bare if local else full

    return _PROG_WORD.sub(word, text)


# The CLI's one table of the core's next steps (errors.Next): the commands and options that
# take them. Hints, replies, batch results and the "Next:" lines are all worded from it.
STEPS: dict[Next, str] = {
    Next.STATE: "`nemo-skill state`",
    Next.EXPORT: "`nemo-skill export`",
    Next.EXPORT_RESUME: "`nemo-skill export --resume`",
    Next.EXPORT_STATUS: "`nemo-skill export --resume JOB_ID`",
    Next.CHAT: f'nemo-skill chat "{DEFAULT_PROMPT}" -f photo.jpg',
    Next.CREDITS: "`nemo-skill credits`",
    Next.PROJECTS: "`nemo-skill projects`",
    Next.GENERATE: "`nemo-skill generate`",
    Next.SETTINGS: "`nemo-skill config list`",
    Next.TOP_UP: "`nemo-skill serve-local --add-credits 500 --data-dir`",
    Next.FILES: "`-f FILE`",
    Next.OUTPUT: "`-o`",
    Next.FORCE: "`--force`",
    Next.FRESH: "`--fresh`",
    Next.JOBS: "`--jobs`",
    Next.ADD_MUSIC: '`nemo-skill chat "add calm background music"`',
    Next.ADD_TITLE: "`nemo-skill chat \"add the title 'My Trip' at the start\"`",
    Next.VERTICAL: '`nemo-skill chat "make it 9:16"`',
    Next.LONGER: '`nemo-skill chat "make it 10 seconds long"`',
    Next.EDIT: '`nemo-skill chat "a slower zoom in"`',
    Next.OPEN_LINK: "`nemo-skill open`",
    Next.ANOTHER_CLIP: '`nemo-skill chat "animate this" -f photo.jpg`',
}


def exit_codes_help(per_line: int = 3) -> str:
    """The ``--help`` epilog: every exit code, from the one table in :mod:`nemo_skill.errors`."""
    cells = [f"{code} {meaning}" for code, meaning in exit_codes()]
    width = max(len(cell) for cell in cells) + 2
    rows = [cells[i : i + per_line] for i in range(0, len(cells), per_line)]
    return "exit codes:\n" + "".join(
        "  " + "".join(cell.ljust(width) for cell in row).rstrip() + "\n" for row in rows
    )


EXIT_CODES_HELP = exit_codes_help()


class CommandModule(Protocol):
    """What every module in ``nemo_skill.commands`` provides."""

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, ctx: Context) -> int: ...


class Context:
    """What a command needs: parsed args, output channels, settings and a client."""

    def __init__(
        self, args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        self.args = args
        self.json: bool = bool(getattr(args, "json", False))
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._settings: Settings | None = None
        self._client: NemoClient | None = None
        self._closers: list[Callable[[], None]] = []

    # --- output -------------------------------------------------------------
    def carried(self) -> str:
        """The flags every command shown must repeat to reach the same backend: a user who
        typed ``--api-url local`` and copies ``nemo-skill export`` would reach the cloud."""
        url = getattr(self.args, "api_url", None)
        return "--api-url local" if isinstance(url, str) and url.strip() == "local" else ""

    def as_run(self, text: str, *, in_json: bool = False) -> str:
        """:func:`as_run` with the flags this command line carries."""
        return as_run(text, in_json=in_json, carry=self.carried())

    def emit(self, data: Any, text: str | None = None) -> None:
        """Print ``data`` as JSON in ``--json`` mode, else ``text`` (or ``data`` itself)."""
        if self.json:
            self.stdout.write(self.as_run(json_line(data), in_json=True) + "\n")
        else:
            shown = self.as_run(text if text is not None else str(data)).rstrip("\n")
            self.stdout.write(for_terminal(shown) + "\n")
        self.stdout.flush()

    def progress(self, message: str) -> None:
        """A progress line on stderr (never on stdout, so JSON stays clean)."""
        if not getattr(self.args, "quiet", False):
            line = self.as_run(word_hint(message, None, STEPS)).rstrip("\n")
            self.stderr.write(for_terminal(line) + "\n")
            self.stderr.flush()

    # --- settings and client ------------------------------------------------
    @property
    def settings(self) -> Settings:
        """Settings from the environment, with the global flags applied."""
        if self._settings is None:
            from nemo_skill.settings import Settings

            state_dir = getattr(self.args, "state_dir", None)
            self._settings = Settings.from_env(
                api_url=getattr(self.args, "api_url", None),
                state_dir=Path(state_dir).expanduser() if state_dir else None,
            )
        return self._settings

    def resolved_settings(self) -> Settings:
        """Settings whose ``api_url`` is a real URL: ``local`` is the data folder's service.

        :func:`nemo_skill.backends.open_settings` finds it, or starts it in the background;
        it outlives this command and serves the next ones (and the claim links).
        """
        settings = self.settings
        if settings.is_local:
            from nemo_skill.backends import open_settings

            settings = self._settings = open_settings(settings)
        return settings

    def client(self) -> NemoClient:
        """The shared :class:`NemoClient` for this command (created on first use)."""
        if self._client is None:
            from nemo_skill.client import NemoClient

            self._client = NemoClient(self.resolved_settings(), notice=self.progress)
            self._closers.append(self._client.close)
        return self._client

    def skill(self) -> Skill:
        """A :class:`Skill` for this workspace (``--session NAME`` or the current directory)."""
        from nemo_skill.skill import Skill

        key = Skill.key_for(getattr(self.args, "session", None))
        return Skill(self.client(), workspace=key, progress=self.progress, steps=STEPS)

    def close(self) -> None:
        """Close the client (the local service stays up for the next command)."""
        while self._closers:
            closer = self._closers.pop()
            with contextlib.suppress(Exception):  # shutting down; nothing useful to report
                closer()


def _load(name: str) -> CommandModule:
    module: Any = importlib.import_module(f"nemo_skill.commands.{COMMANDS[name][0]}")
    return cast(CommandModule, module)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``only`` configures just that subcommand (fast start)."""
    parser = _Parser(
        prog=program(),
        description="Turn still images into short animated videos by chatting (NemoVideo).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_, help_text) in COMMANDS.items():
        child = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_global_options(child, suppress=True)
        if only is None or name == only:
            _load(name).configure(child)
    return parser


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """Options accepted before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--api-url",
        default=default,
        metavar="URL",
        help="backend base URL, or 'local' for the embedded offline backend (env NEMO_API_URL)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print exactly one JSON document on stdout",
    )
    parser.add_argument(
        "--state-dir",
        default=default,
        metavar="DIR",
        help="state directory (env NEMO_SKILL_HOME, default ~/.config/nemovideo)",
    )
    parser.add_argument(
        "--session",
        default=default,
        metavar="NAME",
        help="named project session (default: one per current directory)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="no progress on stderr",
    )


def _command_in(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg in COMMANDS:
            return arg
    return None


def report_error(ctx: Context, error: Exception) -> int:
    """Print ``error`` for a person or as JSON and return its exit code."""
    from nemo_skill.errors import NemoError

    if not isinstance(error, NemoError):
        error = NemoError(f"Unexpected error: {type(error).__name__}: {error}")
    if ctx.json:
        payload = json_line({"error": error.to_dict(STEPS)})
        ctx.stdout.write(ctx.as_run(payload, in_json=True) + "\n")
        ctx.stdout.flush()
    else:
        ctx.stderr.write(for_terminal(ctx.as_run(f"Error: {error.worded_message(STEPS)}")) + "\n")
        hint = error.worded_hint(STEPS)
        if hint:
            ctx.stderr.write(for_terminal(ctx.as_run(f"Hint: {hint}")) + "\n")
        ctx.stderr.flush()
    return error.exit_code


class _Parser(argparse.ArgumentParser):
    """Argument errors become :class:`UsageError` (so ``--json`` prints JSON for them too)."""

    def error(self, message: str) -> NoReturn:
        from nemo_skill.errors import UsageError

        raise UsageError(f"{self.prog}: {message}", hint=f"Run `{self.prog} --help` for usage.")


def _clean_arg(arg: str) -> str:
    try:  # undecodable argv bytes arrive as surrogate escapes: decode them as UTF-8 or U+FFFD
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # other lone surrogates (Python API callers)
        return arg.encode("utf-8", "replace").decode("utf-8")


def _clean_argv(argv: Sequence[str]) -> list[str]:
    """Arguments as valid Unicode, so output is always valid UTF-8."""
    return [_clean_arg(a) for a in argv]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nemo-skill`` console script."""
    from nemo_skill.errors import UsageError

    argv = _clean_argv(sys.argv[1:] if argv is None else argv)
    wants_help = "-h" in argv or "--help" in argv
    parser = build_parser(only=None if wants_help else _command_in(argv))
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        return report_error(Context(argparse.Namespace(json="--json" in argv)), exc)
    if not args.command:
        parser.print_help()
        return 2
    ctx = Context(args)
    try:
        return _load(args.command).run(ctx)
    except KeyboardInterrupt:
        from nemo_skill.errors import CancelledError

        return report_error(ctx, CancelledError("Interrupted."))
    except Exception as exc:  # every failure becomes a message and an exit code
        return report_error(ctx, exc)
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
