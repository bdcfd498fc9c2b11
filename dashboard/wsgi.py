"""The WSGI entry point: ``gunicorn dashboard.wsgi:server`` (settings: dashboard.gunicorn_conf).

Imported in each worker after the fork, so clients and pools belong to that worker. The
worker makes its AWS clients at once, on a thread of its own so that it starts accepting
requests without waiting: otherwise its first request pays for loading botocore's models
(~0.2-0.5 s, measured by ``sagemaker-lineage bench``). Clients are made under the client
factory's lock, so a request that comes first simply waits for the same work.
"""

from __future__ import annotations

import logging
import threading

from dashboard.api import EXTENSION
from dashboard.app import create_app

app = create_app()
server = app.server


def _warm() -> None:
    try:
        server.extensions[EXTENSION].cached.service.warm()
    except Exception:  # a warm-up that fails leaves the work to the first request
        logging.getLogger("dashboard").warning("AWS client warm-up failed", exc_info=True)


threading.Thread(target=_warm, name="warm-aws-clients", daemon=True).start()
