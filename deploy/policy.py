"""The read-only policy of the deployed roles: ``iam/lineage-readonly-policy.json`` itself,
read at synth (one source of truth), with its S3 resources narrowed when ``s3Buckets`` names
the buckets (the seed's advice: "limit S3 to the organisation's buckets/prefixes").

Pure: a dict in, a dict out; the stacks turn it into ``iam.PolicyDocument.from_json``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deploy.settings import POLICY_FILE, BucketScope

# arn:<partition>:s3:::<bucket>[/<key>]; the file's own resources are the wildcards
# arn:aws:s3:::* (buckets) and arn:aws:s3:::*/* (objects).
_S3_ARN = re.compile(r"(?P<head>arn:[a-z-]+:s3:::)(?P<bucket>[^/]*)(?P<objects>/.*)?")


def load_policy(path: Path = POLICY_FILE) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return policy


def actions(policy: dict[str, Any]) -> set[str]:
    granted: set[str] = set()
    for statement in policy["Statement"]:
        listed = statement["Action"]
        granted.update([listed] if isinstance(listed, str) else listed)
    return granted


def narrowed(policy: dict[str, Any], scopes: Sequence[BucketScope]) -> dict[str, Any]:
    """``policy`` with each S3 resource limited to ``scopes``: a bucket resource to those
    buckets, an object resource to their objects (under the prefix where one is given)."""
    if not scopes:
        return copy.deepcopy(policy)
    result = copy.deepcopy(policy)
    for statement in result["Statement"]:
        listed = statement["Resource"]
        resources: list[str] = []
        for resource in [listed] if isinstance(listed, str) else listed:
            match = _S3_ARN.fullmatch(resource)
            if match is None:
                resources.append(resource)
                continue
            for scope in scopes:
                if match["objects"] is None:
                    arn = f"{match['head']}{scope.bucket}"
                else:
                    arn = f"{match['head']}{scope.bucket}/{scope.prefix}*"
                if arn not in resources:
                    resources.append(arn)
        statement["Resource"] = resources[0] if len(resources) == 1 else resources
    return result
