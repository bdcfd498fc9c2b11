"""Errors as JSON answers: each error class says its own status (``lineage.errors``).

A 400 names the parameter, a 404 says what is missing; AWS failures answer their status with
our message, AWS's error code and the request id, never AWS's text; anything unexpected is
``500 {"message": "internal error", "requestId": ...}`` with the trace in the log only.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException

from dashboard.core.logs import safe_trace
from dashboard.core.requests import request_id
from lineage.errors import LineageError

logger = logging.getLogger("dashboard.errors")

INTERNAL_ERROR = "internal error"
NOT_FOUND = "not found"


def lineage_error(exc: LineageError) -> tuple[Response, int]:
    status = exc.http_status
    if status < 500:  # 400 names the parameter; 404 says what is missing
        return jsonify({"message": exc.message}), status
    if exc.code is None:  # ours, e.g. a ConfigError: not the client's business
        return internal_error(exc)
    response = jsonify({"message": exc.message, "code": exc.code, "requestId": request_id()})
    if exc.retry_after_sec is not None:
        response.headers["Retry-After"] = str(exc.retry_after_sec)
    return response, status


def http_error(exc: HTTPException) -> tuple[Response, int]:
    if exc.code == 429:  # dashboard.server.limits; flask-limiter adds Retry-After
        message = f"too many requests: at most {exc.description} per client; retry later"
        return jsonify({"message": message}), 429
    if exc.code == 404:
        return jsonify({"message": NOT_FOUND}), 404
    return jsonify({"message": exc.description or exc.name}), exc.code or 500


def internal_error(exc: Exception) -> tuple[Response, int]:
    if isinstance(exc, HTTPException):
        return http_error(exc)
    rid = request_id()
    logger.error(
        "unhandled error in request %s",
        rid,
        extra={"fields": {"event": "error", "message": f"unhandled error in request {rid}",
                          "requestId": rid, "error": type(exc).__name__,
                          "trace": safe_trace(exc)}},
    )
    return jsonify({"message": INTERNAL_ERROR, "requestId": rid}), 500


def install_error_handlers(bp: Blueprint) -> None:
    bp.register_error_handler(LineageError, lineage_error)
    bp.register_error_handler(Exception, internal_error)
