"""The seeded world, read through boto3 over HTTP like the product reads AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lineage.sandbox import ACCOUNT_ID, SandboxProcess
from lineage.sandbox.world import (
    MLOPS,
    MLOPS_BUCKET,
    SCALE_SHARDS,
    WORLD,
    scale_bucket,
)
from lineage.sandbox.world.mlops_history import EXECUTING_ID
from tests.sandbox.clients import SEOUL, client, executions

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def s3(sandbox: SandboxProcess) -> Any:
    return client(sandbox, "s3")


def all_steps(sm: Any, execution_arn: str) -> list[dict[str, Any]]:
    paginator = sm.get_paginator("list_pipeline_execution_steps")
    return [
        step
        for page in paginator.paginate(PipelineExecutionArn=execution_arn, MaxResults=100)
        for step in page["PipelineExecutionSteps"]
    ]


def latest_steps(sm: Any, pipeline: str) -> dict[str, dict[str, Any]]:
    arn = executions(sm, pipeline)[0]["PipelineExecutionArn"]
    return {s["StepName"]: s for s in all_steps(sm, arn)}


@pytest.mark.parametrize(
    ("pipeline", "region", "status"),
    [
        ("mlops-pipeline", SEOUL, "Succeeded"),
        ("churn-pipeline", SEOUL, "Failed"),
        ("fraud-detection-pipeline", SEOUL, "Executing"),
        ("scale-pipeline", SEOUL, "Succeeded"),
        ("nlp-pipeline", "us-east-1", "Stopped"),
    ],
)
def test_latest_execution_status(
    sandbox: SandboxProcess, pipeline: str, region: str, status: str
) -> None:
    sm = client(sandbox, "sagemaker", region)
    latest = executions(sm, pipeline)[0]
    assert latest["PipelineExecutionStatus"] == status
    arn = latest["PipelineExecutionArn"]
    assert arn.startswith(f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:pipeline/{pipeline}/execution/")
    described = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert described["PipelineExecutionStatus"] == status
    assert described["PipelineArn"] == arn.split("/execution/")[0]


def test_pipelines_live_in_their_regions(sandbox: SandboxProcess) -> None:
    seoul = client(sandbox, "sagemaker", SEOUL).list_pipelines(MaxResults=100)
    virginia = client(sandbox, "sagemaker", "us-east-1").list_pipelines(MaxResults=100)
    assert {p["PipelineName"] for p in seoul["PipelineSummaries"]} == {
        "mlops-pipeline",
        "churn-pipeline",
        "fraud-detection-pipeline",
        "scale-pipeline",
        "customer-features-pipeline",
        "churn-xgb-training-pipeline",
        "churn-lgbm-training-pipeline",
    }
    assert {p["PipelineName"] for p in virginia["PipelineSummaries"]} == {
        "nlp-pipeline",
        "churn-batch-scoring-pipeline",
    }


def execution_id(summary: dict[str, Any]) -> str:
    return str(summary["PipelineExecutionArn"]).rsplit("/", 1)[-1]


def listed_execution(sm: Any, wanted: str) -> dict[str, Any]:
    return next(e for e in executions(sm, "mlops-pipeline") if execution_id(e) == wanted)


def test_executions_newest_first_and_paged(sm: Any) -> None:
    listed = executions(sm, "mlops-pipeline")
    starts = [e["StartTime"] for e in listed]
    assert len(listed) == len(MLOPS.executions) and starts == sorted(starts, reverse=True)
    newest_first = sorted(MLOPS.executions, key=lambda e: e.started, reverse=True)
    assert [(execution_id(e), e["PipelineExecutionStatus"]) for e in listed] == [
        (e.execution_id, e.status) for e in newest_first
    ]
    assert [execution_id(e) for e in listed[:3]] == ["r3a5pd8rmk8r", EXECUTING_ID, "h4d8s2n6p0cd"]
    assert all(
        bool(e.get("PipelineExecutionFailureReason")) == (e["PipelineExecutionStatus"] == "Failed")
        for e in listed
    )

    first = sm.list_pipeline_executions(PipelineName="mlops-pipeline", MaxResults=20)
    assert len(first["PipelineExecutionSummaries"]) == 20 and first["NextToken"]
    second = sm.list_pipeline_executions(
        PipelineName="mlops-pipeline", MaxResults=20, NextToken=first["NextToken"]
    )
    assert "NextToken" not in second
    paged = first["PipelineExecutionSummaries"] + second["PipelineExecutionSummaries"]
    assert [e["PipelineExecutionArn"] for e in paged] == [e["PipelineExecutionArn"] for e in listed]

    ascending = executions(sm, "mlops-pipeline", SortOrder="Ascending")
    assert [e["PipelineExecutionArn"] for e in ascending] == [
        e["PipelineExecutionArn"] for e in reversed(listed)
    ]
    by_arn = executions(sm, "mlops-pipeline", SortBy="PipelineExecutionArn", SortOrder="Ascending")
    arns = [e["PipelineExecutionArn"] for e in by_arn]
    assert arns == sorted(arns)


def test_unknown_pipeline_and_execution_are_resource_not_found(sm: Any) -> None:
    with pytest.raises(ClientError) as info:
        sm.list_pipeline_executions(PipelineName="no-such-pipeline")
    assert info.value.response["Error"]["Code"] == "ResourceNotFound"
    missing = (
        f"arn:aws:sagemaker:{SEOUL}:{ACCOUNT_ID}:pipeline/mlops-pipeline/execution/nope12345678"
    )
    for call in (
        sm.describe_pipeline_execution,
        sm.list_pipeline_execution_steps,
        sm.list_pipeline_parameters_for_execution,
        sm.describe_pipeline_definition_for_execution,
    ):
        with pytest.raises(ClientError) as info:
            call(PipelineExecutionArn=missing)
        assert info.value.response["Error"]["Code"] == "ResourceNotFound"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_mlops_latest_run(sm: Any, s3: Any) -> None:
    steps = latest_steps(sm, "mlops-pipeline")
    assert set(steps) == {
        "Preprocess",
        "Train",
        "Evaluate",
        "CheckAUC",
        "RegisterModel",
        "CreateModel",
    }
    assert all(s["StepStatus"] == "Succeeded" for s in steps.values())
    assert steps["CheckAUC"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert steps["Preprocess"]["StepDisplayName"] == "Preprocess churn data"
    assert steps["Preprocess"]["CacheHitResult"]["SourcePipelineExecutionArn"].endswith(
        "/execution/h4d8s2n6p0cd"
    )

    training = steps["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    job = sm.describe_training_job(TrainingJobName=training)
    assert job["TrainingJobStatus"] == "Completed"
    metrics = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert metrics == {"validation:auc": 0.63, "train:auc": 0.72}
    assert job["ModelArtifacts"]["S3ModelArtifacts"] == (
        f"s3://{MLOPS_BUCKET}/mlops-pipeline/models/{training}/output/model.tar.gz"
    )
    assert job["ResourceConfig"]["InstanceType"] == "ml.m5.2xlarge"  # the execution's parameter

    evaluate = steps["Evaluate"]["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1]
    outputs = sm.describe_processing_job(ProcessingJobName=evaluate)["ProcessingOutputConfig"]
    uri = outputs["Outputs"][0]["S3Output"]["S3Uri"]
    assert uri == f"s3://{MLOPS_BUCKET}/mlops-pipeline/r3a5pd8rmk8r/Evaluate/evaluation"
    report = s3.get_object(Bucket=MLOPS_BUCKET, Key=uri.split("/", 3)[3] + "/evaluation.json")
    assert b'"auc"' in report["Body"].read()

    package = sm.describe_model_package(
        ModelPackageName=steps["RegisterModel"]["Metadata"]["RegisterModel"]["Arn"]
    )
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    model = steps["CreateModel"]["Metadata"]["Model"]["Arn"].split("/")[-1]
    assert (
        sm.describe_model(ModelName=model)["ModelArn"]
        == steps["CreateModel"]["Metadata"]["Model"]["Arn"]
    )


def test_mlops_failed_run_took_the_else_branch(sm: Any) -> None:
    failed = listed_execution(sm, "h4d8s2n6p0cd")
    steps = {s["StepName"]: s for s in all_steps(sm, failed["PipelineExecutionArn"])}
    assert steps["CheckAUC"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert steps["AUCTooLow"]["StepStatus"] == "Failed"
    assert steps["AUCTooLow"]["Metadata"]["Fail"]["ErrorMessage"] == (
        "Model AUC is below the threshold 0.75"
    )
    assert "RegisterModel" not in steps and "CreateModel" not in steps


def test_definition_and_parameters_for_execution(sm: Any) -> None:
    newest, older = executions(sm, "mlops-pipeline")[0], listed_execution(sm, "q7v2m9k3x1ab")
    current = sm.describe_pipeline(PipelineName="mlops-pipeline")["PipelineDefinition"]
    latest_def = sm.describe_pipeline_definition_for_execution(
        PipelineExecutionArn=newest["PipelineExecutionArn"]
    )["PipelineDefinition"]
    old_def = sm.describe_pipeline_definition_for_execution(
        PipelineExecutionArn=older["PipelineExecutionArn"]
    )["PipelineDefinition"]
    assert latest_def == current
    assert old_def != current and "CreateModel" not in old_def
    params = sm.list_pipeline_parameters_for_execution(
        PipelineExecutionArn=newest["PipelineExecutionArn"]
    )["PipelineParameters"]
    assert {"Name": "TrainingInstanceType", "Value": "ml.m5.2xlarge"} in params
    assert {"Name": "AucThreshold", "Value": "0.75"} in params


def test_mlops_pipeline_tags_and_domain(sm: Any) -> None:
    pipeline = sm.describe_pipeline(PipelineName="mlops-pipeline")
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=pipeline["PipelineArn"])["Tags"]}
    assert tags["DomainName"] == "ml-platform"
    assert pipeline["LastRunTime"] == executions(sm, "mlops-pipeline")[0]["StartTime"]
    domains = sm.list_domains()["Domains"]
    assert [d["DomainName"] for d in domains] == ["ml-platform"]


def bucket_settings(s3: Any, bucket: str) -> dict[str, Any]:
    def code(call: Any) -> Any:
        try:
            return call(Bucket=bucket)
        except ClientError as exc:
            return exc.response["Error"]["Code"]

    encryption = code(s3.get_bucket_encryption)
    block = code(s3.get_public_access_block)
    tagging = code(s3.get_bucket_tagging)
    return {
        "encryption": encryption
        if isinstance(encryption, str)
        else encryption["ServerSideEncryptionConfiguration"]["Rules"][0][
            "ApplyServerSideEncryptionByDefault"
        ]["SSEAlgorithm"],
        "versioning": s3.get_bucket_versioning(Bucket=bucket).get("Status"),
        "block": block if isinstance(block, str) else block["PublicAccessBlockConfiguration"],
        "tags": tagging
        if isinstance(tagging, str)
        else {t["Key"]: t["Value"] for t in tagging["TagSet"]},
        "location": s3.get_bucket_location(Bucket=bucket)["LocationConstraint"],
    }


def test_mlops_bucket_settings(s3: Any) -> None:
    settings = bucket_settings(s3, MLOPS_BUCKET)
    assert settings == {
        "encryption": "aws:kms",
        "versioning": "Enabled",
        "block": {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
        "tags": {"Env": "development"},
        "location": SEOUL,
    }


def test_buckets_of_every_security_shape(sandbox: SandboxProcess) -> None:
    seen = set()
    for spec in WORLD.buckets:
        s3 = client(sandbox, "s3", spec.region)
        settings = bucket_settings(s3, spec.name)
        expected_encryption = spec.encryption or "ServerSideEncryptionConfigurationNotFoundError"
        assert settings["encryption"] == expected_encryption, spec.name
        assert settings["versioning"] == spec.versioning, spec.name
        if spec.public_access is None:
            assert settings["block"] == "NoSuchPublicAccessBlockConfiguration"
        else:
            assert all(settings["block"].values()) == (spec.public_access == "all")
        assert settings["tags"] == (dict(spec.tags) or "NoSuchTagSet")
        assert settings["location"] == (None if spec.region == "us-east-1" else spec.region)
        seen.add((spec.encryption, spec.versioning, spec.public_access, bool(spec.tags)))
    assert {s[0] for s in seen} == {"AES256", "aws:kms", None}
    assert {s[1] for s in seen} == {"Enabled", "Suspended", None}
    assert {s[2] for s in seen} == {"all", "partial", None}
    assert {s[3] for s in seen} == {True, False}


def test_churn_failed_in_training(sm: Any) -> None:
    latest = executions(sm, "churn-pipeline")[0]
    assert latest["PipelineExecutionFailureReason"] == "Step failure: One or multiple steps failed."
    steps = latest_steps(sm, "churn-pipeline")
    assert set(steps) == {"PrepareChurnData", "TrainChurn"}
    train = steps["TrainChurn"]
    assert train["StepStatus"] == "Failed" and "AlgorithmError" in train["FailureReason"]
    job = sm.describe_training_job(
        TrainingJobName=train["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    )
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"] == train["FailureReason"]
    assert "ModelArtifacts" not in job
    described = sm.describe_pipeline_execution(PipelineExecutionArn=latest["PipelineExecutionArn"])
    assert described["FailureReason"] == latest["PipelineExecutionFailureReason"]


def fraud_now(sm: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, str]]:
    """The newest fraud run, its steps, and the status each step's job reports."""
    latest = executions(sm, "fraud-detection-pipeline")[0]
    steps = {s["StepName"]: s for s in all_steps(sm, latest["PipelineExecutionArn"])}
    jobs = {}
    for name, step in steps.items():
        ((kind, meta),) = step["Metadata"].items()
        job = meta["Arn"].split("/")[-1]
        if kind == "TrainingJob":
            jobs[name] = sm.describe_training_job(TrainingJobName=job)["TrainingJobStatus"]
        elif kind == "ProcessingJob":
            jobs[name] = sm.describe_processing_job(ProcessingJobName=job)["ProcessingJobStatus"]
        else:  # a model has no status: it exists once its step starts
            assert kind == "Model" and sm.describe_model(ModelName=job)
            jobs[name] = "Completed"
    return latest, steps, jobs


def test_fraud_runs_live_now(sm: Any) -> None:
    """Dated from now, with steps running and their jobs in step; never days old."""
    job_status = {"Starting": "InProgress", "Executing": "InProgress", "Succeeded": "Completed"}
    for _ in range(3):  # a step may change between the listing and the Describe* calls
        latest, steps, jobs = fraud_now(sm)
        if all(job_status[steps[name]["StepStatus"]] == jobs[name] for name in steps):
            break
    else:
        pytest.fail(f"the jobs do not follow their steps: {steps} {jobs}")
    assert latest["PipelineExecutionStatus"] == "Executing"
    age = datetime.now(UTC) - latest["StartTime"]
    assert timedelta(0) < age < timedelta(minutes=15)
    assert {s["StepStatus"] for s in steps.values()} & {"Starting", "Executing"}
    assert "CreateFraudModel" not in steps  # the run's last step is still to come
    assert all(
        "EndTime" not in s for s in steps.values() if s["StepStatus"] != "Succeeded"
    )
    last_run = sm.describe_pipeline(PipelineName="fraud-detection-pipeline")["LastRunTime"]
    assert timedelta(0) <= last_run - latest["StartTime"] < timedelta(minutes=15)  # or newer


def test_fraud_keeps_its_seeded_run_and_lists_finished_live_ones(sm: Any) -> None:
    listed = executions(sm, "fraud-detection-pipeline")
    statuses = [e["PipelineExecutionStatus"] for e in listed]
    assert statuses[0] == "Executing" and statuses[-1] == "Succeeded"
    assert listed[-1]["PipelineExecutionArn"].endswith("/execution/f9r8a7u6d5aa")
    assert len(listed) >= 4  # the running one, two before it, the seeded one
    assert "Succeeded" in statuses[1:3]


def test_nlp_stopped_in_us_east_1(sandbox: SandboxProcess) -> None:
    sm = client(sandbox, "sagemaker", "us-east-1")
    steps = latest_steps(sm, "nlp-pipeline")
    assert steps["Tokenize"]["StepStatus"] == "Succeeded"
    assert steps["FineTune"]["StepStatus"] == "Stopped"
    assert "RegisterNlpModel" not in steps
    job = sm.describe_training_job(
        TrainingJobName=steps["FineTune"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    )
    assert job["TrainingJobStatus"] == "Stopped"
    with pytest.raises(ClientError):  # regions do not leak into each other
        client(sandbox, "sagemaker", SEOUL).describe_pipeline(PipelineName="nlp-pipeline")


def test_scale_pipeline_fans_out_over_buckets(sm: Any, s3: Any) -> None:
    pipeline = sm.describe_pipeline(PipelineName="scale-pipeline")
    arn = executions(sm, "scale-pipeline")[0]["PipelineExecutionArn"]
    steps = all_steps(sm, arn)
    assert len(steps) >= 120 and all(s["StepStatus"] == "Succeeded" for s in steps)
    assert len(pipeline["PipelineDefinition"]) > 10_000
    describe = {
        "TrainingJob": lambda n: sm.describe_training_job(TrainingJobName=n),
        "ProcessingJob": lambda n: sm.describe_processing_job(ProcessingJobName=n),
        "TransformJob": lambda n: sm.describe_transform_job(TransformJobName=n),
        "Model": lambda n: sm.describe_model(ModelName=n),
    }
    for step in steps:
        ((kind, meta),) = step["Metadata"].items()
        describe[kind](meta["Arn"].split("/")[-1])  # raises if the job is missing
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {scale_bucket(i) for i in range(SCALE_SHARDS)} <= buckets


def test_steps_paged_newest_first(sm: Any) -> None:
    arn = executions(sm, "scale-pipeline")[0]["PipelineExecutionArn"]
    pages = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"PipelineExecutionArn": arn, "MaxResults": 50}
        if token:
            kwargs["NextToken"] = token
        page = sm.list_pipeline_execution_steps(**kwargs)
        pages.append(page["PipelineExecutionSteps"])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [50, 50, len(pages[2])] and 0 < len(pages[2]) <= 50
    starts = [s["StartTime"] for p in pages for s in p]
    assert starts == sorted(starts, reverse=True)
    names = [s["StepName"] for p in pages for s in p]
    assert len(names) == len(set(names))
    assert names[-1] == "Ingest" and names[0] == "Publish"
    with pytest.raises(ClientError) as info:
        sm.list_pipeline_execution_steps(PipelineExecutionArn=arn, NextToken="garbage")
    assert info.value.response["Error"]["Code"] == "ValidationException"
