"""The answers the sandbox makes itself match botocore's SageMaker model exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lineage.sandbox import ACCOUNT_ID, SandboxProcess
from tests.sandbox.awsraw import (
    SAGEMAKER_MODEL,
    output_errors,
    output_shape,
    parse,
    sagemaker_raw,
    shape_errors,
)

pytestmark = pytest.mark.sandbox


def call(
    sandbox: SandboxProcess, operation: str, region: str = "ap-northeast-2", **params: Any
) -> dict[str, Any]:
    status, headers, body = sagemaker_raw(sandbox.endpoint, operation, params, region)
    assert status == 200, body
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert output_errors(operation, body) == []
    return json.loads(body)  # type: ignore[no-any-return]


def execution_arns(sandbox: SandboxProcess) -> list[tuple[str, str]]:
    found = []
    for region, names in {
        "ap-northeast-2": [
            "mlops-pipeline",
            "churn-pipeline",
            "fraud-detection-pipeline",
            "scale-pipeline",
        ],
        "us-east-1": ["nlp-pipeline"],
    }.items():
        for name in names:
            listed = call(sandbox, "ListPipelineExecutions", region, PipelineName=name)
            found += [
                (region, e["PipelineExecutionArn"]) for e in listed["PipelineExecutionSummaries"]
            ]
    return found


def test_every_execution_answer_matches_the_model(sandbox: SandboxProcess) -> None:
    kinds: set[str] = set()
    for region, arn in execution_arns(sandbox):
        call(sandbox, "DescribePipelineExecution", region, PipelineExecutionArn=arn)
        call(sandbox, "ListPipelineParametersForExecution", region, PipelineExecutionArn=arn)
        definition = call(
            sandbox, "DescribePipelineDefinitionForExecution", region, PipelineExecutionArn=arn
        )
        json.loads(definition["PipelineDefinition"])
        steps = call(
            sandbox, "ListPipelineExecutionSteps", region, PipelineExecutionArn=arn, MaxResults=100
        )
        for step in steps["PipelineExecutionSteps"]:
            kinds |= set(step["Metadata"])
    assert kinds >= {
        "TrainingJob",
        "ProcessingJob",
        "TransformJob",
        "Model",
        "RegisterModel",
        "Condition",
        "Fail",
    }


def test_botocore_parser_reads_steps_as_typed_values(sandbox: SandboxProcess) -> None:
    listed = call(sandbox, "ListPipelineExecutions", PipelineName="mlops-pipeline")
    arn = listed["PipelineExecutionSummaries"][0]["PipelineExecutionArn"]
    status, headers, body = sagemaker_raw(
        sandbox.endpoint, "ListPipelineExecutionSteps", {"PipelineExecutionArn": arn}
    )
    parsed = parse("ListPipelineExecutionSteps", status, headers, body)
    step = parsed["PipelineExecutionSteps"][0]
    assert step["StartTime"].tzinfo is not None
    assert isinstance(step["AttemptCount"], int)


@pytest.mark.parametrize("size", [0, 101])
def test_max_results_outside_1_to_100_is_a_validation_error(
    sandbox: SandboxProcess, size: int
) -> None:
    listed = call(sandbox, "ListPipelineExecutions", PipelineName="mlops-pipeline")
    arn = listed["PipelineExecutionSummaries"][0]["PipelineExecutionArn"]
    status, _, body = sagemaker_raw(
        sandbox.endpoint,
        "ListPipelineExecutionSteps",
        {"PipelineExecutionArn": arn, "MaxResults": size},
    )
    assert status == 400 and json.loads(body)["__type"] == "ValidationException"


def test_unknown_execution_error_shape(sandbox: SandboxProcess) -> None:
    arn = f"arn:aws:sagemaker:ap-northeast-2:{ACCOUNT_ID}:pipeline/mlops-pipeline/execution/x"
    status, headers, body = sagemaker_raw(
        sandbox.endpoint, "DescribePipelineExecution", {"PipelineExecutionArn": arn}
    )
    assert status == 400
    document = json.loads(body)
    assert document["__type"] == "ResourceNotFound" and document["message"]
    error_shapes = {
        s.name for s in SAGEMAKER_MODEL.operation_model("ListPipelineExecutionSteps").error_shapes
    }
    assert "ResourceNotFound" in error_shapes
    assert headers.get("x-amzn-RequestId")


def test_shape_walk_catches_departures() -> None:
    shape = output_shape("ListPipelineExecutionSteps")
    good = {
        "PipelineExecutionSteps": [{"StepName": "A", "StepStatus": "Succeeded", "StartTime": 1.0}]
    }
    assert shape_errors(good, shape) == []
    bad = {"PipelineExecutionSteps": [{"StepName": "A", "StepStatus": "Done", "Bogus": 1}]}
    errors = shape_errors(bad, shape)
    assert any("Bogus" in e for e in errors) and any("enum" in e for e in errors)
