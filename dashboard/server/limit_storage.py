"""Rate-limit counters in one SQLite file, shared by every worker process of one server.

flask-limiter's ``memory://`` counts per process, so with N gunicorn workers a client gets
N times its limit; Redis shares counters across servers but is not always there. This is the
middle: ``sqlite:////path/limits.sqlite`` (the ``limits`` library finds the class by its
scheme), a file in the server's shared directory (``LINEAGE_SHARED_DIR``).

Only what flask-limiter's moving window and our own limits use is implemented: moving-window
entries (``acquire_entry``, ``get_moving_window``) and plain counters. Each process opens its
own connections (one per thread, made again after a fork); WAL mode and ``BEGIN IMMEDIATE``
make every check-and-add one atomic step across processes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

from limits.storage import MovingWindowSupport, Storage

# Old moving-window entries of keys nobody asks about any more are swept now and then.
SWEEP_EVERY = 500
BUSY_TIMEOUT_SEC = 5.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries "
    "(key TEXT NOT NULL, at REAL NOT NULL, expiry REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entries_key_at ON entries (key, at)",
    "CREATE TABLE IF NOT EXISTS counters "
    "(key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)",
)


class SqliteStorage(Storage, MovingWindowSupport):
    """``sqlite:////absolute/path/file.sqlite``: counters shared through one file."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        self.path = uri.removeprefix("sqlite://")
        if not self.path.startswith("/"):
            raise ValueError(f"a sqlite:// rate-limit storage needs an absolute path, not {uri!r}")
        self._local = threading.local()
        self._hits = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        with self._transaction() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    # -- moving window ----------------------------------------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._transaction() as db:
            db.execute("DELETE FROM entries WHERE key = ? AND at <= ?", (key, now - expiry))
            (count,) = db.execute("SELECT COUNT(*) FROM entries WHERE key = ?", (key,)).fetchone()
            if count + amount > limit:
                return False
            db.executemany(
                "INSERT INTO entries (key, at, expiry) VALUES (?, ?, ?)",
                [(key, now, expiry)] * amount,
            )
            self._hits += 1
            if self._hits % SWEEP_EVERY == 0:
                db.execute("DELETE FROM entries WHERE at + expiry <= ?", (now,))
                db.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        with self._transaction() as db:
            oldest, count = db.execute(
                "SELECT MIN(at), COUNT(*) FROM entries WHERE key = ? AND at > ?",
                (key, now - expiry),
            ).fetchone()
        return (float(oldest) if oldest is not None else now), int(count)

    # -- counters -----------------------------------------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._transaction() as db:
            db.execute("DELETE FROM counters WHERE key = ? AND expires <= ?", (key, now))
            db.execute(
                "INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            (value,) = db.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()
        return int(value)

    def get(self, key: str) -> int:
        with self._transaction() as db:
            row = db.execute(
                "SELECT value FROM counters WHERE key = ? AND expires > ?", (key, time.time())
            ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        with self._transaction() as db:
            row = db.execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            with self._transaction() as db:
                db.execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._transaction() as db:
            removed = db.execute("DELETE FROM entries").rowcount
            removed += db.execute("DELETE FROM counters").rowcount
        return int(removed)

    def clear(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM entries WHERE key = ?", (key,))
            db.execute("DELETE FROM counters WHERE key = ?", (key,))

    # -- connections ----------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and process: sqlite3 connections must not cross a fork.
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SEC, isolation_level=None,
                check_same_thread=False,
            )
            _use_wal(connection)
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            self._local.pid = os.getpid()
        return connection

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection())


def _use_wal(connection: sqlite3.Connection) -> None:
    """WAL mode, which the file keeps once set. Workers that start together race to set it:
    the losers get "database is locked" at once (SQLite does not wait for a lock two
    connections both want), so they wait here and ask again."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SEC
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error): one writer at a time."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind: object, _value: object, _trace: object) -> None:
        self.connection.execute("ROLLBACK" if kind is not None else "COMMIT")
