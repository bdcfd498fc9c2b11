"""What decides exposure and retention, as the sandbox answers it over HTTP (boto3, like the
product): bucket policy status, lifecycle rules, Object Lock, Macie's session and findings,
and the chain that is clean end to end."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from lineage.sandbox import SECOND_ACCOUNT_ROLE_ARN, SandboxProcess, parse_faults
from lineage.sandbox.world.estate import (
    ESTATE_FEATURES_BUCKET,
    ESTATE_MODELS_BUCKET,
    ESTATE_RAW_BUCKET,
    ESTATE_SCORES_BUCKET,
    FEATURES_EXPIRE_DAYS,
)
from lineage.sandbox.world.mlops import MLOPS_BUCKET, MLOPS_ENDPOINT, MLOPS_MODEL
from tests.conftest import StartSandbox
from tests.sandbox.clients import SEOUL, client

pytestmark = pytest.mark.sandbox

VIRGINIA = "us-east-1"
PERSONAL = "SensitiveData:S3Object/Personal"
MULTIPLE = "SensitiveData:S3Object/Multiple"


def error_code(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Code"])


def criteria(bucket: str, **more: list[str]) -> dict[str, Any]:
    criterion: dict[str, Any] = {"resourcesAffected.s3Bucket.name": {"eq": [bucket]}}
    criterion.update({name: {"eq": values} for name, values in more.items()})
    return {"criterion": criterion}


@pytest.fixture(scope="module")
def s3(sandbox: SandboxProcess) -> Any:
    return client(sandbox, "s3")


@pytest.fixture(scope="module")
def macie(sandbox: SandboxProcess) -> Any:
    return client(sandbox, "macie2")


def test_the_features_bucket_is_public_through_its_policy(s3: Any) -> None:
    status = s3.get_bucket_policy_status(Bucket=ESTATE_FEATURES_BUCKET)["PolicyStatus"]
    assert status["IsPublic"] is True
    # The models bucket blocks public policies; the raw one has no policy at all.
    assert error_code(s3.get_bucket_policy_status, Bucket=ESTATE_RAW_BUCKET) == (
        "NoSuchBucketPolicy")
    assert error_code(s3.get_bucket_policy_status, Bucket=MLOPS_BUCKET) == "NoSuchBucketPolicy"


def test_feature_runs_expire_after_thirty_days(s3: Any) -> None:
    rules = s3.get_bucket_lifecycle_configuration(Bucket=ESTATE_FEATURES_BUCKET)["Rules"]
    expiring = [r for r in rules if "Expiration" in r]
    assert [(r["Filter"]["Prefix"], r["Expiration"]["Days"], r["Status"]) for r in expiring] == [
        ("features/", FEATURES_EXPIRE_DAYS, "Enabled")]
    # Transitions only: the raw bucket's exports are archived, not deleted.
    raw = s3.get_bucket_lifecycle_configuration(Bucket=ESTATE_RAW_BUCKET)["Rules"]
    assert all("Expiration" not in r for r in raw)
    assert error_code(s3.get_bucket_lifecycle_configuration, Bucket=MLOPS_BUCKET) == (
        "NoSuchLifecycleConfiguration")


def test_the_models_bucket_has_object_lock(s3: Any) -> None:
    lock = s3.get_object_lock_configuration(Bucket=ESTATE_MODELS_BUCKET)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    retention = lock["Rule"]["DefaultRetention"]
    assert (retention["Mode"], retention["Days"]) == ("GOVERNANCE", 365)
    assert error_code(s3.get_object_lock_configuration, Bucket=MLOPS_BUCKET) == (
        "ObjectLockConfigurationNotFoundError")


def test_macie_is_enabled_in_seoul_only(sandbox: SandboxProcess, macie: Any) -> None:
    assert macie.get_macie_session()["status"] == "ENABLED"
    virginia = client(sandbox, "macie2", VIRGINIA, max_attempts=1)
    with pytest.raises(ClientError) as caught:
        virginia.get_macie_session()
    error = caught.value.response
    assert error["Error"]["Code"] == "AccessDeniedException"
    assert error["Error"]["Message"] == "Macie is not enabled."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    # Every Macie call there says so, findings too.
    assert error_code(virginia.get_finding_statistics, groupBy="type") == "AccessDeniedException"


def test_macie_is_not_enabled_in_the_second_account(sandbox: SandboxProcess) -> None:
    sts = client(sandbox, "sts")
    credentials = sts.assume_role(RoleArn=SECOND_ACCOUNT_ROLE_ARN,
                                  RoleSessionName="lineage")["Credentials"]
    partner = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=SEOUL,
    ).client("macie2", endpoint_url=sandbox.endpoint)
    assert error_code(partner.get_macie_session) == "AccessDeniedException"


def test_sensitive_data_statistics_of_the_raw_bucket(macie: Any) -> None:
    current = macie.get_finding_statistics(
        findingCriteria=criteria(ESTATE_RAW_BUCKET, category=["CLASSIFICATION"],
                                 archived=["false"]),
        groupBy="type",
    )["countsByGroup"]
    assert current == [{"groupKey": MULTIPLE, "count": 1}, {"groupKey": PERSONAL, "count": 2}]
    # The archived finding (a test file) still exists; the features bucket's is a policy one.
    everything = macie.get_finding_statistics(
        findingCriteria=criteria(ESTATE_RAW_BUCKET), groupBy="type")["countsByGroup"]
    assert sum(g["count"] for g in everything) == 4
    features = macie.get_finding_statistics(
        findingCriteria=criteria(ESTATE_FEATURES_BUCKET), groupBy="type")["countsByGroup"]
    assert features == [{"groupKey": "Policy:IAMUser/S3BucketPublic", "count": 1}]
    clean = macie.get_finding_statistics(
        findingCriteria=criteria(MLOPS_BUCKET), groupBy="type")["countsByGroup"]
    assert clean == []


def test_findings_listed_and_described(macie: Any) -> None:
    listed = macie.list_findings(
        findingCriteria=criteria(ESTATE_RAW_BUCKET, type=[PERSONAL]), maxResults=1)
    ids = list(listed["findingIds"])
    assert len(ids) == 1 and listed["nextToken"]
    ids += macie.list_findings(findingCriteria=criteria(ESTATE_RAW_BUCKET, type=[PERSONAL]),
                               nextToken=listed["nextToken"])["findingIds"]
    findings = macie.get_findings(findingIds=ids)["findings"]
    assert len(findings) == 2
    for finding in findings:
        assert finding["type"] == PERSONAL and finding["category"] == "CLASSIFICATION"
        assert finding["resourcesAffected"]["s3Bucket"]["name"] == ESTATE_RAW_BUCKET
        assert finding["resourcesAffected"]["s3Object"]["key"].startswith("raw/customers/")
        assert finding["classificationDetails"]["result"]["sensitiveData"][0]["category"] == (
            "PERSONAL_INFORMATION")


def test_the_call_log_names_the_macie_operations(sandbox: SandboxProcess, macie: Any) -> None:
    sandbox.reset_calls()
    macie.get_macie_session()
    macie.get_finding_statistics(findingCriteria=criteria(ESTATE_RAW_BUCKET), groupBy="type")
    assert [(c["service"], c["operation"]) for c in sandbox.calls()] == [
        ("macie2", "GetMacieSession"), ("macie2", "GetFindingStatistics")]


def test_a_denied_macie_call_is_a_refusal_not_not_enabled(start_sandbox: StartSandbox) -> None:
    denying = start_sandbox(faults=parse_faults("deny=macie2:GetMacieSession"))
    with pytest.raises(ClientError) as caught:
        client(denying, "macie2", max_attempts=1).get_macie_session()
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "is not authorized to perform: macie2:GetMacieSession" in error["Message"]


def test_the_clean_chain_ends_at_an_endpoint_in_service(sandbox: SandboxProcess, s3: Any) -> None:
    sm = client(sandbox, "sagemaker")
    endpoint = sm.describe_endpoint(EndpointName=MLOPS_ENDPOINT)
    assert endpoint["EndpointStatus"] == "InService"
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert [v["ModelName"] for v in config["ProductionVariants"]] == [MLOPS_MODEL]
    model = sm.describe_model(ModelName=MLOPS_MODEL)
    package = sm.describe_model_package(ModelPackageName=model["Containers"][0][
        "ModelPackageName"])
    assert package["ModelPackageGroupName"] == "mlops-churn-models"
    assert package["ModelApprovalStatus"] == "Approved"
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"].startswith(
        f"s3://{MLOPS_BUCKET}/")
    # Its one bucket: KMS, versioned, public access blocked, none of the risky settings.
    rule = s3.get_bucket_encryption(Bucket=MLOPS_BUCKET)["ServerSideEncryptionConfiguration"][
        "Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_bucket_versioning(Bucket=MLOPS_BUCKET)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=MLOPS_BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_the_scores_bucket_in_virginia_has_none_of_it(s3: Any) -> None:
    assert error_code(s3.get_bucket_policy_status, Bucket=ESTATE_SCORES_BUCKET) == (
        "NoSuchBucketPolicy")
