"""The seeded buckets: the pipelines' own, with every security shape the lineage document
distinguishes (default encryption, versioning, public access block, tags) among them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lineage.sandbox.world.churn import CHURN_BUCKET
from lineage.sandbox.world.estate import ESTATE_BUCKETS
from lineage.sandbox.world.fraud import FRAUD_BUCKET, FRAUD_WORK_BUCKET
from lineage.sandbox.world.mlops import MLOPS_BUCKET
from lineage.sandbox.world.nlp import NLP_BUCKET
from lineage.sandbox.world.scale import (
    SCALE_REPORT_BUCKET,
    SCALE_SHARDS,
    SCALE_SOURCE_BUCKET,
    scale_bucket,
)
from lineage.sandbox.world.specs import SEOUL, VIRGINIA, BucketSpec

# (encryption, versioning, public access, tags), dealt round-robin to the scale shards.
_SHAPES: tuple[tuple[Any, Any, Any, Mapping[str, str]], ...] = (
    ("aws:kms", "Enabled", "all", {"Env": "production"}),
    ("AES256", "Suspended", "partial", {}),
    (None, None, None, {"Team": "scale"}),
    ("AES256", None, "all", {}),
)


def buckets() -> tuple[BucketSpec, ...]:
    fixed = [
        BucketSpec(MLOPS_BUCKET, SEOUL, "aws:kms", "Enabled", "all", {"Env": "development"}),
        BucketSpec(CHURN_BUCKET, SEOUL, "AES256", "Suspended", "partial", {"Team": "retention"}),
        BucketSpec(FRAUD_BUCKET, SEOUL, None, None, None, {}),
        BucketSpec(FRAUD_WORK_BUCKET, SEOUL, "aws:kms", None, "partial", {"Project": "fraud"}),
        BucketSpec(NLP_BUCKET, VIRGINIA, "AES256", "Enabled", "all", {"Project": "nlp"}),
        BucketSpec(SCALE_SOURCE_BUCKET, SEOUL, "AES256", "Enabled", "all", {"Project": "scale"}),
        BucketSpec(SCALE_REPORT_BUCKET, SEOUL, None, "Suspended", None, {}),
    ]
    for shard in range(SCALE_SHARDS):
        encryption, versioning, public, tags = _SHAPES[shard % len(_SHAPES)]
        fixed.append(BucketSpec(scale_bucket(shard), SEOUL, encryption, versioning, public, tags))
    return tuple(fixed) + ESTATE_BUCKETS
