"""The lineage document of docs/CONTRACT.md as frozen dataclasses.

Every model has ``to_dict()`` giving the contract's camelCase JSON. Optional keys the contract
marks as absent (``run`` of a step that did not run, ``s3`` without S3 metadata, ...) are left
out rather than written as ``null``; keys the contract shows as ``null`` stay ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from lineage.errors import LineageError

if TYPE_CHECKING:
    from lineage.dataset_schema import DatasetSchema

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
    attempts: int | None = None  # AWS's AttemptCount: > 1 when a RetryPolicy retried it

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
            "attempts": self.attempts,
        }


@dataclass(frozen=True)
class Registry:
    model_package_arn: str | None
    approval_status: str | None

    def to_dict(self) -> JsonDict:
        return {"modelPackageArn": self.model_package_arn, "approvalStatus": self.approval_status}


# A value a condition compared: what a literal, a parameter or a report can be.
ConditionValue = str | int | float | bool | None


@dataclass(frozen=True)
class ConditionClause:
    """One entry of a Condition step's ``Conditions``, readable (docs/CONTRACT.md).

    Comparisons and ``In`` have operands (``left``, ``right`` and their values, ``In``'s right
    value a list); ``Not`` and ``Or`` have the clauses they hold instead.
    """

    type: str
    operator: str | None  # None: a type this version cannot read
    expression: str
    left: str | None = None
    right: str | None = None
    left_value: ConditionValue = None
    right_value: ConditionValue | tuple[ConditionValue, ...] = None
    conditions: tuple[ConditionClause, ...] | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "type": self.type,
            "operator": self.operator,
            "expression": self.expression,
        }
        if self.left is not None:
            right_value = self.right_value
            out.update(
                left=self.left,
                right=self.right,
                leftValue=self.left_value,
                rightValue=list(right_value) if isinstance(right_value, tuple) else right_value,
            )
        if self.conditions is not None:
            out["conditions"] = [clause.to_dict() for clause in self.conditions]
        return out


@dataclass(frozen=True)
class ConditionResult:
    """A Condition step: which branch ran (None: not known) and why (ext)."""

    outcome: bool | None
    conditions: tuple[ConditionClause, ...] = ()

    def to_dict(self) -> JsonDict:
        return {
            "outcome": self.outcome,
            "conditions": [clause.to_dict() for clause in self.conditions],
        }


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
class ExpirationRule:
    """(ext) An enabled lifecycle rule that deletes objects under ``prefix`` ("" = all)."""

    prefix: str
    expiration_days: int | None = None  # Expiration.Days
    expiration_date: str | None = None  # Expiration.Date, ISO-8601
    noncurrent_days: int | None = None  # NoncurrentVersionExpiration.NoncurrentDays

    def to_dict(self) -> JsonDict:
        return {
            "prefix": self.prefix,
            "expirationDays": self.expiration_days,
            "expirationDate": self.expiration_date,
            "noncurrentDays": self.noncurrent_days,
        }


SensitiveDataStatus = Literal["Found", "NoneFound", "NotEnabled", "Unknown"]


@dataclass(frozen=True)
class SensitiveData:
    """(ext) What Amazon Macie found in a bucket: its current sensitive-data findings."""

    status: SensitiveDataStatus
    findings: int = 0
    types: tuple[str, ...] = ()  # SensitiveData:S3Object/Personal, ... sorted

    def to_dict(self) -> JsonDict:
        return {"status": self.status, "findings": self.findings, "types": sorted(self.types)}


UNKNOWN_SENSITIVE_DATA = SensitiveData("Unknown")


@dataclass(frozen=True)
class S3Settings:
    """A bucket's security settings; any field is ``"Unknown"`` when AWS would not tell."""

    encryption: str  # AES256 | aws:kms | aws:kms:dsse | None | Unknown
    versioning: str  # Enabled | Suspended | Disabled | Unknown
    public_access: str  # Blocked | Partial | NotBlocked | Unknown
    tags: Mapping[str, str] | None  # None: they could not be read
    region: str | None = None  # (ext) the bucket's region, from GetBucketLocation
    public_policy: str = UNKNOWN  # (ext) Public | NotPublic | Unknown (GetBucketPolicyStatus)
    # (ext) the rules that expire objects; () without lifecycle rules, None: not readable
    lifecycle: tuple[ExpirationRule, ...] | None = None
    object_lock: str = UNKNOWN  # (ext) Enabled | Disabled | Unknown
    sensitive_data: SensitiveData = UNKNOWN_SENSITIVE_DATA  # (ext) from Macie

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "encryption": self.encryption,
            "versioning": self.versioning,
            "publicAccess": self.public_access,
            "tags": None if self.tags is None else dict(sorted(self.tags.items())),
        }
        if self.region is not None:
            out["region"] = self.region
        out["publicPolicy"] = self.public_policy
        out["lifecycle"] = (
            None
            if self.lifecycle is None
            else [rule.to_dict() for rule in sorted(self.lifecycle, key=_rule_order)]
        )
        out["objectLock"] = self.object_lock
        out["sensitiveData"] = self.sensitive_data.to_dict()
        return out


def _rule_order(rule: ExpirationRule) -> tuple[str, int, str, int]:
    return (rule.prefix, rule.expiration_days or 0, rule.expiration_date or "",
            rule.noncurrent_days or 0)


@dataclass(frozen=True)
class Artifact:
    id: int
    uri: str
    bucket: str
    key: str
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()
    s3: S3Settings | None = None
    # (ext) its dataset schema, read only with ENABLE_SCHEMA=true (lineage.schema_reader)
    schema: DatasetSchema | None = None

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
        if self.schema is not None:
            out["schema"] = self.schema.to_dict()
        return out


@dataclass(frozen=True, order=True)
class Warning:
    """Something that could not be read; the document is still served."""

    code: str
    message: str
    target: str | None = None
    # Worth trying again soon (throttling, AWS unreachable, a deadline): the answer is
    # cached briefly. Not part of the JSON.
    transient: bool = field(default=False, compare=False)

    @classmethod
    def for_error(
        cls, error: LineageError, what: str, target: str | None, *, area: str | None = None
    ) -> Warning:
        """``<AREA>_<KIND>`` from the error's own kind: ``TAGS_ACCESS_DENIED``, ..."""
        code = f"{area}_{error.warning_kind}" if area else error.warning_kind
        return cls(code, f"{what} ({error.reason})", target, transient=error.transient)

    def to_dict(self) -> JsonDict:
        return {"code": self.code, "message": self.message, "target": self.target}


@dataclass(frozen=True)
class ExecutionInfo:
    """One pipeline execution: of the lineage document, of /executions and of /pipelines."""

    arn: str
    id: str
    status: str
    display_name: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    elapsed_sec: int | None = None
    failure_reason: str | None = None
    # The execution's parameter values; None where they were not read (the lists).
    parameters: Mapping[str, str] | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "arn": self.arn,
            "id": self.id,
            "displayName": self.display_name,
            "status": self.status,
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "elapsedSec": self.elapsed_sec,
            "failureReason": self.failure_reason,
        }
        if self.parameters is not None:
            out["parameters"] = dict(self.parameters)
        return out


@dataclass(frozen=True)
class PipelineInfo:
    """One pipeline: of the lineage document (``to_dict``) and of /pipelines (``listed``)."""

    name: str
    arn: str | None = None
    last_modified_time: datetime | None = None
    display_name: str | None = None
    description: str | None = None
    region: str | None = None
    last_run_time: datetime | None = None
    tags: Mapping[str, str] | None = field(default_factory=dict)  # None: could not be read
    created_time: datetime | None = None
    latest_execution: ExecutionInfo | None = None

    def to_dict(self) -> JsonDict:
        return {
            "name": self.name,
            "arn": self.arn,
            "lastModifiedTime": iso(self.last_modified_time),
            "displayName": self.display_name,
            "description": self.description,
            "region": self.region,
            "lastRunTime": iso(self.last_run_time),
            "tags": None if self.tags is None else dict(sorted(self.tags.items())),
        }

    def listed(self) -> JsonDict:
        """As a list shows it: also when it was made and how it last ran."""
        latest = self.latest_execution
        return {
            **self.to_dict(),
            "createdTime": iso(self.created_time),
            "latestExecution": None if latest is None else latest.to_dict(),
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
    # (ext) ``step:<name>`` / ``artifact:<id>`` -> its risk's JSON (lineage.risk); None when
    # bucket settings are not read, so there is nothing to judge.
    risk: Mapping[str, JsonDict] | None = None

    @property
    def transient(self) -> bool:
        """Whether a warning says "try again soon" (throttling, AWS away, a deadline)."""
        return any(warning.transient for warning in self.warnings)

    def to_dict(self) -> JsonDict:
        nodes = [node.to_dict() for node in self.nodes]
        artifacts = [artifact.to_dict() for artifact in self.artifacts]
        if self.risk is not None:
            for node in nodes:
                node["risk"] = self.risk.get(f"step:{node['id']}")
            for artifact in artifacts:
                artifact["risk"] = self.risk.get(f"artifact:{artifact['id']}")
        return {
            "pipeline": self.pipeline.to_dict(),
            "execution": self.execution.to_dict() if self.execution else None,
            "summary": self.summary.to_dict(),
            "graph": {
                "nodes": nodes,
                "edges": [edge.to_dict() for edge in self.edges],
                "artifacts": artifacts,
            },
            "warnings": [warning.to_dict() for warning in self.warnings],
            "generatedAt": iso(self.generated_at),
        }


@dataclass(frozen=True)
class PipelineList:
    """``GET /pipelines``: the pipelines of some regions."""

    regions: tuple[str, ...]
    pipelines: tuple[PipelineInfo, ...]
    warnings: tuple[Warning, ...]
    generated_at: datetime
    aws_calls: int = field(default=0, compare=False)

    def to_dict(self) -> JsonDict:
        return {
            "regions": list(self.regions),
            "pipelines": [pipeline.listed() for pipeline in self.pipelines],
            "warnings": [warning.to_dict() for warning in self.warnings],
            "generatedAt": iso(self.generated_at),
        }


@dataclass(frozen=True)
class ExecutionList:
    """``GET /executions``: the newest executions of one pipeline."""

    pipeline: str
    region: str
    executions: tuple[ExecutionInfo, ...]
    warnings: tuple[Warning, ...]
    generated_at: datetime
    aws_calls: int = field(default=0, compare=False)

    def to_dict(self) -> JsonDict:
        return {
            "pipeline": self.pipeline,
            "region": self.region,
            "executions": [execution.to_dict() for execution in self.executions],
            "warnings": [warning.to_dict() for warning in self.warnings],
            "generatedAt": iso(self.generated_at),
        }
