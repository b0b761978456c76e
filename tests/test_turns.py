"""Idempotent turn records: one creator per id, across threads and processes."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from nemo_skill.turns import FAILED, RUNNING, STOPPED, TurnStore, finished_fields


def test_begin_creates_once_and_returns_the_existing_record(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    record, created = store.begin("k", message="hi")
    assert created and record["turn_state"] == RUNNING
    again, created_again = store.begin("k", message="different")
    assert not created_again and again["message"] == "hi"
    assert store.path("k").stat().st_mode & 0o777 == 0o600


def test_threads_racing_on_one_id_create_it_once(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def go() -> None:
        barrier.wait()
        results.append(store.begin("same", message="x")[1])

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1


def _begin_in_child(state_dir: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(TurnStore(Path(state_dir)).begin("proc", message="x")[1])


def test_processes_racing_on_one_id_create_it_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_begin_in_child, args=(str(tmp_path), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    created = [queue.get(timeout=10) for _ in procs]
    assert created.count(True) == 1


def test_running_turn_of_a_dead_process_reads_as_failed(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    store.begin("orphan", message="x", pid=int(dead.stdout))
    record = store.load("orphan")
    assert record is not None and record["turn_state"] == FAILED
    assert "not re-sent" in record["error"]["hint"]


def test_finished_fields_and_update(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    store.begin("t", message="x")
    store.update("t", **finished_fields({"messages": ["ok"], "question": None}))
    record = store.load("t")
    assert record is not None and record["turn_state"] == STOPPED and record["messages"] == ["ok"]
    assert finished_fields({"question": "Which?"})["turn_state"] == "awaiting_input"


def test_old_records_are_pruned(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    store.begin("old", message="x")
    past = time.time() - 8 * 24 * 3600
    os.utime(store.path("old"), (past, past))
    assert store.prune() == 1
    assert store.load("old") is None
