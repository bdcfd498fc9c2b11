"""The app factory: one Flask server, the JSON API and the Dash dashboard on it.

``create_app(config=None)`` reads the environment (``dashboard.core.config``); a ``config``
dict overrides it (tests). gunicorn serves ``dashboard.server.wsgi:server``. The API and what
surrounds it are ``dashboard.server.api_server``'s, shared with the Lambda function.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dash

from dashboard.core.config import ENV_API_PREFIX, ENV_SANDBOX, load_config
from dashboard.server.api_server import install_api_server
from dashboard.server.not_found import install_not_found
from dashboard.server.security import PagePolicy, install_unknown_bundles
from dashboard.server.warmup import start_warmup
from dashboard.ui import ROUTING_INPUTS, install_dashboard

TITLE = "SageMaker Lineage"
# dashboard/assets: the top-level assets/ folder (a link in a checkout, copies in the wheel).
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def create_app(config: Mapping[str, Any] | None = None) -> dash.Dash:
    values = load_config(config)
    app = dash.Dash(
        __name__,
        title=f"{TITLE} (sandbox)" if values[ENV_SANDBOX] else TITLE,
        update_title="",
        serve_locally=True,
        assets_folder=str(ASSETS),
        use_pages=True,
        pages_folder="",
        routing_callback_inputs=ROUTING_INPUTS,
    )
    api_prefix = values[ENV_API_PREFIX]
    parts = install_api_server(app.server, values, page_policy=PagePolicy(app))
    install_unknown_bundles(app)
    install_dashboard(app)
    install_not_found(app, api_prefix)
    start_warmup(parts.service, parts.cached, parts.readiness)
    return app
