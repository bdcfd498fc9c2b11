"""gunicorn settings from the environment: ``gunicorn -c python:dashboard.server.gunicorn_conf``.

The same settings ``sagemaker-lineage serve`` uses (``dashboard.server.serve.gunicorn_options``).
"""

from __future__ import annotations

from dashboard.server.serve import gunicorn_options

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
when_ready = _options["when_ready"]
control_socket_disable = _options["control_socket_disable"]
