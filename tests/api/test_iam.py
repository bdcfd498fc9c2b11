"""iam/lineage-readonly-policy.json grants exactly what the product calls.

Every seeded pipeline, and every fixture definition served by the sandbox, is read through
the API the way clients do (lists, executions, lineage with and without an execution and
with a domain filter); the sandbox's call log says which operations that took.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dashboard.server.app import create_app
from dashboard.server.limits import LIMITS_OFF
from lineage.aws import AwsApi, sagemaker_regions
from lineage.config import Settings
from lineage.request import parse_lineage_request
from lineage.sandbox import SECOND_ACCOUNT_ROLE_ARN, SandboxProcess
from lineage.schema_service import read_schema_answer
from lineage.service import LineageService
from tests.api.conftest import REPO, sandbox_env
from tests.conftest import StartSandbox
from tests.helpers import FIXTURES

pytestmark = pytest.mark.sandbox

POLICY = REPO / "iam" / "lineage-readonly-policy.json"
# Granted although the sandbox need not show it: reading evaluation reports is optional, and
# so are dataset schemas (ENABLE_SCHEMA=true: s3:ListBucket, s3:GetObject) and /schema's
# Feature Store reads (test_schema_reads_are_the_optional_actions below).
OPTIONAL = {"s3:GetObject", "s3:ListBucket", "sagemaker:ListFeatureGroups",
            "sagemaker:DescribeFeatureGroup"}
# Estate lineage across accounts (LINEAGE_ACCOUNT_ROLES): never on any role ("*").
ASSUME_ROLE = "sts:AssumeRole"


def test_assume_role_is_granted_on_named_roles_only() -> None:
    policy = json.loads(POLICY.read_text(encoding="utf-8"))
    for statement in policy["Statement"]:
        if ASSUME_ROLE in statement["Action"]:
            assert statement["Action"] == [ASSUME_ROLE]
            resources = statement["Resource"]
            for resource in [resources] if isinstance(resources, str) else resources:
                assert resource.startswith("arn:aws:iam::") and ":role/" in resource
                assert not resource.endswith(("/*", ":role/")), resource


def granted_actions(path: Path) -> set[str]:
    policy = json.loads(path.read_text(encoding="utf-8"))
    actions: set[str] = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def test_policy_is_read_only_and_explicit() -> None:
    for action in granted_actions(POLICY) - {ASSUME_ROLE}:
        service, _, name = action.partition(":")
        assert service in {"sagemaker", "s3", "macie2", "cloudtrail"}
        assert "*" not in name
        assert name.startswith(("Describe", "List", "Get", "Lookup")), action


def test_policy_matches_the_calls_of_every_seeded_pipeline(
    start_sandbox: StartSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = start_sandbox(definitions_dir=FIXTURES / "definitions")
    for key, value in sandbox_env(process).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LINEAGE_ACCOUNT_ROLES", SECOND_ACCOUNT_ROLE_ARN)  # the estate's
    # Every pipeline in turn, as no one client may ask: the limits are not the subject here.
    client = create_app({"CACHE_TYPE": "SimpleCache", **LIMITS_OFF}).server.test_client()

    def get(path: str) -> Any:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.get_data(as_text=True))
        return response.get_json()

    process.reset_calls()
    pipelines = get("/pipelines?region=all")["pipelines"]
    seeded = {p["name"] for p in pipelines}
    assert {"mlops-pipeline", "churn-pipeline", "fraud-detection-pipeline", "scale-pipeline",
            "nlp-pipeline"} <= seeded
    assert len(seeded) > 10  # the fixture definitions too
    get("/pipelines?region=all&domain=ml-platform")
    for pipeline in pipelines:
        query = f"pipeline={pipeline['name']}&region={pipeline['region']}"
        get(f"/executions?{query}")
        get(f"/lineage?{query}")
        get(f"/lineage?{query}&includeLatestExec=false")
        get(f"/lineage?{query}&domain=ml-platform")
    # The estate, across both accounts: registry, models, endpoints, AssumeRole.
    get("/estate?region=all")
    get("/provenance?region=all&endpoint=churn-prod")
    get("/impact?region=all&bucket=customer-features-apne2")
    # GetBucketLocation is for a bucket its account's ListBuckets does not list (another
    # account's; every bucket of the sandbox is its account's own), or for every bucket when
    # ListBuckets is refused (s3:ListAllMyBuckets is optional).
    process.set_faults("deny=s3:ListBuckets")
    try:
        get("/lineage?pipeline=mlops-pipeline&region=ap-northeast-2&refresh=true")
    finally:
        process.set_faults("")

    called = {AwsApi.iam_action(c["service"], c["operation"]) for c in process.calls()}
    granted = granted_actions(POLICY)
    assert called - granted == set(), "called but not granted"
    assert granted - called - OPTIONAL == set(), "granted but never called"


def test_iam_action_names() -> None:
    assert AwsApi.iam_action("s3", "GetBucketEncryption") == "s3:GetEncryptionConfiguration"
    assert AwsApi.iam_action("s3", "GetPublicAccessBlock") == "s3:GetBucketPublicAccessBlock"
    assert AwsApi.iam_action("s3", "GetBucketTagging") == "s3:GetBucketTagging"
    assert AwsApi.iam_action("s3", "ListBuckets") == "s3:ListAllMyBuckets"
    assert AwsApi.iam_action("sagemaker", "ListTags") == "sagemaker:ListTags"
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
    assert AwsApi.iam_action("s3", "GetBucketPolicyStatus") == "s3:GetBucketPolicyStatus"
    assert (AwsApi.iam_action("s3", "GetBucketLifecycleConfiguration")
            == "s3:GetLifecycleConfiguration")
    assert (AwsApi.iam_action("s3", "GetObjectLockConfiguration")
            == "s3:GetBucketObjectLockConfiguration")
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmacie.html
    assert AwsApi.iam_action("macie2", "GetMacieSession") == "macie2:GetMacieSession"
    assert AwsApi.iam_action("macie2", "GetFindingStatistics") == "macie2:GetFindingStatistics"


def test_the_change_feed_is_cloudtrail_lookup_only() -> None:
    """LookupEvents names no resource type either; nothing else of CloudTrail is granted."""
    policy = json.loads(POLICY.read_text(encoding="utf-8"))
    trail = [s for s in policy["Statement"]
             if any(a.startswith("cloudtrail:") for a in s["Action"])]
    assert [s["Action"] for s in trail] == [["cloudtrail:LookupEvents"]]
    assert trail[0]["Resource"] == "*"


def test_macie_is_read_on_any_resource_and_only_read() -> None:
    """Macie's actions name no resource type (its findings have no ARN): Resource "*"."""
    policy = json.loads(POLICY.read_text(encoding="utf-8"))
    macie = [s for s in policy["Statement"] if any(a.startswith("macie2:") for a in s["Action"])]
    assert len(macie) == 1
    assert macie[0]["Resource"] == "*"
    assert all(a.startswith("macie2:Get") for a in macie[0]["Action"])


def test_schema_reads_are_the_optional_actions(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ENABLE_SCHEMA=true and the Feature Store asked, /schema's reads call exactly the
    optional actions (and what a document reads anyway); the engine's, and the endpoint's as
    the sibling frontend asks it (and /lineage's OpenLineage events, from that document)."""
    for key, value in sandbox_env(sandbox).items():
        monkeypatch.setenv(key, value)
    service = LineageService(Settings(enable_schema=True))
    request = parse_lineage_request({"pipeline": "mlops-pipeline"}, settings=service.settings,
                                    regions=sagemaker_regions())
    sandbox.reset_calls()
    read_schema_answer(service, request, include_featurestore=True)
    called = {AwsApi.iam_action(c["service"], c["operation"]) for c in sandbox.calls()}
    granted = granted_actions(POLICY)
    assert called - granted == set()
    assert OPTIONAL - {"s3:GetObject"} <= called

    monkeypatch.setenv("ENABLE_SCHEMA", "true")
    client = create_app({"CACHE_TYPE": "SimpleCache", **LIMITS_OFF}).server.test_client()
    sandbox.reset_calls()
    for path in ("/schema?pipeline=mlops-pipeline&region=ap-northeast-2&include_featurestore="
                 "true&include_sql=true&scan_if_missing=true",
                 "/lineage?pipeline=mlops-pipeline&format=openlineage"):
        assert client.get(path).status_code == 200, path
    through_api = {AwsApi.iam_action(c["service"], c["operation"]) for c in sandbox.calls()}
    assert through_api - granted == set()
    assert OPTIONAL - {"s3:GetObject"} <= through_api
