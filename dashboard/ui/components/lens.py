"""What part of a drawn graph the user looks at: focus, path and filters. Pure: no Dash, no I/O.

Each marks Cytoscape elements with classes and never moves a node, so the camera and the
layout stay as they are:

- **focus** on the selected node: its upstream and downstream to a depth (1, 2 or all);
  in the data view an artifact between two steps is not a step of depth (a step's inputs and
  outputs come with it);
- **path** between the selected node and another: every path between them (in a DAG their
  union is ``descendants(A) & ancestors(B)`` plus both ends), and how many there are;
- **filters**: steps of the chosen statuses and types (a collapsed group when one of its
  members matches); an artifact stays when a kept step reads or writes it.

What is outside is ``dimmed`` (or ``hidden``, the page's "hide the rest" toggle); the path's
nodes are ``on-path``, its edges ``path-edge``, its ends ``path-end``, the focused node
``focus-root``. A node inside a collapsed group is looked at through its group.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FOCUS_OFF, FOCUS_ALL = "off", "all"
FOCUS_CHOICES = ((FOCUS_OFF, "Off"), ("1", "1"), ("2", "2"), (FOCUS_ALL, "All"))
FOCUS_DEPTHS = frozenset(value for value, _ in FOCUS_CHOICES)
DIMMED, HIDDEN = "dimmed", "hidden"
ON_PATH, PATH_EDGE, PATH_END, FOCUS_ROOT = "on-path", "path-edge", "path-end", "focus-root"
LENS_CLASSES = (DIMMED, HIDDEN, ON_PATH, PATH_EDGE, PATH_END, FOCUS_ROOT)


@dataclass(frozen=True)
class Lens:
    """What the URL asks to look at (``View``'s fields)."""

    node: str | None = None  # the selected element id
    focus: str = FOCUS_OFF  # FOCUS_CHOICES
    path: str | None = None  # the path's other end (an element id)
    statuses: tuple[str, ...] = ()  # steps of these statuses (none: every status)
    types: tuple[str, ...] = ()  # steps of these types (none: every type)
    hide: bool = False  # hide the rest instead of dimming it

    def active(self) -> bool:
        return bool((self.node and (self.focus != FOCUS_OFF or self.path))
                    or self.statuses or self.types)


@dataclass(frozen=True)
class Looked:
    """The marked elements, and what the path found."""

    elements: list[dict[str, Any]]
    path_count: int | None = None  # None: no path asked (or an end not drawn)
    path_nodes: tuple[str, ...] = ()
    path_from: str | None = None  # the path's direction, as found
    path_to: str | None = None
    missing: tuple[str, ...] = ()  # ends the graph does not draw


class Adjacency:
    """Successors and predecessors of a drawn graph's nodes."""

    def __init__(self, edges: Iterable[tuple[str, str]]) -> None:
        self.succ: dict[str, list[str]] = {}
        self.pred: dict[str, list[str]] = {}
        for source, target in edges:
            if source != target:
                self.succ.setdefault(source, []).append(target)
                self.pred.setdefault(target, []).append(source)

    def reach(self, start: str, *, down: bool, depth: int | None = None,
              free: Collection[str] = ()) -> set[str]:
        """Nodes reached from ``start`` following edges (``down``) or against them, within
        ``depth`` hops (``None``: any); stepping onto a node of ``free`` costs no hop."""
        near = self.succ if down else self.pred
        best = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt in near.get(node, ()):
                cost = best[node] + (0 if nxt in free else 1)
                if (depth is not None and cost > depth) or best.get(nxt, cost + 1) <= cost:
                    continue
                best[nxt] = cost
                (queue.appendleft if nxt in free else queue.append)(nxt)
        return set(best)


def neighbourhood(edges: Iterable[tuple[str, str]], root: str, depth: int | None,
                  free: Collection[str] = ()) -> set[str]:
    """``root``, its upstream and its downstream within ``depth`` hops (``None``: all)."""
    adjacency = Adjacency(edges)
    return (adjacency.reach(root, down=True, depth=depth, free=free)
            | adjacency.reach(root, down=False, depth=depth, free=free))


def paths_between(edges: Sequence[tuple[str, str]], start: str, end: str
                  ) -> tuple[set[str], int]:
    """The nodes on every path from ``start`` to ``end`` and how many paths there are
    (``set(), 0`` when there is none). A cycle, which a pipeline cannot have, is not
    followed twice: its paths are not counted."""
    adjacency = Adjacency(edges)
    on = adjacency.reach(start, down=True) & adjacency.reach(end, down=False)
    if start not in on or end not in on:
        return set(), 0
    # Paths to ``end`` counted backwards along a topological order of ``on``.
    indegree = {node: 0 for node in on}
    for node in on:
        for nxt in adjacency.succ.get(node, ()):
            if nxt in on:
                indegree[nxt] += 1
    ready = deque(node for node in on if indegree[node] == 0)
    order: list[str] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for nxt in adjacency.succ.get(node, ()):
            if nxt in on:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(nxt)
    ways = {node: 0 for node in on}
    ways[end] = 1
    for node in reversed(order):
        if node != end:
            ways[node] = sum(ways[nxt] for nxt in adjacency.succ.get(node, ()) if nxt in on)
    return on, ways[start]


def path_either_way(edges: Sequence[tuple[str, str]], a: str, b: str
                    ) -> tuple[set[str], int, str, str]:
    """Paths from ``a`` to ``b``, else from ``b`` to ``a``: (nodes, count, from, to)."""
    nodes, count = paths_between(edges, a, b)
    if count:
        return nodes, count, a, b
    nodes, count = paths_between(edges, b, a)
    return nodes, count, (b if count else a), (a if count else b)


def matches_filters(data: Mapping[str, Any], statuses: Collection[str],
                    types: Collection[str]) -> bool:
    """Whether a step (or a collapsed group: any of its members) passes the filters."""
    if data.get("kind") == "group":
        counts = data.get("statusCounts") or {}
        status_ok = not statuses or any(status in counts for status in statuses)
    else:
        status_ok = not statuses or data.get("status") in statuses
    return status_ok and (not types or data.get("type") in types)


def look(elements: Sequence[dict[str, Any]], lens: Lens) -> Looked:
    """``elements`` marked for ``lens`` (copies of the elements it marks; the rest are the
    same objects)."""
    if not lens.active():
        return Looked(list(elements))
    nodes = [e for e in elements if "source" not in e["data"]]
    edges = [e for e in elements if "source" in e["data"]]
    ids = {e["data"]["id"] for e in nodes}
    parents = {e["data"]["id"] for e in nodes if e["data"].get("kind") == "group"
               and not e["data"].get("collapsed")}
    through = {member: e["data"]["id"] for e in nodes if e["data"].get("collapsed")
               for member in e["data"].get("members") or ()}
    artifacts = {e["data"]["id"] for e in nodes if e["data"].get("kind") == "artifact"}
    pairs = [(str(e["data"]["source"]), str(e["data"]["target"])) for e in edges]

    def drawn(node: str | None) -> str | None:
        if node is None:
            return None
        node = through.get(node, node)
        return node if node in ids and node not in parents else None

    kept: set[str] = {e["data"]["id"] for e in nodes} - parents
    root, other = drawn(lens.node), drawn(lens.path)
    missing = tuple(n for n in (lens.node, lens.path) if n and (lens.focus != FOCUS_OFF
                    or lens.path) and drawn(n) is None)
    looked = Looked([])
    on_path: set[str] = set()
    if root is not None and lens.focus != FOCUS_OFF:
        depth = None if lens.focus == FOCUS_ALL else int(lens.focus)
        kept &= neighbourhood(pairs, root, depth, free=artifacts)
    if lens.path and root is not None and other is not None:
        on_path, count, start, end = path_either_way(pairs, root, other)
        looked = Looked([], count, tuple(sorted(on_path)), start, end)
        kept &= on_path or {root, other}
    if lens.statuses or lens.types:
        steps = {e["data"]["id"] for e in nodes
                 if e["data"]["id"] not in artifacts and e["data"]["id"] not in parents
                 and matches_filters(e["data"], lens.statuses, lens.types)}
        touched = {s for s, t in pairs if t in steps} | {t for s, t in pairs if s in steps}
        kept &= steps | (touched & artifacts)
    outside = HIDDEN if lens.hide else DIMMED
    marked: list[dict[str, Any]] = []
    for element in elements:
        data = element["data"]
        extra: list[str] = []
        if "source" in data:
            ends = (data["source"], data["target"])
            if not (ends[0] in kept and ends[1] in kept):
                extra.append(outside)
            elif on_path and ends[0] in on_path and ends[1] in on_path:
                extra.append(PATH_EDGE)
        elif data["id"] in parents:
            members = [n for n in nodes if n["data"].get("parent") == data["id"]]
            if not any(m["data"]["id"] in kept for m in members):
                extra.append(outside)
        else:
            node_id = data["id"]
            if node_id not in kept:
                extra.append(outside)
            if node_id in on_path:
                extra.append(ON_PATH)
            if on_path and node_id in (root, other):
                extra.append(PATH_END)
            if node_id == root and lens.focus != FOCUS_OFF:
                extra.append(FOCUS_ROOT)
        marked.append({**element, "classes": f"{element.get('classes', '')} "
                                             f"{' '.join(extra)}".strip()}
                      if extra else element)
    return Looked(marked, looked.path_count, looked.path_nodes, looked.path_from,
                  looked.path_to, missing)


def collapsed_holder(elements: Sequence[Mapping[str, Any]], node: str | None
                     ) -> Mapping[str, Any] | None:
    """The data of the collapsed group that holds ``node`` (not drawn itself), if any."""
    if not node or not node.startswith(("step:",)):
        return None
    for element in elements:
        data = element["data"]
        if data.get("collapsed") and node in (data.get("members") or ()):
            holder: Mapping[str, Any] = data
            return holder
    return None
