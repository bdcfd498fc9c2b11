"""Requests no route takes: a missing path (404) in the asker's language; a method (405), a
body too large (413) or not JSON (415) as JSON.

Dash serves its page for any path (its catch-all route), so without this a client calling a
missing endpoint gets 200 and HTML, and a browser's fetch of it fails without saying why. An
API client (one that prefers JSON, or any request under ``API_PREFIX``) gets
``404 {"message": "not found"}`` with the API's CORS headers; a browser gets the page with
status 404, on which the router shows the not-found view.

Nothing but Dash's callbacks takes a body: ``405 {"message": "method not allowed"}`` with
``Allow`` for any other method on a real route; a body over ``MAX_CONTENT_LENGTH``
(``LINEAGE_MAX_BODY_BYTES``) is ``413`` before anything reads it (its Content-Length says so;
a chunked one werkzeug stops at the limit); a callback whose body is not
``application/json`` is ``415`` before Dash (or ``dashboard.ui.guard``) looks at it, so a
cross-site form, which needs no preflight, cannot post one either.
"""

from __future__ import annotations

from typing import Any

import dash
from flask import Flask, Response, request
from werkzeug.exceptions import (
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from dashboard.api.cors import add_cors_headers
from dashboard.server.refusals import body_too_large, json_not_found, json_refusal
from dashboard.ui.pages import registered_paths
from dashboard.ui.pages.not_found import MODULE as NOT_FOUND_PAGE

# Dash registers its page under this rule (and "/" for the root).
CATCH_ALL = "<path:path>"
CALLBACK = "_dash-update-component"


def wants_json(api_prefix: str) -> bool:
    if api_prefix and (request.path == api_prefix or request.path.startswith(api_prefix + "/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def install_not_found(app: dash.Dash, api_prefix: str) -> None:
    server: Flask = app.server
    untyped: Any = app
    callback_path = untyped.config.routes_pathname_prefix + CALLBACK

    @server.before_request
    def unacceptable_body() -> Response | None:
        if (too_large := body_too_large(server)) is not None:
            return too_large
        if request.method == "POST" and request.path == callback_path and not request.is_json:
            return json_refusal(UnsupportedMediaType())
        return None

    @server.before_request
    def unknown_path() -> Response | None:
        rule = request.url_rule
        if rule is None or not rule.rule.endswith(CATCH_ALL):
            return None  # a real route (or none: Flask's own 404 below)
        if _is_page(request.path):
            return None
        if wants_json(api_prefix):
            return json_not_found()
        return Response(untyped.index(), status=404, mimetype="text/html")

    @server.errorhandler(NotFound)
    def no_such_route(exc: NotFound) -> Response | NotFound:
        return json_not_found() if wants_json(api_prefix) else exc

    @server.errorhandler(MethodNotAllowed)
    def no_such_method(exc: MethodNotAllowed) -> Response:
        # Only the page's catch-all matched (POST /nope): the path is missing, not the method.
        if _only_the_page_matches(server) and not _is_page(request.path):
            return json_not_found()
        return add_cors_headers(json_refusal(exc))

    # Only Dash's callbacks read a body, and they answer no other origin: no CORS here.
    server.register_error_handler(RequestEntityTooLarge, json_refusal)
    server.register_error_handler(UnsupportedMediaType, json_refusal)


def _is_page(path: str) -> bool:
    return (path.rstrip("/") or "/") in registered_paths(excluding=(NOT_FOUND_PAGE,))


def _only_the_page_matches(server: Flask) -> bool:
    """Whether the one route this path has (for GET) is Dash's catch-all page."""
    try:
        rule, _ = server.url_map.bind_to_environ(request.environ).match(
            method="GET", return_rule=True
        )
    except HTTPException:
        return False
    return bool(rule.rule.endswith(CATCH_ALL))
