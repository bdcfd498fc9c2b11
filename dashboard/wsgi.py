"""The WSGI entry point: ``gunicorn dashboard.wsgi:server`` (settings: dashboard.gunicorn_conf).

Imported in each worker after the fork, so clients and pools belong to that worker. The
worker makes its AWS clients here, before it accepts requests: otherwise its first request
pays for loading botocore's models (~0.2-0.5 s, measured by ``sagemaker-lineage bench``).
"""

from __future__ import annotations

import logging

from dashboard.api import EXTENSION
from dashboard.app import create_app

app = create_app()
server = app.server

try:
    server.extensions[EXTENSION].cached.service.warm()
except Exception:  # a warm-up that fails leaves the work to the first request
    logging.getLogger("dashboard").warning("AWS client warm-up failed", exc_info=True)
