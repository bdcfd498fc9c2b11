"""The server of the JSON API, with everything around it but the dashboard: no Dash here.

:func:`install_api_server` puts the API, its state and cache, request ids, authentication,
limits and security headers on a Flask server: the dashboard's (``create_app``, which adds the
page on the same server) and the API's alone (:func:`create_api_server`, which the Lambda
function serves). One sequence for both, so the two answer every API request alike.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask_caching import Cache

from dashboard.api import install_api
from dashboard.core.background import MAX_BUILDS
from dashboard.core.cache import CachedLineage, Ttls
from dashboard.core.config import (
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
from dashboard.core.logs import install_json_logging
from dashboard.core.readiness import Readiness, install_readiness
from dashboard.core.requests import install_request_tracking
from dashboard.core.state import AppState, install_state
from dashboard.server.auth import install_auth
from dashboard.server.headers import install_security_headers, install_trusted_proxies
from dashboard.server.limits import ClientLimits, LimitSettings, install_limits
from dashboard.server.refusals import install_api_refusals
from lineage.aws import sagemaker_regions
from lineage.config import Settings
from lineage.errors import ConfigError
from lineage.service import LineageService


@dataclass(frozen=True)
class ApiParts:
    """What serves the API on a server: what its warm-up works on."""

    service: LineageService
    cached: CachedLineage
    readiness: Readiness


def install_api_server(
    server: Flask,
    values: dict[str, Any],
    page_policy: Callable[[], str] | None = None,
    *,
    background_builds: int = MAX_BUILDS,
) -> ApiParts:
    """The API and all around it on ``server``; ``values`` from ``load_config``.

    ``page_policy`` is the CSP of the HTML page, when the server also serves one;
    ``background_builds`` as ``CachedLineage`` takes it.
    """
    settings: Settings = values.pop(LINEAGE_SETTINGS, None) or Settings.from_env()
    # Clients are made lazily, per process: nothing here talks to AWS or survives a fork.
    service: LineageService = values.pop(LINEAGE_SERVICE, None) or LineageService(settings)
    sandbox = bool(values[ENV_SANDBOX])
    server.config.update(values)
    server.json.sort_keys = False  # type: ignore[attr-defined]

    cache = Cache()
    with warnings.catch_warnings():
        # NullCache is how CACHE_TYPE turns caching off on purpose (dashboard.core.config).
        warnings.filterwarnings("ignore", message=".*NullCache.*", category=UserWarning)
        cache.init_app(server, config=cache_config(values))
    ttls = Ttls(
        finished=values[ENV_TTL_FINISHED_SEC],
        running=values[ENV_TTL_RUNNING_SEC],
        lists=values[ENV_TTL_LISTS_SEC],
        buckets=values[ENV_TTL_BUCKETS_SEC],
    )
    limits = ClientLimits(LimitSettings.from_config(values))
    cached = CachedLineage(service, cache, ttls, lock_dir=_shared_cache_dir(values), gate=limits,
                           background_builds=background_builds)
    install_state(
        server,
        AppState(
            settings=settings,
            cached=cached,
            regions=_regions(values[ENV_REGIONS], settings.default_region),
            sandbox=sandbox,
        ),
    )
    readiness = install_readiness(server)
    install_api(server, values[ENV_API_PREFIX])
    install_request_tracking(server)
    install_auth(server)  # after the request id, before the limits (they key on g.identity)
    install_trusted_proxies(server)
    install_limits(server, limits)
    install_security_headers(server, page_policy)
    install_json_logging()
    return ApiParts(service=service, cached=cached, readiness=readiness)


def create_api_server(
    config: Mapping[str, Any] | None = None, *, background_builds: int = MAX_BUILDS
) -> tuple[Flask, ApiParts]:
    """A Flask server of the API alone; every refusal in JSON. Nothing is warmed yet."""
    server = Flask(__name__)
    parts = install_api_server(server, load_config(config), background_builds=background_builds)
    install_api_refusals(server)
    return server, parts


def _regions(configured: tuple[str, ...], default_region: str) -> tuple[str, ...]:
    known = sagemaker_regions()
    unknown = [region for region in configured if region not in known]
    if unknown:
        raise ConfigError(
            f"{ENV_REGIONS} names regions without SageMaker: {', '.join(sorted(unknown))}"
        )
    if configured and default_region not in configured:
        # Every request without a region would be refused: say so once, at start.
        raise ConfigError(
            f"the default region {default_region} (DEFAULT_REGION) is not one "
            f"of {ENV_REGIONS} ({', '.join(configured)}): add it, or set the default to one"
        )
    return tuple(configured) or tuple(sorted(known))


def _shared_cache_dir(values: Mapping[str, Any]) -> Path | None:
    """Where a FileSystemCache keeps its files: the processes sharing it lock there."""
    if str(values.get("CACHE_TYPE", "")).endswith("FileSystemCache") and values.get("CACHE_DIR"):
        return Path(str(values["CACHE_DIR"]))
    return None
