"""Builds that outlive the request that started them (the first build of a large estate).

A request that finds nothing cached starts the build on a thread of its own
(:meth:`BackgroundBuilds.start`) and waits a little for its :class:`Future`; when the build
takes longer, the request answers with what the build has stored so far, and the next
requests, in this process or another, find its progress in the cache until its answer lands
there. One build per key per process: a request that finds one running joins it. A build's
failure is raised to the requests waiting on it; the next request starts a new build.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

logger = logging.getLogger(__name__)


# Builds at once per process: each client's builds are bounded by its AWS-read limit, but
# a build outlives its request, so the in-flight limit per client does not bound them.
MAX_BUILDS = 4


class BackgroundBuilds:
    def __init__(self, max_builds: int = MAX_BUILDS) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Future[Any]] = {}
        self.max_builds = max_builds

    def running(self, key: str) -> Future[Any] | None:
        """The build of ``key`` under way in this process, if any."""
        with self._lock:
            return self._running.get(key)

    def has_room(self) -> bool:
        """Whether fewer than :attr:`max_builds` run (else a caller builds in the foreground)."""
        with self._lock:
            return len(self._running) < self.max_builds

    def start(self, key: str, build: Callable[[], Any]) -> Future[Any]:
        """Run ``build`` on a thread of its own, unless one for ``key`` runs: its future.
        :attr:`max_builds` is the callers' to respect (:meth:`has_room`), not enforced."""
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running
            future: Future[Any] = Future()
            self._running[key] = future
        threading.Thread(target=self._run, args=(key, build, future), daemon=True,
                         name=f"build {key[:40]}").start()
        return future

    def _run(self, key: str, build: Callable[[], Any], future: Future[Any]) -> None:
        try:
            result = build()
        except BaseException as exc:  # for the requests that wait; never kills a worker
            logger.warning("background build of %s failed: %s", key, type(exc).__name__)
            with self._lock:
                self._running.pop(key, None)
            future.set_exception(exc)
        else:
            with self._lock:
                self._running.pop(key, None)
            future.set_result(result)
