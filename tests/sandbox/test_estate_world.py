"""The estate (issue 12): shared datasets, the registry, deployments, a second region and a
second account, read through boto3 over HTTP like the product reads AWS."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from lineage.sandbox import (
    ACCOUNT_ID,
    SECOND_ACCOUNT_ID,
    SECOND_ACCOUNT_ROLE_ARN,
    SandboxOptions,
    SandboxProcess,
)
from lineage.sandbox.world.estate import (
    CANARY_FAILURE,
    ESTATE_FEATURES_BUCKET,
    FEATURE_RUNS,
    FEATURES_PREFIX,
    LGBM_MODEL_GROUP,
    PARTNER_BUCKET,
    PARTNER_READ_FAILURE,
    PARTNER_RUNS,
    XGB_MODEL_GROUP,
)
from lineage.sandbox.world.generated import generated_name, stage_uri
from tests.conftest import StartSandbox
from tests.sandbox.clients import SEOUL, client, executions

pytestmark = pytest.mark.sandbox


def steps(sm: Any, execution_arn: str) -> dict[str, dict[str, Any]]:
    answer = sm.list_pipeline_execution_steps(PipelineExecutionArn=execution_arn, MaxResults=100)
    return {s["StepName"]: s for s in answer["PipelineExecutionSteps"]}


def job_name(step: dict[str, Any], kind: str) -> str:
    return str(step["Metadata"][kind]["Arn"].rsplit("/", 1)[1])


def test_feature_runs_write_their_own_folder(sandbox: SandboxProcess, sm: Any) -> None:
    runs = executions(sm, "customer-features-pipeline")
    assert [r["PipelineExecutionStatus"] for r in runs] == ["Succeeded", "Failed", "Succeeded"]
    written = []
    for run in runs:
        build = steps(sm, run["PipelineExecutionArn"])["BuildFeatures"]
        job = sm.describe_processing_job(ProcessingJobName=job_name(build, "ProcessingJob"))
        (output,) = job["ProcessingOutputConfig"]["Outputs"]
        written.append(output["S3Output"]["S3Uri"])
    assert written == [f"{FEATURES_PREFIX.rstrip('/')}/{run}" for run in reversed(FEATURE_RUNS)]
    keys = [
        o["Key"]
        for o in client(sandbox, "s3").list_objects_v2(Bucket=ESTATE_FEATURES_BUCKET)["Contents"]
    ]
    # Each run's folder holds its manifest and the Parquet part it wrote (dataset schemas).
    assert keys == [f"features/customers/{run}/{name}" for run in FEATURE_RUNS
                    for name in ("_manifest.json", "part-00000.snappy.parquet")]


def test_both_trainers_read_the_features_prefix(sm: Any) -> None:
    read: dict[str, list[str]] = {}
    for pipeline, step in (
        ("churn-xgb-training-pipeline", "TrainXgb"),
        ("churn-lgbm-training-pipeline", "TrainLgbm"),
    ):
        for run in executions(sm, pipeline):
            train = steps(sm, run["PipelineExecutionArn"])[step]
            job = sm.describe_training_job(TrainingJobName=job_name(train, "TrainingJob"))
            (channel,) = job["InputDataConfig"]
            read.setdefault(pipeline, []).append(channel["DataSource"]["S3DataSource"]["S3Uri"])
    assert read["churn-xgb-training-pipeline"] == [FEATURES_PREFIX] * 3
    # The lgbm trainer reads the newest feature folder of its day.
    assert read["churn-lgbm-training-pipeline"] == [
        f"{FEATURES_PREFIX}{FEATURE_RUNS[2]}/",
        f"{FEATURES_PREFIX}{FEATURE_RUNS[1]}/",
    ]


def test_packages_in_three_approval_states_generated_by_runs(sm: Any) -> None:
    states = {}
    for group in (XGB_MODEL_GROUP, LGBM_MODEL_GROUP):
        listed = sm.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]
        for summary in listed:
            package = sm.describe_model_package(ModelPackageName=summary["ModelPackageArn"])
            states[package["ModelPackageArn"].split("/", 1)[1]] = package["ModelApprovalStatus"]
            generated_by = package["MetadataProperties"]["GeneratedBy"]
            run = sm.describe_pipeline_execution(PipelineExecutionArn=generated_by)
            assert run["PipelineExecutionStatus"] == "Succeeded"
            # The run's RegisterModel step names this very package.
            registered = [
                s["Metadata"]["RegisterModel"]["Arn"]
                for s in steps(sm, generated_by).values()
                if "RegisterModel" in s["Metadata"]
            ]
            assert registered == [package["ModelPackageArn"]]
    assert states == {
        "churn-xgb-models/1": "Approved",
        "churn-xgb-models/2": "Rejected",
        "churn-xgb-models/3": "PendingManualApproval",
        "churn-lgbm-models/1": "Approved",
        "churn-lgbm-models/2": "PendingManualApproval",
    }


def test_models_name_a_package_or_a_training_artifact(sm: Any) -> None:
    package = f"arn:aws:sagemaker:{SEOUL}:{ACCOUNT_ID}:model-package/churn-xgb-models/1"
    assert sm.describe_model(ModelName="churn-xgb-v1")["Containers"] == [
        {"ModelPackageName": package}
    ]
    (container,) = sm.describe_model(ModelName="churn-xgb-v3")["Containers"]
    latest = executions(sm, "churn-xgb-training-pipeline")[0]
    train = steps(sm, latest["PipelineExecutionArn"])["TrainXgb"]
    job = sm.describe_training_job(TrainingJobName=job_name(train, "TrainingJob"))
    assert container["ModelDataUrl"] == job["ModelArtifacts"]["S3ModelArtifacts"]


def test_endpoints_in_service_failed_and_updating(sm: Any) -> None:
    def endpoint(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        described = sm.describe_endpoint(EndpointName=name)
        return described, sm.describe_endpoint_config(
            EndpointConfigName=described["EndpointConfigName"]
        )

    prod, prod_config = endpoint("churn-prod")
    assert prod["EndpointStatus"] == "InService"
    assert [v["ModelName"] for v in prod_config["ProductionVariants"]] == ["churn-xgb-v1"]
    canary, _ = endpoint("churn-canary")
    assert (canary["EndpointStatus"], canary["FailureReason"]) == ("Failed", CANARY_FAILURE)
    ab, ab_config = endpoint("churn-ab-test")
    assert ab["EndpointStatus"] == "Updating"
    assert [v["VariantName"] for v in ab["ProductionVariants"]] == ["XgbVariant", "LgbmVariant"]
    assert [v["ModelName"] for v in ab_config["ProductionVariants"]] == [
        "churn-xgb-v1",
        "churn-lgbm-v1",
    ]
    assert [v["ModelName"] for v in ab_config["ShadowProductionVariants"]] == ["churn-xgb-v3"]


def test_the_lgbm_pipeline_deploys_itself(sm: Any) -> None:
    latest = executions(sm, "churn-lgbm-training-pipeline")[0]
    ran = steps(sm, latest["PipelineExecutionArn"])
    deployed = ran["DeployStaging"]["Metadata"]["Endpoint"]["Arn"]
    assert deployed.endswith(":endpoint/churn-lgbm-staging")
    staging = sm.describe_endpoint(EndpointName="churn-lgbm-staging")
    assert staging["EndpointStatus"] == "InService"
    config = sm.describe_endpoint_config(EndpointConfigName=staging["EndpointConfigName"])
    model = config["ProductionVariants"][0]["ModelName"]
    assert ran["CreateStagingModel"]["Metadata"]["Model"]["Arn"].endswith(f":model/{model}")
    train = ran["TrainLgbm"]
    job = sm.describe_training_job(TrainingJobName=job_name(train, "TrainingJob"))
    assert sm.describe_model(ModelName=model)["PrimaryContainer"]["ModelDataUrl"] == (
        job["ModelArtifacts"]["S3ModelArtifacts"]
    )


def test_second_region_reads_the_seoul_features(sandbox: SandboxProcess) -> None:
    virginia = client(sandbox, "sagemaker", "us-east-1")
    run = executions(virginia, "churn-batch-scoring-pipeline")[0]
    score = steps(virginia, run["PipelineExecutionArn"])["ScoreCustomers"]
    job = virginia.describe_processing_job(ProcessingJobName=job_name(score, "ProcessingJob"))
    uris = [i["S3Input"]["S3Uri"] for i in job["ProcessingInputs"]]
    assert FEATURES_PREFIX in uris


def second_account(sandbox: SandboxProcess) -> boto3.session.Session:
    """A session on the credentials of AssumeRole of the second account's role."""
    sts = client(sandbox, "sts")
    credentials = sts.assume_role(RoleArn=SECOND_ACCOUNT_ROLE_ARN, RoleSessionName="lineage")[
        "Credentials"
    ]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=SEOUL,
    )


def test_assumed_role_reaches_the_second_account_only(sandbox: SandboxProcess) -> None:
    session = second_account(sandbox)
    other = session.client("sagemaker", endpoint_url=sandbox.endpoint)
    assert session.client("sts", endpoint_url=sandbox.endpoint).get_caller_identity()[
        "Account"
    ] == SECOND_ACCOUNT_ID
    names = [p["PipelineName"] for p in other.list_pipelines()["PipelineSummaries"]]
    assert names == ["partner-churn-scoring-pipeline"]
    described = other.describe_pipeline(PipelineName="partner-churn-scoring-pipeline")
    assert described["PipelineArn"].split(":")[4] == SECOND_ACCOUNT_ID
    assert FEATURES_PREFIX in described["PipelineDefinition"]  # the first account's bucket
    first = client(sandbox, "sagemaker")
    assert "partner-churn-scoring-pipeline" not in {
        p["PipelineName"] for p in first.list_pipelines(MaxResults=100)["PipelineSummaries"]
    }


def test_the_partner_scores_feature_runs_of_the_first_account(sandbox: SandboxProcess) -> None:
    other = second_account(sandbox).client("sagemaker", endpoint_url=sandbox.endpoint)
    runs = executions(other, "partner-churn-scoring-pipeline")  # newest first
    assert [r["PipelineExecutionArn"].rsplit("/", 1)[1] for r in runs] == list(
        reversed(PARTNER_RUNS)
    )
    assert [r["PipelineExecutionStatus"] for r in runs] == ["Succeeded", "Failed"]
    read, wrote = [], []
    for run in runs:
        arn = run["PipelineExecutionArn"]
        assert arn.split(":")[4] == SECOND_ACCOUNT_ID  # the run is the partner's own
        assert other.describe_pipeline_execution(PipelineExecutionArn=arn)[
            "PipelineArn"
        ].split(":")[4] == SECOND_ACCOUNT_ID
        score = steps(other, arn)["ScoreCustomers"]
        job_arn = score["Metadata"]["ProcessingJob"]["Arn"]
        assert job_arn.split(":")[4] == SECOND_ACCOUNT_ID
        # The job is in the partner's account, where the assumed role reads it.
        job = other.describe_processing_job(ProcessingJobName=job_name(score, "ProcessingJob"))
        assert job["ProcessingJobArn"] == job_arn
        read.append([i["S3Input"]["S3Uri"] for i in job["ProcessingInputs"]
                     if i["InputName"] == "features"])
        (output,) = job["ProcessingOutputConfig"]["Outputs"]
        wrote.append(output["S3Output"]["S3Uri"])
    # The newest run read the newest feature run, the failed one the first.
    assert read == [[f"{FEATURES_PREFIX}{run}/"] for run in (FEATURE_RUNS[2], FEATURE_RUNS[0])]
    assert wrote == [f"s3://{PARTNER_BUCKET}/scores/{run}" for run in reversed(PARTNER_RUNS)]
    failed = steps(other, runs[1]["PipelineExecutionArn"])["ScoreCustomers"]
    assert (failed["StepStatus"], failed["FailureReason"]) == ("Failed", PARTNER_READ_FAILURE)
    # The first account has none of the partner's jobs.
    first = client(sandbox, "sagemaker")
    with pytest.raises(first.exceptions.ClientError):
        first.describe_processing_job(ProcessingJobName=job_name(failed, "ProcessingJob"))


def test_estate_size_adds_pipelines_sharing_datasets(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(SandboxOptions(estate_size=20, seed_world=False))
    sm = client(sandbox, "sagemaker")
    paginator = sm.get_paginator("list_pipelines")
    names = sorted(
        p["PipelineName"] for page in paginator.paginate() for p in page["PipelineSummaries"]
    )
    assert names == [generated_name(i) for i in range(1, 21)]
    # The second of a chain reads what the first wrote.
    first = steps(sm, executions(sm, generated_name(1))[0]["PipelineExecutionArn"])["Transform"]
    second = steps(sm, executions(sm, generated_name(2))[0]["PipelineExecutionArn"])["Transform"]
    wrote = sm.describe_processing_job(ProcessingJobName=job_name(first, "ProcessingJob"))
    read = sm.describe_processing_job(ProcessingJobName=job_name(second, "ProcessingJob"))
    assert wrote["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == stage_uri(0, 1)
    assert stage_uri(0, 1) in [i["S3Input"]["S3Uri"] for i in read["ProcessingInputs"]]
    assert "Generated 20 estate pipelines" in sandbox.output
