"""Requests no view takes, answered in JSON: a missing path (404) or method (405) with the
API's CORS headers, a body too large (413) before anything reads it. No Dash here.

A server of the API alone (``dashboard.server.api_server``, the Lambda function) answers every
such request this way. The dashboard's server also serves a page for any path, so it decides
first whether the asker wanted the page (``dashboard.server.not_found``) and otherwise
answers with these same bodies.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from dashboard.api.cors import add_cors_headers
from dashboard.api.errors import http_error


def json_refusal(exc: HTTPException) -> Response:
    body, status = http_error(exc)
    body.status_code = status
    return body


def json_not_found() -> Response:
    return add_cors_headers(json_refusal(NotFound()))


def body_too_large(server: Flask) -> Response | None:
    """413 for a body over ``MAX_CONTENT_LENGTH`` (``LINEAGE_MAX_BODY_BYTES``), by its
    Content-Length, before anything reads it (werkzeug stops a chunked one at the limit)."""
    limit = server.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        return json_refusal(RequestEntityTooLarge())
    return None


def install_api_refusals(server: Flask) -> None:
    """Every refusal of a server that serves only the API, in JSON."""

    @server.before_request
    def unacceptable_body() -> Response | None:
        return body_too_large(server)

    @server.errorhandler(NotFound)
    def no_such_route(_exc: NotFound) -> Response:
        return json_not_found()

    @server.errorhandler(MethodNotAllowed)
    def no_such_method(exc: MethodNotAllowed) -> Response:
        return add_cors_headers(json_refusal(exc))

    server.register_error_handler(RequestEntityTooLarge, json_refusal)
