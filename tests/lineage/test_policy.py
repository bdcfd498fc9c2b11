"""The posture policy: its defaults, a file's overrides, and bad files named by their key."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage.config import Settings
from lineage.policy import (
    DEFAULT_POLICY,
    RULE_IDS,
    SEVERITIES,
    PolicyError,
    load_policy,
    parse_policy,
)


def test_the_defaults_require_encryption_versioning_and_blocked_public_access() -> None:
    on = {rule.id for rule in DEFAULT_POLICY.rules if rule.enabled}
    assert {"S3_ENCRYPTION_MISSING", "S3_VERSIONING_DISABLED", "S3_PUBLIC_ACCESS_NOT_BLOCKED",
            "S3_PUBLIC_BY_POLICY", "S3_UNVERIFIED"} <= on
    assert not DEFAULT_POLICY.require_kms and DEFAULT_POLICY.required_tags == ()
    for rule in DEFAULT_POLICY.rules:  # each has an id, a severity and a one-line remedy
        assert rule.severity in SEVERITIES and rule.title and rule.remedy
        assert "\n" not in rule.remedy and len(rule.remedy) < 120


def test_a_yaml_file_overrides_rules_settings_and_adds_exceptions(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "requireKms: true\n"
        "requiredTags: [Owner, DataClassification]\n"
        "lifecycleMinDays: 90\n"
        "rules:\n"
        "  S3_VERSIONING_DISABLED: {severity: low}\n"
        "  S3_OBJECT_LOCK_DISABLED: {enabled: false}\n"
        "exceptions:\n"
        "  - bucket: public-site\n"
        "    prefix: /assets/\n"
        "    rules: [S3_PUBLIC_ACCESS_NOT_BLOCKED]\n"
        "    reason: a public website (SEC-12)\n"
    )
    policy = load_policy(path)
    assert policy.require_kms and policy.required_tags == ("Owner", "DataClassification")
    assert policy.lifecycle_min_days == 90
    versioning = policy.rule("S3_VERSIONING_DISABLED")
    assert versioning is not None and versioning.severity == "low"
    assert policy.rule("S3_OBJECT_LOCK_DISABLED") is None
    exception = policy.exception_for("S3_PUBLIC_ACCESS_NOT_BLOCKED", "Public-Site", "assets/a")
    assert exception is not None and exception.reason == "a public website (SEC-12)"
    assert policy.exception_for("S3_PUBLIC_ACCESS_NOT_BLOCKED", "public-site", "data/a") is None
    assert policy.exception_for("S3_ENCRYPTION_MISSING", "public-site", "assets/a") is None


def test_json_works_too_and_the_environment_loads_it(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text('{"requireObjectLock": true}')
    settings = Settings.from_env({"LINEAGE_POLICY_FILE": str(path)})
    assert settings.policy.require_object_lock
    assert Settings.from_env({}).policy == DEFAULT_POLICY


@pytest.mark.parametrize(("text", "named"), [
    ("requireKMS: true", "requireKMS: unknown key"),
    ("requireKms: yes please", "requireKms: must be true or false"),
    ("requiredTags: Owner", "requiredTags: must be a list"),
    ("lifecycleMinDays: -3", "lifecycleMinDays: must be a whole number"),
    ("rules: {S3_NOPE: {severity: high}}", "rules.S3_NOPE: unknown rule"),
    ("rules: {S3_VERSIONING_DISABLED: {severity: urgent}}",
     "rules.S3_VERSIONING_DISABLED.severity: must be one of low, medium, high, critical"),
    ("rules: {S3_VERSIONING_DISABLED: {level: 3}}", "rules.S3_VERSIONING_DISABLED.level"),
    ("exceptions: [{bucket: b}]", "exceptions[0].reason: say why"),
    ("exceptions: [{reason: r}]", "exceptions[0].bucket: a bucket name is required"),
    ("exceptions: [{bucket: b, reason: r, rules: [S3_X]}]", "exceptions[0].rules"),
    ("exceptions: [{bucket: b, reason: r, until: 2027}]", "exceptions[0].until: unknown key"),
    ("- just a list", "(top): must be a mapping"),
])
def test_a_bad_file_is_a_clear_error_naming_the_key(tmp_path: Path, text: str,
                                                    named: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=named.replace("[", r"\[").replace("(", r"\(")
                       .replace(")", r"\)").replace(".", r"\.")):
        load_policy(path)


def test_an_unreadable_or_malformed_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read it"):
        load_policy(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: {S3_X: [")
    with pytest.raises(PolicyError, match="not valid YAML or JSON"):
        load_policy(broken)


def test_every_rule_id_is_known_to_the_parser() -> None:
    assert parse_policy({"rules": {rule: {"enabled": True} for rule in RULE_IDS}}).rules == \
        DEFAULT_POLICY.rules
