from __future__ import annotations

from typing import Any

import pytest

from lineage.expressions import (
    MAX_EXPRESSION_DEPTH,
    Evaluator,
    expression_kind,
    iter_get_paths,
    split_step_path,
)


def get(path: str) -> dict[str, Any]:
    return {"Get": path}


def join(on: str, *values: Any) -> dict[str, Any]:
    return {"Std:Join": {"On": on, "Values": list(values)}}


def test_parameter_value_default_and_placeholder() -> None:
    ev = Evaluator(parameters={"Given": "s3://b/given", "Count": 3})
    assert ev.evaluate(get("Parameters.Given")) == "s3://b/given"
    assert ev.evaluate(get("Parameters.Count")) == 3
    assert ev.evaluate(get("Parameters.Missing")) == "{Parameters.Missing}"


def test_execution_variables() -> None:
    ev = Evaluator(execution={"PipelineExecutionId": "abc123"})
    assert ev.evaluate(get("Execution.PipelineExecutionId")) == "abc123"
    assert ev.evaluate(get("Execution.PipelineName")) == "{Execution.PipelineName}"
    assert Evaluator().evaluate(get("Execution.PipelineExecutionId")) == (
        "{Execution.PipelineExecutionId}"
    )


def test_unknown_get_root_is_a_placeholder() -> None:
    assert Evaluator().evaluate(get("Properties.Foo")) == "{Properties.Foo}"


def test_step_property_from_resolver_or_placeholder() -> None:
    calls: list[tuple[str, str]] = []

    def resolve(step: str, prop: str) -> Any:
        calls.append((step, prop))
        return "s3://b/out" if prop.startswith("Out") else None

    ev = Evaluator(step_property=resolve, step_names={"A", "A-long"})
    assert ev.evaluate(get("Steps.A-long.Outputs['x'].Uri")) == "s3://b/out"
    assert ev.evaluate(get("Steps.A.TrainingJobName")) == "{Steps.A.TrainingJobName}"
    assert ev.evaluate(get("Steps.Nope.X")) == "{Steps.Nope.X}"  # not a step: no call
    assert calls == [("A-long", "Outputs['x'].Uri"), ("A", "TrainingJobName")]


def test_join_with_nested_gets_and_joins() -> None:
    ev = Evaluator(parameters={"Bucket": "my-bucket", "N": 2, "Flag": True})
    value = join(
        "/",
        "s3:/",
        get("Parameters.Bucket"),
        join("-", "run", get("Parameters.N"), get("Parameters.Flag")),
        get("Execution.PipelineExecutionId"),
    )
    assert ev.evaluate(value) == "s3://my-bucket/run-2-true/{Execution.PipelineExecutionId}"


def test_join_edge_cases() -> None:
    ev = Evaluator()
    assert ev.evaluate(join("", "a", None, 1.5)) == "a1.5"
    assert ev.evaluate({"Std:Join": {"Values": ["a", "b"]}}) == "ab"  # On defaults to ""
    assert ev.evaluate({"Std:Join": {"On": "/", "Values": "oops"}}) == "{Std:Join}"
    assert ev.evaluate({"Std:Join": "oops"}) == "{Std:Join}"


def test_json_get_is_a_placeholder() -> None:
    value = {
        "Std:JsonGet": {
            "PropertyFile": get("Steps.Eval.PropertyFiles.Report"),
            "Path": "metrics.mse.value",
        }
    }
    assert Evaluator().evaluate(value) == "{Steps.Eval.PropertyFiles.Report:metrics.mse.value}"
    assert expression_kind(value) == "Std:JsonGet"


@pytest.mark.parametrize(
    "value",
    [
        {"Get": 5},
        {"Get": "Parameters.X", "Other": 1},
        {"Std:Join": {}, "Get": "x"},
        "s3://b/k",
        ["a"],
        None,
        {},
    ],
)
def test_not_expressions_are_returned_as_they_are(value: Any) -> None:
    assert expression_kind(value) is None
    assert Evaluator().evaluate(value) == value


def test_reference_cycle_is_cut_with_a_warning() -> None:
    # A's property is B's, whose property is A's again.
    ev: Evaluator

    def resolve(step: str, prop: str) -> Any:
        other = "B" if step == "A" else "A"
        return ev.evaluate(join("/", get(f"Steps.{other}.Out"), step))

    ev = Evaluator(step_property=resolve, step_names={"A", "B"})
    assert ev.evaluate(get("Steps.A.Out")) == "{Steps.A.Out}/B/A"
    assert [w.code for w in ev.warnings] == ["REFERENCE_CYCLE"]


def test_self_reference_is_a_cycle() -> None:
    ev: Evaluator

    def resolve(step: str, prop: str) -> Any:
        return ev.evaluate(get("Steps.A.Out"))

    ev = Evaluator(step_property=resolve, step_names={"A"})
    assert ev.evaluate(get("Steps.A.Out")) == "{Steps.A.Out}"
    assert ev.warnings and ev.warnings[0].code == "REFERENCE_CYCLE"


def test_deeply_nested_joins_do_not_recurse_without_bound() -> None:
    value: Any = "x"
    for _ in range(5000):
        value = join("/", value)
    ev = Evaluator()
    result = ev.evaluate(value)
    assert result == "{Std:Join}"
    assert any(w.code == "EXPRESSION_TOO_DEEP" for w in ev.warnings)


def test_nesting_within_the_bound_is_evaluated() -> None:
    value: Any = "x"
    for _ in range(MAX_EXPRESSION_DEPTH - 1):
        value = join("", value)
    assert Evaluator().evaluate(value) == "x"


def test_split_step_path_prefers_the_longest_known_name() -> None:
    names = {"Train", "Train.v2", "Model-CreateModel"}
    assert split_step_path("Steps.Train.v2.ModelArtifacts.S3ModelArtifacts", names) == (
        "Train.v2",
        "ModelArtifacts.S3ModelArtifacts",
    )
    assert split_step_path("Steps.Train.TrainingJobName", names) == ("Train", "TrainingJobName")
    assert split_step_path("Steps.Model-CreateModel", names) == ("Model-CreateModel", "")
    assert split_step_path("Steps.Unknown[0].X", names) == ("Unknown", "[0].X")
    assert split_step_path("Parameters.X", names) is None


def test_iter_get_paths_is_iterative_and_ordered() -> None:
    tree: Any = get("Steps.Deep.X")
    for _ in range(20000):
        tree = [tree]
    assert list(iter_get_paths({"a": get("Parameters.P"), "b": tree, "c": get("Steps.C")})) == [
        "Parameters.P",
        "Steps.Deep.X",
        "Steps.C",
    ]


def test_iter_get_paths_can_skip_subtrees() -> None:
    tree = {"Keep": get("Steps.A.X"), "Skip": {"Inner": get("Steps.B.X")}}
    assert list(iter_get_paths(tree, skip=lambda path: path[0] == "Skip")) == ["Steps.A.X"]
