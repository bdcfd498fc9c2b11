"""Production serving: gunicorn with gthread workers, settings from ``dashboard.core.config``.

``sagemaker-lineage serve`` runs :func:`serve`, which runs (and supervises)
``gunicorn -c python:dashboard.server.gunicorn_conf dashboard.server.wsgi:server``, as the
Docker image does behind nginx (``deploy/entrypoint.py``), so both read the same settings.
It says "Serving on" once a worker answers ``/readyz`` with 200, not when the port opens; a
port it cannot listen on (the main one, or a chosen ``LINEAGE_HEALTH_PORT``) is refused
before anything starts (:class:`ServeError`). The health listener and the workers' shared
directory are made by gunicorn_conf's hooks.
The app is imported in each worker after the fork (no ``preload_app``), so AWS clients and
thread pools are always made in the process that uses them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from dashboard.core.config import (
    ENV_GRACEFUL_TIMEOUT_SEC,
    ENV_HOST,
    ENV_KEEPALIVE_SEC,
    ENV_MAX_REQUESTS,
    ENV_PORT,
    ENV_SANDBOX,
    ENV_THREADS,
    ENV_TIMEOUT_SEC,
    ENV_WORKERS,
    load_config,
)
from dashboard.server.health import health_address

WSGI_APP = "dashboard.server.wsgi:server"
GUNICORN_CONF = "dashboard.server.gunicorn_conf"
READY_POLL_SEC = 0.1
NO_CREDENTIALS_MESSAGE = (
    "sagemaker-lineage: warning: no AWS credentials found (environment, AWS_PROFILE or "
    "instance role). The server runs, but every request that needs AWS answers 503 until "
    "credentials are available. Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
    "or try `sagemaker-lineage serve --sandbox`."
)


class ServeError(Exception):
    """The server cannot start (its port is taken); the message names the address."""


def gunicorn_options(
    values: Mapping[str, Any] | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """gunicorn settings: explicit arguments > environment > defaults."""
    config = load_config() if values is None else values
    bind_host = host or config[ENV_HOST]
    bind_port = config[ENV_PORT] if port is None else port
    max_requests = config[ENV_MAX_REQUESTS]
    return {
        "bind": [f"[{bind_host}]:{bind_port}" if ":" in bind_host else f"{bind_host}:{bind_port}"],
        "worker_class": "gthread",
        "workers": workers or config[ENV_WORKERS],
        "threads": config[ENV_THREADS],
        "timeout": config[ENV_TIMEOUT_SEC],
        "graceful_timeout": config[ENV_GRACEFUL_TIMEOUT_SEC],
        "keepalive": config[ENV_KEEPALIVE_SEC],
        # Recycle workers now and then, staggered, against slow leaks.
        "max_requests": max_requests,
        "max_requests_jitter": max(1, max_requests // 10),
        "preload_app": False,
        "accesslog": None,  # the app writes one JSON line per request itself
        "errorlog": "-",
        "proc_name": "sagemaker-lineage",
        # gunicorn >= 25.1 opens a control socket at one fixed path per user: several servers
        # on a machine (tests, blue/green) would fight over it, and nothing here uses it.
        "control_socket_disable": True,
    }


def warn_without_credentials() -> None:
    """Once listening (gunicorn_conf.when_ready): warn loudly when AWS cannot be reached."""
    message = credentials_message()
    if message:
        print(message, file=sys.stderr, flush=True)


def credentials_message() -> str | None:
    from lineage.aws import ClientFactory
    from lineage.config import Settings

    settings = Settings.from_env()
    try:
        found = ClientFactory(settings).has_credentials()
    except Exception as exc:  # a broken profile file is as bad as none, but say which
        return f"{NO_CREDENTIALS_MESSAGE} ({type(exc).__name__} while reading them)"
    return None if found else NO_CREDENTIALS_MESSAGE


def serve(
    *,
    sandbox: bool = False,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    debug: bool = False,
) -> int:
    """Run the server until stopped; with ``sandbox`` also the AWS sandbox, stopped on exit.

    Raises :class:`ServeError` at once, before the sandbox or gunicorn starts, when the
    address cannot be listened on.
    """
    options = gunicorn_options(host=host, port=port, workers=workers)
    bind_host, _, bind_port = options["bind"][0].rpartition(":")
    problem = bind_problem(bind_host.strip("[]"), int(bind_port))
    if problem is not None:
        raise ServeError(f"cannot serve on {options['bind'][0]}: {problem}")
    health = health_address(
        {**load_config(), ENV_HOST: bind_host.strip("[]"), ENV_PORT: int(bind_port)}
    )
    # The default health port, taken, only turns the listener off (dashboard.server.health).
    if health is not None and health.chosen:
        problem = bind_problem(health.host, health.port)
        if problem is not None:
            raise ServeError(f"cannot serve health checks on {health}: {problem}")
    if not sandbox:
        return _run(options, debug=debug)
    from lineage.sandbox import SandboxProcess, environment_overridden, sandbox_environment

    with SandboxProcess() as process, environment_overridden(
        {**sandbox_environment(process.endpoint), ENV_SANDBOX: "true"}
    ):
        print(f"AWS sandbox on {process.endpoint}: the server shows sandbox data.", flush=True)
        return _run(options, debug=debug)


def bind_problem(host: str, port: int) -> str | None:
    """Why nothing can listen on ``host:port`` now (taken, not an address of this machine),
    or ``None``. Probed as gunicorn binds (``SO_REUSEADDR``), so a port in TIME_WAIT is free."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:  # socket.gaierror included
        return (exc.strerror or str(exc)).lower()
    return None


def _run(options: dict[str, Any], *, debug: bool) -> int:
    bind_host, _, bind_port = options["bind"][0].rpartition(":")
    if debug:
        from dashboard.server.app import create_app

        warn_without_credentials()
        # Started in the background by a shell without job control (`serve --debug &`,
        # nohup, some CI runners), SIGINT arrives ignored, and Python then installs no
        # KeyboardInterrupt for it: the development server would never stop on Ctrl-C or
        # `kill -INT`. gunicorn sets its own handlers; this is the debug server's.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        create_app().run(
            host=bind_host.strip("[]"), port=int(bind_port), debug=True, use_reloader=False
        )
        return 0
    # gunicorn in a process of its own: its master forks workers, and a fork must not copy
    # this process's threads (the sandbox's output reader holds a lock).
    env = dict(os.environ)
    env[ENV_HOST] = bind_host.strip("[]")
    env[ENV_PORT] = bind_port
    env[ENV_WORKERS] = str(options["workers"])
    serving = (
        f"Serving on http://{options['bind'][0]} ({options['workers']} workers x "
        f"{options['threads']} threads)"
    )
    return _supervise(
        [sys.executable, "-m", "gunicorn", "-c", f"python:{GUNICORN_CONF}", WSGI_APP],
        env,
        ready_url=f"http://{_local(bind_host)}:{bind_port}/readyz",
        ready_message=serving,
    )


def _local(bind_host: str) -> str:
    """Where this machine reaches a server bound to ``bind_host``."""
    host = bind_host.strip("[]")
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def is_ready(url: str, timeout: float = 2.0) -> bool:
    """Whether ``url`` (a worker's /readyz) answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (loopback)
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _supervise(
    argv: list[str], env: dict[str, str], *, ready_url: str, ready_message: str
) -> int:
    """Run ``argv``; say ``ready_message`` once ``ready_url`` answers 200; pass the child the
    signals that stop us; return its exit status."""
    child = subprocess.Popen(argv, env=env)
    forwarded = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def forward(signum: int, _frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in forwarded}
    try:
        announced = False
        while True:
            try:
                if announced:
                    return child.wait()
                if child.poll() is not None:
                    return child.returncode
                if is_ready(ready_url):
                    print(ready_message, flush=True)
                    announced = True
                    continue
                time.sleep(READY_POLL_SEC)
            except KeyboardInterrupt:  # a second Ctrl-C while gunicorn stops: keep waiting
                announced = True
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if child.poll() is None:
            child.kill()
            child.wait()

