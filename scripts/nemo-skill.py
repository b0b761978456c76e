#!/usr/bin/env -S uv run --script
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "httpx>=0.27",
#   "httpx-sse>=0.4",
#   "pyyaml>=6.0",
#   "pydantic>=2.7",
# ]
# ///
"""Run the ``nemo-skill`` CLI from the skill folder with nothing but uv.

    uv run {skill folder}/scripts/nemo-skill.py [--json] COMMAND ARGS

uv reads the inline metadata above (PEP 723) and runs this file in a cached
environment holding the skill's four light dependencies, the same as
pyproject.toml's. The launcher puts the skill folder on ``sys.path`` and runs
``nemo_skill.cli:main``: arguments, stdout, stderr and the exit code are the
CLI's own.

Commands that run offline need heavier packages: the embedded backend
(``--api-url local`` or ``NEMO_API_URL=local``, ``animate``, ``serve-local``)
needs the ``local`` extra (and ``depth`` when ``NEMO_DEPTH_MODEL`` names a
model), ``mcp`` the ``mcp`` extra. When they are missing,
the launcher runs itself again through ``uv run --script RUNNER ARGS``, where
RUNNER is a small generated PEP 723 script that adds the extra's requirements
(read from pyproject.toml's ``[project.optional-dependencies]``: one list) and
runs this file; uv caches its environment, so later runs need no network and no
manual step.
Started by a Python without the light dependencies (``python3
scripts/nemo-skill.py``), it hands the command to ``uv run`` the same way.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

SKILL_DIR = Path(__file__).resolve().parent.parent
PYPROJECT = SKILL_DIR / "pyproject.toml"

# Import names of the inline dependencies above (tests/test_launcher.py checks they match).
BASE_MODULES = ("httpx", "httpx_sse", "yaml", "pydantic")
# The CLI words the commands it names with this (nemo_skill.cli.PROG_ENV).
PROG_ENV = "NEMO_SKILL_PROG"

# Set on the re-run so that packages still missing after it are an error, not a loop.
REEXEC_GUARD = "_NEMO_SKILL_LAUNCHER_REEXEC"

# Global options of the CLI (nemo_skill.cli.add_global_options) that take a value.
VALUE_OPTIONS = ("--api-url", "--state-dir", "--session")
FLAG_OPTIONS = ("--json", "--quiet", "--help", "--version")
# Commands that run offline whatever the API URL is, and those that never call a backend.
OFFLINE_COMMANDS = {"animate": ("local",), "serve-local": ("local",)}
NO_BACKEND_COMMANDS = frozenset({"classify", "animate", "serve-local"})


def _long_option(arg: str) -> str | None:
    """The global long option ``arg`` names (argparse accepts unambiguous prefixes)."""
    name = arg.split("=", 1)[0]
    matches = [o for o in (*VALUE_OPTIONS, *FLAG_OPTIONS) if o.startswith(name)]
    if name in matches:
        return name
    return matches[0] if len(matches) == 1 else None


def parse_command(argv: Sequence[str]) -> tuple[str | None, dict[str, str | None]]:
    """The command name and the last value of each global value option in ``argv``.

    Global options may come before or after the command; only those before it can
    hide the command (``--session chat`` names a session, not the command).
    """
    command: str | None = None
    values: dict[str, str | None] = {}
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            if command is None and i + 1 < len(args):
                command = args[i + 1]
            break
        option = _long_option(arg) if arg.startswith("--") else None
        if option in VALUE_OPTIONS:
            if "=" in arg:
                values[option] = arg.split("=", 1)[1]
            else:
                values[option] = args[i + 1] if i + 1 < len(args) else None
                i += 1
        elif command is None and not arg.startswith("-"):
            command = arg
        i += 1
    return command, values


def is_local(api_url: str | None, state_dir: str | None, env: Mapping[str, str]) -> bool:
    """Whether the CLI will use the embedded backend, decided as the CLI decides it.

    The package's own settings apply the precedence (flag, ``NEMO_API_URL``, the
    ``api_url`` of ``config.json`` in the state directory, default); they need only
    the standard library. If they cannot be read, the flag and the environment decide.
    """
    try:
        from nemo_skill.settings import Settings

        folder = Path(state_dir).expanduser() if state_dir else None
        return Settings.from_env(env, api_url=api_url or None, state_dir=folder).is_local
    except Exception:  # a broken config file: the CLI itself will say what is wrong
        value = api_url or env.get("NEMO_API_URL") or ""
        return value.strip().rstrip("/").lower() == "local"


def extras_for(argv: Sequence[str], env: Mapping[str, str]) -> tuple[str, ...]:
    """The pyproject extras the command in ``argv`` needs at run time (often none)."""
    if any(arg in ("-h", "--help", "--version") for arg in argv):
        return ()
    command, values = parse_command(argv)
    if command is None:
        return ()
    extras: list[str] = list(OFFLINE_COMMANDS.get(command, ()))
    if command == "mcp":
        extras.append("mcp")
    if command not in NO_BACKEND_COMMANDS and is_local(
        values.get("--api-url"), values.get("--state-dir"), env
    ):
        extras.append("local")
    if "local" in extras and env.get("NEMO_DEPTH_MODEL", "").strip():
        extras.append("depth")  # renders then load the learned depth model (onnxruntime)
    return tuple(dict.fromkeys(extras))


# "name[extra,...]" with no version: how an extra names other extras of the same project.
SELF_REFERENCE = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*\[([^\]]*)\]\s*\Z")


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Demo_Pkg`` == ``demo-pkg``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(extras: Sequence[str], pyproject: Path = PYPROJECT) -> list[str]:
    """The requirements of ``extras`` in pyproject.toml (self-references expanded)."""
    import tomllib

    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    table: dict[str, list[str]] = project.get("optional-dependencies", {})
    own = canonical(project["name"])
    found: list[str] = []
    pending = list(extras)
    seen: set[str] = set()
    while pending:
        extra = pending.pop(0)
        if extra in seen:
            continue
        seen.add(extra)
        if extra not in table:
            raise KeyError(f"pyproject.toml has no extra {extra!r}")
        for requirement in table[extra]:
            match = SELF_REFERENCE.match(requirement)
            if match and canonical(match.group(1)) == own:
                pending.extend(part.strip() for part in match.group(2).split(",") if part.strip())
            elif requirement not in found:
                found.append(requirement)
    return found


def distribution_name(requirement: str) -> str:
    """``"opencv-python-headless>=4.9"`` -> ``"opencv-python-headless"``."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise ValueError(f"not a requirement: {requirement!r}")
    return match.group(1)


def missing(requires: Sequence[str]) -> list[str]:
    """The requirements whose distribution is not installed in this interpreter."""
    import importlib.metadata

    absent = []
    for requirement in requires:
        try:
            importlib.metadata.distribution(distribution_name(requirement))
        except importlib.metadata.PackageNotFoundError:
            absent.append(requirement)
    return absent


def _fail(argv: Sequence[str], message: str, hint: str) -> int:
    """Report like the CLI does (JSON on stdout with ``--json``) and return exit code 2."""
    if "--json" in argv:
        error = {"code": "missing_dependency", "message": message, "hint": hint}
        sys.stdout.write(json.dumps({"error": error}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        sys.stderr.write(f"Error: {message}\nHint: {hint}\n")
        sys.stderr.flush()
    return 2


def ensure_dependencies(argv: Sequence[str]) -> int | None:
    """Re-run through uv when a dependency ``argv`` needs is missing; else return None.

    A non-None result is an exit code (a dependency uv could not provide, or no uv).
    The light dependencies are missing when something other than ``uv run`` started
    this file (``python3 scripts/nemo-skill.py``): uv then runs it as SKILL.md says.
    """
    import importlib.util

    already_rerun = os.environ.pop(REEXEC_GUARD, None) is not None
    base_missing = [m for m in BASE_MODULES if importlib.util.find_spec(m) is None]
    extras = extras_for(argv, os.environ)
    folder = str(SKILL_DIR)
    requires: list[str] = []
    if extras:
        try:
            requires = requirements(extras)
        except (OSError, KeyError, ValueError) as exc:  # a TOMLDecodeError is a ValueError
            return _fail(
                argv,
                f"cannot read the {'/'.join(extras)} requirements from {PYPROJECT}: {exc}",
                "Reinstall the skill folder: pyproject.toml must ship with it.",
            )
    absent = missing(requires) if requires else []
    if not base_missing and not absent:
        return None
    names = ", ".join([*base_missing, *(distribution_name(r) for r in absent)])
    install_hint = (
        f"Run it through uv (`uv run {folder}/scripts/nemo-skill.py ...`; uv: "
        "https://docs.astral.sh/uv/), or install the CLI with its extras: "
        f"`uv tool install '{folder}[{','.join(extras or ('local',))}]'`."
    )
    if already_rerun:
        return _fail(argv, f"uv ran this command without {names}.", install_hint)
    uv = os.environ.get("UV") or _which("uv")
    if not uv:
        return _fail(argv, f"this command needs {names}, and uv is not installed.", install_hint)
    script = runner_script(extras, requires) if absent else Path(__file__).resolve()
    command = [uv, "run", "--script", str(script), *argv]
    os.environ[REEXEC_GUARD] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "nt":  # no real exec on Windows: wait and pass the exit code on
        import subprocess

        return subprocess.call(command)
    os.execvp(command[0], command)  # noqa: S606 - argument list, no shell, by design
    return None  # pragma: no cover - execvp does not return


def inline_dependencies(text: str) -> tuple[str, list[str]]:
    """``requires-python`` and ``dependencies`` of the PEP 723 block at the top of ``text``."""
    import tomllib

    match = re.search(r"(?m)^# /// script\n((?:^#(?: .*)?\n)+)^# ///$", text)
    if not match:
        raise ValueError("no '# /// script' block")
    body = "".join(line[2:] for line in match.group(1).splitlines(keepends=True))
    meta = tomllib.loads(body)
    return str(meta["requires-python"]), [str(r) for r in meta["dependencies"]]


def runner_script(extras: Sequence[str], requires: Sequence[str]) -> Path:
    """A PEP 723 script that runs this launcher with ``requires`` added to its dependencies.

    uv keeps a script's environment in its cache and reuses it without asking the
    package index (offline too), where ``uv run --with`` resolves the added
    requirements on every run. The script is written, when its content changes,
    into ``launcher/`` of the private state directory (0700; the same
    ``NEMO_SKILL_HOME`` the CLI uses), named by its extras and a digest of its content.
    """
    import hashlib

    from nemo_skill.settings import default_state_dir

    launcher = Path(__file__).resolve()
    python, base = inline_dependencies(launcher.read_text(encoding="utf-8"))
    lines = [
        "# /// script",
        f"# requires-python = {json.dumps(python)}",
        "# dependencies = [",
        *(f"#   {json.dumps(r)}," for r in [*base, *requires]),
        "# ]",
        "# ///",
        f'"""Generated by {launcher.name} to run it with the {", ".join(extras)} extras."""',
        "import runpy",
        "import sys",
        "",
        f"sys.argv[0] = {str(launcher)!r}",
        f"runpy.run_path({str(launcher)!r}, run_name='__main__')",
        "",
    ]
    content = "\n".join(lines)
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
    folder = default_state_dir(os.environ) / "launcher"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    prefix = f"nemo-skill-{'-'.join(extras)}-"
    script = folder / f"{prefix}{digest}.py"
    if not script.is_file() or script.read_text(encoding="utf-8") != content:
        temporary = folder / f".{script.name}.{os.getpid()}.tmp"
        temporary.write_text(content, encoding="utf-8")
        temporary.chmod(0o600)
        os.replace(temporary, script)
    for stale in folder.glob(f"{prefix}*.py"):  # earlier requirement sets of the same extras
        if stale != script:
            stale.unlink(missing_ok=True)
    return script


def _which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


def main(argv: Sequence[str] | None = None) -> int:
    """Bring in what the command needs, then run ``nemo_skill.cli.main``."""
    args = list(sys.argv[1:] if argv is None else argv)
    # The skill folder, not scripts/, is where ``nemo_skill`` lives.
    # (Python put scripts/ first on sys.path; it holds nothing to import.)
    if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == SKILL_DIR / "scripts":
        sys.path[0] = str(SKILL_DIR)
    else:
        sys.path.insert(0, str(SKILL_DIR))
    # The CLI names its commands the way they can be run here (see nemo_skill.cli.program).
    os.environ.setdefault(PROG_ENV, f"uv run {shlex.quote(str(Path(__file__).resolve()))}")
    code = ensure_dependencies(args)
    if code is not None:
        return code
    from nemo_skill.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
