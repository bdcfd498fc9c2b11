"""A lineage document as OpenLineage RunEvents (issue 16): pure, no I/O.

``run_events(document)`` gives openlineage-python's own ``RunEvent`` objects (the HTTP
transport sends them as they are); ``run_event_dicts(document)`` their JSON, as the client's
``Serde`` writes it (``GET /lineage?format=openlineage``, ``sagemaker-lineage dump --format
openlineage``). The document is a ``LineageDocument`` or its contract dict (docs/CONTRACT.md).

What becomes what (docs/OPENLINEAGE.md says it for users):

- The execution is the parent run: job ``<pipeline>`` in the namespace
  ``arn:<partition>:sagemaker:<region>:<account>`` (taken from the execution's ARN, the way the
  OpenLineage naming spec names AWS Glue's tables after Glue's ARN prefix), START at its start
  and COMPLETE / FAIL / ABORT at its end once it has ended.
- Each step that ran is a job ``<pipeline>.<step>`` (as Airflow's ``<dag>.<task>``) with a run
  whose ``parent`` facet names the execution's run (and its ``root``); START at the step's
  start, then COMPLETE (Succeeded), FAIL (Failed, with an ``errorMessage`` facet of its failure
  reason) or ABORT (Stopped) at its end; a step still Starting, Executing or Stopping has its
  START only. A step without run info (no execution, not started, a branch not taken) has no
  events: OpenLineage runs are things that happened, and its datasets appear with the steps
  that did run.
- Run ids are UUIDs (version 7) made from the run's start time and a SHA-256 of the execution
  ARN (and step name), so the same execution always gives the same ids and START and its
  end share one; a run without a start time gets a UUID version 5 of the same key.
- Inputs and outputs are the step's S3 locations, named by the naming spec: namespace
  ``s3://<bucket>``, name the key (``/`` for the bucket itself). Locations that are not known
  yet (``{Steps.X...}`` placeholders, unresolved bucket names) are left out: they are no
  dataset anyone can find. Both the START and the end event carry them.
- Facets: ``jobType`` (integration ``SAGEMAKER``, jobType ``Pipeline`` or the step's type);
  ``executionParameters`` (the execution's parameter values) on the pipeline's runs; a dataset
  ``schema`` where the artifact carries one (a list of columns with ``name`` and ``type``);
  and two of our own, ``sagemakerLineage_bucketSecurity`` (an artifact's ``s3`` settings and
  findings) and ``sagemakerLineage_metrics`` (a step's ``run.metrics``), each with a
  ``_schemaURL`` naming a JSON Schema shipped in ``lineage/schema/openlineage/``.
- Events are in time order (ties: the execution's START first, its end last, a step's START
  before its end, definition order otherwise).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, ClassVar

import attr
from openlineage.client.event_v2 import (
    InputDataset,
    Job,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
)
from openlineage.client.facet_v2 import (
    DatasetFacet,
    JobFacet,
    RunFacet,
    error_message_run,
    execution_parameters_run,
    job_type_job,
    parent_run,
    schema_dataset,
)
from openlineage.client.serde import Serde

from lineage.errors import InvalidParameter
from lineage.models import LineageDocument

JsonDict = dict[str, Any]

# Our product as an OpenLineage producer (every event's ``producer`` and facet's ``_producer``).
# A test holds it to the installed distribution's version.
PRODUCER_VERSION = "0.1.0"
PRODUCT_URI = "https://sagemaker-lineage.example"
PRODUCER = f"{PRODUCT_URI}/sagemaker-lineage/{PRODUCER_VERSION}"
# Where our custom facets' schemas are published; each file in lineage/schema/openlineage/
# has this base and its own name as its ``$id``.
FACET_SCHEMA_BASE = f"{PRODUCT_URI}/schema/openlineage/1-0-0/"
FACET_SCHEMA_FILES = ("BucketSecurityDatasetFacet.json", "MetricsRunFacet.json")
BUCKET_SECURITY_FACET = "sagemakerLineage_bucketSecurity"
METRICS_FACET = "sagemakerLineage_metrics"
INTEGRATION = "SAGEMAKER"
PIPELINE_JOB_TYPE = "Pipeline"
# ErrorMessageRunFacet requires one; SageMaker's failure reasons come from jobs in any language.
ERROR_LANGUAGE = "UNKNOWN"

# SageMaker's statuses (of an execution and of a step) -> the event that ends its run; the
# others (Starting, Executing, Stopping, anything new) have not ended.
END_STATE: Mapping[str, RunState] = {
    "Succeeded": RunState.COMPLETE,
    "Failed": RunState.FAIL,
    "Stopped": RunState.ABORT,
}
EXECUTION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"pipeline/[^/]+/execution/[^/]+"
)
# Key characters that mean the location is not known yet: placeholders, unrendered templates.
UNRESOLVED = re.compile(r"[{}]|\$\{")
_RUN_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PRODUCER)


@attr.define
class BucketSecurityDatasetFacet(DatasetFacet):
    """``sagemakerLineage_bucketSecurity``: how the dataset's bucket is secured."""

    bucket: str
    encryption: str
    versioning: str
    publicAccess: str  # noqa: N815 (the facet's JSON names)
    region: str | None = attr.field(default=None)
    publicPolicy: str | None = attr.field(default=None)  # noqa: N815
    objectLock: str | None = attr.field(default=None)  # noqa: N815
    # Serde drops None values: "could not be read" (null in the contract) is an absent key,
    # "none" an empty mapping or list.
    tags: dict[str, str] | None = attr.field(default=None)
    lifecycle: list[JsonDict] | None = attr.field(default=None)
    sensitiveData: JsonDict | None = attr.field(default=None)  # noqa: N815
    severity: str | None = attr.field(default=None)
    findings: list[JsonDict] | None = attr.field(default=None)
    _additional_skip_redact: ClassVar[list[str]] = ["bucket"]

    @staticmethod
    def _get_schema() -> str:
        return facet_schema_url("BucketSecurityDatasetFacet")


@attr.define
class MetricsRunFacet(RunFacet):
    """``sagemakerLineage_metrics``: the metrics a step's job reported."""

    metrics: dict[str, float]

    @staticmethod
    def _get_schema() -> str:
        return facet_schema_url("MetricsRunFacet")


def facet_schema_url(name: str) -> str:
    return f"{FACET_SCHEMA_BASE}{name}.json#/$defs/{name}"


@cache
def facet_schemas() -> dict[str, JsonDict]:
    """Our custom facets' JSON Schemas as shipped, by ``$id``."""
    folder = resources.files("lineage").joinpath("schema/openlineage")
    schemas: dict[str, JsonDict] = {}
    for name in FACET_SCHEMA_FILES:
        schema: JsonDict = json.loads(folder.joinpath(name).read_text("utf-8"))
        schemas[schema["$id"]] = schema
    return schemas


def run_events(
    document: LineageDocument | Mapping[str, Any], *, namespace: str | None = None
) -> list[RunEvent]:
    """The execution of ``document`` as RunEvents, in time order; ``[]`` without one.

    ``namespace`` replaces the jobs' namespace (default: the execution's
    ``arn:<partition>:sagemaker:<region>:<account>``).
    """
    data = document.to_dict() if isinstance(document, LineageDocument) else document
    if not isinstance(data, Mapping):
        raise InvalidParameter("document", "must be a lineage document (a JSON object)")
    if namespace is not None:
        check_namespace(namespace)
    execution = data.get("execution")
    if execution is None:
        return []
    return _Builder(data, _mapping(execution, "execution"), namespace).events()


def run_event_dicts(
    document: LineageDocument | Mapping[str, Any], *, namespace: str | None = None
) -> list[JsonDict]:
    """``run_events`` as JSON objects, through the client's own serializer."""
    return [event_dict(event) for event in run_events(document, namespace=namespace)]


def event_dict(event: RunEvent) -> JsonDict:
    return Serde.to_dict(event)


def describe_event(event: RunEvent) -> str:
    """``COMPLETE mlops-pipeline.Train 2025-03-02T07:18:51Z`` (for reports)."""
    state = event.eventType.value if event.eventType is not None else "EVENT"
    return f"{state} {event.job.name} {event.eventTime}"


def check_namespace(namespace: str) -> None:
    if not namespace.strip():
        raise InvalidParameter("namespace", "must not be empty")
    if len(namespace) > 1024 or any(ord(char) < 32 for char in namespace):
        raise InvalidParameter("namespace", "must be at most 1024 printable characters")


def run_id(key: str, started: datetime | None) -> str:
    """A UUID version 7 of ``started`` (milliseconds) and a SHA-256 of ``key``: the same
    run always gets the same id, and ids sort by start; version 5 of ``key`` without a time."""
    if started is None:
        return str(uuid.uuid5(_RUN_ID_NAMESPACE, key))
    millis = int(started.timestamp() * 1000) & (2**48 - 1)
    noise = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:10], "big")
    value = (millis << 80) | noise
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # the RFC 9562 variant
    return str(uuid.UUID(int=value))


@dataclass(frozen=True)
class _Timed:
    at: datetime
    rank: int  # 0: the execution's START, 1: a step's event, 2: the execution's end
    order: int  # position among steps (definition order), then START before the end
    event: RunEvent


class _Builder:
    def __init__(
        self, data: Mapping[str, Any], execution: Mapping[str, Any], namespace: str | None
    ) -> None:
        arn = execution.get("arn")
        match = EXECUTION_ARN.fullmatch(arn) if isinstance(arn, str) else None
        if match is None:
            raise InvalidParameter("document", "execution.arn is not a pipeline execution ARN")
        assert isinstance(arn, str)
        pipeline = _mapping(data.get("pipeline"), "pipeline")
        name = pipeline.get("name")
        if not isinstance(name, str) or not name:
            raise InvalidParameter("document", "pipeline.name must be a non-empty string")
        graph = _mapping(data.get("graph"), "graph")
        self.execution = execution
        self.execution_arn = arn
        self.pipeline = name
        self.namespace = namespace or (
            f"arn:{match['partition']}:sagemaker:{match['region']}:{match['account']}"
        )
        self.nodes = _list(graph.get("nodes"), "graph.nodes")
        self.artifacts = {
            artifact["uri"]: artifact
            for artifact in _list(graph.get("artifacts", []), "graph.artifacts")
            if isinstance(artifact.get("uri"), str)
        }
        generated_at = _time(data.get("generatedAt"), "generatedAt")
        if generated_at is None:
            raise InvalidParameter("document", "generatedAt must be an ISO-8601 time")
        self.generated_at = generated_at
        self.started = _time(execution.get("startTime"), "execution.startTime")
        self.ended = _time(execution.get("endTime"), "execution.endTime")
        self.parent_id = run_id(arn, self.started)

    def events(self) -> list[RunEvent]:
        timed = [*self._execution_events()]
        for position, node in enumerate(self.nodes):
            timed.extend(self._step_events(position, node))
        timed.sort(key=lambda item: (item.at, item.rank, item.order))
        return [item.event for item in timed]

    def _execution_events(self) -> Iterable[_Timed]:
        status = self.execution.get("status")
        job = Job(namespace=self.namespace, name=self.pipeline,
                  facets=self._job_facets(PIPELINE_JOB_TYPE))
        # Without its own start, the execution began no later than its first step.
        start_at = self.started or min(
            (at for at in map(self._step_start, self.nodes) if at is not None),
            default=self.ended or self.generated_at,
        )
        facets: dict[str, RunFacet] = {}
        parameters = self.execution.get("parameters")
        if isinstance(parameters, Mapping) and parameters:
            facets["executionParameters"] = execution_parameters_run.ExecutionParametersRunFacet(
                parameters=[
                    execution_parameters_run.ExecutionParameter(key=str(key), value=str(value))
                    for key, value in sorted(parameters.items())
                ],
                producer=PRODUCER,
            )
        yield _Timed(start_at, 0, 0, self._event(RunState.START, start_at, self.parent_id, job,
                                                   facets))
        end = END_STATE.get(status) if isinstance(status, str) else None
        if end is None:
            return
        end_at = max(self.ended or self.generated_at, start_at)
        end_facets = dict(facets)
        if end is RunState.FAIL:
            end_facets["errorMessage"] = _error(
                self.execution.get("failureReason"), "The pipeline execution failed"
            )
        yield _Timed(end_at, 2, 0, self._event(end, end_at, self.parent_id, job, end_facets))

    @staticmethod
    def _step_start(node: Mapping[str, Any]) -> datetime | None:
        run = node.get("run")
        if not isinstance(run, Mapping):
            return None
        try:
            return _time(run.get("startTime"), "") or _time(run.get("endTime"), "")
        except InvalidParameter:
            return None  # said by _step_events, with the node's position

    def _step_events(self, position: int, node: Mapping[str, Any]) -> Iterable[_Timed]:
        step = node.get("id")
        if not isinstance(step, str) or not step:
            raise InvalidParameter("document", f"graph.nodes[{position}].id must be a string")
        run = node.get("run")
        if run is None:
            return
        run = _mapping(run, f"graph.nodes[{position}].run")
        where = f"graph.nodes[{position}].run"
        started = _time(run.get("startTime"), f"{where}.startTime")
        ended = _time(run.get("endTime"), f"{where}.endTime")
        start_at = started or ended or self.started or self.generated_at
        step_type = node.get("type") if isinstance(node.get("type"), str) else "Unknown"
        job = Job(namespace=self.namespace, name=f"{self.pipeline}.{step}",
                  facets=self._job_facets(str(step_type)))
        identity = run_id(f"{self.execution_arn}/step/{step}", started)
        facets: dict[str, RunFacet] = {"parent": self._parent_facet()}
        metrics = run.get("metrics")
        numbers = {
            str(key): float(value)
            for key, value in sorted(metrics.items() if isinstance(metrics, Mapping) else ())
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        if numbers:
            facets[METRICS_FACET] = MetricsRunFacet(metrics=numbers, producer=PRODUCER)
        inputs = [InputDataset(namespace=namespace, name=name, facets=dataset_facets)
                  for namespace, name, dataset_facets in self._datasets(node.get("inputs"))]
        outputs = [OutputDataset(namespace=namespace, name=name, facets=dataset_facets)
                   for namespace, name, dataset_facets in self._datasets(node.get("outputs"))]
        order = position * 2
        yield _Timed(start_at, 1, order, self._event(
            RunState.START, start_at, identity, job, facets, inputs, outputs))
        status = run.get("status")
        end = END_STATE.get(status) if isinstance(status, str) else None
        if end is None:
            return
        end_at = max(ended or self.ended or self.generated_at, start_at)
        end_facets = dict(facets)
        if end is RunState.FAIL:
            end_facets["errorMessage"] = _error(run.get("failureReason"), f"Step {step} failed")
        yield _Timed(end_at, 1, order + 1, self._event(
            end, end_at, identity, job, end_facets, inputs, outputs))

    def _event(
        self,
        state: RunState,
        at: datetime,
        identity: str,
        job: Job,
        facets: dict[str, RunFacet],
        inputs: Sequence[InputDataset] = (),
        outputs: Sequence[OutputDataset] = (),
    ) -> RunEvent:
        return RunEvent(
            eventType=state,
            eventTime=_iso(at),
            run=Run(runId=identity, facets=facets),
            job=job,
            inputs=list(inputs),
            outputs=list(outputs),
            producer=PRODUCER,
        )

    def _job_facets(self, job_type: str) -> dict[str, JobFacet]:
        return {
            "jobType": job_type_job.JobTypeJobFacet(
                processingType="BATCH", integration=INTEGRATION, jobType=job_type,
                producer=PRODUCER,
            )
        }

    def _parent_facet(self) -> parent_run.ParentRunFacet:
        return parent_run.ParentRunFacet(
            run=parent_run.Run(runId=self.parent_id),
            job=parent_run.Job(namespace=self.namespace, name=self.pipeline),
            root=parent_run.Root(
                run=parent_run.RootRun(runId=self.parent_id),
                job=parent_run.RootJob(namespace=self.namespace, name=self.pipeline),
            ),
            producer=PRODUCER,
        )

    def _datasets(self, refs: Any) -> list[tuple[str, str, dict[str, DatasetFacet]]]:
        """(namespace, name, facets) of each S3 location that is known, once each."""
        seen: set[tuple[str, str]] = set()
        found = []
        for ref in refs if isinstance(refs, list) else []:
            uri = ref.get("uri") if isinstance(ref, Mapping) else None
            if not isinstance(uri, str):
                continue
            artifact = self.artifacts.get(uri, {})
            located = _s3_location(uri, artifact)
            if located is None or located in seen:
                continue
            seen.add(located)
            found.append((*located, _dataset_facets(artifact)))
        return found


def _s3_location(uri: str, artifact: Mapping[str, Any]) -> tuple[str, str] | None:
    """(``s3://bucket``, key) by the naming spec; None for what is not a known S3 location."""
    if not uri.startswith("s3://") or UNRESOLVED.search(uri):
        return None
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    bucket = _text(artifact.get("bucket")) or bucket
    key = _text(artifact.get("key")) or key
    if not bucket:
        return None
    return f"s3://{bucket}", key or "/"


def _dataset_facets(artifact: Mapping[str, Any]) -> dict[str, DatasetFacet]:
    facets: dict[str, DatasetFacet] = {}
    columns = _schema_columns(artifact.get("schema"))
    if columns:
        facets["schema"] = schema_dataset.SchemaDatasetFacet(fields=columns, producer=PRODUCER)
    s3 = artifact.get("s3")
    if isinstance(s3, Mapping) and isinstance(artifact.get("bucket"), str):
        facets[BUCKET_SECURITY_FACET] = _bucket_security(artifact["bucket"], s3,
                                                         artifact.get("risk"))
    return facets


def _schema_columns(schema: Any) -> list[schema_dataset.SchemaDatasetFacetFields]:
    """Columns of an artifact's ``schema``: a list of ``{name, type}`` (or an object holding
    it as ``columns`` or ``fields``); entries without a name are skipped."""
    if isinstance(schema, Mapping):
        schema = schema.get("columns", schema.get("fields"))
    if not isinstance(schema, list):
        return []
    columns = []
    for column in schema:
        if not isinstance(column, Mapping) or not isinstance(column.get("name"), str):
            continue
        kind = column.get("type")
        description = column.get("description")
        columns.append(schema_dataset.SchemaDatasetFacetFields(
            name=column["name"],
            type=kind if isinstance(kind, str) else None,
            description=description if isinstance(description, str) else None,
        ))
    return columns


def _bucket_security(
    bucket: str, s3: Mapping[str, Any], risk: Any
) -> BucketSecurityDatasetFacet:
    tags = s3.get("tags")
    lifecycle = s3.get("lifecycle")
    sensitive = s3.get("sensitiveData")
    severity = None
    findings = None
    if isinstance(risk, Mapping):
        severity = risk.get("severity")
        findings = [
            {key: finding[key] for key in ("rule", "severity", "title") if key in finding}
            for finding in risk.get("findings", [])
            if isinstance(finding, Mapping)
        ]
    return BucketSecurityDatasetFacet(
        bucket=bucket,
        encryption=str(s3.get("encryption", "Unknown")),
        versioning=str(s3.get("versioning", "Unknown")),
        publicAccess=str(s3.get("publicAccess", "Unknown")),
        region=_text(s3.get("region")),
        publicPolicy=_text(s3.get("publicPolicy")),
        objectLock=_text(s3.get("objectLock")),
        tags=dict(tags) if isinstance(tags, Mapping) else None,
        lifecycle=[dict(rule) for rule in lifecycle] if isinstance(lifecycle, list) else None,
        sensitiveData=dict(sensitive) if isinstance(sensitive, Mapping) else None,
        severity=_text(severity),
        findings=findings,
        producer=PRODUCER,
    )


def _error(reason: Any, fallback: str) -> error_message_run.ErrorMessageRunFacet:
    message = reason if isinstance(reason, str) and reason.strip() else fallback
    return error_message_run.ErrorMessageRunFacet(
        message=message, programmingLanguage=ERROR_LANGUAGE, producer=PRODUCER
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidParameter("document", f"{where} must be an object")
    return value


def _list(value: Any, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise InvalidParameter("document", f"{where} must be a list of objects")
    return value


def _time(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParameter("document", f"{where} must be an ISO-8601 time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidParameter("document", f"{where} must be an ISO-8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().removesuffix("+00:00") + "Z"
