"""The estate rows (8-13): ``/estate`` of a generated estate, its rebuilds and its queries.

Rows 8-10 have a sandbox of their own holding only the generated estate (``--estate-size N``
pipelines sharing datasets, nothing else): the world's live pipeline always runs and its
endpoint ``churn-ab-test`` is always Updating, so in it something is always in flight and no
rebuild could find "nothing changed". Its server runs as ``serve`` does, with a short list
TTL (:data:`LIST_TTL_SEC`) so that the bench can wait it out: the cold build, a rebuild with
nothing changed, a rebuild with one pipeline run again, each with the AWS calls the sandbox
answered. A build is timed from the first ``GET /estate`` until an answer with no
``progress`` (the first build may answer early while it reads), polled every
:data:`POLL_SEC`.

Rows 11-13 have a second sandbox: the world and the generated estate (a dataset every
generated pipeline reads, the world's production endpoint, its risky chain), and a server
with the default list TTL, so that no rebuild falls among the queries: its first ``/estate``
is a cold build (row 13 weighs the risk propagation against it), then ``/impact`` and
``/provenance`` are asked :data:`QUERY_REQUESTS` times each.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from dashboard.bench.figures import (
    Check,
    Row,
    describe_operations,
    estate_built,
    estate_shape,
    percentile,
    pipelines_read,
)
from dashboard.bench.load import Client
from dashboard.bench.processes import BenchError, Server, server_environment, status_kb
from dashboard.core.config import ENV_TTL_LISTS_SEC
from lineage.estate import Estate, EstateEdge, EstateNode, judge_estate
from lineage.policy import DEFAULT_POLICY

REGION = "ap-northeast-2"
POLL_SEC = 0.2
LIST_TTL_SEC = 2
BUILD_TIMEOUT_SEC = 240.0
QUERY_REQUESTS = 50
# What an estate query asks: a dataset every generated pipeline reads, and the world's
# production endpoint.
SHARED_DATASET = "s3://estate-shared-datasets-apne2/reference/calendar/"
ENDPOINT = "churn-prod"
# The goals (issue 12, "Performance"; the README shows them).
COLD_GOAL_SEC = 8.0
UNCHANGED_GOAL_SEC = 0.3
UNCHANGED_CALLS_GOAL = 2
CHANGED_READS_GOAL = 1
QUERY_P50_GOAL_MS = 50.0
RSS_GOAL_MB = 300.0

PROPAGATION_SHARE_GOAL = 10.0  # % of the cold build (issue 13)
PROPAGATION_REPEATS = 5

ROW_TITLES = (
    (8, "cold /estate"),
    (9, "/estate rebuilt, nothing changed"),
    (10, "/estate rebuilt, one pipeline run again"),
    (11, "estate queries on the built estate"),
    (12, "peak RSS per gunicorn worker, estate built"),
    (13, "risk propagation over the built estate"),
)


def estate_rows(size: int) -> list[Row]:
    """The five estate rows, still empty, for an estate of ``size`` generated pipelines."""
    return [Row(number, f"{title}, {size} generated pipelines" if number == 8 else title)
            for number, title in ROW_TITLES]


def estate_path(**extra: str) -> str:
    return "/estate?" + urlencode({"region": REGION, **extra})


def query_path(kind: str, **params: str) -> str:
    return f"/{kind}?" + urlencode({**params, "region": REGION})


@dataclass(frozen=True)
class Build:
    """One build as the client saw it: from the first request to the finished answer."""

    seconds: float
    document: dict[str, Any]
    answers: int  # requests made, the finished one included
    first_seconds: float  # how long the first answer took
    first_had_progress: bool
    calls: list[dict[str, str]]
    slowest_seconds: float = 0.0  # the slowest answer of the poll

    @property
    def generated_at(self) -> str | None:
        value = self.document.get("generatedAt")
        return str(value) if value is not None else None


def build(client: Client, sandbox: Any, previous: str | None = None,
          timeout: float = BUILD_TIMEOUT_SEC) -> Build:
    """``GET /estate`` every :data:`POLL_SEC` until a finished build newer than ``previous``;
    the sandbox's ledger is reset first and read once it is finished."""
    sandbox.reset_calls()
    started = time.perf_counter()
    answers, first_seconds, first_progress, slowest = 0, 0.0, False, 0.0
    while True:
        answer = client.get(estate_path())
        answers += 1
        slowest = max(slowest, answer.seconds)
        if not 200 <= answer.status < 300:  # a build in progress may say 202
            raise BenchError(f"/estate answered {answer.status}: {answer.body[:300]!r}")
        document = json.loads(answer.body)
        if answers == 1:
            first_seconds, first_progress = answer.seconds, "progress" in document
        if estate_built(document, previous):
            seconds = time.perf_counter() - started
            return Build(seconds, document, answers, first_seconds, first_progress,
                         sandbox.calls(), slowest)
        if time.perf_counter() - started > timeout:
            raise BenchError(f"/estate was not built within {timeout:.0f} s "
                             f"(last answer: {_progress(document)})")
        time.sleep(POLL_SEC)


def _progress(document: dict[str, Any]) -> str:
    progress = document.get("progress")
    if isinstance(progress, dict):
        return f"{progress.get('pipelinesRead')} of {progress.get('pipelinesTotal')} read"
    return "finished, but the previous build"


def _how(built: Build) -> str:
    if built.first_had_progress:
        return (f"first answer in {built.first_seconds * 1000:.0f} ms with progress, "
                f"{built.answers} answers polled, the slowest "
                f"{built.slowest_seconds * 1000:.0f} ms")
    if built.answers > 1:  # the first answers were the previous build's
        return f"{built.answers} answers polled, the first in {built.first_seconds * 1000:.0f} ms"
    return "answered at once, with no progress"


def run_estate(
    latency_ms: int, size: int, work: Path, rows: Sequence[Row], log: Callable[[str], None]
) -> None:
    """Measure rows 8-13 into ``rows`` (as :func:`estate_rows` made them)."""
    from lineage.sandbox import SandboxOptions, SandboxProcess

    peaks: list[int] = []
    log(f"estate: starting a sandbox with {size} generated pipelines alone "
        f"(latency {latency_ms} ms)...")
    generated = SandboxOptions(latency_ms=latency_ms, estate_size=size, seed_world=False)
    with SandboxProcess(generated, start_timeout=600) as sandbox:
        endpoint_env = sandbox.environment()
        env = _shared_cache(server_environment(endpoint_env), work / "estate-cache")
        env[ENV_TTL_LISTS_SEC] = str(LIST_TTL_SEC)
        server = Server(env, work / "estate-server.log")
        try:
            server.wait_ready()
            _rebuilds(server, sandbox, endpoint_env, rows, log)
            peaks += _peaks(server)
        finally:
            server.stop()
    log(f"estate: starting a sandbox with the world and {size} generated pipelines...")
    with SandboxProcess(SandboxOptions(latency_ms=latency_ms, estate_size=size),
                        start_timeout=600) as sandbox:
        env = _shared_cache(server_environment(sandbox.environment()),
                            work / "estate-queries-cache")
        server = Server(env, work / "estate-queries.log")
        try:
            server.wait_ready()
            _queries(server, sandbox, rows, log)
            peaks += _peaks(server)
        finally:
            server.stop()
    rows[4].checks.append(_rss_check(peaks))


def _shared_cache(env: dict[str, str], directory: Path) -> dict[str, str]:
    """One cache for all of a server's workers: a rebuild finds the memory of the last build
    whichever worker answers."""
    return {**env, "CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(directory)}


def _rebuilds(
    server: Server, sandbox: Any, endpoint_env: dict[str, str],
    rows: Sequence[Row], log: Callable[[str], None],
) -> None:
    client = Client(server.base_url, timeout=BUILD_TIMEOUT_SEC)
    try:
        log("row 8: cold /estate...")
        cold = build(client, sandbox)
        rows[0].checks.append(Check(
            "until an answer without progress", cold.seconds, COLD_GOAL_SEC, unit=" s",
            info=f"{_how(cold)}; {estate_shape(cold.document)}",
        ))
        rows[0].checks.append(Check(
            "AWS calls of the cold build", len(cold.calls), None,
            info=(f"{pipelines_read(cold.calls)} pipelines read; "
                  f"{describe_operations(cold.calls)}"),
        ))

        log(f"row 9: waiting out the list TTL ({LIST_TTL_SEC} s), then /estate again...")
        time.sleep(LIST_TTL_SEC + 0.5)
        same = build(client, sandbox, cold.generated_at)
        rows[1].checks.append(Check(
            "time", same.seconds, UNCHANGED_GOAL_SEC, unit=" s",
            info=f"{_how(same)}; list TTL set to {LIST_TTL_SEC} s",
        ))
        rows[1].checks.append(Check(
            "AWS calls", len(same.calls), UNCHANGED_CALLS_GOAL,
            info=(f"{describe_operations(same.calls, most=20)}; "
                  f"{pipelines_read(same.calls)} pipelines read again"),
        ))

        from lineage.sandbox.world.generated import generated_name

        changed = generated_name(1)
        log(f"row 10: one new execution of {changed}, then /estate again...")
        _start_execution(endpoint_env, changed)
        time.sleep(LIST_TTL_SEC + 0.5)
        again = build(client, sandbox, same.generated_at)
        rows[2].checks.append(Check(
            "pipelines read again", pipelines_read(again.calls), CHANGED_READS_GOAL,
            exactly=True,
            info=(f"{changed} started once through StartPipelineExecution; rebuilt in "
                  f"{again.seconds:.2f} s, {len(again.calls)} AWS calls: "
                  f"{describe_operations(again.calls, most=20)}"),
        ))
    finally:
        client.close()


def _start_execution(endpoint_env: dict[str, str], pipeline: str) -> None:
    """One new execution of ``pipeline`` in the sandbox: ListPipelines shows a newer
    ``LastExecutionTime`` (moto lists no steps for it, which is all this row needs)."""
    from lineage.aws import ClientFactory
    from lineage.config import Settings
    from lineage.sandbox import environment_overridden

    with environment_overridden(endpoint_env):
        sagemaker = ClientFactory(Settings()).client("sagemaker", REGION)
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StartPipelineExecution.html
        sagemaker.start_pipeline_execution(PipelineName=pipeline)


def _queries(
    server: Server, sandbox: Any, rows: Sequence[Row], log: Callable[[str], None]
) -> None:
    client = Client(server.base_url, timeout=BUILD_TIMEOUT_SEC)
    try:
        log("row 11: a cold /estate of the world and the generated estate...")
        built = build(client, sandbox)
        rows[5].checks.append(propagation_check(built.document, built.seconds))
        for kind, params in (("impact", {"uri": SHARED_DATASET}),
                             ("provenance", {"endpoint": ENDPOINT})):
            path = query_path(kind, **params)
            log(f"row 11: {QUERY_REQUESTS} x {path}...")
            times, sizes = [], []
            for _ in range(QUERY_REQUESTS):
                answer = client.get(path)
                if answer.status != 200:
                    raise BenchError(f"{path} answered {answer.status}: {answer.body[:300]!r}")
                times.append(answer.seconds)
                sizes.append(len(answer.body))
            label = (f"/impact of {SHARED_DATASET} p50" if kind == "impact"
                     else f"/provenance of endpoint {ENDPOINT} p50")
            rows[3].checks.append(Check(
                label, percentile(times, 50) * 1000, QUERY_P50_GOAL_MS, unit=" ms",
                info=(f"p99 {percentile(times, 99) * 1000:.1f} ms over {QUERY_REQUESTS} "
                      f"requests; answer {max(sizes) / 1024:.0f} KB"),
            ))
        rows[3].checks.append(Check(
            "(this server's first /estate, cold, the world included)", built.seconds, None,
            unit=" s",
            info=f"{len(built.calls)} AWS calls: {describe_operations(built.calls, most=20)}",
        ))
    finally:
        client.close()


def _peaks(server: Server) -> list[int]:
    return [kb for kb in (status_kb(pid, "VmHWM") for pid in server.workers()) if kb is not None]


def _rss_check(peaks_kb: list[int]) -> Check:
    if not peaks_kb:
        return Check("workers", None, RSS_GOAL_MB, unit=" MB", note="no worker found in /proc")
    return Check(
        "max VmHWM over workers", max(peaks_kb) / 1024, RSS_GOAL_MB, unit=" MB",
        info=("per worker (building server, then querying server): "
              + ", ".join(f"{kb / 1024:.0f} MB" for kb in peaks_kb)),
    )


def estate_of(document: dict[str, Any]) -> Estate:
    """An ``/estate`` answer as the engine's :class:`Estate` (nodes, edges; no risk yet)."""
    nodes = tuple(EstateNode(n["id"], n["kind"], n["label"], n.get("region"), n.get("account"),
                             n.get("attributes") or {}) for n in document.get("nodes") or [])
    edges = tuple(EstateEdge(e["from"], e["to"], e["kind"], tuple(e.get("steps") or ()))
                  for e in document.get("edges") or [])
    return Estate(nodes, edges, (), datetime.now(UTC))


def propagation_check(document: dict[str, Any], build_seconds: float) -> Check:
    """Judging every dataset and following the findings downstream, in this process, on the
    estate the server built, against that build's time (the same work the server did in it)."""
    estate = estate_of(document)
    times = []
    for _ in range(PROPAGATION_REPEATS):
        started = time.perf_counter()
        judged = judge_estate(estate, DEFAULT_POLICY)
        times.append(time.perf_counter() - started)
    seconds = sorted(times)[len(times) // 2]
    risky = sum(1 for node in judged.nodes if node.risk is not None and node.risk.severity)
    return Check(
        "share of the cold build", 100 * seconds / build_seconds if build_seconds else None,
        PROPAGATION_SHARE_GOAL, unit=" %",
        info=(f"median {seconds * 1000:.0f} ms of {PROPAGATION_REPEATS} (default policy) "
              f"against the build's {build_seconds:.2f} s; {risky} of {len(judged.nodes)} "
              "nodes at risk"),
    )
