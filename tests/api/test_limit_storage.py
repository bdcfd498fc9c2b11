"""The SQLite rate-limit storage: one count for every process that opens the file."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from dashboard.server.limit_storage import SqliteStorage

LIMIT = 25


def _hit_many(uri: str, attempts: int, allowed: multiprocessing.Queue[int]) -> None:
    limiter = MovingWindowRateLimiter(storage_from_string(uri))
    item = RateLimitItemPerMinute(LIMIT)
    allowed.put(sum(bool(limiter.hit(item, "client")) for _ in range(attempts)))


def test_processes_share_one_moving_window(tmp_path: Path) -> None:
    uri = f"sqlite://{tmp_path / 'limits.sqlite'}"
    assert isinstance(storage_from_string(uri), SqliteStorage)  # found by its scheme
    context = multiprocessing.get_context("spawn")  # nothing shared but the file
    allowed: multiprocessing.Queue[int] = context.Queue()
    workers = [context.Process(target=_hit_many, args=(uri, 20, allowed)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sum(allowed.get(timeout=5) for _ in workers) == LIMIT  # 60 tries, 25 allowed


def test_the_window_moves(tmp_path: Path) -> None:
    limiter = MovingWindowRateLimiter(SqliteStorage(f"sqlite://{tmp_path / 'w.sqlite'}"))
    item = RateLimitItemPerSecond(2, 1)
    assert [limiter.hit(item, "a") for _ in range(3)] == [True, True, False]
    assert limiter.hit(item, "b")  # keys count apart
    stats = limiter.get_window_stats(item, "a")
    assert stats.remaining == 0 and time.time() < stats.reset_time <= time.time() + 1
    time.sleep(1.05)
    assert limiter.hit(item, "a")


def test_counters_and_clearing(tmp_path: Path) -> None:
    storage = SqliteStorage(f"sqlite://{tmp_path / 'c.sqlite'}")
    assert storage.check()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") > time.time()
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.incr("short", 0) == 1 and storage.get("short") == 0  # expired at once


def test_workers_that_start_together_wait_for_the_journal_mode(tmp_path: Path) -> None:
    # Two gunicorn workers booting at once raced to switch the new file to WAL; the loser
    # got "database is locked" at once and the worker failed to boot. Many such starts.
    import threading

    failed: list[BaseException] = []

    def start(path: Path, together: threading.Barrier) -> None:
        together.wait()
        try:
            SqliteStorage(f"sqlite://{path}")
        except BaseException as exc:
            failed.append(exc)

    for round_ in range(30):
        path = tmp_path / f"limits-{round_}.sqlite"
        together = threading.Barrier(4)
        starts = [threading.Thread(target=start, args=(path, together)) for _ in range(4)]
        for thread in starts:
            thread.start()
        for thread in starts:
            thread.join(20)
    assert failed == []
