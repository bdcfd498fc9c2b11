"""Risk: findings followed downstream through a lineage graph (pure).

:func:`propagate` takes each node's own findings (a source: an artifact or dataset whose
bucket breaks the policy) and the graph's downstream edges; every node a source reaches
inherits its findings, each from its nearest source, with the shortest path (breadth first,
so cycles end; sources of different findings reaching one node are all kept). A node's
:class:`Risk` is its highest severity (own or inherited), its own findings, and how each
source reaches it, most severe first; at most :data:`MAX_SOURCES` sources are listed per node
(``moreSources`` counts the rest).

:func:`document_risk` and :func:`estate_risk` apply it to the two graphs: a pipeline
document's steps and artifacts (data flows artifact -> consumer, producer -> artifact, and
along ``ref:Get`` and ``artifact`` edges; ``dependsOn`` and condition edges carry no data) and
the estate's nodes (every edge but the structural ones).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from lineage.findings import Assessment, Finding, findings_for
from lineage.models import JsonDict
from lineage.policy import Policy, severity_rank

# Sources listed per node, the most severe and nearest first: enough to act on; /findings
# lists every node each source reaches.
MAX_SOURCES = 5
# Step-to-step edges along which data (and so its risk) flows.
DATA_EDGES = frozenset({"ref:Get", "artifact"})


@dataclass(frozen=True)
class Reach:
    """How a source's findings reach a node."""

    source: str  # the node whose bucket has the findings
    path: tuple[str, ...]  # source, ..., the node
    severity: str
    findings: tuple[str, ...]  # Finding.id of each

    def to_dict(self) -> JsonDict:
        return {"source": self.source, "path": list(self.path), "severity": self.severity,
                "findings": list(self.findings)}


@dataclass(frozen=True)
class Risk:
    severity: str | None  # the highest, own or inherited; None: nothing found
    findings: tuple[Finding, ...] = ()  # the node's own
    inherited: tuple[Reach, ...] = ()
    more_sources: int = 0  # sources that reach it beyond those listed

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "severity": self.severity,
            "findings": [finding.to_dict() for finding in self.findings],
            "inherited": [reach.to_dict() for reach in self.inherited],
        }
        if self.more_sources:
            out["moreSources"] = self.more_sources
        return out


NO_RISK = Risk(None)


def propagate(
    own: Mapping[str, Sequence[Finding]],
    downstream: Mapping[str, Collection[str]],
    nodes: Iterable[str] = (),
) -> dict[str, Risk]:
    """The risk of every node that has findings or is reached by some (and of ``nodes``).

    A node inherits each finding once, from its nearest source (one breadth-first search per
    finding from all its sources at once), so that every artifact of one bucket does not
    repeat the bucket's findings down the graph.
    """
    adjacency = {node: sorted(targets) for node, targets in downstream.items()}
    sources_of: dict[str, list[str]] = defaultdict(list)
    severity_of: dict[str, str] = {}
    for source in sorted(own):
        for finding in own[source]:
            sources_of[finding.id].append(source)
            severity_of[finding.id] = finding.severity
    # node -> source -> (the path from it, the findings it passes)
    reached: dict[str, dict[str, tuple[tuple[str, ...], list[str]]]] = defaultdict(dict)
    for finding_id, sources in sorted(sources_of.items()):
        parents = breadth_first(sources, adjacency)
        for node, parent in parents.items():
            if parent is None:
                continue  # a source of this finding: its own
            path = path_to(parents, node)
            known = reached[node].get(path[0])
            if known is None:
                reached[node][path[0]] = (path, [finding_id])
            else:
                known[1].append(finding_id)
    risks: dict[str, Risk] = {node: NO_RISK for node in nodes}
    for node in {*own, *reached}:
        mine = tuple(own.get(node, ()))
        reaches = [
            Reach(source, path, max((severity_of[f] for f in ids), key=severity_rank),
                  tuple(sorted(ids)))
            for source, (path, ids) in reached.get(node, {}).items()
        ]
        reaches.sort(key=lambda r: (-severity_rank(r.severity), len(r.path), r.source))
        shown = tuple(reaches[:MAX_SOURCES])
        severities = [f.severity for f in mine] + [r.severity for r in reaches]
        worst = max(severities, key=severity_rank, default=None)
        risks[node] = Risk(worst, mine, shown, len(reaches) - len(shown))
    return risks


def breadth_first(
    sources: Iterable[str], adjacency: Mapping[str, Sequence[str]]
) -> dict[str, str | None]:
    """Each node reached from ``sources`` -> the node it was first reached from (``None``
    for a source), neighbours taken in ``adjacency``'s order: shortest paths, cycles end."""
    starts = list(sources)
    parents: dict[str, str | None] = dict.fromkeys(starts)
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        for target in adjacency.get(node, ()):
            if target not in parents:
                parents[target] = node
                queue.append(target)
    return parents


def path_to(parents: Mapping[str, str | None], node: str) -> tuple[str, ...]:
    """The path :func:`breadth_first` found to ``node``, from its source."""
    path = [node]
    while (parent := parents[path[-1]]) is not None:
        path.append(parent)
    return tuple(reversed(path))


# -- the two graphs ---------------------------------------------------------------------------


def artifact_node(artifact_id: int) -> str:
    return f"artifact:{artifact_id}"


def step_node(name: str) -> str:
    return f"step:{name}"


@dataclass(frozen=True)
class DataGraph:
    """A lineage document's graph as data flows through it, and its artifacts judged."""

    nodes: tuple[str, ...]  # step:<name> and artifact:<id>, in the document's order
    downstream: Mapping[str, set[str]]
    assessed: Mapping[str, Assessment]  # artifact node -> its bucket's findings


def document_graph(graph: Mapping[str, object], policy: Policy) -> DataGraph:
    """The data flow of a lineage document's ``graph`` (its JSON form): artifact -> consumer,
    producer -> artifact, and the step edges of :data:`DATA_EDGES`; each artifact judged by
    ``policy`` from its ``s3``."""
    assessed: dict[str, Assessment] = {}
    downstream: dict[str, set[str]] = defaultdict(set)
    nodes: list[str] = []
    for step in _items(graph.get("nodes")):
        nodes.append(step_node(str(step.get("id"))))
    for edge in _items(graph.get("edges")):
        if edge.get("via") in DATA_EDGES:
            downstream[step_node(str(edge.get("from")))].add(step_node(str(edge.get("to"))))
    for artifact in _items(graph.get("artifacts")):
        node = artifact_node(int(str(artifact.get("id"))))
        nodes.append(node)
        for consumer in _strings(artifact.get("consumers")):
            downstream[node].add(step_node(consumer))
        for producer in _strings(artifact.get("producers")):
            downstream[step_node(producer)].add(node)
        s3 = artifact.get("s3")
        assessed[node] = findings_for(s3 if isinstance(s3, Mapping) else None,
                                      str(artifact.get("bucket") or ""),
                                      str(artifact.get("key") or ""), policy)
    return DataGraph(tuple(nodes), downstream, assessed)


def document_risk(graph: Mapping[str, object], policy: Policy) -> dict[str, Risk]:
    """The risk of each step (``step:<name>``) and artifact (``artifact:<id>``) of a lineage
    document's ``graph`` (its JSON form), with findings from each artifact's ``s3``."""
    flow = document_graph(graph, policy)
    own = {node: assessment.findings for node, assessment in flow.assessed.items()}
    return propagate(own, flow.downstream, flow.nodes)


def estate_downstream(
    edges: Iterable[tuple[str, str, str]], structural: Collection[str]
) -> dict[str, set[str]]:
    """An estate's edges (source, target, kind) as data flows along them: all but the
    ``structural`` kinds."""
    downstream: dict[str, set[str]] = defaultdict(set)
    for source, target, kind in edges:
        if kind not in structural:
            downstream[source].add(target)
    return downstream


def estate_risk(
    datasets: Mapping[str, Assessment],
    edges: Iterable[tuple[str, str, str]],
    nodes: Iterable[str],
    structural: Collection[str],
) -> dict[str, Risk]:
    """The risk of each estate node, with findings from each dataset's assessment."""
    own = {node: assessment.findings for node, assessment in datasets.items()}
    return propagate(own, estate_downstream(edges, structural), nodes)


def _items(value: object) -> list[Mapping[str, object]]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list | tuple) else []
