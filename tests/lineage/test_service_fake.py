"""The service and the catalog against a fake AWS: ordering, deadlines, failures, in ms."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from lineage.catalog import list_executions, list_pipelines, newest_execution_arn
from lineage.errors import (
    AwsAccessDenied,
    AwsError,
    AwsThrottled,
    DeadlineExceeded,
    PipelineNotFound,
)
from lineage.request import LineageRequest
from lineage.service import FetchStats
from tests.lineage.fake_aws import (
    BUCKET,
    EXECUTION_ARN,
    PIPELINE,
    REGION,
    FakeAws,
    FakeWorld,
    default_answers,
)


@pytest.fixture
def world() -> Iterator[FakeWorld]:
    world = FakeWorld()
    yield world
    world.release_all()  # no pool thread stays blocked after a test


def request() -> LineageRequest:
    return LineageRequest(pipeline=PIPELINE, region=REGION)


def test_a_whole_document_from_the_fake(world: FakeWorld) -> None:
    stats = FetchStats()
    document = world.service().get_lineage(request(), stats=stats)
    nodes = {node.id: node for node in document.nodes}
    assert [node.id for node in document.nodes] == ["Prep", "Train"]
    train_run = nodes["Train"].run
    assert train_run is not None and train_run.metrics == {"validation:auc": 0.9}
    assert [ref.uri for ref in nodes["Train"].outputs if ref.name == "model_artifacts"] == [
        f"s3://{BUCKET}/models/pipelines-exec000000001-train-abc/output/model.tar.gz"
    ]
    assert document.artifacts and all(
        artifact.s3 is not None and artifact.s3.encryption == "aws:kms"
        and artifact.s3.tags == {"Env": "test"}
        for artifact in document.artifacts
    )
    assert document.warnings == () and not document.transient
    # Each operation once, the bucket's settings once for its several artifacts.
    assert sorted(stats.operations) == sorted(
        f"{service}:{operation}"
        for service, operation in [
            ("sagemaker", "DescribePipeline"),
            ("sagemaker", "ListPipelineExecutions"),
            ("sagemaker", "DescribePipelineExecution"),
            ("sagemaker", "DescribePipelineDefinitionForExecution"),
            ("sagemaker", "ListPipelineParametersForExecution"),
            ("sagemaker", "ListTags"),
            ("sagemaker", "ListPipelineExecutionSteps"),
            # Prep's locations are all in the definition: no DescribeProcessingJob.
            ("sagemaker", "DescribeTrainingJob"),  # its metrics
            ("s3", "ListBuckets"),  # the bucket's region: no GetBucketLocation
            ("s3", "GetBucketEncryption"),
            ("s3", "GetBucketVersioning"),
            ("s3", "GetPublicAccessBlock"),
            ("s3", "GetBucketTagging"),
            ("s3", "GetBucketPolicyStatus"),
            ("s3", "GetBucketLifecycleConfiguration"),
            ("s3", "GetObjectLockConfiguration"),
            ("macie2", "GetMacieSession"),
            ("macie2", "GetFindingStatistics"),
        ]
    )


def test_round_one_asks_for_the_pipeline_and_its_executions_together(world: FakeWorld) -> None:
    # DescribePipeline answers only once ListPipelineExecutions has been asked: one after the
    # other, the request would wait on the gate and fail.
    gate = world.hold["DescribePipeline"] = threading.Event()
    listing = default_answers()["ListPipelineExecutions"]

    def executions(_params: dict[str, Any]) -> Any:
        gate.set()
        return listing

    world.answers["ListPipelineExecutions"] = executions
    document = world.service().get_lineage(request())
    assert document.execution is not None and document.execution.arn == EXECUTION_ARN


def test_a_page_of_steps_starts_its_describe_calls_before_the_next_page(
    world: FakeWorld,
) -> None:
    steps = default_answers()["ListPipelineExecutionSteps"]["PipelineExecutionSteps"]
    described = threading.Event()

    def pages(params: dict[str, Any]) -> Any:
        if "NextToken" not in params:
            return {"PipelineExecutionSteps": [steps[0]], "NextToken": "page-2"}
        assert described.wait(10), "the second page was asked for before the first was used"
        return {"PipelineExecutionSteps": [steps[1]]}

    training = default_answers()["DescribeTrainingJob"]

    def describe_training(_params: dict[str, Any]) -> Any:
        described.set()
        return training

    world.answers["ListPipelineExecutionSteps"] = pages
    world.answers["DescribeTrainingJob"] = describe_training
    document = world.service().get_lineage(request())
    assert {node.id for node in document.nodes if node.run is not None} == {"Prep", "Train"}


def test_the_deadline_cuts_slow_enrichment_and_says_so(world: FakeWorld) -> None:
    world.hold["GetBucketTagging"] = threading.Event()  # never answers within the test
    document = world.service(request_deadline_ms=300).get_lineage(request())
    codes = [warning.code for warning in document.warnings]
    assert codes == ["DEADLINE_EXCEEDED"]
    assert document.warnings[0].transient and document.transient
    settings = [artifact.s3 for artifact in document.artifacts]
    assert all(s is not None and s.tags is None and s.encryption == "aws:kms" for s in settings)


def test_a_required_call_past_the_deadline_is_a_transient_error(world: FakeWorld) -> None:
    world.hold["DescribePipeline"] = threading.Event()
    with pytest.raises(DeadlineExceeded) as caught:
        world.service(request_deadline_ms=200).get_lineage(request())
    assert caught.value.http_status == 503 and caught.value.transient


def test_throttled_enrichment_is_a_transient_warning(world: FakeWorld) -> None:
    world.answers["GetBucketEncryption"] = AwsThrottled("throttled", operation="x")
    document = world.service().get_lineage(request())
    assert [warning.code for warning in document.warnings] == ["S3_THROTTLED"]
    assert document.transient
    assert document.warnings[0].message.endswith("(throttled)")


def test_a_missing_pipeline_is_not_found(world: FakeWorld) -> None:
    error = AwsError("rejected", operation="DescribePipeline")
    error.code = "ValidationException"
    world.answers["DescribePipeline"] = error
    with pytest.raises(PipelineNotFound):
        world.service().get_lineage(request())


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (AwsError("rejected", operation="ListTags"), "TAGS_FAILED"),
        (AwsAccessDenied("denied", operation="ListTags"), "TAGS_ACCESS_DENIED"),
        (AwsThrottled("throttled", operation="ListTags"), "TAGS_THROTTLED"),
    ],
)
def test_one_error_gives_the_same_warning_code_on_every_answer(
    world: FakeWorld, error: AwsError, code: str
) -> None:
    world.answers["ListTags"] = error
    service = world.service()
    lineage_codes = [warning.code for warning in service.get_lineage(request()).warnings]
    listing_codes = [warning.code for warning in list_pipelines(service, [REGION]).warnings]
    assert lineage_codes == listing_codes == [code]


def test_the_catalog_keeps_what_came_before_its_deadline(world: FakeWorld) -> None:
    world.hold["ListTags"] = threading.Event()
    listing = list_pipelines(world.service(request_deadline_ms=300), [REGION])
    assert [pipeline.name for pipeline in listing.pipelines] == [PIPELINE]
    assert listing.pipelines[0].tags is None  # unknown, not empty
    assert [warning.code for warning in listing.warnings] == ["DEADLINE_EXCEEDED"]


def test_a_region_that_fails_is_a_warning_unless_all_fail(world: FakeWorld) -> None:
    service = world.service()
    denied = AwsAccessDenied("denied", operation="ListPipelines")

    def api(region: str) -> FakeAws:
        fake = world.api(region)
        if region == "us-east-1":  # only this region refuses
            fake.answers = {**fake.answers, "ListPipelines": denied}
        return fake

    service.api_for = api
    listing = list_pipelines(service, [REGION, "us-east-1"])
    assert [pipeline.region for pipeline in listing.pipelines] == [REGION]
    assert [(w.code, w.target) for w in listing.warnings] == [
        ("REGION_ACCESS_DENIED", "us-east-1")
    ]
    world.answers["ListPipelines"] = denied
    with pytest.raises(AwsAccessDenied):
        list_pipelines(service, [REGION, "us-east-1"])


def test_executions_without_their_description_come_from_the_listing(world: FakeWorld) -> None:
    world.answers["DescribePipelineExecution"] = AwsThrottled("throttled", operation="x")
    listing = list_executions(world.service(), PIPELINE, REGION, 5)
    assert [execution.arn for execution in listing.executions] == [EXECUTION_ARN]
    assert listing.executions[0].end_time is None
    assert [(w.code, w.target) for w in listing.warnings] == [
        ("EXECUTION_THROTTLED", EXECUTION_ARN)
    ]


def test_the_newest_execution_costs_one_call(world: FakeWorld) -> None:
    stats = FetchStats()
    assert newest_execution_arn(world.service(), PIPELINE, REGION, stats=stats) == EXECUTION_ARN
    assert stats.aws_calls == 1


def test_a_listing_without_details_is_one_call_per_region(world: FakeWorld) -> None:
    listing = list_pipelines(world.service(), [REGION], details=False)
    assert [p.name for p in listing.pipelines]
    assert [op for api in world.apis for op in api.operations] == ["sagemaker:ListPipelines"]
    assert all(p.latest_execution is None and p.tags is None for p in listing.pipelines)
