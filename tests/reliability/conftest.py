"""Servers the reliability tests break on purpose: gunicorn, redis-server, a proxy that hangs.

Everything started here is stopped when the test ends (factory fixtures keep a list).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.api.conftest import Server, clean_environment, free_port, start_gunicorn, stop_process
from tests.reliability.proxy import ToggleProxy

ServeFactory = Callable[..., Server]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServeFactory]:
    """``serve(env, app=..., workers=1, threads=4)``: gunicorn, stopped after the test."""
    started: list[Server] = []

    def start(
        env: Mapping[str, str],
        app: str = "dashboard.server.wsgi:server",
        workers: int = 1,
        threads: int = 4,
    ) -> Server:
        log = tmp_path / f"server-{len(started)}.log"
        server = start_gunicorn(app, env, log, workers=workers, threads=threads)
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()


def endpoint_env(endpoint: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment for an AWS endpoint (a sandbox, or a proxy in front of one)."""
    from lineage.sandbox import apply_environment, sandbox_environment

    return apply_environment(clean_environment(extra), sandbox_environment(endpoint))


class RedisServer:
    """A real redis-server on a fixed port, that a test can stop and start again."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("redis-server is not installed (.ci/run installs it)")
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A running redis-server of this test alone (it may stop and restart it)."""
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def toggle_proxy() -> Iterator[Callable[..., ToggleProxy]]:
    """``toggle_proxy(upstream_endpoint, port=0)``: a TCP proxy that can be told to hang."""
    started: list[ToggleProxy] = []

    def start(upstream: str, port: int = 0) -> ToggleProxy:
        proxy = ToggleProxy(upstream, port).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()
