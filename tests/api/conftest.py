"""Real servers for the API tests: gunicorn on a free port (and redis-server), all stopped.

``api_server`` is one gunicorn (2 workers x 4 threads, FileSystemCache, API_PREFIX=/prod)
serving ``tests.api.fault_app:server`` against the session's sandbox. It lives for the
whole session of tests/api so that gunicorn starts only a few times.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from dashboard.server.limits import LIMITS_OFF
from lineage.sandbox import (
    SECOND_ACCOUNT_ROLE_ARN,
    SandboxProcess,
    apply_environment,
    sandbox_environment,
)

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_SEC = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ without our settings (the developer's shell must not change the tests)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LINEAGE_", "CACHE_", "API_PREFIX", "CORS_ORIGINS"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


@dataclass
class Server:
    """A server process, its base URL and its combined output (a file)."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.get(self.url + path, **kwargs)

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON lines of the log (gunicorn's own lines are not JSON)."""
        lines = []
        for line in self.output().splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    continue
        return lines

    def wait_for_log(self, request_id: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_lines():
                if line.get("requestId") == request_id and line.get("event") == "request":
                    return line
            if time.monotonic() > deadline:
                raise AssertionError(f"no log line for request {request_id}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.session.close()
        stop_process(self.process)


def stop_process(process: subprocess.Popen[Any], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until_up(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SEC
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            # Ready, not only alive: the worker warmed its clients and tried its cache.
            if requests.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or busy starting
            pass
        time.sleep(0.1)
    stop_process(process)
    raise RuntimeError(f"server not up after {START_TIMEOUT_SEC}s:\n{log_path.read_text()}")


def start_gunicorn(
    app_uri: str, env: Mapping[str, str], log_path: Path, *, workers: int = 2, threads: int = 4
) -> Server:
    """gunicorn exactly as the Docker image runs it (settings: dashboard.server.gunicorn_conf)."""
    port = free_port()
    full_env = dict(env)
    full_env.update(
        {
            "LINEAGE_HOST": "127.0.0.1",
            "LINEAGE_PORT": str(port),
            "LINEAGE_WORKERS": str(workers),
            "LINEAGE_THREADS": str(threads),
        }
    )
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.server.gunicorn_conf",
            app_uri]
    return start_process(argv, full_env, log_path, f"http://127.0.0.1:{port}")


def start_process(argv: list[str], env: Mapping[str, str], log_path: Path, url: str) -> Server:
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, cwd=REPO, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        wait_until_up(process, url, log_path)
    except BaseException:
        stop_process(process)
        raise
    return Server(process, url, log_path)


def sandbox_env(sandbox: SandboxProcess, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return apply_environment(clean_environment(extra), sandbox_environment(sandbox.endpoint))


def start_estate_server(sandbox: SandboxProcess, directory: Path) -> Server:
    """One gunicorn worker over a FileSystemCache in ``directory`` that reads the sandbox's
    second account too (``LINEAGE_ACCOUNT_ROLES``), without limits: the estate's tests'."""
    env = sandbox_env(sandbox, {"LINEAGE_ACCOUNT_ROLES": SECOND_ACCOUNT_ROLE_ARN,
                                "CACHE_TYPE": "FileSystemCache",
                                "CACHE_DIR": str(directory / "cache"), **LIMITS_OFF})
    return start_gunicorn("dashboard.server.wsgi:server", env, directory / "server.log",
                          workers=1)


@pytest.fixture(scope="session")
def api_server(
    sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("api-server")
    env = sandbox_env(
        sandbox,
        {
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": str(directory / "cache"),
            "API_PREFIX": "/prod",
            # The seed's "any origin", opted into: test_contract and test_not_found test it.
            "CORS_ORIGINS": "*",
            # Shared by the whole session: every test asks from one address, far more than
            # one client may (the limits have tests of their own: test_limits, test_cost).
            **LIMITS_OFF,
        },
    )
    server = start_gunicorn("tests.api.fault_app:server", env, directory / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free port, without persistence; stopped at the end."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (.ci/run installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(process)
