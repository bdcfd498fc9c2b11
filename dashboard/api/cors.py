"""CORS of the JSON API (docs/CONTRACT.md): no other origin may read it unless configured.

``CORS_ORIGINS`` empty (the default): no cross-origin reads; the dashboard is same-origin and
needs none. A list of exact origins: those may read. ``*``: any origin, the seed's behaviour,
kept only as an explicit setting (and refused together with authentication,
``dashboard.server.auth``). Whatever the setting, ``Origin: null`` (sandboxed frames, local
files, some redirects: anyone can send it) is never allowed, and credentials never are.
Only ``GET``; a preflight gets the same answer as the request it announces.
"""

from __future__ import annotations

from flask import Response, current_app, request

from dashboard.core.config import ENV_CORS_ORIGINS

ANY_ORIGIN = "*"
# The origin browsers send from an opaque context; listing it would allow everyone.
NULL_ORIGIN = "null"
# Headers a browser may read from a cross-origin answer, and send in a preflighted request.
EXPOSED_HEADERS = "X-Request-Id, X-Client-Request-Id, Retry-After"
ALLOWED_HEADERS = "X-Request-Id, X-Api-Key, Authorization"
PREFLIGHT_MAX_AGE_SEC = "600"


def cors_origins() -> tuple[str, ...]:
    return tuple(current_app.config.get(ENV_CORS_ORIGINS) or ())


def allowed_origin(origin: str | None, allowed: tuple[str, ...]) -> str | None:
    """The ``Access-Control-Allow-Origin`` value for a request from ``origin``, if any."""
    if origin == NULL_ORIGIN:
        return None
    if ANY_ORIGIN in allowed:
        return ANY_ORIGIN
    return origin if origin is not None and origin in allowed else None


def add_cors_headers(response: Response) -> Response:
    allowed = cors_origins()
    if not allowed:
        return response
    # The answer depends on the Origin (null, or one of a list): caches must keep them apart.
    response.vary.add("Origin")
    value = allowed_origin(request.headers.get("Origin"), allowed)
    if value is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = value
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_SEC
    return response
