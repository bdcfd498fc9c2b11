from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from lineage.definition import ParsedDefinition, PropertyFile, parse_definition
from lineage.errors import DefinitionError
from lineage.models import Edge, IORef
from lineage.step_types import STEP_TYPES, io_from_describe
from tests.helpers import fixture_path, load_fixture


def get(path: str) -> dict[str, Any]:
    return {"Get": path}


def step(name: str, type_: str, arguments: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": name, "Type": type_, "Arguments": arguments or {}}
    out.update(extra)
    return out


def definition(*steps: dict[str, Any], parameters: Any = None) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": list(steps)}


def processing(inputs: dict[str, Any], outputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "ProcessingInputs": [
            {"InputName": n, "S3Input": {"S3Uri": u, "LocalPath": "/opt/ml/processing/in"}}
            for n, u in inputs.items()
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {"OutputName": n, "S3Output": {"S3Uri": u, "LocalPath": "/opt/ml/x"}}
                for n, u in outputs.items()
            ]
        },
    }


def training(channels: dict[str, Any], output_path: Any) -> dict[str, Any]:
    return {
        "InputDataConfig": [
            {"ChannelName": n, "DataSource": {"S3DataSource": {"S3Uri": u}}}
            for n, u in channels.items()
        ],
        "OutputDataConfig": {"S3OutputPath": output_path},
    }


def io(parsed: ParsedDefinition, name: str) -> tuple[dict[str, str], dict[str, str]]:
    found = parsed.step(name)
    return {r.name: r.uri for r in found.inputs}, {r.name: r.uri for r in found.outputs}


def codes(parsed: ParsedDefinition) -> list[str]:
    return [w.code for w in parsed.warnings]


# -- malformed definitions --------------------------------------------------------------------

OK_STEP = step("A", "Processing")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("not json {", "not valid JSON"),
        ("", "not valid JSON"),
        (b"\xff\xfe{", "not valid JSON"),
        ("[]", "must be a JSON object, not an array"),
        ('"text"', "must be a JSON object, not a string"),
        ("null", "must be a JSON object, not null"),
        (42, "JSON text or a mapping"),
        ({}, "has no Steps"),
        ({"Steps": {}}, "Steps must be an array, not an object"),
        ({"Steps": None}, "Steps must be an array, not null"),
        ({"Steps": ["A"]}, "Steps[0] must be an object, not a string"),
        ({"Steps": [{"Type": "Processing"}]}, "Steps[0] has no Name"),
        ({"Steps": [{"Name": "", "Type": "Processing"}]}, "Steps[0] has no Name"),
        ({"Steps": [{"Name": 7, "Type": "Processing"}]}, "Steps[0] has no Name"),
        ({"Steps": [OK_STEP, {"Name": "B"}]}, "step 'B' (Steps[1]) has no Type"),
        ({"Steps": [{"Name": "B", "Type": None}]}, "step 'B' (Steps[0]) has no Type"),
        ({"Steps": [OK_STEP, OK_STEP]}, "duplicate step name 'A' (Steps[1])"),
        (
            {"Steps": [step("A", "Condition", {"IfSteps": [step("A", "Fail")]})]},
            "duplicate step name 'A' (step 'A' IfSteps[0])",
        ),
        (
            {"Steps": [step("C", "Condition", {"ElseSteps": [{"Name": "X"}]})]},
            "step 'X' (step 'C' ElseSteps[0]) has no Type",
        ),
        ({"Steps": [step("A", "Processing", ["x"])]}, "step 'A': Arguments must be an object"),
        ({"Steps": [step("A", "Processing", "x")]}, "step 'A': Arguments must be an object"),
        (
            {"Steps": [step("A", "Processing", DependsOn="B")]},
            "step 'A': DependsOn must be an array of step names",
        ),
        (
            {"Steps": [step("A", "Processing", DependsOn=[1])]},
            "step 'A': DependsOn must be an array of step names",
        ),
        (
            {"Steps": [step("C", "Condition", {"IfSteps": {"Name": "X"}})]},
            "step 'C': IfSteps must be an array, not an object",
        ),
        ({"Parameters": {}, "Steps": []}, "Parameters must be an array"),
        ({"Parameters": [{"Type": "String"}], "Steps": []}, "Parameters[0] has no Name"),
        ({"Parameters": ["X"], "Steps": []}, "Parameters[0] must be an object"),
        (
            {"Steps": [step("A", "Processing", PropertyFiles={})]},
            "step 'A': PropertyFiles must be an array",
        ),
        (
            {"Steps": [step("A", "Processing", PropertyFiles=[{"PropertyFileName": "R"}])]},
            "step 'A': PropertyFiles[0] needs PropertyFileName, OutputName and FilePath",
        ),
    ],
)
def test_malformed_definitions_raise_definition_error(given: Any, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(given)
    assert message in caught.value.message


def test_json_text_and_mapping_give_the_same_result() -> None:
    text = fixture_path("definitions/13_rstudio-r-abalone-condition.json").read_text()
    assert parse_definition(text) == parse_definition(json.loads(text))
    assert parse_definition(text.encode()) == parse_definition(text)


def test_empty_steps_is_valid() -> None:
    parsed = parse_definition({"Steps": []})
    assert parsed.steps == () and parsed.edges == () and parsed.warnings == ()


def test_missing_or_null_optional_members_are_fine() -> None:
    parsed = parse_definition(
        {"Parameters": None, "Steps": [{"Name": "F", "Type": "Fail", "DependsOn": None}]}
    )
    assert [s.name for s in parsed.steps] == ["F"]
    assert parsed.step("F").arguments == {}
    with pytest.raises(KeyError):
        parsed.step("nope")


# -- nesting -----------------------------------------------------------------------------------


def nested_conditions(depth: int) -> dict[str, Any]:
    innermost = step("Leaf", "Fail", {"ErrorMessage": "x"})
    current = innermost
    for level in range(depth):
        current = step(f"Cond{level}", "Condition", {"Conditions": [], "IfSteps": [current]})
    return definition(current)


def test_thirty_nested_conditions() -> None:
    parsed = parse_definition(nested_conditions(30))
    assert [s.name for s in parsed.steps] == [f"Cond{i}" for i in range(29, -1, -1)] + ["Leaf"]
    assert parsed.step("Leaf").parent == "Cond0" and parsed.step("Leaf").branch == "if"
    assert parsed.step("Cond29").parent is None
    assert len([e for e in parsed.edges if e.via == "condition"]) == 30


@pytest.mark.parametrize("depth", [2000, 10000])
def test_very_deep_nesting_as_mapping_is_parsed(depth: int) -> None:
    parsed = parse_definition(nested_conditions(depth))
    assert len(parsed.steps) == depth + 1
    assert Edge("Cond0", "Leaf", "condition", branch="if") in parsed.edges


def test_very_deep_nesting_as_text_is_a_definition_error() -> None:
    assert len(parse_definition(json.dumps(nested_conditions(30))).steps) == 31
    # 2000 nested conditions are ~8000 levels of JSON, more than json.loads can decode
    # (it recurses); that must surface as a DefinitionError, not a RecursionError.
    text = '{"Steps": [' + '{"Name": "C", "Type": "Condition", "Arguments": {"IfSteps": [' * 2000
    text += "]}}" * 2000 + "]}"
    with pytest.raises(DefinitionError, match="nested too deeply"):
        parse_definition(text)


def test_if_and_else_branches_in_order() -> None:
    parsed = parse_definition(
        definition(
            step(
                "Cond",
                "Condition",
                {
                    "IfSteps": [step("I1", "Fail"), step("I2", "Fail")],
                    "ElseSteps": [step("E1", "Condition", {"IfSteps": [step("EE", "Fail")]})],
                },
            ),
            step("After", "Fail"),
        )
    )
    assert [s.name for s in parsed.steps] == ["Cond", "I1", "I2", "E1", "EE", "After"]
    conditions = [e for e in parsed.edges if e.via == "condition"]
    assert conditions == [
        Edge("Cond", "E1", "condition", branch="else"),
        Edge("Cond", "I1", "condition", branch="if"),
        Edge("Cond", "I2", "condition", branch="if"),
        Edge("E1", "EE", "condition", branch="if"),
    ]


# -- edges ---------------------------------------------------------------------------------------


def test_depends_on_missing_self_and_out_of_order() -> None:
    parsed = parse_definition(
        definition(
            step("B", "Fail", DependsOn=["A", "Ghost", "B", "A"]),
            step("A", "Fail"),
        )
    )
    assert parsed.edges == (Edge("A", "B", "dependsOn"),)
    assert parsed.step("B").depends_on == ("A", "Ghost", "B", "A")
    assert codes(parsed) == ["MISSING_DEPENDENCY"]
    assert parsed.warnings[0].target == "B" and "Ghost" in parsed.warnings[0].message


def test_ref_get_keeps_one_edge_with_the_first_sorted_property() -> None:
    parsed = parse_definition(
        definition(
            step("P", "Processing", processing({}, {"z": "s3://b/z", "a": "s3://b/a"})),
            step(
                "C",
                "Processing",
                processing(
                    {
                        "z": get("Steps.P.ProcessingOutputConfig.Outputs['z'].S3Output.S3Uri"),
                        "a": get("Steps.P.ProcessingOutputConfig.Outputs['a'].S3Output.S3Uri"),
                        "self": get("Steps.C.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"),
                    },
                    {"o": "s3://b/o"},
                ),
                DependsOn=["P"],
            ),
        )
    )
    assert parsed.edges == (
        Edge("P", "C", "dependsOn"),
        Edge(
            "P",
            "C",
            "ref:Get",
            property="Steps.P.ProcessingOutputConfig.Outputs['a'].S3Output.S3Uri",
        ),
    )
    inputs, _ = io(parsed, "C")
    assert inputs == {"z": "s3://b/z", "a": "s3://b/a", "self": "s3://b/o"}


def test_reference_to_a_missing_step_warns_and_gives_a_placeholder() -> None:
    parsed = parse_definition(
        definition(
            step("C", "Model", {"PrimaryContainer": {"ModelDataUrl": get("Steps.Gone.X.Y")}})
        )
    )
    assert parsed.edges == ()
    assert codes(parsed) == ["UNKNOWN_STEP_REFERENCE"]
    assert io(parsed, "C")[0] == {"model_data": "{Steps.Gone.X.Y}"}


def test_references_inside_join_and_json_get_make_edges() -> None:
    parsed = parse_definition(
        definition(
            step(
                "Eval",
                "Processing",
                processing({}, {"evaluation": "s3://b/eval"}),
                PropertyFiles=[
                    {"PropertyFileName": "R", "OutputName": "evaluation", "FilePath": "e.json"}
                ],
            ),
            step("Train", "Training", training({}, "s3://b/model")),
            step(
                "Cond",
                "Condition",
                {
                    "Conditions": [
                        {
                            "Type": "LessThan",
                            "LeftValue": {
                                "Std:JsonGet": {
                                    "PropertyFile": get("Steps.Eval.PropertyFiles.R"),
                                    "Path": "mse",
                                }
                            },
                            "RightValue": 1,
                        }
                    ],
                    "IfSteps": [
                        step(
                            "Reg",
                            "RegisterModel",
                            {
                                "InferenceSpecification": {
                                    "Containers": [
                                        {
                                            "ModelDataUrl": {
                                                "Std:Join": {
                                                    "On": "",
                                                    "Values": [
                                                        get(
                                                            "Steps.Train.ModelArtifacts."
                                                            "S3ModelArtifacts"
                                                        )
                                                    ],
                                                }
                                            }
                                        }
                                    ]
                                }
                            },
                        )
                    ],
                },
            ),
        )
    )
    assert parsed.step("Eval").property_files == (PropertyFile("R", "evaluation", "e.json"),)
    refs = [e for e in parsed.edges if e.via == "ref:Get"]
    assert refs == [
        Edge("Eval", "Cond", "ref:Get", property="Steps.Eval.PropertyFiles.R"),
        Edge("Train", "Reg", "ref:Get", property="Steps.Train.ModelArtifacts.S3ModelArtifacts"),
    ]
    # The Condition does not inherit the references of the steps nested in it.
    assert not any(e.source == "Train" and e.target == "Cond" for e in parsed.edges)
    assert io(parsed, "Reg")[0] == {
        "model_data": "s3://b/model/{Steps.Train.TrainingJobName}/output/model.tar.gz"
    }


# -- values ----------------------------------------------------------------------------------------


def test_forward_reference_resolves_the_producers_uri() -> None:
    parsed = parse_definition(
        definition(
            step(
                "Train",
                "Training",
                training(
                    {
                        "train": get(
                            "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
                        )
                    },
                    "s3://b/models/",
                ),
            ),
            step(
                "Prep",
                "Processing",
                processing({}, {"test": "s3://b/test", "train": get("Parameters.TrainOut")}),
            ),
        ),
        parameters={"TrainOut": "s3://b/given-train"},
    )
    inputs, outputs = io(parsed, "Train")
    assert inputs == {"train": "s3://b/given-train"}
    assert outputs == {
        "output": "s3://b/models/",
        "model_artifacts": "s3://b/models/{Steps.Train.TrainingJobName}/output/model.tar.gz",
    }


def test_parameters_defaults_values_and_placeholders() -> None:
    params = [
        {"Name": "Input", "Type": "String", "DefaultValue": "s3://b/default"},
        {"Name": "NoType", "DefaultValue": "s3://b/notype"},
        {"Name": "NoDefault", "Type": "String"},
        {"Name": "Empty", "DefaultValue": ""},
    ]
    args = processing(
        {
            "a": get("Parameters.Input"),
            "b": get("Parameters.NoType"),
            "c": get("Parameters.NoDefault"),
            "d": get("Parameters.Empty"),
        },
        {},
    )
    parsed = parse_definition(definition(step("S", "Processing", args), parameters=params))
    assert io(parsed, "S")[0] == {
        "a": "s3://b/default",
        "b": "s3://b/notype",
        "c": "{Parameters.NoDefault}",
    }  # an empty value is no input
    assert parsed.parameters == {"Input": "s3://b/default", "NoType": "s3://b/notype", "Empty": ""}
    given = parse_definition(
        definition(step("S", "Processing", args), parameters=params),
        parameters={"Input": "s3://b/run", "NoDefault": "s3://b/nd"},
    )
    assert io(given, "S")[0]["a"] == "s3://b/run"
    assert io(given, "S")[0]["c"] == "s3://b/nd"


def test_execution_values_in_joins() -> None:
    args = processing(
        {},
        {
            "out": {
                "Std:Join": {
                    "On": "/",
                    "Values": ["s3:/", "bucket", "prefix", get("Execution.PipelineExecutionId")],
                }
            }
        },
    )
    doc = definition(step("S", "Processing", args))
    assert io(parse_definition(doc), "S")[1] == {
        "out": "s3://bucket/prefix/{Execution.PipelineExecutionId}"
    }
    run = parse_definition(doc, execution={"PipelineExecutionId": "e-1"})
    assert io(run, "S")[1] == {"out": "s3://bucket/prefix/e-1"}


def test_reference_cycle_between_steps_is_cut() -> None:
    def out_of(other: str) -> dict[str, Any]:
        return get(f"Steps.{other}.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri")

    parsed = parse_definition(
        definition(
            step("A", "Processing", processing({}, {"o": out_of("B")})),
            step("B", "Processing", processing({}, {"o": out_of("A")})),
        )
    )
    assert "REFERENCE_CYCLE" in codes(parsed)
    assert {e.via for e in parsed.edges} == {"ref:Get"}
    assert io(parsed, "A")[1]["o"].startswith("{Steps.")


def test_special_properties_of_check_and_transform_steps() -> None:
    check_out = {
        "Std:Join": {"On": "/", "Values": ["s3://b/monitor", get("Execution.PipelineExecutionId")]}
    }
    parsed = parse_definition(
        definition(
            step("T", "Transform", {"TransformOutput": {"S3OutputPath": "s3://b/transform"}}),
            step(
                "Q",
                "QualityCheck",
                processing(
                    {"baseline": get("Steps.T.TransformOutput.S3OutputPath")}, {"r": check_out}
                ),
                SuppliedBaselineStatistics="s3://b/supplied/statistics.json",
                SuppliedBaselineConstraints=get("Parameters.NoSuchParam"),
            ),
            step("K", "ClarifyCheck", processing({}, {"analysis": "s3://b/clarify/"})),
            step(
                "R",
                "RegisterModel",
                {
                    "ModelMetrics": {
                        "ModelDataQuality": {
                            "Statistics": {"S3Uri": get("Steps.Q.CalculatedBaselineStatistics")},
                            "Constraints": {"S3Uri": get("Steps.Q.CalculatedBaselineConstraints")},
                        },
                        "Bias": {"Report": {"S3Uri": get("Steps.K.CalculatedBaselineConstraints")}},
                    },
                    "DriftCheckBaselines": {
                        "ModelDataQuality": {
                            "Statistics": {
                                "S3Uri": get("Steps.Q.BaselineUsedForDriftCheckStatistics")
                            },
                            "Constraints": {
                                "S3Uri": get("Steps.Q.BaselineUsedForDriftCheckConstraints")
                            },
                        },
                        "Bias": {
                            "ConfigFile": {"S3Uri": "s3://b/config.json"},
                            "Odd": {"S3Uri": get("Steps.K.CalculatedBaselineStatistics")},
                        },
                    },
                },
            ),
        )
    )
    q_in, q_out = io(parsed, "Q")
    assert q_in == {
        "baseline": "s3://b/transform",
        "supplied_baseline_statistics": "s3://b/supplied/statistics.json",
        "supplied_baseline_constraints": "{Parameters.NoSuchParam}",
    }
    folder = "s3://b/monitor/{Execution.PipelineExecutionId}"
    assert q_out == {
        "r": folder,
        "calculated_baseline_statistics": f"{folder}/statistics.json",
        "calculated_baseline_constraints": f"{folder}/constraints.json",
    }
    assert io(parsed, "K")[1]["calculated_baseline_constraints"] == "s3://b/clarify/analysis.json"
    assert io(parsed, "R")[0] == {
        "ModelMetrics.ModelDataQuality.Statistics": f"{folder}/statistics.json",
        "ModelMetrics.ModelDataQuality.Constraints": f"{folder}/constraints.json",
        "ModelMetrics.Bias.Report": "s3://b/clarify/analysis.json",
        "DriftCheckBaselines.ModelDataQuality.Statistics": f"{folder}/statistics.json",
        "DriftCheckBaselines.ModelDataQuality.Constraints": f"{folder}/constraints.json",
        "DriftCheckBaselines.Bias.ConfigFile": "s3://b/config.json",
        "DriftCheckBaselines.Bias.Odd": "{Steps.K.CalculatedBaselineStatistics}",
    }


def test_unknown_property_is_a_placeholder() -> None:
    parsed = parse_definition(
        definition(
            step("T", "Training", training({}, "s3://b/out")),
            step("M", "Model", {"Containers": [{"ModelDataUrl": get("Steps.T.Nope[3].X")}]}),
        )
    )
    assert io(parsed, "M")[0] == {"model_data": "{Steps.T.Nope[3].X}"}


def test_generic_scan_quotes_single_slash_and_direction() -> None:
    parsed = parse_definition(
        definition(
            step(
                "S",
                "Training",
                {
                    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
                    "HyperParameters": {
                        "sagemaker_submit_directory": '"s3://b/code/source.tar.gz"',
                        "plain": '"not-s3"',
                    },
                    "ProfilerConfig": {"S3OutputPath": "s3://b/out"},  # already known
                    "DebugHookConfig": {"S3OutputPath": "s3://b/debug"},
                    "Environment": {"LIST": ["x", "s3:/b/single/slash"]},
                },
                SomeStepLevelField="s3://b/step-level",
            )
        )
    )
    inputs, outputs = io(parsed, "S")
    assert inputs == {
        "HyperParameters.sagemaker_submit_directory": "s3://b/code/source.tar.gz",
        "Environment.LIST[1]": "s3://b/single/slash",
        "SomeStepLevelField": "s3://b/step-level",
    }
    assert outputs == {
        "output": "s3://b/out",
        "model_artifacts": "s3://b/out/{Steps.S.TrainingJobName}/output/model.tar.gz",
        "DebugHookConfig.S3OutputPath": "s3://b/debug",
    }


def test_unknown_step_type_is_a_node_with_a_warning_and_generic_io() -> None:
    parsed = parse_definition(
        definition(
            step(
                "X",
                "FutureThing",
                {"Source": "s3://b/in", "Sink": {"OutputUri": "s3://b/out"}},
                DependsOn=["Y"],
            ),
            step("Y", "Fail"),
        )
    )
    assert [(s.name, s.type) for s in parsed.steps] == [("X", "FutureThing"), ("Y", "Fail")]
    assert codes(parsed) == ["UNKNOWN_STEP_TYPE"]
    assert parsed.warnings[0].target == "X"
    assert io(parsed, "X") == ({"Source": "s3://b/in"}, {"Sink.OutputUri": "s3://b/out"})
    assert parsed.edges == (Edge("Y", "X", "dependsOn"),)


def test_known_step_types_do_not_warn() -> None:
    for known in STEP_TYPES:
        assert parse_definition(definition(step("S", known))).warnings == ()


def test_emr_automl_tuning_and_model_containers() -> None:
    parsed = parse_definition(
        definition(
            step(
                "E",
                "EMR",
                {
                    "StepConfig": {
                        "HadoopJarStep": {
                            "Jar": "s3:/jars/run.jar",
                            "Args": ["--in", "s3://b/emr-in", '"s3://b/quoted"', "plain"],
                        }
                    },
                    "ClusterConfig": {"LogUri": "s3://b/logs/"},
                },
            ),
            step(
                "A",
                "AutoML",
                {
                    "InputDataConfig": [
                        {
                            "ChannelType": "training",
                            "DataSource": {"S3DataSource": {"S3Uri": "s3://b/t"}},
                        }
                    ],
                    "OutputDataConfig": {"S3OutputPath": "s3://b/automl"},
                },
            ),
            step(
                "H",
                "Tuning",
                {
                    "TrainingJobDefinitions": [
                        {"DefinitionName": "xgb", **training({"train": "s3://b/x"}, "s3://b/hx")},
                        training({"train": "s3://b/y"}, "s3://b/hy"),
                    ]
                },
            ),
            step(
                "M",
                "CreateModel",
                {
                    "Containers": [
                        {"ModelDataUrl": "s3://b/m0.tar.gz"},
                        {"ModelDataSource": {"S3DataSource": {"S3Uri": "s3://b/m1/"}}},
                    ]
                },
            ),
        )
    )
    assert io(parsed, "E") == (
        {"jar": "s3://jars/run.jar", "arg-1": "s3://b/emr-in", "arg-2": "s3://b/quoted"},
        {"logs": "s3://b/logs/"},
    )
    assert io(parsed, "A") == ({"training": "s3://b/t"}, {"output": "s3://b/automl"})
    assert io(parsed, "H") == (
        {"xgb.train": "s3://b/x", "definition-2.train": "s3://b/y"},
        {"xgb.output": "s3://b/hx", "definition-2.output": "s3://b/hy"},
    )
    assert io(parsed, "M")[0] == {"model_data": "s3://b/m0.tar.gz", "model_data_1": "s3://b/m1/"}


# -- Describe* answers read by the same table ---------------------------------------------------


def test_io_from_describe_matches_the_definition_names() -> None:
    fixture = load_fixture("definitions/19_sm-examples-local-mode-repack-fail.json")
    parsed = parse_definition(fixture)
    for name, step_type in [("AbaloneProcess", "Processing"), ("AbaloneTrain", "Training")]:
        args = copy.deepcopy(dict(parsed.step(name).arguments))
        args["ModelArtifacts"] = {"S3ModelArtifacts": "s3://b/job-1/output/model.tar.gz"}
        inputs, outputs = io_from_describe(step_type, args)
        defined = parsed.step(name)
        # Every name a Describe* answer gives, the definition gives too (so it can replace it).
        assert {r.name for r in inputs} <= {r.name for r in defined.inputs}
        assert {r.name for r in outputs} <= {r.name for r in defined.outputs}


def test_io_from_describe_concrete_values() -> None:
    training_job = {
        "TrainingJobName": "job-1",
        **training({"train": "s3://b/train"}, "s3://b/out"),
        "ModelArtifacts": {"S3ModelArtifacts": "s3://b/out/job-1/output/model.tar.gz"},
    }
    assert io_from_describe("Training", training_job) == (
        (IORef("train", "s3://b/train"),),
        (
            IORef("output", "s3://b/out"),
            IORef("model_artifacts", "s3://b/out/job-1/output/model.tar.gz"),
        ),
    )
    # Without ModelArtifacts (a failed job) there is no model, and no placeholder either.
    del training_job["ModelArtifacts"]
    assert [r.name for r in io_from_describe("Training", training_job)[1]] == ["output"]
    transform_job = {
        "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://b/in"}}},
        "TransformOutput": {"S3OutputPath": "s3://b/out"},
    }
    assert io_from_describe("Transform", transform_job) == (
        (IORef("input", "s3://b/in"),),
        (IORef("output", "s3://b/out"),),
    )
    tuning_job = {"TrainingJobDefinition": training({"train": "s3://b/t"}, "s3://b/h")}
    assert io_from_describe("Tuning", tuning_job) == (
        (IORef("train", "s3://b/t"),),
        (IORef("output", "s3://b/h"),),
    )
    processing_job = processing({"code": "s3://b/code.py"}, {"out": "s3://b/o"})
    assert io_from_describe("Processing", processing_job) == (
        (IORef("code", "s3://b/code.py"),),
        (IORef("out", "s3://b/o"),),
    )
    assert io_from_describe("NoSuchType", processing_job) == ((), ())
    assert io_from_describe("Processing", {"ProcessingInputs": "garbage"}) == ((), ())


# -- robustness: random damage to real definitions ----------------------------------------------

_JUNK: list[Any] = [
    None,
    0,
    -1.5,
    True,
    "",
    "s3:/",
    "s3://",
    [],
    {},
    [None],
    {"Get": None},
    {"Get": "Steps."},
    {"Std:Join": {"On": 1, "Values": [{}]}},
    {"Std:JsonGet": None},
    {"Get": "Steps.A.B"},
    "x" * 3,
]


def _damage(tree: Any, rng: random.Random) -> Any:
    """Replace one random value somewhere in the tree by junk."""
    tree = copy.deepcopy(tree)
    spots: list[tuple[Any, Any]] = []
    pending = [tree]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            spots.extend((value, key) for key in value)
            pending.extend(value.values())
        elif isinstance(value, list):
            spots.extend((value, i) for i in range(len(value)))
            pending.extend(value)
    if spots:
        parent, key = rng.choice(spots)
        parent[key] = rng.choice(_JUNK)
    return tree


@pytest.mark.parametrize(
    "path", sorted(fixture_path("definitions").glob("*.json")), ids=lambda p: p.stem[:2]
)
def test_damaged_definitions_only_ever_raise_definition_error(path: Path) -> None:
    rng = random.Random(path.stem)
    original = json.loads(path.read_text())
    for _ in range(150):
        damaged = _damage(original, rng)
        try:
            parsed = parse_definition(damaged)
        except DefinitionError:
            continue
        names = {s.name for s in parsed.steps}
        assert all(e.source in names and e.target in names for e in parsed.edges)
