"""Run information from SageMaker's answers (pure: dicts in, models out).

``ListPipelineExecutionSteps`` says how each step ran and which job it started; the job's
``Describe*`` answer adds metrics and concrete S3 locations. The table
:data:`DESCRIBE_BY_METADATA_KIND` says which call describes which kind of step metadata.
"""

from __future__ import annotations

import math
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

TERMINAL_EXECUTION_STATUSES = frozenset({"Succeeded", "Failed", "Stopped"})


@dataclass(frozen=True)
class DescribeCall:
    """How to describe the resource behind one kind of step metadata."""

    operation: str
    name_parameter: str
    arn_key: str
    # The step type whose extraction table reads this Describe* answer (None: no S3 I/O).
    io_step_type: str | None
    # Model packages are named by their full ARN; jobs by the last part of theirs.
    by_full_arn: bool = False


# Kinds of PipelineExecutionStepMetadata that have a Describe* call worth making.
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_PipelineExecutionStepMetadata.html
DESCRIBE_BY_METADATA_KIND: Mapping[str, DescribeCall] = {
    "TrainingJob": DescribeCall("DescribeTrainingJob", "TrainingJobName", "Arn", "Training"),
    "ProcessingJob": DescribeCall(
        "DescribeProcessingJob", "ProcessingJobName", "Arn", "Processing"
    ),
    "TransformJob": DescribeCall("DescribeTransformJob", "TransformJobName", "Arn", "Transform"),
    "TuningJob": DescribeCall(
        "DescribeHyperParameterTuningJob", "HyperParameterTuningJobName", "Arn", "Tuning"
    ),
    # DescribeModelPackage answers in the shape of the RegisterModel step's arguments.
    "RegisterModel": DescribeCall(
        "DescribeModelPackage", "ModelPackageName", "Arn", "RegisterModel", by_full_arn=True
    ),
    "QualityCheck": DescribeCall(
        "DescribeProcessingJob", "ProcessingJobName", "CheckJobArn", "Processing"
    ),
    "ClarifyCheck": DescribeCall(
        "DescribeProcessingJob", "ProcessingJobName", "CheckJobArn", "Processing"
    ),
}
# Metadata members that are S3 locations a check step wrote.
CHECK_OUTPUT_KEYS = (
    "CalculatedBaselineStatistics",
    "CalculatedBaselineConstraints",
    "BaselineUsedForDriftCheckStatistics",
    "BaselineUsedForDriftCheckConstraints",
    "ViolationReport",
)


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
        call = DESCRIBE_BY_METADATA_KIND.get(kind)
        arn = body.get(call.arn_key if call else "Arn") or body.get("CheckJobArn")
        if isinstance(arn, str) and arn:
            job_arn = job_arn or arn
            if call is not None and describe is None:
                describe = DescribeTarget(call, arn)
        if kind == "Condition":
            condition = ConditionResult(_outcome(body.get("Outcome")))
        elif kind == "RegisterModel" and isinstance(arn, str):
            model_package_arn = arn
        elif kind == "Fail" and not failure:
            failure = body.get("ErrorMessage")
        for key in CHECK_OUTPUT_KEYS:
            if isinstance(body.get(key), str) and body[key].startswith("s3://"):
                outputs.append(IORef(_lower_first(key), body[key]))
    start, end = step.get("StartTime"), step.get("EndTime")
    run = RunInfo(
        status=str(step.get("StepStatus") or "Unknown"),
        start_time=_utc(start),
        end_time=_utc(end),
        elapsed_sec=elapsed_seconds(_utc(start), _utc(end), now),
        job_arn=job_arn,
        failure_reason=str(failure) if failure else None,
        cache_hit=bool(step.get("CacheHitResult")),
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


def training_metrics(describe: Mapping[str, Any]) -> dict[str, float]:
    """``FinalMetricDataList`` of a DescribeTrainingJob answer, by metric name."""
    metrics: dict[str, float] = {}
    for item in describe.get("FinalMetricDataList") or []:
        name, value = item.get("MetricName"), item.get("Value")
        if isinstance(name, str) and _is_number(value):
            metrics[name] = float(value)
    return metrics


def best_training_job(describe: Mapping[str, Any]) -> str | None:
    """The best training job of a DescribeHyperParameterTuningJob answer."""
    best = describe.get("BestTrainingJob") or {}
    name = best.get("TrainingJobName")
    return str(name) if name else None


def tuning_objective(describe: Mapping[str, Any]) -> dict[str, float]:
    best: Mapping[str, Any] = describe.get("BestTrainingJob") or {}
    objective: Mapping[str, Any] = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    name: Any = objective.get("MetricName")
    value: Any = objective.get("Value")
    return {str(name): float(value)} if name and _is_number(value) else {}


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
        elif _is_number(value) and path:
            metrics[path] = float(value)
    return dict(sorted(metrics.items()))


def pipeline_info(
    describe: Mapping[str, Any],
    *,
    region: str,
    tags: Mapping[str, str] | None = None,
    last_run_time: datetime | None = None,
) -> PipelineInfo:
    return PipelineInfo(
        name=str(describe.get("PipelineName", "")),
        arn=describe.get("PipelineArn"),
        last_modified_time=_utc(describe.get("LastModifiedTime")),
        display_name=describe.get("PipelineDisplayName"),
        description=describe.get("PipelineDescription"),
        region=region,
        last_run_time=_utc(describe.get("LastRunTime")) or last_run_time,
        tags=dict(tags or {}),
    )


def execution_info(
    describe: Mapping[str, Any], parameters: Mapping[str, str], *, now: datetime
) -> ExecutionInfo:
    status = str(describe.get("PipelineExecutionStatus") or "Unknown")
    start = _utc(describe.get("CreationTime"))
    # An execution has no end time of its own: once it is over, its last change is its end.
    end = _utc(describe.get("LastModifiedTime")) if status in TERMINAL_EXECUTION_STATUSES else None
    arn = str(describe.get("PipelineExecutionArn", ""))
    return ExecutionInfo(
        arn=arn,
        id=arn.rsplit("/", 1)[-1],
        status=status,
        display_name=describe.get("PipelineExecutionDisplayName"),
        start_time=start,
        end_time=end,
        elapsed_sec=elapsed_seconds(start, end, now),
        failure_reason=describe.get("FailureReason"),
        parameters=dict(parameters),
    )


def newest_execution(summaries: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The execution summary that started last; never trust the order of a listing."""
    dated = [s for s in summaries if isinstance(s.get("StartTime"), datetime)]
    return max(dated, key=lambda s: _utc(s["StartTime"]) or s["StartTime"]) if dated else None


def elapsed_seconds(start: datetime | None, end: datetime | None, now: datetime) -> int | None:
    """Whole seconds from start to end, or to now while it runs."""
    if start is None:
        return None
    return max(0, round(((end or now) - start).total_seconds()))


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _outcome(value: Any) -> bool | None:
    text = str(value).lower()
    return True if text == "true" else False if text == "false" else None


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
