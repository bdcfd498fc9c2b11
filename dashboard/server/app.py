"""The app factory: one Flask server, the JSON API and the Dash dashboard on it.

``create_app(config=None)`` reads the environment (``dashboard.core.config``); a ``config``
dict overrides it (tests). gunicorn serves ``dashboard.server.wsgi:server``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dash
from flask import Flask
from flask_caching import Cache

from dashboard.api import install_api
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
from dashboard.core.readiness import install_readiness
from dashboard.core.requests import install_request_tracking
from dashboard.core.state import AppState, install_state
from dashboard.server.auth import install_auth
from dashboard.server.limits import ClientLimits, LimitSettings, install_limits
from dashboard.server.not_found import install_not_found
from dashboard.server.security import install_security_headers, install_trusted_proxies
from dashboard.server.warmup import start_warmup
from dashboard.ui import ROUTING_INPUTS, install_dashboard
from lineage.aws import sagemaker_regions
from lineage.config import Settings
from lineage.errors import ConfigError
from lineage.service import LineageService

TITLE = "SageMaker Lineage"
# dashboard/assets: the top-level assets/ folder (a link in a checkout, copies in the wheel).
ASSETS = Path(__file__).resolve().parent.parent / "assets"


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
        assets_folder=str(ASSETS),
        use_pages=True,
        pages_folder="",
        routing_callback_inputs=ROUTING_INPUTS,
    )
    server: Flask = app.server
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
    cached = CachedLineage(
        service, cache, ttls, lock_dir=_shared_cache_dir(values), gate=limits
    )
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
    install_security_headers(app)
    install_json_logging()
    install_dashboard(app)
    install_not_found(app, values[ENV_API_PREFIX])
    start_warmup(service, cached, readiness)
    return app


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
