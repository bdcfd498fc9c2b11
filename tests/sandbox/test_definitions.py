"""--definitions DIR: every fixture definition becomes a pipeline with one simulated run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from lineage.sandbox import SandboxProcess
from lineage.sandbox.definitions import pipeline_name, step_names
from tests.conftest import StartSandbox
from tests.helpers import FIXTURES
from tests.sandbox.clients import client

pytestmark = pytest.mark.sandbox
DEFINITIONS = FIXTURES / "definitions"


def definition_files() -> list[Path]:
    files = sorted(DEFINITIONS.glob("*.json"))
    assert files, "tests/fixtures/definitions holds the real definitions"
    return files


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    directory = tmp_path_factory.mktemp("definitions")
    for path in definition_files():
        shutil.copyfile(path, directory / path.name)
    (directory / "zz odd name!.json").write_text(
        json.dumps({"Version": "2020-12-01", "Steps": [{"Name": "Only", "Type": "Mystery"}]})
    )
    (directory / "broken.json").write_text("{ not json")
    (directory / "README.txt").write_text("ignored")
    process = SandboxProcess(
        SandboxProcess().options.__class__(definitions_dir=directory, seed_world=False)
    )
    with process:
        yield process, directory


def test_pipeline_names() -> None:
    assert pipeline_name("03_capstone-hermes-llm-finetune") == "03-capstone-hermes-llm-finetune"
    assert pipeline_name("zz odd name!") == "zz-odd-name"


def test_every_definition_becomes_a_succeeded_pipeline(loaded: Any) -> None:
    process, directory = loaded
    sm = client(process, "sagemaker")
    names = {p["PipelineName"] for p in sm.list_pipelines(MaxResults=100)["PipelineSummaries"]}
    expected = {pipeline_name(p.stem) for p in definition_files()} | {"zz-odd-name"}
    assert names == expected
    for path in sorted(directory.glob("*.json")):
        if path.name == "broken.json":
            continue
        definition = json.loads(path.read_text())
        name = pipeline_name(path.stem)
        assert (
            json.loads(sm.describe_pipeline(PipelineName=name)["PipelineDefinition"]) == definition
        )
        (execution,) = sm.list_pipeline_executions(PipelineName=name)["PipelineExecutionSummaries"]
        assert execution["PipelineExecutionStatus"] == "Succeeded"
        steps = sm.list_pipeline_execution_steps(
            PipelineExecutionArn=execution["PipelineExecutionArn"], MaxResults=100
        )["PipelineExecutionSteps"]
        assert sorted(s["StepName"] for s in steps) == sorted(step_names(definition)), name
        assert all(s["StepStatus"] == "Succeeded" for s in steps)


def test_jobs_and_buckets_follow_the_definition(loaded: Any) -> None:
    process, _ = loaded
    sm, s3 = client(process, "sagemaker"), client(process, "s3")
    name = "17-sm-examples-model-monitor-clarify-12steps"
    (execution,) = sm.list_pipeline_executions(PipelineName=name)["PipelineExecutionSummaries"]
    steps = {
        s["StepName"]: s
        for s in sm.list_pipeline_execution_steps(
            PipelineExecutionArn=execution["PipelineExecutionArn"], MaxResults=100
        )["PipelineExecutionSteps"]
    }
    assert len(steps) == 12
    training = steps["TrainAbaloneModel"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    job = sm.describe_training_job(TrainingJobName=training)
    assert job["OutputDataConfig"]["S3OutputPath"].startswith("s3://sagemaker-us-east-2-")
    preprocess = steps["PreprocessAbaloneData"]["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1]
    outputs = sm.describe_processing_job(ProcessingJobName=preprocess)["ProcessingOutputConfig"]
    assert outputs["Outputs"][0]["S3Output"]["S3Uri"].endswith("/output/train")
    check = steps["DataQualityCheckStep"]["Metadata"]["QualityCheck"]
    assert check["CheckType"] == "DATA_QUALITY"
    check_job = sm.describe_processing_job(ProcessingJobName=check["CheckJobArn"].split("/")[-1])
    # Std:Join with Execution.PipelineExecutionId, resolved for this execution
    execution_id = execution["PipelineExecutionArn"].rsplit("/", 1)[-1]
    check_output = check_job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    assert check_output == (
        "s3://sagemaker-us-east-2-682101512330/model-monitor-clarify/"
        f"{execution_id}/dataqualitycheckstep"
    )
    # ...and the check's input is the preprocess step's output, through a Get.
    check_input = check_job["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    assert check_input == outputs["Outputs"][0]["S3Output"]["S3Uri"]
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert "sagemaker-us-east-2-682101512330" in buckets


def test_tuning_and_register_steps_exist_in_moto(loaded: Any) -> None:
    process, _ = loaded
    sm = client(process, "sagemaker")
    (execution,) = sm.list_pipeline_executions(PipelineName="18-sm-examples-tuning-step")[
        "PipelineExecutionSummaries"
    ]
    steps = {
        s["StepName"]: s
        for s in sm.list_pipeline_execution_steps(
            PipelineExecutionArn=execution["PipelineExecutionArn"]
        )["PipelineExecutionSteps"]
    }
    tuning = steps["HPTuning"]["Metadata"]["TuningJob"]["Arn"].split("/")[-1]
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning)
    best = described["BestTrainingJob"]["TrainingJobName"]
    sm.describe_training_job(TrainingJobName=best)
    registered = [s for s in steps.values() if "RegisterModel" in s["Metadata"]]
    assert registered
    for step in registered:
        sm.describe_model_package(ModelPackageName=step["Metadata"]["RegisterModel"]["Arn"])


def test_definitions_alongside_the_world(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    shutil.copyfile(definition_files()[0], tmp_path / "extra.json")
    sandbox = start_sandbox(definitions_dir=tmp_path)
    names = {
        p["PipelineName"]
        for p in client(sandbox, "sagemaker").list_pipelines(MaxResults=100)["PipelineSummaries"]
    }
    assert {"extra", "mlops-pipeline"} <= names
    # seeding calls are not logged: only the one ListPipelines above
    assert [c["operation"] for c in sandbox.calls()] == ["ListPipelines"]
