"""The shared 429 pause between real threads (lower bounds only: a paused thread waited).

Batches exercise it end to end over HTTP (tests/test_batch.py, the shared 429 pause).
"""

from __future__ import annotations

import threading
import time

from nemo_skill.limiter import Limiter


def _wait_in_thread(limiter: Limiter) -> tuple[threading.Thread, list[float]]:
    waited: list[float] = []
    thread = threading.Thread(target=lambda: waited.append(limiter.wait()))
    thread.start()
    return thread, waited


def test_a_pause_holds_the_other_threads_but_not_the_one_that_heard_the_429() -> None:
    limiter = Limiter()
    assert limiter.wait() == 0.0 and limiter.remaining() == 0.0  # no pause, no wait
    limiter.pause(0.3)
    assert limiter.pauses == 1
    assert limiter.wait() == 0.0  # the pausing thread sleeps its own retry delay instead
    start = time.monotonic()
    thread, waited = _wait_in_thread(limiter)
    thread.join(timeout=10)
    assert waited and waited[0] > 0.0
    assert time.monotonic() - start >= 0.3 - 0.02  # held until the pause ran out
    assert limiter.remaining() == 0.0


def test_a_longer_pause_wins_and_a_shorter_one_does_not_cut_it() -> None:
    limiter = Limiter()
    limiter.pause(0.4)
    other = threading.Thread(target=lambda: limiter.pause(0.05))  # a shorter, later 429
    other.start()
    other.join()
    assert limiter.pauses == 2 and limiter.remaining() > 0.2
    start = time.monotonic()
    thread, _ = _wait_in_thread(limiter)
    thread.join(timeout=10)
    assert time.monotonic() - start >= 0.3  # still the first, longer pause


def test_a_pause_set_while_threads_wait_extends_their_wait() -> None:
    limiter = Limiter()
    pauser = threading.Thread(target=lambda: limiter.pause(0.1))
    pauser.start()
    pauser.join()
    start = time.monotonic()
    thread, _ = _wait_in_thread(limiter)
    time.sleep(0.05)
    limiter.pause(0.4)  # heard by this (main) thread while the other one is waiting
    thread.join(timeout=10)
    assert time.monotonic() - start >= 0.4  # woken, re-checked, and held for the new pause
