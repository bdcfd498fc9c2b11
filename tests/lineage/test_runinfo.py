from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lineage.runinfo import execution_info, parse_step, registry_info, report_metrics
from lineage.step_types import best_training_job, training_metrics, tuning_objective

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
START = NOW - timedelta(minutes=10)
KINDS = frozenset(
    {
        "TrainingJob",
        "ProcessingJob",
        "Condition",
        "RegisterModel",
        "Fail",
        "QualityCheck",
        "TuningJob",
    }
)
ACCOUNT = "arn:aws:sagemaker:ap-northeast-2:123456789012"


def test_training_step_gives_status_times_job_and_describe_target() -> None:
    record = parse_step(
        {
            "StepName": "Train",
            "StepStatus": "Succeeded",
            "StartTime": START,
            "EndTime": START + timedelta(seconds=170),
            "Metadata": {"TrainingJob": {"Arn": f"{ACCOUNT}:training-job/train-abc"}},
        },
        now=NOW,
        known_kinds=KINDS,
    )
    assert record.run.status == "Succeeded"
    assert record.run.elapsed_sec == 170
    assert record.run.job_arn == f"{ACCOUNT}:training-job/train-abc"
    assert record.describe is not None
    assert record.describe.call.operation == "DescribeTrainingJob"
    assert record.describe.name == "train-abc"
    assert record.run.cache_hit is False


def test_attempt_count_is_read_and_absent_is_none() -> None:
    def attempts(step: dict[str, object]) -> int | None:
        record = parse_step({"StepName": "Train", "StepStatus": "Succeeded", **step},
                            now=NOW, known_kinds=KINDS)
        return record.run.attempts

    assert attempts({"AttemptCount": 2}) == 2
    assert attempts({"AttemptCount": 1}) == 1
    assert attempts({}) is None  # AWS did not say
    assert attempts({"AttemptCount": 0}) is None and attempts({"AttemptCount": "2"}) is None
    assert attempts({"AttemptCount": True}) is None
    record = parse_step({"StepName": "Train", "StepStatus": "Succeeded", "AttemptCount": 3},
                        now=NOW, known_kinds=KINDS)
    assert record.run.to_dict()["attempts"] == 3
    unsaid = parse_step({"StepName": "Train", "StepStatus": "Succeeded"},
                        now=NOW, known_kinds=KINDS)
    assert unsaid.run.to_dict()["attempts"] is None


def test_running_step_elapsed_counts_until_now() -> None:
    record = parse_step(
        {"StepName": "Train", "StepStatus": "Executing", "StartTime": START},
        now=NOW,
        known_kinds=KINDS,
    )
    assert record.run.elapsed_sec == 600
    assert record.run.end_time is None


def test_condition_outcome_fail_message_cache_hit_and_unknown_kind() -> None:
    condition = parse_step(
        {
            "StepName": "Check",
            "StepStatus": "Succeeded",
            "Metadata": {"Condition": {"Outcome": "False"}},
        },
        now=NOW,
        known_kinds=KINDS,
    )
    assert condition.condition is not None and condition.condition.outcome is False
    fail = parse_step(
        {
            "StepName": "Stop",
            "StepStatus": "Failed",
            "Metadata": {"Fail": {"ErrorMessage": "AUC too low"}},
            "CacheHitResult": {"SourcePipelineExecutionArn": "x"},
        },
        now=NOW,
        known_kinds=KINDS,
    )
    assert fail.run.failure_reason == "AUC too low"
    assert fail.run.cache_hit is True
    odd = parse_step(
        {"StepName": "X", "StepStatus": "Succeeded", "Metadata": {"Teleport": {"Arn": "arn:x"}}},
        now=NOW,
        known_kinds=KINDS,
    )
    assert odd.unknown_kinds == ("Teleport",)
    assert odd.describe is None
    assert odd.run.job_arn == "arn:x"


def test_register_model_is_described_by_full_arn() -> None:
    arn = f"{ACCOUNT}:model-package/churn/3"
    record = parse_step(
        {
            "StepName": "Register",
            "StepStatus": "Succeeded",
            "Metadata": {"RegisterModel": {"Arn": arn}},
        },
        now=NOW,
        known_kinds=KINDS,
    )
    assert record.model_package_arn == arn
    assert record.describe is not None and record.describe.name == arn
    registry = registry_info({"ModelPackageArn": arn, "ModelApprovalStatus": "Approved"}, arn)
    assert (registry.model_package_arn, registry.approval_status) == (arn, "Approved")
    assert registry_info(None, arn).approval_status is None


def test_quality_check_outputs_come_from_metadata() -> None:
    record = parse_step(
        {
            "StepName": "DataQuality",
            "StepStatus": "Succeeded",
            "Metadata": {
                "QualityCheck": {
                    "CheckJobArn": f"{ACCOUNT}:processing-job/dq-1",
                    "CalculatedBaselineStatistics": "s3://b/dq/statistics.json",
                    "CalculatedBaselineConstraints": "s3://b/dq/constraints.json",
                }
            },
        },
        now=NOW,
        known_kinds=KINDS,
    )
    assert record.describe is not None
    assert record.describe.call.operation == "DescribeProcessingJob"
    assert {ref.uri for ref in record.metadata_outputs} == {
        "s3://b/dq/statistics.json",
        "s3://b/dq/constraints.json",
    }


def test_metrics_from_training_and_tuning_answers() -> None:
    assert training_metrics(
        {
            "FinalMetricDataList": [
                {"MetricName": "validation:auc", "Value": 0.63},
                {"MetricName": "train:auc", "Value": 0.72},
                {"MetricName": "broken", "Value": float("nan")},
            ]
        }
    ) == {"validation:auc": 0.63, "train:auc": 0.72}
    tuning = {
        "BestTrainingJob": {
            "TrainingJobName": "hpo-007",
            "FinalHyperParameterTuningJobObjectiveMetric": {
                "MetricName": "validation:mse",
                "Value": 3.5,
            },
        }
    }
    assert best_training_job(tuning) == "hpo-007"
    assert tuning_objective(tuning) == {"validation:mse": 3.5}
    assert best_training_job({}) is None


def test_report_metrics_flattens_numeric_leaves_by_json_path() -> None:
    report = {
        "binary_classification_metrics": {
            "auc": {"value": 0.87, "standard_deviation": "NaN"},
            "accuracy": {"value": 0.91},
        },
        "note": "text is skipped",
        "flag": True,
    }
    assert report_metrics(report) == {
        "binary_classification_metrics.accuracy.value": 0.91,
        "binary_classification_metrics.auc.value": 0.87,
    }
    assert len(report_metrics({f"m{i}": i for i in range(500)}, limit=100)) == 100


def test_execution_end_time_only_once_it_is_over() -> None:
    arn = f"{ACCOUNT}:pipeline/p/execution/abc123"
    base = {
        "PipelineExecutionArn": arn,
        "CreationTime": START,
        "LastModifiedTime": START + timedelta(seconds=90),
    }
    done = execution_info({**base, "PipelineExecutionStatus": "Succeeded"}, {"A": "1"}, now=NOW)
    assert (done.id, done.end_time, done.elapsed_sec, dict(done.parameters or {})) == (
        "abc123",
        START + timedelta(seconds=90),
        90,
        {"A": "1"},
    )
    running = execution_info({**base, "PipelineExecutionStatus": "Executing"}, {}, now=NOW)
    assert running.end_time is None and running.elapsed_sec == 600
