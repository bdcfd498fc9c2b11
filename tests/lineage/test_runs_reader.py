"""What compare and trends read, against the fake AWS: a trends read is lean, the runs are
read at once, what fails is a warning (trends) or an error naming its side (compare)."""

from __future__ import annotations

import copy
import io
import json
import threading
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest

from lineage.analytics_request import CompareRequest, TrendsRequest
from lineage.errors import AwsError, ExecutionNotFound, InvalidParameter
from lineage.request import LineageRequest
from lineage.runs_reader import read_comparison, read_trends
from lineage.service import FetchStats
from tests.lineage.fake_aws import (
    BUCKET,
    DEFINITION,
    EXECUTION_ARN,
    PIPELINE,
    PIPELINE_ARN,
    REGION,
    STARTED,
    FakeWorld,
)

RUNS = [f"{PIPELINE_ARN}/execution/run{n}" for n in range(3)]
REPORT = {"metrics": {"accuracy": {"value": 0.75}}}


@pytest.fixture
def world() -> Iterator[FakeWorld]:
    world = FakeWorld()
    yield world
    world.release_all()


def trends_read(execution: str = EXECUTION_ARN) -> LineageRequest:
    return LineageRequest(PIPELINE, REGION, execution=execution, for_trends=True)


def operations(stats: FetchStats) -> set[str]:
    return {operation.split(":", 1)[1] for operation in stats.operations}


def with_report(output_uri: Any) -> dict[str, Any]:
    """The fake's definition with Prep writing an evaluation report under ``output_uri``."""
    definition: dict[str, Any] = copy.deepcopy(DEFINITION)
    prep = definition["Steps"][0]
    prep["Arguments"]["ProcessingOutputConfig"]["Outputs"].append(
        {"OutputName": "eval", "S3Output": {"S3Uri": output_uri}})
    prep["PropertyFiles"] = [{"PropertyFileName": "Report", "OutputName": "eval",
                              "FilePath": "evaluation.json"}]
    return definition


def reporting_world(output_uri: Any) -> FakeWorld:
    definition = with_report(output_uri)
    world = FakeWorld()
    world.answers["DescribePipelineDefinitionForExecution"] = {
        "PipelineDefinition": json.dumps(definition)}
    world.answers["DescribeProcessingJob"] = {
        "ProcessingJobName": "prep",
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": "train", "S3Output": {"S3Uri": f"s3://{BUCKET}/train"}},
            {"OutputName": "eval", "S3Output": {"S3Uri": f"s3://{BUCKET}/eval"}}]},
    }
    world.answers["GetObject"] = lambda _params: {
        "Body": io.BytesIO(json.dumps(REPORT).encode())}
    return world


# -- the lean read ----------------------------------------------------------------------------


def test_a_trends_read_reads_only_what_trends_draw(world: FakeWorld) -> None:
    stats = FetchStats()
    document = world.service().get_lineage(trends_read(), stats=stats)
    # No DescribePipeline (the run's ARN names it), no tags, no bucket, no Describe* that
    # gives no metrics (Prep's processing job); the training job's metrics are kept.
    assert operations(stats) == {
        "DescribePipelineExecution", "DescribePipelineDefinitionForExecution",
        "ListPipelineParametersForExecution", "ListPipelineExecutionSteps",
        "DescribeTrainingJob"}
    train = next(node for node in document.nodes if node.id == "Train")
    assert train.run is not None and train.run.metrics == {"validation:auc": 0.9}
    assert document.risk is None
    assert all(artifact.s3 is None for artifact in document.artifacts)
    assert document.execution is not None and document.execution.status == "Succeeded"


def test_a_report_the_definition_locates_is_read_without_its_job() -> None:
    world = reporting_world(f"s3://{BUCKET}/eval")
    stats = FetchStats()
    document = world.service().get_lineage(trends_read(), stats=stats)
    assert "GetObject" in operations(stats)
    assert "DescribeProcessingJob" not in operations(stats)
    prep = next(node for node in document.nodes if node.id == "Prep")
    assert prep.run is not None and prep.run.metrics == {"metrics.accuracy.value": 0.75}


def test_a_report_only_its_job_locates_is_read_after_describing_it() -> None:
    # A parameter without a default or a value: only the job's answer says where it wrote.
    world = reporting_world({"Get": "Parameters.ReportUri"})
    stats = FetchStats()
    document = world.service().get_lineage(trends_read(), stats=stats)
    assert {"DescribeProcessingJob", "GetObject"} <= operations(stats)
    prep = next(node for node in document.nodes if node.id == "Prep")
    assert prep.run is not None and prep.run.metrics == {"metrics.accuracy.value": 0.75}


def test_the_definition_of_an_execution(world: FakeWorld) -> None:
    stats = FetchStats()
    text = world.service().execution_definition(REGION, EXECUTION_ARN, stats=stats)
    assert json.loads(text) == DEFINITION
    assert stats.aws_calls == 1
    error = AwsError("rejected", operation="DescribePipelineDefinitionForExecution")
    error.code = "ValidationException"  # what SageMaker says of an unknown execution
    world.answers["DescribePipelineDefinitionForExecution"] = error
    with pytest.raises(ExecutionNotFound):
        world.service().execution_definition(REGION, EXECUTION_ARN)


# -- trends -----------------------------------------------------------------------------------


def listing(world: FakeWorld) -> None:
    world.answers["ListPipelineExecutions"] = {"PipelineExecutionSummaries": [
        {"PipelineExecutionArn": arn, "PipelineExecutionStatus": "Succeeded",
         "StartTime": STARTED + timedelta(days=n)}
        for n, arn in enumerate(RUNS)]}


def document(arn: str) -> dict[str, Any]:
    n = RUNS.index(arn)
    return {"pipeline": {"name": PIPELINE},
            "execution": {"arn": arn, "id": arn.rsplit("/", 1)[1], "status": "Succeeded",
                          "startTime": (STARTED + timedelta(days=n)).isoformat(),
                          "elapsedSec": 100 + n},
            "graph": {"nodes": [], "edges": []}}


def test_the_runs_are_read_at_once(world: FakeWorld) -> None:
    listing(world)
    together = threading.Barrier(len(RUNS), timeout=5)  # one after another would time out

    def document_for(run: LineageRequest) -> Mapping[str, Any]:
        assert run.for_trends and run.execution in RUNS
        together.wait()
        return document(str(run.execution))

    stats = FetchStats()
    runs = read_trends(world.service(), TrendsRequest(PIPELINE, REGION, 3),
                       document_for=document_for, stats=stats)
    assert [d["execution"]["arn"] for d in runs.documents] == RUNS[::-1]  # newest first
    assert runs.warnings == () and stats.aws_calls == 1  # the listing
    answer = runs.trends()
    assert [run["id"] for run in answer["runs"]] == ["run0", "run1", "run2"]
    assert answer["warnings"] == []


def test_a_run_that_cannot_be_read_is_a_warning(world: FakeWorld) -> None:
    listing(world)

    def document_for(run: LineageRequest) -> Mapping[str, Any]:
        if run.execution == RUNS[1]:
            raise ExecutionNotFound("execution not found for this pipeline")
        return document(str(run.execution))

    runs = read_trends(world.service(), TrendsRequest(PIPELINE, REGION, 3),
                       document_for=document_for, stats=FetchStats())
    assert len(runs.documents) == 2 and not runs.transient
    [warning] = runs.trends()["warnings"]
    assert warning["code"] == "EXECUTION_NOT_FOUND" and warning["target"] == RUNS[1]


def test_serial_calls_read_the_runs_on_a_pool_of_their_own(world: FakeWorld) -> None:
    """The serial pool runs the service's calls: the runs' own reads must not wait on it."""
    listing(world)
    service = world.service(serial_aws_calls=True, request_deadline_ms=5000)
    runs = read_trends(service, TrendsRequest(PIPELINE, REGION, 3),
                       document_for=lambda run: service.get_lineage(run).to_dict(),
                       stats=FetchStats())
    assert len(runs.documents) == len(RUNS) and runs.warnings == ()


# -- compare ----------------------------------------------------------------------------------


def sides_world() -> tuple[FakeWorld, CompareRequest]:
    return FakeWorld(), CompareRequest(PIPELINE, REGION, "run0", "run1")


def test_both_sides_with_their_definitions() -> None:
    world, request = sides_world()
    definitions: list[str] = []

    def document_for(side: LineageRequest) -> Mapping[str, Any]:
        assert side.execution in ("run0", "run1") and not side.lean
        return document(f"{PIPELINE_ARN}/execution/{side.execution}")

    def definition_for(arn: str) -> str:
        definitions.append(arn)
        return json.dumps(DEFINITION)

    comparison = read_comparison(world.service(), request, document_for=document_for,
                                 definition_for=definition_for)
    assert sorted(definitions) == RUNS[:2]
    assert comparison.a is not None and comparison.a.id == "run0"
    assert comparison.b is not None and comparison.b.id == "run1"
    assert not comparison.definition.differ


def test_a_side_that_cannot_be_read_is_named() -> None:
    world, request = sides_world()

    def missing_a(side: LineageRequest) -> Mapping[str, Any]:
        if side.execution == "run0":
            raise ExecutionNotFound("execution not found for this pipeline")
        return document(f"{PIPELINE_ARN}/execution/{side.execution}")

    with pytest.raises(ExecutionNotFound, match="^execution a not found for this pipeline$"):
        read_comparison(world.service(), request, document_for=missing_a,
                        definition_for=lambda _arn: json.dumps(DEFINITION))

    def foreign_b(side: LineageRequest) -> Mapping[str, Any]:
        if side.execution == "run1":
            raise InvalidParameter("execution", "execution does not belong to this pipeline")
        return document(f"{PIPELINE_ARN}/execution/{side.execution}")

    with pytest.raises(InvalidParameter) as refused:
        read_comparison(world.service(), request, document_for=foreign_b,
                        definition_for=lambda _arn: json.dumps(DEFINITION))
    assert refused.value.parameter == "b"
    assert refused.value.message == "b does not belong to this pipeline and region"
