"""Rate limiting of ``/lineage`` per client (flask-limiter); off unless configured.

``LINEAGE_RATE_LIMIT`` is a flask-limiter rule such as ``60/minute`` or ``10/second;300/hour``;
empty (the default, and the sandbox demo) turns limiting off. Counters live in
``LINEAGE_RATE_LIMIT_STORAGE_URI`` (``memory://``, ``redis://host:6379/1``); without it they
go to the cache's Redis when ``CACHE_TYPE=RedisCache``, else to each process's memory (then
each gunicorn worker counts for itself). One counter per client address covers ``/lineage``
and its ``API_PREFIX`` twin; the dashboard's own callbacks are not limited.

Past the limit: ``429 {"message": ...}`` (``dashboard.api.errors``) with ``Retry-After`` (seconds).
A storage that fails (Redis down) never fails a request: flask-limiter falls back to
per-process memory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from lineage.errors import ConfigError

ENV_RATE_LIMIT = "LINEAGE_RATE_LIMIT"
ENV_RATE_LIMIT_STORAGE_URI = "LINEAGE_RATE_LIMIT_STORAGE_URI"
# The view functions limited: the blueprint's /lineage, with and without API_PREFIX.
LIMITED_VIEW = "lineage"

logger = logging.getLogger("dashboard.limits")


def setting(config: Mapping[str, Any], name: str) -> str:
    """An explicit app config value beats the environment; both default to ``""``."""
    if name in config and config[name] is not None:
        return str(config[name]).strip()
    return os.environ.get(name, "").strip()


def storage_uri(config: Mapping[str, Any]) -> str:
    explicit = setting(config, ENV_RATE_LIMIT_STORAGE_URI)
    if explicit:
        return explicit
    if str(config.get("CACHE_TYPE", "")).endswith("RedisCache") and config.get("CACHE_REDIS_URL"):
        return str(config["CACHE_REDIS_URL"])
    return "memory://"


def _exempt() -> bool:
    endpoint = request.endpoint or ""
    return request.method != "GET" or endpoint.rsplit(".", 1)[-1] != LIMITED_VIEW


def install_rate_limits(server: Flask) -> Limiter | None:
    """Limit ``/lineage`` per client when ``LINEAGE_RATE_LIMIT`` is set; ``None`` otherwise."""
    rule = setting(server.config, ENV_RATE_LIMIT)
    if not rule:
        return None
    try:
        parse_many(rule)
    except ValueError:
        raise ConfigError(
            f"{ENV_RATE_LIMIT} must be a rate such as 60/minute, not {rule!r}"
        ) from None
    uri = storage_uri(server.config)
    limiter = Limiter(
        get_remote_address,
        # One shared counter for every limited route (a per-route limit would count
        # /lineage and /prod/lineage apart).
        application_limits=[rule],
        application_limits_exempt_when=_exempt,
        headers_enabled=True,
        storage_uri=uri,
        strategy="moving-window",
        key_prefix="sagemaker-lineage",
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(server)
    logger.info("rate limit %s per client on /lineage (storage %s)", rule, uri.split("://")[0])
    return limiter
