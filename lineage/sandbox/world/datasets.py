"""Real dataset objects under the S3 URIs the seeded pipelines read and write, and a Feature
Store feature group, so dataset schemas (``ENABLE_SCHEMA=true``) have something to read.

- ``mlops-pipeline``'s input ``raw/churn/churn.csv`` (CSV with a header, a BOM and quoted
  fields); the Preprocess outputs of its two newest finished runs: ``train`` (CSV, two part
  files), ``validation`` (Parquet, written by pyarrow) and ``test`` (JSON Lines) of
  ``h4d8s2n6p0cd`` (the newest run reads them too: a cache hit). The older
  run (``q7v2m9k3x1ab``) wrote them with an older layout: ``tenure`` (renamed
  ``tenure_months`` since), ``monthly_charges`` as whole numbers (decimals since), no
  ``contract`` column; a comparison of the two runs shows that drift.
- ``customer-features-pipeline``'s folders under ``features/customers/<execution id>/``:
  Parquet part files beside the ``_manifest.json`` the simulation writes.
- The feature group ``mlops-churn-features`` (see :data:`FEATURE_GROUPS`): its offline store
  is ``s3://my-mlops-dev2-v2-main-data/raw/churn``, the folder of mlops-pipeline's input.

Parquet is written with pyarrow (the sandbox extra); the bytes are the same on every start.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from lineage.sandbox.world.mlops import MLOPS_BUCKET
from lineage.sandbox.world.specs import FeatureGroupSpec

MLOPS_PREFIX = f"s3://{MLOPS_BUCKET}/mlops-pipeline"
MLOPS_INPUT = f"s3://{MLOPS_BUCKET}/raw/churn/churn.csv"
# The runs whose Preprocess outputs are seeded: the newest that ran it, h4d8s2n6p0cd (the
# newest run, r3a5pd8rmk8r, took Preprocess from its cache, so reads the same folders), and
# q7v2m9k3x1ab before it, with the older layout.
NEW_LAYOUT_RUNS = ("h4d8s2n6p0cd",)
OLD_LAYOUT_RUNS = ("q7v2m9k3x1ab",)
FEATURE_STORE_URI = f"s3://{MLOPS_BUCKET}/raw/churn"


FEATURE_GROUPS = (
    FeatureGroupSpec(
        name="mlops-churn-features",
        region="ap-northeast-2",
        record_identifier="customer_id",
        event_time="event_time",
        features=(("customer_id", "Integral"), ("tenure_months", "Integral"),
                  ("monthly_charges", "Fractional"), ("plan", "String"),
                  ("event_time", "String")),
        offline_store_uri=FEATURE_STORE_URI,
    ),
)

_PLANS = ("basic", "plus", "premium")
_CONTRACTS = ("monthly", "yearly")


def _rows(count: int, *, new_layout: bool, seed: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        n = (i * 7919 + seed * 104729) % 1000
        row: dict[str, Any] = {"customer_id": 10_000 + seed * 1000 + i}
        tenure = 1 + n % 72
        if new_layout:
            row["tenure_months"] = tenure
            row["monthly_charges"] = round(20 + (n % 9000) / 100, 2)
            row["plan"] = _PLANS[n % 3]
            row["contract"] = _CONTRACTS[n % 2]
        else:
            row["tenure"] = tenure
            row["monthly_charges"] = 20 + n % 90
            row["plan"] = _PLANS[n % 3]
        row["churned"] = n % 5 == 0
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, Any]], *, bom: bool = False) -> bytes:
    names = list(rows[0])
    lines = [",".join(names)]
    for row in rows:
        cells = []
        for name in names:
            value = row[name]
            text = str(value).lower() if isinstance(value, bool) else str(value)
            cells.append(f'"{text}"' if "," in text or name == "plan" else text)
        lines.append(",".join(cells))
    return ("\ufeff" if bom else "").encode() + ("\n".join(lines) + "\n").encode()


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def _parquet(rows: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa  # the sandbox extra; imported only when seeding
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy")
    return buffer.getvalue()


def _run_outputs(execution_id: str, *, new_layout: bool, seed: int) -> dict[str, bytes]:
    base = f"{MLOPS_PREFIX}/{execution_id}/Preprocess"
    return {
        f"{base}/train/part-0000.csv": _csv(_rows(40, new_layout=new_layout, seed=seed)),
        f"{base}/train/part-0001.csv": _csv(_rows(40, new_layout=new_layout, seed=seed + 1)),
        f"{base}/validation/validation.parquet": _parquet(
            _rows(20, new_layout=new_layout, seed=seed + 2)),
        f"{base}/test/test.jsonl": _jsonl(_rows(20, new_layout=new_layout, seed=seed + 3)),
    }


def dataset_objects(feature_runs: Iterable[str] = ()) -> Mapping[str, bytes]:
    """Every seeded dataset object: S3 URI -> body. ``feature_runs``: the execution ids of
    customer-features-pipeline, each of whose folders gets Parquet part files."""
    objects: dict[str, bytes] = {MLOPS_INPUT: _csv(_rows(60, new_layout=True, seed=0), bom=True)}
    for n, execution_id in enumerate(NEW_LAYOUT_RUNS):
        objects |= _run_outputs(execution_id, new_layout=True, seed=10 + n * 10)
    for n, execution_id in enumerate(OLD_LAYOUT_RUNS):
        objects |= _run_outputs(execution_id, new_layout=False, seed=50 + n * 10)
    from lineage.sandbox.world.estate import FEATURES_PREFIX

    for n, execution_id in enumerate(feature_runs):
        rows = _rows(30, new_layout=True, seed=100 + n)
        objects[f"{FEATURES_PREFIX}{execution_id}/part-00000.snappy.parquet"] = _parquet(rows)
    return objects
