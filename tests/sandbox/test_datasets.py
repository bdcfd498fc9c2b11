"""The sandbox's seeded datasets and feature group, as boto3 sees them over HTTP."""

from __future__ import annotations

import io
from typing import Any

import pyarrow.parquet as pq
import pytest

from lineage.sandbox import SandboxProcess
from lineage.sandbox.world.datasets import FEATURE_STORE_URI, MLOPS_INPUT
from tests.sandbox.clients import client

pytestmark = pytest.mark.sandbox

BUCKET = "my-mlops-dev2-v2-main-data"


def test_real_parquet_csv_and_jsonl_objects(sandbox: SandboxProcess) -> None:
    s3: Any = client(sandbox, "s3")
    base = "mlops-pipeline/h4d8s2n6p0cd/Preprocess"
    parquet = s3.get_object(Bucket=BUCKET, Key=f"{base}/validation/validation.parquet")
    table = pq.read_table(io.BytesIO(parquet["Body"].read()))
    assert table.num_rows == 20 and "tenure_months" in table.schema.names
    older = s3.get_object(Bucket=BUCKET, Key="mlops-pipeline/q7v2m9k3x1ab/Preprocess/train/"
                          "part-0000.csv")["Body"].read().decode()
    assert older.splitlines()[0] == "customer_id,tenure,monthly_charges,plan,churned"
    raw = s3.get_object(Bucket=BUCKET, Key=MLOPS_INPUT.split("/", 3)[3])["Body"].read()
    assert raw.startswith(b"\xef\xbb\xbf")
    tail = s3.get_object(Bucket=BUCKET, Key=f"{base}/validation/validation.parquet",
                         Range="bytes=-8")["Body"].read()
    assert tail.endswith(b"PAR1") and len(tail) == 8


def test_list_feature_groups_which_moto_lacks(sandbox: SandboxProcess) -> None:
    sm: Any = client(sandbox, "sagemaker")
    listed = sm.list_feature_groups(MaxResults=1)["FeatureGroupSummaries"]
    assert [g["FeatureGroupName"] for g in listed] == ["mlops-churn-features"]
    described = sm.describe_feature_group(FeatureGroupName="mlops-churn-features")
    assert described["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"] == FEATURE_STORE_URI
    with pytest.raises(sm.exceptions.ClientError):
        sm.list_feature_groups(NextToken="not-a-token")
