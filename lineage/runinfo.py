"""Run information from SageMaker's answers (pure: dicts in, models out).

``ListPipelineExecutionSteps`` says how each step ran and which job it started; the job's
``Describe*`` answer adds metrics and concrete S3 locations. Which call describes which kind
of step metadata comes from the step type table (:data:`lineage.step_types.METADATA_KINDS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lineage.models import (
    ConditionResult,
    ExecutionInfo,
    IORef,
    PipelineInfo,
    Registry,
    RunInfo,
)
from lineage.step_types import METADATA_KINDS, DescribeCall, StepMetadata, is_number

TERMINAL_EXECUTION_STATUSES = frozenset({"Succeeded", "Failed", "Stopped"})


@dataclass(frozen=True)
class DescribeTarget:
    call: DescribeCall
    arn: str

    @property
    def name(self) -> str:
        return self.arn if self.call.by_full_arn else self.arn.rsplit("/", 1)[-1]

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the fetch, so no job is described twice in one request."""
        return (self.call.operation, self.name)


@dataclass(frozen=True)
class StepRecord:
    """One entry of ``ListPipelineExecutionSteps``, read."""

    name: str
    run: RunInfo
    describe: DescribeTarget | None
    condition: ConditionResult | None
    model_package_arn: str | None
    metadata_outputs: tuple[IORef, ...]
    unknown_kinds: tuple[str, ...]


def parse_step(
    step: Mapping[str, Any], *, now: datetime, known_kinds: frozenset[str]
) -> StepRecord:
    """One step summary, read by the metadata rows of :data:`lineage.step_types.STEP_TYPES`."""
    metadata: Mapping[str, Any] = step.get("Metadata") or {}
    job_arn: str | None = None
    describe: DescribeTarget | None = None
    condition: ConditionResult | None = None
    model_package_arn: str | None = None
    outputs: list[IORef] = []
    unknown: list[str] = []
    failure = step.get("FailureReason")
    for kind in sorted(metadata):
        body = metadata[kind]
        if not isinstance(body, Mapping):
            continue
        if kind not in known_kinds:
            unknown.append(kind)
        reading = METADATA_KINDS.get(kind) or StepMetadata(kind)
        found = body.get(reading.arn_key) if reading.arn_key else None
        arn = found if isinstance(found, str) and found else None
        if arn is not None:
            job_arn = job_arn or arn
            if reading.describe is not None and describe is None:
                describe = DescribeTarget(reading.describe, arn)
        if reading.facts is not None:
            facts = reading.facts(body, arn)
            condition = facts.condition or condition
            model_package_arn = facts.model_package_arn or model_package_arn
            if not failure:
                failure = facts.error_message
        for key in reading.output_keys:
            if isinstance(body.get(key), str) and body[key].startswith("s3://"):
                outputs.append(IORef(_lower_first(key), body[key]))
    start, end = step.get("StartTime"), step.get("EndTime")
    run = RunInfo(
        status=str(step.get("StepStatus") or "Unknown"),
        start_time=utc(start),
        end_time=utc(end),
        elapsed_sec=elapsed_seconds(utc(start), utc(end), now),
        job_arn=job_arn,
        failure_reason=str(failure) if failure else None,
        cache_hit=bool(step.get("CacheHitResult")),
        attempts=_attempts(step.get("AttemptCount")),
    )
    return StepRecord(
        name=str(step.get("StepName", "")),
        run=run,
        describe=describe,
        condition=condition,
        model_package_arn=model_package_arn,
        metadata_outputs=tuple(outputs),
        unknown_kinds=tuple(unknown),
    )


def registry_info(describe: Mapping[str, Any] | None, arn: str | None) -> Registry:
    if describe is None:
        return Registry(model_package_arn=arn, approval_status=None)
    return Registry(
        model_package_arn=str(describe.get("ModelPackageArn") or arn or "") or None,
        approval_status=describe.get("ModelApprovalStatus"),
    )


def report_metrics(report: Any, *, limit: int = 100) -> dict[str, float]:
    """Numeric leaves of an evaluation report, keyed by their JSON path (``a.b.value``).

    The paths are the ones a Condition's ``Std:JsonGet`` uses, so a reader can match them.
    """
    metrics: dict[str, float] = {}
    stack: list[tuple[str, Any]] = [("", report)]
    while stack and len(metrics) < limit:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            for key in sorted(value, reverse=True):
                stack.append((f"{path}.{key}" if path else str(key), value[key]))
        elif is_number(value) and path:
            metrics[path] = float(value)
    return dict(sorted(metrics.items()))


def pipeline_info(
    answer: Mapping[str, Any],
    *,
    region: str,
    tags: Mapping[str, str] | None,
    last_run_time: datetime | None = None,
    latest: ExecutionInfo | None = None,
) -> PipelineInfo:
    """A DescribePipeline answer or a ListPipelines summary (they share these names, but
    for the last run); ``tags`` None when they could not be read."""
    last_run = answer.get("LastRunTime") or answer.get("LastExecutionTime")
    return PipelineInfo(
        name=str(answer.get("PipelineName", "")),
        arn=answer.get("PipelineArn"),
        last_modified_time=utc(answer.get("LastModifiedTime")),
        display_name=answer.get("PipelineDisplayName"),
        description=answer.get("PipelineDescription"),
        region=region,
        last_run_time=utc(last_run) or last_run_time,
        tags=None if tags is None else dict(tags),
        created_time=utc(answer.get("CreationTime")),
        latest_execution=latest,
    )


def execution_info(
    describe: Mapping[str, Any], parameters: Mapping[str, str] | None, *, now: datetime
) -> ExecutionInfo:
    """A DescribePipelineExecution answer; ``parameters`` None where they were not read."""
    status = str(describe.get("PipelineExecutionStatus") or "Unknown")
    start = utc(describe.get("CreationTime"))
    # An execution has no end time of its own: once it is over, its last change is its end.
    end = utc(describe.get("LastModifiedTime")) if status in TERMINAL_EXECUTION_STATUSES else None
    arn = str(describe.get("PipelineExecutionArn", ""))
    return ExecutionInfo(
        arn=arn,
        id=arn.rsplit("/", 1)[-1],
        status=status,
        display_name=describe.get("PipelineExecutionDisplayName"),
        start_time=start,
        end_time=end,
        # An execution that is over, of an unknown end (a summary's): no elapsed time to say.
        elapsed_sec=None if end is None and status in TERMINAL_EXECUTION_STATUSES
        else elapsed_seconds(start, end, now),
        failure_reason=describe.get("FailureReason"),
        parameters=None if parameters is None else dict(parameters),
    )


def listed_execution(summary: Mapping[str, Any]) -> ExecutionInfo:
    """A ListPipelineExecutions summary (no end time: the listing does not say)."""
    arn = str(summary.get("PipelineExecutionArn", ""))
    return ExecutionInfo(
        arn=arn,
        id=arn.rsplit("/", 1)[-1],
        status=str(summary.get("PipelineExecutionStatus") or "Unknown"),
        display_name=summary.get("PipelineExecutionDisplayName"),
        start_time=utc(summary.get("StartTime")),
        failure_reason=summary.get("PipelineExecutionFailureReason"),
    )


def newest_execution(summaries: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The execution summary that started last; never trust the order of a listing."""
    dated = [s for s in summaries if isinstance(s.get("StartTime"), datetime)]
    return max(dated, key=lambda s: utc(s["StartTime"]) or s["StartTime"]) if dated else None


def elapsed_seconds(start: datetime | None, end: datetime | None, now: datetime) -> int | None:
    """Whole seconds from start to end, or to now while it runs."""
    if start is None:
        return None
    return max(0, round(((end or now) - start).total_seconds()))


def utc(value: Any) -> datetime | None:
    """An AWS timestamp in UTC (a naive one is taken as UTC); ``None`` if it is not one."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _attempts(value: Any) -> int | None:
    """AttemptCount, "the current attempt of the execution step"; None when AWS did not say.

    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_PipelineExecutionStep.html
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value
