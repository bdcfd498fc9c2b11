"""The benchmark's pure parts: bounds, minimum calls, percentiles, the table, wrk's output."""

from __future__ import annotations

import math
from typing import Any

import pytest

from dashboard.bench.figures import (
    BUCKET_SETTINGS_CALLS,
    Check,
    Row,
    bound_ms,
    bucket_calls,
    format_table,
    large_definition,
    minimum_calls,
    percentile,
    rounds,
    step_pages,
)
from dashboard.bench.load import parse_wrk
from lineage.definition import parse_definition

ARN = "arn:aws:sagemaker:ap-northeast-2:123456789012"


def _node(name: str, arn: str | None, status: str = "Succeeded") -> dict[str, Any]:
    return {"id": name, "run": {"status": status, "jobArn": arn}}


def _document(nodes: list[dict[str, Any]], buckets: list[str]) -> dict[str, Any]:
    artifacts = [
        {"bucket": b, "s3": {"encryption": "AES256"}} for b in buckets for _ in range(2)
    ]
    return {"graph": {"nodes": nodes, "edges": [], "artifacts": artifacts}}


def test_rounds_are_three_plus_pages_of_steps() -> None:
    assert [step_pages(n) for n in (0, 1, 100, 101, 1000)] == [1, 1, 1, 2, 10]
    assert rounds(7) == 4 and rounds(123) == 5
    assert bound_ms(7, 50) == 200 and bound_ms(123, 50) == 250


def test_minimum_calls_one_per_job_one_set_per_bucket() -> None:
    document = _document(
        [
            _node("Prep", f"{ARN}:processing-job/p"),
            _node("Train", f"{ARN}:training-job/t"),
            _node("Train2", f"{ARN}:training-job/t"),  # the same job (cache hit): one call
            _node("Eval", f"{ARN}:processing-job/e"),
            _node("Register", f"{ARN}:model-package/group/1"),
            _node("Model", f"{ARN}:model/m"),  # no Describe* for models
            _node("Tune", f"{ARN}:hyper-parameter-tuning-job/h"),  # + its best training job
            _node("Check", None),
            {"id": "Never", "run": None},
        ],
        ["a-bucket", "b-bucket"],
    )
    minimum = minimum_calls(document, report_steps=["Eval", "Never"])
    assert (minimum.fixed, minimum.pages, minimum.describes) == (6, 1, 6)
    assert (minimum.bucket_settings, minimum.reports) == (2 * BUCKET_SETTINGS_CALLS, 1)
    assert minimum.total == 14 + 2 * BUCKET_SETTINGS_CALLS


def test_macie_adds_its_session_per_region_and_a_read_where_it_is_on() -> None:
    seoul = {"region": "ap-northeast-2", "sensitiveData": {"status": "Found"}}
    virginia = {"region": "us-east-1", "sensitiveData": {"status": "NotEnabled"}}
    calls = bucket_calls([seoul, {**seoul, "sensitiveData": {"status": "NoneFound"}}, virginia])
    assert BUCKET_SETTINGS_CALLS == 8
    assert calls == 3 * 8 + 2 + 2  # two sessions (two regions), two buckets' findings


def test_percentiles() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile(list(map(float, range(101))), 99) == 99.0
    assert math.isnan(percentile([], 50))


def test_checks_compare_against_their_goals() -> None:
    assert Check("cold", 1.1, 1.25).met is True
    assert Check("cold", 1.3, 1.25).met is False
    assert Check("speed-up", 12.0, 10.0, at_least=True).met is True
    assert Check("not here", None, 1.0).met is None
    assert Check("information", 3.0, None).met is None


def test_table_has_one_line_per_check_and_says_what_is_missed() -> None:
    rows = [
        Row(1, "cold", [Check("mlops", 0.93, 1.25, unit="x", info="186 ms"),
                        Check("scale", 2.7, 1.25, unit="x")]),
        Row(2, "browser", [Check("no browser", None, None, note="chromium | missing")]),
        Row(3, "memory"),
    ]
    table = format_table(rows, ["Measured here."])
    lines = table.splitlines()
    assert lines[0] == "Measured here." and lines[1] == ""
    assert lines[2].startswith("| # | what | measured | goal | met |")
    assert lines[4] == "| 1 | **cold**: mlops | 0.93x | <= 1.25x | yes | 186 ms |"
    assert lines[5] == "|  | scale | 2.70x | <= 1.25x | **no** |  |"
    assert "chromium \\| missing" in lines[6]  # a pipe in a note does not break the table
    assert lines[7].startswith("| 3 | **memory**: not measured | n/a | - |")


@pytest.mark.parametrize("steps", [1, 45, 1000])
def test_large_definition_parses_with_every_step(steps: int) -> None:
    parsed = parse_definition(large_definition(steps))
    assert len(parsed.steps) == steps
    assert not parsed.warnings
    if steps == 1000:
        assert len(parsed.edges) > steps  # chains plus cross links


WRK = """Running 5s test @ http://127.0.0.1:8050/healthz
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    17.01ms    2.50ms  40.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%   17.00ms
     90%   19.00ms
     99%    1.20s
  9000 requests in 5.00s, 1.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1800.50
Transfer/sec:    200.00KB
"""


def test_wrk_output_is_read() -> None:
    rps, count, quantiles, errors = parse_wrk(WRK)
    assert (rps, count, errors) == (1800.5, 9000, 7)
    assert quantiles == {"50": 0.85, "99": 1200.0}
    with pytest.raises(RuntimeError):
        parse_wrk("unable to connect")
