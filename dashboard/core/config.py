"""Web settings: explicit config > environment variable > default, names in one place.

The Flask config of the app uses the environment variable names as keys, so
``create_app({"API_PREFIX": "/prod"})`` and ``API_PREFIX=/prod`` mean the same. Every
``CACHE_*`` variable is passed to flask-caching unchanged (``CACHE_TYPE``, ``CACHE_DIR``,
``CACHE_REDIS_URL``, ...), see https://flask-caching.readthedocs.io/en/latest/#configuring-flask-caching
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from lineage.config import parse_bool
from lineage.errors import ConfigError

# The original API's deployment stage, e.g. "/prod": /prod/lineage answers like /lineage.
ENV_API_PREFIX = "API_PREFIX"
# Comma-separated origins allowed to read the API from a browser; none by default (the
# dashboard is same-origin); "*" is any origin, refused together with authentication.
ENV_CORS_ORIGINS = "CORS_ORIGINS"
# Authentication (dashboard.server.auth): SHA-256 hex digests of the accepted API keys, and
# the header a trusted proxy sets to the signed-in user (e.g. X-Amzn-Oidc-Identity).
ENV_API_KEYS = "LINEAGE_API_KEYS"
ENV_TRUSTED_USER_HEADER = "LINEAGE_TRUSTED_USER_HEADER"
# Proxy hops in front whose X-Forwarded-For/-Proto/-Host are believed; 0: none are.
ENV_TRUSTED_PROXIES = "LINEAGE_TRUSTED_PROXIES"
# The largest request body accepted (Flask's MAX_CONTENT_LENGTH); larger is a 413.
ENV_MAX_BODY_BYTES = "LINEAGE_MAX_BODY_BYTES"
# Comma-separated regions /regions offers and region=all means; default: every SageMaker region.
ENV_REGIONS = "LINEAGE_REGIONS"
# Cache lifetimes, seconds.
ENV_TTL_FINISHED_SEC = "LINEAGE_CACHE_TTL_FINISHED_SEC"
ENV_TTL_RUNNING_SEC = "LINEAGE_CACHE_TTL_RUNNING_SEC"
ENV_TTL_LISTS_SEC = "LINEAGE_CACHE_TTL_LISTS_SEC"
ENV_TTL_BUCKETS_SEC = "LINEAGE_CACHE_TTL_BUCKETS_SEC"
# Set by `sagemaker-lineage serve --sandbox`: the page says it shows sandbox data.
ENV_SANDBOX = "LINEAGE_SANDBOX"
# gunicorn (dashboard.server.serve): bind address, processes, threads per process, timeouts.
ENV_HOST = "LINEAGE_HOST"
ENV_PORT = "LINEAGE_PORT"
ENV_WORKERS = "LINEAGE_WORKERS"
ENV_THREADS = "LINEAGE_THREADS"
ENV_TIMEOUT_SEC = "LINEAGE_TIMEOUT_SEC"
ENV_GRACEFUL_TIMEOUT_SEC = "LINEAGE_GRACEFUL_TIMEOUT_SEC"
ENV_KEEPALIVE_SEC = "LINEAGE_KEEPALIVE_SEC"
ENV_MAX_REQUESTS = "LINEAGE_MAX_REQUESTS"
# /healthz and /readyz on a port of their own, answered beside the request threads
# (dashboard.server.health): default the main port + 1; "0" or "off" turns it off.
ENV_HEALTH_PORT = "LINEAGE_HEALTH_PORT"
# Set by the gunicorn master for its workers (not a setting): a directory they share, removed
# when the server stops (dashboard.server.shared_dir()).
ENV_SHARED_DIR = "LINEAGE_SHARED_DIR"

CACHE_PREFIX = "CACHE_"
# Keys that are not environment variables: objects a caller (tests, the CLI) injects.
LINEAGE_SETTINGS = "LINEAGE_SETTINGS"  # a lineage.config.Settings; default Settings.from_env()
# Set by the dashboard: where its Estate page is (GET /estate from a browser goes there).
ESTATE_PAGE_PATH = "ESTATE_PAGE_PATH"
LINEAGE_SERVICE = "LINEAGE_SERVICE"  # an object with get_lineage(LineageRequest)

DEFAULTS: Mapping[str, Any] = {
    ENV_API_PREFIX: "",
    ENV_CORS_ORIGINS: (),
    ENV_API_KEYS: (),
    ENV_TRUSTED_USER_HEADER: "",
    ENV_TRUSTED_PROXIES: 0,
    # 4 MiB: a 10,000-step pipeline's callback bodies stay under 1 MiB.
    ENV_MAX_BODY_BYTES: 4 * 1024 * 1024,
    ENV_REGIONS: (),  # empty: every region where SageMaker exists
    ENV_TTL_FINISHED_SEC: 3600,
    ENV_TTL_RUNNING_SEC: 10,
    ENV_TTL_LISTS_SEC: 30,
    ENV_TTL_BUCKETS_SEC: 300,
    ENV_SANDBOX: False,
    ENV_HOST: "127.0.0.1",
    ENV_PORT: 8050,
    ENV_WORKERS: 2,
    ENV_THREADS: 8,
    # gthread workers heartbeat from their main thread, so this only catches a stuck process;
    # a request itself ends by LINEAGE_REQUEST_DEADLINE_MS (lineage.config).
    ENV_TIMEOUT_SEC: 60,
    ENV_GRACEFUL_TIMEOUT_SEC: 30,
    ENV_KEEPALIVE_SEC: 5,
    ENV_MAX_REQUESTS: 2000,
    ENV_HEALTH_PORT: None,  # the main port + 1 (dashboard.server.health.health_address)
    # flask-caching: one process by default; FileSystemCache or RedisCache to share.
    "CACHE_TYPE": "SimpleCache",
    "CACHE_DEFAULT_TIMEOUT": 300,
    "CACHE_KEY_PREFIX": "sagemaker-lineage:",
}

_INT_KEYS = frozenset(
    {
        ENV_TTL_FINISHED_SEC,
        ENV_TTL_RUNNING_SEC,
        ENV_TTL_LISTS_SEC,
        ENV_TTL_BUCKETS_SEC,
        ENV_PORT,
        ENV_WORKERS,
        ENV_THREADS,
        ENV_TIMEOUT_SEC,
        ENV_GRACEFUL_TIMEOUT_SEC,
        ENV_KEEPALIVE_SEC,
        ENV_MAX_REQUESTS,
        ENV_TRUSTED_PROXIES,
        ENV_MAX_BODY_BYTES,
    }
)
# Whole numbers for which 0 means something (any port; no proxy in front).
_ZERO_ALLOWED = frozenset({ENV_PORT, ENV_TRUSTED_PROXIES})
# flask-caching settings that must be numbers (the rest are strings).
_CACHE_INT_KEYS = frozenset(
    {"CACHE_DEFAULT_TIMEOUT", "CACHE_THRESHOLD", "CACHE_REDIS_PORT", "CACHE_REDIS_DB"}
)
_LIST_KEYS = frozenset({ENV_CORS_ORIGINS, ENV_REGIONS, ENV_API_KEYS})
_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)*")


def load_config(
    config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The app's settings: ``config`` beats ``env`` (default ``os.environ``) beats defaults."""
    source = os.environ if env is None else env
    values: dict[str, Any] = dict(DEFAULTS)
    for name, raw in source.items():
        if name in DEFAULTS or name.startswith(CACHE_PREFIX):
            if raw.strip() == "" and name not in (ENV_API_PREFIX,):
                continue
            values[name] = _parse(name, raw)
    values.update(config or {})
    values[ENV_API_PREFIX] = normalise_prefix(str(values[ENV_API_PREFIX] or ""))
    # Flask's own name for it: werkzeug refuses a longer body before reading it.
    values["MAX_CONTENT_LENGTH"] = values[ENV_MAX_BODY_BYTES]
    return values


def cache_config(values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``CACHE_*`` part, as flask-caching's ``init_app(config=...)`` wants it."""
    return {key: value for key, value in values.items() if key.startswith(CACHE_PREFIX)}


def normalise_prefix(prefix: str) -> str:
    """``prod``, ``/prod/`` -> ``/prod``; ``""`` or ``/`` -> ``""``."""
    stripped = prefix.strip().strip("/")
    if not stripped:
        return ""
    normal = "/" + stripped
    if not _PREFIX.fullmatch(normal):
        raise ConfigError(f"{ENV_API_PREFIX} must be a URL path like /prod, not {prefix!r}")
    return normal


def _parse(name: str, raw: str) -> Any:
    text = raw.strip()
    if name in _INT_KEYS or name in _CACHE_INT_KEYS:
        try:
            number = int(text)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
        if number < 0 or (number == 0 and name in _INT_KEYS and name not in _ZERO_ALLOWED):
            raise ConfigError(f"{name} must be positive, not {number}")
        return number
    if name in _LIST_KEYS:
        return tuple(item.strip() for item in text.split(",") if item.strip())
    if name == ENV_SANDBOX:
        flag = parse_bool(text)
        if flag is None:
            raise ConfigError(f"{name} must be true or false, not {raw!r}")
        return flag
    return raw if name.startswith(CACHE_PREFIX) else text
