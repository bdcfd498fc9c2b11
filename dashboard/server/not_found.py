"""A path that is neither an endpoint nor a page answers 404, in the asker's language.

Dash serves its page for any path (its catch-all route), so without this a client calling a
missing endpoint gets 200 and HTML, and a browser's fetch of it fails without saying why. An
API client (one that prefers JSON, or any request under ``API_PREFIX``) gets
``404 {"message": "not found"}`` with the API's CORS headers; a browser gets the page with
status 404, on which the router shows the not-found view.
"""

from __future__ import annotations

from typing import Any

import dash
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from dashboard.api.cors import add_cors_headers
from dashboard.api.errors import http_error
from dashboard.ui.pages import registered_paths
from dashboard.ui.pages.not_found import MODULE as NOT_FOUND_PAGE

# Dash registers its page under this rule (and "/" for the root).
CATCH_ALL = "<path:path>"


def wants_json(api_prefix: str) -> bool:
    if api_prefix and (request.path == api_prefix or request.path.startswith(api_prefix + "/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def install_not_found(app: dash.Dash, api_prefix: str) -> None:
    server: Flask = app.server

    def json_not_found() -> Response:
        body, status = http_error(NotFound())
        body.status_code = status
        return add_cors_headers(body)

    @server.before_request
    def unknown_path() -> Response | None:
        rule = request.url_rule
        if rule is None or not rule.rule.endswith(CATCH_ALL):
            return None  # a real route (or none: Flask's own 404 below)
        if _is_page(request.path):
            return None
        if wants_json(api_prefix):
            return json_not_found()
        untyped: Any = app
        return Response(untyped.index(), status=404, mimetype="text/html")

    @server.errorhandler(NotFound)
    def no_such_route(exc: NotFound) -> Response | NotFound:
        return json_not_found() if wants_json(api_prefix) else exc

    @server.errorhandler(MethodNotAllowed)
    def no_such_method(exc: MethodNotAllowed) -> Response | HTTPException:
        # Only the page's catch-all matched (POST /nope): the path is missing, not the method.
        if _only_the_page_matches(server) and not _is_page(request.path):
            return json_not_found()
        if wants_json(api_prefix):
            body, status = http_error(exc)
            body.status_code = status
            return add_cors_headers(body)
        return exc


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
