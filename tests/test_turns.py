"""Idempotent turn records: one creator per id across threads and processes; chat --turn-id."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_skill.cli import STEPS
from nemo_skill.errors import (
    InsufficientCreditsError,
    Next,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StreamInterruptedError,
    TransportError,
    UnsupportedFileError,
    UsageError,
    word_hint,
)
from nemo_skill.turns import (
    AWAITING,
    FAILED,
    INTERRUPTED_HINT,
    MAX_AGE_S,
    RUNNING,
    STOPPED,
    Turns,
    TurnStore,
    check_turn_id,
    current_owner,
    owner_alive,
    unsent,
)


def _dead_pid() -> int:
    """The pid of a process that has already exited."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def record_hash(turn_id: str) -> str:
    import hashlib

    return hashlib.sha256(turn_id.encode()).hexdigest()[:32]


def test_begin_creates_once_and_later_calls_get_the_first_record(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    record, created = store.begin("k", message="hi", files=["a.jpg"], workspace="dir:/w")
    assert created and record["turn_state"] == RUNNING and record["owner"] == current_owner()
    again, created_again = store.begin("k", message="different")
    assert not created_again
    assert (again["message"], again["files"], again["workspace"]) == ("hi", ["a.jpg"], "dir:/w")
    assert store.path("k").name == f"{record_hash('k')}.json"
    assert store.path("k").stat().st_mode & 0o777 == 0o600
    assert store.dir.stat().st_mode & 0o777 == 0o700


def test_threads_racing_on_one_id_create_it_once(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def go(n: int) -> None:
        barrier.wait(timeout=10)
        results.append(store.begin("same", message=f"from {n}")[1])

    threads = [threading.Thread(target=go, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert sorted(results) == [False] * 7 + [True]


def _begin_in_child(state_dir: str, barrier: Any, queue: Any) -> None:
    barrier.wait(timeout=30)
    record, created = TurnStore(Path(state_dir)).begin("proc", message=str(os.getpid()))
    queue.put((created, record["message"]))


def test_processes_racing_on_one_id_create_it_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue, barrier = ctx.Queue(), ctx.Barrier(3)
    procs = [
        ctx.Process(target=_begin_in_child, args=(str(tmp_path), barrier, queue)) for _ in range(3)
    ]
    for p in procs:
        p.start()
    outcomes = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert sorted(created for created, _ in outcomes) == [False, False, True]
    # every process saw the winner's record, and the winner is one of them
    assert len({message for _, message in outcomes}) == 1
    assert outcomes[0][1] in {str(p.pid) for p in procs}


def test_running_turn_of_a_dead_process_reads_as_failed_and_is_not_begun_again(
    tmp_path: Path,
) -> None:
    store = TurnStore(tmp_path)
    store.begin("orphan", message="x")
    store.update("orphan", owner={"pid": _dead_pid(), "start": None})
    record = store.load("orphan")
    assert record is not None and record["turn_state"] == FAILED
    assert record["error"]["hint"] == INTERRUPTED_HINT
    again, created = store.begin("orphan", message="x")
    assert not created and again["turn_state"] == FAILED


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_recycled_pid_is_not_taken_for_the_owner() -> None:
    parent = os.getppid()  # alive, not this process
    assert owner_alive({"pid": parent, "start": None})
    started = json.loads(json.dumps(current_owner()))["start"]
    assert owner_alive({"pid": os.getpid(), "start": started})
    assert not owner_alive({"pid": parent, "start": "-1"})
    assert not owner_alive({"pid": 0}) and not owner_alive({})


def test_finish_sets_stopped_or_awaiting_input(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    store.begin("t", message="x")
    done = store.finish("t", {"messages": ["ok"], "changes": ["Added music."], "question": None})
    assert done["turn_state"] == STOPPED and done["messages"] == ["ok"]
    assert done["changes"] == ["Added music."] and done["result"]["messages"] == ["ok"]
    store.begin("q", message="x")
    asked = store.finish("q", {"messages": [], "question": "Which image?", "options": ["A"]})
    assert (asked["turn_state"], asked["options"]) == (AWAITING, ["A"])
    assert store.load("q") == asked


def test_progress_lines_accumulate_in_order(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    store.begin("p", message="x")
    for line in ("uploading…", "generating video…"):
        store.add_progress("p", line)
    record = store.load("p")
    assert record is not None and record["progress"] == ["uploading…", "generating video…"]


def test_a_failure_before_sending_may_be_begun_again_others_may_not(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    store.begin("unsent", message="x")
    store.fail("unsent", UsageError("bad file", hint="use a jpg"), retryable=True)
    record, created = store.begin("unsent", message="x")
    assert created and record["turn_state"] == RUNNING and record["error"] is None
    store.begin("sent", message="x")
    failed = store.fail("sent", StreamInterruptedError("dropped"))
    assert failed["error"]["code"] == "stream_interrupted" and failed["error"]["hint"]
    assert store.begin("sent", message="x") == (failed, False)


def test_cancel_marks_the_turn_and_a_late_result_does_not_revive_it(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    store.begin("c", message="x")
    cancelled = store.cancel("c")
    assert cancelled["turn_state"] == FAILED and cancelled["error"]["code"] == "cancelled"
    assert "cannot be taken back" in cancelled["error"]["hint"]
    late = store.finish("c", {"messages": ["done anyway"]})
    assert late["turn_state"] == FAILED and late["messages"] == ["done anyway"]
    assert store.fail("c", ServerError("boom"))["error"]["code"] == "cancelled"
    store.begin("f", message="x")
    store.finish("f", {"messages": []})
    assert store.cancel("f")["turn_state"] == STOPPED  # only a running turn is cancelled


def test_wait_polls_until_the_turn_ends_or_the_bound(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    store.begin("w", message="x")
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 3:
            store.finish("w", {"messages": ["ok"]})

    record = store.wait("w", 60.0, interval_s=2.0, sleep=sleep)
    assert record is not None and record["turn_state"] == STOPPED and naps == [2.0] * 3

    store.begin("slow", message="x")
    ticks = iter(range(100))
    slept: list[float] = []
    bounded = store.wait("slow", 5.0, sleep=slept.append, clock=lambda: float(next(ticks)))
    assert bounded is not None and bounded["turn_state"] == RUNNING
    assert 0 < len(slept) <= 5  # one poll per clock tick until the 5 s bound


def test_old_records_are_pruned_when_a_turn_is_begun(tmp_path: Path) -> None:
    store = TurnStore(tmp_path)
    store.begin("old", message="x")
    store.begin("recent", message="x")
    past = time.time() - MAX_AGE_S - 60
    os.utime(store.path("old"), (past, past))
    store.begin("new", message="x")
    assert store.load("old") is None
    assert store.load("recent") is not None and store.load("new") is not None


def test_turn_ids_must_be_usable_keys(tmp_path: Path) -> None:
    assert check_turn_id("host-msg-42") == "host-msg-42"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(UsageError):
            TurnStore(tmp_path).begin(bad, message="x")


def test_unsent_only_for_failures_that_prove_nothing_reached_the_agent() -> None:
    refused = TransportError("no route")
    refused.__cause__ = httpx.ConnectError("refused")
    cut = TransportError("reset")
    cut.__cause__ = httpx.ReadError("reset")
    assert unsent(UsageError("x")) and unsent(UnsupportedFileError("x"))
    assert unsent(InsufficientCreditsError("x")) and unsent(RateLimitError("x"))
    assert unsent(refused)
    for maybe_sent in (
        cut,
        ServerError("x"),
        StreamInterruptedError("x"),
        RequestTimeoutError("x"),
        RuntimeError("x"),
    ):
        assert not unsent(maybe_sent), maybe_sent


# --- chat --turn-id against the embedded backend ---------------------------------------------

PROMPT = "turn this image into a 1-second animated video clip"


def _available(cli: Any) -> float:
    result = cli("--json", "credits")
    assert result.code == 0, result.err
    return float(result.json()["available"])


def test_chat_turn_id_sends_once_and_replays_the_result(tmp_path: Path) -> None:
    support = pytest.importorskip("tests.e2e.support")
    with support.project(tmp_path) as cli:
        photo = support.make_image(cli.cwd / "photo.jpg", size=(160, 120))
        before = _available(cli)
        first = cli("--json", "chat", "--turn-id", "k1", "-f", str(photo), PROMPT)
        assert first.code == 0, first.err
        after = _available(cli)
        again = cli("--json", "chat", "--turn-id", "k1", "-f", str(photo), PROMPT)
        assert again.code == 0 and "already sent" in again.err
        assert again.json() == first.json()
        assert first.json()["turn_state"] == STOPPED and first.json()["messages"]
        assert after < before and _available(cli) == after  # charged once
        text = cli("chat", "--turn-id", "k1", PROMPT)
        assert text.out.splitlines()[0] == first.json()["messages"][0]


def test_chat_turn_id_retries_a_refused_message_but_not_an_interrupted_one(
    tmp_path: Path,
) -> None:
    support = pytest.importorskip("tests.e2e.support")
    with support.project(tmp_path) as cli:
        photo = support.make_image(cli.cwd / "photo.jpg", size=(160, 120))
        notes = cli.cwd / "notes.txt"
        notes.write_text("not an image")
        before = _available(cli)
        refused = cli("--json", "chat", "--turn-id", "k2", "-f", str(notes), PROMPT)
        assert refused.code == UnsupportedFileError.exit_code
        assert _available(cli) == before
        retried = cli("--json", "chat", "--turn-id", "k2", "-f", str(photo), PROMPT)
        assert retried.code == 0 and "already sent" not in retried.err
        charged = _available(cli)
        assert charged < before

        store = TurnStore(cli.state_dir)
        store.begin("k3", message=PROMPT)
        store.update("k3", owner={"pid": _dead_pid(), "start": None})
        orphan = cli("--json", "chat", "--turn-id", "k3", "-f", str(photo), PROMPT)
        assert orphan.code != 0
        assert orphan.json()["error"]["hint"] == word_hint(INTERRUPTED_HINT, Next.STATE, STEPS)
        assert "`nemo-skill state`" in orphan.json()["error"]["hint"]
        assert _available(cli) == charged  # nothing was sent again


def test_chat_turn_id_reports_a_turn_still_running_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nemo_skill.cli import main
    from nemo_skill.commands import chat

    monkeypatch.setattr(chat, "RETRY_WAIT_S", 0.0)
    store = TurnStore(tmp_path)
    store.begin("k4", message=PROMPT)
    store.update("k4", owner={"pid": os.getppid(), "start": None}, progress=["generating…"])
    # a closed local port: any attempt to send would fail loudly instead of reaching a backend
    code = main(["--api-url", "http://127.0.0.1:9", "--state-dir", str(tmp_path), "--json",
                 "chat", "--turn-id", "k4", PROMPT])  # fmt: skip
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert code == 0 and "still running" in captured.err
    assert (data["turn_id"], data["turn_state"], data["progress"]) == (
        "k4",
        RUNNING,
        ["generating…"],
    )


# --- Turns: the rules both shells share ----------------------------------------------------


def test_a_turn_runs_once_and_a_repeated_id_returns_its_record(tmp_path: Path) -> None:
    turns = Turns(TurnStore(tmp_path))
    runs: list[int] = []
    record, created = turns.begin("k1", message=PROMPT)
    assert created and record["turn_state"] == RUNNING
    done = turns.run("k1", lambda: runs.append(1) or {"messages": ["ok"], "question": None})
    assert done["turn_state"] == STOPPED and done["messages"] == ["ok"]
    again, created = turns.begin("k1", message="a different message")
    assert not created and again["messages"] == ["ok"] and runs == [1]
    assert Turns.error_of(again) is None


@pytest.mark.parametrize("background", [False, True], ids=["cli", "mcp"])
def test_run_once_runs_the_work_of_an_id_once_in_either_shell(
    tmp_path: Path, background: bool
) -> None:
    """One rule for ``chat --turn-id`` (in the calling thread) and MCP (a background thread)."""
    turns = Turns(TurnStore(tmp_path))
    runs: list[str] = []
    threads: list[threading.Thread] = []

    def work(tid: str) -> dict[str, Any]:
        runs.append(tid)
        return {"messages": ["ok"], "question": None}

    def start(tid: str, run: Any) -> None:
        threads.append(threading.Thread(target=run))
        threads[-1].start()

    launch = start if background else None
    record, created = turns.run_once("k1", work, message=PROMPT, start=launch)
    for thread in threads:
        thread.join(10)
    assert created and runs == ["k1"]
    assert record["turn_state"] == (RUNNING if background else STOPPED)
    again, created = turns.run_once("k1", work, message=PROMPT, start=launch)
    assert not created and runs == ["k1"] and again["messages"] == ["ok"]
    assert again["turn_state"] == STOPPED


def test_a_turn_without_an_id_gets_a_fresh_one(tmp_path: Path) -> None:
    turns = Turns(TurnStore(tmp_path))
    first, _ = turns.begin(None, message=PROMPT)
    second, _ = turns.begin(None, message=PROMPT)
    assert first["turn_id"] != second["turn_id"]


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (UnsupportedFileError("Unsupported file type: x.txt"), True),
        (StreamInterruptedError("dropped"), False),
        (ValueError("a bug"), False),
    ],
    ids=["refused-before-sending", "maybe-sent", "a-bug"],
)
def test_a_failed_turn_is_recorded_then_raised(
    tmp_path: Path, error: Exception, retryable: bool
) -> None:
    turns = Turns(TurnStore(tmp_path))
    turns.begin("k2", message=PROMPT)

    def fail() -> dict[str, Any]:
        raise error

    with pytest.raises(type(error)):
        turns.run("k2", fail)
    record = turns.get("k2")
    assert record["turn_state"] == FAILED and Turns.retryable_failure(record) is retryable
    recorded = Turns.error_of(record)
    assert recorded is not None and recorded.message.endswith(str(error))
    if isinstance(error, StreamInterruptedError):  # its next step survives the record
        assert recorded.next is Next.STATE and "{next}" in recorded.hint
    assert turns.begin("k2", message=PROMPT)[1] is retryable  # only an unsent turn runs again


def test_an_unknown_turn_id_is_a_usage_error_naming_the_chat_step(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no turn with id nope") as caught:
        Turns(TurnStore(tmp_path)).get("nope")
    assert caught.value.next is Next.CHAT
