"""The findings report on hand-made documents and estates: grouping, reaches, the severity
filter, exempted findings, the CSV's columns and its formula neutralising."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import pytest

from lineage.findings_report import (
    CSV_COLUMNS,
    FORMULA_STARTS,
    document_report,
    estate_report,
    neutralise,
    to_csv,
)
from lineage.policy import DEFAULT_POLICY, Policy, PolicyException
from lineage.risk import document_risk

CLEAN = {"encryption": "aws:kms", "versioning": "Enabled", "publicAccess": "Blocked", "tags": {}}
UNENCRYPTED = {**CLEAN, "encryption": None}  # high
OPEN = {**CLEAN, "encryption": None, "publicAccess": "NotBlocked", "versioning": "Disabled"}
POLICY = Policy(exceptions=(
    PolicyException("public-site", "a public website (SEC-1)",
                    rules=frozenset({"S3_PUBLIC_ACCESS_NOT_BLOCKED"})),
))


def artifact(number: int, uri: str, s3: dict[str, Any] | None, *,
             producers: Sequence[str] = (), consumers: Sequence[str] = ()) -> dict[str, Any]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return {"id": number, "uri": uri, "bucket": bucket, "key": key, "producers": list(producers),
            "consumers": list(consumers), "s3": s3}


def document() -> dict[str, Any]:
    """raw (unencrypted) -> Prep -> train -> Train -> model; Train -dependsOn-> Eval, which
    reads a public website's bucket (exempted) and is named like a formula."""
    return {
        "pipeline": {"name": "p", "region": "ap-northeast-2"},
        "graph": {
            "nodes": [{"id": "Prep"}, {"id": "Train"}, {"id": "=HYPERLINK(\"x\")"}],
            "edges": [
                {"from": "Prep", "to": "Train", "via": "ref:Get"},
                {"from": "Train", "to": "=HYPERLINK(\"x\")", "via": "dependsOn"},
            ],
            "artifacts": [
                artifact(1, "s3://raw-data/input/customers.csv", UNENCRYPTED, consumers=["Prep"]),
                artifact(2, "s3://clean-data/train", CLEAN, producers=["Prep"],
                         consumers=["Train"]),
                artifact(3, "s3://clean-data/model.tar.gz", CLEAN, producers=["Train"]),
                artifact(4, "s3://public-site/assets/page.html",
                         {**CLEAN, "publicAccess": "NotBlocked"},
                         consumers=["=HYPERLINK(\"x\")"]),
            ],
        },
        "warnings": [{"code": "S3_ACCESS_DENIED", "message": "m", "target": "x"}],
        "generatedAt": "2026-01-01T00:00:00Z",
    }


def estate() -> dict[str, Any]:
    """A dataset in an open bucket -> pipeline -> package -> model -> config -> endpoint; the
    package's group contains it (structural: not followed)."""
    def node(node_id: str, label: str, **attributes: Any) -> dict[str, Any]:
        return {"id": node_id, "kind": node_id.split(":", 1)[0], "label": label,
                "attributes": attributes}

    return {
        "nodes": [
            node("dataset:s3://open-bucket/features", "s3://open-bucket/features",
                 bucket="open-bucket", uri="s3://open-bucket/features", s3=OPEN),
            node("dataset:s3://kms-bucket/models", "s3://kms-bucket/models",
                 bucket="kms-bucket", uri="s3://kms-bucket/models", s3=CLEAN),
            node("pipeline:1:r:train", "train"),
            node("model-package-group:g", "g"),
            node("model-package:g/1", "g/1"),
            node("model:m", "m"),
            node("endpoint-config:c", "c"),
            node("endpoint:prod", "prod"),
        ],
        "edges": [
            {"from": "dataset:s3://open-bucket/features", "to": "pipeline:1:r:train",
             "kind": "reads"},
            {"from": "pipeline:1:r:train", "to": "dataset:s3://kms-bucket/models",
             "kind": "writes"},
            {"from": "pipeline:1:r:train", "to": "model-package:g/1", "kind": "registers"},
            {"from": "model-package-group:g", "to": "model-package:g/1", "kind": "contains"},
            {"from": "model-package:g/1", "to": "model:m", "kind": "builds"},
            {"from": "model:m", "to": "endpoint-config:c", "kind": "configures"},
            {"from": "endpoint-config:c", "to": "endpoint:prod", "kind": "serves"},
        ],
        "warnings": [],
        "generatedAt": "2026-01-01T00:00:00Z",
    }


def test_a_documents_sources_are_its_artifacts_with_findings() -> None:
    report = document_report(document(), POLICY, scope={"pipeline": "p"})
    sources = [group.source.id for group in report.groups]
    assert sources == ["artifact:1", "artifact:4"]  # the clean bucket is no source
    raw = report.groups[0]
    assert raw.source.to_dict() == {"id": "artifact:1", "kind": "artifact",
                                    "label": "s3://raw-data/input/customers.csv",
                                    "bucket": "raw-data",
                                    "uri": "s3://raw-data/input/customers.csv"}
    assert raw.severity == "high"
    assert [f.rule for f in raw.findings] == ["S3_ENCRYPTION_MISSING"]
    # What it reaches along the data's edges, by path length then id; dependsOn carries none.
    assert [(r.id, r.kind, r.path) for r in raw.reaches] == [
        ("step:Prep", "step", ("artifact:1", "step:Prep")),
        ("artifact:2", "artifact", ("artifact:1", "step:Prep", "artifact:2")),
        ("step:Train", "step", ("artifact:1", "step:Prep", "step:Train")),
        ("artifact:3", "artifact", ("artifact:1", "step:Prep", "step:Train", "artifact:3")),
    ]
    assert report.warnings[0]["code"] == "S3_ACCESS_DENIED"
    assert report.generated_at == "2026-01-01T00:00:00Z"


def test_reaches_agree_with_the_documents_own_risk() -> None:
    """The report walks the graph itself (risk lists at most MAX_SOURCES per node); both walks
    give the same nodes and the same paths."""
    doc = document()
    risks = document_risk(doc["graph"], POLICY)
    inherited = {(node, reach.path) for node, risk in risks.items() for reach in risk.inherited
                 if reach.source == "artifact:1"}
    report = document_report(doc, POLICY)
    assert {(r.id, r.path) for r in report.groups[0].reaches} == inherited


def test_exempted_findings_are_listed_with_the_reason_and_do_not_propagate() -> None:
    site = document_report(document(), POLICY).groups[1]
    assert site.findings == () and site.severity is None
    assert [e.to_dict()["exemptBecause"] for e in site.exempted] == ["a public website (SEC-1)"]
    assert site.reaches == ()
    # Without the exception the same bucket is a source like any other.
    unexcepted = document_report(document(), DEFAULT_POLICY).groups
    assert [g.source.id for g in unexcepted][:1] == ["artifact:1"]
    site = next(g for g in unexcepted if g.source.id == "artifact:4")
    assert [f.rule for f in site.findings] == ["S3_PUBLIC_ACCESS_NOT_BLOCKED"]
    assert [r.label for r in site.reaches] == ["=HYPERLINK(\"x\")"]


def test_an_estates_sources_are_its_datasets_reaching_the_endpoint() -> None:
    report = estate_report(estate(), DEFAULT_POLICY)
    [group] = report.groups
    assert group.source.kind == "dataset" and group.source.bucket == "open-bucket"
    assert group.severity == "high"
    assert {f.rule for f in group.findings} == {
        "S3_ENCRYPTION_MISSING", "S3_PUBLIC_ACCESS_NOT_BLOCKED", "S3_VERSIONING_DISABLED"}
    reached = {r.id: r for r in group.reaches}
    assert "model-package-group:g" not in reached  # contains: structure, not data
    assert reached["endpoint:prod"].path == (
        "dataset:s3://open-bucket/features", "pipeline:1:r:train", "model-package:g/1",
        "model:m", "endpoint-config:c", "endpoint:prod")
    assert [len(r.path) for r in group.reaches] == sorted(len(r.path) for r in group.reaches)
    assert report.summary() == {"findings": 3, "exempted": 0, "sources": 1, "buckets": 1,
                                "reached": 6, "bySeverity": {"critical": 0, "high": 2,
                                                             "medium": 1, "low": 0}}


def test_the_severity_filter_keeps_what_is_at_or_above() -> None:
    report = estate_report(estate(), DEFAULT_POLICY)
    high = report.at_least("high")
    assert high.min_severity == "high"
    assert {f.severity for g in high.groups for f in g.findings} == {"high"}
    assert high.groups[0].reaches == report.groups[0].reaches  # the source reaches the same
    assert report.at_least("critical").groups == ()
    assert report.at_least(None) is report
    # The gate counts the findings at or above, exempted ones never.
    assert (report.count_at_least("medium"), report.count_at_least("high"),
            report.count_at_least("critical")) == (3, 2, 0)
    assert document_report(document(), POLICY).count_at_least("low") == 1


def test_the_json_is_plain_data_with_every_key() -> None:
    answer = json.loads(json.dumps(document_report(document(), POLICY, scope={"x": 1})
                                   .to_dict()))
    assert set(answer) == {"scope", "minSeverity", "summary", "groups", "warnings",
                           "generatedAt"}
    assert answer["scope"] == {"x": 1}
    group = answer["groups"][0]
    assert set(group) == {"source", "severity", "findings", "exempted", "reaches"}
    assert set(group["reaches"][0]) == {"id", "kind", "label", "path"}
    assert answer["groups"][1]["exempted"][0]["exemptBecause"]


def test_documents_without_bucket_settings_have_no_sources() -> None:
    doc = document()
    for item in doc["graph"]["artifacts"]:
        item.pop("s3")
    assert document_report(doc, POLICY).groups == ()
    assert document_report({}, POLICY).to_dict()["summary"]["sources"] == 0
    assert estate_report({"nodes": "not a list"}, POLICY).groups == ()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_one_row_per_finding_and_node_reached_the_source_first() -> None:
    text = to_csv(document_report(document(), POLICY))
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert text.endswith("\r\n")
    found = rows(text)
    raw = [row for row in found if row["source"] == "artifact:1"]
    assert [row["reachedId"] for row in raw] == [
        "artifact:1", "step:Prep", "artifact:2", "step:Train", "artifact:3"]
    expected = {"hops": "0", "path": "artifact:1", "exemptBecause": "", "bucket": "raw-data",
                "rule": "S3_ENCRYPTION_MISSING", "severity": "high", "sourceKind": "artifact",
                "uri": "s3://raw-data/input/customers.csv", "kind": "violation"}
    assert {name: raw[0][name] for name in expected} == expected
    assert raw[-1]["path"] == "artifact:1 > step:Prep > step:Train > artifact:3"
    assert raw[-1]["hops"] == "3"
    exempted = [row for row in found if row["source"] == "artifact:4"]
    assert len(exempted) == 1 and exempted[0]["exemptBecause"] == "a public website (SEC-1)"


def test_csv_neutralises_what_a_spreadsheet_would_run() -> None:
    found = rows(to_csv(document_report(document(), DEFAULT_POLICY)))
    labels = {row["reachedLabel"] for row in found}
    assert "'=HYPERLINK(\"x\")" in labels and "=HYPERLINK(\"x\")" not in labels
    paths = [row["path"] for row in found if row["reachedKind"] == "step"]
    assert any(path.endswith("> step:=HYPERLINK(\"x\")") for path in paths)
    for row in found:
        for value in row.values():
            assert not value.startswith(FORMULA_STARTS), value


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_each_formula_start(start: str) -> None:
    assert neutralise(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


def test_neutralise_leaves_text_alone() -> None:
    for value in ("", "s3://bucket/key", "high", "a=b", "'quoted", "step:Train"):
        assert neutralise(value) == value


def test_csv_keeps_untrusted_text_as_text() -> None:
    doc = document()
    doc["graph"]["nodes"][0]["id"] = 'Prep,"x"\r\nline'
    for item in doc["graph"]["artifacts"]:
        item["consumers"] = ['Prep,"x"\r\nline' if c == "Prep" else c for c in item["consumers"]]
        item["producers"] = ['Prep,"x"\r\nline' if c == "Prep" else c for c in item["producers"]]
    doc["graph"]["edges"][0]["from"] = 'Prep,"x"\r\nline'
    found = rows(to_csv(document_report(doc, POLICY)))
    assert 'Prep,"x"\r\nline' in {row["reachedLabel"] for row in found}
    assert all(set(row) == set(CSV_COLUMNS) for row in found)
