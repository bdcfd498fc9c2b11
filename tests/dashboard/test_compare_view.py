"""Two executions compared, from the engine's comparison of two runs built as the service
builds them (lineage.graph): a run without CreateModel and with validation:auc 0.81, then
one with CreateModel and 0.63, a step only the first had, a changed argument, parameter,
status, failure, cache hit and duration. The merged graph drawn by document_elements and
classed by change; the stylesheet's change looks and their legend; the table of differences
and its "differences only" mode; the datasets' schema drift (ENABLE_SCHEMA=true); hostile
strings shown as text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dash import html

from dashboard.ui.components.compare_view import (
    COMPARE_LEGEND,
    COMPARE_SCHEMA_DRIFT,
    COMPARE_SUMMARY,
    COMPARE_TABLE,
    DifferenceRow,
    change_legend,
    compare_elements,
    compare_summary,
    difference_rows,
    differences_table,
    drift_rows,
    merged_document,
    schema_drift_section,
)
from dashboard.ui.components.elements import document_elements
from dashboard.ui.components.stylesheet import (
    CHANGE_EDGE_LOOK,
    CHANGE_LOOK,
    change_class,
    compare_stylesheet,
    stylesheet,
)
from lineage.compare import (
    CHANGE_CLASSES,
    MAX_KEY_CHANGES,
    ExecutionSide,
    SchemaDrift,
    compare_executions,
    schema_drift,
)
from lineage.dataset_schema import Column, DatasetSchema
from lineage.definition import parse_definition
from lineage.graph import StepEnrichment, build_document
from lineage.models import ExecutionInfo, PipelineInfo, RunInfo
from tests.dashboard.trees import components, strings

PIPELINE = PipelineInfo(
    name="mlops-pipeline",
    arn="arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/mlops-pipeline",
    region="ap-northeast-2",
)
OLDER, NEWER = "q7v2m9k3x1ab", "r3a5pd8rmk8r"
T0 = datetime(2025, 3, 1, 7, tzinfo=UTC)
HOSTILE_REASON = '<a href="javascript:alert(1)">ClientError</a>: bad input'
HOSTILE_VALUE = "<img src=x onerror=alert(1)>"


def definition(*, newer: bool, keys: int = 1) -> dict[str, Any]:
    """The older run's definition has Report; the newer's has CreateModel instead and
    another eta (``keys``: that many hyperparameters changed)."""
    hyper = {f"k{i}": ("2" if newer else "1") for i in range(1, keys)}
    steps: list[dict[str, Any]] = [
        {"Name": "Preprocess", "Type": "Processing", "Arguments": {}},
        {"Name": "Train", "Type": "Training", "DependsOn": ["Preprocess"],
         "Arguments": {"HyperParameters": {"eta": "0.3" if newer else "0.2", **hyper}}},
        {"Name": "Evaluate", "Type": "Processing", "DependsOn": ["Train"], "Arguments": {}},
        {"Name": "CreateModel", "Type": "Model", "DependsOn": ["Evaluate"], "Arguments": {}}
        if newer else
        {"Name": "Report", "Type": "Processing", "DependsOn": ["Evaluate"], "Arguments": {}},
    ]
    return {"Version": "2020-12-01",
            "Parameters": [{"Name": "Threshold", "Type": "String", "DefaultValue": "0.75"}],
            "Steps": steps}


def side(*, newer: bool, keys: int = 1, parameters: dict[str, str] | None = None,
         reason: str = HOSTILE_REASON) -> ExecutionSide:
    """A run's document as lineage.graph builds it, and its definition."""
    given = parameters or {"Threshold": "0.7" if newer else "0.75"}
    chosen = definition(newer=newer, keys=keys)
    runs: dict[str, RunInfo] = {}
    for i, step in enumerate(chosen["Steps"]):
        start = T0 + timedelta(minutes=10 * i)
        runs[step["Name"]] = RunInfo(status="Succeeded", start_time=start,
                                     end_time=start + timedelta(seconds=50), elapsed_sec=50)
    runs["Train"] = replace(runs["Train"], elapsed_sec=1200 if newer else 900)
    runs["Evaluate"] = replace(runs["Evaluate"], metrics={"validation:auc": 0.63 if newer
                                                          else 0.81})
    if newer:
        runs["Preprocess"] = replace(runs["Preprocess"], cache_hit=True)
        runs["Evaluate"] = replace(runs["Evaluate"], status="Failed", failure_reason=reason)
    execution_id = NEWER if newer else OLDER
    document = build_document(
        parse_definition(chosen, parameters=given),
        pipeline=PIPELINE,
        execution=ExecutionInfo(arn=f"{PIPELINE.arn}/execution/{execution_id}", id=execution_id,
                                status="Failed" if newer else "Succeeded", start_time=T0,
                                parameters=given),
        enrichments={name: StepEnrichment(run=run) for name, run in runs.items()},
        generated_at=T0,
    )
    return ExecutionSide(document.to_dict(), chosen)


def comparison_of(older: ExecutionSide | None = None,
                  newer: ExecutionSide | None = None) -> dict[str, Any]:
    """What GET /compare answers (strict JSON)."""
    answer: dict[str, Any] = json.loads(json.dumps(compare_executions(
        older or side(newer=False), newer or side(newer=True)).to_dict(), allow_nan=False))
    return answer


def rows_of(comparison: dict[str, Any], kind: str) -> dict[tuple[str, str], DifferenceRow]:
    return {(row.subject, row.item): row for row in difference_rows(comparison)
            if row.kind == kind}


def elements_by_id(comparison: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {element["data"]["id"]: element for element in compare_elements(comparison).elements}


@pytest.fixture(scope="module")
def comparison() -> dict[str, Any]:
    return comparison_of()


# -- the merged graph ----------------------------------------------------------------------


def test_nodes_are_classed_by_their_change(comparison: dict[str, Any]) -> None:
    elements = elements_by_id(comparison)

    assert {element_id: element["data"]["change"] for element_id, element in elements.items()
            if "source" not in element["data"]} == {
        "step:CreateModel": "added", "step:Report": "removed", "step:Train": "changed",
        "step:Evaluate": "changed", "step:Preprocess": "changed",
    }
    assert elements["step:CreateModel"]["classes"].endswith(" change-added")
    assert "type-model" in elements["step:CreateModel"]["classes"]  # its shape, as on "/"
    assert elements["step:Report"]["classes"].endswith(" change-removed")
    assert elements["step:Train"]["data"]["differences"] == ["arguments"]
    assert elements["step:Evaluate"]["data"]["differences"] == [
        "failureReason", "metrics", "status"]
    # The newer run's status; the older's for a step only it had.
    assert elements["step:Evaluate"]["data"]["status"] == "Failed"
    assert elements["step:Report"]["data"]["status"] == "Succeeded"


def test_edges_are_classed_by_their_change(comparison: dict[str, Any]) -> None:
    edges = {(e["data"]["source"], e["data"]["target"]): e
             for e in elements_by_id(comparison).values() if "source" in e["data"]}

    assert edges[("step:Evaluate", "step:CreateModel")]["data"]["change"] == "added"
    assert edges[("step:Evaluate", "step:Report")]["data"]["change"] == "removed"
    assert edges[("step:Train", "step:Evaluate")]["data"]["change"] == "same"
    assert edges[("step:Evaluate", "step:CreateModel")]["classes"] == (
        "edge via-dependson change-added")


def test_the_graph_is_document_elements_own(comparison: dict[str, Any]) -> None:
    drawn = compare_elements(comparison)
    plain = document_elements(merged_document(comparison))

    assert [e["data"]["id"] for e in drawn.elements] == [e["data"]["id"] for e in plain.elements]
    assert [e.get("position") for e in drawn.elements] == [
        e.get("position") for e in plain.elements]
    assert drawn.step_names == plain.step_names
    assert all(e["classes"].startswith(p["classes"])
               for e, p in zip(drawn.elements, plain.elements, strict=True))


def test_an_unknown_change_class_reads_as_changed() -> None:
    odd = {"steps": [{"name": "A", "type": "Processing", "change": "renamed"}], "edges": []}

    (element,) = compare_elements(odd).elements

    assert element["data"]["change"] == "changed"
    assert change_class("renamed") == "change-changed"


# -- the stylesheet and the legend ----------------------------------------------------------


def test_every_change_class_has_node_and_edge_looks_after_the_status_looks() -> None:
    sheet = compare_stylesheet()
    selectors = [rule["selector"] for rule in sheet]

    assert sheet[: len(stylesheet())] == stylesheet()
    for change in CHANGE_CLASSES:
        node = next(r for r in sheet if r["selector"] == f"node.{change_class(change)}")
        edge = next(r for r in sheet if r["selector"] == f"edge.{change_class(change)}")
        assert node["style"]["background-color"] == CHANGE_LOOK[change][0]
        assert node["style"]["border-style"] == CHANGE_LOOK[change][2]
        assert edge["style"]["line-color"] == CHANGE_EDGE_LOOK[change][0]
        assert selectors.index(f"node.{change_class(change)}") > selectors.index(
            ".status-failed")
    fills = {look[0] for look in CHANGE_LOOK.values()}
    cues = {(look[2], look[4]) for look in CHANGE_LOOK.values()}
    assert len(fills) == len(cues) == len(CHANGE_CLASSES)  # not by colour alone


def test_the_legend_explains_each_change_class() -> None:
    legend: Any = change_legend()
    entries = [c for c in components(legend) if isinstance(c, html.Li)]

    assert legend.id == COMPARE_LEGEND
    assert [getattr(entry, "data-legend") for entry in entries] == [
        change_class(change) for change in CHANGE_LOOK]
    assert strings(legend) == ["Change from a to b", *(look[5] for look in CHANGE_LOOK.values())]


# -- the table -----------------------------------------------------------------------------


def test_an_added_and_a_removed_step_and_their_edges(comparison: dict[str, Any]) -> None:
    steps = rows_of(comparison, "step")
    edges = rows_of(comparison, "edge")

    assert steps[("CreateModel", "Model")] == DifferenceRow(
        "step", "added", "CreateModel", "Model", a="–", b="Succeeded, 50 s")
    assert steps[("Report", "Processing")].change == "removed"
    assert steps[("Report", "Processing")].b == "–"
    assert edges[("Evaluate -> CreateModel", "dependsOn")].change == "added"
    assert edges[("Evaluate -> Report", "dependsOn")].change == "removed"
    assert ("Train -> Evaluate", "dependsOn") not in edges  # the graph shows what stayed


def test_a_metric_delta_with_both_values(comparison: dict[str, Any]) -> None:
    row = rows_of(comparison, "metric")[("Evaluate", "validation:auc")]

    assert (row.change, row.a, row.b, row.delta, row.relative) == (
        "changed", "0.81", "0.63", "-0.18", "-22.2%")


def test_what_each_run_says_of_a_step_of_both(comparison: dict[str, Any]) -> None:
    evaluate = {row.kind: row for row in difference_rows(comparison)
                if row.subject == "Evaluate"}
    preprocess = {row.kind: row for row in difference_rows(comparison)
                  if row.subject == "Preprocess"}
    train = {row.kind: row for row in difference_rows(comparison) if row.subject == "Train"}

    assert (evaluate["status"].change, evaluate["status"].a, evaluate["status"].b) == (
        "changed", "Succeeded", "Failed")
    assert (evaluate["failureReason"].a, evaluate["failureReason"].b) == ("–", HOSTILE_REASON)
    assert (preprocess["cacheHit"].change, preprocess["cacheHit"].b) == ("changed", "yes")
    assert (train["argument"].item, train["argument"].a, train["argument"].b) == (
        "HyperParameters.eta", '"0.2"', '"0.3"')
    duration = train["duration"]
    assert (duration.change, duration.a, duration.b, duration.delta, duration.relative) == (
        "changed", "15 min 0 s", "20 min 0 s", "+5 min 0 s", "+33.3%")
    assert preprocess["duration"].change == "same"  # 50 s both times
    assert preprocess["duration"].delta == "0 s"


def test_parameters_that_differ(comparison: dict[str, Any]) -> None:
    row = rows_of(comparison, "parameter")[("Threshold", "")]

    assert (row.change, row.a, row.b) == ("changed", "0.75", "0.7")


def test_differences_only_hides_the_same_rows(comparison: dict[str, Any]) -> None:
    every: Any = differences_table(comparison)
    only: Any = differences_table(comparison, only_differences=True)

    def rows(table: html.Table) -> list[html.Tr]:
        return [c for c in components(table) if isinstance(c, html.Tr)
                and hasattr(c, "data-change")]

    assert every.id == only.id == COMPARE_TABLE
    assert getattr(only, "data-only-differences") == "true"
    changes = [getattr(row, "data-change") for row in rows(every)]
    assert "same" in changes
    assert len(rows(only)) == len(changes) - changes.count("same")
    assert {getattr(row, "data-change") for row in rows(only)} == {"added", "removed", "changed"}
    added = next(row for row in rows(only) if getattr(row, "data-kind") == "step"
                 and getattr(row, "data-change") == "added")
    assert getattr(added, "data-subject") == "CreateModel"
    assert strings(added)[:4] == ["+ added", "step", "CreateModel", "Model"]
    header = [c for c in components(every) if isinstance(c, html.Th)]
    assert [h.children for h in header][4:6] == [f"a: {OLDER}", f"b: {NEWER}"]


def test_two_runs_alike_have_no_differences() -> None:
    same = comparison_of(side(newer=False), side(newer=False))

    table = differences_table(same, only_differences=True)

    assert strings(table)[-1] == "No differences."
    assert all(row.change == "same" for row in difference_rows(same))


def test_many_changed_keys_say_how_many_are_not_listed() -> None:
    many = comparison_of(side(newer=False, keys=MAX_KEY_CHANGES + 5),
                         side(newer=True, keys=MAX_KEY_CHANGES + 5))

    arguments = [row for row in difference_rows(many) if row.kind == "argument"]

    assert len(arguments) == MAX_KEY_CHANGES + 1
    assert arguments[-1].item == "5 more key paths not listed"


def test_definitions_that_differ_only_where_nothing_is_compared() -> None:
    older, newer = side(newer=False), side(newer=False)
    changed = json.loads(json.dumps(newer.definition))
    changed["Steps"][0]["CacheConfig"] = {"Enabled": True, "ExpireAfter": "P30D"}

    rows = difference_rows(comparison_of(older, ExecutionSide(newer.document, changed)))

    assert [(row.kind, row.change) for row in rows if row.change != "same"] == [
        ("definition", "changed")]


def test_the_summary_names_both_runs_and_the_counts(comparison: dict[str, Any]) -> None:
    summary: Any = compare_summary(comparison)

    assert summary.id == COMPARE_SUMMARY
    assert strings(summary) == [
        f"a (base): {OLDER}, Succeeded, started 2025-03-01 07:00:00 UTC",
        f"b (compared): {NEWER}, Failed, started 2025-03-01 07:00:00 UTC",
        "steps: 1 added, 1 removed, 3 changed, 0 same; edges: 1 added, 1 removed, 0 changed, "
        "2 same",
        "the definitions differ; the parameters differ",
    ]


# -- untrusted strings ---------------------------------------------------------------------


def test_hostile_strings_are_text_children_never_markup() -> None:
    hostile = comparison_of(
        side(newer=False, parameters={"Threshold": HOSTILE_VALUE}),
        side(newer=True, parameters={"Threshold": "0.7\u202e"}),
    )

    table = differences_table(hostile)
    texts = strings(table)

    assert HOSTILE_REASON in texts  # a string child: React escapes it
    assert HOSTILE_VALUE in texts
    assert "0.7\\u202e" in texts  # the hidden character shown as its escape
    assert not any("\u202e" in text for text in texts)
    kinds = {type(c).__name__ for c in components(table)}
    assert kinds <= {"Table", "Thead", "Tbody", "Tr", "Th", "Td"}
    assert not any(hasattr(c, "href") or hasattr(c, "dangerously_allow_html")
                   for c in components(table))


# -- schema drift (ENABLE_SCHEMA=true) -------------------------------------------------------

DATASET = "s3://data/mlops-pipeline/{execution}/Preprocess/validation/validation.parquet"
OLD_COLUMNS = DatasetSchema("parquet", (Column("customer_id", "integer"),
                                        Column("tenure", "integer"),
                                        Column("monthly_charges", "integer")))
NEW_COLUMNS = DatasetSchema("parquet", (Column("customer_id", "integer"),
                                        Column("tenure_months", "integer"),
                                        Column("monthly_charges", "number"),
                                        Column("contract", "string")))


def with_drift(*drifts: SchemaDrift) -> dict[str, Any]:
    """The comparison with the engine's own schemaDrift entries (strict JSON, as served)."""
    answer: dict[str, Any] = json.loads(json.dumps(
        {**comparison_of(), "schemaDrift": [drift.to_dict() for drift in drifts]}))
    return answer


def drifted(a: DatasetSchema = OLD_COLUMNS, b: DatasetSchema = NEW_COLUMNS,
            dataset: str = DATASET) -> SchemaDrift:
    return schema_drift(dataset, dataset.replace("{execution}", OLDER), a,
                        dataset.replace("{execution}", NEWER), b)


def test_no_schema_drift_no_section_and_no_summary_line(comparison: dict[str, Any]) -> None:
    assert schema_drift_section(comparison) is None
    assert drift_rows(comparison) == []
    assert not any("dataset schemas" in line for line in strings(compare_summary(comparison)))


def test_each_dataset_lists_its_columns_added_removed_and_retyped() -> None:
    answer = with_drift(drifted())

    [drift] = drift_rows(answer)

    assert (drift.dataset, drift.change) == (DATASET, "changed")
    assert drift.a.endswith(f"{OLDER}/Preprocess/validation/validation.parquet")
    assert [(r.kind, r.change, r.column, r.a, r.b) for r in drift.rows] == [
        ("column", "added", "tenure_months", "–", "integer"),
        ("column", "added", "contract", "–", "string"),
        ("column", "removed", "tenure", "integer", "–"),
        ("retyped", "changed", "monthly_charges", "integer", "number"),
    ]
    section: Any = schema_drift_section(answer)
    assert section.id == COMPARE_SCHEMA_DRIFT
    rows = [c for c in components(section) if isinstance(c, html.Tr)
            and hasattr(c, "data-change")]
    retyped = next(r for r in rows if getattr(r, "data-item") == "monthly_charges")
    assert strings(retyped) == ["~ changed", "column type", "monthly_charges", "integer",
                                "number"]
    assert getattr(retyped, "data-subject") == DATASET
    assert strings(next(r for r in rows if getattr(r, "data-item") == "tenure")) == [
        "\u2212 removed", "column", "tenure", "integer", "–"]
    said = strings(section)
    assert said[:2] == ["Dataset schemas", "dataset schemas: 1 drifted, 0 the same: the "
                        "columns each dataset gained, lost or changed the type of from a to b"]
    assert DATASET in said and f"a: {drift.a} \u00b7 b: {drift.b}" in said
    assert [h.children for h in components(section) if isinstance(h, html.Th)] == [
        "Change", "What", "Column", "a", "b"]


def test_a_dataset_whose_columns_agree_says_so_and_the_summary_counts_both() -> None:
    other = "s3://data/mlops-pipeline/{execution}/Preprocess/test/"
    answer = with_drift(drifted(), drifted(NEW_COLUMNS, NEW_COLUMNS, other))

    section: Any = schema_drift_section(answer)
    blocks = {getattr(c, "data-dataset"): c for c in components(section)
              if hasattr(c, "data-dataset")}

    assert {name: getattr(block, "data-change") for name, block in blocks.items()} == {
        DATASET: "changed", other: "same"}
    assert strings(blocks[other])[-1] == "The same columns in both runs."
    assert not [c for c in components(blocks[other]) if isinstance(c, html.Table)]
    assert "dataset schemas: 1 drifted, 1 the same" in strings(compare_summary(answer))


def test_hostile_column_names_and_types_are_text() -> None:
    hostile = DatasetSchema("csv", (Column(HOSTILE_VALUE, "string"),
                                    Column("plan\u202e", "string")))
    section = schema_drift_section(with_drift(drifted(OLD_COLUMNS, hostile)))

    texts = strings(section)

    assert HOSTILE_VALUE in texts and "plan\\u202e" in texts
    assert not any("\u202e" in text for text in texts)
    kinds = {type(c).__name__ for c in components(section)}
    assert kinds <= {"Section", "Div", "H2", "H3", "Span", "P", "Table", "Thead", "Tbody",
                     "Tr", "Th", "Td"}
    assert not any(hasattr(c, "href") or hasattr(c, "dangerously_allow_html")
                   for c in components(section))
