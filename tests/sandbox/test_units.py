"""Pure parts of the sandbox: options, request identification, the simulation, the world."""

from __future__ import annotations

import io
from typing import Any

import pytest

from lineage.sandbox.options import FaultSpec, FaultSpecError, SandboxOptions, parse_faults
from lineage.sandbox.protocol import identify, s3_operation
from lineage.sandbox.simulate import (
    Context,
    PipelineRef,
    flatten_steps,
    simulate,
    walk_path,
)
from lineage.sandbox.world import WORLD, ExecutionSpec, at


def test_parse_faults() -> None:
    spec = parse_faults("throttle=0.3; deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob")
    assert spec.throttle == 0.3
    assert spec.deny == {("s3", "GetBucketEncryption"), ("sagemaker", "DescribeTrainingJob")}
    assert parse_faults("seed=9,throttle=1").seed == 9
    assert parse_faults("") == FaultSpec()
    assert parse_faults(spec.to_spec()) == spec
    for bad in ("throttle=2", "throttle=x", "deny=GetObject", "boom=1", "nonsense"):
        with pytest.raises(FaultSpecError):
            parse_faults(bad)


def test_options_to_argv() -> None:
    options = SandboxOptions(latency_ms=40, faults=parse_faults("throttle=0.5"))
    assert options.to_argv() == ["--latency-ms", "40", "--faults", "throttle=0.5"]
    assert SandboxOptions().to_argv() == []
    with pytest.raises(ValueError):
        SandboxOptions(latency_ms=-1)


@pytest.mark.parametrize(
    ("method", "path", "query", "operation"),
    [
        ("GET", "/", "", "ListBuckets"),
        ("GET", "/b", "encryption", "GetBucketEncryption"),
        ("GET", "/b", "versioning", "GetBucketVersioning"),
        ("GET", "/b", "publicAccessBlock", "GetPublicAccessBlock"),
        ("GET", "/b", "tagging", "GetBucketTagging"),
        ("GET", "/b", "location", "GetBucketLocation"),
        ("PUT", "/b", "encryption", "PutBucketEncryption"),
        ("GET", "/b", "list-type=2&prefix=x", "ListObjectsV2"),
        ("HEAD", "/b", "", "HeadBucket"),
        ("PUT", "/b", "", "CreateBucket"),
        ("GET", "/b/k/evaluation.json", "", "GetObject"),
        ("HEAD", "/b/k", "", "HeadObject"),
        ("PUT", "/b/k", "", "PutObject"),
        ("GET", "/b/k", "tagging", "GetObjectTagging"),
        ("POST", "/b/k", "uploads", "CreateMultipartUpload"),
    ],
)
def test_s3_operations(method: str, path: str, query: str, operation: str) -> None:
    assert s3_operation(method, path, query, {}) == operation


def test_identify() -> None:
    auth = (
        "AWS4-HMAC-SHA256 Credential=AKIA/20250303/ap-northeast-2/sagemaker/aws4_request, "
        "SignedHeaders=host, Signature=abc"
    )
    environ: dict[str, Any] = {
        "HTTP_AUTHORIZATION": auth,
        "HTTP_X_AMZ_TARGET": "SageMaker.DescribePipeline",
        "REQUEST_METHOD": "POST",
        "wsgi.input": io.BytesIO(b"{}"),
    }
    call = identify(environ, b"{}")
    assert call is not None and call.to_dict() == {
        "service": "sagemaker",
        "operation": "DescribePipeline",
        "region": "ap-northeast-2",
    }
    assert identify({"PATH_INFO": "/"}, None) is None


def test_resolution() -> None:
    ctx = Context(
        {"Bucket": "b"},
        {"PipelineExecutionId": "abc"},
        {
            "Prep": {
                "ProcessingOutputConfig": {
                    "Outputs": [{"OutputName": "train", "S3Output": {"S3Uri": "s3://b/t"}}]
                }
            }
        },
    )
    joined = ctx.resolve(
        {
            "Std:Join": {
                "On": "/",
                "Values": [
                    "s3:/",
                    {"Get": "Parameters.Bucket"},
                    {"Get": "Execution.PipelineExecutionId"},
                ],
            }
        }
    )
    assert joined == "s3://b/abc"
    assert (
        ctx.resolve({"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"})
        == "s3://b/t"
    )
    assert ctx.resolve({"Get": "Steps.Missing.X"}) == "{Steps.Missing.X}"
    assert ctx.resolve({"Get": "Parameters.Nope"}) == "{Parameters.Nope}"
    assert walk_path({"a": [{"b": 1}]}, "a[0].b") == 1


def test_flatten_includes_nested_branches() -> None:
    steps = flatten_steps(WORLD.pipeline("mlops-pipeline").definition)
    assert [(s.name, s.parent, s.branch) for s in steps] == [
        ("Preprocess", None, None),
        ("Train", None, None),
        ("Evaluate", None, None),
        ("CheckAUC", None, None),
        ("RegisterModel", "CheckAUC", "if"),
        ("CreateModel", "CheckAUC", "if"),
        ("AUCTooLow", "CheckAUC", "else"),
    ]
    assert flatten_steps({"Steps": []}) == []
    assert flatten_steps({}) == []


def test_simulation_is_deterministic_and_consistent_with_the_world() -> None:
    for pipeline in WORLD.pipelines:
        ref = PipelineRef(pipeline.name, pipeline.region)
        for spec in pipeline.executions:
            definition = spec.definition or pipeline.definition
            first = simulate(ref, definition, spec)
            again = simulate(ref, definition, spec)
            assert first.execution == again.execution
            statuses = {s.status for s in first.execution.steps}
            if spec.status == "Succeeded":
                assert statuses == {"Succeeded"}, (pipeline.name, spec.execution_id)
            elif spec.status == "Failed":
                assert "Failed" in statuses
            elif spec.status == "Executing":
                assert statuses & {"Executing", "Starting"}
            elif spec.status == "Stopped":
                assert "Stopped" in statuses


def test_scale_pipeline_shape() -> None:
    scale = WORLD.pipeline("scale-pipeline")
    steps = flatten_steps(scale.definition)
    assert len(steps) >= 120
    buckets = {b.name for b in WORLD.buckets if b.name.startswith("scale-shard-")}
    assert len(buckets) >= 12


def test_odd_definitions_do_not_crash() -> None:
    ref = PipelineRef("odd", "ap-northeast-2")
    spec = ExecutionSpec("oddoddoddodd", "Succeeded", at())
    definitions: list[dict[str, Any]] = [
        {},
        {"Steps": []},
        {"Steps": [{"Name": "A", "Type": "Training", "Arguments": {"OutputDataConfig": "${out}"}}]},
        {
            "Steps": [
                {"Name": "A", "Type": "Processing", "DependsOn": ["B"]},
                {"Name": "B", "Type": "Processing", "DependsOn": ["A"]},
            ]
        },
        {
            "Steps": [
                "junk",
                {"Type": "NoName"},
                {"Name": "C", "Type": "Condition", "Arguments": {"IfSteps": "x"}},
            ]
        },
    ]
    for definition in definitions:
        simulate(ref, definition, spec, all_branches=True)
