"""Estate lineage: assembled from small hand-made documents, and read from the fake AWS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from lineage.errors import AwsAccessDenied, AwsUnavailable
from lineage.estate import Estate, EstateProgress, assemble_estate, document_essentials
from lineage.estate_reader import read_estate, service_documents
from lineage.estate_request import EstateRequest
from tests.lineage.fake_aws import (
    ACCOUNT,
    BUCKET,
    ENDPOINT_ARN,
    ENDPOINT_CONFIG_ARN,
    EXECUTION_ARN,
    MODEL_ARN,
    PACKAGE_ARN,
    PIPELINE,
    PIPELINE_ARN,
    REGION,
    FakeAws,
    FakeWorld,
    Refusing,
)

NOW = datetime(2026, 1, 11, tzinfo=UTC)
OTHER = "222233334444"
ROLE = f"arn:aws:iam::{OTHER}:role/lineage-readonly"


def document(name: str, execution: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "pipeline": {"name": name, "arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{name}"},
        "execution": {"id": execution, "arn": f"arn:x/{execution}"},
        "graph": {"nodes": steps, "edges": [], "artifacts": [
            {"uri": "s3://shared/features/train", "bucket": "shared",
             "s3": {"encryption": "aws:kms", "versioning": "Enabled", "publicAccess": "Blocked",
                    "tags": {}}},
        ]},
    }


def step(name: str, kind: str, inputs: tuple[str, ...] | list[str] = (),
         outputs: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
         **extra: Any) -> dict[str, Any]:
    return {"id": name, "type": kind, "inputs": [{"name": "in", "uri": u} for u in inputs],
            "outputs": [{"name": n, "uri": u} for n, u in outputs], **extra}


def listed(name: str) -> dict[str, Any]:
    return {"name": name, "region": REGION, "account": ACCOUNT,
            "arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{name}",
            "latestExecution": {"id": "e1", "status": "Succeeded"}}


def pid(name: str) -> str:
    return f"pipeline:{ACCOUNT}:{REGION}:{name}"


def test_runs_and_pipelines_meet_in_datasets() -> None:
    prep = [
        document("prep", run, [step("Prep", "Processing", ["s3://raw/events"],
                                     [("train", "s3://shared/features/train")])])
        for run in ("run000000001", "run000000002")
    ]
    train = document("train", "abcdefabcdef", [
        step("Train", "Training", ["s3://shared/features/train/part-0.csv"],
             [("model_artifacts",
               "s3://models/out/pipelines-abcdefabcdef-Train-x/output/model.tar.gz")],
             run={"status": "Succeeded", "jobArn": "arn:aws:sagemaker:r:a:training-job/"
                  "pipelines-abcdefabcdef-train-x"}),
        step("Register", "RegisterModel", registry={"modelPackageArn": PACKAGE_ARN,
                                                     "approvalStatus": "Approved"}),
        step("Deploy", "Endpoint", run={"status": "Succeeded", "jobArn": ENDPOINT_ARN}),
    ])
    estate = assemble_estate(
        pipelines=[listed("prep"), listed("train")],
        documents={pid("prep"): prep, pid("train"): [train]},
        generated_at=NOW,
        progress=EstateProgress(2, 2),
    )
    ids = {node.id for node in estate.nodes}
    assert "dataset:s3://shared/features/train" in ids
    assert "dataset:s3://shared/features/train/part-0.csv" not in ids  # folded into its folder
    assert "dataset:s3://models/out/{job}/output" in ids
    edges = {(e.source, e.target, e.kind): e.steps for e in estate.edges}
    assert edges[(pid("prep"), "dataset:s3://shared/features/train", "writes")] == ("Prep",)
    assert edges[("dataset:s3://shared/features/train", pid("train"), "reads")] == ("Train",)
    assert (pid("train"), f"model-package:{PACKAGE_ARN}", "registers") in edges
    assert edges[(pid("train"), f"endpoint:{ENDPOINT_ARN}", "deploys")] == ("Deploy",)
    shared = estate.node("dataset:s3://shared/features/train")
    assert shared is not None and shared.attributes["s3"]["encryption"] == "aws:kms"
    out = estate.to_dict()
    assert out["progress"] == {"pipelinesRead": 2, "pipelinesTotal": 2}
    assert [n["id"] for n in out["nodes"]] == sorted(n["id"] for n in out["nodes"])
    assert out == assemble_estate(
        pipelines=[listed("train"), listed("prep")],
        documents={pid("train"): [train], pid("prep"): prep},
        generated_at=NOW, progress=EstateProgress(2, 2),
    ).to_dict()  # deterministic whatever the order it was read in
    # What a build keeps of each document between builds draws the same estate.
    assert out == assemble_estate(
        pipelines=[listed("prep"), listed("train")],
        documents={pid("prep"): [document_essentials(d) for d in prep],
                   pid("train"): [document_essentials(train)]},
        generated_at=NOW, progress=EstateProgress(2, 2),
    ).to_dict()


@pytest.fixture
def world() -> Iterator[FakeWorld]:
    world = FakeWorld()
    yield world
    world.release_all()


def test_the_reader_against_the_fake(world: FakeWorld) -> None:
    service = world.service()
    progress: list[EstateProgress] = []
    so_far: list[Estate] = []

    def on_progress(done: EstateProgress, estate: Callable[[], Estate]) -> None:
        progress.append(done)
        so_far.append(estate())  # the first: the listing landed, no document yet

    read = read_estate(service, EstateRequest((REGION,)), on_progress=on_progress)
    estate = read.estate
    assert estate.warnings == () and estate.progress is None
    pipeline = f"pipeline:{ACCOUNT}:{REGION}:{PIPELINE}"
    kinds = {(e.source, e.target, e.kind) for e in estate.edges}
    # The training step's output path s3://BUCKET/models is a dataset: its runs' model
    # artifacts (models/{job}/output) are folded into it.
    model_data = f"dataset:s3://{BUCKET}/models"
    assert (pipeline, model_data, "writes") in kinds
    assert (pipeline, f"model-package:{PACKAGE_ARN}", "registers") in kinds  # GeneratedBy
    assert (model_data, f"model-package:{PACKAGE_ARN}", "packages") in kinds
    assert (f"model-package:{PACKAGE_ARN}", f"model:{MODEL_ARN}", "builds") in kinds
    assert (model_data, f"model:{MODEL_ARN}", "builds") in kinds
    assert (f"model:{MODEL_ARN}", f"endpoint-config:{ENDPOINT_CONFIG_ARN}", "configures") in kinds
    assert (f"endpoint-config:{ENDPOINT_CONFIG_ARN}", f"endpoint:{ENDPOINT_ARN}", "serves") in kinds
    model = estate.node(f"model:{MODEL_ARN}")
    assert model is not None and model.attributes["trainedBy"] == [
        {"pipeline": pipeline, "step": "Train", "execution": EXECUTION_ARN}
    ]
    endpoint = estate.node(f"endpoint:{ENDPOINT_ARN}")
    assert endpoint is not None and endpoint.attributes["status"] == "InService"
    package = estate.node(f"model-package:{PACKAGE_ARN}")
    assert package is not None and package.attributes["approvalStatus"] == "Approved"
    node = estate.node(pipeline)
    assert node is not None and node.attributes["latestExecution"]["status"] == "Succeeded"
    assert progress[-1] == EstateProgress(1, 1)
    assert so_far[0].progress == EstateProgress(0, 1)
    assert so_far[0].node(pipeline) is not None  # listed, drawn before its document came
    # Every document in, the build not ended (bucket settings, risk may be on their way): a
    # snapshot still says progress, so a client polling it asks again for the whole estate.
    assert so_far[-1].progress == EstateProgress(1, 1)
    # The calls ran on the service's bounded pools (threads named after their pool).
    assert read.pipelines_read == 1

    # Unchanged since the last read (same LastExecutionTime/LastModifiedTime): not read again.
    calls_before = sum(api.call_count for api in world.apis)
    again = read_estate(service, EstateRequest((REGION,)), known=read.known)
    assert again.pipelines_read == 0
    assert again.estate.to_dict()["edges"] == estate.to_dict()["edges"]
    new_ops = [op for api in world.apis for op in api.operations][calls_before:]
    assert "sagemaker:DescribePipeline" not in new_ops
    # Nor the models, packages, endpoints and configs whose listing says what it said.
    assert [op for op in new_ops if ":Describe" in op] == []


def test_a_role_that_cannot_be_assumed_is_a_warning(world: FakeWorld) -> None:
    service = world.service(account_roles=(ROLE,))

    def api_for(region: str, role: str | None) -> FakeAws:
        if role is None:
            return world.api(region)
        return FakeAws(region, Refusing(AwsAccessDenied("denied", operation="AssumeRole")))

    read = read_estate(service, EstateRequest((REGION,)), api_for=api_for,
                       document_for=service_documents(service, api_for))
    codes = {(w.code, w.target) for w in read.estate.warnings}
    assert ("ACCOUNT_ACCESS_DENIED", ROLE) in codes
    assert any(node.kind == "pipeline" for node in read.estate.nodes)  # the own account's


def test_a_failing_region_and_a_denied_describe_are_warnings() -> None:
    world = FakeWorld(DescribeModel=AwsAccessDenied("no", operation="DescribeModel"))
    try:
        service = world.service()

        def api_for(region: str, role: str | None) -> FakeAws:
            if region == "us-east-1":
                return FakeAws(region, Refusing(AwsUnavailable("down", operation="x")))
            return world.api(region)

        read = read_estate(service, EstateRequest((REGION, "us-east-1")), api_for=api_for,
                           document_for=service_documents(service, api_for))
    finally:
        world.release_all()
    codes = {w.code for w in read.estate.warnings}
    assert "MODEL_ACCESS_DENIED" in codes
    assert "MODELS_UNAVAILABLE" in codes
    assert any(node.kind == "endpoint" for node in read.estate.nodes)


def test_depth_reads_the_last_executions(world: FakeWorld) -> None:
    seen: list[str | None] = []
    service = world.service()
    documents = service_documents(service)

    def document_for(pipeline: Any, execution: str | None) -> Any:
        seen.append(execution)
        return documents(pipeline, execution)

    read_estate(service, EstateRequest((REGION,), depth=3), document_for=document_for)
    assert seen == [EXECUTION_ARN]  # the fake lists one execution
    assert PIPELINE_ARN
