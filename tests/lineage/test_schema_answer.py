"""lineage.schema_answer: the /schema answer of a document (pure)."""

from __future__ import annotations

from typing import Any

from lineage.dataset_schema import Column, DatasetSchema
from lineage.models import Warning
from lineage.schema_answer import data_node_id, schema_answer, schema_version

RUN = "s3://B/p/run1/Preprocess"


def document(schemas: dict[str, DatasetSchema]) -> dict[str, Any]:
    uris = [f"{RUN}/train", f"{RUN}/train/part-0.csv", f"{RUN}/test", "s3://b/raw/churn/x.csv",
            "s3://b/other/train/"]
    return {"graph": {"artifacts": [
        {"uri": uri, **({"schema": schemas[uri].to_dict()} if uri in schemas else {})}
        for uri in uris]},
        "warnings": [{"code": "SCHEMA_BINARY", "message": "m", "target": f"{RUN}/test"},
                     {"code": "S3_ACCESS_DENIED", "message": "m", "target": "b"}]}


TRAIN = DatasetSchema("csv", (Column("id", "integer"), Column("plan", "string", True)))


def test_tables_columns_and_links() -> None:
    other = DatasetSchema("parquet", (Column("z", "number"),))
    answer = schema_answer(document({f"{RUN}/train": TRAIN, "s3://b/other/train/": other}))
    assert [t["id"] for t in answer["tables"]] == ["table:Preprocess/train", "table:other/train"]
    table = answer["tables"][0]
    assert table["links"] == [data_node_id(f"{RUN}/train"), data_node_id(f"{RUN}/train/part-0.csv")]
    assert table["links"][0] == "data:s3://b/p/run1/preprocess/train"
    assert table["version"] == schema_version(TRAIN) and len(table["version"]) == 12
    assert [c["id"] for c in answer["columns"]] == [
        "column:Preprocess/train.id", "column:Preprocess/train.plan", "column:other/train.z"]
    assert answer["columns"][1] == {"id": "column:Preprocess/train.plan", "name": "plan",
                                    "tableId": "table:Preprocess/train", "type": "string",
                                    "links": table["links"]}
    assert [w["code"] for w in answer["warnings"]] == ["SCHEMA_BINARY"]


def test_version_changes_with_a_column() -> None:
    retyped = DatasetSchema("csv", (Column("id", "number"), Column("plan", "string", True)))
    assert schema_version(retyped) != schema_version(TRAIN)
    assert schema_version(DatasetSchema("parquet", TRAIN.columns)) == schema_version(TRAIN)


def test_feature_groups_link_to_artifacts_under_or_over_their_store() -> None:
    described = [
        {"FeatureGroupName": "churn", "CreationTime": "2024-01-01",
         "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://b/raw/churn"}},
         "FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "Integral"}]},
        {"FeatureGroupName": "elsewhere",
         "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://c/x"}},
         "FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "Integral"}]},
    ]
    answer = schema_answer(document({}), feature_groups=described,
                           warnings=[Warning("FEATURESTORE_THROTTLED", "m", None)])
    assert answer["tables"] == [] and answer["columns"] == []
    assert answer["featureGroups"] == [{
        "id": "featureGroup:churn", "name": "churn", "version": "2024-01-01",
        "links": ["data:s3://b/raw/churn/x.csv"], "offlineStoreUri": "s3://b/raw/churn"}]
    assert answer["features"] == [{"id": "feature:churn.id", "name": "id",
                                   "groupId": "featureGroup:churn", "type": "Integral",
                                   "links": ["data:s3://b/raw/churn/x.csv"]}]
    assert answer["warnings"][-1]["code"] == "FEATURESTORE_THROTTLED"
