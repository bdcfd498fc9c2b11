"""S3's ListBuckets in the sandbox answers as AWS does: each bucket's BucketRegion (which
moto leaves out), name order, MaxBuckets and ContinuationToken."""

from __future__ import annotations

import pytest

from lineage.sandbox import SandboxProcess
from tests.sandbox.clients import client

pytestmark = pytest.mark.sandbox


def test_each_listed_bucket_has_the_region_get_bucket_location_says(
    sandbox: SandboxProcess,
) -> None:
    s3 = client(sandbox, "s3")
    buckets = s3.list_buckets(MaxBuckets=1000)["Buckets"]
    assert len(buckets) > 10
    regions = {bucket["BucketRegion"] for bucket in buckets}
    assert {"ap-northeast-2", "us-east-1"} <= regions  # the world has buckets in both
    for bucket in buckets:
        location = s3.get_bucket_location(Bucket=bucket["Name"])["LocationConstraint"]
        assert bucket["BucketRegion"] == (location or "us-east-1"), bucket["Name"]
    names = [bucket["Name"] for bucket in buckets]
    assert names == sorted(names)


def test_without_a_parameter_no_region_is_given(sandbox: SandboxProcess) -> None:
    # AWS: BucketRegion "is included in the response" only if the request has a parameter.
    buckets = client(sandbox, "s3").list_buckets()["Buckets"]
    assert buckets and all("BucketRegion" not in bucket for bucket in buckets)


def test_pages_of_max_buckets_follow_the_continuation_token(sandbox: SandboxProcess) -> None:
    s3 = client(sandbox, "s3")
    every = [bucket["Name"] for bucket in s3.list_buckets(MaxBuckets=1000)["Buckets"]]
    seen: list[str] = []
    token = None
    while True:
        page = s3.list_buckets(MaxBuckets=5, **({"ContinuationToken": token} if token else {}))
        assert len(page["Buckets"]) <= 5
        seen.extend(bucket["Name"] for bucket in page["Buckets"])
        token = page.get("ContinuationToken")
        if not token:
            break
    assert seen == every
