"""A Condition node says why: each clause's operands, the values compared, the outcome."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.conditions import MAX_CLAUSES, MAX_DEPTH, MAX_EXPRESSION, MAX_TEXT
from lineage.contract import lineage_schema
from lineage.definition import parse_definition
from lineage.errors import DefinitionError
from lineage.graph import StepEnrichment, build_document
from lineage.models import ConditionResult, PipelineInfo, RunInfo

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
REPORT_PATH = "regression_metrics.mse.value"


def check(*conditions: Any, name: str = "Check") -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "Condition",
        "Arguments": {"Conditions": list(conditions), "IfSteps": [], "ElseSteps": []},
    }


def evaluate(name: str = "Evaluate") -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "ProcessingOutputConfig": {
                "Outputs": [{"OutputName": "evaluation", "S3Output": {"S3Uri": "s3://b/eval"}}]
            }
        },
        "PropertyFiles": [
            {
                "PropertyFileName": "EvaluationReport",
                "OutputName": "evaluation",
                "FilePath": "evaluation.json",
            }
        ],
    }


def json_get(path: str = REPORT_PATH, step: str = "Evaluate", file: str = "EvaluationReport"
             ) -> dict[str, Any]:
    return {
        "Std:JsonGet": {"PropertyFile": {"Get": f"Steps.{step}.PropertyFiles.{file}"},
                        "Path": path}
    }


def compare(kind: str, left: Any, right: Any) -> dict[str, Any]:
    return {"Type": kind, "LeftValue": left, "RightValue": right}


def rendered(
    steps: list[dict[str, Any]],
    *,
    declared: list[dict[str, Any]] | None = None,
    parameters: dict[str, str] | None = None,
    enrichments: dict[str, StepEnrichment] | None = None,
    execution: dict[str, str] | None = None,
) -> dict[str, Any]:
    parsed = parse_definition(
        {"Parameters": declared or [], "Steps": steps}, parameters=parameters, execution=execution
    )
    document = build_document(
        parsed, pipeline=PipelineInfo(name="p"), enrichments=enrichments, generated_at=NOW
    ).to_dict()
    jsonschema.validate(document, lineage_schema())
    return document


def condition_of(document: dict[str, Any], name: str = "Check") -> dict[str, Any]:
    node = next(n for n in document["graph"]["nodes"] if n["id"] == name)
    condition: dict[str, Any] = node["condition"]
    return condition


def clauses(steps: list[dict[str, Any]], **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = condition_of(rendered(steps, **kwargs))["conditions"]
    return found


def ran(metrics: dict[str, float]) -> StepEnrichment:
    return StepEnrichment(run=RunInfo(status="Succeeded", metrics=metrics))


@pytest.mark.parametrize(
    ("kind", "operator"),
    [
        ("Equals", "=="),
        ("GreaterThan", ">"),
        ("GreaterThanOrEqualTo", ">="),
        ("LessThan", "<"),
        ("LessThanOrEqualTo", "<="),
    ],
)
def test_each_comparison_with_literals(kind: str, operator: str) -> None:
    assert clauses([check(compare(kind, 3, 6.0))]) == [
        {
            "type": kind,
            "operator": operator,
            "expression": f"3 {operator} 6.0",
            "left": "3",
            "right": "6.0",
            "leftValue": 3,
            "rightValue": 6.0,
        }
    ]


def test_literals_are_json_strings_quoted() -> None:
    (clause,) = clauses([check(compare("Equals", "approved", True))])
    assert (clause["left"], clause["right"]) == ('"approved"', "true")
    assert (clause["leftValue"], clause["rightValue"]) == ("approved", True)
    assert clause["expression"] == '"approved" == true'


def test_in_lists_its_values() -> None:
    declared = [{"Name": "Region", "Type": "String", "DefaultValue": "eu"}]
    entry = {
        "Type": "In",
        "QueryValue": {"Get": "Parameters.Region"},
        "Values": ["us", "eu", {"Get": "Parameters.Unset"}],
    }
    assert clauses([check(entry)], declared=declared) == [
        {
            "type": "In",
            "operator": "in",
            "expression": 'Parameters.Region in ["us", "eu", Parameters.Unset]',
            "left": "Parameters.Region",
            "right": '["us", "eu", Parameters.Unset]',
            "leftValue": "eu",
            "rightValue": ["us", "eu", None],
        }
    ]


def test_not_and_or_nest_their_clauses() -> None:
    entry = {
        "Type": "Not",
        "Expression": {
            "Type": "Or",
            "Conditions": [compare("Equals", 1, 2), compare("LessThan", 3, 4)],
        },
    }
    clause, after = clauses([check(entry, compare("GreaterThan", 5, 1))])
    assert after["expression"] == "5 > 1"
    assert clause["type"] == "Not" and clause["operator"] == "not"
    assert clause["expression"] == "not ((1 == 2) or (3 < 4))"
    assert "left" not in clause and "leftValue" not in clause
    (inner,) = clause["conditions"]
    assert inner["type"] == "Or" and inner["operator"] == "or"
    assert [c["expression"] for c in inner["conditions"]] == ["1 == 2", "3 < 4"]
    assert [c["leftValue"] for c in inner["conditions"]] == [1, 3]


def test_every_entry_is_a_clause_in_order() -> None:
    found = clauses([check(compare("Equals", 1, 1), compare("LessThan", 2, 3))])
    assert [c["expression"] for c in found] == ["1 == 1", "2 < 3"]


def test_json_get_names_the_file_its_path_and_step_and_takes_the_reports_number() -> None:
    steps = [evaluate(), check(compare("LessThanOrEqualTo", json_get(), 6.0))]
    (clause,) = clauses(steps, enrichments={"Evaluate": ran({REPORT_PATH: 4.2})})
    assert clause["left"] == "evaluation.json regression_metrics.mse.value (Evaluate)"
    assert clause["expression"] == (
        "evaluation.json regression_metrics.mse.value (Evaluate) <= 6.0"
    )
    assert (clause["leftValue"], clause["rightValue"]) == (4.2, 6.0)


@pytest.mark.parametrize(
    "enrichments",
    [
        None,  # no execution: a render
        {"Evaluate": StepEnrichment()},  # did not run
        {"Evaluate": ran({"regression_metrics.mae.value": 1.0})},  # the report lacks the path
    ],
    ids=["no-execution", "no-run", "other-path"],
)
def test_json_get_without_the_reports_number_is_null(
    enrichments: dict[str, StepEnrichment] | None,
) -> None:
    steps = [evaluate(), check(compare("LessThanOrEqualTo", json_get(), 6.0))]
    (clause,) = clauses(steps, enrichments=enrichments)
    assert clause["left"] == "evaluation.json regression_metrics.mse.value (Evaluate)"
    assert clause["leftValue"] is None and clause["rightValue"] == 6.0


def test_json_get_of_a_file_the_step_does_not_declare() -> None:
    steps = [evaluate(), check(compare("Equals", json_get(file="Other"), 1))]
    (clause,) = clauses(steps, enrichments={"Evaluate": ran({REPORT_PATH: 4.2})})
    assert clause["left"] == "Other regression_metrics.mse.value (Evaluate)"
    assert clause["leftValue"] is None  # no such report was read


@pytest.mark.parametrize(
    ("declared_type", "given", "expected"),
    [
        ("Float", "0.8", 0.8),
        ("Float", "not a number", "not a number"),
        ("Integer", "3", 3),
        ("Boolean", "True", True),
        ("Boolean", "false", False),
        ("String", "0.8", "0.8"),
        (None, "0.8", "0.8"),
    ],
)
def test_a_parameter_is_the_executions_value_typed_as_declared(
    declared_type: str | None, given: str, expected: Any
) -> None:
    parameter: dict[str, Any] = {"Name": "T", "DefaultValue": 0.5}
    if declared_type is not None:
        parameter["Type"] = declared_type
    steps = [check(compare("GreaterThanOrEqualTo", 1, {"Get": "Parameters.T"}))]
    (clause,) = clauses(steps, declared=[parameter], parameters={"T": given})
    assert clause["right"] == "Parameters.T"
    assert clause["rightValue"] == expected


def test_a_parameter_without_execution_is_its_default_or_null() -> None:
    declared = [{"Name": "T", "Type": "Float", "DefaultValue": 0.5}, {"Name": "U", "Type": "Float"}]
    steps = [check(compare("LessThan", {"Get": "Parameters.U"}, {"Get": "Parameters.T"}))]
    (clause,) = clauses(steps, declared=declared)
    assert (clause["leftValue"], clause["rightValue"]) == (None, 0.5)
    assert clause["expression"] == "Parameters.U < Parameters.T"


def test_a_training_metric_comes_from_the_run() -> None:
    train = {"Name": "Train", "Type": "Training", "Arguments": {}}
    metric = {"Get": "Steps.Train.FinalMetricDataList['validation:auc'].Value"}
    steps = [train, check(compare("GreaterThan", metric, 0.7))]
    (clause,) = clauses(steps, enrichments={"Train": ran({"validation:auc": 0.81})})
    assert clause["left"] == "Steps.Train.FinalMetricDataList['validation:auc'].Value"
    assert clause["leftValue"] == 0.81
    (unknown,) = clauses(steps)
    assert unknown["leftValue"] is None


def test_execution_variables_steps_properties_and_joins() -> None:
    steps = [
        evaluate(),
        check(
            compare("Equals", {"Get": "Execution.PipelineExecutionId"}, "e1"),
            compare(
                "Equals",
                {"Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation']"
                        ".S3Output.S3Uri"},
                {"Std:Join": {"On": "/", "Values": ["s3://b", {"Get": "Parameters.P"}]}},
            ),
            compare("Equals", {"Get": "Steps.Evaluate.ProcessingJobName"}, "x"),
        ),
    ]
    declared = [{"Name": "P", "Type": "String", "DefaultValue": "eval"}]
    run, prop, job = clauses(steps, declared=declared, execution={"PipelineExecutionId": "e1"})
    assert (run["left"], run["leftValue"]) == ("Execution.PipelineExecutionId", "e1")
    assert prop["leftValue"] == "s3://b/eval"  # the definition tells it
    assert prop["right"] == 'join("/", ["s3://b", Parameters.P])'
    assert prop["rightValue"] == "s3://b/eval"
    assert job["leftValue"] is None  # only the run knows a job's name
    (unknown, _, _) = clauses(steps, declared=declared)
    assert unknown["leftValue"] is None


def test_a_condition_node_always_has_its_condition_and_the_run_gives_the_outcome() -> None:
    steps = [evaluate(), check(compare("Equals", 1, 1))]
    plain = rendered(steps)
    assert condition_of(plain)["outcome"] is None
    assert "condition" not in plain["graph"]["nodes"][0]  # not a Condition
    outcome = StepEnrichment(run=RunInfo(status="Succeeded"), condition=ConditionResult(False))
    document = rendered(steps, enrichments={"Check": outcome})
    assert condition_of(document)["outcome"] is False
    assert condition_of(document)["conditions"][0]["expression"] == "1 == 1"


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([{"Type": "Teleport", "To": "Mars"}], [
            {"type": "Teleport", "operator": None, "expression": "Teleport(?)"}]),
        ([42], [{"type": "Unknown", "operator": None, "expression": "Unknown(?)"}]),
        ([{"Type": "Not"}], [
            {"type": "Not", "operator": "not", "expression": "not (?)", "conditions": []}]),
        ([{"Type": "Or", "Conditions": "x"}], [
            {"type": "Or", "operator": "or", "expression": "or()", "conditions": []}]),
        ([{"Type": "Equals"}], [
            {"type": "Equals", "operator": "==", "expression": "null == null", "left": "null",
             "right": "null", "leftValue": None, "rightValue": None}]),
        ([{"Type": "In", "QueryValue": 1, "Values": "x"}], [
            {"type": "In", "operator": "in", "expression": "1 in ?", "left": "1", "right": "?",
             "leftValue": 1, "rightValue": []}]),
        ({"Type": "Equals"}, []),
        (None, []),
    ],
    ids=["unknown-type", "not-an-object", "empty-not", "or-without-list", "no-operands",
         "in-without-list", "not-a-list", "absent"],
)
def test_what_cannot_be_read_is_said_not_raised(conditions: Any, expected: Any) -> None:
    step = {"Name": "Check", "Type": "Condition", "Arguments": {"Conditions": conditions}}
    assert clauses([step]) == expected


# -- hostile definitions: bounded in time and size, never an error -----------------------------


def walk(clause: dict[str, Any], depth: int = 1) -> list[tuple[dict[str, Any], int]]:
    found = [(clause, depth)]
    for inner in clause.get("conditions", []):
        found.extend(walk(inner, depth + 1))
    return found


def bounded_clauses(conditions: Any, seconds: float = 5) -> list[tuple[dict[str, Any], int]]:
    started = time.monotonic()
    step = {"Name": "Check", "Type": "Condition", "Arguments": {"Conditions": conditions}}
    found = [pair for clause in clauses([step]) for pair in walk(clause)]
    assert time.monotonic() - started < seconds
    assert len(found) <= MAX_CLAUSES
    for clause, depth in found:
        assert depth <= MAX_DEPTH + 1
        assert len(clause["expression"]) <= MAX_EXPRESSION
        for key in ("left", "right"):
            assert len(clause.get(key, "")) <= MAX_TEXT
        for key in ("leftValue", "rightValue"):
            assert len(json.dumps(clause.get(key))) <= 4 * MAX_TEXT
    return found


def test_five_thousand_nested_nots() -> None:
    # As deep as tests/reliability's nested arguments: the other walks of a step's body
    # (its S3 locations, its references) cost depth squared; this one costs MAX_DEPTH.
    entry: Any = compare("Equals", 1, 2)
    for _ in range(5_000):
        entry = {"Type": "Not", "Expression": entry}
    found = bounded_clauses([entry])
    assert len(found) == MAX_DEPTH + 1
    assert found[-1][0]["expression"].endswith("(…)")


def test_a_hundred_thousand_alternatives() -> None:
    entry = {"Type": "Or", "Conditions": [compare("Equals", i, i) for i in range(100_000)]}
    found = bounded_clauses([entry, *[compare("Equals", 1, 1)] * 1_000])
    assert len(found) == MAX_CLAUSES
    assert found[0][0]["expression"].endswith("…")


def test_references_in_a_cycle_are_unknown_values() -> None:
    def writer(name: str, reads: str) -> dict[str, Any]:
        uri = {"Get": f"Steps.{reads}.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}
        outputs = [{"OutputName": "o", "S3Output": {"S3Uri": uri}}]
        return {"Name": name, "Type": "Processing",
                "Arguments": {"ProcessingOutputConfig": {"Outputs": outputs}}}

    cyclic = {"Get": "Steps.A.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}
    steps = [writer("A", "B"), writer("B", "A"),
             check(compare("Equals", cyclic, {"Get": "Steps.Check.Arguments"}))]
    started = time.monotonic()
    (clause,) = clauses(steps)
    assert time.monotonic() - started < 5
    assert (clause["leftValue"], clause["rightValue"]) == (None, None)


def test_huge_strings_and_deep_operands_are_cut() -> None:
    big = "x" * 5_000_000
    deep: Any = "s3://b/k"
    for _ in range(5_000):
        deep = {"Std:Join": {"On": "/", "Values": [deep, big]}}
    many = {"Std:Join": {"On": "/", "Values": ["y"] * 100_000}}
    found = bounded_clauses([
        compare("Equals", big, {"Get": "Parameters." + big}),
        compare("Equals", deep, many),
        {"Type": "In", "QueryValue": big, "Values": [big] * 100_000},
        {"Type": big},
    ], seconds=10)
    assert found[0][0]["leftValue"] == "x" * (MAX_TEXT - 1) + "…"


@pytest.mark.parametrize("depth", [500, 50_000])
def test_nested_nots_as_text_parse_or_are_a_definition_error(depth: int) -> None:
    nested = '{"Type": "Not", "Expression": ' * depth + '{"Type": "Equals"}' + "}" * depth
    text = (
        '{"Steps": [{"Name": "C", "Type": "Condition", "Arguments": {"Conditions": ['
        + nested
        + "]}}]}"
    )
    started = time.monotonic()
    try:
        parsed = parse_definition(text)
    except DefinitionError:
        assert depth > 500
    else:
        document = build_document(parsed, pipeline=PipelineInfo(name="p"), generated_at=NOW)
        json.dumps(document.to_dict())
    assert time.monotonic() - started < 5


CONDITION_TYPES = st.sampled_from(
    ["Equals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo", "In",
     "Not", "Or", "Teleport", ""]
)
OPERANDS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
    st.builds(lambda p: {"Get": p}, st.sampled_from(
        ["Parameters.T", "Parameters.", "Steps.E.X", "Steps.E.PropertyFiles.R", "Execution.X",
         "Steps.E.FinalMetricDataList['m'].Value", "Nowhere"])),
    st.builds(lambda f, p: {"Std:JsonGet": {"PropertyFile": f, "Path": p}},
              st.one_of(st.none(), st.builds(lambda n: {"Get": f"Steps.E.PropertyFiles.{n}"},
                                             st.sampled_from(["R", "S"]))),
              st.one_of(st.text(max_size=6), st.integers())),
)
CLAUSES = st.recursive(
    st.fixed_dictionaries(
        {"Type": CONDITION_TYPES},
        optional={"LeftValue": OPERANDS, "RightValue": OPERANDS, "QueryValue": OPERANDS,
                  "Values": st.one_of(st.lists(OPERANDS, max_size=3), OPERANDS)},
    ),
    lambda inner: st.fixed_dictionaries(
        {"Type": CONDITION_TYPES},
        optional={"Expression": inner, "Conditions": st.one_of(st.lists(inner, max_size=3),
                                                               OPERANDS)},
    ),
    max_leaves=12,
)


FINITE = st.floats(allow_nan=False, allow_infinity=False)


@given(st.lists(CLAUSES, max_size=4), st.dictionaries(st.text(max_size=4), FINITE))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_any_conditions_explain_within_the_schema(
    conditions: list[Any], metrics: dict[str, float]
) -> None:
    producer = {**evaluate("E"), "PropertyFiles": [
        {"PropertyFileName": "R", "OutputName": "evaluation", "FilePath": "r.json"}]}
    steps = [producer, check(*conditions)]
    declared = [{"Name": "T", "Type": "Float", "DefaultValue": 1.5}]
    document = rendered(steps, declared=declared, enrichments={"E": ran(metrics)})
    json.dumps(document, allow_nan=False)
    top = condition_of(document)["conditions"]
    assert len(top) <= len(conditions)
    assert sum(len(walk(clause)) for clause in top) <= MAX_CLAUSES
