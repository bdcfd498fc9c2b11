"""Amazon Macie as the sandbox plays it: moto describes the session, the sandbox the rest.

moto's ``macie2`` has no findings, and every account and region of it starts with Macie
enabled; in AWS Macie is off until ``EnableMacie``, and every Macie call there is answered
``AccessDeniedException`` "Macie is not enabled." (HTTP 403). The sandbox keeps which account
and region enabled it (the seeded world's ``EnableMacie`` calls, and any later
``EnableMacie``/``DisableMacie``), answers like AWS elsewhere, and answers the findings of the
seeded world, filtered by
``findingCriteria`` (``eq``/``neq`` of the fields below), through ``GetFindingStatistics``,
``ListFindings`` and ``GetFindings``, shaped as botocore's model says:
https://docs.aws.amazon.com/macie/latest/APIReference/findings-statistics.html
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lineage.sandbox.protocol import Answer, json_answer, rest_json_error
from lineage.sandbox.world.specs import MacieFindingSpec, MacieSpec

#: Operations answered here; every other Macie call goes to moto (where Macie is enabled).
OPERATIONS = frozenset({"GetMacieSession", "GetFindingStatistics", "ListFindings", "GetFindings"})
#: Operations that turn Macie on or off (moto answers them; the store takes note).
SWITCHES = {"EnableMacie": True, "DisableMacie": False}
NOT_ENABLED = "Macie is not enabled."
# Macie's REST-JSON services speak application/json, their errors name the type in a header.
_JSON = "application/json"
_CATEGORY = {"SensitiveData": "CLASSIFICATION", "Policy": "POLICY"}
_SENSITIVE_CATEGORY = {
    "Personal": "PERSONAL_INFORMATION",
    "Financial": "FINANCIAL_INFORMATION",
    "Credentials": "CREDENTIALS",
    "CustomIdentifier": "CUSTOM_IDENTIFIER",
    "Multiple": "PERSONAL_INFORMATION",
}
_SEVERITY_SCORE = {"Low": 1, "Medium": 2, "High": 3}


@dataclass(frozen=True)
class Finding:
    """One finding of one account and region, as Macie's model shapes it."""

    account: str
    region: str
    spec: MacieFindingSpec

    @property
    def id(self) -> str:
        seed = f"{self.account}:{self.region}:{self.spec.bucket}/{self.spec.key}:{self.spec.type}"
        return hashlib.sha256(seed.encode()).hexdigest()[:32]

    @property
    def category(self) -> str:
        return _CATEGORY.get(self.spec.type.partition(":")[0], "POLICY")

    def fields(self) -> dict[str, str]:
        """What findingCriteria may name, as the strings the criteria compare."""
        return {
            "id": self.id,
            "accountId": self.account,
            "region": self.region,
            "type": self.spec.type,
            "category": self.category,
            "archived": "true" if self.spec.archived else "false",
            "severity.description": self.spec.severity,
            "resourcesAffected.s3Bucket.name": self.spec.bucket,
            "resourcesAffected.s3Object.key": self.spec.key,
        }

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        when = spec.created.isoformat().replace("+00:00", "Z")
        out: dict[str, Any] = {
            "id": self.id,
            "accountId": self.account,
            "region": self.region,
            "partition": "aws",
            "schemaVersion": "1.0",
            "type": spec.type,
            "category": self.category,
            "archived": spec.archived,
            "count": 1,
            "createdAt": when,
            "updatedAt": when,
            "severity": {"description": spec.severity, "score": _SEVERITY_SCORE[spec.severity]},
            "title": f"The S3 object contains {spec.type.rpartition('/')[2].lower()} data.",
            "description": f"The object contains {spec.occurrences} sensitive data occurrences.",
            "resourcesAffected": {
                "s3Bucket": {"name": spec.bucket, "arn": f"arn:aws:s3:::{spec.bucket}"},
                "s3Object": {
                    "bucketArn": f"arn:aws:s3:::{spec.bucket}",
                    "key": spec.key,
                    "path": f"{spec.bucket}/{spec.key}",
                },
            },
        }
        if self.category == "CLASSIFICATION":
            kind = _SENSITIVE_CATEGORY.get(spec.type.rpartition("/")[2], "PERSONAL_INFORMATION")
            out["classificationDetails"] = {
                "result": {
                    "status": {"code": "COMPLETE"},
                    "sizeClassified": 1024,
                    "sensitiveData": [{"category": kind, "totalCount": spec.occurrences}],
                }
            }
        return out


class MacieStore:
    """The findings of the seeded world, by account and region; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._findings: dict[tuple[str, str], list[Finding]] = {}
        self._enabled: set[tuple[str, str]] = set()

    def add(self, macie: Iterable[MacieSpec]) -> None:
        """The findings of the seeded world (Macie itself is enabled through EnableMacie)."""
        with self._lock:
            for spec in macie:
                found = self._findings.setdefault((spec.account, spec.region), [])
                found.extend(Finding(spec.account, spec.region, f) for f in spec.findings)

    def switch(self, account: str, region: str, on: bool) -> None:
        with self._lock:
            if on:
                self._enabled.add((account, region))
            else:
                self._enabled.discard((account, region))

    def enabled(self, account: str, region: str) -> bool:
        with self._lock:
            return (account, region) in self._enabled

    def answer(
        self, operation: str, account: str, region: str, params: Mapping[str, Any]
    ) -> Answer | None:
        """The answer of a Macie call, or ``None`` for moto's (a session that exists)."""
        if not self.enabled(account, region):
            return not_enabled_error()
        if operation == "GetMacieSession":
            return None
        with self._lock:
            findings = list(self._findings.get((account, region), ()))
        found = [f for f in findings if _matches(f, params.get("findingCriteria"))]
        if operation == "GetFindingStatistics":
            group_by = str(params.get("groupBy") or "type")
            counts = Counter(f.fields().get(group_by, "") for f in found)
            groups = [{"groupKey": key, "count": count} for key, count in sorted(counts.items())]
            size = params.get("size")
            if isinstance(size, int) and size > 0:
                groups = groups[:size]
            return json_answer({"countsByGroup": groups}, content_type=_JSON)
        if operation == "ListFindings":
            ids = sorted(f.id for f in found)
            limit = params.get("maxResults")
            start = int(params.get("nextToken") or 0)
            end = start + (limit if isinstance(limit, int) and 0 < limit <= 50 else 50)
            page: dict[str, Any] = {"findingIds": ids[start:end]}
            if end < len(ids):
                page["nextToken"] = str(end)
            return json_answer(page, content_type=_JSON)
        wanted = {str(i) for i in params.get("findingIds") or []}
        by_id = {f.id: f for f in findings}
        return json_answer(
            {"findings": [by_id[i].to_dict() for i in sorted(wanted) if i in by_id]},
            content_type=_JSON,
        )


def moto_account_of(access_key: str) -> str:
    """The account moto serves a caller's access key from (an assumed role's is its own)."""
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def not_enabled_error() -> Answer:
    """What AWS answers every Macie call of an account and region where Macie is off."""
    return rest_json_error("AccessDeniedException", NOT_ENABLED, 403)


def _matches(finding: Finding, criteria: Any) -> bool:
    """Whether ``finding`` passes ``{"criterion": {field: {"eq": [...], "neq": [...]}}}``."""
    if not isinstance(criteria, Mapping):
        return True
    values = finding.fields()
    for name, condition in (criteria.get("criterion") or {}).items():
        if not isinstance(condition, Mapping):
            continue
        value = values.get(str(name))
        if value is None:
            continue  # a field the sandbox does not keep narrows nothing
        equal = condition.get("eq") or condition.get("eqExactMatch")
        if equal and value not in {str(v) for v in equal}:
            return False
        differ = condition.get("neq")
        if differ and value in {str(v) for v in differ}:
            return False
    return True
