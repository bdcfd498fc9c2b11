"""The Lambda handler answers every request as the server does: same status, body, headers.

The same requests (every row of the contract, good and bad, every other read endpoint,
CORS preflights and refusals) go to the dashboard's server (``create_app``, API under
``/prod`` as the image is reached) and to the handler as API Gateway's proxy events, in both
payload formats, both on the session's sandbox. Each row is asked of each side once before
it is compared, so both answer from a cache in the same state (``X-Cache`` compared too).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboard.aws_lambda import LambdaApi
from dashboard.server.app import create_app
from lineage.sandbox import SandboxProcess
from lineage.sandbox.world.mlops_history import HISTORY_OUTLIER_ID
from tests.api.lambda_events import HOST, engine_on, function_on, http_event, rest_event
from tests.reliability.inprocess import REGION

pytestmark = pytest.mark.sandbox

ORIGIN = "https://lineage-ui.example"
OLDER_RUN = "q7v2m9k3x1ab"  # mlops-pipeline's first run: an older definition
# What a second asking legitimately changes: the time of the answer, a running step's
# elapsed time, and ids made per request.
VOLATILE_KEYS = {"generatedAt", "asOf", "elapsedSec", "requestId"}
VOLATILE_HEADERS = {"content-length", "date", "server"}
# Headers compared by presence: ids, and the rate limit's counters and clock (each side
# counts its own clients' requests).
PRESENT_HEADERS = {"x-request-id", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"}
REQUEST_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Row:
    path: str
    query: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = (("Accept", "application/json"),)
    body: bytes = b""
    expected: int = 200
    skip_keys: frozenset[str] = field(default_factory=frozenset)

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} {self.path}{'?' + query if query else ''} -> {self.expected}"


def get(path: str, expected: int = 200, **query: str) -> Row:
    return Row(path, tuple(query.items()), expected=expected)


JSON = (("Accept", "application/json"),)
ROWS = [
    # The contract's rows: the seed's own request first.
    get("/lineage", pipeline="mlops-pipeline", includeLatestExec="true", region=REGION),
    get("/lineage", pipeline="mlops-pipeline"),
    get("/lineage", pipeline="mlops-pipeline", includeLatestExec="false"),
    get("/lineage", pipeline="mlops-pipeline", execution=OLDER_RUN),
    get("/lineage", pipeline="churn-pipeline", includeLatestExec="YES"),
    get("/lineage", 400),
    get("/lineage", 400, pipeline=""),
    get("/lineage", 400, pipeline="bad name!"),
    get("/lineage", 400, pipeline="mlops-pipeline", region="mars-north-1"),
    get("/lineage", 400, pipeline="mlops-pipeline", includeLatestExec="maybe"),
    get("/lineage", 400, pipeline="mlops-pipeline", execution="not an id"),
    get("/lineage", 404, pipeline="no-such-pipeline"),
    get("/lineage", 404, pipeline="mlops-pipeline", domain="no-such-domain"),
    get("/lineage", 404, pipeline="mlops-pipeline", execution="zzzzzzzzzzzz"),
    Row("/lineage", (("pipeline", "churn-pipeline"), ("pipeline", "mlops-pipeline"))),
    # The other read endpoints.
    # The sibling API's (lineage.sibling), as its frontend asks them.
    get("/lineage", pipeline="mlops-pipeline", region=REGION, view="both",
        includeLatestExec="true", domain="ml-platform"),
    get("/lineage", pipeline="churn-pipeline", view="data"),
    get("/lineage", 400, pipeline="mlops-pipeline", view="graph"),
    get("/sagemaker/pipelines", regions=REGION, includeLatestExec="true"),
    get("/sagemaker/pipelines", regions="us-east-1", domainName="ml-platform"),
    get("/sagemaker/pipelines", 400, regions="nowhere"),
    get("/lineage/by-domain", region=REGION, domain="ml-platform", includeLatestExec="true",
        view="both"),
    get("/lineage/by-domain", 400),
    get("/lineage/by-domain", 404, domain="no-such-domain"),
    get("/schema", pipeline="mlops-pipeline", region=REGION, include_featurestore="true",
        include_sql="true", scan_if_missing="true"),
    get("/lineage/schema", pipeline="mlops-pipeline", region=REGION),
    get("/schema", 400, pipeline="mlops-pipeline", include_sql="maybe"),
    get("/lineage/schema", 404, pipeline="no-such-pipeline"),
    get("/lineage", pipeline="mlops-pipeline", format="openlineage"),
    get("/lineage", 400, pipeline="mlops-pipeline", format="xml"),
    get("/pipelines"),
    get("/pipelines", region="us-east-1"),
    get("/pipelines", 400, region="nowhere"),
    get("/executions", pipeline="mlops-pipeline", limit="5"),
    get("/executions", pipeline="mlops-pipeline", status="Failed"),
    get("/executions", 400, pipeline="mlops-pipeline", limit="0"),
    get("/executions", 400, pipeline="mlops-pipeline", token="forged"),
    get("/regions"),
    get("/estate", region="us-east-1"),
    get("/estate", 400, region="us-east-1", depth="99"),
    get("/impact", region="us-east-1", bucket="nlp-corpus-use1"),
    get("/impact", 400, region="us-east-1", uri="http://not-s3"),
    get("/provenance", 404, region="us-east-1", endpoint="no-such-endpoint"),
    get("/findings", pipeline="churn-pipeline"),
    get("/findings", pipeline="churn-pipeline", format="csv"),
    get("/findings", 400, pipeline="churn-pipeline", format="pdf"),
    get("/compare", pipeline="mlops-pipeline", a=OLDER_RUN, b=HISTORY_OUTLIER_ID),
    get("/compare", 400, pipeline="mlops-pipeline", a=OLDER_RUN),
    get("/timeline", pipeline="mlops-pipeline", execution=HISTORY_OUTLIER_ID),
    get("/trends", pipeline="churn-pipeline", last="10"),
    get("/trends", 400, pipeline="churn-pipeline", last="1000"),
    get("/healthz"),
    get("/readyz"),
    Row("/openapi.json", skip_keys=frozenset({"servers"})),  # where each is mounted: below
    # CORS: an allowed origin, its preflight, another origin, the opaque one.
    Row("/lineage", (("pipeline", "churn-pipeline"),), headers=(*JSON, ("Origin", ORIGIN))),
    Row("/lineage", method="OPTIONS", expected=200, headers=(
        ("Origin", ORIGIN), ("Access-Control-Request-Method", "GET"),
        ("Access-Control-Request-Headers", "x-request-id"))),
    Row("/pipelines", headers=(*JSON, ("Origin", "https://evil.example"))),
    Row("/pipelines", headers=(*JSON, ("Origin", "null"))),
    # A client's own request id is echoed when it is strict, dropped when not.
    Row("/regions", headers=(*JSON, ("X-Request-Id", "c0ffee00-1234-5678-9abc-def012345678"))),
    Row("/regions", headers=(*JSON, ("X-Request-Id", "<script>"))),
    # Refusals: no such path, no such method, a body too large.
    get("/nope", 404),
    get("/lineage/extra", 404),
    Row("/lineage", method="POST", expected=405, body=b"{}",
        headers=(*JSON, ("Content-Type", "application/json"))),
    Row("/lineage", method="DELETE", expected=405, headers=(*JSON, ("Origin", ORIGIN))),
    Row("/pipelines", method="POST", expected=413, body=b"x" * 70_000,
        headers=(*JSON, ("Content-Type", "application/json"))),
]


def normalised(body: Any, skip: frozenset[str] = frozenset()) -> Any:
    if isinstance(body, dict):
        return {k: normalised(v) for k, v in body.items()
                if k not in VOLATILE_KEYS and k not in skip}
    if isinstance(body, list):
        return [normalised(v) for v in body]
    return body


@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def compared(self, row: Row) -> tuple[int, dict[str, list[str]], Any]:
        headers = {k.lower(): ["present"] if k.lower() in PRESENT_HEADERS else sorted(v)
                   for k, v in self.headers.items() if k.lower() not in VOLATILE_HEADERS}
        # Each side's own id: present, the server's format, never the client's.
        (rid,) = self.headers.get("X-Request-Id") or [""]
        assert REQUEST_ID.fullmatch(rid), (row, self.headers)
        content_type = (self.headers.get("Content-Type") or [""])[0]
        if content_type.startswith("application/json"):
            return self.status, headers, normalised(json.loads(self.body), row.skip_keys)
        return self.status, headers, self.body


def from_flask(client: FlaskClient, row: Row) -> Answer:
    response = client.open(
        "/prod" + row.path, method=row.method, query_string=list(row.query),
        headers=list(row.headers), data=row.body or None,
        base_url=f"https://{HOST}",
    )
    headers: dict[str, list[str]] = {}
    for name, value in response.headers.items():
        headers.setdefault(name, []).append(value)
    return Answer(response.status_code, headers, response.get_data())


def from_lambda(function: LambdaApi, row: Row, version: str) -> Answer:
    make = rest_event if version == "1.0" else http_event
    event = make(row.method, row.path, row.query, row.headers, row.body)
    result = function(copy.deepcopy(event), None)
    json.dumps(result)  # what Lambda sends back to API Gateway must serialise
    body = result["body"].encode()
    if version == "1.0":
        headers = result["multiValueHeaders"]
        assert "headers" not in result
    else:
        headers = {name: [value] for name, value in result["headers"].items()}
    assert result["isBase64Encoded"] is False
    return Answer(result["statusCode"], headers, body)


CONFIG = {"CACHE_TYPE": "SimpleCache", "CORS_ORIGINS": (ORIGIN,),
          "LINEAGE_MAX_BODY_BYTES": 65_536}


@pytest.fixture(scope="module")
def flask_client(sandbox: SandboxProcess) -> Iterator[FlaskClient]:
    app = create_app({**engine_on(sandbox.endpoint), **CONFIG, "API_PREFIX": "/prod"})
    client = app.server.test_client()
    deadline = time.monotonic() + 30
    while client.get("/readyz").status_code != 200:  # its warm-up runs on a thread
        assert time.monotonic() < deadline, "the server never became ready"
        time.sleep(0.05)
    yield client


@pytest.fixture(scope="module")
def function(sandbox: SandboxProcess) -> LambdaApi:
    return function_on(sandbox.endpoint, **CONFIG)


def whole(client: FlaskClient, row: Row) -> None:
    """Ask once, and again while the estate's first build answers with its progress."""
    deadline = time.monotonic() + 60
    while True:
        answer = from_flask(client, row)
        if answer.status != 200 or not answer.body.startswith(b"{"):
            return
        if "progress" not in json.loads(answer.body):
            return
        assert time.monotonic() < deadline, f"{row}: the estate never became whole"
        time.sleep(0.2)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_the_handler_answers_as_the_server(
    row: Row, flask_client: FlaskClient, function: LambdaApi
) -> None:
    whole(flask_client, row)
    from_lambda(function, row, "1.0")
    for version in ("1.0", "2.0"):
        server = from_flask(flask_client, row)
        assert server.status == row.expected, (row, server.body[:300])
        handler = from_lambda(function, row, version)
        assert handler.compared(row) == server.compared(row), (row, version)


def test_the_client_request_id_is_echoed_by_both(function: LambdaApi) -> None:
    event = rest_event("GET", "/regions", headers=(("X-Request-Id", "abcdef12-3456"),))
    result = function(event)
    assert result["multiValueHeaders"]["X-Client-Request-Id"] == ["abcdef12-3456"]


def test_the_openapi_document_names_the_stage_it_is_served_under(function: LambdaApi) -> None:
    for event in (rest_event("GET", "/openapi.json"), http_event("GET", "/openapi.json")):
        document = json.loads(function(event)["body"])
        assert document["servers"] == [{"url": "/prod", "description": "this API's stage"}]
        assert "/lineage" in document["paths"]
