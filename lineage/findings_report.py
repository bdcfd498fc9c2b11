"""The findings report: every source of findings, with what it reaches (pure).

``GET /findings`` and ``sagemaker-lineage audit`` answer it, built from a lineage document's
JSON (:func:`document_report`: its artifacts are the sources, its steps and artifacts what
they reach) or from an estate's (:func:`estate_report`: its datasets are the sources, every
other node what they reach). A *source* is a location whose bucket breaks the policy: its
findings come from :func:`lineage.findings.findings_for` on its ``s3`` settings, so the ones a
policy exception covers are listed too (``exempted``, with the reason; they do not count and
do not propagate). What a source *reaches* is every node downstream of it along the edges
:mod:`lineage.risk` follows, each with its shortest path (breadth first, neighbours by id: the
paths of the nodes' ``risk.inherited``, which lists at most ``MAX_SOURCES`` sources per node,
so the report walks the graph itself), sorted by path length, then id.

:meth:`FindingsReport.at_least` keeps the findings of a severity or above;
:func:`to_csv` gives one row per finding and node it reaches (the source itself first), for
spreadsheets, every cell that a spreadsheet would read as a formula neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from lineage.estate import STRUCTURAL_EDGES, judge_dataset
from lineage.findings import Assessment, Exempted, Finding, highest
from lineage.models import JsonDict
from lineage.policy import SEVERITIES, Policy, severity_rank
from lineage.risk import (
    artifact_node,
    breadth_first,
    document_graph,
    estate_downstream,
    path_to,
    step_node,
)

CSV_COLUMNS = (
    "source", "sourceKind", "bucket", "uri", "finding", "rule", "severity", "kind", "title",
    "detail", "remedy", "exemptBecause", "reachedId", "reachedKind", "reachedLabel", "hops",
    "path",
)
PATH_SEPARATOR = " > "
# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Source:
    id: str  # the node's id: artifact:<id> in a document, dataset:<uri> in an estate
    kind: str  # artifact | dataset
    label: str
    bucket: str
    uri: str

    def to_dict(self) -> JsonDict:
        return {"id": self.id, "kind": self.kind, "label": self.label, "bucket": self.bucket,
                "uri": self.uri}


@dataclass(frozen=True)
class Reached:
    id: str
    kind: str
    label: str
    path: tuple[str, ...]  # node ids: the source, ..., this node

    def to_dict(self) -> JsonDict:
        return {"id": self.id, "kind": self.kind, "label": self.label, "path": list(self.path)}


@dataclass(frozen=True)
class Group:
    """One source: its findings, the exempted ones, and every node it reaches."""

    source: Source
    findings: tuple[Finding, ...] = ()
    exempted: tuple[Exempted, ...] = ()
    reaches: tuple[Reached, ...] = ()

    @property
    def severity(self) -> str | None:
        """The highest severity of its findings (None: only exempted ones)."""
        return highest(self.findings)

    def to_dict(self) -> JsonDict:
        return {
            "source": self.source.to_dict(),
            "severity": self.severity,
            "findings": [finding.to_dict() for finding in self.findings],
            "exempted": [exempted.to_dict() for exempted in self.exempted],
            "reaches": [reached.to_dict() for reached in self.reaches],
        }


@dataclass(frozen=True)
class FindingsReport:
    groups: tuple[Group, ...]
    scope: Mapping[str, Any] = field(default_factory=dict)  # what was asked (region, ...)
    warnings: tuple[Mapping[str, Any], ...] = ()  # the document's or estate's, as they are
    generated_at: str | None = None  # when the document or estate was read
    min_severity: str | None = None  # findings below it are left out

    def at_least(self, severity: str | None) -> FindingsReport:
        """Only the findings (and exempted ones) of ``severity`` or above; sources left with
        none are dropped. ``None``: all of them."""
        if severity is None:
            return self
        rank = severity_rank(severity)
        groups = []
        for group in self.groups:
            kept = replace(
                group,
                findings=tuple(f for f in group.findings if severity_rank(f.severity) >= rank),
                exempted=tuple(e for e in group.exempted
                               if severity_rank(e.finding.severity) >= rank),
            )
            if kept.findings or kept.exempted:
                groups.append(kept)
        return replace(self, groups=tuple(groups), min_severity=severity)

    def count_at_least(self, severity: str) -> int:
        """How many findings (not exempted) are of ``severity`` or above: the audit's gate."""
        rank = severity_rank(severity)
        return sum(1 for group in self.groups for finding in group.findings
                   if severity_rank(finding.severity) >= rank)

    def summary(self) -> JsonDict:
        by_severity = dict.fromkeys(reversed(SEVERITIES), 0)
        for group in self.groups:
            for finding in group.findings:
                by_severity[finding.severity] = by_severity.get(finding.severity, 0) + 1
        return {
            "findings": sum(len(group.findings) for group in self.groups),
            "exempted": sum(len(group.exempted) for group in self.groups),
            "sources": len(self.groups),
            "buckets": len({group.source.bucket for group in self.groups}),
            "reached": len({r.id for group in self.groups for r in group.reaches}),
            "bySeverity": by_severity,
        }

    def to_dict(self) -> JsonDict:
        return {
            "scope": dict(self.scope),
            "minSeverity": self.min_severity,
            "summary": self.summary(),
            "groups": [group.to_dict() for group in self.groups],
            "warnings": [dict(warning) for warning in self.warnings],
            "generatedAt": self.generated_at,
        }


@dataclass(frozen=True)
class _Node:
    id: str
    kind: str
    label: str


# -- building ---------------------------------------------------------------------------------


def document_report(
    document: Mapping[str, Any], policy: Policy, *, scope: Mapping[str, Any] | None = None
) -> FindingsReport:
    """The report of a lineage document's JSON (``LineageDocument.to_dict()``): its artifacts
    as sources, reaching steps (``step:<name>``) and artifacts (``artifact:<id>``) along the
    edges data flows by (:func:`lineage.risk.document_graph`, as its risk follows them)."""
    graph = document.get("graph")
    graph = graph if isinstance(graph, Mapping) else {}
    flow = document_graph(graph, policy)
    nodes = {step_node(str(step.get("id"))): _Node(step_node(str(step.get("id"))), "step",
                                                   str(step.get("id")))
             for step in _items(graph.get("nodes"))}
    sources: list[tuple[Source, Assessment]] = []
    for artifact in _items(graph.get("artifacts")):
        node = artifact_node(_int(artifact.get("id")))
        uri = str(artifact.get("uri") or "")
        nodes[node] = _Node(node, "artifact", uri)
        bucket = str(artifact.get("bucket") or "")
        sources.append((Source(node, "artifact", uri, bucket, uri), flow.assessed[node]))
    return _report(sources, nodes, flow.downstream, document, scope)


def estate_report(
    estate: Mapping[str, Any], policy: Policy, *, scope: Mapping[str, Any] | None = None
) -> FindingsReport:
    """The report of an estate's JSON (``Estate.to_dict()``): its datasets as sources,
    reaching every node along every edge but the structural ones."""
    nodes: dict[str, _Node] = {}
    sources: list[tuple[Source, Assessment]] = []
    for item in _items(estate.get("nodes")):
        node = _Node(str(item.get("id")), str(item.get("kind")), str(item.get("label")))
        nodes[node.id] = node
        if node.kind != "dataset":
            continue
        attributes = item.get("attributes")
        attributes = attributes if isinstance(attributes, Mapping) else {}
        uri = str(attributes.get("uri") or node.label)
        sources.append((Source(node.id, "dataset", node.label,
                               str(attributes.get("bucket") or ""), uri),
                        judge_dataset(attributes, policy)))
    edges = ((str(e.get("from")), str(e.get("to")), str(e.get("kind")))
             for e in _items(estate.get("edges")))
    return _report(sources, nodes, estate_downstream(edges, STRUCTURAL_EDGES), estate, scope)


def _report(
    sources: Iterable[tuple[Source, Assessment]],
    nodes: Mapping[str, _Node],
    downstream: Mapping[str, Iterable[str]],
    answer: Mapping[str, Any],
    scope: Mapping[str, Any] | None,
) -> FindingsReport:
    adjacency = {node: sorted(targets) for node, targets in downstream.items()}
    groups = []
    for source, assessed in sources:
        if not assessed.findings and not assessed.exempted:
            continue
        # Exempted findings do not propagate (lineage.risk takes only the counted ones).
        reaches = _reaches(source.id, adjacency, nodes) if assessed.findings else ()
        groups.append(Group(source, assessed.findings, assessed.exempted, reaches))
    groups.sort(key=lambda g: (-severity_rank(g.severity or ""), -len(g.reaches), g.source.id))
    warnings = tuple(w for w in _items(answer.get("warnings")))
    generated = answer.get("generatedAt")
    return FindingsReport(tuple(groups), dict(scope or {}), warnings,
                          generated if isinstance(generated, str) else None)


def _reaches(
    source: str, adjacency: Mapping[str, Sequence[str]], nodes: Mapping[str, _Node]
) -> tuple[Reached, ...]:
    """Breadth first from ``source``, neighbours in id order: one shortest path to each."""
    parents = breadth_first([source], adjacency)
    found = []
    for target, parent in parents.items():
        if parent is None:
            continue  # the source itself
        node = nodes.get(target) or _Node(target, target.split(":", 1)[0], target)
        found.append(Reached(node.id, node.kind, node.label, path_to(parents, target)))
    return tuple(sorted(found, key=lambda r: (len(r.path), r.id)))


def _items(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


# -- CSV ----------------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet shows, never runs: a leading ``'`` before what would
    start a formula (bucket, step and dataset names come from whoever named them)."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def csv_rows(report: FindingsReport) -> Iterable[dict[str, str]]:
    """One row per (finding, node it reaches), the source itself first; an exempted finding
    has the source's row only (it does not propagate)."""
    for group in report.groups:
        source = group.source
        itself = Reached(source.id, source.kind, source.label, (source.id,))
        listed: list[tuple[Finding, str, Sequence[Reached]]] = [
            (finding, "", (itself, *group.reaches)) for finding in group.findings
        ]
        listed += [(e.finding, e.reason, (itself,)) for e in group.exempted]
        for finding, reason, reached in listed:
            for node in reached:
                yield {
                    "source": source.id, "sourceKind": source.kind, "bucket": source.bucket,
                    "uri": source.uri, "finding": finding.id, "rule": finding.rule,
                    "severity": finding.severity, "kind": finding.kind, "title": finding.title,
                    "detail": finding.detail, "remedy": finding.remedy, "exemptBecause": reason,
                    "reachedId": node.id, "reachedKind": node.kind, "reachedLabel": node.label,
                    "hops": str(len(node.path) - 1), "path": PATH_SEPARATOR.join(node.path),
                }


def to_csv(report: FindingsReport) -> str:
    """The report as CSV (RFC 4180: quoted where needed, CRLF line ends), a header first."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for row in csv_rows(report):
        writer.writerow({name: neutralise(value) for name, value in row.items()})
    return out.getvalue()
