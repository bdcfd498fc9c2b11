"""lineage.compare's schema drift: columns added, removed, retyped between two runs' datasets."""

from __future__ import annotations

from typing import Any

from lineage.compare import ExecutionSide, compare_executions
from lineage.dataset_schema import Column, DatasetSchema
from tests.lineage.test_compare import BUCKET, abalone, side

OLD = DatasetSchema("csv", (Column("id", "integer"), Column("tenure", "integer"),
                            Column("charges", "integer")))
NEW = DatasetSchema("parquet", (Column("id", "integer"), Column("charges", "number"),
                                Column("tenure_months", "integer")))


def with_schema(execution: ExecutionSide, uri_part: str, schema: DatasetSchema) -> ExecutionSide:
    document: dict[str, Any] = dict(execution.document)
    for artifact in document["graph"]["artifacts"]:
        if uri_part in artifact["uri"]:
            artifact["schema"] = schema.to_dict()
    return ExecutionSide(document, execution.definition)


def test_drift_of_a_dataset_both_runs_have_a_schema_of() -> None:
    a = with_schema(side(abalone(), "run-a"), "run-a/evaluation", OLD)
    b = with_schema(side(abalone(), "run-b"), "run-b/evaluation", NEW)
    answer = compare_executions(a, b).to_dict()
    [drift] = answer["schemaDrift"]
    assert drift["dataset"].startswith(BUCKET) and "run-a" in drift["a"]
    assert drift["change"] == "changed"
    assert drift["added"] == [{"name": "tenure_months", "type": "integer"}]
    assert drift["removed"] == [{"name": "tenure", "type": "integer"}]
    assert drift["retyped"] == [{"name": "charges", "a": "integer", "b": "number"}]


def test_the_same_columns_are_no_drift_and_no_schemas_no_key() -> None:
    a = with_schema(side(abalone(), "run-a"), "run-a/evaluation", NEW)
    b = with_schema(side(abalone(), "run-b"), "run-b/evaluation", NEW)
    [drift] = compare_executions(a, b).to_dict()["schemaDrift"]
    assert drift["change"] == "same" and not drift["added"] + drift["removed"]
    plain = compare_executions(side(abalone(), "run-a"), side(abalone(), "run-b")).to_dict()
    assert "schemaDrift" not in plain  # /compare unchanged while ENABLE_SCHEMA is off
    one_sided = compare_executions(a, side(abalone(), "run-b")).to_dict()
    assert "schemaDrift" not in one_sided
