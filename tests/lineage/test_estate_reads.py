"""What an estate build reads, and what it does not (issue 12's "read only what it needs"):
each bucket once for the whole estate, also those only a model or package names; the
endpoint configs a pipeline's own steps created; lean documents; a rebuild that reuses what
did not change. Against the fake AWS, which records every operation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from lineage.estate_reader import EstatePipeline, read_estate
from lineage.estate_request import EstateRequest
from tests.lineage.fake_aws import (
    ACCOUNT,
    BUCKET,
    MODEL_DATA,
    REGION,
    STARTED,
    FakeWorld,
)

SCOPE = EstateRequest((REGION,))
STAGING_CONFIG = "staging-config"
STAGING_CONFIG_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/{STAGING_CONFIG}"


def pipeline_arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{name}"


def listing(*names: str, ran: Mapping[str, Any] | None = None) -> dict[str, Any]:
    ran = ran or {}
    return {"PipelineSummaries": [
        {"PipelineName": name, "PipelineArn": pipeline_arn(name), "CreationTime": STARTED,
         "LastExecutionTime": ran.get(name, STARTED)}
        for name in names
    ]}


def artifact(uri: str) -> dict[str, Any]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return {"uri": uri, "bucket": bucket, "key": key, "s3": None}


def document(pipeline: EstatePipeline, steps: list[dict[str, Any]],
             uris: list[str]) -> dict[str, Any]:
    return {
        "pipeline": {"name": pipeline.name, "arn": pipeline_arn(pipeline.name)},
        "execution": {"id": "e1", "arn": f"{pipeline_arn(pipeline.name)}/execution/e1",
                      "status": "Succeeded", "startTime": "2026-01-10T12:00:00Z"},
        "graph": {"nodes": steps, "edges": [], "artifacts": [artifact(u) for u in uris]},
    }


class Documents:
    """``document_for``: the prep pipeline writes s3://shared/features, the deploy pipeline
    reads it and creates an endpoint config no endpoint uses yet."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, pipeline: EstatePipeline, execution: str | None) -> Mapping[str, Any]:
        self.read.append(pipeline.name)
        if pipeline.name == "prep":
            return document(pipeline, [
                {"id": "Prep", "type": "Processing", "inputs": [{"uri": "s3://raw/events"}],
                 "outputs": [{"name": "out", "uri": "s3://shared/features"}]},
            ], ["s3://raw/events", "s3://shared/features"])
        return document(pipeline, [
            {"id": "Use", "type": "Processing", "inputs": [{"uri": "s3://shared/features"}],
             "outputs": []},
            {"id": "Config", "type": "EndpointConfig",
             "run": {"status": "Succeeded", "jobArn": STAGING_CONFIG_ARN}},
        ], ["s3://shared/features"])


def config_answer(params: Mapping[str, Any]) -> dict[str, Any]:
    name = str(params["EndpointConfigName"])
    return {"EndpointConfigName": name,
            "EndpointConfigArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/{name}",
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "fake-model"}]}


def world(**changes: Any) -> FakeWorld:
    return FakeWorld(ListPipelines=listing("prep", "deploy"),
                     DescribeEndpointConfig=config_answer, **changes)


def operations(fake: FakeWorld, since: int = 0) -> list[str]:
    return fake.order[since:]


def test_each_bucket_is_read_once_for_the_whole_estate() -> None:
    fake = world()
    documents = Documents()
    read = read_estate(fake.service(), SCOPE, document_for=documents)
    # shared (in both pipelines' documents), raw, and the models' bucket, which only the
    # model and the package name: one read of each setting per bucket.
    assert operations(fake).count("GetBucketEncryption") == 3
    assert operations(fake).count("GetBucketTagging") == 3
    nodes = {node.id: node for node in read.estate.nodes}
    shared = nodes["dataset:s3://shared/features"]
    assert shared.attributes["s3"]["encryption"] == "aws:kms"  # read now, not from a document
    model_data = next(node for node in nodes.values() if node.kind == "dataset"
                      and MODEL_DATA.startswith(str(node.attributes.get("uri"))))
    assert model_data.attributes["s3"]["tags"] == {"Env": "test"}
    assert BUCKET in {str(node.attributes.get("bucket")) for node in nodes.values()}


def test_an_endpoint_config_a_pipeline_created_is_described() -> None:
    fake = world()
    read = read_estate(fake.service(), SCOPE, document_for=Documents())
    edges = {(edge.source, edge.target, edge.kind) for edge in read.estate.edges}
    deploy = f"pipeline:{ACCOUNT}:{REGION}:deploy"
    config = f"endpoint-config:{STAGING_CONFIG_ARN}"
    assert (deploy, config, "deploys") in edges
    # Described (no endpoint uses it): the model of its variant configures it.
    model = f"model:arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/fake-model"
    assert (model, config, "configures") in edges
    assert operations(fake).count("DescribeEndpointConfig") == 2  # the endpoint's, and this


def test_the_documents_are_read_lean() -> None:
    fake = FakeWorld()
    read_estate(fake.service(), SCOPE)
    ops = operations(fake)
    assert "GetObject" not in ops  # no evaluation reports
    assert "ListTags" not in ops  # no domain filter: no tags
    # The latest run's listing names the pipeline and says what the estate shows of the run.
    assert "DescribePipeline" not in ops and "DescribePipelineExecution" not in ops
    assert "DescribePipelineDefinitionForExecution" in ops


def test_a_rebuild_reads_again_only_what_changed() -> None:
    fake = world()
    documents = Documents()
    first = read_estate(fake.service(), SCOPE, document_for=documents)
    assert sorted(documents.read) == ["deploy", "prep"]

    since = len(fake.order)
    again = read_estate(fake.service(), SCOPE, document_for=documents, known=first.known)
    # Only the listings (and the change feed, which cannot decide: no bucket cache, so the
    # buckets are read again); no Describe* (models, packages, endpoints, configs unchanged).
    assert not again.reused
    assert {op for op in operations(fake, since) if not op.startswith("List")} - {
        "LookupEvents"} <= {
        "ListBuckets", "GetBucketLocation", "GetBucketEncryption", "GetBucketVersioning",
        "GetPublicAccessBlock", "GetBucketTagging", "GetBucketPolicyStatus",
        "GetBucketLifecycleConfiguration", "GetObjectLockConfiguration", "GetMacieSession",
        "GetFindingStatistics"}  # no bucket cache given: read again
    assert sorted(documents.read) == ["deploy", "prep"]
    assert again.estate.to_dict()["edges"] == first.estate.to_dict()["edges"]

    # prep ran again, and the endpoint changed: those two are read again, nothing else.
    fake.answers["ListPipelines"] = listing(
        "prep", "deploy", ran={"prep": STARTED + timedelta(hours=1)})
    endpoints = fake.answers["ListEndpoints"]
    assert isinstance(endpoints, Mapping)
    fake.answers["ListEndpoints"] = {"Endpoints": [
        {**endpoints["Endpoints"][0], "LastModifiedTime": STARTED + timedelta(hours=2)}]}
    since = len(fake.order)
    read_estate(fake.service(), SCOPE, document_for=documents, known=again.known)
    assert sorted(documents.read) == ["deploy", "prep", "prep"]
    described = [op for op in operations(fake, since) if op.startswith("Describe")]
    assert described == ["DescribeEndpoint"]
