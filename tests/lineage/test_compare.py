"""lineage.compare: two executions of one real definition (tests/fixtures/definitions/13_*),
their documents built by lineage.graph as the service builds them, each change made on a copy."""

from __future__ import annotations

import copy
import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lineage.compare import (
    MAX_KEY_CHANGES,
    MAX_VALUE_CHARS,
    Comparison,
    ExecutionSide,
    compare_executions,
)
from lineage.definition import parse_definition
from lineage.errors import InvalidParameter
from lineage.graph import StepEnrichment, build_document
from lineage.models import ExecutionInfo, IORef, PipelineInfo, RunInfo
from lineage.render import render_definition
from tests.helpers import load_fixture

ABALONE = "definitions/13_rstudio-r-abalone-condition.json"
BUCKET = "s3://sagemaker-eu-west-1-940823527478"
ACCOUNT = "940823527478"
PIPELINE = PipelineInfo(
    name="abalone",
    arn=f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:pipeline/abalone",
    region="eu-west-1",
)
INPUT_DATA = f"{BUCKET}/pipeline-example/data/abalone_data.csv"
# SageMaker's execution ids: 12 lower-case letters and digits (its job names carry them).
EXEC_A, EXEC_B = "k3v9q2m7x1pa", "d8n4t6w2r5ub"
STARTED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
TOP_LEVEL = ("ProcessingStep", "TrainingStep", "EvaluateModel", "rmseConditional")
ALL_STEPS = sorted((*TOP_LEVEL, "RegisterModelStep"))
JOB_KINDS = {
    "ProcessingStep": "processing-job",
    "TrainingStep": "training-job",
    "EvaluateModel": "processing-job",
}


def abalone() -> dict[str, Any]:
    definition: dict[str, Any] = load_fixture(ABALONE)
    return definition


def job_name(execution_id: str, step: str) -> str:
    return f"pipelines-{execution_id}-{step}-a1b2c3d4e5"


def runs_of(execution_id: str, *, elapsed: int = 100) -> dict[str, RunInfo]:
    """Every step succeeded, each job named as SageMaker names a pipeline's jobs."""
    runs = {}
    for i, name in enumerate((*TOP_LEVEL, "RegisterModelStep")):
        kind = JOB_KINDS.get(name)
        runs[name] = RunInfo(
            status="Succeeded",
            start_time=STARTED + timedelta(minutes=i),
            end_time=STARTED + timedelta(minutes=i, seconds=elapsed),
            elapsed_sec=elapsed + i,
            job_arn=(
                f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:{kind}/{job_name(execution_id, name)}"
                if kind
                else None
            ),
        )
    runs["TrainingStep"] = replace(runs["TrainingStep"], metrics={"validation:rmse": 2.0})
    runs["EvaluateModel"] = replace(
        runs["EvaluateModel"], metrics={"regression_metrics.rmse.value": 2.2}
    )
    return runs


def outputs_of(execution_id: str) -> dict[str, tuple[IORef, ...]]:
    """What the jobs' Describe* answers give: URIs holding the run's own job name and id."""
    return {
        "TrainingStep": (
            IORef(
                "model_artifacts",
                f"{BUCKET}/pipeline-example/training_output/"
                f"{job_name(execution_id, 'TrainingStep')}/output/model.tar.gz",
            ),
        ),
        "EvaluateModel": (IORef("evaluation", f"{BUCKET}/abalone/{execution_id}/evaluation"),),
    }


def side(
    definition: dict[str, Any] | str,
    execution_id: str,
    *,
    runs: dict[str, RunInfo] | None = None,
    outputs: dict[str, tuple[IORef, ...]] | None = None,
    parameters: dict[str, str] | None = None,
    pipeline: PipelineInfo = PIPELINE,
    status: str = "Succeeded",
) -> ExecutionSide:
    """An execution's document (JSON) built by lineage.graph, and the definition it ran."""
    parameters = {"InputData": INPUT_DATA} if parameters is None else parameters
    runs = runs_of(execution_id) if runs is None else runs
    outputs = outputs_of(execution_id) if outputs is None else outputs
    document = build_document(
        parse_definition(definition, parameters=parameters),
        pipeline=pipeline,
        execution=ExecutionInfo(
            arn=f"{pipeline.arn}/execution/{execution_id}",
            id=execution_id,
            status=status,
            start_time=STARTED,
            parameters=parameters,
        ),
        enrichments={
            name: StepEnrichment(run=runs.get(name), outputs=outputs.get(name))
            for name in {*runs, *outputs}
        },
        generated_at=STARTED,
    )
    return ExecutionSide(document.to_dict(), definition)


def compare(a: ExecutionSide, b: ExecutionSide) -> tuple[Comparison, dict[str, Any]]:
    comparison = compare_executions(a, b)
    answer = comparison.to_dict()
    # What GET /compare will send: strict JSON, no NaN or Infinity.
    assert json.loads(json.dumps(answer, allow_nan=False)) == answer
    return comparison, answer


def step_json(answer: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [step for step in answer["steps"] if step["name"] == name]
    assert len(found) == 1
    return found[0]


def changes(answer: dict[str, Any], kind: str) -> dict[str, str]:
    """Step name -> its change class, or edge "from>to>via" -> its change class."""
    if kind == "steps":
        return {step["name"]: step["change"] for step in answer["steps"]}
    return {f"{e['from']}>{e['to']}>{e['via']}": e["change"] for e in answer["edges"]}


def counts(**given: int) -> dict[str, int]:
    return {"added": 0, "removed": 0, "changed": 0, "same": 0, **given}


# -- identical runs ----------------------------------------------------------------------


def test_two_runs_of_one_definition_are_the_same_everywhere() -> None:
    a = side(abalone(), EXEC_A, runs=runs_of(EXEC_A, elapsed=100))
    b = side(abalone(), EXEC_B, runs=runs_of(EXEC_B, elapsed=130))

    comparison, answer = compare(a, b)

    assert answer["pipeline"] == {"name": "abalone", "region": "eu-west-1"}
    assert answer["summary"] == {
        "a": {
            "arn": f"{PIPELINE.arn}/execution/{EXEC_A}",
            "id": EXEC_A,
            "status": "Succeeded",
            "startTime": "2024-05-01T12:00:00Z",
        },
        "b": {
            "arn": f"{PIPELINE.arn}/execution/{EXEC_B}",
            "id": EXEC_B,
            "status": "Succeeded",
            "startTime": "2024-05-01T12:00:00Z",
        },
        "definitionsDiffer": False,
        "parametersDiffer": False,
        "steps": counts(same=5),
        "edges": counts(same=7),
    }
    assert [step["name"] for step in answer["steps"]] == ALL_STEPS
    assert all(step["differences"] == [] for step in answer["steps"])
    assert answer["definition"] == {
        "differ": False,
        "stepsAdded": [],
        "stepsRemoved": [],
        "stepsChanged": [],
        "edgesAdded": [],
        "edgesRemoved": [],
        "outsideSteps": {"changes": [], "total": 0, "truncated": False},
    }
    assert answer["parameters"] == [
        {"name": "InputData", "change": "same", "a": INPUT_DATA, "b": INPUT_DATA}
    ]
    assert answer["warnings"] == []
    # Durations always differ; they are given, but do not make a step "changed".
    assert comparison.step("TrainingStep").elapsed_delta_sec == 30
    # The model lies under each run's own job name: the same place, told apart.
    outputs = step_json(answer, "TrainingStep")["outputs"]
    (model,) = [ref for ref in outputs if ref["name"] == "model_artifacts"]
    assert model["change"] == "same"
    assert model["perRunOnly"] is True
    assert model["a"] != model["b"]


def test_a_run_compared_with_itself_has_no_difference_at_all() -> None:
    a = side(abalone(), EXEC_A)

    _, answer = compare(a, a)

    assert set(changes(answer, "steps").values()) == {"same"}
    assert set(changes(answer, "edges").values()) == {"same"}
    for step in answer["steps"]:
        assert all(not ref["perRunOnly"] for ref in step["inputs"] + step["outputs"])
        assert all(metric["delta"] in (0, None) for metric in step["metrics"])
    assert step_json(answer, "TrainingStep")["elapsedDeltaSec"] == 0


def test_definition_text_and_decoded_definition_compare_alike() -> None:
    text = json.dumps(abalone())
    changed = abalone()
    changed["Steps"][0]["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = 2

    from_text = compare_executions(side(text, EXEC_A), side(json.dumps(changed), EXEC_B))
    from_dicts = compare_executions(side(abalone(), EXEC_A), side(changed, EXEC_B))

    assert from_text.to_dict() == from_dicts.to_dict()
    assert from_text.definition.steps_changed == ("ProcessingStep",)


# -- definition changes ---------------------------------------------------------------------


def explain_step() -> dict[str, Any]:
    return {
        "Name": "ExplainModel",
        "Type": "Processing",
        "DependsOn": ["EvaluateModel"],
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1}
            },
            "ProcessingInputs": [
                {
                    "InputName": "model",
                    "S3Input": {
                        "S3Uri": {"Get": "Steps.TrainingStep.ModelArtifacts.S3ModelArtifacts"}
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {"OutputName": "shap", "S3Output": {"S3Uri": f"{BUCKET}/abalone/explain"}}
                ]
            },
        },
    }


def test_an_added_step_and_its_edges() -> None:
    newer = abalone()
    newer["Steps"].append(explain_step())
    runs = runs_of(EXEC_B)
    runs["ExplainModel"] = RunInfo(status="Succeeded", elapsed_sec=40, metrics={"shap:max": 0.4})

    comparison, answer = compare(side(abalone(), EXEC_A), side(newer, EXEC_B, runs=runs))

    assert answer["definition"]["stepsAdded"] == ["ExplainModel"]
    assert answer["definition"]["stepsRemoved"] == []
    assert answer["definition"]["edgesAdded"] == [
        {"from": "EvaluateModel", "to": "ExplainModel", "via": "dependsOn"},
        {
            "from": "TrainingStep",
            "to": "ExplainModel",
            "via": "ref:Get",
            "property": "Steps.TrainingStep.ModelArtifacts.S3ModelArtifacts",
        },
    ]
    assert answer["definition"]["differ"] is True
    explain = step_json(answer, "ExplainModel")
    assert explain["change"] == "added"
    assert explain["a"] is None
    assert explain["b"]["status"] == "Succeeded"
    assert explain["elapsedDeltaSec"] is None
    assert explain["metrics"] == [
        {
            "name": "shap:max",
            "change": "added",
            "a": None,
            "b": 0.4,
            "delta": None,
            "relativeChange": None,
        }
    ]
    assert [(ref["name"], ref["change"]) for ref in explain["outputs"]] == [("shap", "added")]
    edges = changes(answer, "edges")
    assert edges["EvaluateModel>ExplainModel>dependsOn"] == "added"
    assert edges["TrainingStep>ExplainModel>ref:Get"] == "added"
    assert edges["ProcessingStep>TrainingStep>ref:Get"] == "same"
    assert answer["summary"]["steps"] == counts(added=1, same=5)
    assert answer["summary"]["edges"] == counts(added=2, same=7)
    assert comparison.definition.steps_changed == ()


def test_a_removed_step_in_a_condition_branch() -> None:
    newer = abalone()
    condition = newer["Steps"][3]
    assert condition["Name"] == "rmseConditional"
    condition["Arguments"]["IfSteps"] = []

    _, answer = compare(side(abalone(), EXEC_A), side(newer, EXEC_B))

    assert answer["definition"]["stepsRemoved"] == ["RegisterModelStep"]
    assert [(e["from"], e["to"], e["via"]) for e in answer["definition"]["edgesRemoved"]] == [
        ("TrainingStep", "RegisterModelStep", "ref:Get"),
        ("rmseConditional", "RegisterModelStep", "condition"),
    ]
    register = step_json(answer, "RegisterModelStep")
    assert register["change"] == "removed"
    assert register["a"]["type"] == "RegisterModel"
    assert register["b"] is None
    edges = changes(answer, "edges")
    # The document's artifact edge goes with the step, though no definition names it.
    assert edges["EvaluateModel>RegisterModelStep>artifact"] == "removed"
    assert edges["rmseConditional>RegisterModelStep>condition"] == "removed"
    # The branch held a whole step, compared as a step: the Condition itself is the same.
    condition_step = step_json(answer, "rmseConditional")
    assert condition_step["change"] == "same"
    assert condition_step["arguments"]["total"] == 0
    assert answer["summary"]["steps"] == counts(removed=1, same=4)


def test_changed_arguments_name_their_exact_key_paths() -> None:
    newer = abalone()
    processing = newer["Steps"][0]["Arguments"]
    processing["ProcessingResources"]["ClusterConfig"]["InstanceType"] = "ml.m5.xlarge"
    processing["AppSpecification"]["ContainerEntrypoint"].pop()
    processing["Environment"] = {"MODE": "fast"}
    processing["ProcessingInputs"][0]["S3Input"]["S3Uri"] = INPUT_DATA  # was a Get
    del processing["RoleArn"]
    training = newer["Steps"][1]["Arguments"]
    training["StoppingCondition"]["MaxRuntimeInSeconds"] = "86400"  # a number became text
    training["ResourceConfig"]["InstanceCount"] = True  # 1 == True in Python, not in JSON
    channel = training["InputDataConfig"][0]["DataSource"]["S3DataSource"]
    channel["S3Uri"]["Get"] = channel["S3Uri"]["Get"].replace("abalone_train", "abalone_valid")

    comparison, answer = compare(side(abalone(), EXEC_A), side(newer, EXEC_B))

    processing_step = step_json(answer, "ProcessingStep")
    assert processing_step["change"] == "changed"
    assert processing_step["differences"] == ["arguments"]
    assert processing_step["arguments"] == {
        "changes": [
            {
                "path": "AppSpecification.ContainerEntrypoint[1]",
                "change": "removed",
                "a": '"/opt/ml/processing/input/code/preprocessing.R"',
                "b": None,
            },
            {"path": "Environment", "change": "added", "a": None, "b": '{"MODE":"fast"}'},
            {
                "path": "ProcessingInputs[0].S3Input.S3Uri",
                "change": "changed",
                "a": '{"Get":"Parameters.InputData"}',
                "b": json.dumps(INPUT_DATA),
            },
            {
                "path": "ProcessingResources.ClusterConfig.InstanceType",
                "change": "changed",
                "a": '"ml.m5.large"',
                "b": '"ml.m5.xlarge"',
            },
            {
                "path": "RoleArn",
                "change": "removed",
                "a": json.dumps(
                    f"arn:aws:iam::{ACCOUNT}:role/service-role/"
                    "AmazonSageMaker-ExecutionRole-20211103T140925"
                ),
                "b": None,
            },
        ],
        "total": 5,
        "truncated": False,
    }
    training_step = step_json(answer, "TrainingStep")
    # An expression is one value: the argument's path is named, not the Get inside it.
    assert [(c["path"], c["a"], c["b"]) for c in training_step["arguments"]["changes"]] == [
        (
            "InputDataConfig[0].DataSource.S3DataSource.S3Uri",
            '{"Get":"Steps.ProcessingStep.ProcessingOutputConfig.Outputs'
            "['abalone_train'].S3Output.S3Uri\"}",
            '{"Get":"Steps.ProcessingStep.ProcessingOutputConfig.Outputs'
            "['abalone_valid'].S3Output.S3Uri\"}",
        ),
        ("ResourceConfig.InstanceCount", "1", "true"),
        ("StoppingCondition.MaxRuntimeInSeconds", "86400", '"86400"'),
    ]
    assert comparison.definition.steps_changed == ("ProcessingStep", "TrainingStep")
    assert answer["summary"]["definitionsDiffer"] is True
    assert answer["summary"]["steps"] == counts(changed=2, same=3)


def test_changed_keys_are_bounded_and_indexes_sorted_as_numbers() -> None:
    older = abalone()
    newer = abalone()
    older["Steps"][0]["Arguments"]["AppSpecification"]["ContainerArguments"] = []
    newer["Steps"][0]["Arguments"]["AppSpecification"]["ContainerArguments"] = [
        f"--arg-{i}" for i in range(MAX_KEY_CHANGES + 10)
    ]
    newer["Steps"][0]["Arguments"]["Environment"] = {"LONG": "x" * 1000}

    _, answer = compare(side(older, EXEC_A), side(newer, EXEC_B))

    arguments = step_json(answer, "ProcessingStep")["arguments"]
    assert arguments["total"] == MAX_KEY_CHANGES + 11
    assert arguments["truncated"] is True
    assert [change["path"] for change in arguments["changes"]] == [
        f"AppSpecification.ContainerArguments[{i}]" for i in range(MAX_KEY_CHANGES)
    ]


def test_a_long_value_is_cut() -> None:
    newer = abalone()
    newer["Steps"][0]["Arguments"]["Environment"] = {"LONG": "x" * 1000}

    _, answer = compare(side(abalone(), EXEC_A), side(newer, EXEC_B))

    (change,) = step_json(answer, "ProcessingStep")["arguments"]["changes"]
    assert change["path"] == "Environment"
    assert len(change["b"]) == MAX_VALUE_CHARS
    assert change["b"].endswith("…")


def test_a_changed_step_type() -> None:
    newer = abalone()
    newer["Steps"][2]["Type"] = "Training"  # EvaluateModel

    comparison, answer = compare(side(abalone(), EXEC_A), side(newer, EXEC_B))

    evaluate = step_json(answer, "EvaluateModel")
    assert "type" in evaluate["differences"]
    assert (evaluate["a"]["type"], evaluate["b"]["type"]) == ("Processing", "Training")
    assert evaluate["type"] == "Training"  # the newer run's shape on the merged graph
    assert comparison.definition.steps_changed == ("EvaluateModel",)


def test_changes_beside_the_steps_are_named_too() -> None:
    newer = abalone()
    newer["Parameters"][0]["DefaultValue"] = f"{BUCKET}/pipeline-example/data/v2.csv"

    _, answer = compare(side(abalone(), EXEC_A), side(newer, EXEC_B))

    assert answer["summary"]["definitionsDiffer"] is True
    assert [change["path"] for change in answer["definition"]["outsideSteps"]["changes"]] == [
        "Parameters[0].DefaultValue"
    ]
    # The executions gave InputData themselves: no step read anything else.
    assert answer["summary"]["steps"] == counts(same=5)


# -- parameters -----------------------------------------------------------------------------


def test_parameter_differences_with_both_values() -> None:
    v2 = f"{BUCKET}/pipeline-example/data/abalone_v2.csv"
    a = side(abalone(), EXEC_A, parameters={"InputData": INPUT_DATA, "Retired": "yes"})
    b = side(abalone(), EXEC_B, parameters={"InputData": v2, "Threshold": "6.0"})

    comparison, answer = compare(a, b)

    assert answer["parameters"] == [
        {"name": "InputData", "change": "changed", "a": INPUT_DATA, "b": v2},
        {"name": "Retired", "change": "removed", "a": "yes", "b": None},
        {"name": "Threshold", "change": "added", "a": None, "b": "6.0"},
    ]
    assert comparison.parameters_differ is True
    assert answer["summary"]["definitionsDiffer"] is False
    # The step reading the parameter read another file.
    processing = step_json(answer, "ProcessingStep")
    assert processing["differences"] == ["inputs"]
    (changed,) = [ref for ref in processing["inputs"] if ref["change"] != "same"]
    assert changed == {
        "name": "input-1",
        "change": "changed",
        "a": [INPUT_DATA],
        "b": [v2],
        "perRunOnly": False,
    }


# -- runs -----------------------------------------------------------------------------------


def test_a_status_change_with_the_failure_reason() -> None:
    runs = runs_of(EXEC_B)
    runs["TrainingStep"] = replace(
        runs["TrainingStep"],
        status="Failed",
        metrics={},
        failure_reason="AlgorithmError: out of memory",
    )
    for name in ("EvaluateModel", "rmseConditional", "RegisterModelStep"):
        del runs[name]

    _, answer = compare(side(abalone(), EXEC_A), side(abalone(), EXEC_B, runs=runs))

    training = step_json(answer, "TrainingStep")
    assert training["change"] == "changed"
    assert training["differences"] == ["failureReason", "metrics", "status"]
    assert (training["a"]["status"], training["b"]["status"]) == ("Succeeded", "Failed")
    assert training["a"]["failureReason"] is None
    assert training["b"]["failureReason"] == "AlgorithmError: out of memory"
    evaluate = step_json(answer, "EvaluateModel")
    assert (evaluate["a"]["status"], evaluate["b"]["status"]) == ("Succeeded", "NotStarted")
    # A step that did not run has no cache hit to compare, and no duration.
    assert evaluate["b"]["cacheHit"] is None
    assert "cacheHit" not in evaluate["differences"]
    assert evaluate["elapsedDeltaSec"] is None
    assert changes(answer, "steps")["ProcessingStep"] == "same"


def test_a_different_failure_of_a_step_that_failed_both_times() -> None:
    def failing(execution_id: str, reason: str) -> dict[str, RunInfo]:
        runs = runs_of(execution_id)
        runs["ProcessingStep"] = replace(
            runs["ProcessingStep"], status="Failed", failure_reason=reason
        )
        return runs

    a = side(abalone(), EXEC_A, runs=failing(EXEC_A, "ClientError: no such key"))
    b = side(abalone(), EXEC_B, runs=failing(EXEC_B, "ClientError: access denied"))

    _, answer = compare(a, b)

    processing = step_json(answer, "ProcessingStep")
    assert processing["differences"] == ["failureReason"]
    assert processing["a"]["failureReason"] == "ClientError: no such key"
    assert processing["b"]["failureReason"] == "ClientError: access denied"


def test_metric_deltas_and_metrics_of_one_run_only() -> None:
    runs_a, runs_b = runs_of(EXEC_A), runs_of(EXEC_B)
    runs_a["TrainingStep"] = replace(
        runs_a["TrainingStep"], metrics={"validation:rmse": 2.0, "train:old": 1.0}
    )
    runs_b["TrainingStep"] = replace(
        runs_b["TrainingStep"], metrics={"validation:rmse": 1.5, "train:loss": 0.3}
    )

    comparison, answer = compare(
        side(abalone(), EXEC_A, runs=runs_a), side(abalone(), EXEC_B, runs=runs_b)
    )

    training = step_json(answer, "TrainingStep")
    assert training["differences"] == ["metrics"]
    assert training["metrics"] == [
        {
            "name": "train:loss",
            "change": "added",
            "a": None,
            "b": 0.3,
            "delta": None,
            "relativeChange": None,
        },
        {
            "name": "train:old",
            "change": "removed",
            "a": 1.0,
            "b": None,
            "delta": None,
            "relativeChange": None,
        },
        {
            "name": "validation:rmse",
            "change": "changed",
            "a": 2.0,
            "b": 1.5,
            "delta": -0.5,
            "relativeChange": -0.25,
        },
    ]
    # The evaluation report's metric, the same in both runs.
    (report,) = comparison.step("EvaluateModel").metrics
    assert (report.name, report.change, report.delta) == (
        "regression_metrics.rmse.value",
        "same",
        0.0,
    )
    assert answer["summary"]["steps"] == counts(changed=1, same=4)


def test_non_finite_metrics_are_null_and_never_break_the_json() -> None:
    runs_a, runs_b = runs_of(EXEC_A), runs_of(EXEC_B)
    runs_a["TrainingStep"] = replace(
        runs_a["TrainingStep"],
        metrics={"nan": math.nan, "inf": math.inf, "huge": 1e308, "zero": 0.0},
    )
    runs_b["TrainingStep"] = replace(
        runs_b["TrainingStep"],
        metrics={"nan": 0.5, "inf": math.inf, "huge": -1e308, "zero": 1.0},
    )

    _, answer = compare(side(abalone(), EXEC_A, runs=runs_a), side(abalone(), EXEC_B, runs=runs_b))

    metrics = {m["name"]: m for m in step_json(answer, "TrainingStep")["metrics"]}
    assert metrics["nan"] == {
        "name": "nan",
        "change": "changed",
        "a": None,
        "b": 0.5,
        "delta": None,
        "relativeChange": None,
    }
    assert (metrics["inf"]["change"], metrics["inf"]["a"], metrics["inf"]["b"]) == (
        "same",
        None,
        None,
    )
    # -1e308 - 1e308 overflows to -inf: no delta rather than a non-finite one.
    assert (metrics["huge"]["delta"], metrics["huge"]["relativeChange"]) == (None, None)
    # From zero: a delta, but no relative change.
    assert (metrics["zero"]["delta"], metrics["zero"]["relativeChange"]) == (1.0, None)


def test_changed_uris_by_input_and_output_name() -> None:
    moved = f"{BUCKET}-models/abalone/{job_name(EXEC_B, 'TrainingStep')}/output/model.tar.gz"
    outputs = outputs_of(EXEC_B)
    outputs["TrainingStep"] = (IORef("model_artifacts", moved),)

    _, answer = compare(side(abalone(), EXEC_A), side(abalone(), EXEC_B, outputs=outputs))

    training = step_json(answer, "TrainingStep")
    assert training["differences"] == ["outputs"]
    (model,) = [ref for ref in training["outputs"] if ref["name"] == "model_artifacts"]
    assert model == {
        "name": "model_artifacts",
        "change": "changed",
        "a": [
            f"{BUCKET}/pipeline-example/training_output/"
            f"{job_name(EXEC_A, 'TrainingStep')}/output/model.tar.gz"
        ],
        "b": [moved],
        "perRunOnly": False,
    }
    # The steps reading the model read it from its new place.
    evaluate = step_json(answer, "EvaluateModel")
    assert evaluate["differences"] == ["inputs"]
    assert [ref["name"] for ref in evaluate["inputs"] if ref["change"] == "changed"] == ["input-1"]


def test_a_cache_hit_in_one_run_only() -> None:
    runs = runs_of(EXEC_B)
    runs["ProcessingStep"] = replace(runs["ProcessingStep"], cache_hit=True)

    _, answer = compare(side(abalone(), EXEC_A), side(abalone(), EXEC_B, runs=runs))

    processing = step_json(answer, "ProcessingStep")
    assert processing["change"] == "changed"
    assert processing["differences"] == ["cacheHit"]
    assert (processing["a"]["cacheHit"], processing["b"]["cacheHit"]) == (False, True)
    assert answer["summary"]["steps"] == counts(changed=1, same=4)


# -- pipelines and documents ------------------------------------------------------------


def test_executions_of_different_pipelines_are_refused() -> None:
    other = PipelineInfo(name="churn", arn=f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:pipeline/churn")

    with pytest.raises(InvalidParameter) as caught:
        compare_executions(side(abalone(), EXEC_A), side(abalone(), EXEC_B, pipeline=other))

    assert caught.value.http_status == 400
    assert caught.value.parameter == "b"
    assert "'abalone' and 'churn'" in caught.value.message


def test_a_pipeline_of_the_same_name_in_another_region_is_another_pipeline() -> None:
    elsewhere = PipelineInfo(
        name="abalone",
        arn=f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:pipeline/abalone",
        region="us-east-1",
    )

    with pytest.raises(InvalidParameter, match="in eu-west-1 and in us-east-1"):
        compare_executions(side(abalone(), EXEC_A), side(abalone(), EXEC_B, pipeline=elsewhere))


def test_another_account_is_refused_without_naming_it() -> None:
    elsewhere = replace(PIPELINE, arn="arn:aws:sagemaker:eu-west-1:111122223333:pipeline/abalone")

    with pytest.raises(InvalidParameter) as caught:
        compare_executions(side(abalone(), EXEC_A), side(abalone(), EXEC_B, pipeline=elsewhere))

    assert "two accounts" in caught.value.message
    assert "111122223333" not in caught.value.message


def test_rendered_documents_compare_their_definitions_only() -> None:
    newer = abalone()
    newer["Steps"].append(explain_step())
    rendered = [
        ExecutionSide(render_definition(d, name="abalone", generated_at=STARTED).to_dict(), d)
        for d in (abalone(), newer)
    ]

    _, answer = compare(*rendered)

    assert (answer["summary"]["a"], answer["summary"]["b"]) == (None, None)
    assert answer["parameters"] == []
    assert answer["definition"]["stepsAdded"] == ["ExplainModel"]
    assert step_json(answer, "TrainingStep")["a"]["status"] == "NotStarted"
    assert answer["summary"]["steps"] == counts(added=1, same=5)


def test_a_document_that_lacks_a_step_of_its_definition_is_warned_of() -> None:
    b = side(abalone(), EXEC_B)
    document = copy.deepcopy(dict(b.document))
    document["graph"]["nodes"] = [
        node for node in document["graph"]["nodes"] if node["id"] != "EvaluateModel"
    ]

    _, answer = compare(side(abalone(), EXEC_A), ExecutionSide(document, b.definition))

    assert answer["warnings"] == [
        {
            "code": "COMPARE_MISMATCH",
            "message": "document b has no node for step 'EvaluateModel'",
            "target": "EvaluateModel",
        }
    ]
    evaluate = step_json(answer, "EvaluateModel")
    assert evaluate["b"]["status"] == "NotStarted"
    assert evaluate["change"] == "changed"
