"""The app factory: the Dash app, its cache, the JSON API blueprint, request ids and logs.

``create_app(config=None)`` reads the environment (``dashboard.config``); a ``config`` dict
overrides it (tests). gunicorn serves ``dashboard.wsgi:server``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import dash
from flask import Flask, Response, g, request
from flask_caching import Cache

from dashboard.api import EXTENSION, ApiState, bp, request_log_fields
from dashboard.caching import CachedLineage, RequestStats, Ttls
from dashboard.config import (
    ENV_API_PREFIX,
    ENV_REGIONS,
    ENV_SANDBOX,
    ENV_TTL_BUCKETS_SEC,
    ENV_TTL_FINISHED_SEC,
    ENV_TTL_LISTS_SEC,
    ENV_TTL_RUNNING_SEC,
    LINEAGE_SERVICE,
    LINEAGE_SETTINGS,
    cache_config,
    load_config,
)
from dashboard.limits import install_rate_limits
from dashboard.security import install_security_headers
from lineage.aws import sagemaker_regions
from lineage.config import ConfigError, Settings
from lineage.service import LineageService

TITLE = "SageMaker Lineage"
# A client's own request id is kept when it is plain; anything else gets a new one.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
MAX_LOGGED_PARAMETER = 256


def create_app(config: Mapping[str, Any] | None = None) -> dash.Dash:
    values = load_config(config)
    settings: Settings = values.pop(LINEAGE_SETTINGS, None) or Settings.from_env()
    # Clients are made lazily, per process: nothing here talks to AWS or survives a fork.
    service: LineageService = values.pop(LINEAGE_SERVICE, None) or LineageService(settings)
    sandbox = bool(values[ENV_SANDBOX])

    app = dash.Dash(
        __name__,
        title=f"{TITLE} (sandbox)" if sandbox else TITLE,
        update_title="",
        serve_locally=True,
    )
    server: Flask = app.server
    server.config.update(values)
    server.json.sort_keys = False  # type: ignore[attr-defined]

    cache = Cache()
    with warnings.catch_warnings():
        # NullCache is how CACHE_TYPE turns caching off on purpose (dashboard.config).
        warnings.filterwarnings("ignore", message=".*NullCache.*", category=UserWarning)
        cache.init_app(server, config=cache_config(values))
    ttls = Ttls(
        finished=values[ENV_TTL_FINISHED_SEC],
        running=values[ENV_TTL_RUNNING_SEC],
        lists=values[ENV_TTL_LISTS_SEC],
        buckets=values[ENV_TTL_BUCKETS_SEC],
    )
    server.extensions[EXTENSION] = ApiState(
        settings=settings,
        cached=CachedLineage(service, cache, ttls),
        regions=_regions(values[ENV_REGIONS]),
        sandbox=sandbox,
    )
    server.register_blueprint(bp)
    if values[ENV_API_PREFIX]:
        # Clients of the API Gateway deployment (/prod/lineage) only change the host.
        server.register_blueprint(bp, url_prefix=values[ENV_API_PREFIX], name="api_prefixed")
    _install_request_hooks(server)
    install_rate_limits(server)
    install_security_headers(app)
    _install_json_logging()
    # -- the dashboard (issue 4): page and callbacks over the same cached service ---------
    from dashboard.ui import install_dashboard

    install_dashboard(app)
    # -- end of the dashboard ----------------------------------------------------------------
    return app


def _regions(configured: tuple[str, ...]) -> tuple[str, ...]:
    known = sagemaker_regions()
    unknown = [region for region in configured if region not in known]
    if unknown:
        raise ConfigError(
            f"{ENV_REGIONS} names regions without SageMaker: {', '.join(sorted(unknown))}"
        )
    return tuple(configured) or tuple(sorted(known))


# -- one request id and one JSON log line per request ----------------------------------------------


def _install_request_hooks(server: Flask) -> None:
    access = logging.getLogger("dashboard.access")

    @server.before_request
    def start() -> None:
        g.started = time.perf_counter()
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.stats = RequestStats()

    @server.after_request
    def finish(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-Id"] = request_id
        started = g.get("started")
        fields: dict[str, Any] = {
            "event": "request",
            "pid": os.getpid(),
            "requestId": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "durationMs": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "pipeline": _logged(request.args.get("pipeline")),
            "region": _logged(g.get("log_region") or request.args.get("region")),
            **request_log_fields(),
        }
        access.info("request", extra={"fields": fields})
        return response


def _logged(value: str | None) -> str | None:
    return None if value is None else value[:MAX_LOGGED_PARAMETER]


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a trace, when there is one, is a field of it."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        else:
            out["message"] = record.getMessage()
        request_id = getattr(record, "request_id", None)
        if request_id:
            out["requestId"] = request_id
        if record.exc_info:
            out["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            out["trace"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def _install_json_logging() -> None:
    """``dashboard.*`` and ``lineage.*`` (AWS retries) write JSON lines to stderr (gunicorn)."""
    for name in ("dashboard", "lineage"):
        root = logging.getLogger(name)
        if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        # dashboard.* stops here; lineage.* also goes on up (pytest's caplog reads it there).
        root.propagate = name != "dashboard"
