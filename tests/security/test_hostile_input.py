"""Hostile query strings and paths: a 400 (or 404) with a message, nothing echoed unescaped.

Every parameter of every endpoint gets each hostile value, all else valid (in process, no AWS
is reached: a value that got through would need AWS, which this app has no credentials for).
The same values through the Lambda function, in both of API Gateway's payload formats.
Then raw bytes through gunicorn's own HTTP parser: oversized request lines and headers,
control characters, invalid UTF-8, path traversal towards the assets and Dash bundles, a
20 MB callback body (refused before it is sent), other methods and bodies that are not JSON.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboard.aws_lambda import LambdaApi
from dashboard.core.state import install_state, state
from dashboard.server.app import create_app
from dashboard.server.limits import LIMITS_OFF
from tests.api.conftest import Server, clean_environment, start_gunicorn
from tests.api.lambda_events import http_event, rest_event
from tests.dashboard.conftest import DOCUMENT, FakeCached
from tests.dashpost import CALLBACK_PATH, callback_body, callback_key
from tests.helpers import CapturedLog

# endpoint -> (valid parameters, parameters to attack)
ENDPOINTS = {
    "/lineage": ({"pipeline": "mlops-pipeline"},
                 ["pipeline", "region", "includeLatestExec", "domain", "execution", "view",
                  "format", "refresh"]),
    "/pipelines": ({"region": "ap-northeast-2"}, ["region", "domain", "refresh"]),
    # The sibling API's (lineage.sibling), for its frontend.
    "/sagemaker/pipelines": ({"regions": "ap-northeast-2"},
                             ["regions", "includeLatestExec", "name", "domainName", "domainId",
                              "refresh"]),
    "/lineage/by-domain": ({"domain": "ml-platform", "region": "ap-northeast-2"},
                           ["domain", "region", "includeLatestExec", "view", "refresh"]),
    "/schema": ({"pipeline": "mlops-pipeline", "region": "ap-northeast-2"},
                ["pipeline", "region", "include_featurestore", "include_sql", "scan_if_missing",
                 "refresh"]),
    "/lineage/schema": ({"pipeline": "mlops-pipeline"},
                        ["pipeline", "region", "include_featurestore", "refresh"]),
    "/executions": ({"pipeline": "mlops-pipeline"},
                    ["pipeline", "region", "limit", "parameters", "status", "token", "refresh"]),
    "/estate": ({"region": "ap-northeast-2"}, ["region", "account", "domain", "depth", "refresh"]),
    # A second location or name is refused too: exactly one is asked for.
    "/impact": ({"uri": "s3://customer-features-apne2/features/"},
                ["uri", "bucket", "region", "account", "depth"]),
    "/provenance": ({"endpoint": "churn-prod"},
                    ["endpoint", "model", "modelPackage", "region", "account", "depth"]),
    # With a pipeline, so that execution is checked as /lineage checks it (the estate's
    # account and depth are /estate's checks, refused here with a pipeline).
    "/findings": ({"pipeline": "mlops-pipeline", "region": "ap-northeast-2"},
                  ["pipeline", "region", "execution", "domain", "account", "depth", "severity",
                   "format", "refresh"]),
    "/compare": ({"pipeline": "mlops-pipeline", "a": "q7v2m9k3x1ab", "b": "r3a5pd8rmk8r"},
                 ["pipeline", "region", "a", "b", "refresh"]),
    "/timeline": ({"pipeline": "mlops-pipeline"}, ["pipeline", "region", "execution", "refresh"]),
    "/trends": ({"pipeline": "mlops-pipeline"}, ["pipeline", "region", "last", "refresh"]),
}
HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "traversal": "../../../../etc/passwd",
    "encoded-traversal": "..%2f..%2f..%2fetc%2fpasswd",
    "windows-traversal": "..\\..\\windows\\win.ini",
    "oversized": "a" * 3000,
    "nul": "mlops\x00pipeline",
    "crlf": "mlops\r\nSet-Cookie: owned=1",
    "escape": "\x1b[31mred",
    "unicode": "ünïcödé-pïpeline",
    "emoji": "pipeline-\U0001f600",
    "rtl-override": "pipe\u202eenil",
    "sql": "' OR 1=1 --",
    "template": "${jndi:ldap://127.0.0.1/x}{{7*7}}",
    "spaces": " mlops-pipeline ",
}
CASES = [
    (path, parameter, name)
    for path, (_, parameters) in ENDPOINTS.items()
    for parameter in parameters
    for name in HOSTILE
]


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    # Hundreds of requests from one address: the limits would answer 429 before the checks.
    test_client: FlaskClient = create_app(
        {"CACHE_TYPE": "NullCache", **LIMITS_OFF}).server.test_client()
    return test_client


@pytest.mark.parametrize(("path", "parameter", "name"), CASES)
def test_hostile_parameter_is_400_naming_it(
    client: FlaskClient, path: str, parameter: str, name: str
) -> None:
    valid, _ = ENDPOINTS[path]
    value = HOSTILE[name]
    response = client.get(path, query_string={**valid, parameter: value})
    assert response.status_code == 400, response.text
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_json()
    assert list(body) == ["message"]
    assert parameter in body["message"]
    text = response.get_data(as_text=True)
    assert value not in text and "<" not in text and "\x00" not in text


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_parameter_filter_name_is_400(client: FlaskClient, name: str) -> None:
    """/executions' param.NAME=VALUE: NAME is a pipeline parameter's name or a 400."""
    response = client.get("/executions", query_string={"pipeline": "mlops-pipeline",
                                                       f"param.{HOSTILE[name]}": "x"})
    assert response.status_code == 400, response.text
    assert "param." in response.get_json()["message"]
    text = response.get_data(as_text=True)
    assert HOSTILE[name] not in text and "<" not in text and "\x00" not in text


# A parameter's value may hold any text (a pipeline's String parameter): only what no value
# may hold is refused, naming the filter.
@pytest.mark.parametrize("name", ["oversized", "nul", "crlf", "escape"])
def test_a_hostile_parameter_filter_value_is_400(client: FlaskClient, name: str) -> None:
    response = client.get("/executions", query_string={
        "pipeline": "mlops-pipeline", "param.TrainingInstanceType": HOSTILE[name]})
    assert response.status_code == 400, response.text
    assert "param.TrainingInstanceType" in response.get_json()["message"]
    assert HOSTILE[name] not in response.get_data(as_text=True)


MALFORMED_QUERIES = [
    "pipeline=%ff%fe",  # not UTF-8
    "pipeline=%00",
    "pipeline=%zz",  # not percent-encoding
    "pipeline=a&pipeline=%3Cscript%3E",  # the first one counts: a is valid, so other params
    "pipeline=" + "%41" * 3000,
    "pipeline=mlops-pipeline&region=%E2%80%AE",
]


@pytest.mark.parametrize("query", MALFORMED_QUERIES)
def test_malformed_query_strings(client: FlaskClient, query: str) -> None:
    response = client.get("/lineage?" + query)
    # a valid first pipeline reaches AWS: without credentials that is a 503, never a 500
    assert response.status_code in (400, 503), response.text
    assert response.mimetype == "application/json"
    assert "<" not in response.get_data(as_text=True)


# -- the same through the Lambda function (dashboard.aws_lambda) -------------------------------


@pytest.fixture(scope="module")
def function() -> LambdaApi:
    return LambdaApi({"CACHE_TYPE": "NullCache", **LIMITS_OFF})


def _through(function: LambdaApi, event: dict[str, Any]) -> tuple[int, str, str]:
    result = function(event)
    headers = result.get("multiValueHeaders") or {
        name: [value] for name, value in result["headers"].items()}
    assert headers["X-Content-Type-Options"] == ["nosniff"]
    return result["statusCode"], headers["Content-Type"][0], result["body"]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_parameters_through_the_function_are_400_naming_them(
    function: LambdaApi, name: str
) -> None:
    value = HOSTILE[name]
    for path, (valid, parameters) in ENDPOINTS.items():
        for parameter in parameters:
            query = list({**valid, parameter: value}.items())
            for event in (rest_event("GET", path, query), http_event("GET", path, query)):
                status, content_type, body = _through(function, event)
                assert (status, content_type) == (400, "application/json"), (path, parameter)
                message = json.loads(body)["message"]
                assert parameter in message
                assert value not in body and "<" not in body and "\x00" not in body


@pytest.mark.parametrize("query", MALFORMED_QUERIES)
def test_malformed_raw_query_strings_through_the_function(
    function: LambdaApi, query: str
) -> None:
    # An HTTP API passes the query string as the client sent it (payload 2.0's rawQueryString).
    event = http_event("GET", "/lineage")
    event["rawQueryString"] = query
    status, content_type, body = _through(function, event)
    assert status in (400, 503), body
    assert content_type == "application/json" and "<" not in body


# -- raw bytes through gunicorn ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("hostile")
    env = clean_environment({"CACHE_TYPE": "NullCache", "AWS_ACCESS_KEY_ID": "",
                             "AWS_SECRET_ACCESS_KEY": ""})
    started = start_gunicorn("dashboard.server.wsgi:server", env, Path(directory) / "server.log",
                             workers=1, threads=2)
    yield started
    started.stop()


def raw(server: Server, request: bytes) -> tuple[int, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
    data = b"".join(chunks)
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def get(path: bytes, *headers: bytes) -> bytes:
    lines = [b"GET " + path + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close", *headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


@pytest.mark.parametrize(
    ("request_bytes", "statuses"),
    [
        # Longer than gunicorn's request line limit (4094): gunicorn answers itself.
        (get(b"/lineage?pipeline=" + b"%3Cscript%3E" * 1000), {400, 414}),
        # Below it but over our parameter limit (2048): our 400.
        (get(b"/lineage?pipeline=" + b"a" * 3000), {400}),
        (get(b"/lineage?pipeline=%3Cscript%3Ealert(1)%3C/script%3E"), {400}),
        (get(b"/lineage?pipeline=\x01\x02"), {400}),
        (get(b"/lineage?pipeline=\xff\xfe"), {400}),
        (get(b"/lineage?pipeline=a b"), {400}),
        (get(b"/healthz", b"X-Big: " + b"x" * 20000), {400, 431}),
        (get(b"/healthz", b"X-Request-Id: <script>alert(1)</script>"), {200}),
    ],
    ids=["line-too-long", "param-too-long", "script", "control", "not-utf8", "space",
         "huge-header", "hostile-request-id"],
)
def test_raw_requests(server: Server, request_bytes: bytes, statuses: set[int]) -> None:
    status, data = raw(server, request_bytes)
    assert status in statuses, data[:500]
    assert b"<script>" not in data and b"\x01" not in data.partition(b"\r\n\r\n")[2]


def post(path: bytes, body: bytes, content_type: bytes, length: int | None = None) -> bytes:
    lines = [b"POST " + path + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close",
             b"Content-Type: " + content_type,
             b"Content-Length: " + str(len(body) if length is None else length).encode()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def json_answer(data: bytes) -> tuple[dict[str, str], object]:
    head, _, body = data.partition(b"\r\n\r\n")
    headers = dict(line.decode().split(": ", 1) for line in head.split(b"\r\n")[1:])
    return {k.lower(): v for k, v in headers.items()}, json.loads(body)


def test_a_20_mb_callback_body_is_refused_before_it_is_read(server: Server) -> None:
    # Only the first 64 KiB are sent: the answer comes without waiting for the rest.
    started = time.monotonic()
    status, data = raw(server, post(b"/_dash-update-component", b"[" + b"0," * 32768,
                                    b"application/json", length=20 * 1024 * 1024))
    assert status == 413, data[:300]
    assert time.monotonic() - started < 5
    headers, body = json_answer(data)
    assert body == {"message": "request body too large"}
    assert headers["content-type"] == "application/json"
    assert len(headers["x-request-id"]) == 32
    assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        (post(b"/_dash-update-component", b"output=x", b"application/x-www-form-urlencoded"),
         415, "the request body must be JSON (Content-Type: application/json)"),
        (post(b"/_dash-update-component", b"{}", b"text/plain"),
         415, "the request body must be JSON (Content-Type: application/json)"),
        (post(b"/lineage?pipeline=mlops-pipeline", b"{}", b"application/json"),
         405, "method not allowed"),
        (b"PUT /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
         b"Content-Length: 0\r\n\r\n", 405, "method not allowed"),
    ],
    ids=["form-callback", "text-callback", "post-lineage", "put-healthz"],
)
def test_bodies_and_methods_no_route_takes(server: Server, request_bytes: bytes, status: int,
                                           message: str) -> None:
    answered, data = raw(server, request_bytes)
    assert answered == status, data[:300]
    headers, body = json_answer(data)
    assert body == {"message": message}
    assert headers["x-content-type-options"] == "nosniff"
    if status == 405:
        assert headers["allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    "path",
    [
        b"/assets/../../../../etc/passwd",
        b"/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
        b"/assets/%2e%2e/%2e%2e/dashboard/app.py",
        b"/assets/..%5c..%5cdashboard%5capp.py",
        b"/_dash-component-suites/dash/../../../../etc/passwd",
        b"/_dash-component-suites/dash/..%2f..%2f..%2fetc%2fpasswd",
        b"/_dash-component-suites/os/path.py",
        b"/_dash-component-suites/dash/dash.py",
        b"/_favicon.ico/../../etc/passwd",
    ],
)
def test_path_traversal_reads_nothing(server: Server, path: bytes) -> None:
    status, data = raw(server, get(path))
    body = data.partition(b"\r\n\r\n")[2]
    assert b"root:" not in body and b"import " not in body and b"def " not in body
    # Dash's catch-all serves the page (200, its own HTML) for unknown page paths; files: never.
    assert status in (200, 400, 404), data[:300]
    if status == 200:
        assert b"<!DOCTYPE html>" in body and b"_dash-config" in body


# -- hostile values in the dashboard's callbacks ---------------------------------------------------
# Every input and state of every server-side callback gets each value, as a well-formed request
# (the malformed ones: tests/dashboard/test_guard.py). Each answers 200 or 204, logs nothing
# above INFO, and reaches the cached service only for a region the server offers.

DASH_VALUES = {
    "dict": {"region": "ap-northeast-2", "pipeline": "mlops-pipeline"},
    "list": ["ap-northeast-2", {"a": 1}],
    "number": 7,
    "bool": True,
    "nested": {"a": [{"b": None}], "shape": {"x": 1}},
    "script": HOSTILE["script"],
    "evil-region": "zz-evil-9",
    "rtl-override": HOSTILE["rtl-override"],
    "oversized": HOSTILE["oversized"],
}


DASH_APP: Any = create_app({"CACHE_TYPE": "NullCache", **LIMITS_OFF})  # many requests
DASH_CACHED = FakeCached(lineage_answer=json.loads(DOCUMENT.read_text(encoding="utf-8")),
                         pipelines_answer={"pipelines": []},
                         executions_answer={"executions": []})
install_state(DASH_APP.server, replace(state(DASH_APP.server), cached=DASH_CACHED))
# (a callback's first output, one of its inputs or states), every server-side callback.
DASH_CASES = [
    (key.removeprefix("..").split("...")[0].removesuffix(".."),
     f"{item['id']}.{item['property']}")
    for key, spec in DASH_APP.callback_map.items() if "callback" in spec
    for item in spec["inputs"] + spec["state"]
]




@pytest.mark.parametrize("value", list(DASH_VALUES))
@pytest.mark.parametrize(("output", "where"), DASH_CASES,
                         ids=[f"{o}<-{w}" for o, w in DASH_CASES])
def test_hostile_values_in_callbacks_are_answered_not_raised(
    output: str, where: str, value: str
) -> None:
    hostile = DASH_VALUES[value]
    body = callback_body(DASH_APP, output, {where: hostile}, changed=[where])
    spec = DASH_APP.callback_map[callback_key(DASH_APP, output)]
    for part in ("inputs", "state"):
        for declared, given in zip(spec[part], body[part], strict=True):
            if declared["id"].startswith("{"):  # a pattern: one match, of a plausible id
                component = {k: "Train" if v == ["ALL"] else v
                             for k, v in json.loads(declared["id"]).items()}
                given.append({"id": component, "property": declared["property"],
                              "value": hostile if where.startswith(declared["id"]) else None})
    warnings = CapturedLog(logging.WARNING)  # the server's lines above INFO
    logging.getLogger("dashboard").addHandler(warnings)
    try:
        response = DASH_APP.server.test_client().post(
            CALLBACK_PATH, data=json.dumps(body), content_type="application/json")
    finally:
        logging.getLogger("dashboard").removeHandler(warnings)
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]
    assert warnings.records == [], [r.getMessage() for r in warnings.records]
    offered = set(state(DASH_APP.server).regions)
    for name, asked, _ in DASH_CACHED.calls:  # (name, request, refresh)
        regions = ({asked.region} if name == "lineage" else
                   set(asked) if name in ("pipelines", "estate") else {asked[1]})
        assert regions <= offered, (name, asked)
