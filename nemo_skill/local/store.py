"""The embedded backend's SQLite store (WAL): users, tokens, sessions, drafts, files, jobs.

One database file under the data directory; uploaded files are stored on disk
by content (``files/<sha256[:2]>/<sha256>``). Tokens are kept only as SHA-256
hashes. One connection serialised by a lock: SQLite writes are serial anyway,
and every credit change is a single transaction, so concurrent requests lose
no write.

A store opened by a backend is an *owner* (:meth:`Store.claim_owner`): it holds
an exclusive lock on ``owners/<id>.lock`` while it lives, and stamps the turns
and renders it starts with that id. Start-up recovery (refunding turns, failing
renders) touches only rows whose owner's lock is free, i.e. whose process is
really gone (a kill -9 releases it too), never the work of a live process.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemo_skill.local.refs import with_stable_refs

DB_NAME = "nemo-local.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, user_id TEXT NOT NULL,
    token_issued REAL NOT NULL);
CREATE TABLE IF NOT EXISTS users (user_id TEXT PRIMARY KEY, anonymous INTEGER NOT NULL,
    available REAL NOT NULL, frozen REAL NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL,
    expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (session_id TEXT PRIMARY KEY, task_id TEXT NOT NULL,
    user_id TEXT NOT NULL, language TEXT NOT NULL, task_name TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS drafts (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL,
    draft TEXT NOT NULL, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS drafts_session ON drafts(session_id, id);
CREATE TABLE IF NOT EXISTS files (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL,
    user_id TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL, file_type TEXT NOT NULL,
    size INTEGER NOT NULL, width INTEGER, height INTEGER, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS files_session ON files(session_id, id);
CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, user_id TEXT NOT NULL,
    session_id TEXT NOT NULL, status TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0,
    draft TEXT NOT NULL, output TEXT, error TEXT, created REAL NOT NULL, completed REAL);
CREATE TABLE IF NOT EXISTS claim_tokens (token_hash TEXT PRIMARY KEY, session_id TEXT NOT NULL,
    user_id TEXT NOT NULL, expires_at REAL NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS turn_holds (session_id TEXT PRIMARY KEY, user_id TEXT NOT NULL,
    amount REAL NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS turn_files (session_id TEXT PRIMARY KEY, file_id INTEGER NOT NULL);
"""
# Columns added after the first release: (table, column, type); added when missing.
MIGRATIONS = (("jobs", "owner", "TEXT"), ("turn_holds", "owner", "TEXT"))
OWNERS_DIR = "owners"


@dataclass(frozen=True)
class User:
    """A user and their credits."""

    user_id: str
    anonymous: bool
    available: float
    frozen: float


@dataclass(frozen=True)
class Claim:
    """What a claim token grants: read access to one session, until ``expires_at``."""

    session_id: str
    user_id: str
    expires_at: float

    @property
    def expired(self) -> bool:
        """True once the token may no longer be used."""
        return self.expires_at <= time.time()


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file of a session."""

    session_id: str
    user_id: str
    sha256: str
    name: str
    file_type: str
    size: int
    width: int | None
    height: int | None


@dataclass(frozen=True)
class Job:
    """A render job record."""

    id: str
    user_id: str
    session_id: str
    status: str
    progress: float
    draft: dict[str, Any]
    output: str | None
    error: str | None
    created: float
    completed: float | None


def hash_token(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not leak them."""
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    """Thread-safe access to the backend's database and file blobs."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.dir / "files").mkdir(exist_ok=True, mode=0o700)
        (self.dir / "renders").mkdir(exist_ok=True, mode=0o700)
        (self.dir / "tmp").mkdir(exist_ok=True, mode=0o700)
        self.path = self.dir / DB_NAME
        # Owner-only before SQLite opens it: its -wal/-shm files copy this mode.
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(self.path, 0o600)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._migrate()
        self.owner: str | None = None  # set by claim_owner: stamps the turns and renders
        self._owner_fd = -1

    def _migrate(self) -> None:
        for table, column, kind in MIGRATIONS:
            names = {row["name"] for row in self._all(f"PRAGMA table_info({table})")}
            if column not in names:
                with contextlib.suppress(sqlite3.OperationalError):  # another process added it
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        """Close the database (and give up ownership)."""
        with self._lock:
            self._db.close()
        if self._owner_fd >= 0:
            lock = self._owner_lock(self.owner or "")
            lock.unlink(missing_ok=True)  # before unlocking: no one sees a free, present lock
            os.close(self._owner_fd)
            self._owner_fd = -1

    # --- owners: which live process runs a turn or a render -------------------------
    def _owner_lock(self, owner: str) -> Path:
        safe = "".join(c for c in owner if c.isalnum() or c in "-_")[:64] or "_"
        return self.dir / OWNERS_DIR / f"{safe}.lock"

    def claim_owner(self) -> str:
        """Become a live owner: a fresh id, its lock held until :meth:`close`."""
        owner = secrets.token_hex(8)
        path = self._owner_lock(owner)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # a fresh file: never contended
        self.owner, self._owner_fd = owner, fd
        return owner

    def owner_alive(self, owner: str | None) -> bool:
        """True while the process that claimed ``owner`` holds its lock (None: a legacy row)."""
        if not owner:
            return False
        if owner == self.owner:
            return True
        try:
            fd = os.open(self._owner_lock(owner), os.O_RDONLY)
        except OSError:
            return False  # closed cleanly (lock removed) or never here
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True  # its owner still holds it
        finally:
            os.close(fd)
        return False

    def owns_turns(self) -> bool:
        """True while a turn this owner started is running (its slot row is held)."""
        return self._one("SELECT 1 FROM turn_holds WHERE owner=? LIMIT 1", self.owner) is not None

    def others_alive(self) -> bool:
        """True when another live owner uses this folder (then shared temp files are kept)."""
        folder = self.dir / OWNERS_DIR
        names = [p.stem for p in folder.glob("*.lock")] if folder.is_dir() else []
        alive = False
        for name in names:
            if name == self.owner:
                continue
            if self.owner_alive(name):
                alive = True
            else:
                self._owner_lock(name).unlink(missing_ok=True)  # a killed process's lock file
        return alive

    def recover(self) -> dict[str, int]:
        """What dead owners left: renders failed, turn holds refunded, temp files swept."""

        def gone(owner: str | None) -> bool:
            return not self.owner_alive(owner)

        swept = 0 if self.others_alive() else self.sweep_partial_files()
        return {
            "renders": self.fail_interrupted_jobs(gone),
            "turns": self.release_interrupted_holds(gone),
            "files": swept,
        }

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (serialised)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._db.execute(sql, args).fetchone()
            return row

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    # --- auth -----------------------------------------------------------------
    def issue_anonymous_token(
        self, client_id: str, credits: float, ttl_s: float
    ) -> tuple[str, User, float]:
        """A new anonymous user (or the client's existing one) and a fresh token."""
        token = f"nmv_usr_{secrets.token_urlsafe(24)}"
        now = time.time()
        expires = now + ttl_s
        with self.tx() as db:
            row = db.execute(
                "SELECT user_id FROM clients WHERE client_id=?", (client_id,)
            ).fetchone()
            if row:
                user_id = row["user_id"]
                db.execute("UPDATE clients SET token_issued=? WHERE client_id=?", (now, client_id))
            else:
                user_id = f"anon_{secrets.token_hex(8)}"
                db.execute("INSERT INTO users VALUES (?, 1, ?, 0, ?)", (user_id, credits, now))
                db.execute("INSERT INTO clients VALUES (?, ?, ?)", (client_id, user_id, now))
            db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (hash_token(token), user_id, expires))
        user = self.user(user_id)
        assert user is not None
        return token, user, expires

    def user_for_token(self, token: str) -> User | None:
        """The owner of a valid, unexpired token."""
        row = self._one(
            "SELECT user_id, expires_at FROM tokens WHERE token_hash=?", hash_token(token)
        )
        if row is None or float(row["expires_at"]) < time.time():
            return None
        return self.user(str(row["user_id"]))

    def issue_claim_token(self, session_id: str, user_id: str, ttl_s: float) -> str:
        """A new claim token for one session (stored hashed, like bearer tokens)."""
        token = f"clm_{secrets.token_urlsafe(24)}"
        now = time.time()
        with self.tx() as db:
            db.execute(
                "INSERT INTO claim_tokens VALUES (?, ?, ?, ?, ?)",
                (hash_token(token), session_id, user_id, now + ttl_s, now),
            )
            # Expired tokens are kept a day (to answer "expired", not "unknown"), then dropped.
            db.execute("DELETE FROM claim_tokens WHERE expires_at < ?", (now - 86400,))
        return token

    def claim(self, token: str) -> Claim | None:
        """The grant of a claim token, expired or not (None if unknown)."""
        row = self._one(
            "SELECT session_id, user_id, expires_at FROM claim_tokens WHERE token_hash=?",
            hash_token(token),
        )
        if row is None:
            return None
        return Claim(str(row["session_id"]), str(row["user_id"]), float(row["expires_at"]))

    def user(self, user_id: str) -> User | None:
        """A user by id."""
        row = self._one("SELECT * FROM users WHERE user_id=?", user_id)
        if row is None:
            return None
        return User(
            row["user_id"], bool(row["anonymous"]), float(row["available"]), float(row["frozen"])
        )

    # --- credits --------------------------------------------------------------
    def freeze(self, user_id: str, amount: float) -> bool:
        """Hold ``amount`` for a turn; False (nothing changed) when there is not enough."""
        with self.tx() as db:
            cur = db.execute(
                "UPDATE users SET available=available-?, frozen=frozen+? "
                "WHERE user_id=? AND available>=?",
                (amount, amount, user_id, amount),
            )
            return cur.rowcount == 1

    def settle(self, user_id: str, amount: float, *, spent: bool) -> None:
        """Release a hold: spent on success, returned to ``available`` on failure."""
        with self.tx() as db:
            refund = 0 if spent else amount
            db.execute(
                "UPDATE users SET frozen=MAX(0, frozen-?), available=available+? WHERE user_id=?",
                (amount, refund, user_id),
            )

    def begin_turn(self, user_id: str, session_id: str) -> bool:
        """Take the session's turn slot (a row holding nothing yet); False if a turn runs.

        The row is the slot for every process sharing this data folder, and it is
        taken before any credit moves: a second turn is told the session is busy,
        never that credits are short because the first turn holds them.
        """
        with self.tx() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO turn_holds (session_id, user_id, amount, created, owner) "
                "VALUES (?, ?, 0, ?, ?)",
                (session_id, user_id, time.time(), self.owner),
            )
            return cur.rowcount == 1

    def freeze_turn(self, session_id: str, amount: float) -> bool:
        """Hold ``amount`` more credits for the session's running turn (taken by
        :meth:`begin_turn`); False, nothing changed, when there is not enough."""
        with self.tx() as db:
            row = db.execute(
                "SELECT user_id FROM turn_holds WHERE session_id=?", (session_id,)
            ).fetchone()
            if row is None:
                raise RuntimeError(f"no turn is running in session {session_id}")
            cur = db.execute(
                "UPDATE users SET available=available-?, frozen=frozen+? "
                "WHERE user_id=? AND available>=?",
                (amount, amount, row["user_id"], amount),
            )
            if cur.rowcount != 1:
                return False
            db.execute(
                "UPDATE turn_holds SET amount=amount+? WHERE session_id=?", (amount, session_id)
            )
            return True

    def settle_turn(self, session_id: str, *, spent: bool) -> float:
        """Settle the session's turn hold (spent, or returned) and free its slot; the amount."""
        with self.tx() as db:
            row = db.execute(
                "SELECT user_id, amount FROM turn_holds WHERE session_id=?", (session_id,)
            ).fetchone()
            if row is None:
                return 0.0
            amount = float(row["amount"])
            db.execute("DELETE FROM turn_holds WHERE session_id=?", (session_id,))
            db.execute(
                "UPDATE users SET frozen=MAX(0, frozen-?), available=available+? WHERE user_id=?",
                (amount, 0 if spent else amount, row["user_id"]),
            )
            return amount

    def release_interrupted_holds(self, gone: Callable[[str | None], bool] | None = None) -> int:
        """On start: turns whose owner is ``gone`` are refunded (their stream died with it).

        ``gone(owner)`` decides (None: every hold, for a store no process serves).
        """
        rows = self._all("SELECT session_id, owner FROM turn_holds")
        dead = [r for r in rows if gone is None or gone(r["owner"])]
        for row in dead:
            self.settle_turn(str(row["session_id"]), spent=False)
        return len(dead)

    # --- sessions and drafts ----------------------------------------------------
    def create_session(self, user_id: str, language: str, task_name: str) -> tuple[str, str]:
        """A new session (long digit-string id, as the real service) and task id."""
        session_id = str(secrets.randbelow(9 * 10**18) + 10**18)
        task_id = f"task_{secrets.token_hex(8)}"
        with self.tx() as db:
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, task_id, user_id, language, task_name, time.time()),
            )
        return session_id, task_id

    def session(self, session_id: str, user_id: str) -> sqlite3.Row | None:
        """The session if it exists AND belongs to ``user_id`` (isolation)."""
        return self._one(
            "SELECT * FROM sessions WHERE session_id=? AND user_id=?", session_id, user_id
        )

    def latest_draft(self, session_id: str) -> dict[str, Any] | None:
        """The newest draft of the session (old file URLs with a port read as references)."""
        row = self._one(
            "SELECT draft FROM drafts WHERE session_id=? ORDER BY id DESC LIMIT 1", session_id
        )
        return _draft(row["draft"]) if row else None

    def push_draft(self, session_id: str, draft: dict[str, Any]) -> None:
        """Append a draft to the session's history."""
        with self.tx() as db:
            db.execute(
                "INSERT INTO drafts (session_id, draft, created) VALUES (?, ?, ?)",
                (session_id, json.dumps(draft), time.time()),
            )

    def replace_latest_draft(self, session_id: str, draft: dict[str, Any]) -> None:
        """Overwrite the newest draft (later steps of the same turn)."""
        with self.tx() as db:
            db.execute(
                "UPDATE drafts SET draft=? "
                "WHERE id=(SELECT MAX(id) FROM drafts WHERE session_id=?)",
                (json.dumps(draft), session_id),
            )

    def pop_draft(self, session_id: str, steps: int = 1) -> dict[str, Any] | None:
        """Undo: drop the newest draft and return the one before it (None if none).

        ``steps`` > 1 ("undo the last two changes") drops that many, keeping the oldest.
        """
        with self.tx() as db:
            sql = "SELECT id, draft FROM drafts WHERE session_id=? ORDER BY id DESC LIMIT ?"
            rows = db.execute(sql, (session_id, max(1, steps) + 1)).fetchall()
            if not rows:
                return None
            drop = min(max(1, steps), max(1, len(rows) - 1))
            for row in rows[:drop]:
                db.execute("DELETE FROM drafts WHERE id=?", (row["id"],))
        return _draft(rows[drop]["draft"]) if len(rows) > drop else None

    # --- files ----------------------------------------------------------------
    def blob_path(self, sha256: str) -> Path:
        """Where a file's content lives on disk."""
        return self.dir / "files" / sha256[:2] / sha256

    def add_file(self, record: StoredFile) -> None:
        """Record an uploaded file for a session, as its newest file.

        The same content sent again is one file, not two: its earlier record goes,
        so the session lists each content once (the agent compares photos by hash).
        """
        with self.tx() as db:
            db.execute(
                "DELETE FROM files WHERE session_id=? AND sha256=?",
                (record.session_id, record.sha256),
            )
            db.execute(
                "INSERT INTO files (session_id, user_id, sha256, name, file_type, size, width,"
                " height, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.session_id,
                    record.user_id,
                    record.sha256,
                    record.name,
                    record.file_type,
                    record.size,
                    record.width,
                    record.height,
                    time.time(),
                ),
            )

    def files(self, session_id: str) -> list[StoredFile]:
        """The session's files, oldest first."""
        rows = self._all("SELECT * FROM files WHERE session_id=? ORDER BY id", session_id)
        return [_file(r) for r in rows]

    def files_since_turn(self, session_id: str) -> tuple[list[StoredFile], int]:
        """The files uploaded since the last turn that took the session's new files.

        ``/run_sse`` carries only text, so this boundary says which photos belong to
        a message. Returns the files and the mark to pass to :meth:`take_turn_files`.
        """
        mark = self._one("SELECT file_id FROM turn_files WHERE session_id=?", session_id)
        since = int(mark["file_id"]) if mark else 0
        rows = self._all(
            "SELECT * FROM files WHERE session_id=? AND id>? ORDER BY id", session_id, since
        )
        return [_file(r) for r in rows], max((int(r["id"]) for r in rows), default=since)

    def take_turn_files(self, session_id: str, mark: int) -> None:
        """Files up to ``mark`` belong to a turn now: the next message starts after them."""
        with self.tx() as db:
            db.execute(
                "INSERT INTO turn_files VALUES (?, ?) ON CONFLICT(session_id) DO UPDATE "
                "SET file_id=MAX(file_id, excluded.file_id)",
                (session_id, mark),
            )

    def user_file(self, user_id: str, sha256: str) -> StoredFile | None:
        """A file the user uploaded (any of their sessions)."""
        row = self._one("SELECT * FROM files WHERE user_id=? AND sha256=? LIMIT 1", user_id, sha256)
        return _file(row) if row else None

    # --- jobs -----------------------------------------------------------------
    def create_job(self, job_id: str, user_id: str, session_id: str, draft: dict[str, Any]) -> Job:
        """A pending job (or the caller's existing job with that id: submit is idempotent)."""
        with self.tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO jobs (id, user_id, session_id, status, draft, created, "
                "owner) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                (job_id, user_id, session_id, json.dumps(draft), time.time(), self.owner),
            )
        job = self.job(job_id)
        assert job is not None
        return job

    def job(self, job_id: str) -> Job | None:
        """A job by id."""
        row = self._one("SELECT * FROM jobs WHERE id=?", job_id)
        return _job(row) if row else None

    def latest_job(self, session_id: str, status: str | None = None) -> Job | None:
        """The session's newest render job (with ``status`` if given)."""
        if status is None:
            row = self._one(
                "SELECT * FROM jobs WHERE session_id=? ORDER BY created DESC, rowid DESC LIMIT 1",
                session_id,
            )
        else:
            row = self._one(
                "SELECT * FROM jobs WHERE session_id=? AND status=? "
                "ORDER BY created DESC, rowid DESC LIMIT 1",
                session_id,
                status,
            )
        return _job(row) if row else None

    def add_credits(self, amount: float) -> int:
        """Offline top-up: ``amount`` more available credits for every user; how many users."""
        with self.tx() as db:
            return db.execute("UPDATE users SET available=available+?", (amount,)).rowcount

    def update_job(self, job_id: str, **fields: Any) -> None:
        """Set some fields of a job."""
        allowed = {"status", "progress", "output", "error", "completed"}
        keys = [k for k in fields if k in allowed]
        if not keys:
            return
        with self.tx() as db:
            db.execute(
                f"UPDATE jobs SET {', '.join(f'{k}=?' for k in keys)} WHERE id=?",  # noqa: S608
                (*[fields[k] for k in keys], job_id),
            )

    def sweep_partial_files(self) -> int:
        """On start: remove half-written renders and uploads left by a killed process."""
        removed = 0
        for pattern in ("renders/.*.part.mp4", "tmp/*"):
            for path in self.dir.glob(pattern):
                if path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def fail_interrupted_jobs(self, gone: Callable[[str | None], bool] | None = None) -> int:
        """On start: unfinished jobs whose owner is ``gone`` are marked failed.

        ``gone(owner)`` decides (None: every unfinished job, for a store no process serves).
        """
        rows = self._all("SELECT id, owner FROM jobs WHERE status IN ('pending', 'processing')")
        dead = [str(r["id"]) for r in rows if gone is None or gone(r["owner"])]
        with self.tx() as db:
            for job_id in dead:
                db.execute(
                    "UPDATE jobs SET status='failed', error='interrupted by a server restart', "
                    "completed=? WHERE id=? AND status IN ('pending', 'processing')",
                    (time.time(), job_id),
                )
        return len(dead)

    def count(self, table: str) -> int:
        """Rows in a table (for tests and diagnostics)."""
        if table not in _TABLES:
            raise ValueError(table)
        row = self._one(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608 - table checked above
        return int(row["n"]) if row else 0


_TABLES = (
    "clients", "users", "tokens", "sessions", "drafts", "files", "jobs", "turn_holds",
    "claim_tokens",
)  # fmt: skip


def _draft(text: str) -> dict[str, Any]:
    """A stored draft; one written before file references had ports in its URLs."""
    draft: dict[str, Any] = with_stable_refs(json.loads(text))
    return draft


def _file(row: sqlite3.Row) -> StoredFile:
    return StoredFile(
        row["session_id"],
        row["user_id"],
        row["sha256"],
        row["name"],
        row["file_type"],
        row["size"],
        row["width"],
        row["height"],
    )


def _job(row: sqlite3.Row) -> Job:
    return Job(
        row["id"],
        row["user_id"],
        row["session_id"],
        row["status"],
        float(row["progress"]),
        json.loads(row["draft"]),
        row["output"],
        row["error"],
        float(row["created"]),
        row["completed"],
    )
