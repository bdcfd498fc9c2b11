"""The soak: gunicorn (2 workers) on the sandbox (20 ms per AWS call), 64 clients with wrk.

``python -m tests.soak.soak [--duration 60]`` (``make soak``) prints the figures; the test
``tests/soak/test_soak.py`` runs a 10 s version in ``make test``. Everything runs on
loopback and stops by itself: wrk's run is bounded by ``--duration`` and every process
started here is stopped on the way out.

The mix: cached answers (finished executions, lists), answers that expire every 10 s (a running
execution), and answers forced past the cache (``refresh=true``, read from the sandbox each
time). Workers are not recycled during the run (``LINEAGE_MAX_REQUESTS`` is raised), so the
resident memory of the same two processes is compared from start to end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from dashboard.server.limits import LIMITS_OFF
from lineage.sandbox import SandboxOptions, SandboxProcess, apply_environment, sandbox_environment
from tests.api.conftest import Server, clean_environment, start_gunicorn

# path -> weight in the mix
MIX: dict[str, int] = {
    "/lineage?pipeline=mlops-pipeline": 6,
    "/lineage?pipeline=churn-pipeline": 3,
    "/lineage?pipeline=fraud-detection-pipeline": 3,  # running: expires every 10 s
    "/lineage?pipeline=nlp-pipeline&region=us-east-1": 2,
    "/lineage?pipeline=scale-pipeline": 1,  # 120+ steps, 160 KiB
    "/lineage?pipeline=mlops-pipeline&refresh=true": 1,  # uncached
    "/lineage?pipeline=churn-pipeline&includeLatestExec=false&refresh=true": 1,  # uncached
    "/pipelines?region=ap-northeast-2": 2,
    # The sibling frontend's calls (tests/api/test_sage_front.py): shaped from the same entries.
    "/sagemaker/pipelines?regions=ap-northeast-2&includeLatestExec=true": 1,
    "/lineage?pipeline=mlops-pipeline&region=ap-northeast-2&view=both&includeLatestExec=true"
    "&domain=ml-platform": 2,
    "/lineage/by-domain?region=ap-northeast-2&domain=ml-platform&includeLatestExec=true"
    "&view=both": 1,
    "/schema?pipeline=mlops-pipeline&region=ap-northeast-2&include_featurestore=true"
    "&include_sql=true&scan_if_missing=true": 1,
    "/lineage/schema?pipeline=mlops-pipeline&region=ap-northeast-2": 1,
    # The execution as OpenLineage RunEvents, from the same document entry.
    "/lineage?pipeline=mlops-pipeline&format=openlineage": 1,
    "/executions?pipeline=mlops-pipeline": 2,
    # Parameters read, filtered by status and by a parameter's value over the same pages.
    "/executions?pipeline=mlops-pipeline&parameters=true&status=Succeeded": 1,
    "/executions?pipeline=mlops-pipeline&param.TrainingInstanceType=ml.m5.2xlarge": 1,
    "/estate?region=ap-northeast-2": 1,  # every pipeline, registry, models, endpoints
    "/impact?region=ap-northeast-2&bucket=customer-features-apne2": 1,
    "/provenance?region=ap-northeast-2&endpoint=churn-prod": 1,
    "/findings?region=ap-northeast-2": 1,  # the report of the cached estate
    "/findings?region=ap-northeast-2&pipeline=churn-pipeline&format=csv": 1,
    "/compare?pipeline=mlops-pipeline&a=q7v2m9k3x1ab&b=r3a5pd8rmk8r": 1,  # a step added
    "/timeline?pipeline=fraud-detection-pipeline": 1,  # running: redrawn at each request
    "/trends?pipeline=mlops-pipeline": 1,
    "/regions": 1,
    "/healthz": 1,
}
CONNECTIONS = 64
WRK_THREADS = 2
LATENCY_MS = 20
WORKERS = 2
RSS_SAMPLE_SEC = 2.0
# A worker's resident memory may grow this much from the warm third of the run to its end
# (measured: under 2 MiB in 60 s); more is reported as growth.
RSS_GROWTH_LIMIT_MB = 8.0

WRK_SCRIPT = """
local paths = {%(paths)s}
local formatted = {}
local i = 0
init = function(args)
  for k, path in ipairs(paths) do formatted[k] = wrk.format("GET", path) end
end
request = function()
  i = i + 1
  return formatted[(i %% #formatted) + 1]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "durationUs": %%d, "bytes": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50": %%d, "p90": %%d, "p99": %%d, ' ..
    '"max": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""


class SoakError(RuntimeError):
    """The soak could not run (wrk missing, a server did not start)."""


@dataclass
class SoakResult:
    duration_sec: float
    requests: int
    errors: dict[str, int]
    latency_ms: dict[str, float]
    rss_mb: dict[int, list[float]] = field(default_factory=dict)  # worker pid -> samples
    log_errors: list[str] = field(default_factory=list)
    worker_pids_before: set[int] = field(default_factory=set)
    worker_pids_after: set[int] = field(default_factory=set)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values()) + len(self.log_errors)

    @property
    def rss_stable(self) -> bool:
        return all(self.rss_growth_mb(pid) <= RSS_GROWTH_LIMIT_MB for pid in self.rss_mb)

    @property
    def rate(self) -> float:
        return self.requests / self.duration_sec if self.duration_sec else 0.0

    def rss_growth_mb(self, pid: int) -> float:
        """From the first third of the run (warm) to its end."""
        samples = self.rss_mb[pid]
        warm = samples[len(samples) // 3]
        return samples[-1] - warm

    def report(self) -> str:
        lines = [
            f"soak: {self.duration_sec:.0f} s, {CONNECTIONS} connections, {WORKERS} workers, "
            f"sandbox latency {LATENCY_MS} ms",
            f"requests: {self.requests} ({self.rate:.0f}/s)",
            "errors: " + (", ".join(f"{k} {v}" for k, v in self.errors.items() if v) or "0")
            + (f"; server log errors {len(self.log_errors)}" if self.log_errors else ""),
            "latency: " + ", ".join(f"{k} {v:.1f} ms" for k, v in self.latency_ms.items()),
        ]
        for pid, samples in sorted(self.rss_mb.items()):
            lines.append(
                f"worker {pid} RSS: start {samples[0]:.1f} MiB, end {samples[-1]:.1f} MiB "
                f"(from warm {samples[len(samples) // 3]:.1f}: {self.rss_growth_mb(pid):+.1f})"
            )
        same = self.worker_pids_before == self.worker_pids_after
        lines.append("workers: " + ("the same processes throughout" if same else
                                    f"changed {sorted(self.worker_pids_before)} -> "
                                    f"{sorted(self.worker_pids_after)}"))
        return "\n".join(lines)


def worker_pids(master: int) -> set[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return set()
    return {int(pid) for pid in text.split()}


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _wait_for_workers(master: int, count: int, timeout: float = 30.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = worker_pids(master)
        if len(pids) >= count:
            return pids
        time.sleep(0.1)
    raise SoakError(f"gunicorn has {len(worker_pids(master))} workers, not {count}")


def run_soak(duration: int, directory: Path) -> SoakResult:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SoakError("wrk is not installed (apt-get install wrk; .ci/run installs it)")
    with SandboxProcess(SandboxOptions(latency_ms=LATENCY_MS)) as sandbox:
        env = apply_environment(
            clean_environment({
                "CACHE_TYPE": "FileSystemCache",
                "CACHE_DIR": str(directory / "cache"),
                "LINEAGE_MAX_REQUESTS": "100000000",  # the same workers from start to end
                # wrk's 64 connections are one client address: the soak measures the server,
                # not one client's limits (tests/api/test_limits.py, test_cost.py do).
                **LIMITS_OFF,
            }),
            sandbox_environment(sandbox.endpoint),
        )
        server = start_gunicorn("dashboard.server.wsgi:server", env, directory / "server.log",
                                workers=WORKERS, threads=8)
        try:
            return _load(server, wrk, duration, directory)
        finally:
            server.stop()


def _load(server: Server, wrk: str, duration: int, directory: Path) -> SoakResult:
    master = server.process.pid
    pids = _wait_for_workers(master, WORKERS)
    for path in MIX:  # warm: every worker's clients and the shared cache
        for _ in range(WORKERS * 6):  # each worker meets each path (their memos too)
            # A connection each: one kept alive would meet one worker only, and the other
            # would warm up during the run (its RSS growth then is no leak).
            response = requests.get(server.url + path, timeout=60,
                                    headers={"Connection": "close"})
            if response.status_code != 200:
                raise SoakError(f"warm-up {path}: {response.status_code} {response.text[:200]}")
    paths = [path for path, weight in MIX.items() for _ in range(weight)]
    script = directory / "mix.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)})

    samples: dict[int, list[float]] = {pid: [] for pid in pids}
    stop = threading.Event()

    def sample() -> None:
        while True:
            for pid in pids:
                value = rss_mb(pid)
                if value is not None:
                    samples[pid].append(value)
            if stop.wait(RSS_SAMPLE_SEC):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        completed = subprocess.run(
            [wrk, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "30s",
             "-s", str(script), server.url],
            capture_output=True, text=True, timeout=duration + 60, check=False,
        )
    finally:
        stop.set()
        sampler.join()
    summary_lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not summary_lines:
        raise SoakError(f"wrk failed ({completed.returncode}): {completed.stderr[-2000:]}")
    summary: dict[str, Any] = json.loads(summary_lines[-1])
    # A starting worker's /readyz 503 (while the harness waits for it) is no error.
    log_errors = [line for line in server.output().splitlines()
                  if '"level": "ERROR"' in line or "WORKER TIMEOUT" in line
                  or ('"status": 5' in line and '"path": "/readyz"' not in line)]
    return SoakResult(
        duration_sec=summary["durationUs"] / 1e6,
        requests=summary["requests"],
        errors={key: summary[key] for key in ("connect", "read", "write", "status", "timeout")},
        latency_ms={key: summary[key] / 1000 for key in ("p50", "p90", "p99", "max")},
        rss_mb=samples,
        log_errors=log_errors,
        worker_pids_before=pids,
        worker_pids_after=worker_pids(master),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sagemaker-lineage-soak-") as directory:
        try:
            result = run_soak(args.duration, Path(directory))
        except SoakError as exc:
            print(f"soak: {exc}", file=sys.stderr)
            return 2
    print(result.report())
    ok = result.error_count == 0 and result.rss_stable
    ok = ok and result.worker_pids_before == result.worker_pids_after
    print("soak: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
