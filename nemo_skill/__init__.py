"""openai-image-to-video: turn still images into short animated clips through NemoVideo.

The public API is listed in ``__all__``; names load lazily so that
``nemo-skill classify`` starts without importing httpx or pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # lazy too: its patterns cost every command (`animate` too) ~20 ms
    from nemo_skill.intents import Intent as Intent
    from nemo_skill.intents import classify as classify

__version__ = "1.0.0"

_LAZY: dict[str, str] = {
    "Intent": "nemo_skill.intents",
    "classify": "nemo_skill.intents",
    "Skill": "nemo_skill.skill",
    "ChatResult": "nemo_skill.skill",
    "ExportResult": "nemo_skill.skill",
    "GenerateItem": "nemo_skill.batch",
    "NemoClient": "nemo_skill.client",
    "RetryPolicy": "nemo_skill.client",
    "Settings": "nemo_skill.settings",
    "SkillIdentity": "nemo_skill.manifest",
    "load_identity": "nemo_skill.manifest",
    "NemoError": "nemo_skill.errors",
    "APIError": "nemo_skill.errors",
    "AuthError": "nemo_skill.errors",
    "SessionNotFoundError": "nemo_skill.errors",
    "InsufficientCreditsError": "nemo_skill.errors",
    "UnsupportedFileError": "nemo_skill.errors",
    "FileTooLargeError": "nemo_skill.errors",
    "MissingClientIdError": "nemo_skill.errors",
    "PlanRequiredError": "nemo_skill.errors",
    "RateLimitError": "nemo_skill.errors",
    "ServerError": "nemo_skill.errors",
    "TransportError": "nemo_skill.errors",
    "RequestTimeoutError": "nemo_skill.errors",
    "ProtocolError": "nemo_skill.errors",
    "RenderError": "nemo_skill.errors",
    "UsageError": "nemo_skill.errors",
}

__all__ = sorted(["__version__", *_LAZY])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nemo_skill' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
