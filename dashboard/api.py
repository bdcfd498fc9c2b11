"""The JSON API: a blueprint of thin views over the memoised service functions.

``/lineage`` follows ``CONTRACT.md`` exactly (parameters, messages, error bodies, CORS);
``/pipelines``, ``/executions``, ``/regions``, ``/healthz`` and ``/openapi.json`` are ours.
Error bodies never carry AWS's raw text or a trace: the log has the trace under the request id.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from dashboard.caching import CachedLineage, RequestStats, Served
from dashboard.config import ENV_CORS_ORIGINS
from dashboard.openapi import openapi_document
from lineage.aws import sagemaker_regions
from lineage.catalog import parse_executions_request, parse_pipelines_request
from lineage.config import Settings, parse_bool
from lineage.errors import (
    AwsError,
    AwsThrottled,
    DefinitionError,
    InvalidParameter,
    LineageError,
)
from lineage.request import parse_lineage_request

logger = logging.getLogger("dashboard.errors")

EXTENSION = "sagemaker_lineage"
INTERNAL_ERROR = "internal error"
# Headers a browser may read from a cross-origin answer, and send in a preflighted request.
EXPOSED_HEADERS = "X-Request-Id, Retry-After"
ALLOWED_HEADERS = "X-Request-Id"
PREFLIGHT_MAX_AGE_SEC = "600"

bp = Blueprint("api", __name__)


@dataclass(frozen=True)
class ApiState:
    """What the views need, kept on ``app.extensions[EXTENSION]``."""

    settings: Settings
    cached: CachedLineage
    regions: tuple[str, ...]  # what /regions offers and region=all means
    sandbox: bool


def state() -> ApiState:
    api_state: ApiState = current_app.extensions[EXTENSION]
    return api_state


# -- views --------------------------------------------------------------------------------------


@bp.get("/lineage")
def lineage() -> Response:
    api = state()
    lineage_request = parse_lineage_request(
        request.args, settings=api.settings, regions=sagemaker_regions()
    )
    g.log_region = lineage_request.region
    return _served(api.cached.lineage(lineage_request, refresh=_refresh(), stats=_stats()))


@bp.get("/pipelines")
def pipelines() -> Response:
    api = state()
    wanted = parse_pipelines_request(
        request.args, settings=api.settings, regions=sagemaker_regions(), offered=api.regions
    )
    g.log_region = ",".join(wanted.regions)
    return _served(
        api.cached.pipelines(wanted.regions, wanted.domain, refresh=_refresh(), stats=_stats())
    )


@bp.get("/executions")
def executions() -> Response:
    api = state()
    wanted = parse_executions_request(
        request.args, settings=api.settings, regions=sagemaker_regions()
    )
    g.log_region = wanted.region
    served = api.cached.executions(
        wanted.pipeline, wanted.region, wanted.limit, refresh=_refresh(), stats=_stats()
    )
    return _served(served)


@bp.get("/regions")
def regions() -> Response:
    api = state()
    return jsonify({"regions": list(api.regions), "default": api.settings.default_region})


@bp.get("/healthz")
def healthz() -> Response:
    # Liveness only: never calls AWS, so an AWS outage does not restart healthy servers.
    return jsonify({"status": "ok", "sandbox": state().sandbox})


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(current_app.config))


# -- errors -------------------------------------------------------------------------------------


@bp.errorhandler(LineageError)
def lineage_error(exc: LineageError) -> tuple[Response, int]:
    status = exc.http_status
    if status < 500:  # 400 names the parameter; 404 says what is missing
        return jsonify({"message": exc.message}), status
    if isinstance(exc, AwsError):
        code = exc.code
    elif isinstance(exc, DefinitionError):
        code = "InvalidDefinition"
    else:  # e.g. a ConfigError: ours, not the client's nor AWS's
        return internal_error(exc)
    response = jsonify({"message": exc.message, "code": code, "requestId": g.get("request_id")})
    if isinstance(exc, AwsThrottled):
        response.headers["Retry-After"] = str(exc.retry_after_sec)
    return response, status


@bp.errorhandler(Exception)
def internal_error(exc: Exception) -> tuple[Response, int]:
    if isinstance(exc, HTTPException):
        if exc.code == 429:  # dashboard.limits; flask-limiter adds Retry-After
            message = f"too many requests: at most {exc.description} per client; retry later"
            return jsonify({"message": message}), 429
        return jsonify({"message": exc.description or exc.name}), exc.code or 500
    request_id = g.get("request_id")
    logger.error(
        "unhandled error in request %s",
        request_id,
        extra={"fields": {"event": "error", "message": f"unhandled error in request {request_id}",
                          "requestId": request_id, "error": type(exc).__name__,
                          "trace": safe_trace(exc)}},
    )
    return jsonify({"message": INTERNAL_ERROR, "requestId": request_id}), 500


def safe_trace(exc: BaseException) -> str:
    """The trace of ``exc`` and its causes, without AWS's own error text.

    botocore's ``ClientError`` prints AWS's message (ARNs, account ids, principal names):
    the log keeps its error code and operation only.
    """
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines = traceback.format_tb(current.__traceback__)
        parts.append("".join(["Traceback (most recent call last):\n", *lines,
                              f"{_qualified(current)}: {_safe_message(current)}\n"]))
        if current.__cause__ is not None:
            current = current.__cause__
            link = "The above exception was the direct cause of the following exception:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current = current.__context__
            link = "During handling of the above exception, another exception occurred:"
        else:
            break
        parts.append(f"\n{link}\n\n")
    # format_exception order: the root cause first.
    return redact("".join(_pairs_reversed(parts)))


# AWS access key ids (long-term AKIA, temporary ASIA); secrets are redacted by value.
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def redact(text: str) -> str:
    """``text`` without AWS key ids or this process's secret key and session token."""
    text = ACCESS_KEY_ID.sub(lambda m: f"{m.group(1)}****", text)
    for name in SECRET_VARIABLES:
        secret = os.environ.get(name, "")
        if len(secret) >= 8:
            text = text.replace(secret, "****")
    return text


def _pairs_reversed(parts: list[str]) -> list[str]:
    traces, links = parts[0::2], parts[1::2]
    ordered: list[str] = []
    for index, trace in enumerate(reversed(traces)):
        ordered.append(trace)
        if index < len(links):
            ordered.append(list(reversed(links))[index])
    return ordered


def _qualified(exc: BaseException) -> str:
    kind = type(exc)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _safe_message(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "?")
        return f"{code} from {exc.operation_name} (AWS's message withheld)"
    return redact(str(exc))


# -- CORS (CONTRACT.md: GET from any origin unless CORS_ORIGINS narrows it; no credentials) --


@bp.after_request
def cors(response: Response) -> Response:
    allowed: tuple[str, ...] = tuple(current_app.config.get(ENV_CORS_ORIGINS) or ())
    origin = request.headers.get("Origin")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.vary.add("Origin")
        if origin is None or origin not in allowed:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_SEC
    # Never Access-Control-Allow-Credentials: the API is read-only and public by design.
    return response


# -- helpers ------------------------------------------------------------------------------------


def _stats() -> RequestStats:
    stats: RequestStats = g.stats
    return stats


def _refresh() -> bool:
    raw = request.args.get("refresh")
    if raw is None or raw == "":
        return False
    flag = parse_bool(raw)
    if flag is None:
        raise InvalidParameter("refresh", "refresh must be true, false, 1, 0, yes or no")
    return flag


def _served(served: Served) -> Response:
    response = current_app.response_class(served.body, mimetype="application/json")
    response.headers["X-Cache"] = served.source
    return response


def request_log_fields() -> dict[str, Any]:
    """What the access log adds for API requests (see dashboard.app)."""
    stats: RequestStats | None = g.get("stats")
    return {
        "awsCalls": stats.aws_calls if stats else 0,
        "cache": stats.cache if stats else None,
    }
