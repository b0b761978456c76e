"""The SQLite store: credit arithmetic under threads, hashed tokens, draft history, jobs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from nemo_skill.local.store import Store, hash_token


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "data")
    yield db
    db.close()


def _user(store: Store, credits: float) -> str:
    _, user, _ = store.issue_anonymous_token("client-1", credits, ttl_s=3600)
    return user.user_id


def test_freeze_and_settle(store: Store) -> None:
    uid = _user(store, 100)
    assert store.freeze(uid, 60)
    assert not store.freeze(uid, 60)  # only 40 left: refused, nothing changed
    user = store.user(uid)
    assert user is not None
    assert (user.available, user.frozen) == (40, 60)
    store.settle(uid, 60, spent=False)
    user = store.user(uid)
    assert user is not None
    assert (user.available, user.frozen) == (100, 0)
    assert store.freeze(uid, 100)
    store.settle(uid, 100, spent=True)
    user = store.user(uid)
    assert user is not None
    assert (user.available, user.frozen) == (0, 0)


def test_no_lost_update_under_threads(store: Store) -> None:
    threads, ops, cost = 8, 50, 3
    uid = _user(store, 10_000)
    spent_counts = [0] * threads
    refused = []
    start = threading.Barrier(threads)

    def work(index: int) -> None:
        start.wait(timeout=10)
        for op in range(ops):
            if not store.freeze(uid, cost):
                refused.append(index)
                continue
            spent = (index + op) % 2 == 0
            store.settle(uid, cost, spent=spent)
            spent_counts[index] += spent

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in pool)
    assert refused == []
    user = store.user(uid)
    assert user is not None
    assert user.frozen == 0
    assert user.available == 10_000 - cost * sum(spent_counts)
    assert sum(spent_counts) == threads * ops // 2


def test_concurrent_freezes_never_overdraw(store: Store) -> None:
    uid = _user(store, 100)
    granted: list[bool] = []
    lock = threading.Lock()

    def grab() -> None:
        for _ in range(50):
            ok = store.freeze(uid, 7)
            with lock:
                granted.append(ok)

    pool = [threading.Thread(target=grab) for _ in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert granted.count(True) == 100 // 7
    user = store.user(uid)
    assert user is not None
    assert (user.available, user.frozen) == (100 % 7, 7 * (100 // 7))


def test_tokens_are_stored_hashed(store: Store, tmp_path: Path) -> None:
    token, user, _ = store.issue_anonymous_token("client-x", 100, ttl_s=3600)
    again = store.user_for_token(token)
    assert again is not None
    assert again.user_id == user.user_id
    assert store.user_for_token(token + "x") is None
    store.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("nemo-local.sqlite3*"))
    assert token.encode() not in raw
    assert hash_token(token).encode() in raw


def test_expired_token_is_refused(store: Store) -> None:
    token, _, _ = store.issue_anonymous_token("client-y", 100, ttl_s=-1)
    assert store.user_for_token(token) is None


def test_same_client_keeps_its_user(store: Store) -> None:
    _, first, _ = store.issue_anonymous_token("client-z", 100, ttl_s=3600)
    store.freeze(first.user_id, 30)
    _, second, _ = store.issue_anonymous_token("client-z", 100, ttl_s=3600)
    assert second.user_id == first.user_id
    assert second.available == 70
    assert store.count("users") == 1
    assert store.count("tokens") == 2


def test_pop_draft_history(store: Store) -> None:
    uid = _user(store, 0)
    sid, _ = store.create_session(uid, "en", "p")
    other, _ = store.create_session(uid, "en", "q")
    assert store.pop_draft(sid) is None
    for version in range(3):
        store.push_draft(sid, {"v": version})
    store.push_draft(other, {"v": "other"})
    assert store.latest_draft(sid) == {"v": 2}
    assert store.pop_draft(sid) == {"v": 1}
    assert store.latest_draft(sid) == {"v": 1}
    assert store.pop_draft(sid) == {"v": 0}
    assert store.pop_draft(sid) is None  # the last one is dropped too
    assert store.latest_draft(sid) is None
    assert store.latest_draft(other) == {"v": "other"}


def test_pop_draft_goes_back_several_steps_and_keeps_the_first(store: Store) -> None:
    uid = _user(store, 0)
    sid, _ = store.create_session(uid, "en", "p")
    for version in range(4):
        store.push_draft(sid, {"v": version})
    assert store.pop_draft(sid, 2) == {"v": 1}  # "undo the last two changes"
    assert store.latest_draft(sid) == {"v": 1}
    assert store.pop_draft(sid, 5) == {"v": 0}  # more than there is: back to the first
    assert store.latest_draft(sid) == {"v": 0}


def test_sessions_belong_to_their_user(store: Store) -> None:
    _, alice, _ = store.issue_anonymous_token("a", 0, ttl_s=3600)
    _, bob, _ = store.issue_anonymous_token("b", 0, ttl_s=3600)
    sid, task = store.create_session(alice.user_id, "zh", "p")
    assert sid.isdigit()
    row = store.session(sid, alice.user_id)
    assert row is not None
    assert row["task_id"] == task
    assert store.session(sid, bob.user_id) is None


def test_interrupted_jobs_fail_on_start(tmp_path: Path) -> None:
    data = tmp_path / "jobs"
    first = Store(data)
    uid = _user(first, 0)
    for job_id, status in (("a", "pending"), ("b", "processing"), ("c", "completed")):
        first.create_job(job_id, uid, "s", {"t": []})
        first.update_job(job_id, status=status)
    first.update_job("c", bogus="ignored")  # unknown fields are not written
    first.close()
    second = Store(data)
    try:
        assert second.fail_interrupted_jobs() == 2
        statuses = {j: second.job(j).status for j in "abc"}  # type: ignore[union-attr]
        assert statuses == {"a": "failed", "b": "failed", "c": "completed"}
        assert second.create_job("c", uid, "s", {"t": [1]}).draft == {"t": []}  # idempotent
    finally:
        second.close()


def test_count_rejects_unknown_tables(store: Store) -> None:
    with pytest.raises(ValueError):
        store.count("users; DROP TABLE users")


def test_claim_tokens_are_stored_hashed_and_expire(store: Store) -> None:
    uid = _user(store, 100)
    token = store.issue_claim_token("s1", uid, ttl_s=60)
    grant = store.claim(token)
    assert grant is not None
    assert (grant.session_id, grant.user_id, grant.expired) == ("s1", uid, False)
    assert store.claim(token + "x") is None
    assert store.claim(hash_token(token)) is None  # the stored hash is not a token
    old = store.issue_claim_token("s1", uid, ttl_s=-1)
    gone = store.claim(old)
    assert gone is not None and gone.expired  # kept a while to say "expired"
    store.issue_claim_token("s1", uid, ttl_s=-90000)  # long expired: swept on the next issue
    store.issue_claim_token("s1", uid, ttl_s=60)
    assert store.count("claim_tokens") == 3


def test_turn_holds_one_per_session_settled_once(store: Store) -> None:
    uid = _user(store, 100)
    assert store.begin_turn(uid, "s1") and store.freeze_turn("s1", 60)
    assert not store.begin_turn(uid, "s1")  # one running turn per session
    assert store.begin_turn(uid, "s2")
    assert not store.freeze_turn("s2", 50)  # only 40 left
    assert store.settle_turn("s2", spent=False) == 0
    assert store.settle_turn("s1", spent=True) == 60
    assert store.settle_turn("s1", spent=True) == 0  # nothing left to settle twice
    user = store.user(uid)
    assert user is not None and (user.available, user.frozen) == (40, 0)


def test_latest_job_and_offline_top_up(store: Store) -> None:
    uid = _user(store, 100)
    assert store.latest_job("s1") is None
    store.create_job("a", uid, "s1", {"t": []})
    store.update_job("a", status="completed")
    store.create_job("b", uid, "s1", {"t": []})
    latest, done = store.latest_job("s1"), store.latest_job("s1", "completed")
    assert latest is not None and latest.id == "b"
    assert done is not None and done.id == "a"
    assert store.add_credits(250) == 1
    user = store.user(uid)
    assert user is not None and user.available == 350


def _work_of_an_owner(store: Store, uid: str, session: str, job: str) -> None:
    store.create_job(job, uid, session, {"t": []})
    store.update_job(job, status="processing")
    assert store.begin_turn(uid, session) and store.freeze_turn(session, 100)


def test_recovery_leaves_a_live_owners_turns_and_renders_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    live = Store(data)
    live.claim_owner()
    uid = _user(live, 300)
    _work_of_an_owner(live, uid, "s1", "job-live")
    newcomer = Store(data)  # a second process on the folder: its start-up recovery runs
    try:
        newcomer.claim_owner()
        assert newcomer.recover() == {"renders": 0, "turns": 0, "files": 0}
        assert newcomer.job("job-live").status == "processing"  # type: ignore[union-attr]
        assert newcomer.count("turn_holds") == 1
        assert newcomer.user(uid) == live.user(uid) and live.user(uid).frozen == 100  # type: ignore[union-attr]
    finally:
        newcomer.close()
        live.close()


def test_recovery_takes_back_what_a_killed_owner_left(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    data = tmp_path / "data"
    seed = Store(data)
    uid = _user(seed, 300)
    seed.close()
    # A real process claims ownership, starts a render and a turn, then is killed (-9).
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from nemo_skill.local.store import Store\n"
        "s = Store(Path(sys.argv[1])); s.claim_owner()\n"
        "s.create_job('job-dead', sys.argv[2], 's2', {'t': []})\n"
        "s.update_job('job-dead', status='processing')\n"
        "assert s.begin_turn(sys.argv[2], 's2') and s.freeze_turn('s2', 100)\n"
        "print('ready', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(data), uid], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        partial = data / "renders" / ".x.part.mp4"
        partial.write_bytes(b"half")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        after = Store(data)
        try:
            after.claim_owner()
            assert after.recover() == {"renders": 1, "turns": 1, "files": 1}
            job = after.job("job-dead")
            assert job is not None and job.error == "interrupted by a server restart"
            user = after.user(uid)
            assert user is not None and user.available == 300 and user.frozen == 0
            assert not partial.exists()
            assert [p.stem for p in (data / "owners").glob("*.lock")] == [after.owner]
        finally:
            after.close()
        assert not list((data / "owners").glob("*.lock"))  # a clean close removes its lock
    finally:
        if proc.poll() is None:
            proc.kill()


def test_files_since_turn_marks_the_boundary_of_a_message(tmp_path: Path) -> None:
    from nemo_skill.local.store import StoredFile

    store = Store(tmp_path)
    try:

        def add(name: str) -> None:
            store.add_file(StoredFile("s1", "u", name * 64, f"{name}.jpg", "image", 1, 10, 10))

        add("a")
        add("b")
        first, mark = store.files_since_turn("s1")
        assert [f.name for f in first] == ["a.jpg", "b.jpg"]
        assert store.files_since_turn("s1")[0] == first  # not taken yet (a question was asked)
        store.take_turn_files("s1", mark)
        assert store.files_since_turn("s1")[0] == []
        add("c")
        assert [f.name for f in store.files_since_turn("s1")[0]] == ["c.jpg"]
        store.take_turn_files("s1", 1)  # an older mark never moves the boundary back
        assert [f.name for f in store.files_since_turn("s1")[0]] == ["c.jpg"]
    finally:
        store.close()
