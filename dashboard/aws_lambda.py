"""The JSON API as an AWS Lambda function behind API Gateway: ``dashboard.aws_lambda.handler``.

Each proxy event (REST API, payload 1.0; HTTP API, payload 2.0) becomes one WSGI request to
the same Flask server of the API the dashboard's server mounts (``create_api_server``), and
its answer becomes the proxy result: status codes, bodies, headers (CORS, ``X-Request-Id``,
the security headers) and errors are the server's own, never a second implementation.

- The stage is the WSGI ``SCRIPT_NAME`` (``/prod``) and the rest the path, so the API's routes
  need no prefix; a REST API gives the path without the stage, an HTTP API's ``rawPath``
  starts with it unless the stage is ``$default``.
- The client's address is API Gateway's ``sourceIp`` (it saw the connection; a client's
  ``X-Forwarded-For`` is never believed), the scheme ``X-Forwarded-Proto``.
- The server is made, its AWS clients created and its cache tried while the module is
  imported in Lambda (its init phase, once per execution environment, before the first
  request); anywhere else on the first call.
  The cache is flask-caching's per environment (``SimpleCache``) unless ``CACHE_TYPE`` says
  otherwise (``RedisCache`` and ``CACHE_REDIS_URL``: one cache for every environment).
- Lambda freezes the environment between invocations, so nothing is left to a thread: an
  estate's first build is made within its request (no ``progress`` answers to poll).
- An event that is not API Gateway's is a 400 in JSON; nothing escapes as a trace.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

from flask import Flask
from werkzeug.test import run_wsgi_app

from dashboard.server.api_server import create_api_server
from dashboard.server.warmup import warm_up

logger = logging.getLogger("dashboard.aws_lambda")

# Answers whose bytes are text go as they are; anything else base64 (API Gateway decodes it).
TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/xml")
JSON_TYPE = "application/json"
# Headers whose values must not be joined with commas when a list of them arrives.
COOKIE = "cookie"
SET_COOKIE = "set-cookie"
DEFAULT_STAGE = "$default"
# Set by Lambda in every execution environment.
LAMBDA_MARKER = "AWS_LAMBDA_FUNCTION_NAME"


class NotAProxyEvent(ValueError):
    """The event is not an API Gateway proxy event (payload 1.0 or 2.0)."""


@dataclass(frozen=True)
class ProxyRequest:
    """What an API Gateway proxy event asks, in either payload format."""

    version: str  # "1.0" or "2.0": the answer goes back in the same format
    method: str
    script_name: str  # the stage, "/prod", or ""
    path: str  # decoded, without the stage
    query_string: str  # encoded, as a URL carries it
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str
    request_id: str


def parse_event(event: Any) -> ProxyRequest:
    """The request an event describes; :class:`NotAProxyEvent` when it is not one."""
    if not isinstance(event, Mapping):
        raise NotAProxyEvent("the event is not a JSON object")
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        raise NotAProxyEvent("the event has no requestContext")
    if event.get("version") == "2.0":
        return _parse_v2(event, context)
    return _parse_v1(event, context)


def _parse_v1(event: Mapping[str, Any], context: Mapping[str, Any]) -> ProxyRequest:
    method, path = event.get("httpMethod"), event.get("path")
    if not isinstance(method, str) or not isinstance(path, str):
        raise NotAProxyEvent("the event has no httpMethod and path")
    identity = context.get("identity")
    return ProxyRequest(
        version="1.0",
        method=method.upper(),
        script_name=_stage_prefix(_text(context.get("path")), path),
        path=path,
        query_string=_v1_query(event),
        headers=_v1_headers(event),
        body=_body(event),
        source_ip=_text(identity.get("sourceIp")) if isinstance(identity, Mapping) else "",
        request_id=_text(context.get("requestId")),
    )


def _parse_v2(event: Mapping[str, Any], context: Mapping[str, Any]) -> ProxyRequest:
    http = context.get("http")
    raw_path = event.get("rawPath")
    if not isinstance(http, Mapping) or not isinstance(raw_path, str):
        raise NotAProxyEvent("the event has no requestContext.http and rawPath")
    method = http.get("method")
    if not isinstance(method, str):
        raise NotAProxyEvent("the event has no requestContext.http.method")
    path = unquote(raw_path)
    stage = _text(context.get("stage"))
    script_name = ""
    if stage and stage != DEFAULT_STAGE and (path == f"/{stage}" or path.startswith(f"/{stage}/")):
        script_name, path = f"/{stage}", path[len(stage) + 1 :] or "/"
    headers = [(str(k), str(v)) for k, v in _mapping(event.get("headers")).items()]
    cookies = event.get("cookies")
    if isinstance(cookies, list) and cookies:
        # Payload 2.0 takes the Cookie header apart; it goes back together with "; ".
        headers = [(k, v) for k, v in headers if k.lower() != COOKIE]
        headers.append(("cookie", "; ".join(str(c) for c in cookies)))
    return ProxyRequest(
        version="2.0",
        method=method.upper(),
        script_name=script_name,
        path=path,
        query_string=_text(event.get("rawQueryString")),
        headers=tuple(headers),
        body=_body(event),
        source_ip=_text(http.get("sourceIp")),
        request_id=_text(context.get("requestId")),
    )


def _stage_prefix(full_path: str, path: str) -> str:
    """``/prod`` from ``requestContext.path`` ``/prod/lineage`` and ``path`` ``/lineage``."""
    if full_path and full_path != path and full_path.endswith(path):
        return full_path[: len(full_path) - len(path)].rstrip("/")
    return ""


def _v1_query(event: Mapping[str, Any]) -> str:
    """The query string again: payload 1.0 gives it decoded, as names and their values."""
    multi = _mapping(event.get("multiValueQueryStringParameters"))
    if multi:
        pairs = [(str(k), str(v)) for k, values in multi.items() for v in _listed(values)]
    else:
        pairs = [(str(k), str(v)) for k, v in _mapping(event.get("queryStringParameters")).items()]
    return urlencode(pairs, quote_via=quote)


def _v1_headers(event: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    multi = _mapping(event.get("multiValueHeaders"))
    if multi:
        return tuple((str(k), str(v)) for k, values in multi.items() for v in _listed(values))
    return tuple((str(k), str(v)) for k, v in _mapping(event.get("headers")).items())


def _body(event: Mapping[str, Any]) -> bytes:
    body = event.get("body")
    if not body:
        return b""
    if not isinstance(body, str):
        raise NotAProxyEvent("the event's body is not a string")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except ValueError as exc:
            raise NotAProxyEvent("the event's body is not base64 as isBase64Encoded says") from exc
    return body.encode()


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def wsgi_environ(request: ProxyRequest) -> dict[str, Any]:
    """The WSGI environment of ``request`` (PEP 3333: paths and headers as latin-1 strings)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": _wsgi_str(request.script_name),
        "PATH_INFO": _wsgi_str(request.path),
        "QUERY_STRING": request.query_string,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": request.source_ip or "0.0.0.0",
        "wsgi.version": (1, 0),
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(request.body)),
        "lambda.request_id": request.request_id,
    }
    joined = _grouped((name.lower(), value) for name, value in request.headers)
    for name, values in joined.items():
        value = ("; " if name == COOKIE else ", ").join(values)
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
        elif name != "content-length":  # the body's own length, whatever a header said
            environ["HTTP_" + name.upper().replace("-", "_")] = _wsgi_str(value)
    host = joined.get("host", [""])[0]
    environ["wsgi.url_scheme"] = joined.get("x-forwarded-proto", ["https"])[0].lower()
    environ["SERVER_NAME"] = host.split(":")[0] or "lambda"
    environ["SERVER_PORT"] = joined.get("x-forwarded-port", [""])[0] or (
        "443" if environ["wsgi.url_scheme"] == "https" else "80"
    )
    return environ


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Each header name with its values, in order."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _wsgi_str(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def call_wsgi(server: Flask, environ: dict[str, Any]) -> Answer:
    """Run one request through the server (its own error handling answers every failure)."""
    chunks, status, headers = run_wsgi_app(server.wsgi_app, environ, buffered=True)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return Answer(int(status.split()[0]), tuple(headers.to_wsgi_list()), body)


def proxy_result(answer: Answer, version: str) -> dict[str, Any]:
    """The answer as API Gateway wants it back, in the event's payload format."""
    content_type = next((v for k, v in answer.headers if k.lower() == "content-type"), "")
    text = content_type.startswith(TEXT_TYPES) or content_type.split(";")[0].endswith("+json")
    body = answer.body.decode("utf-8") if text else base64.b64encode(answer.body).decode()
    grouped = _grouped(answer.headers)
    result: dict[str, Any] = {
        "statusCode": answer.status, "body": body, "isBase64Encoded": not text
    }
    if version == "2.0":
        cookies = [v for k, v in answer.headers if k.lower() == SET_COOKIE]
        result["headers"] = {
            k: ", ".join(v) for k, v in grouped.items() if k.lower() != SET_COOKIE
        }
        if cookies:
            result["cookies"] = cookies
    else:
        result["multiValueHeaders"] = grouped
    return result


def refusal(message: str, version: str = "1.0") -> dict[str, Any]:
    """A 400 for what is not an API Gateway event (a test invoke, a wrong trigger)."""
    body = json.dumps({"message": message})
    headers = (("Content-Type", JSON_TYPE), ("Cache-Control", "no-store"))
    return proxy_result(Answer(400, headers, body.encode()), version)


class LambdaApi:
    """The function: one API server per execution environment, warmed before serving."""

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        # Lambda runs no thread between invocations: a first estate build is the request's.
        self.server, self.parts = create_api_server(config, background_builds=0)

    def warm(self) -> None:
        warm_up(self.parts.service, self.parts.cached, self.parts.readiness)

    def __call__(self, event: Any, context: Any = None) -> dict[str, Any]:
        try:
            request = parse_event(event)
        except NotAProxyEvent as exc:
            logger.warning("not an API Gateway proxy event: %s", exc)
            version = event.get("version") if isinstance(event, Mapping) else None
            return refusal(f"not an API Gateway proxy event: {exc}", str(version or "1.0"))
        return proxy_result(call_wsgi(self.server, wsgi_environ(request)), request.version)


_function: LambdaApi | None = None


def function() -> LambdaApi:
    """This environment's function, made (and warmed) on first use."""
    global _function
    if _function is None:
        made = LambdaApi()
        made.warm()
        _function = made
    return _function


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    """Lambda's entry point."""
    return function()(event, context)


# In Lambda (which sets AWS_LAMBDA_FUNCTION_NAME) the function is made while the module is
# imported, in the environment's init phase; elsewhere (tests, the bench) on first use.
if os.environ.get(LAMBDA_MARKER):
    function()
