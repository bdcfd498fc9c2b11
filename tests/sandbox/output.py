"""A process's output, read line by line on a thread, so a test waits for a line with a
deadline instead of blocking on a pipe forever."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import IO


class Lines:
    def __init__(self, stream: IO[str]) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                self._lines.put(line.rstrip("\n"))
        except ValueError:  # the stream was closed under us
            pass
        self._lines.put(None)

    def next(self, timeout: float = 60) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line within {timeout:g}s after {self.seen}") from None
        if line is None:
            self._lines.put(None)
            raise AssertionError(f"the output ended after {self.seen}")
        self.seen.append(line)
        return line

    def until(self, last: Callable[[str], bool], timeout: float = 60) -> list[str]:
        """The lines up to and including the first for which ``last`` is true."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            line = self.next(max(0.0, deadline - time.monotonic()))
            out.append(line)
            if last(line):
                return out
