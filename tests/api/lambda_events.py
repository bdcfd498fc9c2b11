"""API Gateway's proxy events for a request, made from its documented examples; the function
on a sandbox.

Only what API Gateway fills from the request changes (method, path, stage, query, headers,
cookies, body, source IP); everything else stays as the documentation shows it.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from dashboard.aws_lambda import LambdaApi
from dashboard.core.config import LINEAGE_SERVICE, LINEAGE_SETTINGS
from lineage.aws import ClientFactory
from lineage.config import Settings
from lineage.service import LineageService
from tests.reliability.inprocess import REGION, EndpointSession

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "apigateway"
HOST = "abc123defg.execute-api.ap-northeast-2.amazonaws.com"
STAGE = "prod"
SOURCE_IP = "198.51.100.7"

Pairs = Sequence[tuple[str, str]]


def documented(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


REST_EXAMPLE = documented("rest-v1-proxy-event.json")
HTTP_EXAMPLE = documented("http-v2-event.json")


def _gateway_headers(headers: Pairs) -> list[tuple[str, str]]:
    """What every request through API Gateway carries besides the client's own headers."""
    return [("Host", HOST), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Port", "443"),
            ("X-Forwarded-For", SOURCE_IP), *headers]


def rest_event(method: str, path: str, query: Pairs = (), headers: Pairs = (),
               body: bytes = b"", stage: str = STAGE) -> dict[str, Any]:
    """Payload 1.0 as a REST API's stage sends it: the path without the stage, the query
    decoded into names and values (the last value of each in the single-value maps)."""
    event = copy.deepcopy(REST_EXAMPLE)
    sent = _gateway_headers(headers)
    multi_headers: dict[str, list[str]] = {}
    for name, value in sent:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in query:
        multi_query.setdefault(name, []).append(value)
    event.update(
        resource="/{proxy+}",
        path=path,
        httpMethod=method,
        headers={name: values[-1] for name, values in multi_headers.items()},
        multiValueHeaders=multi_headers,
        queryStringParameters={k: v[-1] for k, v in multi_query.items()} or None,
        multiValueQueryStringParameters=multi_query or None,
        pathParameters={"proxy": path.lstrip("/")},
        **_body(body),
    )
    context = event["requestContext"]
    context.update(httpMethod=method, path=f"/{stage}{path}", stage=stage,
                   resourcePath="/{proxy+}", domainName=HOST)
    context["identity"]["sourceIp"] = SOURCE_IP
    return event


def http_event(method: str, path: str, query: Pairs = (), headers: Pairs = (),
               body: bytes = b"", stage: str = STAGE) -> dict[str, Any]:
    """Payload 2.0 as an HTTP API's named stage sends it: ``rawPath`` with the stage,
    headers lower-cased and joined with commas, cookies apart."""
    event = copy.deepcopy(HTTP_EXAMPLE)
    joined: dict[str, list[str]] = {}
    cookies: list[str] = []
    for name, value in _gateway_headers(headers):
        if name.lower() == "cookie":
            cookies.extend(part.strip() for part in value.split(";"))
        else:
            joined.setdefault(name.lower(), []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in query:
        multi_query.setdefault(name, []).append(value)
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    event.update(
        routeKey="ANY /{proxy+}",
        rawPath=raw_path,
        rawQueryString=urlencode(list(query), quote_via=quote),
        headers={name: ",".join(values) for name, values in joined.items()},
        queryStringParameters={k: ",".join(v) for k, v in multi_query.items()} or None,
        pathParameters={"proxy": path.lstrip("/")},
        **_body(body),
    )
    if cookies:
        event["cookies"] = cookies
    else:
        event.pop("cookies", None)
    if not multi_query:
        event.pop("queryStringParameters")
    context = event["requestContext"]
    context.update(routeKey="ANY /{proxy+}", stage=stage, domainName=HOST)
    context["http"].update(method=method, path=raw_path, sourceIp=SOURCE_IP)
    return event


def _body(body: bytes) -> dict[str, Any]:
    if not body:
        return {"body": None, "isBase64Encoded": False}
    try:
        return {"body": body.decode("utf-8"), "isBase64Encoded": False}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}


def engine_on(endpoint: str) -> dict[str, Any]:
    """The settings and service of an app whose AWS is ``endpoint`` (this process's env kept)."""
    settings = Settings(default_region=REGION)
    service = LineageService(settings, ClientFactory(settings, lambda: EndpointSession(endpoint)))
    return {LINEAGE_SETTINGS: settings, LINEAGE_SERVICE: service}


def function_on(endpoint: str, **config: Any) -> LambdaApi:
    """A new execution environment's function on ``endpoint``, warmed as Lambda's init does."""
    function = LambdaApi({**engine_on(endpoint), **config})
    function.warm()
    return function
