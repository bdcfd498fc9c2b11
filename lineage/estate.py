"""Estate lineage: pipelines, datasets, packages, models and endpoints as one graph (pure).

:func:`assemble_estate` builds it from plain dicts: the per-pipeline lineage documents
(``LineageDocument.to_dict()``, docs/CONTRACT.md) and the Describe* answers of model packages,
models, endpoint configs and endpoints (:mod:`lineage.estate_reader` reads them). Node ids
start with their kind; SageMaker ARNs in ids are lower-cased (AWS writes resource names in
ARNs in lower case, whatever the name's case, so one resource always has one id):

    pipeline:<account>:<region>:<name>      dataset:<folded uri> (lineage.datasets)
    model-package-group:<arn>   model-package:<arn>   model:<arn>
    endpoint-config:<arn>       endpoint:<arn>        <kind>:<arn> (what a step created)

Edges point downstream, so impact follows them and provenance walks them backwards:

    dataset  -reads->      pipeline      (the steps reading it)
    pipeline -writes->     dataset       (the steps writing it)
    pipeline -registers->  model-package (a RegisterModel step, or the package's
                                          MetadataProperties.GeneratedBy names a run)
    model-package-group -contains-> model-package   (structure; queries do not follow it)
    dataset  -packages->   model-package (an InferenceSpecification container's ModelDataUrl)
    model-package -builds-> model, dataset -builds-> model (DescribeModel's containers)
    model    -configures-> endpoint-config (production and shadow variants)
    endpoint-config -serves-> endpoint
    pipeline -deploys->    model | endpoint-config | endpoint | ... (Model, CreateModel,
                           EndpointConfig, Endpoint, InferenceComponent, Bedrock* steps)

Datasets meet across runs and pipelines by their folded location; a dataset below another
the estate holds (``s3://b/data/train/x.csv`` under ``s3://b/data/train``) is folded into
that one (its ``uris`` attribute lists what was merged). A bucket alone is never such a
folder. Each dataset carries its bucket's settings (``s3``), one set per bucket.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from lineage.datasets import bucket_of, dataset_of, nearest_folder
from lineage.findings import Assessment, findings_for
from lineage.models import JsonDict, Warning, iso
from lineage.policy import Policy
from lineage.risk import Risk, estate_risk
from lineage.step_types import dig

# Step types whose run created a serving resource; their ``run.jobArn`` is its ARN.
DEPLOYING_STEP_TYPES = frozenset(
    {
        "Model",
        "CreateModel",
        "EndpointConfig",
        "Endpoint",
        "InferenceComponent",
        "BedrockCustomModel",
        "BedrockCustomModelDeployment",
        "BedrockProvisionedModelThroughput",
        "BedrockModelImport",
    }
)
# Edge kinds the queries do not follow (structure, not flow of data).
STRUCTURAL_EDGES = frozenset({"contains"})


@dataclass(frozen=True)
class EstateNode:
    id: str
    kind: str
    label: str
    region: str | None = None
    account: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    # Its own findings and those it inherits (lineage.risk); None: nothing was judged.
    risk: Risk | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "region": self.region,
            "account": self.account,
            "attributes": _sorted_json(self.attributes),
        }
        if self.risk is not None:
            out["risk"] = self.risk.to_dict()
        return out


@dataclass(frozen=True, order=True)
class EstateEdge:
    source: str
    target: str
    kind: str
    steps: tuple[str, ...] = ()

    def to_dict(self) -> JsonDict:
        return {"from": self.source, "to": self.target, "kind": self.kind,
                "steps": list(self.steps)}


@dataclass(frozen=True)
class EstateProgress:
    """While an estate is first built: pipelines whose documents are read, of how many."""

    pipelines_read: int
    pipelines_total: int

    @property
    def done(self) -> bool:
        return self.pipelines_read >= self.pipelines_total

    def to_dict(self) -> JsonDict:
        return {"pipelinesRead": self.pipelines_read, "pipelinesTotal": self.pipelines_total}


@dataclass(frozen=True)
class Estate:
    nodes: tuple[EstateNode, ...]
    edges: tuple[EstateEdge, ...]
    warnings: tuple[Warning, ...]
    generated_at: datetime
    progress: EstateProgress | None = None

    def node(self, node_id: str) -> EstateNode | None:
        return self._by_id.get(node_id)

    @property
    def _by_id(self) -> dict[str, EstateNode]:
        cached: dict[str, EstateNode] | None = self.__dict__.get("_index")
        if cached is None:
            cached = {node.id: node for node in self.nodes}
            object.__setattr__(self, "_index", cached)
        return cached

    @property
    def transient(self) -> bool:
        return any(warning.transient for warning in self.warnings)

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "nodes": [node.to_dict() for node in self.nodes],
            "edges": [edge.to_dict() for edge in self.edges],
            "warnings": [warning.to_dict() for warning in self.warnings],
            "generatedAt": iso(self.generated_at),
        }
        if self.progress is not None:
            out["progress"] = self.progress.to_dict()
        return out


# -- ids -------------------------------------------------------------------------------------


def pipeline_id(account: str, region: str, name: str) -> str:
    return f"pipeline:{account}:{region}:{name}"


def dataset_id(dataset: str) -> str:
    return f"dataset:{dataset}"


def arn_node_id(arn: str) -> str:
    """``<kind>:<arn>`` from a SageMaker ARN's resource type (``model-package``, ...)."""
    return f"{arn_kind(arn)}:{arn.lower()}"


def arn_kind(arn: str) -> str:
    resource = arn.split(":", 5)[-1]
    return resource.split("/", 1)[0] or "resource"


def arn_region_account(arn: str) -> tuple[str | None, str | None]:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None, None
    return parts[3] or None, parts[4] or None


def _arn_name(arn: str) -> str:
    return arn.split(":", 5)[-1].split("/", 1)[-1]


# -- assembling ------------------------------------------------------------------------------


def assemble_estate(
    *,
    pipelines: Sequence[Mapping[str, Any]],
    documents: Mapping[str, Sequence[Mapping[str, Any]]],
    package_groups: Sequence[Mapping[str, Any]] = (),
    packages: Sequence[Mapping[str, Any]] = (),
    models: Sequence[Mapping[str, Any]] = (),
    endpoint_configs: Sequence[Mapping[str, Any]] = (),
    endpoints: Sequence[Mapping[str, Any]] = (),
    bucket_settings: Mapping[str, Mapping[str, Any] | None] | None = None,
    warnings: Iterable[Warning] = (),
    generated_at: datetime,
    progress: EstateProgress | None = None,
    domain_filtered: bool = False,
    policy: Policy | None = None,
) -> Estate:
    """The estate graph (module docstring).

    ``pipelines``: ``PipelineInfo.listed()`` dicts with an ``account`` key; ``documents``:
    pipeline node id -> its lineage documents (``to_dict()``, newest first); the rest: AWS's
    Describe* answers (``ListModelPackageGroups`` summaries for the groups).
    ``bucket_settings``: bucket -> the contract's ``s3`` object (or ``None``: unknown); the
    documents' own ``s3`` settings fill in the buckets it lacks. ``domain_filtered``: keep
    only what is connected to a pipeline (the pipelines are a domain's). ``policy``: judge
    each dataset's bucket and follow the findings downstream (each node's ``risk``).
    """
    builder = _Builder(bucket_settings or {})
    for pipeline in pipelines:
        builder.add_pipeline(pipeline, documents.get(_listed_id(pipeline), ()))
    for group in package_groups:
        builder.add_group(group)
    for package in packages:
        builder.add_package(package)
    for model in models:
        builder.add_model(model)
    for config in endpoint_configs:
        builder.add_endpoint_config(config)
    for endpoint in endpoints:
        builder.add_endpoint(endpoint)
    return builder.build(
        warnings=warnings,
        generated_at=generated_at,
        progress=progress,
        domain_filtered=domain_filtered,
        policy=policy,
    )


def _listed_id(pipeline: Mapping[str, Any]) -> str:
    return pipeline_id(
        str(pipeline.get("account") or ""), str(pipeline.get("region") or ""),
        str(pipeline.get("name") or ""),
    )


class _Builder:
    def __init__(self, bucket_settings: Mapping[str, Mapping[str, Any] | None]) -> None:
        self.nodes: dict[str, EstateNode] = {}
        # (source, target, kind) -> steps
        self.edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        self.buckets: dict[str, Mapping[str, Any] | None] = {
            bucket.lower(): settings for bucket, settings in bucket_settings.items()
        }
        # dataset -> the concrete URIs folded into it
        self.dataset_uris: dict[str, set[str]] = defaultdict(set)
        # pipeline ARN (lower case) -> its node id; execution ARN -> pipeline node id
        self.pipeline_by_arn: dict[str, str] = {}
        # a concrete training output URI -> (pipeline id, step, execution ARN)
        self.trained: dict[str, tuple[str, str, str | None]] = {}
        # (account, region, name lower case) -> node id, for names that stand for ARNs
        self.by_name: dict[tuple[str, str, str, str], str] = {}

    # -- nodes -----------------------------------------------------------------------------

    def node(self, node: EstateNode, *, relabel: bool = True) -> str:
        """Add a node, or merge what it says (its attributes win) into the one known."""
        known = self.nodes.get(node.id)
        if known is not None:
            node = EstateNode(
                node.id, node.kind, node.label if relabel else known.label,
                node.region or known.region, node.account or known.account,
                {**known.attributes, **node.attributes},
            )
        self.nodes[node.id] = node
        return node.id

    def edge(self, source: str, target: str, kind: str, steps: Iterable[str] = ()) -> None:
        if source != target:
            self.edges[(source, target, kind)].update(steps)

    def arn_node(self, arn: str, label: str | None = None, **attributes: Any) -> str:
        region, account = arn_region_account(arn)
        node_id = arn_node_id(arn)
        name = label or _arn_name(arn)
        attrs = {"arn": arn, **{k: v for k, v in attributes.items() if v is not None}}
        self.node(EstateNode(node_id, arn_kind(arn), name, region, account, attrs),
                  relabel=label is not None)
        if region and account:
            self.by_name[(arn_kind(arn), account, region, name.lower())] = node_id
        return node_id

    def named(self, kind: str, account: str | None, region: str | None, name: str) -> str:
        """The node of a resource named in an answer; one made up from its ARN if unseen."""
        found = self.by_name.get((kind, account or "", region or "", name.lower()))
        if found is not None:
            return found
        if name.startswith("arn:"):
            return self.arn_node(name)
        arn = f"arn:aws:sagemaker:{region}:{account}:{kind}/{name}"
        return self.arn_node(arn, name)

    def dataset(self, uri: str, *, execution_ids: Iterable[str] = (),
                job_names: Iterable[str] = ()) -> str | None:
        folded = dataset_of(uri, execution_ids=execution_ids, job_names=job_names)
        if folded is None:
            return None
        self.dataset_uris[folded].add(uri)
        return dataset_id(folded)

    # -- pipelines -------------------------------------------------------------------------

    def add_pipeline(
        self, pipeline: Mapping[str, Any], documents: Sequence[Mapping[str, Any]]
    ) -> None:
        account = str(pipeline.get("account") or "")
        region = str(pipeline.get("region") or "")
        name = str(pipeline.get("name") or "")
        node_id = pipeline_id(account, region, name)
        # The listing's, else the newest execution among the documents read.
        latest = pipeline.get("latestExecution") or _newest_execution(documents)
        self.node(
            EstateNode(
                node_id, "pipeline", name, region, account,
                {
                    "arn": pipeline.get("arn"),
                    "lastModifiedTime": pipeline.get("lastModifiedTime"),
                    "lastRunTime": pipeline.get("lastRunTime"),
                    "latestExecution": None if latest is None else {
                        key: latest.get(key) for key in ("id", "arn", "status", "startTime")
                    },
                    "executionsRead": [
                        (document.get("execution") or {}).get("id") for document in documents
                        if document.get("execution")
                    ],
                },
            )
        )
        if pipeline.get("arn"):
            self.pipeline_by_arn[str(pipeline["arn"]).lower()] = node_id
        for document in documents:
            self.add_document(node_id, document)

    def add_document(self, pipeline: str, document: Mapping[str, Any]) -> None:
        graph = document.get("graph") or {}
        execution = document.get("execution") or {}
        execution_ids = [str(execution["id"])] if execution.get("id") else []
        steps: list[Mapping[str, Any]] = list(graph.get("nodes") or [])
        jobs = [
            _arn_name(str(run["jobArn"])).rsplit("/", 1)[-1]
            for step in steps
            if (run := step.get("run")) and run.get("jobArn")
        ]
        for artifact in graph.get("artifacts") or []:
            bucket = artifact.get("bucket")
            if bucket and artifact.get("s3") is not None and (
                str(bucket).lower() not in self.buckets
            ):
                self.buckets[str(bucket).lower()] = artifact["s3"]
        for step in steps:
            name = str(step.get("id"))
            for ref in step.get("inputs") or []:
                found = self.dataset(str(ref.get("uri", "")), execution_ids=execution_ids,
                                     job_names=jobs)
                if found is not None:
                    self.edge(found, pipeline, "reads", [name])
            for ref in step.get("outputs") or []:
                uri = str(ref.get("uri", ""))
                found = self.dataset(uri, execution_ids=execution_ids, job_names=jobs)
                if found is not None:
                    self.edge(pipeline, found, "writes", [name])
                    if ref.get("name") == "model_artifacts" and "{" not in uri:
                        self.trained[uri] = (pipeline, name, execution.get("arn"))
            registry = step.get("registry") or {}
            if registry.get("modelPackageArn"):
                package = self.arn_node(str(registry["modelPackageArn"]),
                                        approvalStatus=registry.get("approvalStatus"))
                self.edge(pipeline, package, "registers", [name])
            run = step.get("run") or {}
            if step.get("type") in DEPLOYING_STEP_TYPES and run.get("jobArn"):
                self.edge(pipeline, self.arn_node(str(run["jobArn"])), "deploys", [name])

    # -- the registry and serving ----------------------------------------------------------

    def add_group(self, group: Mapping[str, Any]) -> None:
        arn = group.get("ModelPackageGroupArn")
        if arn:
            self.arn_node(str(arn), str(group.get("ModelPackageGroupName") or "") or None)

    def add_package(self, package: Mapping[str, Any]) -> None:
        arn = package.get("ModelPackageArn")
        if not arn:
            return
        region, account = arn_region_account(str(arn))
        urls = container_urls(package)
        group = package.get("ModelPackageGroupName")
        label = f"{group}/{package['ModelPackageVersion']}" if (
            group and package.get("ModelPackageVersion") is not None) else None
        node_id = self.arn_node(
            str(arn), label,
            group=group, version=package.get("ModelPackageVersion"),
            approvalStatus=package.get("ModelApprovalStatus"),
            status=package.get("ModelPackageStatus"),
            modelDataUrls=urls or None,
        )
        if group:
            self.edge(self.named("model-package-group", account, region, str(group)), node_id,
                      "contains")
        for url in urls:
            found = self.dataset(url)
            if found is not None:
                self.edge(found, node_id, "packages")
        generated_by = str(dig(package, "MetadataProperties", "GeneratedBy") or "")
        if "/execution/" in generated_by:
            pipeline = self.pipeline_by_arn.get(generated_by.split("/execution/")[0].lower())
            if pipeline is not None:
                self.edge(pipeline, node_id, "registers")

    def add_model(self, model: Mapping[str, Any]) -> None:
        arn = model.get("ModelArn")
        if not arn:
            return
        region, account = arn_region_account(str(arn))
        containers = _containers(model)
        urls = _container_urls(containers)
        trained = [self.trained[url] for url in urls if url in self.trained]
        node_id = self.arn_node(
            str(arn), str(model.get("ModelName") or "") or None,
            modelDataUrls=urls or None,
            trainedBy=[
                {"pipeline": pipeline, "step": step, "execution": execution}
                for pipeline, step, execution in trained
            ] or None,
        )
        for url in urls:
            found = self.dataset(url)
            if found is not None:
                self.edge(found, node_id, "builds")
        for container in containers:
            package = container.get("ModelPackageName")
            if package:
                self.edge(self.named("model-package", account, region, str(package)), node_id,
                          "builds")

    def add_endpoint_config(self, config: Mapping[str, Any]) -> None:
        arn = config.get("EndpointConfigArn")
        if not arn:
            return
        region, account = arn_region_account(str(arn))
        node_id = self.arn_node(str(arn), str(config.get("EndpointConfigName") or "") or None)
        variants = [
            *(config.get("ProductionVariants") or []),
            *(config.get("ShadowProductionVariants") or []),
        ]
        for variant in variants:
            model = variant.get("ModelName")
            if model:
                self.edge(self.named("model", account, region, str(model)), node_id,
                          "configures", [str(variant.get("VariantName") or "")] if
                          variant.get("VariantName") else [])

    def add_endpoint(self, endpoint: Mapping[str, Any]) -> None:
        arn = endpoint.get("EndpointArn")
        if not arn:
            return
        region, account = arn_region_account(str(arn))
        node_id = self.arn_node(
            str(arn), str(endpoint.get("EndpointName") or "") or None,
            status=endpoint.get("EndpointStatus"),
        )
        config = endpoint.get("EndpointConfigName")
        if config:
            self.edge(self.named("endpoint-config", account, region, str(config)), node_id,
                      "serves")

    # -- the graph -------------------------------------------------------------------------

    def build(
        self,
        *,
        warnings: Iterable[Warning],
        generated_at: datetime,
        progress: EstateProgress | None,
        domain_filtered: bool,
        policy: Policy | None,
    ) -> Estate:
        merged = self._merge_datasets()
        members: dict[str, list[str]] = defaultdict(list)  # a dataset -> what folds into it
        for folded, target in merged.items():
            members[target].append(folded)
        for target, folded_in in members.items():
            bucket = bucket_of(target)
            self.nodes[dataset_id(target)] = EstateNode(
                dataset_id(target), "dataset", target, None, None,
                {
                    "uri": target,
                    "bucket": bucket,
                    "s3": self.buckets.get(bucket or ""),
                    "uris": sorted({u for f in folded_in for u in self.dataset_uris[f]}),
                    "merged": sorted(f for f in folded_in if f != target),
                },
            )
        edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for (source, target, kind), steps in self.edges.items():
            source, target = _renamed(source, merged), _renamed(target, merged)
            if source != target:
                edges[(source, target, kind)].update(steps)
        for source, target, _kind in edges:
            for end in (source, target):
                if end not in self.nodes:  # a name seen in an answer only
                    self.nodes[end] = EstateNode(end, end.split(":", 1)[0], end)
        keep = set(self.nodes)
        if domain_filtered:
            keep = _connected_to_pipelines(self.nodes, edges)
        nodes = tuple(sorted((n for n in self.nodes.values() if n.id in keep),
                             key=lambda n: n.id))
        kept_edges = tuple(sorted(
            EstateEdge(source, target, kind, tuple(sorted(steps)))
            for (source, target, kind), steps in edges.items()
            if source in keep and target in keep
        ))
        if policy is not None:
            nodes = _judged(nodes, kept_edges, policy)
        return Estate(
            nodes=nodes,
            edges=kept_edges,
            warnings=tuple(sorted(set(warnings))),
            generated_at=generated_at,
            progress=progress,
        )

    def _merge_datasets(self) -> dict[str, str]:
        """Each folded location -> the dataset it belongs to (itself, or the nearest folder
        above it that the estate holds, never a bucket alone)."""
        # A kept dataset by its folder (no trailing slash), to walk up from a location.
        kept: dict[str, str] = {}
        result: dict[str, str] = {}
        for location in sorted(self.dataset_uris):  # a folder comes before what lies below it
            parent = nearest_folder(location, kept)
            if parent is None:
                kept.setdefault(location.rstrip("/"), location)
                result[location] = location
            else:
                result[location] = parent
        return result


def document_essentials(document: Mapping[str, Any]) -> JsonDict:
    """The part of a lineage document an estate reads (``add_document``, and the reader's
    buckets and configs): what a build keeps for the next, a fraction of the whole."""
    graph = document.get("graph") or {}
    execution = document.get("execution")
    steps = []
    for step in graph.get("nodes") or []:
        kept: JsonDict = {
            "id": step.get("id"),
            "type": step.get("type"),
            "inputs": [{"uri": ref.get("uri")} for ref in step.get("inputs") or []],
            "outputs": [{"name": ref.get("name"), "uri": ref.get("uri")}
                        for ref in step.get("outputs") or []],
        }
        if (step.get("run") or {}).get("jobArn"):
            kept["run"] = {"jobArn": step["run"]["jobArn"]}
        if (step.get("registry") or {}).get("modelPackageArn"):
            kept["registry"] = {key: step["registry"].get(key)
                                for key in ("modelPackageArn", "approvalStatus")}
        steps.append(kept)
    return {
        "execution": {key: execution.get(key) for key in ("id", "arn", "status", "startTime")}
        if isinstance(execution, Mapping) else None,
        "graph": {
            "nodes": steps,
            "artifacts": [{"bucket": artifact.get("bucket"), "s3": artifact.get("s3")}
                          for artifact in graph.get("artifacts") or []],
        },
    }


def judge_estate(estate: Estate, policy: Policy) -> Estate:
    """``estate`` with each node's risk under ``policy``, as ``assemble_estate(policy=)``."""
    return replace(estate, nodes=_judged(estate.nodes, estate.edges, policy))


def judge_dataset(attributes: Mapping[str, Any], policy: Policy) -> Assessment:
    """A dataset node's findings (its ``attributes``): its bucket's settings, at its key."""
    s3 = attributes.get("s3")
    bucket = str(attributes.get("bucket") or "")
    key = str(attributes.get("uri") or "").removeprefix(f"s3://{bucket}").lstrip("/")
    return findings_for(s3 if isinstance(s3, Mapping) else None, bucket, key, policy)


def _judged(
    nodes: Sequence[EstateNode], edges: Sequence[EstateEdge], policy: Policy
) -> tuple[EstateNode, ...]:
    """The nodes with their risk: each dataset's bucket judged, the findings followed down."""
    datasets = {node.id: judge_dataset(node.attributes, policy) for node in nodes
                if node.kind == "dataset"}
    risks = estate_risk(datasets, ((e.source, e.target, e.kind) for e in edges),
                        (node.id for node in nodes), STRUCTURAL_EDGES)
    return tuple(replace(node, risk=risks.get(node.id)) for node in nodes)


def _renamed(node_id: str, merged: Mapping[str, str]) -> str:
    if node_id.startswith("dataset:"):
        return dataset_id(merged.get(node_id[len("dataset:"):], node_id[len("dataset:"):]))
    return node_id


def _connected_to_pipelines(
    nodes: Mapping[str, EstateNode], edges: Iterable[tuple[str, str, str]]
) -> set[str]:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for source, target, _kind in edges:
        neighbours[source].add(target)
        neighbours[target].add(source)
    seen = {node_id for node_id, node in nodes.items() if node.kind == "pipeline"}
    stack = list(seen)
    while stack:
        for other in neighbours[stack.pop()]:
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def _containers(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A model's containers (DescribeModel), or a model package's (DescribeModelPackage)."""
    primary = resource.get("PrimaryContainer")
    found = [primary] if isinstance(primary, Mapping) else []
    more = resource.get("Containers") or dig(resource, "InferenceSpecification", "Containers")
    found.extend(c for c in more or [] if isinstance(c, Mapping))
    return found


def container_urls(resource: Mapping[str, Any]) -> list[str]:
    """The model artifacts (``ModelDataUrl``) a DescribeModel or DescribeModelPackage names."""
    return _container_urls(_containers(resource))


def _container_urls(containers: Any) -> list[str]:
    urls: list[str] = []
    for container in containers or []:
        if not isinstance(container, Mapping):
            continue
        url = container.get("ModelDataUrl") or dig(
            container, "ModelDataSource", "S3DataSource", "S3Uri"
        )
        if isinstance(url, str) and url and url not in urls:
            urls.append(url)
    return urls


def _sorted_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _sorted_json(v) for k, v in sorted(value.items(), key=lambda i: str(i[0]))}
    if isinstance(value, list | tuple):
        return [_sorted_json(v) for v in value]
    return value


def _newest_execution(documents: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    executions = [d["execution"] for d in documents if isinstance(d.get("execution"), Mapping)]
    return max(executions, key=lambda e: str(e.get("startTime") or ""), default=None)
