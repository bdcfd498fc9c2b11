"""A lineage document (the ``/lineage`` JSON) -> Cytoscape elements. Pure: no Dash, no I/O.

Every node's data carries ``kind`` (``step`` or ``artifact``), ``type``, ``status`` and
``risk`` (its risk level, ``components.risk``); every edge's data carries ``via``. Tests and
other tools read those. The look comes from classes (``step type-training status-failed
risk-high``, ``via-ref-get``) that ``stylesheet`` keys on; nothing here decides a colour.

Every element id starts with its kind (``step:Train``, ``artifact:4``,
``edge:ref:Get:step:A->step:B``): a step named ``__proto__`` or ``constructor`` is not an
id Cytoscape's lookups trip over, and a step never shares an id with an artifact. The URL
holds a step's plain name: ``element_of_node`` and ``node_of_element`` map between the two.

Untrusted strings (step names, URIs, tags) only ever become Cytoscape data: Cytoscape draws
labels on a canvas, and the side panel renders them as Dash text. What is drawn or shown in a
tooltip (labels, URIs) has its hidden characters escaped (``visible``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.ui.components.groups import Folding, Group, fold
from dashboard.ui.components.risk import (
    FindingsOf,
    own_findings_index,
    risk_classes,
    risk_level,
    risk_of,
)
from dashboard.ui.components.visible import visible_text
from lineage.models import NOT_STARTED, UNKNOWN
from lineage.step_types import STEP_TYPES

# The step statuses the graph tells apart, in legend order.
STATUSES = ("Succeeded", "Executing", "Starting", "Stopping", "Stopped", "Failed", NOT_STARTED)

# Edges of the data view: a step writes an artifact, an artifact is read by a step.
VIA_WRITES = "writes"
VIA_READS = "reads"
VIAS = ("dependsOn", "ref:Get", "condition", "artifact", VIA_WRITES, VIA_READS)

# Element ids: the kind first.
STEP_PREFIX = "step:"
ARTIFACT_PREFIX = "artifact:"
EDGE_PREFIX = "edge:"
NODE_PREFIXES = (STEP_PREFIX, ARTIFACT_PREFIX)
ARTIFACT_TYPE = "S3Artifact"
# Bucket security as an artifact node's status.
SECURE, INSECURE = "Secure", "Insecure"
NOT_READ = "NotRead"  # ENABLE_S3_META=false: no settings in the document

# Step types the engine knows (lineage.step_types): each has a shape of its own
# (stylesheet); anything else is drawn as a plain step.
KNOWN_TYPES = tuple(STEP_TYPES)

# Past this many nodes dagre gets slow in the browser: positions come from here.
LARGE_GRAPH_NODES = 150
X_GAP = 230.0
Y_GAP = 90.0
MAX_ROWS = 24  # a layer with more nodes is split into several columns

LAYOUT_AUTO = "auto"
LAYOUT_DAGRE = "dagre"
LAYOUT_LAYERED = "layered"
LAYOUT_BREADTHFIRST = "breadthfirst"
LAYOUT_GRID = "grid"
LAYOUT_CHOICES: tuple[tuple[str, str], ...] = (
    (LAYOUT_AUTO, "Auto"),
    (LAYOUT_DAGRE, "Dagre, left to right"),
    (LAYOUT_LAYERED, "Layered (fast, large graphs)"),
    (LAYOUT_BREADTHFIRST, "Breadth-first"),
    (LAYOUT_GRID, "Grid"),
)

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``ref:Get`` -> ``ref-get``; ``RegisterModel`` -> ``registermodel``."""
    return _SLUG.sub("-", text.lower()).strip("-") or "x"


def status_class(status: str | None) -> str:
    if status in STATUSES:
        return f"status-{slug(str(status))}"
    return "status-unknown"


def type_class(step_type: str | None) -> str:
    return f"type-{slug(step_type)}" if step_type in KNOWN_TYPES else "type-other"


def via_class(via: str) -> str:
    return f"via-{slug(via)}"


def step_status(node: Mapping[str, Any]) -> str:
    """A node's ``run.status``; ``NotStarted`` when it did not run (contract: no ``run``)."""
    run = node.get("run")
    if not isinstance(run, Mapping):
        return NOT_STARTED
    status = run.get("status")
    return str(status) if status else UNKNOWN


def not_run_reasons(document: Mapping[str, Any]) -> dict[str, str]:
    """Steps that did not run because their Condition chose the other branch, with why.

    ``{"EvaluateChurn": "condition false"}``: the step sits in the ``if`` branch of a
    Condition whose outcome was false (or the ``else`` branch of a true one).
    """
    graph = document.get("graph") or {}
    nodes = {str(node.get("id")): node for node in graph.get("nodes") or []}
    reasons: dict[str, str] = {}
    for edge in graph.get("edges") or []:
        if edge.get("via") != "condition" or edge.get("branch") not in ("if", "else"):
            continue
        condition = nodes.get(str(edge.get("from")), {}).get("condition")
        step = nodes.get(str(edge.get("to")))
        outcome = condition.get("outcome") if isinstance(condition, Mapping) else None
        if step is None or not isinstance(outcome, bool) or isinstance(step.get("run"), Mapping):
            continue
        if (edge["branch"] == "if") != outcome:
            reasons[str(edge.get("to"))] = f"condition {'true' if outcome else 'false'}"
    return reasons


def document_findings(document: Mapping[str, Any]) -> FindingsOf:
    """The own findings of a document's steps and artifacts, by element id (the ids its
    risks name)."""
    graph = document.get("graph") or {}
    nodes = [(step_element_id(str(n.get("id"))), n) for n in graph.get("nodes") or []
             if isinstance(n, Mapping)]
    nodes += [(artifact_node_id(a.get("id")), a) for a in graph.get("artifacts") or []
              if isinstance(a, Mapping)]
    return own_findings_index(nodes)


def step_element_id(name: str) -> str:
    return f"{STEP_PREFIX}{name}"


def artifact_node_id(artifact_id: Any) -> str:
    return f"{ARTIFACT_PREFIX}{artifact_id}"


def element_of_node(node: str) -> str:
    """The element id a URL's ``node=`` names: a step by its plain name, anything that
    starts like an element id (``artifact:4``, ``step:...``) as it is."""
    return node if node.startswith(NODE_PREFIXES) else step_element_id(node)


def node_of_element(element_id: str) -> str:
    """What the URL's ``node=`` holds for an element (the inverse of ``element_of_node``):
    a step's plain name, unless that name would itself read as an element id."""
    name = element_id.removeprefix(STEP_PREFIX)
    if name != element_id and not name.startswith(NODE_PREFIXES):
        return name
    return element_id


def with_selected(elements: list[dict[str, Any]], selected: str | None) -> list[dict[str, Any]]:
    """``elements`` with the node whose id is ``selected`` marked selected; the others are
    the same objects (a cached render is never changed)."""
    if not selected:
        return elements
    return [{**element, "selected": True} if element["data"]["id"] == selected else element
            for element in elements]


def artifact_issues(s3: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with an artifact's bucket, in words; ``[]`` when nothing (or unknown)."""
    if not s3:
        return []
    issues = []
    if s3.get("encryption") in ("None", None):
        issues.append("unencrypted")
    if s3.get("versioning") in ("Disabled", "Suspended"):
        issues.append("versioning not enabled")
    if s3.get("publicAccess") in ("NotBlocked", "Partial"):
        issues.append("public access not blocked")
    return issues


def artifact_security(s3: Mapping[str, Any] | None) -> str:
    if s3 is None:
        return NOT_READ
    if artifact_issues(s3):
        return INSECURE
    fields = (s3.get("encryption"), s3.get("versioning"), s3.get("publicAccess"))
    return UNKNOWN if UNKNOWN in fields else SECURE


def artifact_label(artifact: Mapping[str, Any]) -> str:
    """The last part of the key (what a person recognises), else the bucket."""
    key = str(artifact.get("key") or "").rstrip("/")
    name = key.rsplit("/", 1)[-1] if key else str(artifact.get("bucket") or "")
    return name or str(artifact.get("uri") or "")


@dataclass(frozen=True)
class Graph:
    """Elements plus what the page needs to know about them."""

    elements: list[dict[str, Any]]
    node_count: int
    step_names: list[str]
    preset: bool  # positions were computed here
    groups: tuple[Group, ...] = ()  # the groups drawn (collapsed, or open as boxes)


def document_elements(
    document: Mapping[str, Any],
    *,
    data_view: bool = False,
    positions: bool | None = None,
    groups: Sequence[Group] = (),
    folding: Folding | None = None,
) -> Graph:
    """Cytoscape elements of a lineage document, none selected (``with_selected``).

    ``data_view`` adds the S3 artifacts as nodes between their producers and consumers (and
    drops the step-to-step ``artifact`` edges they replace). ``positions``: compute a layered
    layout here (``preset``); ``None`` decides by size. ``groups`` folded as ``folding``
    says (``components.groups.fold``): a collapsed group is one node, its links aggregated.
    """
    graph = document.get("graph") or {}
    nodes: list[Mapping[str, Any]] = list(graph.get("nodes") or [])
    edges: list[Mapping[str, Any]] = list(graph.get("edges") or [])
    artifacts: list[Mapping[str, Any]] = list(graph.get("artifacts") or []) if data_view else []

    step_names = [str(node.get("id")) for node in nodes]
    known = set(step_names)
    step_ids = [step_element_id(name) for name in step_names]
    skipped = not_run_reasons(document)
    own_of = document_findings(document)
    elements: list[dict[str, Any]] = []
    for node, name, node_id in zip(nodes, step_names, step_ids, strict=True):
        step_type = str(node.get("type") or "")
        status = step_status(node)
        risk = risk_of(node)
        classes = (f"step {type_class(step_type)} {status_class(status)} "
                   f"{risk_classes(risk, own_of)}")
        run = node.get("run")
        if isinstance(run, Mapping) and run.get("cacheHit"):
            classes += " cache-hit"
        data: dict[str, Any] = {
            "id": node_id,
            "label": visible_text(name),
            "kind": "step",
            "type": step_type,
            "status": status,
            "risk": risk_level(risk),
        }
        if name in skipped:
            classes += " not-run"
            data["notRun"] = skipped[name]
        elements.append({"data": data, "classes": classes, "selected": False})

    links: list[tuple[str, str, str, dict[str, Any]]] = []
    for edge in edges:
        source, target, via = str(edge.get("from")), str(edge.get("to")), str(edge.get("via"))
        if source not in known or target not in known:
            continue  # a DependsOn naming a missing step: the parser warned already
        if data_view and via == "artifact":
            continue  # drawn through the artifact node instead
        extra: dict[str, Any] = {}
        if edge.get("property"):
            extra["property"] = str(edge["property"])
        if edge.get("branch"):
            extra["branch"] = str(edge["branch"])
            extra["label"] = visible_text(str(edge["branch"]))
        links.append((step_element_id(source), step_element_id(target), via, extra))

    artifact_ids: list[str] = []
    for artifact in artifacts:
        node_id = artifact_node_id(artifact.get("id"))
        s3 = artifact.get("s3")
        security = artifact_security(s3 if isinstance(s3, Mapping) else None)
        issues = artifact_issues(s3 if isinstance(s3, Mapping) else None)
        label = artifact_label(artifact)
        classes = "artifact " + {
            INSECURE: "artifact-insecure",
            UNKNOWN: "artifact-unknown",
            NOT_READ: "artifact-not-read",
        }.get(security, "artifact-secure")
        risk = risk_of(artifact)
        classes += " " + risk_classes(risk, own_of)
        elements.append(
            {
                "data": {
                    "id": node_id,
                    # The badge: a warning sign in front of the name of an insecure artifact.
                    "label": visible_text(f"\u26a0 {label}" if issues else label),
                    "kind": "artifact",
                    "type": ARTIFACT_TYPE,
                    "status": security,
                    "risk": risk_level(risk),
                    "uri": visible_text(str(artifact.get("uri") or "")),  # the tooltip
                    "bucket": str(artifact.get("bucket") or ""),
                    "issues": issues,
                },
                "classes": classes,
                "selected": False,
            }
        )
        artifact_ids.append(node_id)
        for producer in artifact.get("producers") or []:
            if str(producer) in known:
                links.append((step_element_id(str(producer)), node_id, VIA_WRITES, {}))
        for consumer in artifact.get("consumers") or []:
            if str(consumer) in known:
                links.append((node_id, step_element_id(str(consumer)), VIA_READS, {}))

    drawn_groups: tuple[Group, ...] = ()
    if groups and folding is not None:
        elements, links = fold(elements, links, groups, folding, element_id=step_element_id,
                               look=lambda kind, status: f"{type_class(kind)} "
                                                         f"{status_class(status)}")
        drawn_groups = tuple(g for g in groups
                             if any(e["data"]["id"] == g.element_id for e in elements))
    node_ids = [e["data"]["id"] for e in elements
                if not (e["data"].get("kind") == "group" and not e["data"].get("collapsed"))]
    edge_ids: set[str] = set()
    for source, target, via, extra in links:
        edge_id = written = f"{EDGE_PREFIX}{via}:{source}->{target}"
        while edge_id in edge_ids:  # names holding "->step:" can spell another edge's id
            edge_id = f"{written}#{len(edge_ids)}"
        edge_ids.add(edge_id)
        aggregated = " aggregated" if extra.pop("aggregated", False) else ""
        elements.append(
            {
                "data": {
                    "id": edge_id,
                    "source": source,
                    "target": target,
                    "via": via,
                    **extra,
                },
                "classes": f"edge {via_class(via)}{aggregated}",
            }
        )

    all_ids = step_ids + artifact_ids
    preset = len(node_ids) > LARGE_GRAPH_NODES if positions is None else positions
    # Positions always: a client-side layout starts from them, so no two nodes ever sit on
    # one another (Cytoscape cannot draw an edge between overlapping nodes, and says so).
    # Members of a box are kept together within their layer.
    parent_of = {e["data"]["id"]: e["data"]["parent"] for e in elements if "parent" in e["data"]}
    placed = layered_positions(node_ids, [(s, t) for s, t, _, _ in links], parent_of)
    for element in elements:
        point = placed.get(element["data"]["id"]) if "source" not in element["data"] else None
        if point is not None:
            element["position"] = {"x": point[0], "y": point[1]}
    return Graph(elements=elements, node_count=len(all_ids), step_names=step_names,
                 preset=preset, groups=drawn_groups)


def layered_positions(
    node_ids: Sequence[str], edges: Iterable[tuple[str, str]],
    parent_of: Mapping[str, str] | None = None,
) -> dict[str, tuple[float, float]]:
    """Left-to-right layers by longest path from the sources; cheap for thousands of nodes.

    Within a layer nodes are ordered by the mean row of their predecessors (one barycentre
    sweep), so most edges run straight. A cycle (which a pipeline cannot have) is cut where
    it is met. Layers taller than ``MAX_ROWS`` wrap into several columns. Nodes of one
    ``parent_of`` (a compound box) sit next to one another in their layer.
    """
    index = {node: i for i, node in enumerate(node_ids)}
    preds: dict[str, list[str]] = {node: [] for node in node_ids}
    succs: dict[str, list[str]] = {node: [] for node in node_ids}
    for source, target in edges:
        if source in index and target in index and source != target:
            preds[target].append(source)
            succs[source].append(target)
    indegree = {node: len(preds[node]) for node in node_ids}
    order: list[str] = []
    ready = [node for node in node_ids if indegree[node] == 0]
    seen: set[str] = set()
    while len(order) < len(node_ids):
        if not ready:  # a cycle: take the first node not placed yet
            ready = [next(node for node in node_ids if node not in seen)]
        node = ready.pop(0)
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for nxt in succs[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0 and nxt not in seen:
                ready.append(nxt)
    layer: dict[str, int] = {}
    for node in order:
        placed_preds = [layer[p] for p in preds[node] if p in layer]
        layer[node] = max(placed_preds) + 1 if placed_preds else 0

    layers: dict[int, list[str]] = {}
    for node in node_ids:
        layers.setdefault(layer[node], []).append(node)
    row: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    x = 0.0
    for depth in sorted(layers):
        members = layers[depth]

        def barycentre(node: str) -> tuple[float, int]:
            rows = [row[p] for p in preds[node] if p in row]
            return (sum(rows) / len(rows) if rows else math.inf, index[node])

        members.sort(key=barycentre)
        if parent_of:
            first: dict[str, int] = {}
            for i, node in enumerate(members):
                first.setdefault(parent_of.get(node, node), i)
            members.sort(key=lambda node: first[parent_of.get(node, node)])
        columns = max(1, math.ceil(len(members) / MAX_ROWS))
        per_column = math.ceil(len(members) / columns)
        for i, node in enumerate(members):
            column, position = divmod(i, per_column)
            height = min(per_column, len(members) - column * per_column)
            row[node] = i
            positions[node] = (
                x + column * X_GAP * 0.6,
                (position - (height - 1) / 2) * Y_GAP,
            )
        x += X_GAP + (columns - 1) * X_GAP * 0.6
    return positions


def layout_for(choice: str | None, *, preset: bool) -> dict[str, Any]:
    """The Cytoscape ``layout`` prop for a layout choice."""
    if preset:
        return {"name": "preset", "fit": True, "padding": 30, "animate": False}
    if choice == LAYOUT_BREADTHFIRST:
        return {"name": "breadthfirst", "directed": True, "fit": True, "padding": 30,
                "spacingFactor": 1.1, "animate": False}
    if choice == LAYOUT_GRID:
        return {"name": "grid", "fit": True, "padding": 30, "avoidOverlap": True,
                "animate": False}
    return {
        "name": "dagre",
        "rankDir": "LR",
        "nodeSep": 40,
        "rankSep": 110,
        "edgeSep": 10,
        "fit": True,
        "padding": 30,
        "animate": False,
    }


def wants_preset(choice: str | None) -> bool | None:
    """Whether to compute positions here: always for ``layered``, never for a named
    client-side layout, by size for ``auto``."""
    if choice == LAYOUT_LAYERED:
        return True
    if choice in (LAYOUT_DAGRE, LAYOUT_BREADTHFIRST, LAYOUT_GRID):
        return False
    return None
