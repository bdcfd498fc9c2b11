"""Findings of a location's bucket settings against the policy: each rule, unverified settings
(never a pass), prefixes of lifecycle rules, and exceptions kept apart with their reason."""

from __future__ import annotations

from typing import Any

from lineage.findings import findings_for, highest
from lineage.policy import DEFAULT_POLICY, parse_policy

CLEAN: dict[str, Any] = {
    "encryption": "aws:kms", "versioning": "Enabled", "publicAccess": "Blocked",
    "tags": {"Owner": "ml", "DataClassification": "internal"}, "publicPolicy": "NotPublic",
    "lifecycle": [], "objectLock": "Enabled",
    "sensitiveData": {"status": "NoneFound", "findings": 0, "types": []},
}


def rules(s3: dict[str, Any] | None, key: str | None = "data/x", **policy: Any) -> list[str]:
    assessed = findings_for(s3, "b", key, parse_policy(policy) if policy else DEFAULT_POLICY)
    return sorted(f.rule for f in assessed.findings)


def test_a_clean_bucket_has_no_findings_even_under_the_strictest_policy() -> None:
    assert rules(CLEAN, requireKms=True, requireObjectLock=True,
                 requiredTags=["Owner", "DataClassification"]) == []


def test_each_setting_that_breaks_the_policy_is_a_finding() -> None:
    assert rules({**CLEAN, "encryption": "None"}) == ["S3_ENCRYPTION_MISSING"]
    assert rules({**CLEAN, "encryption": "AES256"}) == []
    assert rules({**CLEAN, "encryption": "AES256"}, requireKms=True) == ["S3_ENCRYPTION_NOT_KMS"]
    assert rules({**CLEAN, "versioning": "Suspended"}) == ["S3_VERSIONING_DISABLED"]
    assert rules({**CLEAN, "publicAccess": "Partial"}) == ["S3_PUBLIC_ACCESS_NOT_BLOCKED"]
    assert rules({**CLEAN, "publicPolicy": "Public"}) == ["S3_PUBLIC_BY_POLICY"]
    assert rules({**CLEAN, "objectLock": "Disabled"}) == []
    assert rules({**CLEAN, "objectLock": "Disabled"}, requireObjectLock=True) == [
        "S3_OBJECT_LOCK_DISABLED"]
    assert rules({**CLEAN, "tags": {"Owner": "ml"}}, requiredTags=["Owner", "DataClassification"]
                 ) == ["S3_REQUIRED_TAGS_MISSING"]
    found = findings_for({**CLEAN, "sensitiveData": {"status": "Found", "findings": 3,
                                                     "types": ["SensitiveData:S3Object/Personal"]}},
                         "b", "k", DEFAULT_POLICY).findings
    assert [(f.rule, f.severity) for f in found] == [("S3_SENSITIVE_DATA", "high")]
    assert "3 Macie findings" in found[0].detail and "Personal" in found[0].detail


def test_what_could_not_be_read_is_unverified_never_a_pass() -> None:
    unknown = {"encryption": "Unknown", "versioning": "Unknown", "publicAccess": "Unknown",
               "tags": None, "publicPolicy": "Unknown", "lifecycle": None,
               "objectLock": "Unknown", "sensitiveData": {"status": "Unknown"}}
    found = findings_for(unknown, "b", "k", parse_policy(
        {"requiredTags": ["Owner"], "requireObjectLock": True})).findings
    assert {f.kind for f in found} == {"unverified"}
    assert sorted(f.setting for f in found) == sorted(unknown)
    assert len({f.id for f in found}) == len(found)  # one finding per setting


def test_a_lifecycle_rule_is_a_finding_of_the_prefixes_it_expires() -> None:
    expiring = {**CLEAN, "lifecycle": [
        {"prefix": "features/", "expirationDays": 30, "expirationDate": None,
         "noncurrentDays": None},
        {"prefix": "tmp/", "expirationDays": 1, "expirationDate": None, "noncurrentDays": None},
        {"prefix": "", "expirationDays": None, "expirationDate": None, "noncurrentDays": 7},
    ]}
    found = findings_for(expiring, "b", "features/customers", DEFAULT_POLICY).findings
    assert [(f.rule, f.prefix, f.detail) for f in found] == [
        ("S3_LIFECYCLE_EXPIRES", "features/",
         "objects under 'features/' are deleted after 30 days")]
    assert rules(expiring, key="models/m.tar.gz") == []  # old versions only: not the data
    assert rules(expiring, key="features/x", lifecycleMinDays=30) == []  # long enough
    assert len(findings_for(expiring, "b", None, DEFAULT_POLICY).findings) == 2  # the bucket


def test_an_exception_keeps_the_finding_apart_with_its_reason() -> None:
    policy = parse_policy({"exceptions": [{"bucket": "b", "prefix": "site/", "reason": "a site",
                                           "rules": ["S3_PUBLIC_ACCESS_NOT_BLOCKED"]}]})
    public = {**CLEAN, "publicAccess": "NotBlocked", "encryption": "None"}
    assessed = findings_for(public, "b", "site/index.html", policy)
    assert [f.rule for f in assessed.findings] == ["S3_ENCRYPTION_MISSING"]
    assert [(e.finding.rule, e.reason) for e in assessed.exempted] == [
        ("S3_PUBLIC_ACCESS_NOT_BLOCKED", "a site")]
    assert sorted(f.rule for f in findings_for(public, "b", "data/x", policy).findings) == [
        "S3_ENCRYPTION_MISSING", "S3_PUBLIC_ACCESS_NOT_BLOCKED"]


def test_unread_settings_give_nothing_to_judge_and_severities_order() -> None:
    assert rules(None) == []
    found = findings_for({**CLEAN, "encryption": "None", "versioning": "Disabled",
                          "publicPolicy": "Public"}, "b", "k", DEFAULT_POLICY).findings
    assert highest(found) == "critical" and highest(()) is None
