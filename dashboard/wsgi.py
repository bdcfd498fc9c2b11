"""The WSGI entry point: ``gunicorn dashboard.wsgi:server`` (settings: dashboard.gunicorn_conf).

Imported in each worker after the fork, so clients and pools belong to that worker.
"""

from __future__ import annotations

from dashboard.app import create_app

app = create_app()
server = app.server
