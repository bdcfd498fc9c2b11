"""``POST /_sandbox/faults``: the faults of a running sandbox replaced, as ``--faults`` reads them.

Real HTTP against a sandbox of this module's own (no world: its calls need none), through
boto3 for the calls the faults apply to and raw requests for the control answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from lineage.sandbox import FaultSpecError, SandboxOptions, SandboxProcess, parse_faults
from tests.sandbox.awsraw import list_pipelines_outcomes
from tests.sandbox.clients import client

pytestmark = pytest.mark.sandbox

GOOD = "deny=sagemaker:ListPipelines,s3:GetBucketEncryption;throttle=0.25;seed=7"


@pytest.fixture(scope="module")
def own() -> Iterator[SandboxProcess]:
    with SandboxProcess(SandboxOptions(seed_world=False)) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(own: SandboxProcess) -> Iterator[SandboxProcess]:
    """``own`` without faults before and after each test."""
    own.set_faults("")
    yield own
    own.set_faults("")


def post(sandbox: SandboxProcess, body: Any, *, raw: bytes | None = None) -> requests.Response:
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(sandbox.endpoint + "/_sandbox/faults", data=data, timeout=10,
                         headers={"Content-Type": "application/json"})


def test_a_good_spec_replaces_the_faults_and_is_answered_as_read(sandbox: SandboxProcess) -> None:
    response = post(sandbox, {"faults": f" {GOOD} "})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    # Read back as --faults reads it: sorted, normalised, the same spec.
    assert response.json() == {"faults": parse_faults(GOOD).to_spec()}
    assert sandbox.health()["faults"] == parse_faults(GOOD).to_spec()
    assert sandbox.faults() == parse_faults(GOOD)
    # The client's own call: a spec or a FaultSpec, answered with what the sandbox holds.
    assert sandbox.set_faults("throttle=0.5") == parse_faults("throttle=0.5")
    assert sandbox.set_faults(parse_faults(GOOD)) == parse_faults(GOOD)
    assert sandbox.set_faults("") == parse_faults("")
    assert sandbox.health()["faults"] == ""


@pytest.mark.parametrize(("body", "message"), [
    ({"faults": "throttle=2"}, "faults: throttle must be between 0 and 1, not 2"),
    ({"faults": "nope=1"}, "faults: unknown fault 'nope' (known: throttle, deny, seed)"),
    ({"faults": "deny=GetBucketEncryption"},
     "faults: deny wants service:Operation, not 'GetBucketEncryption'"),
    ({"faults": "throttle=0.1;throttle=0.2"},
     "faults: conflicting faults throttle=0.1 and throttle=0.2"),
    ({"faults": 0.3}, 'the body must be a JSON object {"faults": SPEC}, SPEC a string'),
    ({"throttle": "0.3"}, 'the body must be a JSON object {"faults": SPEC}, SPEC a string'),
    (["throttle=0.3"], 'the body must be a JSON object {"faults": SPEC}, SPEC a string'),
    (b"throttle=0.3", "the body is not JSON"),
    (b"", 'the body must be a JSON object {"faults": SPEC}'),
])
def test_a_bad_spec_is_a_400_saying_why_and_changes_nothing(
    sandbox: SandboxProcess, body: Any, message: str
) -> None:
    sandbox.set_faults(GOOD)
    response = post(sandbox, body, raw=body if isinstance(body, bytes) else None)
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"message": message}
    assert sandbox.faults() == parse_faults(GOOD)


def test_the_client_raises_the_sandboxs_reason_and_changes_nothing(
    sandbox: SandboxProcess,
) -> None:
    sandbox.set_faults("deny=s3:GetBucketTagging")
    with pytest.raises(FaultSpecError, match=r"^faults: throttle must be a number, not 'x'$"):
        sandbox.set_faults("throttle=x")
    assert sandbox.faults() == parse_faults("deny=s3:GetBucketTagging")


def test_only_post_sets_them(sandbox: SandboxProcess) -> None:
    response = requests.get(sandbox.endpoint + "/_sandbox/faults", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "no such control endpoint /_sandbox/faults"}


def test_the_next_call_meets_the_fault_and_none_after_the_reset(sandbox: SandboxProcess) -> None:
    sm, s3 = client(sandbox, "sagemaker", max_attempts=1), client(sandbox, "s3", max_attempts=1)
    assert sm.list_pipelines()["PipelineSummaries"] == []

    sandbox.set_faults("deny=sagemaker:ListPipelines")
    with pytest.raises(ClientError) as info:
        sm.list_pipelines()
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"
    # Only that operation: S3 and the other SageMaker calls are answered by moto.
    assert "Buckets" in s3.list_buckets()
    with pytest.raises(ClientError) as info:
        sm.describe_pipeline(PipelineName="missing")
    assert info.value.response["Error"]["Code"] == "ValidationException"  # moto's own

    sandbox.set_faults("throttle=1")
    with pytest.raises(ClientError) as info:
        s3.list_buckets()
    assert info.value.response["Error"]["Code"] == "SlowDown"

    sandbox.set_faults("")
    assert sm.list_pipelines()["PipelineSummaries"] == []
    assert "Buckets" in s3.list_buckets()
    operations = [call["operation"] for call in sandbox.calls()]
    assert operations[-2:] == ["ListPipelines", "ListBuckets"]  # logged as every call is


def test_faults_set_restores_the_faults_before_even_on_failure(sandbox: SandboxProcess) -> None:
    sm = client(sandbox, "sagemaker", max_attempts=1)
    sandbox.set_faults("deny=s3:GetBucketTagging")
    with pytest.raises(RuntimeError, match="the block failed"):
        with sandbox.faults_set("deny=sagemaker:ListPipelines") as applied:
            assert applied == parse_faults("deny=sagemaker:ListPipelines")
            with pytest.raises(ClientError):
                sm.list_pipelines()
            raise RuntimeError("the block failed")
    assert sandbox.faults() == parse_faults("deny=s3:GetBucketTagging")
    assert sm.list_pipelines()["PipelineSummaries"] == []


def test_throttling_set_again_throttles_the_same_calls(sandbox: SandboxProcess) -> None:
    def outcomes(spec: str) -> list[str]:
        sandbox.set_faults(spec)
        return list_pipelines_outcomes(sandbox.endpoint)

    first = outcomes("throttle=0.3;seed=7")
    assert outcomes("throttle=0.3;seed=7") == first  # the draws start again from the seed
    assert outcomes("throttle=0.3;seed=8") != first
    assert set(first) == {"ok", "ThrottlingException"}
