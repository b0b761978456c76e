"""SKILL.md, skill.yaml, the package and the code agree on name, version and env vars."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import nemo_skill
from nemo_skill import settings
from nemo_skill.manifest import (
    ManifestError,
    SkillIdentity,
    load_identity,
    split_frontmatter,
    version_of,
)

ROOT = Path(__file__).resolve().parent.parent
SKILL_MD = ROOT / "SKILL.md"
SKILL_YAML = ROOT / "skill.yaml"
PACKAGE = ROOT / "nemo_skill"
NAME = "openai-image-to-video"
# The AgentSkills validator accepts only these top-level frontmatter keys.
ALLOWED_KEYS = {"name", "description", "license", "allowed-tools", "metadata", "compatibility"}


@pytest.fixture(scope="module")
def front() -> dict[str, Any]:
    data, _ = split_frontmatter(SKILL_MD.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def package_yaml() -> dict[str, Any]:
    data = yaml.safe_load(SKILL_YAML.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# --- SKILL.md frontmatter ----------------------------------------------------


def test_frontmatter_identity(front: dict[str, Any]) -> None:
    assert front["name"] == NAME
    assert set(front) <= ALLOWED_KEYS
    assert isinstance(front.get("license"), str) and front["license"]
    assert isinstance(front["metadata"]["version"], str)


def test_description_fits_the_registries(front: dict[str, Any]) -> None:
    description = front["description"]
    assert isinstance(description, str) and description.strip()
    assert len(description) < 1024
    assert "<" not in description and ">" not in description


def test_frontmatter_is_block_style() -> None:
    # Strict validators reject flow mappings and lists ({...}, [...]).
    block = SKILL_MD.read_text(encoding="utf-8").split("---", 2)[1]
    for line in block.splitlines():
        value = line.split(":", 1)[1].strip() if ":" in line else ""
        assert not value.startswith(("{", "[")), line


def test_openclaw_metadata(front: dict[str, Any]) -> None:
    openclaw = front["metadata"]["openclaw"]
    assert openclaw["emoji"]
    assert openclaw["homepage"].startswith("https://")
    assert openclaw["primaryEnv"] == "NEMO_TOKEN"
    assert isinstance(openclaw["requires"], dict) and openclaw["requires"]
    for entry in openclaw["envVars"]:
        assert set(entry) >= {"name", "description"}, entry
        assert entry["description"].strip()


def test_openclaw_requires_uv_and_offers_its_brew_install(front: dict[str, Any]) -> None:
    # OpenClaw counts a skill "ready" from requires.bins alone: the launcher needs uv, and
    # a missing uv must hide the skill and offer this install (as its own uv skills do).
    openclaw = front["metadata"]["openclaw"]
    assert openclaw["requires"] == {"bins": ["uv"]}
    assert openclaw["install"] == [
        {"id": "uv-brew", "kind": "brew", "formula": "uv", "bins": ["uv"]}
    ]


def test_no_install_entry_names_a_package_we_do_not_publish(front: dict[str, Any]) -> None:
    # Kind "uv" runs `uv tool install <package>` from PyPI, where our name is unclaimed.
    for entry in front["metadata"]["openclaw"]["install"]:
        assert entry["kind"] != "uv" and "package" not in entry, entry
        assert NAME not in str(entry)


# --- the commands SKILL.md gives --------------------------------------------------

LAUNCH = "uv run {baseDir}/scripts/nemo-skill.py"


def skill_commands() -> list[str]:
    """Every inline code span of SKILL.md's body that runs something."""
    _, body = split_frontmatter(SKILL_MD.read_text(encoding="utf-8"))
    spans = re.findall(r"`([^`\n]+)`", body)
    runs = ("uv ", "nemo-skill", "python", "pip", "pipx ", "./", "scripts/")
    return [span for span in spans if span.startswith(runs)]


def test_every_command_runs_through_the_launcher() -> None:
    commands = skill_commands()
    assert len(commands) >= 15
    for command in commands:
        if command.startswith("pipx "):  # how a person gets uv (not a command for the agent)
            continue
        assert command == LAUNCH or command.startswith(LAUNCH + " "), command
    assert (ROOT / "scripts" / "nemo-skill.py").is_file()


def test_skill_md_has_no_pip_fallback() -> None:
    _, body = split_frontmatter(SKILL_MD.read_text(encoding="utf-8"))
    assert "pip install" not in body
    assert "python3 -m" not in body


def test_skill_md_commands_parse() -> None:
    from nemo_skill.cli import build_parser
    from nemo_skill.errors import UsageError

    parsed = 0
    for command in skill_commands():
        if not command.startswith(LAUNCH + " "):
            continue
        if any(marker in command for marker in ("[", "...", "COMMAND", "ARGS")):
            continue  # a template, not a command line
        args = shlex.split(command[len(LAUNCH) :])
        try:
            build_parser().parse_args(args)
        except UsageError as exc:  # pragma: no cover - the assertion message is the point
            pytest.fail(f"SKILL.md gives a command the CLI refuses: {command}: {exc}")
        parsed += 1
    assert parsed >= 10


def test_skill_yaml_commands_use_the_launcher(package_yaml: dict[str, Any]) -> None:
    assert package_yaml["requires"] == ["uv"]
    for command in package_yaml["commands"].values():
        argv = shlex.split(command)
        assert argv[:2] == ["uv", "run"]
        assert (ROOT / argv[2]).is_file(), command
    assert package_yaml["commands"]["mcp"].split()[-1] == "mcp"


# --- one version, one list of env vars ----------------------------------------


def test_version_agrees_everywhere(front: dict[str, Any], package_yaml: dict[str, Any]) -> None:
    version = nemo_skill.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[.-]?\w+)?", version)
    assert front["metadata"]["version"] == version
    assert str(package_yaml["version"]) == version
    # The installed distribution reads its version from nemo_skill/__init__.py
    # (hatch); a mismatch means the package was not reinstalled after a bump.
    assert importlib.metadata.version(NAME) == version
    assert load_identity(SKILL_MD).version == version


def test_names_agree(package_yaml: dict[str, Any]) -> None:
    assert package_yaml["name"] == NAME
    assert importlib.metadata.metadata(NAME)["Name"] == NAME


def test_env_vars_agree(front: dict[str, Any], package_yaml: dict[str, Any]) -> None:
    declared = [entry["name"] for entry in front["metadata"]["openclaw"]["envVars"]]
    assert declared == list(package_yaml["env"]) == list(settings.ENV_VARS)
    assert len(set(declared)) == len(declared)
    assert front["metadata"]["openclaw"]["primaryEnv"] in declared


_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")


def _string_arg(node: ast.Call) -> str | None:
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _env_reads(tree: ast.AST) -> Iterator[str]:
    """Names passed as literals to ``*.get``, ``getenv``, ``environ[...]`` and similar."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            literal = _string_arg(node)
            if name in {"get", "getenv", "pop", "setdefault"} and _ENV_NAME.match(literal or ""):
                yield str(literal)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            target = node.value
            base = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            key = node.slice.value
            if base in {"environ", "env"} and isinstance(key, str) and _ENV_NAME.match(key):
                yield key


def _scan_package() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _env_reads(tree):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_env_var_the_code_reads_is_declared() -> None:
    found = _scan_package()
    # The scan must see the reads we know about, or it proves nothing.
    assert {"NEMO_SKILL_HOME", "SKILL_SOURCE", "NEMO_TOKEN"} <= set(found)
    undeclared = {name: files for name, files in found.items() if name not in settings.ENV_VARS}
    assert not undeclared, (
        f"declare these in settings.ENV_VARS, SKILL.md and skill.yaml: {undeclared}"
    )


def test_env_scan_catches_every_reading_style() -> None:
    source = (
        "import os\n"
        "a = os.environ.get('A_VAR')\n"
        "b = os.getenv('B_VAR', '')\n"
        "c = os.environ['C_VAR']\n"
        "d = env.get('D_VAR')\n"
        "e = get('E_VAR')\n"
        "f = {'x': 1}.get('lower_case_key')\n"
    )
    assert sorted(_env_reads(ast.parse(source))) == ["A_VAR", "B_VAR", "C_VAR", "D_VAR", "E_VAR"]


# --- platform detection and headers ------------------------------------------


def _install(root: Path) -> Path:
    """Lay out the skill folder the way a host does and return its SKILL.md."""
    folder = root / NAME
    folder.mkdir(parents=True)
    return Path(shutil.copy(SKILL_MD, folder / "SKILL.md"))


@pytest.mark.parametrize(
    ("where", "platform"),
    [
        (".clawhub/skills", "clawhub"),
        (".clawhub", "clawhub"),
        (".cursor/skills", "cursor"),
        (".openclaw/skills", "openclaw"),
        ("projects/skills", "unknown"),
        (".cursor/other", "unknown"),
    ],
)
def test_platform_from_install_path(tmp_path: Path, where: str, platform: str) -> None:
    home = tmp_path / "home"
    skill_file = _install(home / where)
    identity = load_identity(skill_file, env={}, home=home)
    assert identity.platform == platform
    assert identity.name == NAME


def test_platform_outside_home_is_unknown(tmp_path: Path) -> None:
    skill_file = _install(tmp_path / "elsewhere" / ".clawhub")
    assert load_identity(skill_file, env={}, home=tmp_path / "home").platform == "unknown"


def test_skill_source_wins(tmp_path: Path) -> None:
    home = tmp_path / "home"
    skill_file = _install(home / ".clawhub" / "skills")
    identity = load_identity(skill_file, env={"SKILL_SOURCE": "my-host"}, home=home)
    assert identity.platform == "my-host"
    blank = load_identity(skill_file, env={"SKILL_SOURCE": "  "}, home=home)
    assert blank.platform == "clawhub"


def test_headers() -> None:
    identity = SkillIdentity(name=NAME, version="1.2.3", platform="cursor")
    assert identity.headers() == {
        "X-Skill-Source": NAME,
        "X-Skill-Version": "1.2.3",
        "X-Skill-Platform": "cursor",
    }


def test_identity_of_the_repository_skill() -> None:
    identity = load_identity(SKILL_MD, env={"SKILL_SOURCE": "test"})
    assert identity.headers()["X-Skill-Source"] == NAME
    assert identity.headers()["X-Skill-Version"] == nemo_skill.__version__
    assert identity.description.startswith("Turn still images")


# --- bad frontmatter -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "name: x\n",  # no opening ---
        "",
        "---\nname: x\nmetadata:\n  version: 1.0.0\n",  # never closed
        "---\n- a\n- b\n---\n",  # a list, not a mapping
        "---\njust a string\n---\n",
        "---\nname: [unclosed\n---\n",  # invalid YAML
        "---\nname: x\nmetadata:\n  emoji: y\n---\n",  # no version anywhere
        "---\nmetadata:\n  version: 1.0.0\n---\n",  # no name
        "---\nname: ''\nmetadata:\n  version: 1.0.0\n---\n",
    ],
)
def test_bad_frontmatter_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "SKILL.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError):
        load_identity(path, env={})


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ManifestError):
        load_identity(tmp_path / "absent" / "SKILL.md", env={})


def test_top_level_version_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "SKILL.md"
    path.write_text("\ufeff---\nname: x\nversion: 2.0.0\n---\nbody\n", encoding="utf-8")
    assert load_identity(path, env={"SKILL_SOURCE": "s"}).version == "2.0.0"


def test_metadata_version_wins_over_top_level() -> None:
    assert version_of({"version": "1", "metadata": {"version": "2"}}) == "2"
    assert version_of({"version": 3}) == "3"


def test_split_frontmatter_returns_the_body() -> None:
    data, body = split_frontmatter("---\nname: x\n---\n# Title\ntext\n")
    assert data == {"name": "x"}
    assert body == "# Title\ntext\n"
