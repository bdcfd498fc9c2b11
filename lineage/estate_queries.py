"""Questions asked of an estate (pure): what a location feeds, where an endpoint comes from.

:func:`impact` follows the estate's edges downstream from the datasets of an S3 location;
:func:`provenance` walks them upstream from an endpoint, a model or a model package, down to
the raw datasets (those nothing in the estate writes). Each node reached comes with one
shortest path of node ids that reaches it (ties broken by id, so answers are stable) and the
steps of the edge that reached it. Structural edges (a group ``contains`` its packages) are
not followed.

The estate is at pipeline granularity: a pipeline reading a dataset is taken to affect every
dataset it writes; the steps on each edge say which steps read and write.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lineage.datasets import dataset_matches
from lineage.errors import EstateNodeNotFound, InvalidParameter
from lineage.estate import STRUCTURAL_EDGES, Estate, EstateEdge, EstateNode
from lineage.models import JsonDict


@dataclass(frozen=True)
class Reached:
    """A node reached, one shortest path to it (its first id a start), the last edge's steps."""

    node: EstateNode
    path: tuple[str, ...]
    via: str | None  # the kind of the last edge; None for a start
    steps: tuple[str, ...] = ()

    def to_dict(self) -> JsonDict:
        # The node as the estate has it, but its risk: /estate and /findings say that.
        node = self.node.to_dict()
        node.pop("risk", None)
        return {**node, "path": list(self.path), "via": self.via, "steps": list(self.steps)}


@dataclass(frozen=True)
class QueryResult:
    """The starts, and everything reached from them (starts first, then by distance)."""

    starts: tuple[str, ...]
    reached: tuple[Reached, ...]

    def of_kind(self, kind: str) -> tuple[Reached, ...]:
        return tuple(item for item in self.reached if item.node.kind == kind)

    def to_dict(self) -> JsonDict:
        grouped: dict[str, list[str]] = {}  # kind -> the ids reached (each once, in reached)
        for item in self.reached:
            grouped.setdefault(item.node.kind, []).append(item.node.id)
        return {"starts": list(self.starts), "reached": [r.to_dict() for r in self.reached],
                "byKind": grouped}


@dataclass(frozen=True)
class ProvenanceResult(QueryResult):
    """Also the raw datasets upstream (nothing in the estate writes them), with settings."""

    raw_datasets: tuple[Reached, ...] = ()

    def to_dict(self) -> JsonDict:
        return {**super().to_dict(), "rawDatasets": [r.to_dict() for r in self.raw_datasets]}


def impact(estate: Estate, *, uri: str | None = None, bucket: str | None = None) -> QueryResult:
    """Everything downstream of an S3 location (``uri``: an object or a prefix) or a bucket.

    The starts are the datasets at, below or above the location. A location nothing in the
    estate touches has no impact: an empty result, not an error.
    """
    if (uri is None) == (bucket is None):
        raise InvalidParameter("uri", "give exactly one of uri and bucket")
    location = uri if uri is not None else f"s3://{bucket}"
    starts = [
        node.id for node in estate.nodes
        if node.kind == "dataset" and dataset_matches(node.label, location)
    ]
    forward: dict[str, list[EstateEdge]] = {}
    for edge in estate.edges:
        if edge.kind not in STRUCTURAL_EDGES:
            forward.setdefault(edge.source, []).append(edge)
    return _walk(estate, starts, forward, upstream=False)


def provenance(
    estate: Estate,
    *,
    endpoint: str | None = None,
    model: str | None = None,
    model_package: str | None = None,
    region: str | None = None,
    account: str | None = None,
) -> ProvenanceResult:
    """Everything upstream of an endpoint or model (name or ARN) or a model package (ARN),
    down to the raw datasets; ``region``/``account`` narrow a name found in several.

    Raises :class:`EstateNodeNotFound` when the estate has no such node.
    """
    given = [(k, v) for k, v in (("endpoint", endpoint), ("model", model),
                                 ("model-package", model_package)) if v is not None]
    if len(given) != 1:
        raise InvalidParameter("endpoint", "give exactly one of endpoint, model and modelPackage")
    kind, wanted = given[0]
    starts = [
        node.id for node in estate.nodes
        if node.kind == kind
        and (node.label == wanted or str(node.attributes.get("arn", "")).lower()
             == wanted.lower() or node.id == f"{kind}:{wanted.lower()}")
        and (region is None or node.region == region)
        and (account is None or node.account == account)
    ]
    if not starts:
        raise EstateNodeNotFound(f"no {kind.replace('-', ' ')} of that name in the estate")
    backward: dict[str, list[EstateEdge]] = {}
    written: set[str] = set()
    for edge in estate.edges:
        if edge.kind in STRUCTURAL_EDGES:
            continue
        backward.setdefault(edge.target, []).append(edge)
        if edge.kind == "writes":
            written.add(edge.target)
    result = _walk(estate, starts, backward, upstream=True)
    raw = tuple(
        item for item in result.reached
        if item.node.kind == "dataset" and item.node.id not in written
    )
    return ProvenanceResult(result.starts, result.reached, raw)


def _walk(
    estate: Estate,
    starts: Iterable[str],
    adjacent: Mapping[str, list[EstateEdge]],
    *,
    upstream: bool,
) -> QueryResult:
    """Breadth first from the starts (sorted), neighbours by id: shortest, stable paths."""
    ordered = sorted(set(starts))
    reached: dict[str, Reached] = {}
    queue: deque[str] = deque()
    for start in ordered:
        node = estate.node(start)
        if node is not None:
            reached[start] = Reached(node, (start,), None)
            queue.append(start)
    while queue:
        current = queue.popleft()
        path = reached[current].path
        edges = sorted(adjacent.get(current, []),
                       key=lambda e: (e.source if upstream else e.target, e.kind))
        for edge in edges:
            other = edge.source if upstream else edge.target
            node = estate.node(other)
            if other in reached or node is None:
                continue
            reached[other] = Reached(node, (*path, other), edge.kind, edge.steps)
            queue.append(other)
    return QueryResult(tuple(ordered), tuple(reached.values()))
