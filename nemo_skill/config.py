"""Settings from the environment and the private state directory.

Secrets come from the environment only. The state directory (``NEMO_SKILL_HOME``,
default ``~/.config/nemovideo``) is created 0700 and every file in it 0600,
written atomically (temp file + rename), so a killed process never leaves a
half-written file. The token is never printed: :class:`Settings` hides it in
its ``repr``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_API_URL = "https://mega-api-prod.nemovideo.ai"
DEFAULT_WEB_URL = "https://nemovideo.com"
LOCAL_API_URL = "local"  # NEMO_API_URL=local: start the embedded backend in-process
DEFAULT_PROMPT = "turn this image into a 5-second animated video clip"

# Every environment variable the package reads. SKILL.md metadata.openclaw.envVars
# must list each of them (tests/test_manifest.py checks).
ENV_VARS: tuple[str, ...] = (
    "NEMO_TOKEN",
    "NEMO_API_URL",
    "NEMO_WEB_URL",
    "NEMO_CLIENT_ID",
    "SKILL_SOURCE",
    "NEMO_SKILL_HOME",
)


def default_state_dir(env: Mapping[str, str] | None = None) -> Path:
    """``NEMO_SKILL_HOME`` or ``~/.config/nemovideo``."""
    env = os.environ if env is None else env
    home = env.get("NEMO_SKILL_HOME", "").strip()
    return Path(home).expanduser() if home else Path.home() / ".config" / "nemovideo"


@dataclass(frozen=True)
class Settings:
    """Everything the skill reads from its environment."""

    api_url: str = DEFAULT_API_URL
    web_url: str = DEFAULT_WEB_URL
    token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    skill_source: str | None = None
    state_dir: Path = field(default_factory=default_state_dir)
    scope: str | None = None  # stable key for cached tokens and sessions (see ``store_key``)
    web_url_source: str = "default"  # flag / env / config / derived / default (``config list``)
    output_dir: Path | None = None  # exports without -o go here (``config set output_dir``)
    batch_jobs: int | None = None  # ``generate`` renders in flight (``config set batch_jobs``)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        api_url: str | None = None,
        state_dir: Path | None = None,
    ) -> Settings:
        """Read the ``NEMO_*`` variables and the user's ``config.json``; flags win.

        Precedence (see :mod:`nemo_skill.settings`): flag > environment > config > default.
        """
        from nemo_skill.settings import resolve

        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        state = state_dir if state_dir is not None else default_state_dir(env)
        values = resolve(state, env, {"api_url": api_url})
        output_dir = values["output_dir"].value
        jobs = values["batch_jobs"].value
        return cls(
            api_url=(values["api_url"].value or DEFAULT_API_URL).rstrip("/"),
            web_url=(values["web_url"].value or DEFAULT_WEB_URL).rstrip("/"),
            token=get("NEMO_TOKEN"),
            client_id=get("NEMO_CLIENT_ID"),
            skill_source=get("SKILL_SOURCE"),
            state_dir=state,
            web_url_source=values["web_url"].source,
            output_dir=Path(output_dir) if output_dir else None,
            batch_jobs=int(jobs) if jobs else None,
        )

    @property
    def store_key(self) -> str:
        """The key of this backend's cached token and sessions.

        The in-process local backend listens on a new port every run, so its
        records are kept under ``local`` rather than under its URL.
        """
        return self.scope or self.api_url

    @property
    def is_local(self) -> bool:
        """True when the embedded backend should be started in-process."""
        return self.api_url.lower() == LOCAL_API_URL

    @property
    def in_process(self) -> bool:
        """True for the embedded backend this command runs (it stops when the command ends)."""
        return self.is_local or self.scope == LOCAL_API_URL


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 and tighten it if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


@contextlib.contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (created 0600) across processes."""
    ensure_private_dir(lock_path.parent)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_private(path: Path, data: str | bytes) -> None:
    """Atomically write ``data`` to ``path`` with mode 0600, in a private (0700) folder."""
    ensure_private_dir(path.parent)
    write_atomic(path, data)


def write_atomic(
    path: Path, data: str | bytes, *, prefix: str | None = None, sync_dir: bool = False
) -> None:
    """Write ``data`` to ``path`` as a 0600 file: temp file in the same folder, fsync, rename.

    Readers see the old file or the new one, never a part. ``prefix`` names the temp file
    (default ``.<name>.``, so a sweep can find leftovers); ``sync_dir`` also fsyncs the
    folder, so the rename itself survives a power cut. The folder's mode is left as it is.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=prefix or f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``; a missing or unreadable file reads as ``{}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Atomically write a JSON object with mode 0600."""
    write_private(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


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

    def client_id(self, configured: str | None = None) -> str:
        """The configured client id, else the persisted one, else a new persisted UUID."""
        if configured:
            return configured
        try:
            existing = self.client_id_file.read_text(encoding="utf-8").strip()
        except OSError:
            existing = ""
        if existing:
            return existing
        return self.new_client_id()

    def new_client_id(self) -> str:
        """Generate, persist (0600) and return a fresh client id."""
        value = str(uuid.uuid4())
        write_private(self.client_id_file, value + "\n")
        return value

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
