"""Renders of big documents, kept in this process: drawing one again costs a lookup.

A 10,000-step document takes about half a second of CPU to draw (parse its JSON, build the
elements and their positions, the search box's options), holding the GIL all along: sixteen
concurrent renders of one held ``/healthz`` up to 13.6 s. ``load_view`` keeps what it drew of
a document at least ``MIN_NODES`` nodes large, keyed by everything the drawing depends on (the
document's JSON text by its digest, the request, the data view, the layout choice), so the
same document drawn again (an interval tick, a second user, the other worker thread) is not
drawn again. Concurrent renders of one key draw it once; the others wait for it.

Bounded twice: at most ``MAX_ENTRIES`` renders and ``MAX_ELEMENTS`` Cytoscape elements in all
(a 10,000-step graph is about 20,000 elements and 25 MB; its data view 50,000 and 46 MB); the
least recently used goes first. A render larger than the whole budget is drawn, not kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

MIN_NODES = 200  # below this a render is cheaper than keeping it
MAX_ENTRIES = 8
MAX_ELEMENTS = 100_000
WAIT_SEC = 30.0  # a render another thread is drawing; past this, draw it here too

Drawn = TypeVar("Drawn")


def body_digest(body: str) -> str:
    """The key of a document's JSON text (about 3 ms for 4 MB)."""
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class RenderCache(Generic[Drawn]):
    """A bounded LRU of renders, ``size(render)`` elements each; single flight per key."""

    size: Callable[[Drawn], int]
    keep: Callable[[Drawn], bool]  # whether a render is worth keeping at all
    max_entries: int = MAX_ENTRIES
    max_elements: int = MAX_ELEMENTS
    _entries: OrderedDict[Hashable, Drawn] = field(default_factory=OrderedDict)
    _drawing: dict[Hashable, threading.Event] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable, draw: Callable[[], Drawn]) -> Drawn:
        while True:
            with self._lock:
                found = self._entries.get(key)
                if found is not None:
                    self._entries.move_to_end(key)
                    return found
                drawing = self._drawing.get(key)
                if drawing is None:
                    drawing = self._drawing[key] = threading.Event()
                    break
            # Another thread draws this one: wait, then look again (it may not be kept).
            if not drawing.wait(WAIT_SEC):
                return draw()
        try:
            drawn = draw()
            self._store(key, drawn)
            return drawn
        finally:
            with self._lock:
                del self._drawing[key]
            drawing.set()

    def _store(self, key: Hashable, drawn: Drawn) -> None:
        if not self.keep(drawn) or self.size(drawn) > self.max_elements:
            return
        with self._lock:
            self._entries[key] = drawn
            while (len(self._entries) > self.max_entries
                   or sum(map(self.size, self._entries.values())) > self.max_elements):
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
