"""The sibling API's answers, made from ours (pure).

BOB-DSPM/DSPM_DATA-Lineage-Tracking (a FastAPI backend) serves the React frontend
BOB-DSPM/SAGE-FRONT; these functions shape our documents and lists as that API answers, so
the frontend works against this server unchanged:

- :func:`with_views`: a lineage document (docs/CONTRACT.md) with ``graphPipeline`` (the same
  graph as ``graph``), ``graphData`` (:func:`data_graph`), ``domain`` when a domain filter
  matched, and ``run.jobName`` on every step that ran a job;
- :func:`pipelines_answer`: ``/pipelines``' list as ``/sagemaker/pipelines``: by region, each
  pipeline with ``matchedDomain``, filtered by name and domain as the sibling filters;
- :func:`domain_lineage_answer`: ``/lineage/by-domain``, a result per pipeline of a domain.

Nothing here reads AWS; the web side passes documents, lists and ``ListDomains`` entries.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lineage.domains import DOMAIN_NAME_TAG, has_domain_tags, matched_domain

JsonDict = dict[str, Any]

PROCESS_PREFIX = "process:"
DATA_PREFIX = "data:"
READ = "read"
WRITE = "write"


def job_name(job_arn: object) -> str | None:
    """The job's name: the last part of its ARN (``...:training-job/<name>``)."""
    if not isinstance(job_arn, str) or "/" not in job_arn:
        return None
    return job_arn.rsplit("/", 1)[-1] or None


def data_node_id(uri: str) -> str:
    """The sibling's id of an S3 location: lower case, without a trailing slash."""
    return DATA_PREFIX + uri.lower().rstrip("/")


def with_views(
    document: Mapping[str, Any], view: str, *, domain: Mapping[str, Any] | None = None
) -> JsonDict:
    """``document`` with the sibling's keys for ``view`` (``pipeline``, ``data``, ``both``).

    ``domain``: the matched domain as :func:`domain_object` gives it (only when the request
    had a domain filter, which the document passed)."""
    out = copy.deepcopy(dict(document))
    graph = out.get("graph") or {"nodes": [], "edges": [], "artifacts": []}
    for node in graph.get("nodes", []):
        run = node.get("run")
        if isinstance(run, dict):
            name = job_name(run.get("jobArn"))
            if name is not None:
                run["jobName"] = name
    if view in ("pipeline", "both"):
        out["graphPipeline"] = graph
    if view in ("data", "both"):
        out["graphData"] = data_graph(graph)
    if domain is not None:
        out["domain"] = dict(domain)
    return out


def data_graph(graph: Mapping[str, Any]) -> JsonDict:
    """The bipartite graph of steps and the S3 locations they read and write.

    Data nodes first (in the order the steps meet them), then one process node per step in
    definition order; edges ``read`` (location -> step) and ``write`` (step -> location), one
    per pair and kind. Locations that differ only in case or a trailing slash are one node
    (the first URI met names it), as the sibling's ids make them."""
    artifacts = {a.get("uri"): a for a in graph.get("artifacts", []) if a.get("uri")}
    data: dict[str, JsonDict] = {}
    processes: list[JsonDict] = []
    edges: dict[str, JsonDict] = {}

    def data_node(uri: str) -> str:
        node_id = data_node_id(uri)
        if node_id not in data:
            data[node_id] = {"id": node_id, "type": "dataArtifact", "label": uri, "uri": uri,
                             "meta": _meta(artifacts.get(uri))}
        return node_id

    def edge(source: str, target: str, kind: str) -> None:
        edge_id = f"e:{source}->{target}:{kind}"
        edges.setdefault(edge_id, {"id": edge_id, "source": source, "target": target,
                                   "kind": kind})

    for node in graph.get("nodes", []):
        step = str(node.get("id"))
        process = PROCESS_PREFIX + step
        processes.append({
            "id": process,
            "type": "processNode",
            "label": step,
            "stepId": step,
            "stepType": node.get("type"),
            "run": node.get("run"),
            "registry": node.get("registry"),
        })
        for ref in node.get("inputs", []):
            if isinstance(ref.get("uri"), str) and ref["uri"]:
                edge(data_node(ref["uri"]), process, READ)
        for ref in node.get("outputs", []):
            if isinstance(ref.get("uri"), str) and ref["uri"]:
                edge(process, data_node(ref["uri"]), WRITE)
    return {"nodes": [*data.values(), *processes], "edges": list(edges.values())}


def _meta(artifact: Mapping[str, Any] | None) -> JsonDict:
    """A data node's ``meta``: bucket, key and (when settings were read) ``s3``: the
    artifact's settings with its bucket and region, as the frontend's side panel reads them."""
    if artifact is None:
        return {"bucket": None, "key": None}
    meta: JsonDict = {"bucket": artifact.get("bucket"), "key": artifact.get("key")}
    settings = artifact.get("s3")
    if isinstance(settings, Mapping):
        meta["s3"] = {**settings, "bucket": artifact.get("bucket"),
                      "region": settings.get("region")}
    return meta


def domain_object(entry: Mapping[str, Any]) -> JsonDict:
    """A ``ListDomains`` entry as the frontend reads it: ``domainId``, ``domainName``."""
    return {"domainId": entry.get("DomainId"), "domainName": entry.get("DomainName")}


def regions_needing_domains(listing: Mapping[str, Any]) -> list[str]:
    """The regions of a ``/pipelines`` list where a pipeline's tags link it to a domain:
    only there does ``matchedDomain`` need ``ListDomains``."""
    return sorted({str(p.get("region")) for p in listing.get("pipelines", [])
                   if has_domain_tags(p.get("tags"))})


@dataclass(frozen=True)
class PipelineFilters:
    """The sibling's filters of ``/sagemaker/pipelines``."""

    include_latest_exec: bool = False
    name: str | None = None  # part of the name, any case
    domain_name: str | None = None  # matched domain's name or tag DomainName, any case
    domain_id: str | None = None  # matched domain's id or tag DomainId, exactly


def pipelines_answer(
    listing: Mapping[str, Any],
    domains: Mapping[str, Sequence[Mapping[str, Any]] | None],
    filters: PipelineFilters,
) -> JsonDict:
    """``/pipelines``' list (its JSON) as ``/sagemaker/pipelines`` answers: ``{"regions":
    [{"region", "pipelines": [...]}]}`` in the list's region order, a region that could not
    be listed with ``error`` (our warning's message, never AWS's text). ``domains``: each
    region's ``ListDomains`` entries (absent or ``None``: none known)."""
    failed = {w.get("target"): w.get("message") for w in listing.get("warnings", [])
              if str(w.get("code", "")).startswith("REGION_")}
    by_region: dict[str, list[JsonDict]] = {str(r): [] for r in listing.get("regions", [])}
    for pipeline in listing.get("pipelines", []):
        region = str(pipeline.get("region"))
        item = _listed(pipeline, domains.get(region), filters.include_latest_exec)
        if _kept(item, filters):
            by_region.setdefault(region, []).append(item)
    regions = []
    for region, pipelines in by_region.items():
        entry: JsonDict = {"region": region, "pipelines": pipelines}
        if region in failed:
            entry["error"] = failed[region]
        regions.append(entry)
    return {"regions": regions}


def _listed(pipeline: Mapping[str, Any], domains: Sequence[Mapping[str, Any]] | None,
            include_latest: bool) -> JsonDict:
    tags = pipeline.get("tags")
    found = matched_domain(tags, domains)
    item: JsonDict = {
        "name": pipeline.get("name"),
        "arn": pipeline.get("arn"),
        "lastModifiedTime": pipeline.get("lastModifiedTime"),
        "tags": tags,
        "matchedDomain": None if found is None else domain_object(found),
    }
    if include_latest:
        item["latestExecution"] = pipeline.get("latestExecution")
    return item


def _kept(item: Mapping[str, Any], filters: PipelineFilters) -> bool:
    tags = item.get("tags") or {}
    matched = item.get("matchedDomain") or {}
    if filters.name is not None and filters.name.lower() not in str(item.get("name")).lower():
        return False
    if filters.domain_name is not None:
        wanted = filters.domain_name.lower()
        names = {str(matched.get("domainName") or "").lower(),
                 str(tags.get(DOMAIN_NAME_TAG) or "").lower()}
        if wanted not in names:
            return False
    if filters.domain_id is not None and filters.domain_id not in (
            matched.get("domainId"), tags.get("DomainId")):
        return False
    return True


@dataclass(frozen=True)
class PipelineResult:
    """One pipeline of a domain: its document shaped, or what stopped it (our message)."""

    pipeline: str
    document: Mapping[str, Any] | None = None
    error: str | None = None
    code: str | None = None  # the error's warning kind (NOT_FOUND, THROTTLED, ...)


def domain_lineage_answer(
    region: str, domain: str, results: Sequence[PipelineResult]
) -> JsonDict:
    """``/lineage/by-domain``: ``{"region", "domain", "count", "results": [{"pipeline",
    "ok": true, "data"} or {"pipeline", "ok": false, "error", "code"}]}``, by pipeline name."""
    out = []
    for result in sorted(results, key=lambda r: r.pipeline):
        if result.document is not None:
            out.append({"pipeline": result.pipeline, "ok": True, "data": result.document})
        else:
            out.append({"pipeline": result.pipeline, "ok": False, "error": result.error,
                        "code": result.code})
    return {"region": region, "domain": domain, "count": len(out), "results": out}
