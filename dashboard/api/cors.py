"""CORS of the JSON API (docs/CONTRACT.md): GET from any origin unless ``CORS_ORIGINS``
narrows it; never with credentials: the API is read-only and public by design."""

from __future__ import annotations

from flask import Response, current_app, request

from dashboard.core.config import ENV_CORS_ORIGINS

# Headers a browser may read from a cross-origin answer, and send in a preflighted request.
EXPOSED_HEADERS = "X-Request-Id, Retry-After"
ALLOWED_HEADERS = "X-Request-Id"
PREFLIGHT_MAX_AGE_SEC = "600"


def add_cors_headers(response: Response) -> Response:
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
    return response
