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
    unresolved_steps,
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
    # LINEAGE_DESCRIBE=all: every job.
    minimum = minimum_calls(document, report_steps=["Eval", "Never"])
    assert (minimum.fixed, minimum.pages, minimum.describes) == (6, 1, 6)
    # The artifacts name no region: no ListBuckets counted, no Macie.
    assert (minimum.bucket_settings, minimum.reports) == (2 * BUCKET_SETTINGS_CALLS + 1, 1)
    assert minimum.total == 14 + 2 * BUCKET_SETTINGS_CALLS + 1
    # needed: Prep's locations are in the definition, Eval's need its job's answer.
    needed = minimum_calls(document, report_steps=["Eval"], unresolved=["Eval"])
    assert needed.describes == 5  # training, package, tuning + its best job, Eval
    assert minimum_calls(document, unresolved=[]).describes == 4


def test_a_cache_hit_is_described_whatever_the_definition_says() -> None:
    hit = {"id": "Prep", "run": {"status": "Succeeded", "jobArn": f"{ARN}:processing-job/old",
                                 "cacheHit": True}}
    assert minimum_calls(_document([hit], []), unresolved=[]).describes == 1


def test_regions_come_from_one_listing_and_macie_counts_many_buckets_at_once() -> None:
    seoul = {"region": "ap-northeast-2", "sensitiveData": {"status": "Found"}}
    none = {**seoul, "sensitiveData": {"status": "NoneFound"}}
    virginia = {"region": "us-east-1", "sensitiveData": {"status": "NotEnabled"}}
    assert BUCKET_SETTINGS_CALLS == 7
    # One ListBuckets; two sessions (two regions); Seoul's two buckets counted at once, then
    # the one with findings by type; Macie is off in us-east-1.
    assert bucket_calls([seoul, none, virginia]) == 3 * 7 + 1 + 2 + 1 + 1
    # A region's single bucket: its findings by type, no count first.
    assert bucket_calls([seoul]) == 7 + 1 + 1 + 1
    # 120 buckets without findings: three counts of at most 50.
    assert bucket_calls([none] * 120) == 120 * 7 + 1 + 1 + 3


def test_unresolved_steps_are_those_no_described_answer_locates() -> None:
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {"Name": "Train", "Type": "Training", "Arguments": {
                "OutputDataConfig": {"S3OutputPath": "s3://b/models"}}},
            {"Name": "Eval", "Type": "Processing", "Arguments": {
                "ProcessingInputs": [{"InputName": "model", "S3Input": {"S3Uri": {
                    "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}}],
                "ProcessingOutputConfig": {"Outputs": [
                    {"OutputName": "out", "S3Output": {"S3Uri": "s3://b/eval"}}]}}},
            {"Name": "Late", "Type": "Processing", "Arguments": {
                "ProcessingOutputConfig": {"Outputs": [{"OutputName": "out", "S3Output": {
                    "S3Uri": {"Get": "Execution.StartDateTime"}}}]}}},
            {"Name": "Plain", "Type": "Processing", "Arguments": {
                "ProcessingOutputConfig": {"Outputs": [
                    {"OutputName": "out", "S3Output": {"S3Uri": "s3://b/plain"}}]}}},
        ],
    }
    # Train's answer locates Eval's model; Late's output is known only at run time; Train's
    # own placeholder output is answered by its (always made) Describe*.
    assert unresolved_steps(parse_definition(definition)) == {"Train", "Late"}


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
