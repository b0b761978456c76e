"""What every endpoint of the embedded backend shares: its knobs and its state."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

from nemo_skill.errors import MAX_UPLOAD_BYTES
from nemo_skill.local.jobs import LocalRenderQueue
from nemo_skill.local.store import Store


@dataclass
class LocalConfig:
    """Knobs of the embedded backend (defaults follow the real service)."""

    credits_new_user: int = 100
    cost_generate: int = 100
    cost_edit: int = 50
    silent_edit_fraction: float = 0.3
    render_workers: int = max(1, (os.cpu_count() or 2) // 2)
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    token_ttl_s: float = 7 * 24 * 3600.0
    claim_ttl_s: float = 7 * 24 * 3600.0
    heartbeat_interval_s: float = 0.5
    default_long_side: int = 1920
    block_free_export: bool = False
    allowed_url_dirs: tuple[Path, ...] = ()
    seed: int | None = None


@dataclass
class Backend:
    """Everything the endpoints share (``app.state.backend``)."""

    store: Store
    config: LocalConfig
    queue: LocalRenderQueue
    rng: random.Random
