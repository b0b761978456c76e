"""Client-chosen ids, shared by the client (render submit) and the exporter."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable


def new_render_id(now: Callable[[], float] = time.time) -> str:
    """A client-chosen render id: the documented ``render_<ms>`` plus 64 random bits.

    ``render_<ms>`` alone collides when two renders start in the same
    millisecond (a batch's threads, two processes); the random suffix keeps
    ids unique while the documented prefix and timestamp stay readable.
    """
    return f"render_{int(now() * 1000)}_{secrets.token_hex(8)}"
