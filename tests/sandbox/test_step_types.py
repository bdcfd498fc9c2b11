"""Every step type the product knows runs in the sandbox with the Metadata AWS reports.

``tests/fixtures/step-types/`` holds a definition using each type once (EMRServerless twice:
with and without an existing application) and one whose endpoint resources moto refuses.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError
from botocore.model import StructureShape

from lineage.sandbox import ACCOUNT_ID, SandboxOptions, SandboxProcess
from lineage.sandbox.definitions import load_definitions
from lineage.sandbox.simulate import GENERIC_STEP, STEP_HANDLERS, PipelineRef, simulate
from lineage.sandbox.world import ExecutionSpec, at
from tests.helpers import FIXTURES
from tests.sandbox.awsraw import SAGEMAKER_MODEL, output_errors, parse, sagemaker_raw, shape_errors
from tests.sandbox.clients import client

DEFINITIONS = FIXTURES / "step-types"
EVERY_TYPE = json.loads((DEFINITIONS / "every-step-type.json").read_text())
SEOUL = "ap-northeast-2"

# Step Type -> the member of PipelineExecutionStepMetadata that AWS sets for it.
METADATA_MEMBER = {
    "Processing": "ProcessingJob",
    "Training": "TrainingJob",
    "Transform": "TransformJob",
    "Tuning": "TuningJob",
    "Model": "Model",
    "CreateModel": "Model",
    "RegisterModel": "RegisterModel",
    "QualityCheck": "QualityCheck",
    "ClarifyCheck": "ClarifyCheck",
    "AutoML": "AutoMLJob",
    "EMR": "EMR",
    "EMRServerless": "EMRServerless",
    "NotebookJob": "TrainingJob",
    "Condition": "Condition",
    "Fail": "Fail",
    "Lambda": "Lambda",
    "Callback": "Callback",
    "EndpointConfig": "EndpointConfig",
    "Endpoint": "Endpoint",
    "InferenceComponent": "InferenceComponent",
    "Lineage": "Lineage",
    "BedrockCustomModel": "BedrockCustomModel",
    "BedrockCustomModelDeployment": "BedrockCustomModelDeployment",
    "BedrockProvisionedModelThroughput": "BedrockProvisionedModelThroughput",
    "BedrockModelImport": "BedrockModelImport",
}
METADATA_SHAPE = cast(StructureShape, SAGEMAKER_MODEL.shape_for("PipelineExecutionStepMetadata"))


def step_types(definition: dict[str, Any]) -> dict[str, str]:
    """Step name -> Type, nested steps included (read here, not with the sandbox's walk)."""
    found: dict[str, str] = {}
    pending = list(definition.get("Steps", []))
    while pending:
        step = pending.pop()
        found[step["Name"]] = step["Type"]
        arguments = step.get("Arguments", {})
        pending += arguments.get("IfSteps", []) + arguments.get("ElseSteps", [])
    return found


TYPES = step_types(EVERY_TYPE)


# --- the table, without a server -------------------------------------------------------


def test_the_table_has_a_row_for_every_step_type() -> None:
    assert set(METADATA_MEMBER) <= set(STEP_HANDLERS)
    assert set(TYPES.values()) == set(METADATA_MEMBER)  # the fixture uses each type
    for step_type, row in STEP_HANDLERS.items():
        assert row.duration_s > 0, step_type
        assert METADATA_MEMBER.get(step_type, step_type) in METADATA_SHAPE.members, step_type


def test_simulated_metadata_is_a_botocore_member_per_type() -> None:
    ((spec, names),) = [
        (item.spec, item.step_names)
        for item in load_definitions(DEFINITIONS)
        if item.spec is not None and item.spec.name == "every-step-type"
    ]
    sim = simulate(
        PipelineRef(spec.name, spec.region),
        spec.definition,
        spec.executions[0],
        all_branches=True,
        step_names=list(names),
    )
    assert {r.name for r in sim.execution.steps} == set(TYPES)
    for record in sim.execution.steps:
        assert list(record.metadata) == [METADATA_MEMBER[record.type]], record.name
        assert shape_errors(record.metadata, METADATA_SHAPE) == [], record.name


def test_a_type_the_table_does_not_know_still_runs() -> None:
    definition = {"Steps": [{"Name": "Odd", "Type": "Teleport", "Arguments": {"To": "Mars"}}]}
    sim = simulate(
        PipelineRef("odd", SEOUL), definition, ExecutionSpec("oddoddoddodd", "Succeeded", at())
    )
    (record,) = sim.execution.steps
    assert record.status == "Succeeded" and record.metadata == {}
    assert record.end is not None
    seconds = (record.end - record.start).total_seconds()
    assert GENERIC_STEP.duration_s <= seconds < GENERIC_STEP.duration_s + 60
    assert sim.properties["Odd"] == {"To": "Mars"} and sim.jobs == []


# --- over HTTP -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded() -> Any:
    options = SandboxOptions(definitions_dir=DEFINITIONS, seed_world=False)
    with SandboxProcess(options) as process:
        yield process


def listed_steps(sandbox: SandboxProcess, pipeline: str) -> dict[str, dict[str, Any]]:
    sm = client(sandbox, "sagemaker")
    (execution,) = sm.list_pipeline_executions(PipelineName=pipeline)["PipelineExecutionSummaries"]
    status, headers, body = sagemaker_raw(
        sandbox.endpoint,
        "ListPipelineExecutionSteps",
        {"PipelineExecutionArn": execution["PipelineExecutionArn"], "MaxResults": 100},
    )
    assert status == 200
    assert output_errors("ListPipelineExecutionSteps", body) == []
    parse("ListPipelineExecutionSteps", status, headers, body)  # botocore reads it
    return {s["StepName"]: s for s in json.loads(body)["PipelineExecutionSteps"]}


@pytest.mark.sandbox
def test_every_step_ran_with_its_metadata_member(loaded: SandboxProcess) -> None:
    steps = listed_steps(loaded, "every-step-type")
    assert set(steps) == set(TYPES)
    for name, step in steps.items():
        assert step["StepStatus"] == "Succeeded", name
        assert list(step["Metadata"]) == [METADATA_MEMBER[TYPES[name]]], name


@pytest.mark.sandbox
@pytest.mark.parametrize(
    "operation",
    [
        "DescribePipelineExecution",
        "ListPipelineParametersForExecution",
        "DescribePipelineDefinitionForExecution",
    ],
)
def test_execution_answers_match_the_model(loaded: SandboxProcess, operation: str) -> None:
    sm = client(loaded, "sagemaker")
    for pipeline in ("every-step-type", "moto-rejects-endpoints"):
        (execution,) = sm.list_pipeline_executions(PipelineName=pipeline)[
            "PipelineExecutionSummaries"
        ]
        status, _, body = sagemaker_raw(
            loaded.endpoint, operation, {"PipelineExecutionArn": execution["PipelineExecutionArn"]}
        )
        assert status == 200 and output_errors(operation, body) == []


@pytest.mark.sandbox
def test_metadata_follows_the_arguments(loaded: SandboxProcess) -> None:
    meta = {
        name: step["Metadata"] for name, step in listed_steps(loaded, "every-step-type").items()
    }
    prefix = f"arn:aws:sagemaker:{SEOUL}:{ACCOUNT_ID}"

    serverless = meta["SparkServerless"]["EMRServerless"]
    assert serverless["ApplicationId"] == "00fabc123def4567"
    assert serverless["JobRunName"] == "features-job"
    assert serverless["LogFilePath"] == "s3://every-step-type-data/emr-serverless-logs/"
    assert re.fullmatch(r"00f[0-9a-z]{13}", serverless["JobRunId"])
    created = meta["SparkServerlessNewApp"]["EMRServerless"]
    assert re.fullmatch(r"00f[0-9a-z]{13}", created["ApplicationId"])
    assert created["JobRunName"] == "SparkServerlessNewApp" and "LogFilePath" not in created

    assert meta["DeployConfig"] == {
        "EndpointConfig": {"Arn": f"{prefix}:endpoint-config/every-step-config"}
    }
    assert meta["Deploy"] == {"Endpoint": {"Arn": f"{prefix}:endpoint/every-step-endpoint"}}
    assert meta["Component"] == {
        "InferenceComponent": {"Arn": f"{prefix}:inference-component/every-step-component"}
    }

    lineage = meta["RecordLineage"]["Lineage"]
    assert set(lineage["ArtifactArns"]) == {"training-data"}
    assert re.fullmatch(
        rf"{prefix}:artifact/[0-9a-f]{{32}}", lineage["ArtifactArns"]["training-data"]
    )
    assert lineage["ActionArns"] == {"every-step-approval": f"{prefix}:action/every-step-approval"}
    assert lineage["ContextArns"] == {"every-step-project": f"{prefix}:context/every-step-project"}
    assert lineage["Associations"] == [
        {
            "SourceArn": lineage["ArtifactArns"]["training-data"],
            "DestinationArn": lineage["ActionArns"]["every-step-approval"],
        }
    ]

    for step, resource in {
        "FineTuneBedrock": "custom-model",
        "DeployBedrock": "custom-model-deployment",
        "ProvisionBedrock": "provisioned-model",
        "ImportToBedrock": "model-import-job",
    }.items():
        ((member, value),) = meta[step].items()
        assert member == TYPES[step]
        assert re.fullmatch(
            rf"arn:aws:bedrock:{SEOUL}:{ACCOUNT_ID}:{resource}/[0-9a-z]+", value["Arn"]
        )

    assert meta["QualityTooLow"] == {"Fail": {"ErrorMessage": "Accuracy below 0.8"}}


@pytest.mark.sandbox
def test_jobs_and_endpoints_exist_in_moto(loaded: SandboxProcess) -> None:
    sm = client(loaded, "sagemaker")
    steps = listed_steps(loaded, "every-step-type")

    def name(step: str, member: str) -> str:
        return str(steps[step]["Metadata"][member]["Arn"].rsplit("/", 1)[-1])

    notebook = sm.describe_training_job(TrainingJobName=name("Notebook", "TrainingJob"))
    assert notebook["AlgorithmSpecification"]["TrainingImage"].endswith(
        "scikit-learn:1.2-1-cpu-py3"
    )
    assert (
        notebook["OutputDataConfig"]["S3OutputPath"] == "s3://every-step-type-data/notebooks/output"
    )

    model = name("ModelFromTrain", "Model")
    config = sm.describe_endpoint_config(EndpointConfigName="every-step-config")
    assert config["ProductionVariants"][0]["ModelName"] == model
    endpoint = sm.describe_endpoint(EndpointName="every-step-endpoint")
    assert endpoint["EndpointConfigName"] == "every-step-config"
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["CreationTime"].timestamp() == steps["Deploy"]["StartTime"]


@pytest.mark.sandbox
def test_endpoints_moto_refuses_keep_their_metadata(loaded: SandboxProcess) -> None:
    sm = client(loaded, "sagemaker")
    steps = listed_steps(loaded, "moto-rejects-endpoints")
    assert {s["StepStatus"] for s in steps.values()} == {"Succeeded"}
    prefix = f"arn:aws:sagemaker:{SEOUL}:{ACCOUNT_ID}"
    assert steps["OrphanConfig"]["Metadata"] == {
        "EndpointConfig": {"Arn": f"{prefix}:endpoint-config/orphan-config"}
    }
    assert steps["OrphanEndpoint"]["Metadata"] == {
        "Endpoint": {"Arn": f"{prefix}:endpoint/orphan-endpoint"}
    }
    generated = steps["GeneratedNames"]["Metadata"]["EndpointConfig"]["Arn"]
    assert re.fullmatch(
        rf"{prefix}:endpoint-config/pipelines-[0-9a-z]{{12}}-generatednames-[0-9a-z]{{10}}",
        generated,
    )
    for call, kwargs in (
        (sm.describe_endpoint_config, {"EndpointConfigName": "orphan-config"}),
        (sm.describe_endpoint, {"EndpointName": "orphan-endpoint"}),
    ):
        with pytest.raises(ClientError):
            call(**kwargs)
