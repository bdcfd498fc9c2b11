"""lineage.calls.Calls: answers handled on the waiting thread, a deadline, the rest cancelled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from lineage.calls import Calls
from lineage.errors import DeadlineExceeded


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def test_handlers_run_on_the_waiting_thread_and_may_submit_more(pool: ThreadPoolExecutor) -> None:
    calls = Calls(10)
    seen: list[tuple[str, int, bool]] = []
    me = threading.get_ident()

    def second(future: Future[int]) -> None:
        seen.append(("second", future.result(), threading.get_ident() == me))

    def first(future: Future[int]) -> None:
        seen.append(("first", future.result(), threading.get_ident() == me))
        calls.submit(pool, lambda: 2, then=second)

    calls.submit(pool, lambda: 1, then=first)
    assert calls.drain() == 0
    assert seen == [("first", 1, True), ("second", 2, True)]
    assert calls.pending == 0


def test_posted_messages_are_handled_in_order_while_waiting_for_a_result(
    pool: ThreadPoolExecutor,
) -> None:
    calls = Calls(10)
    handled: list[int] = []
    release = threading.Event()

    def producer() -> str:
        for page in range(3):
            calls.post(lambda page=page: handled.append(page))  # type: ignore[misc]
        release.wait(5)
        return "done"

    future = calls.submit(pool, producer)
    waiter = threading.Timer(0.05, release.set)
    waiter.start()
    assert calls.result(future) == "done"
    assert handled == [0, 1, 2]


def test_the_deadline_gives_up_the_rest_and_ignores_late_answers(
    pool: ThreadPoolExecutor,
) -> None:
    calls = Calls(0.2)
    gate = threading.Event()
    handled: list[str] = []
    calls.submit(pool, lambda: "quick", then=lambda f: handled.append(f.result()))
    calls.submit(pool, lambda: gate.wait(5), then=lambda f: handled.append("late"))
    assert calls.drain() == 1
    gate.set()
    assert calls.drain() == 0  # the late answer lands but nothing waits for it any more
    assert handled == ["quick"]


def test_a_result_past_the_deadline_raises_and_is_cancelled(pool: ThreadPoolExecutor) -> None:
    calls = Calls(0.1)
    gate = threading.Event()
    blocker = pool.submit(gate.wait, 5)  # occupies no slot of ours: just a slow answer
    waiting = calls.submit(pool, gate.wait, 5)
    with pytest.raises(DeadlineExceeded):
        calls.result(waiting)
    gate.set()
    assert blocker.result() is True


def test_errors_reach_the_handler_not_the_waiter(pool: ThreadPoolExecutor) -> None:
    calls = Calls(10)
    errors: list[str] = []

    def fail() -> None:
        raise ValueError("no")

    def handle(future: Future[None]) -> None:
        try:
            future.result()
        except ValueError as exc:
            errors.append(str(exc))

    calls.submit(pool, fail, then=handle)
    assert calls.drain() == 0
    assert errors == ["no"]
