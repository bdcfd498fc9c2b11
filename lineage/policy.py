"""The posture policy: which bucket settings are findings, how severe, and the exceptions (pure).

:data:`DEFAULT_POLICY` is what a team gets with no file: encryption, versioning, public access
fully blocked and no public bucket policy are required; KMS (not SSE-S3), Object Lock and
tags are not, since teams differ on them (the file turns them on). ``LINEAGE_POLICY_FILE``
(YAML or JSON) overrides it; :func:`load_policy` checks every key and names the first bad one::

    requireKms: true                       # SSE-S3 (AES256) becomes a finding
    requireObjectLock: false
    requiredTags: [Owner, DataClassification]
    lifecycleMinDays: 90                   # expiring sooner than this is a finding
    rules:
      S3_VERSIONING_DISABLED: {severity: low}
      S3_REQUIRED_TAGS_MISSING: {enabled: false}
    exceptions:
      - bucket: public-website-assets
        prefix: assets/                    # optional: only under this prefix
        rules: [S3_PUBLIC_ACCESS_NOT_BLOCKED, S3_PUBLIC_BY_POLICY]   # optional: all rules
        reason: a public website, reviewed by security (SEC-123)

Each rule has an id, a severity (:data:`SEVERITIES`, lowest first), a one-line title and a
one-line remedy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from lineage.errors import ConfigError

SEVERITIES = ("low", "medium", "high", "critical")
# A setting AWS would not tell is its own finding kind: never a pass.
VIOLATION, UNVERIFIED = "violation", "unverified"


def severity_rank(severity: str) -> int:
    """Its place in :data:`SEVERITIES` (-1 for anything else)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str  # what is wrong, in one line
    remedy: str  # what to do, in one line
    enabled: bool = True


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("S3_ENCRYPTION_MISSING", "high", "The bucket has no default encryption",
         "Turn on default encryption (SSE-KMS with a customer managed key)"),
    Rule("S3_ENCRYPTION_NOT_KMS", "medium", "The bucket is encrypted with S3-managed keys, not KMS",
         "Use SSE-KMS so that key access is controlled and logged"),
    Rule("S3_VERSIONING_DISABLED", "medium", "The bucket's versioning is not enabled",
         "Enable versioning so that overwritten or deleted data can be recovered"),
    Rule("S3_PUBLIC_ACCESS_NOT_BLOCKED", "high", "The bucket's public access is not fully blocked",
         "Turn on all four Block Public Access settings"),
    Rule("S3_PUBLIC_BY_POLICY", "critical", "The bucket policy makes the bucket public",
         "Remove the policy statements that grant access to everyone"),
    Rule("S3_LIFECYCLE_EXPIRES", "medium", "A lifecycle rule deletes this data",
         "Keep data that models were trained on as long as the models are in use"),
    Rule("S3_OBJECT_LOCK_DISABLED", "low", "The bucket has no Object Lock",
         "Create the bucket with Object Lock to keep training data immutable"),
    Rule("S3_REQUIRED_TAGS_MISSING", "low", "The bucket lacks required tags",
         "Tag the bucket with its owner and data classification"),
    Rule("S3_SENSITIVE_DATA", "high", "Amazon Macie found sensitive data in the bucket",
         "Review Macie's findings; mask or remove the data, or restrict who can read it"),
    Rule("S3_UNVERIFIED", "medium", "A setting of the bucket could not be read",
         "Grant the dashboard's role the read-only S3 permissions in iam/"),
)
RULE_IDS = frozenset(rule.id for rule in DEFAULT_RULES)


@dataclass(frozen=True)
class PolicyException:
    """A bucket (optionally a prefix of it) exempt from some rules (all when ``rules`` is empty),
    for a reason someone wrote down."""

    bucket: str
    reason: str
    prefix: str | None = None
    rules: frozenset[str] = frozenset()

    def covers(self, rule: str, bucket: str, key: str | None) -> bool:
        if bucket.lower() != self.bucket.lower() or (self.rules and rule not in self.rules):
            return False
        if self.prefix is None:
            return True
        return key is not None and key.startswith(self.prefix)


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...] = DEFAULT_RULES  # a tuple: settings are hashable
    require_kms: bool = False
    require_object_lock: bool = False
    required_tags: tuple[str, ...] = ()
    lifecycle_min_days: int | None = None  # None: any expiry of the data is a finding
    exceptions: tuple[PolicyException, ...] = ()

    def rule(self, rule_id: str) -> Rule | None:
        """The rule, when it is on."""
        return next((r for r in self.rules if r.id == rule_id and r.enabled), None)

    def exception_for(self, rule: str, bucket: str, key: str | None) -> PolicyException | None:
        return next((e for e in self.exceptions if e.covers(rule, bucket, key)), None)


DEFAULT_POLICY = Policy()

_TOP_KEYS = {"requireKms", "requireObjectLock", "requiredTags", "lifecycleMinDays", "rules",
             "exceptions"}
_RULE_KEYS = {"severity", "enabled"}
_EXCEPTION_KEYS = {"bucket", "prefix", "rules", "reason"}


class PolicyError(ConfigError):
    """The policy file is unreadable or says something this version does not know."""


def load_policy(path: str | Path | None) -> Policy:
    """The policy of ``path`` (YAML, or JSON which YAML reads too), or the defaults for None."""
    if path is None or str(path) == "":
        return DEFAULT_POLICY
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"LINEAGE_POLICY_FILE {path}: cannot read it ({exc.strerror})") \
            from None
    try:
        data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        where = getattr(exc, "problem_mark", None) or getattr(exc, "lineno", None)
        raise PolicyError(f"LINEAGE_POLICY_FILE {path}: not valid YAML or JSON"
                          f"{f' (at {where})' if where else ''}") from None
    return parse_policy(data if data is not None else {}, source=str(path))


def parse_policy(data: Any, *, source: str = "policy") -> Policy:
    """A policy from its parsed document; :class:`PolicyError` names the first bad key."""

    def bad(key: str, what: str) -> PolicyError:
        return PolicyError(f"{source}: {key}: {what}")

    if not isinstance(data, Mapping):
        raise bad("(top)", "must be a mapping of settings")
    for key in data:
        if key not in _TOP_KEYS:
            raise bad(str(key), f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})")
    policy = DEFAULT_POLICY
    for key, attribute in (("requireKms", "require_kms"),
                           ("requireObjectLock", "require_object_lock")):
        if key in data:
            if not isinstance(data[key], bool):
                raise bad(key, "must be true or false")
            policy = replace(policy, **{attribute: data[key]})
    if "requiredTags" in data:
        tags = data["requiredTags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            raise bad("requiredTags", "must be a list of tag keys")
        policy = replace(policy, required_tags=tuple(tags))
    if "lifecycleMinDays" in data:
        days = data["lifecycleMinDays"]
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise bad("lifecycleMinDays", "must be a whole number of days")
        policy = replace(policy, lifecycle_min_days=days)
    if "rules" in data:
        policy = replace(policy, rules=_rules(data["rules"], bad))
    if "exceptions" in data:
        policy = replace(policy, exceptions=_exceptions(data["exceptions"], bad))
    return policy


def _rules(data: Any, bad: Any) -> tuple[Rule, ...]:
    if not isinstance(data, Mapping):
        raise bad("rules", "must map rule ids to settings")
    rules = {rule.id: rule for rule in DEFAULT_POLICY.rules}
    for rule_id, settings in data.items():
        where = f"rules.{rule_id}"
        if rule_id not in RULE_IDS:
            raise bad(where, f"unknown rule (known: {', '.join(sorted(RULE_IDS))})")
        if not isinstance(settings, Mapping):
            raise bad(where, "must be a mapping (severity, enabled)")
        for key in settings:
            if key not in _RULE_KEYS:
                raise bad(f"{where}.{key}", "unknown key (known: enabled, severity)")
        rule = rules[rule_id]
        if "severity" in settings:
            if settings["severity"] not in SEVERITIES:
                raise bad(f"{where}.severity", f"must be one of {', '.join(SEVERITIES)}")
            rule = replace(rule, severity=settings["severity"])
        if "enabled" in settings:
            if not isinstance(settings["enabled"], bool):
                raise bad(f"{where}.enabled", "must be true or false")
            rule = replace(rule, enabled=settings["enabled"])
        rules[rule_id] = rule
    return tuple(rules.values())


def _exceptions(data: Any, bad: Any) -> tuple[PolicyException, ...]:
    if not isinstance(data, list):
        raise bad("exceptions", "must be a list")
    found: list[PolicyException] = []
    for index, item in enumerate(data):
        where = f"exceptions[{index}]"
        if not isinstance(item, Mapping):
            raise bad(where, "must be a mapping (bucket, prefix, rules, reason)")
        for key in item:
            if key not in _EXCEPTION_KEYS:
                raise bad(f"{where}.{key}", "unknown key (known: bucket, prefix, reason, rules)")
        bucket, reason = item.get("bucket"), item.get("reason")
        if not isinstance(bucket, str) or not bucket:
            raise bad(f"{where}.bucket", "a bucket name is required")
        if not isinstance(reason, str) or not reason.strip():
            raise bad(f"{where}.reason", "say why the exception exists")
        prefix = item.get("prefix")
        if prefix is not None and not isinstance(prefix, str):
            raise bad(f"{where}.prefix", "must be a key prefix")
        rules = item.get("rules", [])
        if not isinstance(rules, list) or any(r not in RULE_IDS for r in rules):
            raise bad(f"{where}.rules", "must be a list of known rule ids")
        found.append(PolicyException(bucket, reason.strip(), prefix.lstrip("/") if prefix
                                     else None, frozenset(rules)))
    return tuple(found)
