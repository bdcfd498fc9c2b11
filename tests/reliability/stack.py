"""The image's serving stack outside Docker: ``deploy/entrypoint.py`` (nginx in front of gunicorn,
the health listener beside it) on free loopback ports, stopped by the caller.

nginx missing fails the test in CI (``.ci/run`` installs it) and skips it elsewhere.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from deploy.entrypoint import find_nginx
from tests.api.conftest import REPO, START_TIMEOUT_SEC, stop_process

ENTRYPOINT = REPO / "deploy" / "entrypoint.py"


def nginx_binary() -> str:
    binary = find_nginx()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (.ci/run installs nginx-light)")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return binary


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free now (each held until all are found)."""
    with ExitStack() as held:
        ports = []
        for _ in range(count):
            sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    proxy_url: str  # nginx: what clients reach
    app_url: str  # gunicorn itself, bypassing nginx
    health_url: str  # the workers' health listener
    log_path: Path
    expected_exit: int = 0  # a test that breaks the stack on purpose says how it ends

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def children(self) -> list[int]:
        """The entrypoint's processes: gunicorn's master and nginx's."""
        parents = parent_pids()
        return [pid for pid, parent in parents.items() if parent == self.process.pid]

    def descendants(self) -> list[int]:
        """Every process under the entrypoint: both masters and their workers."""
        parents = parent_pids()
        found: list[int] = []
        below = {self.process.pid}
        while below:
            below = {pid for pid, parent in parents.items() if parent in below}
            found.extend(below)
        return found


def parent_pids() -> dict[int, int]:
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        found[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def wait_ready(stack: Stack) -> None:
    """Until nginx answers /readyz 200 three times in a row (a random worker each time)."""
    deadline = time.monotonic() + START_TIMEOUT_SEC
    in_a_row = 0
    while in_a_row < 3:
        if stack.process.poll() is not None:
            raise RuntimeError(f"the entrypoint exited ({stack.process.returncode}):\n"
                               f"{stack.output()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready after {START_TIMEOUT_SEC}s:\n{stack.output()}")
        try:
            ok = requests.get(stack.proxy_url + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            ok = False
        in_a_row = in_a_row + 1 if ok else 0
        time.sleep(0.05 if ok else 0.1)


@contextmanager
def running_stack(
    app: str, env: Mapping[str, str], log_path: Path, *, workers: int = 2, threads: int = 4
) -> Iterator[Stack]:
    """The entrypoint serving ``app``; at the end SIGTERM: it must exit ``expected_exit``
    (0) and leave neither gunicorn nor nginx running."""
    nginx_binary()
    proxy, app_port, health = free_ports(3)
    full_env = {
        **env,
        "LINEAGE_PROXY_HOST": "127.0.0.1",
        "LINEAGE_PROXY_PORT": str(proxy),
        "LINEAGE_PORT": str(app_port),
        "LINEAGE_HEALTH_PORT": str(health),
        "LINEAGE_WORKERS": str(workers),
        "LINEAGE_THREADS": str(threads),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(ENTRYPOINT), app], cwd=REPO, env=full_env, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    stack = Stack(process, f"http://127.0.0.1:{proxy}", f"http://127.0.0.1:{app_port}",
                  f"http://127.0.0.1:{health}", log_path)
    processes: list[int] = []
    try:
        wait_ready(stack)
        processes = stack.descendants()
        yield stack
    finally:
        stop_process(process, signal.SIGTERM)
    assert process.returncode == stack.expected_exit, stack.output()[-3000:]
    left = [pid for pid in processes if Path(f"/proc/{pid}").exists()]
    assert not left, f"still running after the entrypoint stopped: {left}"
