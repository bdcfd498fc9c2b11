"""What a simulation produces: the execution and its steps as the sandbox answers them, and
the jobs (or models, packages, endpoints) that must exist in moto for them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from lineage.sandbox import ACCOUNT_ID
from lineage.sandbox.world.specs import JsonDict

#: The moto resource a step makes; :mod:`lineage.sandbox.seed` has one Create* call per kind.
JobKind = Literal[
    "processing",
    "training",
    "transform",
    "tuning",
    "model",
    "model_package",
    "endpoint_config",
    "endpoint",
]

# Step status -> the job status its Describe* reports.
JOB_STATUS = {
    "Starting": "InProgress",
    "Executing": "InProgress",
    "Stopping": "Stopping",
    "Stopped": "Stopped",
    "Failed": "Failed",
    "Succeeded": "Completed",
}


def epoch(moment: datetime) -> float:
    return moment.timestamp()


@dataclass(frozen=True)
class FlatStep:
    name: str
    type: str
    raw: JsonDict  # the step as written in the definition
    parent: str | None = None
    branch: Literal["if", "else"] | None = None

    @property
    def arguments(self) -> JsonDict:
        args = self.raw.get("Arguments")
        return args if isinstance(args, dict) else {}


@dataclass
class JobPlan:
    """A job (or model, model package, endpoint...) that must exist in moto for a step."""

    kind: JobKind
    name: str
    arn: str
    region: str
    request: JsonDict  # the boto3 Create* keyword arguments
    status: str  # the step's status
    start: datetime
    end: datetime | None
    failure_reason: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    approval: str | None = None
    step: str = ""
    account: str = ACCOUNT_ID  # the account it is made in


@dataclass
class StepRecord:
    name: str
    type: str
    status: str
    start: datetime
    end: datetime | None
    display_name: str | None = None
    description: str | None = None
    failure_reason: str | None = None
    cache_source_arn: str | None = None
    metadata: JsonDict = field(default_factory=dict)
    attempt_count: int = 1

    def to_json(self) -> JsonDict:
        """A ``PipelineExecutionStep`` of the JSON protocol (timestamps as epoch seconds)."""
        out: JsonDict = {"StepName": self.name}
        if self.display_name:
            out["StepDisplayName"] = self.display_name
        if self.description:
            out["StepDescription"] = self.description
        out["StartTime"] = epoch(self.start)
        if self.end is not None:
            out["EndTime"] = epoch(self.end)
        out["StepStatus"] = self.status
        if self.cache_source_arn:
            out["CacheHitResult"] = {"SourcePipelineExecutionArn": self.cache_source_arn}
        if self.failure_reason:
            out["FailureReason"] = self.failure_reason
        out["Metadata"] = self.metadata
        out["AttemptCount"] = self.attempt_count
        return out


@dataclass
class ExecutionRecord:
    pipeline_name: str
    region: str
    execution_id: str
    status: str
    start: datetime
    last_modified: datetime
    definition: str
    parameters: list[dict[str, str]]
    steps: list[StepRecord]
    display_name: str | None = None
    description: str | None = None
    failure_reason: str | None = None
    account: str = ACCOUNT_ID

    @property
    def pipeline_arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account}:pipeline/{self.pipeline_name}"

    @property
    def arn(self) -> str:
        return f"{self.pipeline_arn}/execution/{self.execution_id}"


@dataclass
class Simulation:
    execution: ExecutionRecord
    jobs: list[JobPlan]
    objects: dict[str, bytes]  # s3://bucket/key -> body
    properties: dict[str, JsonDict]  # step -> what Get Steps.<step>... resolves against
    job_names: dict[str, str]  # step -> name of the job it ran (for cache hits)


@dataclass
class PipelineRef:
    """A pipeline of ``account``: its runs' ARNs and resources are that account's."""

    name: str
    region: str
    account: str = ACCOUNT_ID

    @property
    def arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account}:pipeline/{self.name}"
