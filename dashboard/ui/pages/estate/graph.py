"""The estate page's graph: Cytoscape elements of an estate document, what a search means,
and the highlight of its answer (pure, no Dash, no AWS).

Element ids are the estate's own node ids (they start with their kind: ``pipeline:...``,
``dataset:s3://...``, ``endpoint:arn:...``); an edge's id is ``edge:<kind>:<from>-><to>``.
Every look is a class (``estate-node kind-endpoint status-failed risk-high``, ``on-path``,
``query-start``, ``dimmed``); the stylesheet (``components.stylesheet.estate_stylesheet``)
decides what each looks like.

What a search means (``plan_search``), first match wins:

1. ``s3://...``: the impact of that location (everything downstream of it);
2. the name (label), ARN or id of a node of the scope: an endpoint, a model or a model package
   gives its provenance (everything upstream, down to the raw datasets); a dataset's location
   its impact; a pipeline (or a group, an endpoint config) selects it and highlights its
   neighbourhood: the datasets it reads and writes, what it registers and deploys;
3. a bucket of the scope's datasets: the impact of the bucket;
4. the same names ignoring case; else nothing (said in words).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.ui.components.elements import (
    EDGE_PREFIX,
    INSECURE,
    LARGE_GRAPH_NODES,
    NOT_READ,
    artifact_issues,
    artifact_security,
    layered_positions,
    slug,
    status_class,
    via_class,
)
from dashboard.ui.components.risk import (
    FindingsOf,
    own_findings_index,
    risk_classes,
    risk_level,
    risk_of,
)
from dashboard.ui.components.visible import visible_text
from lineage.models import NOT_STARTED, UNKNOWN

KINDS = ("pipeline", "dataset", "model-package-group", "model-package", "model",
         "endpoint-config", "endpoint")
# The kinds whose search asks for provenance, and the parameter that names them.
PROVENANCE_PARAMETERS = {"endpoint": "endpoint", "model": "model",
                         "model-package": "modelPackage"}
# Which kind a name means when several nodes carry it.
SEARCH_ORDER = ("endpoint", "model-package", "model", "pipeline", "dataset",
                "model-package-group", "endpoint-config")
# An endpoint's status (DescribeEndpoint) as the pipeline page's status looks.
ENDPOINT_STATUS = {
    "InService": "Succeeded",
    "Creating": "Starting",
    "Updating": "Executing",
    "SystemUpdating": "Executing",
    "RollingBack": "Stopping",
    "Deleting": "Stopping",
    "OutOfService": "Stopped",
    "Failed": "Failed",
    "UpdateRollbackFailed": "Failed",
}
APPROVALS = ("Approved", "Rejected", "PendingManualApproval")

IMPACT = "impact"
PROVENANCE = "provenance"
SELECT = "select"
NOTHING = "nothing"
EMPTY = "empty"


# -- reading the document ----------------------------------------------------------------------


def nodes_of(document: Any) -> list[Mapping[str, Any]]:
    found = document.get("nodes") if isinstance(document, Mapping) else None
    return [n for n in found or [] if isinstance(n, Mapping) and isinstance(n.get("id"), str)]


def edges_of(document: Any) -> list[Mapping[str, Any]]:
    found = document.get("edges") if isinstance(document, Mapping) else None
    return [e for e in found or [] if isinstance(e, Mapping)
            and isinstance(e.get("from"), str) and isinstance(e.get("to"), str)]


def attributes(node: Mapping[str, Any]) -> Mapping[str, Any]:
    found = node.get("attributes")
    return found if isinstance(found, Mapping) else {}


def node_status(node: Mapping[str, Any]) -> str | None:
    """The pipeline page's status of a node: a pipeline's latest execution, an endpoint's
    status mapped onto those; ``None`` for kinds without one."""
    kind = node.get("kind")
    attrs = attributes(node)
    if kind == "pipeline":
        latest = attrs.get("latestExecution")
        if not isinstance(latest, Mapping):
            return NOT_STARTED
        return str(latest.get("status") or UNKNOWN)
    if kind == "endpoint":
        return ENDPOINT_STATUS.get(str(attrs.get("status")), UNKNOWN)
    return None


def approval_class(status: Any) -> str:
    return f"approval-{slug(str(status))}" if status in APPROVALS else "approval-unknown"


def edge_id(kind: str, source: str, target: str) -> str:
    return f"{EDGE_PREFIX}{kind}:{source}->{target}"


# -- what a search means -----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """``kind``: IMPACT, PROVENANCE, SELECT, NOTHING or EMPTY; ``params``: the request's own
    parameters (``uri`` or ``bucket``; ``endpoint``, ``model`` or ``modelPackage``); ``node``:
    the node the search names, selected."""

    kind: str
    query: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    node: str | None = None


def plan_search(query: Any, document: Any) -> Plan:
    """What ``query`` asks of the scope (the module's docstring)."""
    wanted = query.strip() if isinstance(query, str) else ""
    if not wanted:
        return Plan(EMPTY)
    nodes = nodes_of(document)
    if wanted.startswith("s3://"):
        exact = next((n for n in nodes if n.get("kind") == "dataset"
                      and wanted.rstrip("/") == n.get("label")), None)
        return Plan(IMPACT, wanted, {"uri": wanted}, str(exact["id"]) if exact else None)
    for same in (_exact, _ignoring_case):
        found = _named(nodes, wanted, same)
        if found is not None:
            return _plan_of(found, wanted)
        if same is _exact and any(attributes(n).get("bucket") == wanted for n in nodes):
            return Plan(IMPACT, wanted, {"bucket": wanted})
    return Plan(NOTHING, wanted)


def _exact(a: str, b: str) -> bool:
    return a == b


def _ignoring_case(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _named(nodes: Sequence[Mapping[str, Any]], wanted: str, same: Any
           ) -> Mapping[str, Any] | None:
    matches = [
        n for n in nodes
        if any(isinstance(v, str) and same(v, wanted)
               for v in (n.get("label"), visible_text(str(n.get("label") or "")),
                         attributes(n).get("arn"), n.get("id")))
    ]
    for kind in SEARCH_ORDER:
        for node in matches:
            if node.get("kind") == kind:
                return node
    return matches[0] if matches else None


def _plan_of(node: Mapping[str, Any], wanted: str) -> Plan:
    kind = str(node.get("kind"))
    node_id = str(node["id"])
    if kind == "dataset":
        return Plan(IMPACT, wanted, {"uri": str(node.get("label"))}, node_id)
    parameter = PROVENANCE_PARAMETERS.get(kind)
    if parameter is not None:
        # A package by its ARN (the API takes no other name); an endpoint or model by its
        # name, as AWS spells it.
        arn = attributes(node).get("arn")
        value = str(arn) if parameter == "modelPackage" and arn else str(node.get("label"))
        return Plan(PROVENANCE, wanted, {parameter: value}, node_id)
    return Plan(SELECT, wanted, {}, node_id)


# -- highlights --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """What is drawn lit (the rest dimmed): the starts, the nodes reached, the edges on the
    paths (``(from, to, kind)``, downstream as in the estate)."""

    starts: frozenset[str] = frozenset()
    nodes: frozenset[str] = frozenset()
    edges: frozenset[tuple[str, str, str]] = frozenset()


def query_highlight(answer: Any, *, upstream: bool) -> Highlight:
    """The highlight of an ``/impact`` or ``/provenance`` answer: each node reached and the
    last edge of its path (the paths form a tree, so that is every edge on every path)."""
    answer = answer if isinstance(answer, Mapping) else {}
    starts = frozenset(s for s in answer.get("starts") or [] if isinstance(s, str))
    nodes: set[str] = set(starts)
    edges: set[tuple[str, str, str]] = set()
    for item in answer.get("reached") or []:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            continue
        nodes.add(item["id"])
        path = [p for p in item.get("path") or [] if isinstance(p, str)]
        via = item.get("via")
        if isinstance(via, str) and len(path) >= 2:
            before, here = path[-2], path[-1]
            edges.add((here, before, via) if upstream else (before, here, via))
    return Highlight(starts, frozenset(nodes), frozenset(edges))


def neighbourhood(document: Any, node_id: str) -> Highlight:
    """A node and everything one edge away (what a pipeline reads, writes, registers and
    deploys; what reads and feeds it)."""
    nodes = {node_id}
    edges: set[tuple[str, str, str]] = set()
    for edge in edges_of(document):
        if node_id in (edge["from"], edge["to"]):
            nodes.update((edge["from"], edge["to"]))
            edges.add((edge["from"], edge["to"], str(edge.get("kind"))))
    return Highlight(frozenset({node_id}), frozenset(nodes), frozenset(edges))


# -- elements ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawn:
    elements: list[dict[str, Any]]
    node_count: int
    preset: bool  # positions computed here (a big scope): no client-side layout


def estate_findings(document: Any) -> FindingsOf:
    """The own findings of an estate's nodes, by node id (the ids its risks name)."""
    return own_findings_index([(str(n["id"]), n) for n in nodes_of(document)])


def _no_findings(_node: str) -> list[Mapping[str, Any]]:
    return []


def node_classes(node: Mapping[str, Any], own_of: FindingsOf = _no_findings) -> str:
    """Its kind, status, approval, bucket look and risk (``own_of``: the estate's own
    findings by node id, for the findings it inherits)."""
    kind = str(node.get("kind"))
    classes = ["estate-node", f"kind-{slug(kind)}" if kind in KINDS else "kind-other"]
    status = node_status(node)
    if status is not None:
        classes.append(status_class(status))
    attrs = attributes(node)
    if kind == "model-package":
        classes.append(approval_class(attrs.get("approvalStatus")))
    if kind == "dataset":
        s3 = attrs.get("s3")
        security = artifact_security(s3 if isinstance(s3, Mapping) else None)
        classes.append("artifact " + {
            INSECURE: "artifact-insecure",
            UNKNOWN: "artifact-unknown",
            NOT_READ: "artifact-not-read",
        }.get(security, "artifact-secure"))
    classes.append(risk_classes(risk_of(node), own_of))
    return " ".join(classes)


def node_label(node: Mapping[str, Any]) -> str:
    """What is drawn under a node; a dataset with a bucket that needs attention gets the
    pipeline page's warning sign."""
    label = visible_text(str(node.get("label") or node.get("id")))
    s3 = attributes(node).get("s3")
    if node.get("kind") == "dataset" and artifact_issues(s3 if isinstance(s3, Mapping) else None):
        return f"\u26a0 {label}"
    return label


def estate_elements(document: Any, highlight: Highlight | None = None,
                    *, positions: bool | None = None) -> Drawn:
    """The elements of an estate document; with ``highlight``, what it names is lit and the
    rest dimmed. ``positions``: compute a layered layout here; ``None`` decides by size."""
    nodes = nodes_of(document)
    known = {str(n["id"]) for n in nodes}
    own_of = estate_findings(document)
    elements: list[dict[str, Any]] = []
    for node in nodes:
        node_id = str(node["id"])
        classes = node_classes(node, own_of)
        if highlight is not None:
            classes += _lit(node_id in highlight.nodes, node_id in highlight.starts)
        status = node_status(node)
        elements.append({
            "data": {
                "id": node_id,
                "label": node_label(node),
                "kind": str(node.get("kind")),
                "status": status or "",
                "risk": risk_level(risk_of(node)),
                "name": visible_text(str(node.get("label") or "")),  # the tooltip: whole
            },
            "classes": classes,
            "selected": False,
        })
    links: list[tuple[str, str]] = []
    seen: set[str] = set()
    for edge in edges_of(document):
        source, target, kind = edge["from"], edge["to"], str(edge.get("kind"))
        if source not in known or target not in known:
            continue
        element_id = written = edge_id(kind, source, target)
        while element_id in seen:
            element_id = f"{written}#{len(seen)}"
        seen.add(element_id)
        steps = [visible_text(str(s)) for s in edge.get("steps") or []]
        classes = f"edge estate-edge {via_class(kind)}"
        if highlight is not None:
            classes += _lit((source, target, kind) in highlight.edges, False)
        elements.append({
            "data": {"id": element_id, "source": source, "target": target, "via": kind,
                     "steps": ", ".join(steps)},
            "classes": classes,
        })
        links.append((source, target))
    ordered = [str(n["id"]) for n in nodes]
    preset = len(ordered) > LARGE_GRAPH_NODES if positions is None else positions
    placed = layered_positions(ordered, links)
    for element in elements:
        point = placed.get(element["data"]["id"]) if "source" not in element["data"] else None
        if point is not None:
            element["position"] = {"x": point[0], "y": point[1]}
    return Drawn(elements, len(ordered), preset)


def _lit(on: bool, start: bool) -> str:
    if start:
        return " on-path query-start"
    return " on-path" if on else " dimmed"


def suggestions(document: Any, limit: int = 2000) -> list[str]:
    """What the search box suggests: every node's name (dataset locations, pipeline and
    endpoint names, model package ARNs and labels...) and every bucket, each once."""
    found: dict[str, None] = {}
    for node in nodes_of(document):
        found[visible_text(str(node.get("label") or ""))] = None
        attrs = attributes(node)
        if node.get("kind") == "model-package" and isinstance(attrs.get("arn"), str):
            found[visible_text(attrs["arn"])] = None
        if node.get("kind") == "dataset" and isinstance(attrs.get("bucket"), str):
            found[visible_text(attrs["bucket"])] = None
    found.pop("", None)
    return sorted(found)[:limit]


def counts_by_kind(document: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in nodes_of(document):
        kind = str(node.get("kind"))
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def labels(document: Any, node_ids: Iterable[str]) -> list[str]:
    """The names of nodes, as shown (an id the document lacks as it is)."""
    by_id = {str(n["id"]): n for n in nodes_of(document)}
    return [visible_text(str((by_id.get(i) or {}).get("label") or i)) for i in node_ids]
