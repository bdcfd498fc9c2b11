"""What a step handler is given: one step of one run, and what the run has produced so far."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lineage.sandbox.simulate.names import job_name, sagemaker_arn
from lineage.sandbox.simulate.records import FlatStep, JobKind, JobPlan, PipelineRef, StepRecord
from lineage.sandbox.simulate.resolve import Context
from lineage.sandbox.world.specs import ExecutionSpec, JsonDict


@dataclass
class Produced:
    """What a run has produced so far; each handler adds its step's part."""

    jobs: list[JobPlan] = field(default_factory=list)
    objects: dict[str, bytes] = field(default_factory=dict)  # s3://bucket/key -> body
    job_names: dict[str, str] = field(default_factory=dict)  # step -> its job's name
    outcomes: dict[str, bool] = field(default_factory=dict)  # Condition step -> branch taken
    properties: dict[str, JsonDict] = field(default_factory=dict)  # step -> its properties


@dataclass
class StepContext:
    """One step being run: a handler fills ``record.metadata`` and ``props``, adds jobs."""

    step: FlatStep
    record: StepRecord  # timing and status are decided; the handler may still fail it
    args: JsonDict  # the step's Arguments resolved for this execution, branches left out
    resolver: Context  # for the fields outside Arguments (FunctionArn, SqsQueueUrl...)
    spec: ExecutionSpec
    pipeline: PipelineRef
    execution_arn: str
    produced: Produced
    job_kind: JobKind | None = None  # from the step table
    all_branches: bool = False  # --definitions: every branch runs, Fail steps do not fail
    package_arn: Callable[[str], str] | None = None  # next model package ARN of a group
    props: JsonDict = field(default_factory=dict)  # what Get Steps.<step>... resolves against

    @property
    def region(self) -> str:
        return self.pipeline.region

    def job_name(self, kind: str | None = None) -> str:
        """The name this step's job of ``kind`` (default: the table's) gets in this run."""
        chosen = kind or self.job_kind or self.step.type
        return job_name(self.spec.execution_id, self.step.name, self.execution_arn, chosen)

    @property
    def account(self) -> str:
        return self.pipeline.account

    def arn(self, resource: str, name: str) -> str:
        return sagemaker_arn(self.region, resource, name, self.account)

    def plan(self, kind: JobKind, name: str, arn: str, request: JsonDict) -> JobPlan:
        """A resource to create in moto, with this step's status, times and failure."""
        return JobPlan(
            kind=kind,
            name=name,
            arn=arn,
            region=self.region,
            request=request,
            status=self.record.status,
            start=self.record.start,
            end=self.record.end,
            failure_reason=self.record.failure_reason,
            step=self.step.name,
            account=self.account,
        )
