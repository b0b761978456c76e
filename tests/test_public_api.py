"""The curated public surface of ``nemo_skill`` and its fast, light import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import nemo_skill

ROOT = Path(__file__).resolve().parent.parent

EXPECTED = {
    "__version__",
    # routing (stdlib only)
    "Intent",
    "classify",
    # the high-level API
    "Skill",
    "ChatResult",
    "ExportResult",
    "GenerateItem",
    # transport and configuration
    "NemoClient",
    "RetryPolicy",
    "Settings",
    "SkillIdentity",
    "load_identity",
    # errors
    "NemoError",
    "UsageError",
    "APIError",
    "AuthError",
    "SessionNotFoundError",
    "InsufficientCreditsError",
    "UnsupportedFileError",
    "FileTooLargeError",
    "MissingClientIdError",
    "PlanRequiredError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "RequestTimeoutError",
    "ProtocolError",
    "RenderError",
}

HEAVY = ("httpx", "httpx_sse", "pydantic", "yaml")


def test_all_is_sorted_and_unique() -> None:
    assert nemo_skill.__all__ == sorted(set(nemo_skill.__all__))


def test_all_is_exactly_the_expected_surface() -> None:
    assert set(nemo_skill.__all__) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED - {"__version__"}))
def test_every_public_name_resolves_and_is_documented(name: str) -> None:
    value = getattr(nemo_skill, name)
    assert value.__module__.startswith("nemo_skill.")
    assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_dir_lists_the_public_names() -> None:
    assert set(nemo_skill.__all__) <= set(dir(nemo_skill))


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = nemo_skill.no_such_name  # type: ignore[attr-defined]


def _modules_after(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; return its result and the heavy modules loaded."""
    probe = (
        f"{code}\n"
        "import json, sys\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps({'result': result, 'heavy': heavy}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return data


def test_import_and_classify_stay_light() -> None:
    data = _modules_after(
        "import nemo_skill\n"
        "result = [nemo_skill.classify(t).action for t in ('export', '积分', 'hello')]\n"
    )
    assert data["result"] == ["export", "credits", "chat"]
    assert data["heavy"] == []


def test_classify_command_stays_light() -> None:
    data = _modules_after(
        "import contextlib, io\n"
        "from nemo_skill.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    code = main(['classify', 'export'])\n"
        "result = [code, out.getvalue().strip()]\n"
    )
    assert data["result"] == [0, "export"]
    assert data["heavy"] == []


def test_the_probe_sees_heavy_imports() -> None:
    # The light-import checks above prove nothing unless the probe can fail.
    data = _modules_after("import nemo_skill\nresult = nemo_skill.Settings.__name__\nimport yaml\n")
    assert data["heavy"] == ["yaml"]
