"""BucketReads: every read of a bucket once, Macie once per region, failures as Unknown."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from lineage.buckets import BUCKET_FIELDS, BucketReads
from lineage.calls import Calls
from lineage.errors import AwsAccessDenied, AwsError
from lineage.models import UNKNOWN, ExpirationRule, S3Settings, SensitiveData
from tests.lineage.fake_aws import REGION, FakeWorld

OTHER_REGION = "us-east-1"


class Cache:
    def __init__(self, held: dict[str, dict[str, Any]] | None = None) -> None:
        self.held = held or {}
        self.stored: dict[str, dict[str, Any]] = {}

    def get(self, bucket: str) -> dict[str, Any] | None:
        return self.held.get(bucket)

    def set(self, bucket: str, values: dict[str, Any]) -> None:
        self.stored[bucket] = values


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(8) as executor:
        yield executor


def read(
    fake: FakeWorld, pool: ThreadPoolExecutor, buckets: list[str], cache: Cache | None = None
) -> tuple[dict[str, S3Settings], list[tuple[str, str, str]], Any, BucketReads]:
    calls = Calls(10)
    failed: list[tuple[str, str, str]] = []
    reads = BucketReads(calls, pool, lambda exc, b, what: failed.append((exc.code, b, what)),
                        cache)
    api = fake.api(REGION)
    for bucket in buckets:
        reads.read(api, bucket)
        reads.read(api, bucket)  # a second sight reads nothing again
    calls.drain()
    return reads.settings(), failed, api, reads


def by_region(answer: dict[str, Any]) -> dict[str, Any]:
    return {"LocationConstraint": OTHER_REGION if answer["Bucket"].startswith("use1-") else REGION}


def listing(*names: str) -> dict[str, Any]:
    """ListBuckets of an account owning ``names`` (``use1-*`` in us-east-1)."""
    return {"Buckets": [{"Name": name,
                         "BucketRegion": OTHER_REGION if name.startswith("use1-") else REGION}
                        for name in names]}


def test_every_field_is_read_once_per_bucket(pool: ThreadPoolExecutor) -> None:
    fake = FakeWorld(
        GetBucketPolicyStatus={"PolicyStatus": {"IsPublic": True}},
        GetBucketLifecycleConfiguration={"Rules": [
            {"Status": "Enabled", "Filter": {"Prefix": "features/"}, "Expiration": {"Days": 30}}]},
        GetFindingStatistics={"countsByGroup": [
            {"groupKey": "SensitiveData:S3Object/Personal", "count": 2}]},
    )
    settings, failed, api, _ = read(fake, pool, ["b1"])
    assert failed == []
    assert settings["b1"] == S3Settings(
        encryption="aws:kms", versioning="Enabled", public_access="Blocked", tags={"Env": "test"},
        region=REGION, public_policy="Public",
        lifecycle=(ExpirationRule("features/", expiration_days=30),), object_lock="Enabled",
        sensitive_data=SensitiveData("Found", 2, ("SensitiveData:S3Object/Personal",)),
    )
    assert sorted(api.operations) == sorted([
        "s3:ListBuckets", "s3:GetBucketLocation",  # b1 is not listed (only fake-bucket is)
        "s3:GetBucketEncryption", "s3:GetBucketVersioning",
        "s3:GetPublicAccessBlock", "s3:GetBucketTagging", "s3:GetBucketPolicyStatus",
        "s3:GetBucketLifecycleConfiguration", "s3:GetObjectLockConfiguration",
        "macie2:GetMacieSession", "macie2:GetFindingStatistics"])


def test_macie_is_asked_once_per_region_in_the_bucket_region(pool: ThreadPoolExecutor) -> None:
    buckets = ["b1", "b2", "b3", "use1-a", "use1-b"]
    fake = FakeWorld(GetBucketLocation=by_region, ListBuckets=listing(*buckets))
    settings, failed, api, _ = read(fake, pool, buckets)
    assert failed == []
    sessions = [r for op, r in zip(api.operations, api.regions, strict=True)
                if op == "macie2:GetMacieSession"]
    assert sorted(sessions) == sorted([REGION, OTHER_REGION])
    # The buckets that waited for a region's session: one count for them all there.
    statistics = [r for op, r in zip(api.operations, api.regions, strict=True)
                  if op == "macie2:GetFindingStatistics"]
    assert sorted(statistics) == sorted([REGION, OTHER_REGION])
    assert {s.sensitive_data for s in settings.values()} == {SensitiveData("NoneFound")}
    assert {s.region for s in settings.values()} == {REGION, OTHER_REGION}
    # Every region from the one listing.
    assert api.operations.count("s3:ListBuckets") == 1
    assert "s3:GetBucketLocation" not in api.operations


def test_only_a_bucket_the_account_does_not_list_is_located(pool: ThreadPoolExecutor) -> None:
    located: list[str] = []

    def location(params: dict[str, Any]) -> dict[str, Any]:
        located.append(params["Bucket"])
        return by_region(params)

    fake = FakeWorld(GetBucketLocation=location, ListBuckets=listing("b1"))
    settings, failed, api, _ = read(fake, pool, ["b1", "use1-theirs"])
    assert failed == []
    assert located == ["use1-theirs"]  # another account's bucket
    assert (settings["b1"].region, settings["use1-theirs"].region) == (REGION, OTHER_REGION)
    assert api.operations.count("s3:ListBuckets") == 1


def test_without_the_listing_every_bucket_is_located(pool: ThreadPoolExecutor) -> None:
    listed = FakeWorld(GetBucketLocation=by_region, ListBuckets=listing("b1", "use1-a"))
    denied = FakeWorld(GetBucketLocation=by_region,
                       ListBuckets=AwsAccessDenied("denied", operation="ListBuckets"))
    settings, failed, _api, _ = read(listed, pool, ["b1", "use1-a"])
    unlisted, failed_unlisted, api, _ = read(denied, pool, ["b1", "use1-a"])
    # No s3:ListAllMyBuckets (it is optional): the same settings, no warning.
    assert failed == failed_unlisted == []
    assert unlisted == settings
    assert api.operations.count("s3:GetBucketLocation") == 2


def test_findings_are_counted_for_many_buckets_at_once(pool: ThreadPoolExecutor) -> None:
    asked: list[dict[str, Any]] = []
    personal = "SensitiveData:S3Object/Personal"

    def statistics(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(params)
        names = params["findingCriteria"]["criterion"]["resourcesAffected.s3Bucket.name"]["eq"]
        if params["groupBy"] == "resourcesAffected.s3Bucket.name":
            return {"countsByGroup": [{"groupKey": "b2", "count": 2}] if "b2" in names else []}
        return {"countsByGroup": [{"groupKey": personal, "count": 2}] if names == ["b2"] else []}

    buckets = ["b1", "b2", "b3"]
    fake = FakeWorld(GetFindingStatistics=statistics, ListBuckets=listing(*buckets))
    settings, failed, _api, _ = read(fake, pool, buckets)
    assert failed == []
    assert settings["b2"].sensitive_data == SensitiveData("Found", 2, (personal,))
    assert settings["b1"].sensitive_data == settings["b3"].sensitive_data == SensitiveData(
        "NoneFound")
    # One count of the three, then b2's by type: not one call per bucket.
    assert [call["groupBy"] for call in asked] == ["resourcesAffected.s3Bucket.name", "type"]
    first = asked[0]["findingCriteria"]["criterion"]
    assert sorted(first["resourcesAffected.s3Bucket.name"]["eq"]) == buckets
    assert first["category"] == {"eq": ["CLASSIFICATION"]}
    assert first["archived"] == {"eq": ["false"]}


def test_a_failed_count_is_each_bucket_s_unknown(pool: ThreadPoolExecutor) -> None:
    fake = FakeWorld(ListBuckets=listing("b1", "b2"), GetFindingStatistics=AwsAccessDenied(
        "denied", operation="GetFindingStatistics"))
    settings, failed, _api, _ = read(fake, pool, ["b1", "b2"])
    assert sorted(failed) == [("AccessDenied", "b1", "GetFindingStatistics"),
                              ("AccessDenied", "b2", "GetFindingStatistics")]
    assert {s.sensitive_data.status for s in settings.values()} == {UNKNOWN}


def test_where_macie_is_not_enabled_no_findings_are_asked(pool: ThreadPoolExecutor) -> None:
    not_enabled = AwsError("Macie is not enabled", operation="GetMacieSession")
    not_enabled.code = "MacieNotEnabled"
    # What lineage.aws maps AWS's "Macie is not enabled." to (test_aws_exposure).
    fake = FakeWorld(GetMacieSession=not_enabled)
    settings, failed, api, _ = read(fake, pool, ["b1", "b2"])
    assert failed == []
    assert {s.sensitive_data for s in settings.values()} == {SensitiveData("NotEnabled")}
    assert "macie2:GetFindingStatistics" not in api.operations
    assert api.operations.count("macie2:GetMacieSession") == 1


def test_failures_are_unknown_and_one_warning_each(pool: ThreadPoolExecutor) -> None:
    denied = AwsAccessDenied("denied", operation="GetBucketPolicyStatus")
    fake = FakeWorld(
        GetBucketPolicyStatus=denied,
        GetBucketLifecycleConfiguration=AwsAccessDenied(
            "denied", operation="GetBucketLifecycleConfiguration"),
        GetObjectLockConfiguration=AwsAccessDenied(
            "denied", operation="GetObjectLockConfiguration"),
        GetMacieSession=AwsAccessDenied("denied", operation="GetMacieSession"),
    )
    settings, failed, _api, reads = read(fake, pool, ["b1", "b2"])
    for bucket in ("b1", "b2"):
        s3 = settings[bucket].to_dict()
        assert (s3["publicPolicy"], s3["lifecycle"], s3["objectLock"]) == (UNKNOWN, None, UNKNOWN)
        assert s3["sensitiveData"] == {"status": UNKNOWN, "findings": 0, "types": []}
        assert s3["encryption"] == "aws:kms"  # the other reads still count
    assert sorted(failed) == sorted(
        ("AccessDenied", bucket, operation)
        for bucket in ("b1", "b2")
        for operation in ("GetBucketPolicyStatus", "GetBucketLifecycleConfiguration",
                          "GetObjectLockConfiguration", "GetMacieSession"))
    cache = Cache()
    reads.cache = cache
    reads.remember()
    assert cache.stored == {}  # a partial set would hide the failure


def test_an_unknown_region_leaves_sensitive_data_unknown(pool: ThreadPoolExecutor) -> None:
    fake = FakeWorld(GetBucketLocation=AwsAccessDenied("denied", operation="GetBucketLocation"))
    settings, failed, api, _ = read(fake, pool, ["b1"])
    assert failed == [("AccessDenied", "b1", "GetBucketLocation")]
    assert settings["b1"].sensitive_data.status == UNKNOWN
    assert not [op for op in api.operations if op.startswith("macie2:")]


def test_complete_sets_are_cached_and_old_sets_read_again(pool: ThreadPoolExecutor) -> None:
    fake = FakeWorld()
    _settings, _failed, _api, reads = read(fake, pool, ["b1"])
    cache = Cache()
    reads.cache = cache
    reads.remember()
    assert set(cache.stored["b1"]) == BUCKET_FIELDS

    # A set kept before the new fields existed is incomplete: the bucket is read again.
    old = {k: v for k, v in cache.stored["b1"].items()
           if k in {"region", "encryption", "versioning", "public_access", "tags"}}
    settings, _failed, api, _reads = read(fake, pool, ["b1"], Cache({"b1": old}))
    assert "s3:GetBucketPolicyStatus" in api.operations
    assert settings["b1"].object_lock == "Enabled"

    settings, _failed, api, _reads = read(fake, pool, ["b1"], Cache(dict(cache.stored)))
    assert api.operations == []
    assert settings["b1"].sensitive_data == SensitiveData("NoneFound")


def test_unread_settings_are_unknown_in_the_document() -> None:
    s3 = S3Settings("Unknown", "Unknown", "Unknown", None).to_dict()
    assert s3 == {
        "encryption": "Unknown", "versioning": "Unknown", "publicAccess": "Unknown", "tags": None,
        "publicPolicy": "Unknown", "lifecycle": None, "objectLock": "Unknown",
        "sensitiveData": {"status": "Unknown", "findings": 0, "types": []},
    }
    known = S3Settings("None", "Disabled", "NotBlocked", {}, lifecycle=(
        ExpirationRule("b/", expiration_days=3), ExpirationRule("a/", noncurrent_days=1)))
    assert [rule["prefix"] for rule in known.to_dict()["lifecycle"]] == ["a/", "b/"]
