"""Errors as JSON answers: each error class says its own status (``lineage.errors``).

A 400 names the parameter, a 404 says what is missing; AWS failures answer their status with
our message, AWS's error code and the request id, never AWS's text; anything unexpected is
``500 {"message": "internal error", "requestId": ...}`` with the trace in the log only. What
HTTP itself refuses (401, 405 with ``Allow``, 413, 415, 429) says so in one fixed sentence.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from dashboard.core.logs import safe_trace
from dashboard.core.requests import request_id
from lineage.errors import LineageError, TooManyRequests

logger = logging.getLogger("dashboard.errors")

INTERNAL_ERROR = "internal error"
NOT_FOUND = "not found"
# Fixed sentences for the refusals of HTTP itself (werkzeug's descriptions are HTML-minded).
HTTP_MESSAGES = {
    401: "authentication required",
    404: NOT_FOUND,
    405: "method not allowed",
    413: "request body too large",
    415: "the request body must be JSON (Content-Type: application/json)",
}


def lineage_error(exc: LineageError) -> tuple[Response, int]:
    status = exc.http_status
    if status < 500:  # 400 names the parameter; 404 says what is missing
        response = jsonify({"message": exc.message})
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response, status
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
    status = exc.code or 500
    response = jsonify({"message": HTTP_MESSAGES.get(status) or exc.description or exc.name})
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response, status


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
