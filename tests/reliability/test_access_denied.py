"""AccessDenied on each S3 settings call and each SageMaker Describe*: 200, Unknown exactly there.

One sandbox of this module's own, its faults set per test (``POST /_sandbox/faults``: one
operation denied, then none again, even when the test fails), so each answer is compared with
the same world's unfaulted one: only the values that operation gives may change, and there is
one warning per cause (per bucket, per step).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lineage.sandbox import SandboxOptions, SandboxProcess
from tests.reliability.inprocess import app_for

pytestmark = pytest.mark.sandbox

# S3 settings call -> the field of "s3" it gives; read on a pipeline with two buckets.
S3_CALLS = {
    "GetBucketEncryption": "encryption",
    "GetBucketVersioning": "versioning",
    "GetPublicAccessBlock": "publicAccess",
    "GetBucketTagging": "tags",
    # The regions come from one ListBuckets, GetBucketLocation only for a bucket it does not
    # list: both denied, the region is unknown (absent rather than Unknown).
    "ListBuckets,GetBucketLocation": "region",
    "GetBucketPolicyStatus": "publicPolicy",  # (ext)
    "GetBucketLifecycleConfiguration": "lifecycle",  # (ext): null when unknown
    "GetObjectLockConfiguration": "objectLock",  # (ext)
}
# The setting an unverified finding names when that field could not be read (the default
# policy judges neither tags nor Object Lock; Macie is asked in the bucket's region).
UNVERIFIED = {"encryption": "encryption", "versioning": "versioning",
              "publicAccess": "publicAccess", "publicPolicy": "publicPolicy",
              "lifecycle": "lifecycle", "region": "sensitiveData"}
S3_PIPELINE = "fraud-detection-pipeline"
# Its seeded finished run: the live ones move with the clock, between two sandboxes' answers.
S3_EXECUTION = "f9r8a7u6d5aa"
# SageMaker Describe* -> the steps of mlops-pipeline it describes.
DESCRIBE_CALLS = {
    # LINEAGE_DESCRIBE=needed: Evaluate's locations all resolve from the definition and the
    # run, so only Preprocess's processing job is described.
    "DescribeProcessingJob": {"Preprocess"},
    "DescribeTrainingJob": {"Train"},
    "DescribeModelPackage": {"RegisterModel"},
}
DESCRIBE_PIPELINE = "mlops-pipeline"
# What a Describe* answer adds to its own step; the rest of the step must stay.
DESCRIBED = ("metrics", "registry", "inputs", "outputs")


def normalised(document: dict[str, Any]) -> dict[str, Any]:
    """Without what changes by the clock (a running execution's elapsed time)."""
    out = copy.deepcopy(document)
    out.pop("generatedAt", None)
    out.pop("warnings", None)

    def strip(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("elapsedSec", None)
            node.pop("risk", None)  # judged from the settings: checked on its own
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(out)
    return out


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[SandboxProcess]:
    """The seeded world, faulted by these tests only (never the session's sandbox)."""
    with SandboxProcess(SandboxOptions()) as process:
        yield process


Denied = Callable[[str, str], Any]


@pytest.fixture
def denied(own_sandbox: SandboxProcess) -> Iterator[Denied]:
    """``denied(operation, pipeline)``: the pipeline's /lineage while only that one is denied.

    Every call sets the faults before it asks and none are left when the test ends.
    """

    def lineage_denying(operation: str, pipeline: str) -> Any:
        applied = own_sandbox.set_faults(f"deny={operation}")
        assert applied.deny == {tuple(op.split(":")) for op in operation.split(",")}
        return lineage(own_sandbox, pipeline)

    try:
        yield lineage_denying
    finally:
        own_sandbox.set_faults("")


@pytest.fixture(scope="module")
def baseline(own_sandbox: SandboxProcess) -> dict[str, dict[str, Any]]:
    assert not own_sandbox.faults().active
    client = app_for(own_sandbox.endpoint).server.test_client()
    documents = {}
    for pipeline in (S3_PIPELINE, DESCRIBE_PIPELINE):
        response = client.get("/lineage", query_string=query(pipeline))
        assert response.status_code == 200
        document: dict[str, Any] = response.get_json()
        assert document["warnings"] == []
        documents[pipeline] = document
    return documents


def query(pipeline: str) -> dict[str, str]:
    if pipeline == S3_PIPELINE:
        return {"pipeline": pipeline, "execution": S3_EXECUTION}
    return {"pipeline": pipeline}


def lineage(process: SandboxProcess, pipeline: str) -> Any:
    return app_for(process.endpoint).server.test_client().get(
        "/lineage", query_string=query(pipeline)
    )


@pytest.mark.parametrize("operation", list(S3_CALLS))
def test_denied_bucket_setting_is_unknown_for_that_field_only(
    operation: str, denied: Denied, baseline: dict[str, dict[str, Any]]
) -> None:
    response = denied(",".join(f"s3:{op}" for op in operation.split(",")), S3_PIPELINE)
    assert response.status_code == 200
    document = response.get_json()
    expected = normalised(baseline[S3_PIPELINE])
    field = S3_CALLS[operation]
    buckets = set()
    for artifact in expected["graph"]["artifacts"]:
        buckets.add(artifact["bucket"])
        if field == "region":
            del artifact["s3"]["region"]
            # Macie is asked in the bucket's own region: without it, not asked.
            artifact["s3"]["sensitiveData"] = {"status": "Unknown", "findings": 0, "types": []}
        elif field in ("tags", "lifecycle"):
            artifact["s3"][field] = None  # unknown lists and maps are null, never a string
        else:
            artifact["s3"][field] = "Unknown"
    assert normalised(document) == expected
    # What could not be read is a finding of every artifact there, never a pass.
    setting = UNVERIFIED.get(field)
    for artifact in document["graph"]["artifacts"]:
        unverified = {f["setting"] for f in artifact["risk"]["findings"]
                      if f["kind"] == "unverified"}
        assert unverified == ({setting} if setting else set()), artifact["uri"]
    assert len(buckets) == 2
    warnings = document["warnings"]
    assert sorted(w["target"] for w in warnings) == sorted(buckets), "one warning per bucket"
    assert {w["code"] for w in warnings} == {"S3_ACCESS_DENIED"}
    asked = operation.split(",")[-1]  # the call that failed for each bucket
    assert all(asked in w["message"] for w in warnings)


def test_a_denied_bucket_location_loses_nothing_when_the_listing_gives_the_region(
    denied: Denied, baseline: dict[str, dict[str, Any]]
) -> None:
    response = denied("s3:GetBucketLocation", S3_PIPELINE)
    assert response.status_code == 200
    assert normalised(response.get_json()) == normalised(baseline[S3_PIPELINE])
    assert response.get_json()["warnings"] == []


@pytest.mark.parametrize("operation", list(DESCRIBE_CALLS))
def test_denied_describe_loses_only_what_it_describes(
    operation: str, denied: Denied, baseline: dict[str, dict[str, Any]]
) -> None:
    response = denied(f"sagemaker:{operation}", DESCRIBE_PIPELINE)
    assert response.status_code == 200
    document = normalised(response.get_json())
    expected = normalised(baseline[DESCRIBE_PIPELINE])
    steps = DESCRIBE_CALLS[operation]
    warnings = response.get_json()["warnings"]
    assert sorted(w["target"] for w in warnings) == sorted(steps), "one warning per step"
    assert {w["code"] for w in warnings} == {"DESCRIBE_ACCESS_DENIED"}

    for key in ("pipeline", "execution", "summary"):
        assert document[key] == expected[key], key
    nodes = {node["id"]: node for node in document["graph"]["nodes"]}
    assert list(nodes) == [node["id"] for node in expected["graph"]["nodes"]]
    for node in expected["graph"]["nodes"]:
        got = nodes[node["id"]]
        if node["id"] not in steps:
            continue
        # The step's own run (status, times, job) comes from the execution's step list.
        run = {k: v for k, v in node.get("run", {}).items() if k not in DESCRIBED}
        assert {k: v for k, v in got.get("run", {}).items() if k not in DESCRIBED} == run
        if operation == "DescribeTrainingJob":
            assert node["run"]["metrics"] and not got["run"].get("metrics")
        if operation == "DescribeModelPackage":
            assert node["registry"]["approvalStatus"] is not None
            assert got["registry"]["approvalStatus"] is None  # not known
            assert got["registry"]["modelPackageArn"] == node["registry"]["modelPackageArn"]
    # Steps the denied call does not describe keep their run exactly.
    for node in expected["graph"]["nodes"]:
        if node["id"] not in steps and "run" in node:
            assert nodes[node["id"]]["run"]["status"] == node["run"]["status"]
            assert nodes[node["id"]]["run"].get("jobArn") == node["run"].get("jobArn")
    # Bucket settings are untouched wherever the bucket still shows.
    settings = {a["bucket"]: a["s3"] for a in expected["graph"]["artifacts"]}
    for artifact in document["graph"]["artifacts"]:
        if artifact["bucket"] in settings:
            assert artifact["s3"] == settings[artifact["bucket"]]


def test_denied_execution_definition_falls_back_to_the_pipeline_definition(
    denied: Denied, baseline: dict[str, dict[str, Any]]
) -> None:
    response = denied("sagemaker:DescribePipelineDefinitionForExecution", DESCRIBE_PIPELINE)
    assert response.status_code == 200
    assert normalised(response.get_json()) == normalised(baseline[DESCRIBE_PIPELINE])
    assert [w["code"] for w in response.get_json()["warnings"]] == ["DEFINITION_ACCESS_DENIED"]


def test_denied_execution_description_still_answers_200(
    denied: Denied, baseline: dict[str, dict[str, Any]]
) -> None:
    # docs/CONTRACT.md: only a failure to read the pipeline itself is an error.
    response = denied("sagemaker:DescribePipelineExecution", DESCRIBE_PIPELINE)
    assert response.status_code == 200, response.get_json()
    document = response.get_json()
    expected = normalised(baseline[DESCRIBE_PIPELINE])
    assert normalised(document)["pipeline"] == expected["pipeline"]
    assert [n["id"] for n in document["graph"]["nodes"]] == [
        n["id"] for n in expected["graph"]["nodes"]
    ]
    assert [w["code"] for w in document["warnings"]] == ["EXECUTION_ACCESS_DENIED"]
