"""/lineage over real HTTP (gunicorn, the sandbox): artifacts carry what decides exposure and
retention (publicPolicy, lifecycle, objectLock, sensitiveData), read once per bucket."""

from __future__ import annotations

from typing import Any

import pytest

from lineage.sandbox import SandboxProcess
from lineage.sandbox.world.estate import (
    ESTATE_FEATURES_BUCKET,
    ESTATE_MODELS_BUCKET,
    ESTATE_RAW_BUCKET,
    FEATURES_EXPIRE_DAYS,
)
from lineage.sandbox.world.mlops import MLOPS_BUCKET
from tests.api.conftest import Server

pytestmark = pytest.mark.sandbox


def artifacts_by_bucket(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["bucket"]: a["s3"] for a in document["graph"]["artifacts"]}


def lineage(api_server: Server, pipeline: str) -> dict[str, Any]:
    response = api_server.get("/lineage", params={"pipeline": pipeline, "refresh": "true"})
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def test_the_feature_pipeline_sees_public_expiring_features_and_pii(
    api_server: Server, sandbox: SandboxProcess
) -> None:
    sandbox.reset_calls()
    document = lineage(api_server, "customer-features-pipeline")
    buckets = artifacts_by_bucket(document)
    features = buckets[ESTATE_FEATURES_BUCKET]
    assert features["publicPolicy"] == "Public"
    assert features["lifecycle"] == [{"prefix": "features/", "expirationDays": FEATURES_EXPIRE_DAYS,
                                      "expirationDate": None, "noncurrentDays": None}]
    assert features["objectLock"] == "Disabled"
    # Macie's policy finding of the bucket is not sensitive data.
    assert features["sensitiveData"] == {"status": "NoneFound", "findings": 0, "types": []}
    raw = buckets[ESTATE_RAW_BUCKET]
    assert raw["publicPolicy"] == "NotPublic" and raw["lifecycle"] == []
    assert raw["sensitiveData"] == {
        "status": "Found", "findings": 3,
        "types": ["SensitiveData:S3Object/Multiple", "SensitiveData:S3Object/Personal"]}
    assert document["warnings"] == []
    # Each bucket read once, Macie's session once for the region.
    calls = [c["operation"] for c in sandbox.calls()]
    assert calls.count("GetMacieSession") == 1
    for operation in ("GetBucketPolicyStatus", "GetBucketLifecycleConfiguration",
                      "GetObjectLockConfiguration"):
        assert calls.count(operation) == len(buckets), operation
    # Macie: which buckets have findings in one call, then by type for those that have.
    found = sum(1 for s3 in buckets.values() if s3["sensitiveData"]["status"] == "Found")
    assert calls.count("GetFindingStatistics") == (1 + found if len(buckets) > 1 else 1)


def test_the_trainer_sees_the_models_bucket_locked(api_server: Server) -> None:
    buckets = artifacts_by_bucket(lineage(api_server, "churn-lgbm-training-pipeline"))
    models = buckets[ESTATE_MODELS_BUCKET]
    assert models["objectLock"] == "Enabled"
    assert models["lifecycle"] == [{"prefix": "", "expirationDays": None,
                                    "expirationDate": None, "noncurrentDays": 90}]
    assert buckets[ESTATE_FEATURES_BUCKET]["lifecycle"][0]["expirationDays"] == 30


def test_the_clean_pipeline_has_none_of_it(api_server: Server) -> None:
    buckets = artifacts_by_bucket(lineage(api_server, "mlops-pipeline"))
    assert set(buckets) == {MLOPS_BUCKET}
    assert buckets[MLOPS_BUCKET] == {
        "encryption": "aws:kms", "versioning": "Enabled", "publicAccess": "Blocked",
        "tags": {"Env": "development"}, "region": "ap-northeast-2",
        "publicPolicy": "NotPublic", "lifecycle": [], "objectLock": "Disabled",
        "sensitiveData": {"status": "NoneFound", "findings": 0, "types": []},
    }


def test_macie_not_enabled_in_virginia(api_server: Server) -> None:
    response = api_server.get("/lineage", params={"pipeline": "nlp-pipeline",
                                                  "region": "us-east-1"})
    assert response.status_code == 200, response.text
    for s3 in artifacts_by_bucket(response.json()).values():
        assert s3["sensitiveData"] == {"status": "NotEnabled", "findings": 0, "types": []}
