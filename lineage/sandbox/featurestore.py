"""SageMaker Feature Store's ``ListFeatureGroups``, which moto lacks (it answers
``CreateFeatureGroup`` and ``DescribeFeatureGroup``): the feature groups of moto's own
backend, listed as AWS lists them (by name, ascending; ``MaxResults`` 1-100, ``NextToken``).

https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListFeatureGroups.html
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lineage.sandbox.protocol import Answer, json_answer, json_error

OPERATIONS = frozenset({"ListFeatureGroups"})


def list_feature_groups(account: str, region: str, params: dict[str, Any]) -> Answer:
    from moto.backends import get_backend

    size = params.get("MaxResults", 100)
    if not isinstance(size, int) or not 1 <= size <= 100:
        return json_error("ValidationException", "MaxResults must be between 1 and 100")
    token = params.get("NextToken") or "0"
    if not isinstance(token, str) or not token.isdigit():
        return json_error("ValidationException", "Invalid NextToken")
    start = int(token)
    contains = str(params.get("NameContains") or "")
    backend = get_backend("sagemaker")[account][region]
    groups = sorted((g for g in backend.feature_groups.values()
                     if contains in g.feature_group_name),
                    key=lambda g: g.feature_group_name)
    page = groups[start:start + size]
    answer: dict[str, Any] = {"FeatureGroupSummaries": [
        {
            "FeatureGroupName": group.feature_group_name,
            "FeatureGroupArn": group.arn,
            "CreationTime": _epoch(group.creation_time),
            "FeatureGroupStatus": "Created",
            "OfflineStoreStatus": {"Status": "Active"},
        }
        for group in page
    ]}
    if start + size < len(groups):
        answer["NextToken"] = str(start + size)
    return json_answer(answer)


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
