"""Builds that outlive the request that started them (the first build of a large estate).

A request that finds nothing cached starts the build on a thread of its own
(:meth:`BackgroundBuilds.start`) and answers early with what the build has stored so far; the
next requests, in this process or another, find the build's progress in the cache until its
answer lands there. One thread per key per process: a request that finds one running joins
it. What the thread raised is kept for the next request of that key to raise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class BackgroundBuilds:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._errors: dict[str, BaseException] = {}

    def start(self, key: str, build: Callable[[], object]) -> bool:
        """Run ``build`` on a thread unless one for ``key`` runs already; whether it started."""
        with self._lock:
            running = self._threads.get(key)
            if running is not None and running.is_alive():
                return False
            self._errors.pop(key, None)
            thread = threading.Thread(target=self._run, args=(key, build), daemon=True,
                                      name=f"build {key[:40]}")
            self._threads[key] = thread
        thread.start()
        return True

    def running(self, key: str) -> bool:
        with self._lock:
            thread = self._threads.get(key)
            return thread is not None and thread.is_alive()

    def failure(self, key: str) -> BaseException | None:
        """What the last build of ``key`` raised, once (``None`` if it did not, or runs)."""
        with self._lock:
            return self._errors.pop(key, None)

    def _run(self, key: str, build: Callable[[], object]) -> None:
        try:
            build()
        except BaseException as exc:  # kept for the request that waits; never kills a worker
            logger.warning("background build of %s failed: %s", key, type(exc).__name__)
            with self._lock:
                self._errors[key] = exc
        finally:
            with self._lock:
                if self._threads.get(key) is threading.current_thread():
                    del self._threads[key]
