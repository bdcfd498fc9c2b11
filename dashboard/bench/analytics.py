"""The analytics rows (14-15, issue 14): ``/trends`` over 50 runs, ``/compare`` vs ``/lineage``.

They run on rows 1-7's sandbox and server (:mod:`dashboard.bench.runner`), whose
``mlops-pipeline`` is given :data:`EXTRA_HISTORY` runs more (``--extra-history``): 64 runs in
all, so that the newest 50 are read by trends and pairs of the oldest by no request before.

Row 14: ``/trends?last=50`` cold (``refresh=true``: every run's document read again; the
first is also each worker's first) :data:`COLD_REPEATS` times, then warm
:data:`WARM_REQUESTS` times. Row 15: ``/compare`` of two runs whose documents and
definitions no request read before (a pair never asked, each time), against the median cold
``/lineage`` of one run (``refresh=true``) on the same server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from dashboard.bench.figures import Check, Row, median, percentile
from dashboard.bench.load import Client
from dashboard.bench.processes import BenchError, Server

REGION = "ap-northeast-2"
PIPELINE = "mlops-pipeline"
EXTRA_HISTORY = 28  # besides the world's 36
TRENDS_LAST = 50
COLD_REPEATS = 3
WARM_REQUESTS = 50
# The goals (issue 14, "Figures and tests"; the README shows them).
TRENDS_COLD_GOAL_SEC = 2.0
TRENDS_WARM_GOAL_MS = 20.0
COMPARE_RATIO_GOAL = 2.0

ROW_TITLES = (
    (14, f"/trends over the last {TRENDS_LAST} executions"),
    (15, "cold /compare vs one cold /lineage"),
)


def analytics_rows() -> list[Row]:
    return [Row(number, title) for number, title in ROW_TITLES]


def _path(endpoint: str, **params: str) -> str:
    return f"/{endpoint}?" + urlencode({"pipeline": PIPELINE, "region": REGION, **params})


def run_analytics(server: Server, sandbox: Any, rows: Sequence[Row],
                  log: Callable[[str], None]) -> None:
    """Measure rows 14 and 15 into ``rows`` (as :func:`analytics_rows` made them)."""
    client = Client(server.base_url, timeout=120)
    try:
        runs = _finished_runs(client)
        if len(runs) < TRENDS_LAST + 2 * (COLD_REPEATS + 1):
            raise BenchError(f"{PIPELINE} has {len(runs)} finished runs; the analytics rows "
                             f"need {TRENDS_LAST + 2 * (COLD_REPEATS + 1)}")
        _trends(client, sandbox, rows[0], log)
        _compare(client, sandbox, runs, rows[1], log)
    finally:
        client.close()


def _finished_runs(client: Client) -> list[str]:
    """Every finished run's id, newest first (the newest 100: one page)."""
    answer = client.get(_path("executions", limit="100"))
    if answer.status != 200:
        raise BenchError(f"/executions answered {answer.status}: {answer.body[:300]!r}")
    listed = json.loads(answer.body)["executions"]
    return [str(run["id"]) for run in listed if run["status"] in ("Succeeded", "Failed")]


def _get(client: Client, path: str) -> tuple[float, dict[str, Any]]:
    answer = client.get(path)
    if answer.status != 200:
        raise BenchError(f"{path} answered {answer.status}: {answer.body[:300]!r}")
    return answer.seconds, json.loads(answer.body)


def _trends(client: Client, sandbox: Any, row: Row, log: Callable[[str], None]) -> None:
    log(f"row 14: cold /trends?last={TRENDS_LAST} x{COLD_REPEATS}...")
    cold, calls = [], []
    document: dict[str, Any] = {}
    for _ in range(COLD_REPEATS):
        sandbox.reset_calls()
        seconds, document = _get(client, _path("trends", last=str(TRENDS_LAST), refresh="true"))
        cold.append(seconds)
        calls.append(len(sandbox.calls()))
    row.checks.append(Check(
        "cold (refresh=true)", median(cold), TRENDS_COLD_GOAL_SEC, unit=" s",
        info=(f"{len(document.get('runs') or [])} runs; "
              + ", ".join(f"{s:.2f}" for s in cold) + " s; AWS calls "
              + ", ".join(str(c) for c in calls)),
    ))
    log(f"row 14: warm /trends x{WARM_REQUESTS}...")
    warm = [_get(client, _path("trends", last=str(TRENDS_LAST)))[0]
            for _ in range(WARM_REQUESTS)]
    row.checks.append(Check(
        "warm p50", percentile(warm, 50) * 1000, TRENDS_WARM_GOAL_MS, unit=" ms",
        info=f"p99 {percentile(warm, 99) * 1000:.1f} ms over {WARM_REQUESTS} requests",
    ))


def _compare(client: Client, sandbox: Any, runs: list[str], row: Row,
             log: Callable[[str], None]) -> None:
    """Pairs from the oldest end (the trends rows read the newest 50 documents)."""
    log(f"row 15: cold /compare x{COLD_REPEATS}, cold /lineage x{COLD_REPEATS}...")
    oldest = list(reversed(runs))
    compares, compare_calls = [], []
    for index in range(COLD_REPEATS):
        a, b = oldest[2 * index], oldest[2 * index + 1]
        sandbox.reset_calls()
        seconds, _ = _get(client, _path("compare", a=a, b=b))
        compares.append(seconds)
        compare_calls.append(len(sandbox.calls()))
    lineages = []
    for _ in range(COLD_REPEATS):
        seconds, _ = _get(client, _path("lineage", execution=oldest[0], refresh="true"))
        lineages.append(seconds)
    ratio = median(compares) / median(lineages)
    row.checks.append(Check(
        "median cold /compare vs median cold /lineage", ratio, COMPARE_RATIO_GOAL, unit="x",
        info=(f"/compare {median(compares) * 1000:.0f} ms (AWS calls "
              + ", ".join(str(c) for c in compare_calls)
              + f"), /lineage of one run {median(lineages) * 1000:.0f} ms"),
    ))
