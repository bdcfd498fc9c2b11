"""The WSGI entry point: ``gunicorn dashboard.server.wsgi:server`` (settings: gunicorn_conf).

Imported in each worker after the fork, so clients, pools and the warm-up thread belong to
that worker (``create_app`` starts the warm-up; ``/readyz`` says when it is done).
"""

from __future__ import annotations

from dashboard.server.app import create_app

app = create_app()
server = app.server
