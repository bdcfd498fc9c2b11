"""One request id and one JSON access-log line per request, whichever face answered it.

Every request gets the server's own id (``X-Request-Id`` of the answer, ``requestId`` of the
log and of error bodies): a client cannot choose the id another request is logged under. A
client's own ``X-Request-Id`` is kept beside it only when it is strict (8-64 letters, digits
and dashes, e.g. a UUID): logged as ``clientRequestId`` and echoed in ``X-Client-Request-Id``.
The log line says who asked (``identity``, ``dashboard.server.auth``) and what the request
cost: its AWS calls and how the cache answered (``RequestStats``, filled by the cached
service as it works).
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, has_request_context, request

CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
MAX_LOGGED_PARAMETER = 256


@dataclass
class RequestStats:
    """What one request cost; filled in even when the call raises."""

    aws_calls: int = 0
    cache: str | None = None


def current_stats() -> RequestStats:
    """This request's stats (a throwaway outside a request, e.g. in a test)."""
    if has_request_context():
        stats = g.get("stats")
        if isinstance(stats, RequestStats):
            return stats
    return RequestStats()


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def client_request_id(given: str | None) -> str | None:
    """The client's ``X-Request-Id`` when it is strict enough to log and echo, else ``None``."""
    return given if given and CLIENT_REQUEST_ID.fullmatch(given) else None


def install_request_tracking(server: Flask) -> None:
    """Request ids on every answer and one access-log line per request."""
    access = logging.getLogger("dashboard.access")

    @server.before_request
    def start() -> None:
        g.started = time.perf_counter()
        g.request_id = uuid.uuid4().hex
        g.client_request_id = client_request_id(request.headers.get("X-Request-Id"))
        g.stats = RequestStats()

    @server.after_request
    def finish(response: Response) -> Response:
        rid = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-Id"] = rid
        client_rid = g.get("client_request_id")
        if client_rid:
            response.headers["X-Client-Request-Id"] = client_rid
        started = g.get("started")
        stats = g.get("stats")
        fields: dict[str, Any] = {
            "event": "request",
            "pid": os.getpid(),
            "requestId": rid,
            "clientRequestId": client_rid,
            "identity": g.get("identity"),
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "durationMs": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "pipeline": _logged(request.args.get("pipeline")),
            "region": _logged(g.get("log_region") or request.args.get("region")),
            "awsCalls": stats.aws_calls if isinstance(stats, RequestStats) else 0,
            "cache": stats.cache if isinstance(stats, RequestStats) else None,
        }
        access.info("request", extra={"fields": fields})
        return response


def _logged(value: str | None) -> str | None:
    return None if value is None else value[:MAX_LOGGED_PARAMETER]
