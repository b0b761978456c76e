"""SKILL.md frontmatter → the skill's identity → the ``X-Skill-*`` headers.

SKILL.md is the single source of the name and version sent to the backend.
The platform comes from ``SKILL_SOURCE`` or from where the skill is installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
SKILL_FILE = "SKILL.md"

# (path under the home directory, platform), most specific first.
PLATFORM_DIRS: tuple[tuple[str, str], ...] = (
    (".clawhub", "clawhub"),
    (".cursor/skills", "cursor"),
    (".openclaw/skills", "openclaw"),
    (".openclaw", "openclaw"),
)


class ManifestError(ValueError):
    """SKILL.md is missing or its frontmatter is not valid."""


@dataclass(frozen=True)
class SkillIdentity:
    """What the backend is told about the skill on every call."""

    name: str
    version: str
    platform: str
    description: str = ""

    def headers(self) -> dict[str, str]:
        """The three attribution headers; a missing one makes export answer 402."""
        return {
            "X-Skill-Source": self.name,
            "X-Skill-Version": self.version,
            "X-Skill-Platform": self.platform,
        }


def split_frontmatter(text: str) -> tuple[dict[str, Any], str]:
    """Split ``---``-delimited YAML frontmatter from the markdown body."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ManifestError("SKILL.md must start with a '---' frontmatter block")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            try:
                data = yaml.safe_load("".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                raise ManifestError(f"SKILL.md frontmatter is not valid YAML: {exc}") from exc
            if not isinstance(data, dict):
                raise ManifestError("SKILL.md frontmatter must be a mapping")
            return data, "".join(lines[i + 1 :])
    raise ManifestError("SKILL.md frontmatter is not closed by '---'")


def version_of(frontmatter: Mapping[str, Any]) -> str:
    """``metadata.version`` (the AgentSkills place), else a top-level ``version``."""
    metadata = frontmatter.get("metadata")
    if isinstance(metadata, Mapping) and metadata.get("version") is not None:
        return str(metadata["version"])
    if frontmatter.get("version") is not None:
        return str(frontmatter["version"])
    raise ManifestError("SKILL.md frontmatter has no metadata.version")


def detect_platform(
    install_path: Path, *, env: Mapping[str, str] | None = None, home: Path | None = None
) -> str:
    """``SKILL_SOURCE`` if set, else the host whose skills folder holds ``install_path``."""
    env = os.environ if env is None else env
    override = env.get("SKILL_SOURCE", "").strip()
    if override:
        return override
    home = Path.home() if home is None else home
    try:
        resolved = install_path.expanduser().resolve()
    except OSError:
        resolved = install_path
    for sub, platform in PLATFORM_DIRS:
        base = (home / sub).resolve()
        if resolved == base or base in resolved.parents:
            return platform
    return "unknown"


def find_skill_file(start: Path = PACKAGE_DIR) -> Path:
    """SKILL.md beside the package (source tree, skill folder) or the copy in the wheel."""
    for candidate in (start.parent / SKILL_FILE, start / "_skill" / SKILL_FILE):
        if candidate.is_file():
            return candidate
    raise ManifestError(f"{SKILL_FILE} not found next to {start}")


def load_identity(
    skill_file: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> SkillIdentity:
    """Parse SKILL.md and detect the platform from where it is installed."""
    path = find_skill_file() if skill_file is None else skill_file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc}") from exc
    front, _ = split_frontmatter(text)
    name = front.get("name")
    if not isinstance(name, str) or not name:
        raise ManifestError("SKILL.md frontmatter has no name")
    return SkillIdentity(
        name=name,
        version=version_of(front),
        platform=detect_platform(path.parent, env=env, home=home),
        description=str(front.get("description", "")),
    )


@lru_cache(maxsize=1)
def default_identity() -> SkillIdentity:
    """The identity of this installed skill (cached for the process)."""
    return load_identity()
