"""The estate's change feed over real HTTP (issue 12, row 9): on a sandbox where nothing is in
flight (the generated estate alone), a rebuild with nothing changed is one CloudTrail
``LookupEvents`` and the same estate; a new execution, which CloudTrail records, makes the
next rebuild read that pipeline again, and the one after is the feed alone again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboard.server.app import create_app
from dashboard.server.limits import LIMITS_OFF
from lineage.sandbox import SandboxProcess
from lineage.sandbox.world.generated import generated_name
from tests.api.conftest import sandbox_env
from tests.conftest import StartSandbox

pytestmark = pytest.mark.sandbox

REGION = "ap-northeast-2"
LIST_TTL_SEC = 1
SCOPE = {"region": REGION}


@pytest.fixture
def generated(start_sandbox: StartSandbox) -> SandboxProcess:
    return start_sandbox(estate_size=5, seed_world=False)


@pytest.fixture
def client(generated: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    for key, value in sandbox_env(generated).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LINEAGE_CACHE_TTL_LISTS_SEC", str(LIST_TTL_SEC))
    app = create_app({"CACHE_TYPE": "SimpleCache", **LIMITS_OFF})
    with app.server.test_client() as test_client:
        yield test_client


def built(client: FlaskClient, previous: str | None = None) -> dict[str, Any]:
    """The estate once an answer without progress, newer than ``previous``, comes."""
    deadline = time.monotonic() + 60
    while True:
        answer = client.get("/estate", query_string=SCOPE)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        document: dict[str, Any] = answer.get_json()
        if "progress" not in document and document["generatedAt"] != previous:
            return document
        assert time.monotonic() < deadline, "the estate was not rebuilt"
        time.sleep(0.2)


def rebuilt(client: FlaskClient, sandbox: SandboxProcess,
            previous: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The estate rebuilt once its list TTL has passed, and the operations that took."""
    sandbox.reset_calls()
    time.sleep(LIST_TTL_SEC + 0.2)
    document = built(client, previous["generatedAt"])
    return document, [f"{c['service']}:{c['operation']}" for c in sandbox.calls()]


def test_an_unchanged_estate_costs_one_lookup_and_a_new_run_one_pipeline(
    client: FlaskClient, generated: SandboxProcess
) -> None:
    cold = built(client)
    assert len([n for n in cold["nodes"] if n["kind"] == "pipeline"]) == 5

    same, calls = rebuilt(client, generated, cold)
    assert calls == ["cloudtrail:LookupEvents"]
    assert same["nodes"] == cold["nodes"] and same["edges"] == cold["edges"]
    assert same["generatedAt"] > cold["generatedAt"]

    from lineage.aws import ClientFactory
    from lineage.config import Settings
    from lineage.sandbox import environment_overridden

    changed = generated_name(2)
    with environment_overridden(generated.environment()):
        sagemaker = ClientFactory(Settings()).client("sagemaker", REGION)
        sagemaker.start_pipeline_execution(PipelineName=changed)
    after, calls = rebuilt(client, generated, same)
    assert "sagemaker:ListPipelines" in calls
    # Only the pipeline that ran again is read again (its new run's definition).
    assert calls.count("sagemaker:DescribePipelineDefinitionForExecution") == 1

    quiet, calls = rebuilt(client, generated, after)
    assert calls == ["cloudtrail:LookupEvents"]
    assert quiet["nodes"] == after["nodes"]
