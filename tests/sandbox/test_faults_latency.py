"""--latency-ms and --faults, observed through boto3 (standard retries) over HTTP."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from lineage.sandbox import SandboxProcess
from lineage.sandbox.options import parse_faults
from tests.conftest import StartSandbox
from tests.sandbox.awsraw import list_pipelines_outcomes
from tests.sandbox.clients import client

# Measures time or load: run alone, after the parallel run (make unit).
pytestmark = [pytest.mark.sandbox, pytest.mark.serial]


def test_latency_applies_to_concurrent_calls_in_parallel(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(latency_ms=200, seed_world=False)
    sm = client(sandbox, "sagemaker", pool=10)
    began = time.monotonic()
    sm.list_pipelines()
    single = time.monotonic() - began
    assert single >= 0.2

    began = time.monotonic()
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda _: sm.list_pipelines(), range(10)))
    elapsed = time.monotonic() - began
    assert elapsed >= 0.2
    assert elapsed < 1.0, f"10 parallel calls took {elapsed:.2f}s: serialised?"
    assert len(sandbox.calls()) == 11


def test_throttle_all_is_throttling_after_retries(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(faults=parse_faults("throttle=1.0"), seed_world=False)
    sm = client(sandbox, "sagemaker", max_attempts=2)
    with pytest.raises(ClientError) as info:
        sm.list_pipelines()
    error = info.value.response
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["Error"]["Message"] == "Rate exceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    sm_attempts = error["ResponseMetadata"]["RetryAttempts"] + 1
    assert sm_attempts >= 2  # standard mode retried it

    s3 = client(sandbox, "s3", max_attempts=2)
    with pytest.raises(ClientError) as info:
        s3.get_bucket_versioning(Bucket="any-bucket")
    assert info.value.response["Error"]["Code"] == "SlowDown"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    s3_attempts = info.value.response["ResponseMetadata"]["RetryAttempts"] + 1
    assert s3_attempts >= 2
    operations = [c["operation"] for c in sandbox.calls()]
    assert operations == ["ListPipelines"] * sm_attempts + ["GetBucketVersioning"] * s3_attempts


def test_deny_refuses_only_the_named_operations(start_sandbox: StartSandbox) -> None:
    spec = "deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob"
    sandbox = start_sandbox(faults=parse_faults(spec), seed_world=False)
    sm, s3 = client(sandbox, "sagemaker"), client(sandbox, "s3")

    with pytest.raises(ClientError) as info:
        sm.describe_training_job(TrainingJobName="anything")
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    with pytest.raises(ClientError) as info:
        s3.get_bucket_encryption(Bucket="some-bucket")
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    s3.create_bucket(
        Bucket="allowed-bucket",
        CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"},
    )
    assert s3.get_bucket_versioning(Bucket="allowed-bucket").get("Status") is None
    assert sm.list_pipelines()["PipelineSummaries"] == []
    with pytest.raises(ClientError) as info:  # a real moto answer, not a fault
        sm.describe_processing_job(ProcessingJobName="missing")
    assert info.value.response["Error"]["Code"] == "ValidationException"


def test_partial_throttling_is_deterministic_per_seed(start_sandbox: StartSandbox) -> None:
    def outcomes(sandbox: SandboxProcess) -> list[str]:
        return list_pipelines_outcomes(sandbox.endpoint)

    faults = parse_faults("throttle=0.3;seed=7")
    first = outcomes(start_sandbox(faults=faults, seed_world=False))
    second = outcomes(start_sandbox(faults=faults, seed_world=False))
    other = outcomes(start_sandbox(faults=parse_faults("throttle=0.3;seed=8"), seed_world=False))
    assert first == second
    assert first != other
    assert 4 <= first.count("ThrottlingException") <= 24
    assert set(first) == {"ok", "ThrottlingException"}
