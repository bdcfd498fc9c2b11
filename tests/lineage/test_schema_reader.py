"""Dataset schemas read from the sandbox over real HTTP (ENABLE_SCHEMA=true): the seeded CSV,
JSON Lines and Parquet objects, ranged reads within the budget, warnings instead of errors."""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from lineage.aws import AwsApi, ClientFactory, sagemaker_regions
from lineage.config import Settings
from lineage.request import parse_lineage_request
from lineage.sandbox import SandboxProcess
from lineage.schema_reader import SCHEMA_CACHE, SchemaCache, SchemaLimits, read_schemas
from lineage.schema_service import read_schema_answer
from tests.lineage.test_service import make_lineage, point_at

pytestmark = pytest.mark.sandbox

BUCKET = "my-mlops-dev2-v2-main-data"
RUN = f"s3://{BUCKET}/mlops-pipeline/h4d8s2n6p0cd/Preprocess"
NEW_COLUMNS = ["customer_id", "tenure_months", "monthly_charges", "plan", "contract", "churned"]


def artifact(document: dict[str, Any], uri: str) -> dict[str, Any]:
    return next(a for a in document["graph"]["artifacts"] if a["uri"] == uri)


def columns(schema: dict[str, Any]) -> dict[str, str]:
    return {column["name"]: column["type"] for column in schema["columns"]}


def test_the_latest_run_shows_each_datasets_columns(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lineage = make_lineage(sandbox, monkeypatch, enable_schema=True)
    document = lineage("mlops-pipeline")
    train = artifact(document, f"{RUN}/train")["schema"]
    assert train["format"] == "csv" and list(columns(train)) == NEW_COLUMNS
    assert columns(train)["monthly_charges"] == "number"
    assert columns(train)["churned"] == "boolean"
    assert train["objects"] == [f"{RUN}/train/part-0000.csv", f"{RUN}/train/part-0001.csv"]
    assert train["sampledRows"] == 80
    validation = artifact(document, f"{RUN}/validation")["schema"]
    assert validation["format"] == "parquet" and validation["rowCount"] == 20
    assert columns(validation) == {"customer_id": "integer", "tenure_months": "integer",
                                   "monthly_charges": "number", "plan": "string",
                                   "contract": "string", "churned": "boolean"}
    test = artifact(document, f"{RUN}/test")["schema"]
    assert test["format"] == "jsonl" and list(columns(test)) == NEW_COLUMNS
    raw = artifact(document, f"s3://{BUCKET}/raw/churn/churn.csv")["schema"]
    assert list(columns(raw)) == NEW_COLUMNS  # its BOM dropped
    # Code and models are no datasets: no schema, no warning.
    code = artifact(document, f"s3://{BUCKET}/mlops-pipeline/code/preprocess.py")
    assert "schema" not in code
    assert not [w for w in document["warnings"] if w["code"].startswith("SCHEMA_")
                and "code/" in (w["target"] or "")]


def test_off_by_default(sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    _, lineage = make_lineage(sandbox, monkeypatch)
    sandbox.reset_calls()
    document = lineage("mlops-pipeline")
    assert all("schema" not in a for a in document["graph"]["artifacts"])
    assert "ListObjectsV2" not in {c["operation"] for c in sandbox.calls()}


def test_parquet_costs_one_ranged_read_of_its_tail(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(sandbox, monkeypatch)
    api = AwsApi(ClientFactory(Settings()), "ap-northeast-2")
    limits = SchemaLimits(max_bytes=64 * 1024, max_objects=3, max_artifacts=10, timeout_sec=10)
    cache = SchemaCache()
    with ThreadPoolExecutor(2) as pool:
        sandbox.reset_calls()
        result = read_schemas(api, [f"{RUN}/validation"], limits, pool, cache=cache)
        assert result.schemas[f"{RUN}/validation"].row_count == 20
        assert [c["operation"] for c in sandbox.calls()] == ["ListObjectsV2", "GetObject"]
        # The same ETag again: the listing only.
        sandbox.reset_calls()
        again = read_schemas(api, [f"{RUN}/validation"], limits, pool, cache=cache)
        assert again.schemas == result.schemas
        assert [c["operation"] for c in sandbox.calls()] == ["ListObjectsV2"]


def test_a_budget_smaller_than_the_footer_is_a_warning(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(sandbox, monkeypatch)
    api = AwsApi(ClientFactory(Settings()), "ap-northeast-2")
    limits = SchemaLimits(max_bytes=256, max_objects=3, max_artifacts=10, timeout_sec=10)
    with ThreadPoolExecutor(2) as pool:
        result = read_schemas(api, [f"{RUN}/validation", f"{RUN}/train",
                                    f"s3://{BUCKET}/no/such/prefix"], limits, pool, cache=None)
    assert f"{RUN}/validation" not in result.schemas
    train = result.schemas[f"{RUN}/train"]
    assert train.truncated and train.sampled_rows < 80
    codes = {(code, target) for code, _, target in result.warnings}
    assert ("SCHEMA_TOO_LARGE", f"{RUN}/validation") in codes
    assert ("SCHEMA_EMPTY", f"s3://{BUCKET}/no/such/prefix") in codes


def test_denied_reads_are_warnings_not_errors(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lineage = make_lineage(sandbox, monkeypatch, enable_schema=True)
    monkeypatch.setattr(SCHEMA_CACHE, "_entries", OrderedDict())  # nothing read before
    try:
        sandbox.set_faults("deny=s3:GetObject")
        document = lineage("mlops-pipeline")
    finally:
        sandbox.set_faults("")
    assert all("schema" not in a for a in document["graph"]["artifacts"])
    warnings = [w for w in document["warnings"] if w["code"] == "SCHEMA_ACCESS_DENIED"]
    assert warnings and all("AccessDenied" not in w["message"] for w in warnings)
    assert any(w["target"] == f"{RUN}/train" for w in warnings)


def test_the_schema_answer_with_the_seeded_feature_group(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = make_lineage(sandbox, monkeypatch, enable_schema=True)
    request = parse_lineage_request({"pipeline": "mlops-pipeline"}, settings=service.settings,
                                    regions=sagemaker_regions())
    answer = read_schema_answer(service, request, include_featurestore=True)
    tables = {t["name"]: t for t in answer["tables"]}
    assert {"train", "validation", "test", "churn.csv"} <= set(tables)
    assert tables["train"]["links"] == [f"data:{RUN.lower()}/train"]
    assert "column:validation.tenure_months" in {c["id"] for c in answer["columns"]}
    assert [g["name"] for g in answer["featureGroups"]] == ["mlops-churn-features"]
    assert answer["featureGroups"][0]["links"] == [f"data:s3://{BUCKET}/raw/churn/churn.csv"]
    assert {f["name"]: f["type"] for f in answer["features"]}["monthly_charges"] == "Fractional"
    off, _ = make_lineage(sandbox, monkeypatch)
    quiet = read_schema_answer(off, request)
    assert quiet["tables"] == [] and quiet["featureGroups"] == []
    assert [w["code"] for w in quiet["warnings"]] == ["SCHEMA_DISABLED"]
