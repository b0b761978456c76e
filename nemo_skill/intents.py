"""Route a user message: export, credits, state, upload or chat (PLACEHOLDER, being written)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["export", "credits", "state", "upload", "chat"]


@dataclass(frozen=True)
class Intent:
    """Where a message goes; ``reason`` names the rule that decided."""

    action: Action
    reason: str = ""


def classify(text: str, has_files: bool = False) -> Intent:
    """Placeholder: everything is chat."""
    return Intent("upload" if has_files else "chat")
