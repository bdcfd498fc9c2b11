"""The processes of a benchmark run: the server under test, and what /proc says of them.

:class:`Server` is ``sagemaker-lineage serve`` (gunicorn) in a subprocess; its workers, their
CPU time and peak memory are read from /proc. :func:`server_environment` is the environment
every server of the benchmark starts with, pointed at a sandbox.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from dashboard.bench.load import Client
from dashboard.server.limits import LIMITS_OFF

READYZ = "/readyz"
READY_IN_A_ROW = 20


class BenchError(RuntimeError):
    """The benchmark could not run (a sandbox or server did not start)."""


def server_environment(endpoint_env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment pointed at the sandbox, with no cache settings of its own
    (``serve`` shares one FileSystemCache between its workers) and no client limits (one
    client asking again and again, by design)."""
    from lineage.sandbox import apply_environment

    env = apply_environment(dict(os.environ), endpoint_env)
    for name in ("CACHE_TYPE", "CACHE_DIR", "LINEAGE_SERIAL_AWS_CALLS"):
        env.pop(name, None)
    env["LINEAGE_SANDBOX"] = "true"
    env.update(LIMITS_OFF)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in task.read_text().split()]
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


def status_kb(pid: int, key: str) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


class Server:
    """``sagemaker-lineage serve`` in a subprocess; its gunicorn workers are found in /proc."""

    def __init__(self, env: dict[str, str], log_path: Path, *, workers: int = 2) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-c", "from dashboard.cli import main; raise SystemExit(main())",
                "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--workers", str(workers)]
        self._log = log_path.open("w")
        self.process = subprocess.Popen(argv, env=env, stdout=self._log, stderr=self._log,
                                        stdin=subprocess.DEVNULL)
        self.workers_expected = workers
        self.log_path = log_path

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until every worker answers /readyz 200 (several in a row: each asks a random one)."""
        deadline = time.monotonic() + timeout
        client = Client(self.base_url, timeout=5)
        in_a_row = 0
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                ready = False
                with contextlib.suppress(OSError):
                    ready = client.get(READYZ).status == 200 and \
                        len(self.workers()) >= self.workers_expected
                in_a_row = in_a_row + 1 if ready else 0
                if in_a_row >= READY_IN_A_ROW:
                    return
                time.sleep(0.05 if ready else 0.2)
        finally:
            client.close()
        tail = self.log_path.read_text(errors="replace")[-2000:]
        raise BenchError(f"the server did not start:\n{tail}")

    def workers(self) -> list[int]:
        """gunicorn's worker processes: the grandchildren of ``serve``."""
        return [pid for master in children(self.process.pid) for pid in children(master)]

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.workers())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                for pid in descendants(self.process.pid):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                self.process.kill()
                self.process.wait(10)
        self._log.close()
