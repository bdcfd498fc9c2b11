"""HTTP clients of the benchmark: a keep-alive client for single requests, and load.

Load with 32 concurrent clients comes from ``wrk`` when it is installed (C, epoll: it leaves
the 2 cores to the server); otherwise from a bounded Python client (threads in this process,
which compete with the server for CPU and so understate its throughput: the table says which).
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from dashboard.bench.figures import percentile


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


class Client:
    """One keep-alive HTTP/1.1 connection to the server under test."""

    def __init__(self, base_url: str, timeout: float = 120.0) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Answer:
        for attempt in range(2):
            connection = self._connection or http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
            self._connection = connection
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except (ConnectionError, http.client.HTTPException):
                # The server closed an idle keep-alive connection: one fresh try.
                self.close()
                if attempt:
                    raise
                continue
            seconds = time.perf_counter() - started
            headers = {k.lower(): v for k, v in response.getheaders()}
            if headers.get("connection", "").lower() == "close":
                self.close()
            return Answer(response.status, headers, body, seconds)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@dataclass(frozen=True)
class LoadResult:
    requests_per_sec: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    tool: str


def latencies(base_url: str, path: str, count: int) -> list[float]:
    """Seconds of ``count`` sequential requests on one connection (after one warm-up)."""
    client = Client(base_url)
    try:
        client.get(path)
        out = []
        for _ in range(count):
            answer = client.get(path)
            if answer.status != 200:
                raise RuntimeError(f"{path} answered {answer.status}")
            out.append(answer.seconds)
        return out
    finally:
        client.close()


def load(base_url: str, path: str, *, connections: int = 32, seconds: float = 5.0) -> LoadResult:
    """Requests per second with ``connections`` concurrent keep-alive clients."""
    if shutil.which("wrk"):
        return _wrk(base_url, path, connections, seconds)
    return _python_load(base_url, path, connections, seconds)


_WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_WRK_COUNT = re.compile(r"(\d+) requests in")
_WRK_PERCENT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_WRK_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> tuple[float, int, dict[str, float], int]:
    """``(requests/s, requests, {"50": ms, "99": ms}, errors)`` from ``wrk --latency``."""
    rps = _WRK_RPS.search(output)
    count = _WRK_COUNT.search(output)
    if rps is None or count is None:
        raise RuntimeError(f"wrk said: {output.strip()[-300:]}")
    quantiles = {m.group(1): float(m.group(2)) * _UNIT_MS[m.group(3)]
                 for m in _WRK_PERCENT.finditer(output)}
    errors = sum(int(m.group(1)) for m in _WRK_ERRORS.finditer(output))
    socket = _WRK_SOCKET.search(output)
    if socket is not None:
        errors += sum(int(n) for n in socket.groups())
    return float(rps.group(1)), int(count.group(1)), quantiles, errors


def _wrk(base_url: str, path: str, connections: int, seconds: float) -> LoadResult:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
            "--timeout", "10s", base_url.rstrip("/") + path]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)
    rps, count, quantiles, errors = parse_wrk(done.stdout)
    return LoadResult(rps, quantiles.get("50", float("nan")), quantiles.get("99", float("nan")),
                      count, errors, "wrk -t1")


def _python_load(base_url: str, path: str, connections: int, seconds: float) -> LoadResult:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        client = Client(base_url, timeout=10)
        mine: list[float] = []
        failed = 0
        try:
            while time.perf_counter() < stop_at:
                try:
                    answer = client.get(path)
                except OSError:
                    failed += 1
                    continue
                if answer.status == 200:
                    mine.append(answer.seconds)
                else:
                    failed += 1
        finally:
            client.close()
            with lock:
                times.extend(mine)
                errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.perf_counter() - started
    return LoadResult(
        len(times) / elapsed,
        percentile(times, 50) * 1000,
        percentile(times, 99) * 1000,
        len(times),
        errors[0],
        "python threads (wrk not installed)",
    )
