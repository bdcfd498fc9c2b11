"""The lineage document of ``CONTRACT.md`` as frozen dataclasses.

Every model has ``to_dict()`` giving the contract's camelCase JSON. Optional keys the contract
marks as absent (``run`` of a step that did not run, ``s3`` without S3 metadata, ...) are left
out rather than written as ``null``; keys the contract shows as ``null`` stay ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

JsonDict = dict[str, Any]

StepStatus = Literal["Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded"]
STEP_STATUSES: tuple[StepStatus, ...] = (
    "Starting",
    "Executing",
    "Stopping",
    "Stopped",
    "Failed",
    "Succeeded",
)
NOT_STARTED = "NotStarted"
NOT_EXECUTED = "NotExecuted"
UNKNOWN = "Unknown"

EdgeVia = Literal["dependsOn", "ref:Get", "condition", "artifact"]
Branch = Literal["if", "else"]


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC with a ``Z``; ``None`` stays ``None``."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # botocore gives aware times; a naive one is taken as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


@dataclass(frozen=True)
class IORef:
    """One input or output of a step: a name and an S3 URI (or a ``{...}`` placeholder)."""

    name: str
    uri: str

    def to_dict(self) -> JsonDict:
        return {"name": self.name, "uri": self.uri}


@dataclass(frozen=True)
class RunInfo:
    status: str
    start_time: datetime | None = None
    end_time: datetime | None = None
    elapsed_sec: int | None = None
    job_arn: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    failure_reason: str | None = None
    cache_hit: bool = False

    def to_dict(self) -> JsonDict:
        return {
            "status": self.status,
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "elapsedSec": self.elapsed_sec,
            "jobArn": self.job_arn,
            "metrics": dict(self.metrics),
            "failureReason": self.failure_reason,
            "cacheHit": self.cache_hit,
        }


@dataclass(frozen=True)
class Registry:
    model_package_arn: str | None
    approval_status: str | None

    def to_dict(self) -> JsonDict:
        return {"modelPackageArn": self.model_package_arn, "approvalStatus": self.approval_status}


@dataclass(frozen=True)
class ConditionResult:
    outcome: bool | None

    def to_dict(self) -> JsonDict:
        return {"outcome": self.outcome}


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    inputs: tuple[IORef, ...] = ()
    outputs: tuple[IORef, ...] = ()
    run: RunInfo | None = None
    registry: Registry | None = None
    condition: ConditionResult | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "id": self.id,
            "type": self.type,
            "inputs": [io.to_dict() for io in self.inputs],
            "outputs": [io.to_dict() for io in self.outputs],
        }
        if self.run is not None:
            out["run"] = self.run.to_dict()
        if self.registry is not None:
            out["registry"] = self.registry.to_dict()
        if self.condition is not None:
            out["condition"] = self.condition.to_dict()
        return out


@dataclass(frozen=True, order=True)
class Edge:
    """A directed link between two steps; sorted by (from, to, via) for deterministic output."""

    source: str
    target: str
    via: EdgeVia
    property: str | None = None
    branch: Branch | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {"from": self.source, "to": self.target, "via": self.via}
        if self.property is not None:
            out["property"] = self.property
        if self.branch is not None:
            out["branch"] = self.branch
        return out


@dataclass(frozen=True)
class S3Settings:
    """A bucket's security settings; any field is ``"Unknown"`` when AWS would not tell."""

    encryption: str  # AES256 | aws:kms | aws:kms:dsse | None | Unknown
    versioning: str  # Enabled | Suspended | Disabled | Unknown
    public_access: str  # Blocked | Partial | NotBlocked | Unknown
    tags: Mapping[str, str] | Literal["Unknown"]
    region: str | None = None  # (ext) the bucket's region, from GetBucketLocation

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "encryption": self.encryption,
            "versioning": self.versioning,
            "publicAccess": self.public_access,
            "tags": self.tags if isinstance(self.tags, str) else dict(sorted(self.tags.items())),
        }
        if self.region is not None:
            out["region"] = self.region
        return out


@dataclass(frozen=True)
class Artifact:
    id: int
    uri: str
    bucket: str
    key: str
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()
    s3: S3Settings | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "id": self.id,
            "uri": self.uri,
            "bucket": self.bucket,
            "key": self.key,
            "producers": list(self.producers),
            "consumers": list(self.consumers),
        }
        if self.s3 is not None:
            out["s3"] = self.s3.to_dict()
        return out


@dataclass(frozen=True, order=True)
class Warning:
    """Something that could not be read; the document is still served."""

    code: str
    message: str
    target: str | None = None

    def to_dict(self) -> JsonDict:
        return {"code": self.code, "message": self.message, "target": self.target}


@dataclass(frozen=True)
class PipelineInfo:
    name: str
    arn: str | None = None
    last_modified_time: datetime | None = None
    display_name: str | None = None
    description: str | None = None
    region: str | None = None
    last_run_time: datetime | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> JsonDict:
        return {
            "name": self.name,
            "arn": self.arn,
            "lastModifiedTime": iso(self.last_modified_time),
            "displayName": self.display_name,
            "description": self.description,
            "region": self.region,
            "lastRunTime": iso(self.last_run_time),
            "tags": dict(sorted(self.tags.items())),
        }


@dataclass(frozen=True)
class ExecutionInfo:
    arn: str
    id: str
    status: str
    display_name: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    elapsed_sec: int | None = None
    failure_reason: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> JsonDict:
        return {
            "arn": self.arn,
            "id": self.id,
            "displayName": self.display_name,
            "status": self.status,
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "elapsedSec": self.elapsed_sec,
            "failureReason": self.failure_reason,
            "parameters": dict(self.parameters),
        }


@dataclass(frozen=True)
class Summary:
    overall_status: str
    node_status: Mapping[str, int]
    elapsed_sec: int | None

    def to_dict(self) -> JsonDict:
        return {
            "overallStatus": self.overall_status,
            "nodeStatus": dict(sorted(self.node_status.items())),
            "elapsedSec": self.elapsed_sec,
        }


@dataclass(frozen=True)
class LineageDocument:
    pipeline: PipelineInfo
    execution: ExecutionInfo | None
    summary: Summary
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    artifacts: tuple[Artifact, ...]
    warnings: tuple[Warning, ...]
    generated_at: datetime

    def to_dict(self) -> JsonDict:
        return {
            "pipeline": self.pipeline.to_dict(),
            "execution": self.execution.to_dict() if self.execution else None,
            "summary": self.summary.to_dict(),
            "graph": {
                "nodes": [node.to_dict() for node in self.nodes],
                "edges": [edge.to_dict() for edge in self.edges],
                "artifacts": [artifact.to_dict() for artifact in self.artifacts],
            },
            "warnings": [warning.to_dict() for warning in self.warnings],
            "generatedAt": iso(self.generated_at),
        }
