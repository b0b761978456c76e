"""The local service's port file and locks: what the service and its opener agree on.

The service (:mod:`nemo_skill.local.service`) writes the port file and holds the
service lock; the opener (:mod:`nemo_skill.backends`) reads the file and tests the
lock. Both import this module, which imports neither (standard library and
:mod:`nemo_skill.storage` only), so the two stay free of an import cycle.

In the data folder:

- ``service.json``: URL, pid, instance id, start time, idle timeout and a per-start
  secret; written atomically with mode 0600 once the service listens, removed when it
  stops. Only the owner can read the secret, and only a caller that shows it may ask
  the service for its status or to stop.
- ``service.lock``: held (``flock``, exclusive) by the running service for its whole
  life; the kernel releases it when the process dies, even on ``kill -9``.
- ``service.start.lock``: held by whoever is starting a service.
- ``service.log``: the background service's output.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nemo_skill.storage import ensure_private_dir, write_atomic

PORT_FILE = "service.json"
SERVICE_LOCK = "service.lock"
START_LOCK = "service.start.lock"
LOG_FILE = "service.log"
SECRET_HEADER = "X-Nemo-Service-Secret"  # noqa: S105 - a header name, not a secret
STATUS_PATH = "/_local/service"
DEFAULT_IDLE_S = 900.0
EXIT_ALREADY_SERVED = 3  # the service's exit code when another instance holds the folder
# A generation costs 100 credits and an edit 50: the offline demo user gets enough to re-run
# the README job and the examples many times (top up with `serve-local --add-credits`).
LOCAL_DEMO_CREDITS = 1000


@dataclass(frozen=True)
class ServiceInfo:
    """What the port file says about the folder's running service."""

    url: str
    pid: int
    data_dir: Path
    instance: str
    started: float
    idle_s: float | None  # None: runs until stopped (serve-local in the foreground)
    secret: str = field(default="", repr=False)

    @property
    def uptime_s(self) -> float:
        """Seconds since the service started."""
        return max(0.0, time.time() - self.started)

    def to_dict(self) -> dict[str, Any]:
        """The public fields (never the secret)."""
        return {
            "url": self.url,
            "pid": self.pid,
            "data_dir": str(self.data_dir),
            "instance": self.instance,
            "started": self.started,
            "uptime_s": round(self.uptime_s, 1),
            "idle_s": self.idle_s,
        }


def read_info(data_dir: Path) -> ServiceInfo | None:
    """The port file of ``data_dir`` as written, or None (missing or unreadable)."""
    try:
        data = json.loads((data_dir / PORT_FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            return None
        idle = data.get("idle_s")
        return ServiceInfo(
            url=str(data["url"]),
            pid=int(data["pid"]),
            data_dir=Path(data["data_dir"]),
            instance=str(data["instance"]),
            started=float(data["started"]),
            idle_s=float(idle) if idle is not None else None,
            secret=str(data["secret"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_info(info: ServiceInfo) -> None:
    """Publish ``info`` (the service, once it listens): atomic, 0600."""
    record = {**info.to_dict(), "secret": info.secret}
    write_atomic(info.data_dir / PORT_FILE, json.dumps(record, indent=2) + "\n")


def remove_info(data_dir: Path, instance: str) -> None:
    """Remove the port file if it is still ``instance``'s (a newer one is left alone)."""
    info = read_info(data_dir)
    if info is not None and info.instance == instance:
        (data_dir / PORT_FILE).unlink(missing_ok=True)


def service_lock_held(data_dir: Path) -> bool:
    """True while a live service holds ``data_dir``'s lock (a killed one releases it)."""
    try:
        fd = os.open(data_dir / SERVICE_LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


@contextlib.contextmanager
def hold_service_lock(data_dir: Path) -> Iterator[bool]:
    """Hold ``data_dir``'s service lock while the block runs; yields False if another has it."""
    ensure_private_dir(data_dir)
    fd = os.open(data_dir / SERVICE_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + 2.0  # a client's brief shared look at the lock
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.05)
        yield True
    finally:
        os.close(fd)  # closing releases the lock
