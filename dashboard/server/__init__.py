"""The server: the app factory, security headers, rate limits, the not-found answer, the
start-up checks behind ``/readyz``, the health listener, and gunicorn (``serve``,
``gunicorn_conf``, ``wsgi``)."""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.core.config import ENV_SHARED_DIR


def shared_dir() -> Path | None:
    """The directory every worker of this server shares (made by the gunicorn master, gone
    when it stops); ``None`` outside gunicorn (``create_app`` in a test, ``serve --debug``)."""
    raw = os.environ.get(ENV_SHARED_DIR)
    return Path(raw) if raw else None
