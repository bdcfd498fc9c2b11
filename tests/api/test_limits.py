"""What a request may cost: one cache entry per logical request, misses cached briefly, the
per-client AWS-read limit, the refresh cooldown, the concurrency cap and the offered regions.

In-process apps on the session's sandbox (its call log says what reached AWS); the limits
that need several processes are in tests/reliability/test_cost.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import dash
import pytest
from flask.testing import FlaskClient

from dashboard.core.config import LINEAGE_SERVICE
from lineage.aws import ClientFactory
from lineage.config import Settings
from lineage.errors import ConfigError
from lineage.sandbox import SandboxProcess
from lineage.service import LineageService
from tests.reliability.inprocess import REGION, EndpointSession, app_for

pytestmark = pytest.mark.sandbox

PIPELINE = "mlops-pipeline"
# Limits off except the one a test is about: each test states what it relies on.
NO_LIMITS = {
    "LINEAGE_RATE_LIMIT": "off",
    "LINEAGE_FETCH_LIMIT": "off",
    "LINEAGE_REFRESH_COOLDOWN_SEC": "off",
    "LINEAGE_CLIENT_CONCURRENCY": "off",
}


def cached_app(sandbox: SandboxProcess, **config: Any) -> dash.Dash:
    return app_for(sandbox.endpoint, CACHE_TYPE="SimpleCache", **{**NO_LIMITS, **config})


@pytest.fixture
def client(sandbox: SandboxProcess) -> FlaskClient:
    test_client: FlaskClient = cached_app(sandbox).server.test_client()
    return test_client


def executions(client: FlaskClient) -> list[dict[str, Any]]:
    listing: list[dict[str, Any]] = client.get(
        "/executions", query_string={"pipeline": PIPELINE}).get_json()["executions"]
    return listing


# -- one logical request, one entry ------------------------------------------------------------


def test_an_execution_by_id_and_by_arn_is_one_entry(
    client: FlaskClient, sandbox: SandboxProcess
) -> None:
    older = executions(client)[-1]
    first = client.get("/lineage", query_string={"pipeline": PIPELINE, "execution": older["id"]})
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    sandbox.reset_calls()
    for value in (older["arn"], older["id"]):
        for include in ("true", "false"):  # moot once an execution is named
            again = client.get("/lineage", query_string={
                "pipeline": PIPELINE, "execution": value, "includeLatestExec": include})
            assert again.status_code == 200
            assert again.headers["X-Cache"] == "hit"
            assert again.get_json()["execution"]["arn"] == older["arn"]
    assert sandbox.calls() == []


def test_every_limit_is_cut_from_one_of_two_lists(
    client: FlaskClient, sandbox: SandboxProcess
) -> None:
    full = client.get("/executions", query_string={"pipeline": PIPELINE}).get_json()
    sandbox.reset_calls()
    for limit in range(1, 21):
        answer = client.get("/executions", query_string={"pipeline": PIPELINE, "limit": limit})
        assert answer.headers["X-Cache"] == "hit"
        assert answer.get_json()["executions"] == full["executions"][:limit]
    assert sandbox.calls() == []
    for limit in (21, 50, 100):
        client.get("/executions", query_string={"pipeline": PIPELINE, "limit": limit})
    assert sum(c["operation"] == "ListPipelineExecutions" for c in sandbox.calls()) == 1


def test_no_such_pipeline_is_asked_once_then_answered_from_the_cache(
    client: FlaskClient, sandbox: SandboxProcess
) -> None:
    sandbox.reset_calls()
    answers = [client.get("/lineage", query_string={"pipeline": "no-such-pipeline"})
               for _ in range(5)]
    assert [a.status_code for a in answers] == [404] * 5
    assert answers[0].get_json() == answers[-1].get_json()
    assert sum(c["operation"] == "DescribePipeline" for c in sandbox.calls()) == 1


def test_no_such_execution_is_cached_too(client: FlaskClient, sandbox: SandboxProcess) -> None:
    sandbox.reset_calls()
    for _ in range(3):
        answer = client.get("/lineage", query_string={"pipeline": PIPELINE,
                                                     "execution": "nosuchexecution0"})
        assert answer.status_code == 404
    assert sum(c["operation"] == "DescribePipeline" for c in sandbox.calls()) == 1


# -- validation the cache relies on --------------------------------------------------------------


@pytest.mark.parametrize("execution", [
    # Another account's execution of a pipeline of the same name.
    "arn:aws:sagemaker:ap-northeast-2:999999999999:pipeline/mlops-pipeline/execution/{id}",
    # Another partition: no such thing for this region.
    "arn:aws-cn:sagemaker:ap-northeast-2:{account}:pipeline/mlops-pipeline/execution/{id}",
])
def test_an_execution_arn_of_another_account_or_partition_is_refused(
    client: FlaskClient, execution: str
) -> None:
    own = executions(client)[-1]
    account = own["arn"].split(":")[4]
    # Cached under the id first: the foreign ARN must still not be served from it.
    assert client.get("/lineage", query_string={"pipeline": PIPELINE,
                                                "execution": own["id"]}).status_code == 200
    answer = client.get("/lineage", query_string={
        "pipeline": PIPELINE, "execution": execution.format(id=own["id"], account=account)})
    assert answer.status_code == 400
    assert answer.get_json() == {
        "message": "execution does not belong to this pipeline and region"}


@pytest.mark.parametrize("limit", ["\u0661", "\U0001d7d7", "\uff15", "1_0", " 5"])
def test_limit_takes_ascii_digits_only(client: FlaskClient, limit: str) -> None:
    answer = client.get("/executions", query_string={"pipeline": PIPELINE, "limit": limit})
    assert answer.status_code == 400
    assert "limit" in answer.get_json()["message"]


def test_only_the_offered_regions_are_answered(sandbox: SandboxProcess) -> None:
    client = cached_app(sandbox, LINEAGE_REGIONS=("ap-northeast-2",)).server.test_client()
    sandbox.reset_calls()
    for path in ("/lineage?pipeline=nlp-pipeline&region=us-east-1",
                 "/executions?pipeline=nlp-pipeline&region=us-east-1",
                 "/pipelines?region=us-east-1"):
        answer = client.get(path)
        assert answer.status_code == 400, path
        assert "region" in answer.get_json()["message"]
    assert sandbox.calls() == []
    assert client.get("/lineage?pipeline=mlops-pipeline").status_code == 200


# -- the refresh cooldown --------------------------------------------------------------------


def test_a_refresh_goes_once_per_cooldown_and_says_when_the_next_may(
    sandbox: SandboxProcess,
) -> None:
    client = cached_app(sandbox, LINEAGE_REFRESH_COOLDOWN_SEC="30").server.test_client()
    params = {"pipeline": PIPELINE, "refresh": "true"}
    first = client.get("/lineage", query_string=params)
    assert first.headers["X-Cache"] in ("miss", "refresh")
    assert "X-Refresh-After" not in first.headers
    sandbox.reset_calls()
    for _ in range(5):
        again = client.get("/lineage", query_string=params)
        assert again.status_code == 200
        assert again.headers["X-Cache"] == "hit"
        assert 0 < int(again.headers["X-Refresh-After"]) <= 30
        assert again.get_json()["generatedAt"] == first.get_json()["generatedAt"]
    listed = [client.get("/pipelines", query_string={"region": "all", "refresh": "1"})
              for _ in range(3)]
    assert [a.headers.get("X-Refresh-After") is None for a in listed] == [True, False, False]
    assert sum(c["operation"] == "DescribePipeline" for c in sandbox.calls()) == 0


# -- the AWS-read limit --------------------------------------------------------------------------


def test_past_its_aws_reads_a_client_gets_429_but_cached_answers_still_flow(
    sandbox: SandboxProcess,
) -> None:
    client = cached_app(sandbox, LINEAGE_FETCH_LIMIT="3/minute").server.test_client()
    assert client.get("/lineage", query_string={"pipeline": PIPELINE}).status_code == 200
    sandbox.reset_calls()
    statuses = [client.get("/lineage", query_string={"pipeline": f"probe-{i}"}).status_code
                for i in range(6)]
    assert statuses[:2] == [404, 404]  # two reads left of three
    assert set(statuses[2:]) == {429}
    refused = client.get("/lineage", query_string={"pipeline": "probe-9"})
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "cached answers are still served" in refused.get_json()["message"]
    assert sum(c["operation"] == "DescribePipeline" for c in sandbox.calls()) == 2
    hit = client.get("/lineage", query_string={"pipeline": PIPELINE})
    assert hit.status_code == 200 and hit.headers["X-Cache"] == "hit"
    # Another client has its own share.
    other = client.get("/lineage", query_string={"pipeline": "probe-10"},
                       environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 404


def test_compare_and_trends_spend_one_aws_read_each(sandbox: SandboxProcess) -> None:
    """However many documents and definitions they read: the answer is the fetch."""
    client = cached_app(sandbox, LINEAGE_FETCH_LIMIT="2/minute").server.test_client()
    sandbox.reset_calls()
    trends = client.get("/trends", query_string={"pipeline": PIPELINE})
    assert trends.status_code == 200 and trends.headers["X-Cache"] == "miss"
    runs = [run["id"] for run in trends.get_json()["runs"]]
    assert len(runs) >= 2
    compared = client.get("/compare", query_string={"pipeline": PIPELINE, "a": runs[0],
                                                    "b": runs[-1]})
    assert compared.status_code == 200 and compared.headers["X-Cache"] == "miss"
    listed = sum(c["operation"] == "DescribePipelineExecution" for c in sandbox.calls())
    assert listed >= len(runs) + 2  # they did read every run (trends' lean, compare's own)
    refused = client.get("/timeline", query_string={"pipeline": PIPELINE})
    assert refused.status_code == 429
    again = client.get("/trends", query_string={"pipeline": PIPELINE})
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"


def test_the_limits_are_on_by_default(sandbox: SandboxProcess) -> None:
    app = app_for(sandbox.endpoint, CACHE_TYPE="SimpleCache")
    client = app.server.test_client()
    first = client.get("/lineage", query_string={"pipeline": PIPELINE, "refresh": "true"})
    again = client.get("/lineage", query_string={"pipeline": PIPELINE, "refresh": "true"})
    assert "X-Refresh-After" not in first.headers and "X-Refresh-After" in again.headers
    assert first.headers["X-RateLimit-Limit"] == "300"
    statuses = [client.get("/lineage", query_string={"pipeline": f"unknown-{i}"}).status_code
                for i in range(70)]
    assert statuses.count(404) == 60 - 1  # the first request above was one read
    assert set(statuses[59:]) == {429}


# -- the concurrency cap ---------------------------------------------------------------------


class _BlockingService:
    """A service whose answers wait for a gate: requests pile up in flight."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.settings = real.settings
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)

    def get_lineage(self, request: Any, **kwargs: Any) -> Any:
        self.entered.release()
        self.release.wait(10)
        return self.real.get_lineage(request, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def blocking(sandbox: SandboxProcess) -> Iterator[tuple[dash.Dash, _BlockingService]]:
    settings = Settings(default_region=REGION)
    service = _BlockingService(LineageService(
        settings, ClientFactory(settings, lambda: EndpointSession(sandbox.endpoint))))
    app = app_for(sandbox.endpoint, settings, CACHE_TYPE="NullCache",
                  **{**NO_LIMITS, "LINEAGE_CLIENT_CONCURRENCY": "2", LINEAGE_SERVICE: service})
    yield app, service
    service.release.set()


def test_a_client_may_have_only_so_many_requests_in_flight(
    blocking: tuple[dash.Dash, _BlockingService],
) -> None:
    app, service = blocking
    statuses: list[int] = []

    def ask(pipeline: str) -> None:
        statuses.append(app.server.test_client().get(
            "/lineage", query_string={"pipeline": pipeline}).status_code)

    # Two different answers (one answer asked twice would be one fetch, shared).
    held = [threading.Thread(target=ask, args=(name,))
            for name in (PIPELINE, "scale-pipeline")]
    for thread in held:
        thread.start()
    for _ in held:
        assert service.entered.acquire(timeout=10)
    refused = app.server.test_client().get("/lineage", query_string={"pipeline": PIPELINE})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    other = app.server.test_client().get("/healthz")  # not a route that reaches AWS
    assert other.status_code == 200
    service.release.set()
    for thread in held:
        thread.join(10)
    assert statuses == [200, 200]
    after = app.server.test_client().get("/lineage", query_string={"pipeline": PIPELINE})
    assert after.status_code == 200


def test_a_default_region_that_is_not_offered_is_a_config_error(
    sandbox: SandboxProcess,
) -> None:
    with pytest.raises(ConfigError, match="default region ap-northeast-2 .* LINEAGE_REGIONS"):
        cached_app(sandbox, LINEAGE_REGIONS=("us-east-1",))
