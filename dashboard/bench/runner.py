"""The benchmark run: a sandbox, the server under test, a naive server, the rows.

Everything runs on this machine: the sandbox (``--latency-ms``, default 50) with a generated
1,000-step pipeline, the server as ``sagemaker-lineage serve`` runs it (gunicorn, 2 gthread
workers, a shared FileSystemCache), and for row 2 a second server whose every AWS call waits
for the previous one (``LINEAGE_SERIAL_AWS_CALLS``). Rows 8-13, the estate's, have a sandbox and
servers of their own (:mod:`dashboard.bench.estate`). A row that cannot be measured here (no
Chromium, no dashboard) says why; only a sandbox or server that does not start is an error.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from dashboard.bench.analytics import EXTRA_HISTORY, analytics_rows, run_analytics
from dashboard.bench.cold_start import cold_start_rows, run_cold_start
from dashboard.bench.estate import LIST_TTL_SEC as ESTATE_LIST_TTL_SEC
from dashboard.bench.estate import estate_rows, run_estate
from dashboard.bench.figures import (
    BUCKET_SETTINGS_CALLS,
    CallBreakdown,
    Check,
    Row,
    bound_ms,
    describe_operations,
    format_table,
    large_definition,
    median,
    minimum_calls,
    percentile,
    rounds,
    steps_run,
    unresolved_steps,
)
from dashboard.bench.load import Client, latencies, load
from dashboard.bench.processes import (
    BenchError,
    Server,
    cpu_seconds,
    server_environment,
    status_kb,
)
from dashboard.bench.schema_read import run_schema_read, schema_read_rows
from lineage.request import LineageRequest

__all__ = ["BenchError", "Options", "run"]

REGION = "ap-northeast-2"
MLOPS, SCALE = "mlops-pipeline", "scale-pipeline"
LARGE = "bench-1000-steps"
CONCURRENCY = 32
HEALTHZ = "/healthz"
# The goals each row is measured against (the README shows them).
COLD_RATIO_GOALS = {MLOPS: 1.25, SCALE: 2.0}  # issue 17: scale-pipeline from 4.3x to 2.0x
CALLS_GOALS = {SCALE: 100}  # issue 17: scale-pipeline's AWS calls, from 189
SPEEDUP_GOALS = {MLOPS: 10.0, SCALE: 10.0}  # "more on scale-pipeline": at least the same
WARM_P50_GOAL_MS = 5.0
THROUGHPUT_SHARE_GOAL = 0.5
FIRST_GRAPH_GOALS_SEC = {MLOPS: 0.6, SCALE: 1.0, LARGE: 2.0}  # issue 17
RSS_GOAL_MB = 200.0
FIRST_AFTER_READY_GOAL = 2.0  # the first /lineage after /readyz vs a later cold one


@dataclass
class Options:
    latency_ms: int = 50
    out: Path | None = Path("bench/results/latest.md")
    cold_repeats: int = 5
    naive_repeats: int = 3
    warm_requests: int = 400
    load_seconds: float = 5.0
    large_steps: int = 1000
    browser: bool = True
    lineage: bool = True  # rows 1-7 (False: --estate-only)
    estate: bool = True  # rows 8-13 (False: --no-estate)
    estate_size: int = 200
    log: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))


def lineage_path(pipeline: str, *, refresh: bool = False) -> str:
    params = {"pipeline": pipeline, "region": REGION}
    if refresh:
        params["refresh"] = "true"
    return "/lineage?" + urlencode(params)


# -- measurements ---------------------------------------------------------------------------


@dataclass
class Cold:
    pipeline: str
    document: dict[str, Any]
    times: list[float]  # seconds, refresh=true, after the first
    first: float  # the first request after the server started
    client_cpu: list[float]
    sandbox_cpu: list[float]
    minimum: CallBreakdown | None = None  # row 3's

    def median_ms(self) -> float:
        return median(self.times) * 1000


def _cold(server: Server, sandbox_pid: int, pipeline: str, repeats: int) -> Cold:
    client = Client(server.base_url)
    try:
        times, client_cpu, sandbox_cpu = [], [], []
        first = math.nan
        document: dict[str, Any] = {}
        for index in range(repeats + 1):
            cpu0, sandbox0 = server.cpu_seconds(), cpu_seconds(sandbox_pid)
            answer = client.get(lineage_path(pipeline, refresh=True))
            if answer.status != 200:
                raise BenchError(f"{pipeline} answered {answer.status}: {answer.body[:300]!r}")
            if index == 0:
                first = answer.seconds
                document = json.loads(answer.body)
                continue
            times.append(answer.seconds)
            client_cpu.append(server.cpu_seconds() - cpu0)
            sandbox_cpu.append(cpu_seconds(sandbox_pid) - sandbox0)
        return Cold(pipeline, document, times, first, client_cpu, sandbox_cpu)
    finally:
        client.close()


def _definition_facts(
    endpoint_env: dict[str, str], document: dict[str, Any]
) -> tuple[list[str], frozenset[str]]:
    """Of the execution's definition: the steps that read a property file (evaluation
    report), and those whose locations only their job's Describe* gives."""
    from lineage.aws import AwsApi, ClientFactory
    from lineage.config import Settings
    from lineage.definition import parse_definition
    from lineage.sandbox import environment_overridden

    execution = document.get("execution") or {}
    arn = execution.get("arn")
    if not arn:
        return [], frozenset()
    with environment_overridden(endpoint_env):
        settings = Settings()
        api = AwsApi(ClientFactory(settings), REGION)
        parsed = parse_definition(
            api.definition_for_execution(str(arn)),
            parameters=api.execution_parameters(str(arn)),
            execution={"PipelineName": str(document["pipeline"]["name"]),
                       "PipelineExecutionArn": str(arn),
                       "PipelineExecutionId": str(arn).rsplit("/", 1)[-1]},
        )
    return [step.name for step in parsed.steps if step.property_files], unresolved_steps(parsed)


def _graph_nodes(document: dict[str, Any]) -> int:
    """Nodes the pipeline page draws first for this document: its default view's (a big
    pipeline opens collapsed into its groups)."""
    try:
        from dashboard.ui.pages.pipeline.graph import draw
        from dashboard.ui.pages.pipeline.view import View
    except ImportError:
        return len(document["graph"]["nodes"])
    pipeline = str((document.get("pipeline") or {}).get("name") or "")
    request = LineageRequest(pipeline=pipeline, region=REGION)
    drawn = draw(document, request, View(REGION, pipeline))
    return sum(1 for element in drawn.elements if "source" not in element.get("data", {}))


# -- the run --------------------------------------------------------------------------------


def run(options: Options) -> str:
    """Run every row; return the Markdown table (also written to ``options.out``)."""
    log = options.log
    started = time.monotonic()
    rows = [
        Row(1, "cold /lineage vs rounds x latency"),
        Row(2, "speed-up over one call at a time"),
        Row(3, "AWS calls vs the minimum"),
        Row(4, f"warm /lineage through gunicorn, {CONCURRENCY} clients vs /healthz"),
        Row(5, "time to first graph, headless Chromium"),
        Row(6, "peak RSS per gunicorn worker"),
        Row(7, "first /lineage after readiness vs a later cold one"),
    ]
    estate = estate_rows(options.estate_size)
    analytics = [*analytics_rows(), *cold_start_rows(), *schema_read_rows()]
    with tempfile.TemporaryDirectory(prefix="lineage-bench-") as scratch:
        work = Path(scratch)
        if options.lineage:
            _run_lineage(options, work, rows, analytics)
        if options.estate:
            run_estate(options.latency_ms, options.estate_size, work, estate, log)
        else:
            for row in estate:
                row.checks.append(Check("skipped (--no-estate)", None, None))
    elapsed = time.monotonic() - started
    load_average = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    preamble = [
        f"Benchmark of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this host'}"
        f" ({os.cpu_count()} cores, Python {platform.python_version()}), sandbox latency "
        f"{options.latency_ms} ms per AWS call, server: `sagemaker-lineage serve` (gunicorn, "
        f"2 gthread workers x 8 threads, shared FileSystemCache); took {elapsed:.0f} s; "
        f"load average at the end {load_average} (other work on the machine adds noise).",
    ]
    if options.estate:
        preamble.append("")
        preamble.append(
            f"{'Only the estate rows (`--estate-only`). ' if not options.lineage else ''}"
            f"The estate rows have two sandboxes of their own: rows 8-10 {options.estate_size} "
            f"generated pipelines alone (`--estate-size`; the world always has a run and an "
            f"endpoint update in flight, so nothing could be unchanged in it), served with a "
            f"{ESTATE_LIST_TTL_SEC} s list TTL; rows 11 and 13 the world and the generated "
            "pipelines, with the default one; row 12 is the peak of all four workers."
        )
    measured = [*rows, *estate, *analytics] if options.lineage else estate
    table = format_table(measured, preamble)
    if options.out is not None:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(table, encoding="utf-8")
    return table


def _run_lineage(
    options: Options, work: Path, rows: Sequence[Row], analytics: Sequence[Row]
) -> None:
    """Rows 1-7 and 14-17: one sandbox with the 1,000-step pipeline and a long history of
    mlops-pipeline, the server, the naive server."""
    from lineage.sandbox import SandboxOptions, SandboxProcess

    log = options.log
    definitions = work / "definitions"
    definitions.mkdir()
    (definitions / f"{LARGE}.json").write_text(
        json.dumps(large_definition(options.large_steps)), encoding="utf-8"
    )
    log(f"starting the sandbox (latency {options.latency_ms} ms, "
        f"+ a {options.large_steps}-step pipeline)...")
    sandbox_options = SandboxOptions(latency_ms=options.latency_ms,
                                     definitions_dir=definitions, extra_history=EXTRA_HISTORY)
    with SandboxProcess(sandbox_options, start_timeout=600) as sandbox:
        assert sandbox.pid is not None
        endpoint_env = sandbox.environment()
        env = server_environment(endpoint_env)
        server = Server(env, work / "server.log")
        try:
            server.wait_ready()
            log(f"server on {server.base_url}, workers {server.workers()}")
            colds = _rows_cold_and_calls(options, server, sandbox, endpoint_env, rows)
            _row_naive(options, env, work, colds, rows)
            _row_warm(options, server, rows)
            _row_browser(options, server, colds, rows)
            _row_memory(server, rows)
            run_analytics(server, sandbox, analytics[:2], log)
            run_cold_start(endpoint_env, colds[MLOPS].median_ms(), analytics[2], log)
            run_schema_read(endpoint_env, analytics[3], log)
        finally:
            server.stop()


def _rows_cold_and_calls(
    options: Options, server: Server, sandbox: Any, endpoint_env: dict[str, str],
    rows: Sequence[Row],
) -> dict[str, Cold]:
    colds: dict[str, Cold] = {}
    for pipeline in (MLOPS, SCALE):
        options.log(f"row 1: cold {pipeline} x{options.cold_repeats + 1}...")
        cold = _cold(server, sandbox.pid, pipeline, options.cold_repeats)
        colds[pipeline] = cold
        steps = steps_run(cold.document)
        bound = bound_ms(steps, options.latency_ms)
        rows[0].checks.append(Check(
            pipeline, cold.median_ms() / bound, COLD_RATIO_GOALS[pipeline], unit="x",
            info=(f"median {cold.median_ms():.0f} ms vs bound {rounds(steps)} rounds x "
                  f"{options.latency_ms} ms = {bound:.0f} ms; first request after start "
                  f"{cold.first * 1000:.0f} ms; CPU per request: server "
                  f"{median(cold.client_cpu) * 1000:.0f} ms, sandbox "
                  f"{median(cold.sandbox_cpu) * 1000:.0f} ms"),
        ))
    first = colds[MLOPS]
    rows[6].checks.append(Check(
        MLOPS, first.first * 1000 / first.median_ms(), FIRST_AFTER_READY_GOAL, unit="x",
        info=(f"the server's first request {first.first * 1000:.0f} ms (once /readyz said "
              f"ready) vs median cold {first.median_ms():.0f} ms"),
    ))
    # The large pipeline: cold once (for row 3, and so the dashboard finds it cached).
    options.log(f"row 1/3: cold {LARGE}...")
    colds[LARGE] = _cold(server, sandbox.pid, LARGE, 1)
    large = colds[LARGE]
    steps = steps_run(large.document)
    bound = bound_ms(steps, options.latency_ms)
    rows[0].checks.append(Check(
        f"{LARGE} (information)", large.median_ms() / bound, None, unit="x",
        info=(f"{large.median_ms():.0f} ms vs bound {rounds(steps)} x {options.latency_ms} ms "
              f"= {bound:.0f} ms; CPU: server {median(large.client_cpu) * 1000:.0f} ms, "
              f"sandbox {median(large.sandbox_cpu) * 1000:.0f} ms"),
    ))
    for pipeline in (MLOPS, SCALE, LARGE):
        options.log(f"row 3: calls of {pipeline}...")
        sandbox.reset_calls()
        client = Client(server.base_url)
        try:
            answer = client.get(lineage_path(pipeline, refresh=True))
        finally:
            client.close()
        ledger = sandbox.calls()
        made = len(ledger)
        document = json.loads(answer.body)
        reports, unresolved = _definition_facts(endpoint_env, document)
        minimum = minimum_calls(document, reports, unresolved)
        colds[pipeline].minimum = minimum
        every_job = minimum_calls(document, reports).describes
        made_describes = sum(1 for call in ledger if call["operation"].startswith("Describe")
                             and call["operation"] not in PIPELINE_DESCRIBES)
        rows[0].checks.append(Check(
            f"{pipeline} AWS calls", made, CALLS_GOALS.get(pipeline),
            info=(f"{made_describes} Describe* of {every_job} jobs; "
                  f"{_bucket_operations(ledger)}"
                  + (f"; {colds[pipeline].median_ms():.0f} ms cold" if pipeline == LARGE
                     else "")),
        ))
        rows[2].checks.append(Check(
            pipeline, made / minimum.total, 1.0, unit="x",
            info=(f"{made} calls, minimum {minimum.total} = {minimum.fixed} fixed + "
                  f"{minimum.pages} step pages + {minimum.describes} Describe* + "
                  f"{minimum.bucket_settings} bucket settings + {minimum.reports} reports"),
        ))
    return colds


# Describe* calls of the pipeline and its run, not of a job.
PIPELINE_DESCRIBES = frozenset({"DescribePipeline", "DescribePipelineExecution",
                                "DescribePipelineDefinitionForExecution"})
BUCKET_OPERATIONS = frozenset({
    "ListBuckets", "GetBucketLocation", "GetBucketEncryption", "GetBucketVersioning",
    "GetPublicAccessBlock", "GetBucketTagging", "GetBucketPolicyStatus",
    "GetBucketLifecycleConfiguration", "GetObjectLockConfiguration", "GetMacieSession",
    "GetFindingStatistics"})


def _bucket_operations(ledger: Sequence[dict[str, str]]) -> str:
    """``101 bucket settings calls (GetBucketEncryption x14, ...)`` of one request's ledger."""
    made = [call for call in ledger if call["operation"] in BUCKET_OPERATIONS]
    if not made:
        return "no bucket read"
    return f"{len(made)} bucket settings calls ({describe_operations(made, most=11)})"


def _row_naive(
    options: Options, env: dict[str, str], work: Path, colds: dict[str, Cold], rows: Sequence[Row]
) -> None:
    naive_env = dict(env)
    naive_env["LINEAGE_SERIAL_AWS_CALLS"] = "true"
    naive_env["LINEAGE_REQUEST_DEADLINE_MS"] = "120000"
    naive_env["LINEAGE_TIMEOUT_SEC"] = "300"
    naive = Server(naive_env, work / "naive.log", workers=1)
    try:
        naive.wait_ready()
        for pipeline in (MLOPS, SCALE):
            options.log(f"row 2: one call at a time, {pipeline} x{options.naive_repeats}...")
            client = Client(naive.base_url, timeout=600)
            try:
                client.get(lineage_path(pipeline, refresh=True))  # makes the clients
                times = [client.get(lineage_path(pipeline, refresh=True)).seconds
                         for _ in range(options.naive_repeats)]
            finally:
                client.close()
            cold = colds[pipeline]
            naive_ms = median(times) * 1000
            calls = (cold.minimum or minimum_calls(cold.document)).total
            artifacts = sum(1 for a in cold.document["graph"].get("artifacts", []) if a.get("s3"))
            buckets = len({a["bucket"] for a in cold.document["graph"].get("artifacts", [])
                           if a.get("s3")})
            # A naive fetcher also reads the settings per artifact, not per bucket.
            per_artifact_calls = calls + BUCKET_SETTINGS_CALLS * (artifacts - buckets)
            per_call_ms = naive_ms / max(1, calls)
            rows[1].checks.append(Check(
                pipeline, naive_ms / cold.median_ms(), SPEEDUP_GOALS[pipeline], at_least=True,
                unit="x",
                info=(f"one at a time {naive_ms:.0f} ms vs {cold.median_ms():.0f} ms; the same "
                      f"~{calls} calls allow at most {calls * options.latency_ms:.0f} / "
                      f"{bound_ms(steps_run(cold.document), options.latency_ms):.0f} ms = "
                      f"{calls / rounds(steps_run(cold.document)):.1f}x; with settings per "
                      f"artifact, as a naive fetcher reads them (~{per_artifact_calls} calls, est. "
                      f"{per_artifact_calls * per_call_ms:.0f} ms): "
                      f"{per_artifact_calls * per_call_ms / cold.median_ms():.0f}x"),
            ))
    finally:
        naive.stop()


def _row_warm(options: Options, server: Server, rows: Sequence[Row]) -> None:
    client = Client(server.base_url)
    try:
        for pipeline in (MLOPS, SCALE):
            if client.get(lineage_path(pipeline)).headers.get("x-cache") != "hit":
                client.get(lineage_path(pipeline))
    finally:
        client.close()
    options.log(f"row 4: {options.warm_requests} sequential requests, then "
                f"{CONCURRENCY} clients for {options.load_seconds:g} s each...")
    health_times = latencies(server.base_url, HEALTHZ, options.warm_requests)
    health_load = load(server.base_url, HEALTHZ, connections=CONCURRENCY,
                       seconds=options.load_seconds)
    for pipeline in (MLOPS, SCALE):
        path = lineage_path(pipeline)
        times = latencies(server.base_url, path, options.warm_requests)
        p50, p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
        rows[3].checks.append(Check(
            f"{pipeline} p50, one client", p50, WARM_P50_GOAL_MS, unit=" ms",
            info=(f"p99 {p99:.1f} ms; /healthz p50 {percentile(health_times, 50) * 1000:.1f} "
                  f"ms, p99 {percentile(health_times, 99) * 1000:.1f} ms"),
        ))
        result = load(server.base_url, path, connections=CONCURRENCY,
                      seconds=options.load_seconds)
        rows[3].checks.append(Check(
            f"{pipeline} throughput share of /healthz, {CONCURRENCY} clients",
            result.requests_per_sec / health_load.requests_per_sec, THROUGHPUT_SHARE_GOAL,
            at_least=True, unit="x",
            info=(f"{result.requests_per_sec:.0f} vs {health_load.requests_per_sec:.0f} req/s "
                  f"({result.tool}); under load p50 {result.p50_ms:.1f} ms, p99 "
                  f"{result.p99_ms:.1f} ms; errors {result.errors + health_load.errors}"),
        ))


def _row_browser(
    options: Options, server: Server, colds: dict[str, Cold], rows: Sequence[Row]
) -> None:
    if not options.browser:
        rows[4].checks.append(Check("skipped (--no-browser)", None, None))
        return
    from dashboard.bench.browser import Browser, BrowserUnavailable, NoGraph

    try:
        from dashboard.ui import ids

        graph_id = ids.GRAPH
    except ImportError:
        rows[4].checks.append(Check("the dashboard has no graph yet", None, None))
        return
    try:
        browser = Browser()
    except (BrowserUnavailable, Exception) as exc:  # selenium raises its own kinds
        rows[4].checks.append(Check("no browser", None, None,
                                    note=f"{type(exc).__name__}: {str(exc)[:120]}"))
        return
    try:
        # The first visit loads Dash's bundles; it is measured like the others.
        for pipeline in (MLOPS, SCALE, LARGE):
            nodes = _graph_nodes(colds[pipeline].document)
            options.log(f"row 5: {pipeline} in Chromium ({nodes} nodes)...")
            try:
                times = [browser.first_graph(server.base_url, REGION, pipeline, nodes, graph_id)
                         for _ in range(3)]
            except NoGraph as exc:
                rows[4].checks.append(Check("not measured", None, None, note=str(exc)))
                return
            except Exception as exc:  # a dashboard that does not draw is a finding, not a crash
                rows[4].checks.append(Check(pipeline, None, FIRST_GRAPH_GOALS_SEC[pipeline],
                                            unit=" s", note=f"{type(exc).__name__}: "
                                            f"{str(exc).splitlines()[0][:160]}"))
                continue
            rows[4].checks.append(Check(
                pipeline, median(times), FIRST_GRAPH_GOALS_SEC[pipeline], unit=" s",
                info=(f"{nodes} nodes; loads {', '.join(f'{t:.2f}' for t in times)} s "
                      "(document already cached by the server)"),
            ))
    finally:
        browser.close()


def _row_memory(server: Server, rows: Sequence[Row]) -> None:
    peaks = {pid: status_kb(pid, "VmHWM") for pid in server.workers()}
    known = [kb for kb in peaks.values() if kb is not None]
    if not known:
        rows[5].checks.append(Check("workers", None, RSS_GOAL_MB, unit=" MB",
                                    note="no worker found in /proc"))
        return
    rows[5].checks.append(Check(
        "max VmHWM over workers", max(known) / 1024, RSS_GOAL_MB, unit=" MB",
        info="per worker: " + ", ".join(f"{kb / 1024:.0f} MB" for kb in known),
    ))
