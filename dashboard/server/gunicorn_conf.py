"""gunicorn settings from the environment: ``gunicorn -c python:dashboard.server.gunicorn_conf``.

The same settings ``sagemaker-lineage serve`` uses (``dashboard.server.serve.gunicorn_options``),
and the hooks that give every worker what the master makes once, before the first fork (so the
Docker image and ``serve`` get the same): the health listener's socket
(``dashboard.server.health``) and a directory the workers share (``LINEAGE_SHARED_DIR``, read
through ``dashboard.server.shared_dir()``), removed when the master exits. Several workers and
no ``CACHE_TYPE``: their cache is a FileSystemCache there.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from typing import Any

from dashboard.core.config import ENV_SHARED_DIR, load_config
from dashboard.core.logs import GUNICORN_LOGCONFIG
from dashboard.server.health import HealthListener, open_health_socket
from dashboard.server.serve import gunicorn_options, warn_without_credentials

_options = gunicorn_options()

bind = _options["bind"]
worker_class = _options["worker_class"]
workers = _options["workers"]
threads = _options["threads"]
timeout = _options["timeout"]
graceful_timeout = _options["graceful_timeout"]
keepalive = _options["keepalive"]
max_requests = _options["max_requests"]
max_requests_jitter = _options["max_requests_jitter"]
preload_app = _options["preload_app"]
accesslog = _options["accesslog"]
errorlog = _options["errorlog"]
proc_name = _options["proc_name"]
control_socket_disable = _options["control_socket_disable"]
# The master's own lines (booting, worker timeouts) through the same safe JSON formatter.
logconfig_dict = GUNICORN_LOGCONFIG

# The master's, inherited by each worker it forks.
_health_socket: socket.socket | None = None


def when_ready(arbiter: Any) -> None:
    """In the master, once the main port listens (a taken one leaves nothing behind) and
    before the first worker is forked."""
    global _health_socket
    warn_without_credentials()
    _health_socket = open_health_socket(load_config(), arbiter.log)
    directory = tempfile.mkdtemp(prefix="sagemaker-lineage-")
    os.environ[ENV_SHARED_DIR] = directory
    _share_the_cache(directory, arbiter.cfg.workers)


def post_worker_init(worker: Any) -> None:
    """In each worker, its app loaded: answer probes with this worker's own readiness."""
    if _health_socket is not None:
        HealthListener(_health_socket, worker.wsgi).start()


def on_exit(_arbiter: Any) -> None:
    directory = os.environ.pop(ENV_SHARED_DIR, None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)


def _share_the_cache(directory: str, worker_count: int) -> None:
    """Several workers and no CACHE_TYPE: one FileSystemCache rather than a SimpleCache each.

    Otherwise each worker would fetch and keep its own copy, and single flight would only
    hold within a worker.
    """
    if worker_count <= 1 or os.environ.get("CACHE_TYPE"):
        return
    cache_dir = os.path.join(directory, "cache")
    os.environ["CACHE_TYPE"] = "FileSystemCache"
    os.environ["CACHE_DIR"] = cache_dir
    print(f"Cache: FileSystemCache in {cache_dir}, shared by the workers", flush=True)
