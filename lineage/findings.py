"""Findings: what in a bucket's settings breaks the posture policy, for one location (pure).

:func:`findings_for` reads the contract's ``s3`` object of an artifact or dataset (the fields
of :class:`lineage.models.S3Settings`: ``encryption``, ``versioning``, ``publicAccess``,
``tags``, and where read ``publicPolicy``, ``lifecycle``, ``objectLock``, ``sensitiveData``)
against a :class:`lineage.policy.Policy`. Most findings are the bucket's; a lifecycle rule is
the prefix's it expires. A setting that reads ``Unknown`` (or ``null``) is an ``unverified``
finding of rule ``S3_UNVERIFIED``, never a pass. A finding a policy exception covers is kept
apart (:attr:`Assessment.exempted`, with the exception's reason): it does not count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineage.models import JsonDict
from lineage.policy import UNVERIFIED, VIOLATION, Policy, severity_rank

UNKNOWN = "Unknown"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    kind: str  # VIOLATION | UNVERIFIED
    bucket: str
    setting: str  # the s3 field it is about: encryption, lifecycle, ...
    detail: str  # what exactly, in one line
    title: str
    remedy: str
    prefix: str | None = None  # a finding of a prefix (a lifecycle rule's), not the bucket's

    @property
    def id(self) -> str:
        """One id per finding of a bucket (or prefix), stable across answers."""
        where = self.bucket + (f"/{self.prefix}" if self.prefix else "")
        return f"{self.rule}:{self.setting}:{where}"

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity,
            "kind": self.kind,
            "bucket": self.bucket,
            "setting": self.setting,
            "title": self.title,
            "detail": self.detail,
            "remedy": self.remedy,
        }
        if self.prefix is not None:
            out["prefix"] = self.prefix
        return out


@dataclass(frozen=True)
class Exempted:
    finding: Finding
    reason: str

    def to_dict(self) -> JsonDict:
        return {**self.finding.to_dict(), "exemptBecause": self.reason}


@dataclass(frozen=True)
class Assessment:
    findings: tuple[Finding, ...] = ()
    exempted: tuple[Exempted, ...] = ()


@dataclass
class _Collector:
    policy: Policy
    bucket: str
    key: str | None
    found: list[Finding] = field(default_factory=list)
    exempted: list[Exempted] = field(default_factory=list)

    def add(self, rule_id: str, setting: str, detail: str, *, prefix: str | None = None) -> None:
        rule = self.policy.rule(rule_id)
        if rule is None:
            return
        kind = UNVERIFIED if rule_id == "S3_UNVERIFIED" else VIOLATION
        finding = Finding(rule.id, rule.severity, kind, self.bucket, setting, detail,
                          rule.title, rule.remedy, prefix)
        exception = self.policy.exception_for(rule.id, self.bucket, self.key)
        if exception is not None:
            self.exempted.append(Exempted(finding, exception.reason))
        else:
            self.found.append(finding)

    def unverified(self, setting: str) -> None:
        self.add("S3_UNVERIFIED", setting, f"{setting} could not be read")


def findings_for(
    s3: Mapping[str, Any] | None, bucket: str, key: str | None, policy: Policy
) -> Assessment:
    """The findings of the location ``s3://bucket/key`` (``key`` None: the bucket itself).

    ``s3`` None (bucket settings not read: ENABLE_S3_META=false) has no findings to give.
    """
    if s3 is None:
        return Assessment()
    out = _Collector(policy, bucket, key)
    encryption = s3.get("encryption")
    if encryption == UNKNOWN:
        out.unverified("encryption")
    elif encryption in (None, "None"):
        out.add("S3_ENCRYPTION_MISSING", "encryption", "no default encryption")
    elif encryption == "AES256" and policy.require_kms:
        out.add("S3_ENCRYPTION_NOT_KMS", "encryption", "default encryption is SSE-S3 (AES256)")
    versioning = s3.get("versioning")
    if versioning == UNKNOWN:
        out.unverified("versioning")
    elif versioning != "Enabled":
        out.add("S3_VERSIONING_DISABLED", "versioning", f"versioning is {versioning}")
    public = s3.get("publicAccess")
    if public == UNKNOWN:
        out.unverified("publicAccess")
    elif public != "Blocked":
        words = "partly blocked" if public == "Partial" else "not blocked"
        out.add("S3_PUBLIC_ACCESS_NOT_BLOCKED", "publicAccess", f"public access is {words}")
    if "publicPolicy" in s3:
        if s3["publicPolicy"] == UNKNOWN:
            out.unverified("publicPolicy")
        elif s3["publicPolicy"] == "Public":
            out.add("S3_PUBLIC_BY_POLICY", "publicPolicy", "the bucket policy grants public access")
    if "lifecycle" in s3:
        _lifecycle(out, s3["lifecycle"], key, policy)
    if "objectLock" in s3 and policy.require_object_lock:
        if s3["objectLock"] == UNKNOWN:
            out.unverified("objectLock")
        elif s3["objectLock"] != "Enabled":
            out.add("S3_OBJECT_LOCK_DISABLED", "objectLock", "Object Lock is not enabled")
    if policy.required_tags:
        tags = s3.get("tags")
        if not isinstance(tags, Mapping):
            out.unverified("tags")
        else:
            missing = [tag for tag in policy.required_tags if not tags.get(tag)]
            if missing:
                out.add("S3_REQUIRED_TAGS_MISSING", "tags", f"missing tags: {', '.join(missing)}")
    if "sensitiveData" in s3:
        _sensitive(out, s3["sensitiveData"])
    return Assessment(tuple(out.found), tuple(out.exempted))


def _lifecycle(out: _Collector, rules: Any, key: str | None, policy: Policy) -> None:
    if not isinstance(rules, Sequence) or isinstance(rules, str):
        out.unverified("lifecycle")
        return
    for rule in rules:
        if not isinstance(rule, Mapping):
            continue
        prefix = str(rule.get("prefix") or "")
        # A bucket-wide look (key None) sees every rule; a location only those above it.
        if key is not None and not key.startswith(prefix):
            continue
        days, date = rule.get("expirationDays"), rule.get("expirationDate")
        if isinstance(days, int) and not isinstance(days, bool):
            if policy.lifecycle_min_days is not None and days >= policy.lifecycle_min_days:
                continue
            when = f"after {days} day{'s' if days != 1 else ''}"
        elif isinstance(date, str) and date:
            when = f"on {date[:10]}"
        else:
            continue
        where = f"under '{prefix}'" if prefix else "in the whole bucket"
        out.add("S3_LIFECYCLE_EXPIRES", "lifecycle", f"objects {where} are deleted {when}",
                prefix=prefix or None)


def _sensitive(out: _Collector, value: Any) -> None:
    status = value.get("status") if isinstance(value, Mapping) else UNKNOWN
    if status == UNKNOWN:
        out.unverified("sensitiveData")
    elif status == "Found" and isinstance(value, Mapping):
        count = value.get("findings") or 0
        types = [str(t) for t in value.get("types") or []]
        what = f": {', '.join(types[:3])}" if types else ""
        out.add("S3_SENSITIVE_DATA", "sensitiveData",
                f"{count} Macie finding{'s' if count != 1 else ''} of sensitive data{what}")


def highest(findings: Sequence[Finding]) -> str | None:
    """The highest severity among ``findings`` (None for none)."""
    return max((f.severity for f in findings), key=severity_rank, default=None)
