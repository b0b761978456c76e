"""The local service in a thread: publishing, its control endpoint, activity and idle stop.

(``nemo_skill/local/service.py`` is the process entry; :func:`run_service` lives in
``local/server.py`` and ``/_local/service`` in ``local/routes/service.py``. The service
as real processes is in ``tests/test_backends.py``.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("starlette")

from nemo_skill.local.app import LocalConfig
from nemo_skill.local.backend import Activity
from nemo_skill.local.server import AlreadyServedError, run_service
from nemo_skill.portfile import PORT_FILE, SECRET_HEADER, STATUS_PATH, read_info


class Running:
    """``run_service`` in a thread, and what it published."""

    def __init__(self, data: Path, idle_s: float | None) -> None:
        self.stop = threading.Event()
        self.urls: list[str] = []
        self.error: BaseException | None = None

        def target() -> None:
            try:
                run_service(data, config=LocalConfig(render_workers=1), idle_s=idle_s,
                            on_ready=self.urls.append, stop=self.stop)  # fmt: skip
            except BaseException as exc:  # reported by the test
                self.error = exc

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.urls and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Running]:
    running = Running(tmp_path / "data", idle_s=None)
    assert running.urls, running.error
    yield running
    running.stop.set()
    running.thread.join(timeout=30)


def test_it_publishes_itself_and_answers_only_with_the_secret(
    service: Running, tmp_path: Path
) -> None:
    info = read_info((tmp_path / "data").resolve())
    assert info is not None and info.url == service.urls[0] and info.idle_s is None
    status = httpx.get(info.url + STATUS_PATH, headers={SECRET_HEADER: info.secret})
    assert status.status_code == 200
    body: dict[str, Any] = status.json()
    assert body["instance"] == info.instance and "secret" not in body
    assert body["busy"] is True  # this very request is in flight (it counts as activity)
    peek = httpx.get(info.url + STATUS_PATH + "?peek=1", headers={SECRET_HEADER: info.secret})
    assert peek.json()["busy"] is False  # a status look is not activity
    for headers in ({}, {SECRET_HEADER: "wrong"}):
        assert httpx.get(info.url + STATUS_PATH, headers=headers).status_code == 404
        assert httpx.post(info.url + STATUS_PATH + "/stop", headers=headers).status_code == 404
    assert service.thread.is_alive()  # nobody without the secret stopped it


def test_a_second_service_of_the_folder_is_refused(service: Running, tmp_path: Path) -> None:
    with pytest.raises(AlreadyServedError) as caught:
        run_service(tmp_path / "data", idle_s=1)
    assert service.urls[0] in caught.value.message


def test_stop_by_request_unpublishes(service: Running, tmp_path: Path) -> None:
    folder = (tmp_path / "data").resolve()
    info = read_info(folder)
    assert info is not None
    answer = httpx.post(info.url + STATUS_PATH + "/stop", headers={SECRET_HEADER: info.secret})
    assert answer.status_code == 200 and answer.json()["stopping"] is True
    service.thread.join(timeout=30)
    assert not service.thread.is_alive() and service.error is None
    assert not (folder / PORT_FILE).exists()


def test_an_idle_service_stops_by_itself(tmp_path: Path) -> None:
    running = Running(tmp_path / "data", idle_s=0.5)
    assert running.urls, running.error
    running.thread.join(timeout=30)
    assert not running.thread.is_alive() and running.error is None
    assert not ((tmp_path / "data").resolve() / PORT_FILE).exists()


def test_activity_counts_requests_in_flight() -> None:
    activity = Activity()
    seen: list[float] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(activity.idle_for())  # while the request runs: not idle

    import asyncio

    tracked = activity.middleware(app)
    asyncio.run(tracked({"type": "http", "query_string": b""}, None, None))
    assert seen == [0.0] and activity.inflight == 0
    time.sleep(0.05)
    assert activity.idle_for() > 0
    before = activity.last
    asyncio.run(tracked({"type": "http", "query_string": b"peek=1"}, None, None))
    assert activity.last == before  # a status look does not keep the service awake


def test_no_idle_stop_while_a_render_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_skill.local.jobs import LocalRenderQueue

    rendering = threading.Event()
    rendering.set()
    monkeypatch.setattr(LocalRenderQueue, "busy", lambda self: rendering.is_set())
    running = Running(tmp_path / "data", idle_s=0.2)
    assert running.urls, running.error
    time.sleep(1.0)  # five idle periods with no request at all
    assert running.thread.is_alive()  # the render keeps it up
    rendering.clear()  # the render ends: now it is idle
    running.thread.join(timeout=30)
    assert not running.thread.is_alive() and running.error is None
