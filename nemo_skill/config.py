"""The private state directory: client id, token cache, per-backend sections.

The state directory (``NEMO_SKILL_HOME``, default ``~/.config/nemovideo``; see
:mod:`nemo_skill.settings`, which owns every setting) is created 0700 and every
file in it 0600, written atomically (:mod:`nemo_skill.storage`), so a killed
process never leaves a half-written file. Tokens are never printed:
:class:`CachedToken` hides its token in its ``repr``.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from nemo_skill.storage import locked, read_json, write_json, write_private

DEFAULT_PROMPT = "turn this image into a 5-second animated video clip"


@dataclass
class CachedToken:
    """A bearer token with its owner and expiry (epoch seconds, 0 = unknown)."""

    token: str = field(repr=False)
    user_id: str | None = None
    expires_at: float = 0.0

    def valid(self, now: float | None = None, *, margin: float = 300.0) -> bool:
        """True unless the token expires within ``margin`` seconds."""
        now = time.time() if now is None else now
        return bool(self.token) and (self.expires_at == 0 or self.expires_at - margin > now)


def parse_expiry(value: Any) -> float:
    """Epoch seconds from an ISO-8601 string, epoch seconds or epoch ms; 0 if unknown."""
    if isinstance(value, bool) or value is None:
        return 0.0
    if isinstance(value, int | float):
        return float(value) / 1000.0 if value > 1e11 else float(value)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.replace(".", "", 1).isdigit():
            return parse_expiry(float(text))
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 0.0
    return 0.0


class StateStore:
    """The files of the private state directory: client id, token cache, sessions."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir

    @property
    def client_id_file(self) -> Path:
        return self.dir / "client_id"

    @property
    def token_file(self) -> Path:
        return self.dir / "token.json"

    @property
    def sessions_file(self) -> Path:
        return self.dir / "sessions.json"

    @property
    def auth_lock_file(self) -> Path:
        return self.dir / ".auth.lock"

    def auth_lock(self) -> contextlib.AbstractContextManager[None]:
        """Held while a client id or a token is made, so concurrent commands make one of each.

        The backend gives one anonymous token per client id every 7 days: two
        commands starting at once must not each make an id, or each ask for a token.
        """
        return locked(self.auth_lock_file)

    def client_id(self, configured: str | None = None) -> str:
        """The configured client id, else the persisted one, else a new persisted UUID."""
        if configured:
            return configured
        existing = self._read_client_id()
        if existing:
            return existing
        with self.auth_lock():  # another command may be making it right now: one id, not two
            return self._read_client_id() or self.new_client_id()

    def _read_client_id(self) -> str:
        try:
            return self.client_id_file.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def new_client_id(self) -> str:
        """Generate, persist (0600) and return a fresh client id."""
        value = str(uuid.uuid4())
        write_private(self.client_id_file, value + "\n")
        return value

    def token_cache_problem(self, api_url: str) -> str:
        """Why there is no usable cached token for ``api_url``, in words (for error messages)."""
        path = self.token_file
        if not path.exists():
            return f"the token cache {path} is missing"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return f"the token cache {path} is damaged (not readable JSON)"
        if not isinstance(data, dict):
            return f"the token cache {path} is damaged (not a JSON object)"
        cached = self.load_token(api_url)
        if cached is None:
            return f"the token cache {path} holds no token for {api_url}"
        if not cached.valid():
            return f"the cached token for {api_url} has expired"
        return f"the cached token in {path} was not usable"

    def load_token(self, api_url: str) -> CachedToken | None:
        """The cached token for ``api_url``, if any."""
        entry = read_json(self.token_file).get(api_url)
        if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
            return None
        return CachedToken(
            token=entry["token"],
            user_id=entry.get("user_id") if isinstance(entry.get("user_id"), str) else None,
            expires_at=parse_expiry(entry.get("expires_at")),
        )

    def save_token(self, api_url: str, token: CachedToken) -> None:
        """Cache ``token`` for ``api_url`` (file mode 0600)."""
        data = read_json(self.token_file)
        data[api_url] = {
            "token": token.token,
            "user_id": token.user_id,
            "expires_at": token.expires_at,
        }
        write_json(self.token_file, data)

    def forget_token(self, api_url: str) -> None:
        """Drop the cached token for ``api_url``."""
        data = read_json(self.token_file)
        if data.pop(api_url, None) is not None:
            write_json(self.token_file, data)

    def load_section(self, name: str) -> dict[str, Any]:
        """A named JSON object stored in ``<name>.json`` (``{}`` if absent)."""
        return read_json(self.dir / f"{name}.json")

    def save_section(self, name: str, data: Mapping[str, Any]) -> None:
        """Atomically store ``data`` as ``<name>.json`` (0600)."""
        write_json(self.dir / f"{name}.json", data)
