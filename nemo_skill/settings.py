"""Every setting the skill reads, in one place: :class:`Settings`, its sources and precedence.

Secrets (``NEMO_TOKEN``) come from the environment only; the other values also
from the non-secret ``config.json`` under ``NEMO_SKILL_HOME``.

``nemo-skill config get|set|unset|list`` edits this file. A value comes from,
in order: a command-line flag, the environment, the file, then a default
(some defaults are derived: the web URL of a loopback backend is the backend
itself). :func:`resolve` is the one place that applies this order; both
:meth:`Settings.from_env` and ``config list`` use it. The token is never
printed: :class:`Settings` hides it in its ``repr``.

Secrets never go in this file: a key whose name looks like a secret, or a
value shaped like a token, a key, a password in a URL or the current
``NEMO_TOKEN``, is refused with :class:`SecretRefusedError` before anything is
written. The file is written atomically with mode 0600, under a lock, so two
``config set`` commands in parallel lose nothing.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from nemo_skill.errors import DEFAULT_WEB_URL, UsageError
from nemo_skill.storage import locked, read_json, write_json

DEFAULT_API_URL = "https://mega-api-prod.nemovideo.ai"
LOCAL_API_URL = "local"  # NEMO_API_URL=local: the embedded backend's local service

# Every environment variable the package reads. SKILL.md metadata.openclaw.envVars
# must list each of them (tests/test_manifest.py checks).
ENV_VARS: tuple[str, ...] = (
    "NEMO_TOKEN",
    "NEMO_API_URL",
    "NEMO_WEB_URL",
    "NEMO_CLIENT_ID",
    "SKILL_SOURCE",
    "NEMO_SKILL_HOME",
    "NEMO_LOCAL_IDLE_S",
)

CONFIG_FILE = "config.json"
MAX_BATCH_JOBS = 16  # also the limit of `generate --jobs`


class SecretRefusedError(UsageError):
    """A secret was offered as a setting; nothing was written."""

    default_code = "secret_refused"


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL, e.g. https://nemovideo.com")
    return text.rstrip("/")


def _api_url(text: str) -> str:
    return LOCAL_API_URL if text.lower() == LOCAL_API_URL else _url(text)


def _folder(text: str) -> str:
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    path = path.resolve()
    if not path.is_dir():
        raise ValueError(f"{path} is not an existing folder (create it first: mkdir -p {path})")
    if not os.access(path, os.W_OK):
        raise ValueError(f"{path} is not writable")
    return str(path)


def _jobs(text: str) -> str:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"expected a whole number from 1 to {MAX_BATCH_JOBS}") from None
    if not 1 <= value <= MAX_BATCH_JOBS:
        raise ValueError(f"expected a whole number from 1 to {MAX_BATCH_JOBS}")
    return str(value)


@dataclass(frozen=True)
class Key:
    """One setting: what reads it, how a value is checked, what it means."""

    name: str
    help: str
    parse: Callable[[str], str]
    default: str | None
    env: str | None = None
    flag: str | None = None


def _seconds(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("expected a number of seconds from 0 to 600, e.g. 8") from None
    if not 0 <= value <= 600:
        raise ValueError("expected a number of seconds from 0 to 600, e.g. 8")
    return f"{value:g}"


KEYS: dict[str, Key] = {
    key.name: key
    for key in (
        Key("api_url", "backend base URL, or 'local' for the embedded backend", _api_url,
            DEFAULT_API_URL, env="NEMO_API_URL", flag="--api-url"),
        Key("web_url", "web app base for claim and registration links (default: the backend "
            "itself when it is on this machine, else https://nemovideo.com)", _url,
            None, env="NEMO_WEB_URL"),
        Key("output_dir", "folder for exports made without -o (default: the current folder)",
            _folder, None, flag="-o"),
        Key("batch_jobs", f"renders in flight for `generate` (1-{MAX_BATCH_JOBS})", _jobs,
            None, flag="--jobs"),
        Key("second_stage_s", "seconds an export right after a generation waits for the "
            "backend's music and title while the timeline stays unchanged (default 8; 0: off)",
            _seconds, None),
    )
}  # fmt: skip

# Names and values that must never be written to a plain file.
_SECRET_NAME = re.compile(
    r"token|secret|passw|pwd|key|credential|auth|bearer|cookie|private|signature", re.IGNORECASE
)
_SECRET_VALUE = re.compile(
    r"nmv_|clm_|\bbearer\s|\beyJ[\w-]{8,}\.[\w-]{8,}|\b(?:sk|pk|rk)[-_](?:live_|test_)?\w{12,}"
    r"|\bgh[pousr]_\w{20,}|github_pat_|\bxox[abprs]-|\bAKIA[0-9A-Z]{16}\b|\bAIza[\w-]{30,}"
    r"|-----BEGIN",
    re.IGNORECASE,
)
_LONG_RUN = re.compile(r"[A-Za-z0-9+=]{24,}")  # no separators: words_and-paths/split up


def _high_entropy(text: str) -> bool:
    """A long run mixing upper case, lower case and digits: how random keys look.

    Lower-case hex (UUIDs, hashes in folder names) and ordinary words do not match.
    """
    return any(
        re.search(r"[a-z]", run) and re.search(r"[A-Z]", run) and re.search(r"\d", run)
        for run in _LONG_RUN.findall(text)
    )


def secret_reason(name: str, value: str | None = None, token: str | None = None) -> str | None:
    """Why ``name``/``value`` look like a secret (never echoing it), or None."""
    if _SECRET_NAME.search(name):
        return f"the name {name!r} looks like a secret"
    if value is None:
        return None
    if token and len(token) >= 6 and token in value:
        return "the value contains the NEMO_TOKEN"
    if _SECRET_VALUE.search(value) or _high_entropy(value):
        return "the value looks like a token or key"
    with contextlib.suppress(ValueError):
        parts = urlsplit(value)
        if parts.password or (parts.username and parts.scheme in ("http", "https")):
            return "the URL carries a user name or password"
        if any(_SECRET_NAME.search(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
            return "the URL carries a secret in its query"
    return None


def _refuse(reason: str) -> SecretRefusedError:
    return SecretRefusedError(
        f"Refusing to store a secret: {reason}. Settings are kept in a plain file; "
        "nothing was written.",
        hint="Secrets come from the environment only: set NEMO_TOKEN in the shell or the "
        "host's secret store, never in a file or on the command line.",
    )


def config_path(state_dir: Path) -> Path:
    """``<state dir>/config.json``."""
    return state_dir / CONFIG_FILE


def check_key(name: str) -> Key:
    """The :class:`Key` called ``name``; a secret-looking or unknown name is refused."""
    reason = secret_reason(name)
    if reason:
        raise _refuse(reason)
    key = KEYS.get(name.strip().lower().replace("-", "_"))
    if key is None:
        raise UsageError(
            f"Unknown setting: {name!r}.",
            hint="Known settings: " + ", ".join(KEYS) + " (see {next:settings}).",
        )
    return key


def check_value(key: Key, value: str, token: str | None = None) -> str:
    """The normalised value, or an error saying why it cannot be stored."""
    reason = secret_reason(key.name, value.strip(), token)
    if reason:
        raise _refuse(reason)
    try:
        return key.parse(value.strip())
    except ValueError as exc:
        raise UsageError(
            f"Invalid value for {key.name}: {exc}.",
            hint=f"{key.name}: {key.help}.",
        ) from None


def load(state_dir: Path) -> dict[str, str]:
    """The stored settings that are known, well-formed and not secret-looking.

    Anything else in the file (edited by hand) is ignored, never used.
    """
    stored: dict[str, str] = {}
    for name, value in read_json(config_path(state_dir)).items():
        key = KEYS.get(name)
        if key is None or not isinstance(value, str) or secret_reason(name, value):
            continue
        if key.parse is _folder:  # folders may vanish: checked when used, not dropped here
            stored[name] = value
            continue
        with contextlib.suppress(ValueError):
            stored[name] = key.parse(value)
    return stored


def ignored(state_dir: Path) -> list[str]:
    """Names in the file that :func:`load` does not use (unknown, malformed or secret)."""
    kept = load(state_dir)
    return sorted(name for name in read_json(config_path(state_dir)) if name not in kept)


def _locked(state_dir: Path) -> contextlib.AbstractContextManager[None]:
    return locked(state_dir / f".{CONFIG_FILE}.lock")


def set_value(state_dir: Path, name: str, value: str, token: str | None = None) -> str:
    """Check and store ``name = value`` (0600, atomic); returns the stored value."""
    key = check_key(name)
    clean = check_value(key, value, token)
    with _locked(state_dir):
        data = read_json(config_path(state_dir))
        data[key.name] = clean
        write_json(config_path(state_dir), data)
    return clean


def unset_value(state_dir: Path, name: str) -> bool:
    """Remove ``name`` from the file; False when it was not set."""
    key = check_key(name)
    with _locked(state_dir):
        data = read_json(config_path(state_dir))
        if key.name not in data:
            return False
        del data[key.name]
        write_json(config_path(state_dir), data)
    return True


@dataclass(frozen=True)
class Resolved:
    """The value in effect for one setting and where it came from."""

    key: str
    value: str | None
    source: str  # "flag", "env NEMO_X", "config", "derived", "default"

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "value", "source"}``."""
        return {"key": self.key, "value": self.value, "source": self.source}


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost`` (or a name under ``.localhost``)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """True when ``url`` points at this machine."""
    return is_loopback_host(urlsplit(url).hostname or "")


def derived_web_url(api_url: str) -> str:
    """The backend itself when it runs on this machine (it serves the web page), else the app."""
    return api_url if is_loopback_url(api_url) else DEFAULT_WEB_URL


def resolve(
    state_dir: Path,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, str | None] | None = None,
) -> dict[str, Resolved]:
    """Every setting's value: flag > environment > config file > default."""
    env = os.environ if env is None else env
    flags = flags or {}
    stored = load(state_dir)
    result: dict[str, Resolved] = {}
    for key in KEYS.values():
        flag = flags.get(key.name)
        env_value = env.get(key.env, "").strip() if key.env else ""
        if flag:
            result[key.name] = Resolved(key.name, flag, "flag")
        elif env_value:
            result[key.name] = Resolved(key.name, env_value.rstrip("/"), f"env {key.env}")
        elif key.name in stored:
            result[key.name] = Resolved(key.name, stored[key.name], "config")
        else:
            result[key.name] = Resolved(key.name, key.default, "default")
    api = result["api_url"].value or DEFAULT_API_URL
    if result["web_url"].value is None:
        derived = derived_web_url(api)
        result["web_url"] = Resolved(
            "web_url", derived, "derived" if derived != DEFAULT_WEB_URL else "default"
        )
    return result


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
    second_stage_s: float | None = None  # the second-stage settle period (None: the default)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        api_url: str | None = None,
        state_dir: Path | None = None,
    ) -> Settings:
        """Read the ``NEMO_*`` variables and the user's ``config.json``; flags win.

        Precedence (:func:`resolve`): flag > environment > config > default.
        """
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        state = state_dir if state_dir is not None else default_state_dir(env)
        values = resolve(state, env, {"api_url": api_url})
        output_dir = values["output_dir"].value
        jobs = values["batch_jobs"].value
        settle = values["second_stage_s"].value
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
            second_stage_s=float(settle) if settle else None,
        )

    @property
    def store_key(self) -> str:
        """The key of this backend's cached token and sessions.

        The local service listens on a new port every start, so its records are
        kept under ``local`` rather than under its URL.
        """
        return self.scope or self.api_url

    @property
    def is_local(self) -> bool:
        """True when ``api_url`` is ``local``: the data folder's service is still to be opened."""
        return self.api_url.lower() == LOCAL_API_URL

    @property
    def in_process(self) -> bool:
        """True for the embedded backend (its local service): no registration, offline credits."""
        return self.is_local or self.scope == LOCAL_API_URL
