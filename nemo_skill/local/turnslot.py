"""One running turn per session, and the credits frozen for it, always given back.

A :class:`TurnSlot` is a context manager: entering takes the session's turn
slot (429 when a turn is already running), :meth:`TurnSlot.freeze` holds the
turn's cost (2001 when there is not enough), and leaving - however the block
ends: a finished stream, an agent error, a client gone before the response
even started, a cancelled task - settles the hold (charged only when the
turn changed the draft) and frees the slot.

The slot is a row in SQLite (:meth:`Store.begin_turn`), taken before any
credit moves, so it holds across every process that shares the data folder:
a second turn is told the session is busy, never that credits are short
because the first turn holds them. A process killed mid-turn does not keep
the slot or the credits: the next start refunds it
(:meth:`Store.release_interrupted_holds`).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from types import TracebackType

from nemo_skill.errors import ErrorCode
from nemo_skill.local.http import BackendError
from nemo_skill.local.store import Store

BUSY_RETRY_AFTER_S = 5
BUSY_MESSAGE = "A turn is already running in this session; wait for it to finish."
TOP_UP_SUGGESTION = 500


def offline_top_up_hint(data_dir: Path) -> str:
    """How to get more credits from the embedded backend: no account exists to register."""
    return (
        "This is the offline embedded backend (no account, no registration): add credits with "
        f"`nemo-skill serve-local --add-credits {TOP_UP_SUGGESTION} "
        f"--data-dir {shlex.quote(str(data_dir))}`, then send the message again."
    )


class TurnSlot:
    """The session's turn slot and frozen credits, owned for one turn."""

    def __init__(self, store: Store, session_id: str, user_id: str) -> None:
        self.store, self.session_id, self.user_id = store, session_id, user_id
        self._held = False
        self.frozen = 0.0
        self.spent = False  # set once the turn's work is kept: the hold is charged

    def __enter__(self) -> TurnSlot:
        if not self.store.begin_turn(self.user_id, self.session_id):
            raise BackendError(
                ErrorCode.RATE_LIMITED,
                BUSY_MESSAGE,
                429,
                {"Retry-After": str(BUSY_RETRY_AFTER_S)},
            )
        self._held = True
        return self

    def freeze(self, amount: float) -> None:
        """Hold ``amount`` credits for this turn (2001, nothing held, when short)."""
        if amount <= 0:
            return
        if not self.store.freeze_turn(self.session_id, amount):
            user = self.store.user(self.user_id)
            have = f"{user.available:g}" if user is not None else "0"
            raise BackendError(
                ErrorCode.INSUFFICIENT_CREDITS,
                f"Not enough credits for this request ({amount:g} needed, {have} available).",
                402,
                # The hint for any HTTP client; next/data_dir let our client word it per shell.
                data={
                    "hint": offline_top_up_hint(self.store.dir),
                    "next": "top_up",
                    "data_dir": str(self.store.dir),
                },
            )
        self.frozen += amount

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._held:
            self._held = False
            self.frozen = 0.0
            self.store.settle_turn(self.session_id, spent=self.spent)
