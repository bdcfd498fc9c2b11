"""Concurrent AWS calls of one request: submit, handle each answer as it lands, until a deadline.

The calls run on bounded pools; their answers are handled one at a time on the thread that
waits (the request's own), so the state a request builds needs no locks, and an answer that
reveals more work can submit it at once instead of waiting for a round to end. Past the
deadline, whatever has not answered is cancelled and given up: the request answers with what
it has.

Both the lineage service and the catalog run on this; so will anything that needs many AWS
calls for one answer.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from lineage.errors import DeadlineExceeded

T = TypeVar("T")

# What landed (None for a message, see Calls.post) and what to do with it on the waiting thread.
_Event = tuple[Future[Any] | None, Callable[[Any], None]]


class Calls:
    """The calls in flight for one request, and its deadline."""

    def __init__(self, deadline_sec: float, *, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self.deadline = clock() + deadline_sec
        self._events: queue.Queue[_Event] = queue.Queue()
        # Futures whose handler has not run yet; a late answer of one given up is ignored.
        self._pending: set[Future[Any]] = set()

    @property
    def remaining(self) -> float:
        return max(0.0, self.deadline - self._clock())

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(
        self,
        pool: Executor,
        fn: Callable[..., T],
        *args: Any,
        then: Callable[[Future[T]], None] | None = None,
    ) -> Future[T]:
        """Run ``fn(*args)`` on ``pool``; ``then(future)`` runs on the waiting thread once done.

        Without ``then`` the caller takes the answer itself with :meth:`result`.
        """
        future = pool.submit(fn, *args)
        if then is not None:
            self._pending.add(future)
            handler: Callable[[Any], None] = then

            def landed(answer: Future[Any]) -> None:
                self._events.put((answer, handler))

            future.add_done_callback(landed)
        return future

    def post(self, handler: Callable[[], None]) -> None:
        """Have ``handler()`` run on the waiting thread; callable from any thread.

        For answers that arrive in parts (pages of a listing): each part is handled as soon as
        it is queued, in the order it was posted.
        """
        self._events.put((None, lambda _answer: handler()))

    def result(self, future: Future[T]) -> T:
        """The answer of ``future`` (its exception raised), handling what lands meanwhile.

        Raises :class:`DeadlineExceeded` (and cancels ``future``) once the deadline passes.
        """
        if not future.done():
            future.add_done_callback(self._wake)
            while not future.done():
                if self.remaining <= 0:
                    future.cancel()
                    raise DeadlineExceeded()
                self._handle_next(self.remaining)
        return future.result()

    def drain(self) -> int:
        """Handle answers until none is pending or the deadline passes.

        Returns how many calls were given up at the deadline (cancelled if not started).
        """
        while self._pending:
            if self.remaining <= 0 or not self._handle_next(self.remaining):
                break
        abandoned = len(self._pending)
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        return abandoned

    def _handle_next(self, timeout: float) -> bool:
        """Handle one event; ``False`` if none came within ``timeout`` seconds."""
        try:
            future, handler = self._events.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return False
        if future is None:
            handler(None)
        elif future in self._pending:  # not one that the deadline already gave up on
            self._pending.discard(future)
            handler(future)
        return True

    def _wake(self, _future: Future[Any]) -> None:
        self._events.put((None, _ignore))


def _ignore(_answer: Any) -> None:
    return None
