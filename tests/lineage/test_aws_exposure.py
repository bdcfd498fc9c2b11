"""Exact calls and answers of the exposure and retention reads (botocore's Stubber).

Bucket policy status, lifecycle rules, Object Lock, and Macie's session and findings: what
each answer becomes, what "not configured" means, and that refusals stay errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from lineage.aws import MACIE_NOT_ENABLED, AwsApi, ClientFactory, expiration_rule
from lineage.config import Settings
from lineage.errors import AwsAccessDenied, AwsError, AwsThrottled
from lineage.models import ExpirationRule, SensitiveData

REGION = "ap-northeast-2"
BUCKET = "b1"
MACIE_REGION = "us-west-2"  # the bucket's region, not the API's


def _session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="AKIATESTTESTTESTTEST", aws_secret_access_key="secret", region_name=REGION
    )


@pytest.fixture
def clients() -> ClientFactory:
    return ClientFactory(Settings(), session_factory=_session)


@pytest.fixture
def api(clients: ClientFactory) -> AwsApi:
    return AwsApi(clients, REGION)


@pytest.fixture
def s3(clients: ClientFactory) -> Iterator[Stubber]:
    with Stubber(clients.client("s3", REGION)) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def macie(clients: ClientFactory) -> Iterator[Stubber]:
    with Stubber(clients.client("macie2", MACIE_REGION)) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


# -- bucket policy status ---------------------------------------------------------------


@pytest.mark.parametrize(("is_public", "expected"), [(True, "Public"), (False, "NotPublic")])
def test_policy_status(api: AwsApi, s3: Stubber, is_public: bool, expected: str) -> None:
    s3.add_response("get_bucket_policy_status", {"PolicyStatus": {"IsPublic": is_public}},
                    {"Bucket": BUCKET})
    assert api.bucket_public_policy(BUCKET) == expected


def test_a_bucket_without_a_policy_is_not_public(api: AwsApi, s3: Stubber) -> None:
    s3.add_client_error("get_bucket_policy_status", "NoSuchBucketPolicy", http_status_code=404)
    assert api.bucket_public_policy(BUCKET) == "NotPublic"


def test_a_refused_policy_status_stays_an_error(api: AwsApi, s3: Stubber) -> None:
    s3.add_client_error("get_bucket_policy_status", "AccessDenied", http_status_code=403)
    with pytest.raises(AwsAccessDenied):
        api.bucket_public_policy(BUCKET)


# -- lifecycle --------------------------------------------------------------------------


def test_lifecycle_keeps_enabled_rules_that_expire_objects(api: AwsApi, s3: Stubber) -> None:
    s3.add_response(
        "get_bucket_lifecycle_configuration",
        {
            "Rules": [
                {"ID": "days", "Status": "Enabled", "Filter": {"Prefix": "features/"},
                 "Expiration": {"Days": 30}},
                {"ID": "date", "Status": "Enabled",
                 "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "k", "Value": "v"}]}},
                 "Expiration": {"Date": datetime(2026, 1, 1, tzinfo=UTC)}},
                {"ID": "legacy", "Status": "Enabled", "Prefix": "old/",
                 "Expiration": {"Days": 7}},
                {"ID": "noncurrent", "Status": "Enabled", "Filter": {},
                 "NoncurrentVersionExpiration": {"NoncurrentDays": 90}},
                {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "x/"},
                 "Expiration": {"Days": 1}},
                {"ID": "archive", "Status": "Enabled", "Filter": {"Prefix": "raw/"},
                 "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}]},
                {"ID": "uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
                {"ID": "markers", "Status": "Enabled", "Filter": {"Prefix": ""},
                 "Expiration": {"ExpiredObjectDeleteMarker": True}},
            ]
        },
        {"Bucket": BUCKET},
    )
    assert api.bucket_lifecycle(BUCKET) == (
        ExpirationRule("features/", expiration_days=30),
        ExpirationRule("tmp/", expiration_date="2026-01-01T00:00:00+00:00"),
        ExpirationRule("old/", expiration_days=7),
        ExpirationRule("", noncurrent_days=90),
    )


def test_no_lifecycle_configuration_is_no_rules(api: AwsApi, s3: Stubber) -> None:
    s3.add_client_error("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration",
                        http_status_code=404)
    assert api.bucket_lifecycle(BUCKET) == ()


def test_a_throttled_lifecycle_read_stays_an_error(api: AwsApi, s3: Stubber) -> None:
    s3.add_client_error("get_bucket_lifecycle_configuration", "SlowDown", http_status_code=503)
    with pytest.raises(AwsThrottled):
        api.bucket_lifecycle(BUCKET)


def test_expiration_rule_shape() -> None:
    rule = expiration_rule({"Status": "Enabled", "Filter": {"Prefix": "a/"},
                            "Expiration": {"Days": 30},
                            "NoncurrentVersionExpiration": {"NoncurrentDays": 5}})
    assert rule is not None
    assert rule.to_dict() == {"prefix": "a/", "expirationDays": 30, "expirationDate": None,
                              "noncurrentDays": 5}


# -- Object Lock ------------------------------------------------------------------------


def test_object_lock_enabled(api: AwsApi, s3: Stubber) -> None:
    s3.add_response(
        "get_object_lock_configuration",
        {"ObjectLockConfiguration": {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}}},
        {"Bucket": BUCKET},
    )
    assert api.bucket_object_lock(BUCKET) == "Enabled"


def test_a_bucket_made_without_object_lock(api: AwsApi, s3: Stubber) -> None:
    s3.add_client_error("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError",
                        http_status_code=404)
    assert api.bucket_object_lock(BUCKET) == "Disabled"


def test_a_refused_object_lock_read_stays_an_error(api: AwsApi, s3: Stubber) -> None:
    s3.add_client_error("get_object_lock_configuration", "AccessDenied", http_status_code=403)
    with pytest.raises(AwsAccessDenied):
        api.bucket_object_lock(BUCKET)


# -- Macie ------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "enabled"), [("ENABLED", True), ("PAUSED", True)])
def test_macie_session_in_the_bucket_region(
    api: AwsApi, macie: Stubber, status: str, enabled: bool
) -> None:
    macie.add_response("get_macie_session", {"status": status}, {})
    assert api.macie_enabled(MACIE_REGION) is enabled
    assert api.operations == ["macie2:GetMacieSession"]


def test_macie_not_enabled_is_data(api: AwsApi, macie: Stubber) -> None:
    macie.add_client_error("get_macie_session", "AccessDeniedException",
                           "Macie is not enabled.", http_status_code=403)
    assert api.macie_enabled(MACIE_REGION) is False


def test_a_real_refusal_of_macie_is_not_taken_for_not_enabled(
    api: AwsApi, macie: Stubber
) -> None:
    macie.add_client_error(
        "get_macie_session", "AccessDeniedException",
        "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: "
        "macie2:GetMacieSession", http_status_code=403)
    with pytest.raises(AwsAccessDenied) as caught:
        api.macie_enabled(MACIE_REGION)
    assert "123456789012" not in str(caught.value)  # AWS's text never leaves lineage.aws


def test_the_not_enabled_code_is_not_a_failure(api: AwsApi, macie: Stubber) -> None:
    macie.add_client_error("get_finding_statistics", "AccessDeniedException",
                           "Macie is not enabled.", http_status_code=403)
    with pytest.raises(AwsError) as caught:
        api.bucket_sensitive_data(BUCKET, MACIE_REGION)
    assert caught.value.code == MACIE_NOT_ENABLED
    assert not isinstance(caught.value, AwsAccessDenied)


CRITERIA = {
    "findingCriteria": {
        "criterion": {
            "resourcesAffected.s3Bucket.name": {"eq": [BUCKET]},
            "category": {"eq": ["CLASSIFICATION"]},
            "archived": {"eq": ["false"]},
        }
    },
    "groupBy": "type",
}


def test_sensitive_data_found_counts_by_type(api: AwsApi, macie: Stubber) -> None:
    macie.add_response(
        "get_finding_statistics",
        {"countsByGroup": [
            {"groupKey": "SensitiveData:S3Object/Personal", "count": 2},
            {"groupKey": "SensitiveData:S3Object/Financial", "count": 1},
            {"groupKey": "SensitiveData:S3Object/Credentials", "count": 0},
        ]},
        CRITERIA,
    )
    found = api.bucket_sensitive_data(BUCKET, MACIE_REGION)
    assert found == SensitiveData(
        "Found", 3, ("SensitiveData:S3Object/Financial", "SensitiveData:S3Object/Personal"))
    assert found.to_dict() == {
        "status": "Found", "findings": 3,
        "types": ["SensitiveData:S3Object/Financial", "SensitiveData:S3Object/Personal"]}


def test_no_sensitive_data_found(api: AwsApi, macie: Stubber) -> None:
    macie.add_response("get_finding_statistics", {"countsByGroup": []}, CRITERIA)
    assert api.bucket_sensitive_data(BUCKET, MACIE_REGION) == SensitiveData("NoneFound")


def test_a_throttled_findings_read_stays_an_error(api: AwsApi, macie: Stubber) -> None:
    macie.add_client_error("get_finding_statistics", "ThrottlingException",
                           http_status_code=429)
    with pytest.raises(AwsThrottled):
        api.bucket_sensitive_data(BUCKET, MACIE_REGION)
