"""Per-client limits on everything that can reach AWS, on by default.

AWS calls cost money and the account's throttling budget, so a client may not spend them at
will. Four limits, each counted per client (``g.identity`` when authentication names one,
else the client address, which is the proxy's only with ``LINEAGE_TRUSTED_PROXIES``):

- ``LINEAGE_RATE_LIMIT`` (``300/minute``): requests to the routes that can reach AWS: the
  data endpoints (with and without ``API_PREFIX``) and the dashboard's callbacks. Past it:
  ``429`` with ``Retry-After``. ``/healthz``, ``/readyz``, ``/regions``, ``/openapi.json``,
  the page and its assets are not counted.
- ``LINEAGE_FETCH_LIMIT`` (``60/minute``): requests that really go to AWS (a cache miss or a
  refresh; hits are free). Asked by the cached service (``dashboard.core.cache``) just
  before it fetches; past it, that request answers ``429`` (the page: a note) while cached
  answers keep flowing.
- ``LINEAGE_REFRESH_COOLDOWN_SEC`` (30): a refresh of one answer goes to AWS at most once per
  this many seconds, whoever asks; a refresh asked sooner gets the cached answer and
  ``X-Refresh-After`` (seconds until the next is allowed).
- ``LINEAGE_CLIENT_CONCURRENCY`` (6, a browser's connections per host): a client's requests
  in flight at once in one worker, on the same routes; past it, ``429``: one client cannot
  take every thread.

``off`` (or ``0``) turns a limit off. Counters live in ``LINEAGE_RATE_LIMIT_STORAGE_URI``;
without it: the cache's Redis (``CACHE_TYPE=RedisCache``, shared by servers), else a SQLite
file in the server's shared directory (``LINEAGE_SHARED_DIR``, set by gunicorn_conf: shared
by the workers, ``dashboard.server.limit_storage``), else this process's memory. A storage
that fails never fails a request: the limits open and one line says so.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, has_request_context, jsonify, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import RateLimitItem, RateLimitItemPerSecond, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

import dashboard.server.limit_storage  # noqa: F401  (registers the sqlite:// storage)
from dashboard.server import shared_dir
from lineage.errors import ConfigError, TooManyRequests

ENV_RATE_LIMIT = "LINEAGE_RATE_LIMIT"
ENV_FETCH_LIMIT = "LINEAGE_FETCH_LIMIT"
ENV_REFRESH_COOLDOWN_SEC = "LINEAGE_REFRESH_COOLDOWN_SEC"
ENV_CLIENT_CONCURRENCY = "LINEAGE_CLIENT_CONCURRENCY"
ENV_RATE_LIMIT_STORAGE_URI = "LINEAGE_RATE_LIMIT_STORAGE_URI"

# For load tests and benchmarks: their many connections come from one address and measure
# the server, not what one client may do.
LIMITS_OFF: Mapping[str, str] = {
    "LINEAGE_RATE_LIMIT": "off",
    "LINEAGE_FETCH_LIMIT": "off",
    "LINEAGE_REFRESH_COOLDOWN_SEC": "off",
    "LINEAGE_CLIENT_CONCURRENCY": "off",
}

DEFAULT_RATE_LIMIT = "300/minute"
DEFAULT_FETCH_LIMIT = "60/minute"
DEFAULT_REFRESH_COOLDOWN_SEC = 30
DEFAULT_CLIENT_CONCURRENCY = 6
OFF = frozenset({"off", "0", "none", "false"})

# The views that can reach AWS (blueprint view names, with or without API_PREFIX).
AWS_VIEWS = frozenset({"lineage", "pipelines", "executions", "estate", "impact", "provenance",
                       "findings", "compare", "timeline", "trends"})
DASH_CALLBACKS = "/_dash-update-component"
KEY_PREFIX = "sagemaker-lineage"

logger = logging.getLogger("dashboard.limits")


def setting(config: Mapping[str, Any], name: str, default: str = "") -> str:
    """An explicit app config value beats the environment, which beats ``default``."""
    if name in config and config[name] is not None:
        return str(config[name]).strip()
    value = os.environ.get(name, "").strip()
    return value or default


def storage_uri(config: Mapping[str, Any]) -> str:
    explicit = setting(config, ENV_RATE_LIMIT_STORAGE_URI)
    if explicit:
        return explicit
    if str(config.get("CACHE_TYPE", "")).endswith("RedisCache") and config.get("CACHE_REDIS_URL"):
        return str(config["CACHE_REDIS_URL"])
    shared = shared_dir()
    if shared is not None and shared.is_dir():
        return f"sqlite://{shared.resolve() / 'limits.sqlite'}"
    return "memory://"


def client_key() -> str:
    """Who is asking: the authenticated identity, else the client's address."""
    identity = g.get("identity")
    return str(identity) if identity else (request.remote_addr or "unknown")


def can_reach_aws() -> bool:
    """Whether this request is one the limits count (it may make AWS calls)."""
    if request.method == "POST":
        return request.path.endswith(DASH_CALLBACKS)
    endpoint = request.endpoint or ""
    return request.method == "GET" and endpoint.rsplit(".", 1)[-1] in AWS_VIEWS


@dataclass(frozen=True)
class LimitSettings:
    requests: str | None  # a flask-limiter rule, or None: off
    fetches: RateLimitItem | None
    fetch_rule: str | None
    refresh_cooldown_sec: int
    concurrency: int  # 0: off
    storage_uri: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LimitSettings:
        requests = _rule(config, ENV_RATE_LIMIT, DEFAULT_RATE_LIMIT)
        fetch_rule = _rule(config, ENV_FETCH_LIMIT, DEFAULT_FETCH_LIMIT)
        fetches = parse_many(fetch_rule)[0] if fetch_rule else None
        return cls(
            requests=requests,
            fetches=fetches,
            fetch_rule=fetch_rule,
            refresh_cooldown_sec=_count(config, ENV_REFRESH_COOLDOWN_SEC,
                                        DEFAULT_REFRESH_COOLDOWN_SEC),
            concurrency=_count(config, ENV_CLIENT_CONCURRENCY, DEFAULT_CLIENT_CONCURRENCY),
            storage_uri=storage_uri(config),
        )


class ClientLimits:
    """The fetch limit and the refresh cooldown: the cached service's gate (``FetchGate``)."""

    def __init__(self, settings: LimitSettings) -> None:
        self.settings = settings
        self.storage = storage_from_string(settings.storage_uri)
        self.window = MovingWindowRateLimiter(self.storage)
        self._cooldown = (
            RateLimitItemPerSecond(1, settings.refresh_cooldown_sec)
            if settings.refresh_cooldown_sec > 0 else None
        )
        self._failing = False

    def admit(self) -> None:
        item = self.settings.fetches
        if item is None or not has_request_context():
            return  # the warm-up thread and the CLI are not clients
        client = client_key()
        allowed = self._hit(item, "fetch", client)
        if allowed:
            return
        wait = self._wait(item, "fetch", client)
        raise TooManyRequests(
            f"too many requests: at most {self.settings.fetch_rule} reads from AWS per client "
            f"(cached answers are still served); retry in {wait} s",
            retry_after=wait,
        )

    def refresh_wait(self, key: str) -> int:
        item = self._cooldown
        if item is None or self._hit(item, "refresh", key):
            return 0
        return self._wait(item, "refresh", key)

    def _hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        try:
            allowed = bool(self.window.hit(item, KEY_PREFIX, *identifiers))
        except Exception as exc:  # a storage that fails opens the limit; it never fails a request
            self._failed(exc)
            return True
        self._failing = False
        return allowed

    def _wait(self, item: RateLimitItem, *identifiers: str) -> int:
        try:
            reset = self.window.get_window_stats(item, KEY_PREFIX, *identifiers).reset_time
        except Exception as exc:
            self._failed(exc)
            return 1
        return max(1, math.ceil(reset - time.time()))

    def _failed(self, exc: BaseException) -> None:
        if not self._failing:
            self._failing = True
            logger.warning("rate-limit storage unavailable (%s); limits are open until it is "
                           "back", type(exc).__name__)


class _InFlight:
    """Requests in flight per client in this worker."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def enter(self, client: str) -> bool:
        with self._lock:
            count = self._counts.get(client, 0)
            if count >= self.cap:
                return False
            self._counts[client] = count + 1
            return True

    def leave(self, client: str) -> None:
        with self._lock:
            count = self._counts.get(client, 0) - 1
            if count <= 0:
                self._counts.pop(client, None)
            else:
                self._counts[client] = count


def install_limits(server: Flask, limits: ClientLimits) -> Limiter | None:
    """The request limit and the concurrency cap on ``server`` (the gate is the cache's)."""
    settings = limits.settings
    if settings.concurrency > 0:
        _install_concurrency_cap(server, _InFlight(settings.concurrency))
    server.register_error_handler(RateLimitExceeded, _too_many)
    summary = (f"requests {settings.requests or 'off'}, AWS reads {settings.fetch_rule or 'off'}, "
               f"refresh every {settings.refresh_cooldown_sec or 'any'} s, "
               f"{settings.concurrency or 'any'} at once")
    logger.info("limits per client: %s (storage %s)", summary,
                settings.storage_uri.split("://")[0])
    if settings.requests is None:
        return None
    limiter = Limiter(
        client_key,
        # One shared counter for every limited route (a per-route limit would count
        # /lineage and /prod/lineage apart).
        application_limits=[settings.requests],
        application_limits_exempt_when=lambda: not can_reach_aws(),
        headers_enabled=True,
        storage_uri=settings.storage_uri,
        strategy="moving-window",
        key_prefix=KEY_PREFIX,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(server)
    return limiter


def _install_concurrency_cap(server: Flask, in_flight: _InFlight) -> None:
    @server.before_request
    def enter() -> Response | None:
        if not can_reach_aws():
            return None
        client = client_key()
        if not in_flight.enter(client):
            response = jsonify({"message": "too many requests at once from this client; "
                                           "retry when one has answered"})
            response.status_code = 429
            response.headers["Retry-After"] = "1"
            return response
        g.in_flight_client = client
        return None

    @server.teardown_request
    def leave(_exc: BaseException | None) -> None:
        client = g.pop("in_flight_client", None)
        if client is not None:
            in_flight.leave(client)


def _too_many(exc: RateLimitExceeded) -> tuple[Response, int]:
    message = f"too many requests: at most {exc.description} per client; retry later"
    return jsonify({"message": message}), 429


def _rule(config: Mapping[str, Any], name: str, default: str) -> str | None:
    rule = setting(config, name, default)
    if rule.lower() in OFF:
        return None
    try:
        parse_many(rule)
    except ValueError:
        raise ConfigError(
            f"{name} must be a rate such as 60/minute, or off, not {rule!r}"
        ) from None
    return rule


def _count(config: Mapping[str, Any], name: str, default: int) -> int:
    raw = setting(config, name, str(default))
    if raw.lower() in OFF:
        return 0
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number of 0 or more, or off, not {raw!r}")
    return int(raw)
