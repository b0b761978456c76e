"""Fixtures shared by the whole suite: an isolated environment and a private state dir."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mock_backend import ENV_TOKEN, Clock, Harness, RenderBackend

# Variables that would route a test to a real backend, a real account or the user's state.
ISOLATED_PREFIXES = ("NEMO_",)
ISOLATED_NAMES = frozenset({"SKILL_SOURCE"})


# Local services that tests start (``--api-url local``) stop this soon when a test leaves one.
TEST_IDLE_S = "60"


@pytest.fixture(autouse=True)
def isolated_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Path]:
    """No ``NEMO_*``/``SKILL_SOURCE`` from the caller's shell; state in a fresh tmp dir.

    Yields the ``NEMO_SKILL_HOME`` directory (created, owner-only). Local services the
    test started under it or under its ``tmp_path`` are stopped when it ends.
    """
    for name in list(os.environ):
        if name.startswith(ISOLATED_PREFIXES) or name in ISOLATED_NAMES:
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("nemo-home")
    home.chmod(0o700)
    monkeypatch.setenv("NEMO_SKILL_HOME", str(home))
    monkeypatch.setenv("NEMO_LOCAL_IDLE_S", TEST_IDLE_S)
    folders = [home]
    if "tmp_path" in request.fixturenames:  # taken now: it is torn down before this fixture
        folders.append(request.getfixturevalue("tmp_path"))
    yield home
    stop_local_services(*folders)


def stop_local_services(*folders: Path) -> list[int]:
    """Stop every local service whose data folder is under ``folders``; their pids."""
    from nemo_skill import backends

    stopped = []
    for folder in folders:
        for port_file in folder.rglob(backends.PORT_FILE) if folder.is_dir() else ():
            info = backends.read_info(port_file.parent)
            try:
                if backends.stop_service(port_file.parent, timeout=20) is None and info:
                    _kill_if_alive(port_file.parent, info.pid)
            except Exception:  # a hung service: never leave it behind
                if info:
                    _kill_if_alive(port_file.parent, info.pid)
            if info:
                stopped.append(info.pid)
    return stopped


def _kill_if_alive(data_dir: Path, pid: int) -> None:
    import signal

    from nemo_skill import backends

    if backends.service_lock_held(data_dir):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The last safety net: no local service outlives the test run (CI must finish)."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None:
        with contextlib.suppress(Exception):
            stop_local_services(factory.getbasetemp())


@pytest.fixture
def tmp_state_dir(tmp_path: Path) -> Path:
    """A fresh state directory (not yet created) for a ``Settings``/``StateStore``."""
    return tmp_path / "state"


# --- the skill as a stock machine runs it: its ClawHub bundle and nothing but uv ---------

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = Path("scripts") / "nemo-skill.py"
# System directories only: no venv, no pyenv shims, no nemo-skill console script.
SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin")
# How this machine reaches PyPI (CA bundle, proxies, an index mirror) is the machine's, not
# a leftover of the developer's venv: these pass through to uv.
NETWORK_ENV = re.compile(
    r"(SSL_CERT_(FILE|DIR)|(HTTPS?|ALL|NO)_PROXY|UV_(NATIVE_TLS|SYSTEM_CERTS|INDEX_URL|"
    r"DEFAULT_INDEX|EXTRA_INDEX_URL|INDEX|HTTP_TIMEOUT))\Z",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class UvHost:
    """A copy of the skill's ClawHub bundle and a clean environment that has only uv.

    ``env()`` gives a process environment as a stock machine has it: ``PATH`` of the
    system directories plus one folder holding just the real ``uv`` binary, ``HOME``
    and ``NEMO_SKILL_HOME`` in a private folder, and one uv cache shared by the
    session (the first test pays the downloads from PyPI, the others reuse them).
    """

    uv: Path
    bundle: Path
    base_env: dict[str, str]

    @property
    def launcher(self) -> Path:
        """``scripts/nemo-skill.py`` inside the bundle copy."""
        return self.bundle / LAUNCHER

    def env(self, where: Path, **extra: str) -> dict[str, str]:
        """The environment for one test: ``HOME`` and state under ``where``."""
        (where / "home").mkdir(parents=True, exist_ok=True)
        state = where / "state"
        state.mkdir(mode=0o700, parents=True, exist_ok=True)
        return {
            **self.base_env,
            "HOME": str(where / "home"),
            "NEMO_SKILL_HOME": str(state),
            "NEMO_LOCAL_IDLE_S": TEST_IDLE_S,
            **extra,
        }

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        launcher: Path | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        """``uv run LAUNCHER ARGS`` the way SKILL.md tells the agent to."""
        return subprocess.run(
            ["uv", "run", str(launcher or self.launcher), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def find_uv() -> Path:
    """The real uv (the dev extra installs it beside this interpreter)."""
    beside = Path(sys.executable).parent / "uv"
    found = beside if beside.is_file() else shutil.which("uv")
    if not found:
        pytest.fail("uv is missing: install the dev extra (pip install -e '.[dev]').")
    return Path(found).resolve()


@pytest.fixture(scope="session")
def uv_host(tmp_path_factory: pytest.TempPathFactory) -> UvHost:
    """The skill as ClawHub publishes it, run by the real uv in a clean environment."""
    from tools.clawhub_bundle import copy_bundle

    base = tmp_path_factory.mktemp("uv-host")
    bin_dir = base / "bin"
    bin_dir.mkdir()
    uv = bin_dir / "uv"
    uv.symlink_to(find_uv())
    bundle = base / "skills" / "openai-image-to-video"
    copy_bundle(ROOT, bundle)
    # A developer's own uv cache (UV_CACHE_DIR) saves the downloads; else a fresh one.
    cache = os.environ.get("UV_CACHE_DIR") or str(base / "uv-cache")
    env = {
        **{k: v for k, v in os.environ.items() if NETWORK_ENV.match(k)},
        "PATH": os.pathsep.join((str(bin_dir), *SYSTEM_PATH)),
        "LANG": "C.UTF-8",
        "UV_CACHE_DIR": cache,
        # Python comes from the system; uv must not try to download one (network: PyPI only).
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
    }
    return UvHost(uv=uv, bundle=bundle, base_env=env)


# --- the client on a mock backend (tests/mock_backend.py) ----------------------------------


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    """A client on a mock backend, signed in with a fresh anonymous token."""
    harness = Harness(tmp_path)
    yield harness
    harness.client.close()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Harness]:
    """A client on a mock backend, signed in with ``NEMO_TOKEN``."""
    harness = Harness(tmp_path, token=ENV_TOKEN)
    yield harness
    harness.client.close()


@pytest.fixture
def clock() -> Clock:
    """A fake clock: its ``sleep`` advances it and never waits."""
    return Clock()


@pytest.fixture
def renders(env: Harness) -> RenderBackend:
    """Render jobs (and a session with a renderable draft) on ``env``'s mock backend."""
    return RenderBackend(env)
