"""One backoff for every thread sharing a client: a 429 pauses them all.

The backend rate-limits per user, not per connection: when one request hears
429, every other request of the same user would hear it too. So a
:class:`Limiter` is shared by all the threads that use one
:class:`~nemo_skill.client.NemoClient` (a batch runs several items at once):
a 429 calls :meth:`Limiter.pause` with the advised wait, and every request
calls :meth:`Limiter.wait` before it goes out, so nobody knocks again before
the advised time has passed. The thread that heard the 429 is not held by its
own pause: it already waits its retry delay itself (through the client's
injectable ``sleep``), and must not wait twice.
"""

from __future__ import annotations

import threading
import time


class Limiter:
    """A pause shared by threads: ``pause(s)`` holds every later ``wait()`` for ``s`` seconds."""

    def __init__(self) -> None:
        self._clock = time.monotonic
        self._cond = threading.Condition()
        self._until = 0.0
        # The thread whose 429 set the pause (the object, not its ident: idents are reused).
        self._owner: threading.Thread | None = None
        self.pauses = 0  # how many 429s paused the callers (for summaries and tests)

    def pause(self, seconds: float) -> None:
        """Hold requests for ``seconds`` from now (a longer pause already running wins)."""
        with self._cond:
            self.pauses += 1
            until = self._clock() + max(0.0, seconds)
            if until >= self._until:
                self._until, self._owner = until, threading.current_thread()
            self._cond.notify_all()

    def remaining(self) -> float:
        """Seconds left in the current pause (0 when not paused)."""
        with self._cond:
            return max(0.0, self._until - self._clock())

    def wait(self) -> float:
        """Block while another thread's pause runs; returns the seconds waited."""
        waited = 0.0
        with self._cond:
            mine = self._owner is threading.current_thread()
            while not mine and (left := self._until - self._clock()) > 0:
                start = self._clock()
                self._cond.wait(timeout=left)
                waited += self._clock() - start
        return waited


__all__ = ["Limiter"]
