"""A live run through the sandbox server, its clock faked: the jobs Describe* reports follow
the steps as time passes, and a new run's jobs exist as soon as it lists them.

The server runs in this process (moto too) so the test owns its clock; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config

from lineage.sandbox import ACCOUNT_ID, SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY
from lineage.sandbox.options import SandboxOptions
from lineage.sandbox.simulate import LiveSchedule, PipelineRef
from lineage.sandbox.world import FRAUD, WORLD, World

pytestmark = pytest.mark.sandbox
SEOUL = "ap-northeast-2"


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def schedule() -> LiveSchedule:
    assert FRAUD.live is not None
    return LiveSchedule(PipelineRef(FRAUD.name, FRAUD.region), FRAUD.definition, FRAUD.live)


@pytest.fixture(scope="module")
def live(schedule: LiveSchedule) -> Iterator[tuple[Any, FakeClock, datetime]]:
    """A sandbox holding only fraud-detection-pipeline, 60 s into a run; its clock."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    monkeypatch.setenv("MOTO_DEFAULT_ACCOUNT_ID", ACCOUNT_ID)
    from lineage.sandbox.server import SandboxServer

    start = schedule.started(schedule.newest(datetime(2030, 1, 1, tzinfo=UTC)))
    clock = FakeClock(start + timedelta(seconds=60))
    buckets = tuple(b for b in WORLD.buckets if b.name.startswith("fraud-"))
    server = SandboxServer(
        SandboxOptions(), clock=clock, world=World(buckets, (FRAUD,), ())
    )
    try:
        server.seed()
        endpoint = server.open()
        sagemaker = boto3.session.Session(
            aws_access_key_id=SANDBOX_ACCESS_KEY_ID,
            aws_secret_access_key=SANDBOX_SECRET_ACCESS_KEY,
            region_name=SEOUL,
        ).client(
            "sagemaker",
            endpoint_url=endpoint,
            config=Config(retries={"mode": "standard", "max_attempts": 1}),
        )
        yield sagemaker, clock, start
    finally:
        server.stop()
        monkeypatch.undo()


def newest_steps(sm: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    latest = sm.list_pipeline_executions(PipelineName=FRAUD.name)["PipelineExecutionSummaries"][0]
    steps = sm.list_pipeline_execution_steps(
        PipelineExecutionArn=latest["PipelineExecutionArn"], MaxResults=100
    )["PipelineExecutionSteps"]
    return latest, {s["StepName"]: s for s in steps}


def training_job(sm: Any, step: dict[str, Any]) -> dict[str, Any]:
    name = step["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    job: dict[str, Any] = sm.describe_training_job(TrainingJobName=name)
    return job


def test_jobs_follow_their_steps_and_a_new_run_brings_its_own(
    live: tuple[Any, FakeClock, datetime], schedule: LiveSchedule
) -> None:
    sm, clock, start = live
    latest, steps = newest_steps(sm)
    assert latest["StartTime"] == start
    assert list(steps) == ["BuildFeatures"]
    processing = steps["BuildFeatures"]["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1]
    assert sm.describe_processing_job(ProcessingJobName=processing)[
        "ProcessingJobStatus"
    ] == "InProgress"

    clock.now = start + timedelta(seconds=300)  # both models training
    _, steps = newest_steps(sm)
    xgboost = training_job(sm, steps["TrainXGBoost"])
    assert steps["TrainXGBoost"]["StepStatus"] == "Executing"
    assert xgboost["TrainingJobStatus"] == "InProgress"
    assert "FinalMetricDataList" not in xgboost and "ModelArtifacts" not in xgboost
    assert sm.describe_processing_job(ProcessingJobName=processing)[
        "ProcessingJobStatus"
    ] == "Completed"

    clock.now = start + timedelta(seconds=700)  # both trained, being compared
    _, steps = newest_steps(sm)
    xgboost = training_job(sm, steps["TrainXGBoost"])
    assert steps["TrainXGBoost"]["StepStatus"] == "Succeeded"
    assert xgboost["TrainingJobStatus"] == "Completed"
    assert xgboost["TrainingEndTime"] == datetime.fromtimestamp(
        steps["TrainXGBoost"]["EndTime"].timestamp(), UTC
    )
    assert {m["MetricName"]: m["Value"] for m in xgboost["FinalMetricDataList"]} == {
        "validation:auc": 0.95,
        "train:auc": 0.98,
    }
    assert xgboost["ModelArtifacts"]["S3ModelArtifacts"].endswith("/output/model.tar.gz")
    assert steps["CompareModels"]["StepStatus"] == "Executing"

    clock.now = start + timedelta(seconds=schedule.period_s + 60)  # the next run
    latest, steps = newest_steps(sm)
    assert latest["StartTime"] == start + timedelta(seconds=schedule.period_s)
    assert list(steps) == ["BuildFeatures"]
    job = steps["BuildFeatures"]["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1]
    assert job != processing
    assert sm.describe_processing_job(ProcessingJobName=job)["ProcessingJobStatus"] == (
        "InProgress"
    )
    assert sm.describe_pipeline(PipelineName=FRAUD.name)["LastRunTime"] == latest["StartTime"]
    listed = sm.list_pipeline_executions(PipelineName=FRAUD.name)["PipelineExecutionSummaries"]
    assert [e["PipelineExecutionStatus"] for e in listed[:2]] == ["Executing", "Succeeded"]
