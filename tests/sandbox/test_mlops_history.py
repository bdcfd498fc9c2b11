"""mlops-pipeline's run history (lineage.sandbox.world.mlops_history): as its docstring says,
in the world and read back through boto3."""

from __future__ import annotations

import json
import re
import statistics
from typing import Any

import pytest

from lineage.sandbox.world import MLOPS, MLOPS_MODEL_GROUP
from lineage.sandbox.world.mlops import mlops_definition
from lineage.sandbox.world.mlops_history import (
    EXECUTING_ID,
    HISTORY_ADDED_STEP,
    HISTORY_ADDED_STEP_ID,
    HISTORY_CACHE_HITS,
    HISTORY_EVALUATE_FAILURE_ID,
    HISTORY_IDS,
    HISTORY_OUTLIER_ID,
    HISTORY_PREPROCESS_OUTLIER_ID,
    HISTORY_RETRIES,
    HISTORY_TRAIN_FAILURE_ID,
    history_runs,
)
from lineage.sandbox.world.specs import ExecutionSpec
from tests.sandbox.clients import executions

HAND_WRITTEN = ("q7v2m9k3x1ab", "h4d8s2n6p0cd", "r3a5pd8rmk8r")
SPECS = {e.execution_id: e for e in MLOPS.executions}
HISTORY = [SPECS[i] for i in HISTORY_IDS]


def spec(execution_id: str) -> ExecutionSpec:
    return SPECS[execution_id]


# --- the world, as data ----------------------------------------------------------------------


def test_ids_look_like_sagemakers_and_are_the_same_every_time() -> None:
    assert len(HISTORY_IDS) == 32 and len(SPECS) == len(MLOPS.executions) == 36
    assert all(re.fullmatch(r"[a-z0-9]{12}", i) for i in SPECS)
    again = history_runs(
        mlops_definition(with_create_model=False, threshold=0.7),
        mlops_definition(with_create_model=False, threshold=0.7, with_quality_check=True),
    )
    assert tuple(again) == tuple(HISTORY)


def test_the_history_is_older_than_the_hand_written_runs() -> None:
    starts = [e.started for e in HISTORY]
    assert starts == sorted(starts)
    assert MLOPS.created < starts[0] and starts[-1] < spec("q7v2m9k3x1ab").started
    assert (starts[-1] - starts[0]).days >= 24
    assert len({s.date() for s in starts}) < len(starts)  # some days twice
    assert MLOPS.latest.execution_id == "r3a5pd8rmk8r"
    assert spec("h4d8s2n6p0cd").started < spec(EXECUTING_ID).started < MLOPS.latest.started


def test_metrics_drift_down_and_every_report_clears_its_threshold() -> None:
    ran = [e for e in HISTORY if e.metrics]
    auc = [e.metrics["Train"]["validation:auc"] for e in ran]
    assert statistics.mean(auc[:5]) - statistics.mean(auc[-5:]) > 0.03
    assert any(later > earlier for earlier, later in zip(auc, auc[1:], strict=False))  # noise
    for e in HISTORY:
        if e.reports:
            threshold = e.parameters.get("AucThreshold", 0.7)
            report = e.reports["EvaluationReport"]["binary_classification_metrics"]
            assert report["auc"]["value"] >= threshold, e.execution_id


def test_notable_runs_are_distinct_and_failures_are_where_the_docstring_says() -> None:
    notable = [HISTORY_TRAIN_FAILURE_ID, HISTORY_EVALUATE_FAILURE_ID, HISTORY_OUTLIER_ID,
               HISTORY_PREPROCESS_OUTLIER_ID, HISTORY_ADDED_STEP_ID, *HISTORY_CACHE_HITS]
    assert len(set(notable)) == len(notable) and set(notable) <= set(HISTORY_IDS)
    failed = {e.execution_id: set(e.failures) for e in HISTORY if e.status == "Failed"}
    assert failed == {
        HISTORY_TRAIN_FAILURE_ID: {"Train"}, HISTORY_EVALUATE_FAILURE_ID: {"Evaluate"}}
    approvals = [e.approval["RegisterModel"] for e in HISTORY if e.approval]
    assert len(approvals) == 30 and approvals.count("PendingManualApproval") == 1
    assert {"Approved", "Rejected"} <= set(approvals)


# --- read back ---------------------------------------------------------------------------------


def arn(execution_id: str) -> str:
    return MLOPS.execution_arn(execution_id)


def steps(sm: Any, execution_id: str) -> dict[str, dict[str, Any]]:
    listed = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn(execution_id),
                                              MaxResults=100)["PipelineExecutionSteps"]
    return {s["StepName"]: s for s in listed}


def seconds(step: dict[str, Any]) -> float:
    return float((step["EndTime"] - step["StartTime"]).total_seconds())


@pytest.mark.sandbox
def test_the_listing_holds_every_run(sm: Any) -> None:
    listed = [e["PipelineExecutionArn"].rsplit("/", 1)[-1]
              for e in executions(sm, "mlops-pipeline")]
    assert set(listed) == set(SPECS) and listed[0] == "r3a5pd8rmk8r"
    assert set(HAND_WRITTEN) < set(listed)


@pytest.mark.sandbox
def test_two_failures_at_different_steps(sm: Any) -> None:
    train = steps(sm, HISTORY_TRAIN_FAILURE_ID)
    assert train["Train"]["StepStatus"] == "Failed"
    assert "more memory" in train["Train"]["FailureReason"]
    assert set(train) == {"Preprocess", "Train"}
    evaluate = steps(sm, HISTORY_EVALUATE_FAILURE_ID)
    assert evaluate["Evaluate"]["StepStatus"] == "Failed"
    assert "KeyError" in evaluate["Evaluate"]["FailureReason"]
    assert evaluate["Train"]["StepStatus"] == "Succeeded" and "CheckAUC" not in evaluate
    for failed in (HISTORY_TRAIN_FAILURE_ID, HISTORY_EVALUATE_FAILURE_ID):
        described = sm.describe_pipeline_execution(PipelineExecutionArn=arn(failed))
        assert described["PipelineExecutionStatus"] == "Failed"


@pytest.mark.sandbox
def test_the_outliers_stand_out_of_the_usual_times(sm: Any) -> None:
    ran = {i: steps(sm, i) for i in HISTORY_IDS if i not in HISTORY_CACHE_HITS}
    train = {i: seconds(s["Train"]) for i, s in ran.items()}
    preprocess = {i: seconds(s["Preprocess"]) for i, s in ran.items()}
    usual_train = statistics.median(train.values())
    usual_preprocess = statistics.median(preprocess.values())
    assert train[HISTORY_OUTLIER_ID] > 3 * usual_train
    assert preprocess[HISTORY_PREPROCESS_OUTLIER_ID] > 3 * usual_preprocess
    others = [t for i, t in train.items() if i != HISTORY_OUTLIER_ID]
    assert max(others) < 1.3 * usual_train  # the failed Train included
    # The Train job agrees with its step.
    job = sm.describe_training_job(TrainingJobName=ran[HISTORY_OUTLIER_ID]["Train"]["Metadata"][
        "TrainingJob"]["Arn"].rsplit("/", 1)[-1])
    assert (job["TrainingEndTime"] - job["CreationTime"]).total_seconds() > 3 * usual_train


@pytest.mark.sandbox
def test_one_run_has_a_step_its_neighbours_lack(sm: Any) -> None:
    index = HISTORY_IDS.index(HISTORY_ADDED_STEP_ID)

    def step_names(execution_id: str) -> set[str]:
        answer = sm.describe_pipeline_definition_for_execution(
            PipelineExecutionArn=arn(execution_id))
        return {s["Name"] for s in json.loads(answer["PipelineDefinition"])["Steps"]}

    before, added, after = (step_names(HISTORY_IDS[i]) for i in (index - 1, index, index + 1))
    assert added - before == added - after == {HISTORY_ADDED_STEP}
    assert before == after == added - {HISTORY_ADDED_STEP}
    step = steps(sm, HISTORY_ADDED_STEP_ID)[HISTORY_ADDED_STEP]
    assert step["StepStatus"] == "Succeeded" and "ProcessingJob" in step["Metadata"]


@pytest.mark.sandbox
def test_cache_hits_name_the_morning_run(sm: Any) -> None:
    for rerun, source in HISTORY_CACHE_HITS.items():
        preprocess = steps(sm, rerun)["Preprocess"]
        assert preprocess["CacheHitResult"]["SourcePipelineExecutionArn"] == arn(source)
        assert seconds(preprocess) < 10


@pytest.mark.sandbox
def test_the_train_outlier_was_retried_and_every_other_step_ran_once(sm: Any) -> None:
    assert HISTORY_RETRIES == {HISTORY_OUTLIER_ID: {"Train": 2}}
    for execution_id in (*HISTORY_IDS, *HAND_WRITTEN):
        for name, step in steps(sm, execution_id).items():
            expected = HISTORY_RETRIES.get(execution_id, {}).get(name, 1)
            assert step["AttemptCount"] == expected, (execution_id, name)


@pytest.mark.sandbox
def test_one_run_is_still_executing_its_train(sm: Any) -> None:
    described = sm.describe_pipeline_execution(PipelineExecutionArn=arn(EXECUTING_ID))
    assert described["PipelineExecutionStatus"] == "Executing"
    running = steps(sm, EXECUTING_ID)
    assert set(running) == {"Preprocess", "Train"}
    assert running["Train"]["StepStatus"] == "Executing" and "EndTime" not in running["Train"]
    job = sm.describe_training_job(
        TrainingJobName=running["Train"]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[-1])
    assert job["TrainingJobStatus"] == "InProgress"


@pytest.mark.sandbox
def test_a_package_per_registered_run_and_the_deployed_one_is_still_approved(sm: Any) -> None:
    packages = sm.list_model_packages(ModelPackageGroupName=MLOPS_MODEL_GROUP, MaxResults=100)[
        "ModelPackageSummaryList"]
    by_version = {p["ModelPackageVersion"]: p for p in packages}
    assert sorted(by_version) == list(range(1, 33))
    registered = {
        steps(sm, i)["RegisterModel"]["Metadata"]["RegisterModel"]["Arn"]: SPECS[i]
        for i in ("q7v2m9k3x1ab", "r3a5pd8rmk8r")
    }
    newest_two = [by_version[31], by_version[32]]
    assert [registered[p["ModelPackageArn"]].execution_id for p in newest_two] == [
        "q7v2m9k3x1ab", "r3a5pd8rmk8r"]
    assert [p["ModelApprovalStatus"] for p in newest_two] == ["Approved", "PendingManualApproval"]


def test_extra_history_fills_the_free_hours_and_keeps_the_world() -> None:
    """``--extra-history N`` (benchmarks): N plain runs more, the world's own unchanged."""
    from lineage.sandbox.options import MAX_EXTRA_HISTORY, SandboxOptions
    from lineage.sandbox.world import WORLD, with_extra_history
    from lineage.sandbox.world.mlops_history import MAX_EXTRA_RUNS

    assert MAX_EXTRA_HISTORY == MAX_EXTRA_RUNS
    assert SandboxOptions(extra_history=3).to_argv() == ["--extra-history", "3"]
    with pytest.raises(ValueError, match="extra_history"):
        SandboxOptions(extra_history=MAX_EXTRA_HISTORY + 1)
    grown = with_extra_history(WORLD, MAX_EXTRA_RUNS)
    before = next(p for p in WORLD.pipelines if p.name == "mlops-pipeline").executions
    after = next(p for p in grown.pipelines if p.name == "mlops-pipeline").executions
    added = after[: len(after) - len(before)]
    assert after[len(added):] == before
    assert len(added) == MAX_EXTRA_RUNS and all(run.status == "Succeeded" for run in added)
    starts = [run.started for run in after]
    assert len(set(starts)) == len(starts)  # every run its own hour
    ids = [run.execution_id for run in after]
    assert len(set(ids)) == len(ids)
    newest = max(after, key=lambda run: run.started)
    assert newest.execution_id == "r3a5pd8rmk8r"  # the latest run stays the world's
    assert with_extra_history(WORLD, 0) is WORLD
