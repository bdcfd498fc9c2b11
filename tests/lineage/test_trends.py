"""Trends over 22 hand-made executions of one pipeline, given out of order: the runs by start,
a duration outlier and a metric outlier flagged with their scores, the mean absolute
deviation when the MAD is 0, no spread, too few points, metrics some runs lack, values that
are not finite, cache hits and a running execution kept out of the series."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lineage.models import iso
from lineage.trends import MIN_POINTS, OUTLIER_THRESHOLD, Trends, pipeline_trends

T0 = datetime(2024, 6, 1, tzinfo=UTC)
FINISHED = 21  # executions e00..e20 are over; e21 still runs
DURATION_OUTLIER, AUC_OUTLIER, FAILED, PREP_CACHED = 13, 7, 10, 5


def started(number: int) -> datetime:
    return T0 + timedelta(hours=number)


def ran(elapsed: float, metrics: Mapping[str, float] | None = None, *, ended: bool = True,
        cache_hit: bool = False) -> dict[str, Any]:
    """A node's run (its times do not matter here, only whether it ended)."""
    return {"status": "Succeeded" if ended else "Executing", "startTime": iso(T0),
            "endTime": iso(T0) if ended else None, "elapsedSec": elapsed, "jobArn": None,
            "metrics": dict(metrics or {}), "failureReason": None, "cacheHit": cache_hit}


def run_document(number: int, elapsed: float | None, steps: Mapping[str, dict[str, Any]], *,
                 status: str = "Succeeded", pipeline: str = "churn") -> dict[str, Any]:
    """The lineage document of execution ``e<number>``, started ``number`` hours after T0."""
    execution_id = f"e{number:02d}"
    return {
        "pipeline": {"name": pipeline},
        "execution": {
            "arn": f"arn:aws:sagemaker:eu-west-1:111122223333:pipeline/{pipeline}/execution/"
                   f"{execution_id}",
            "id": execution_id, "status": status, "startTime": iso(started(number)),
            "endTime": None if status == "Executing" else iso(started(number) + timedelta(1)),
            "elapsedSec": elapsed, "parameters": {},
        },
        "graph": {
            "nodes": [{"id": name, "type": "Processing", "inputs": [], "outputs": [], "run": run}
                      for name, run in steps.items()]
                     + [{"id": "Register", "type": "RegisterModel", "inputs": [], "outputs": []}],
            "edges": [],
            "artifacts": [],
        },
        "warnings": [],
    }


def history() -> list[dict[str, Any]]:
    """22 executions, shuffled: durations 100..104 with one of 400; validation:auc 0.80..0.84
    with one of 0.20; Prep 60 s but twice 61 and once 90 (MAD 0); Evaluate always 5 s;
    train:loss in three runs only, then NaN and inf."""
    documents = []
    for number in range(FINISHED):
        auc = 0.20 if number == AUC_OUTLIER else 0.80 + 0.01 * (number % 5)
        metrics: dict[str, float] = {"validation:auc": auc}
        if number < 3:
            metrics["train:loss"] = [0.1, 0.1, 9.0][number]
        elif number in (3, 4):
            metrics["train:loss"] = [float("nan"), float("inf")][number - 3]
        prep = {2: 61.0, 9: 61.0, 16: 90.0, PREP_CACHED: 2.0}.get(number, 60.0)
        steps = {
            "Prep": ran(prep, cache_hit=number == PREP_CACHED),
            "Train": ran(500, metrics),
            "Evaluate": ran(5),
        }
        duration = 400 if number == DURATION_OUTLIER else 100 + number % 5
        documents.append(run_document(number, duration, steps,
                                      status="Failed" if number == FAILED else "Succeeded"))
    running = {"Prep": ran(60, ended=False), "Train": ran(10, {"validation:auc": 0.1},
                                                          ended=False)}
    documents.append(run_document(FINISHED, 30, running, status="Executing"))
    random.Random(7).shuffle(documents)
    return documents


@pytest.fixture(scope="module")
def trends() -> Trends:
    return pipeline_trends(history())


def ids(numbers: range | list[int]) -> list[str]:
    return [f"e{number:02d}" for number in numbers]


def test_runs_are_ordered_by_start_time_oldest_first(trends: Trends) -> None:
    assert [run.id for run in trends.runs] == ids(range(FINISHED + 1))
    assert [p.execution_id for p in trends.duration.points] == ids(range(FINISHED))
    first = trends.to_dict()["runs"][0]
    assert first == {
        "arn": "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/churn/execution/e00",
        "id": "e00", "status": "Succeeded", "startTime": iso(started(0)), "elapsedSec": 100.0,
        "steps": {"Evaluate": 5.0, "Prep": 60.0, "Train": 500.0}, "cacheHits": [],
    }


def test_a_duration_outlier_is_flagged_with_its_score(trends: Trends) -> None:
    duration = trends.duration
    assert (duration.check, duration.median) == ("MAD", 102)
    assert [p.execution_id for p in duration.outliers] == ids([DURATION_OUTLIER])
    # 0.6745 * (400 - 102) / MAD 1
    assert duration.outliers[0].score == pytest.approx(201.001)
    point = next(p for p in trends.to_dict()["series"]["duration"]["points"] if p["outlier"])
    assert (point["executionId"], point["value"], point["score"]) == ("e13", 400.0, 201.001)
    assert max(abs(p.score or 0) for p in duration.points if not p.outlier) == pytest.approx(
        1.349)


def test_a_metric_outlier_is_flagged_with_its_score(trends: Trends) -> None:
    auc = trends.metrics["Train/validation:auc"]
    assert auc.check == "MAD"
    assert len(auc.points) == FINISHED  # not the running Train's 0.1: not a final value
    assert [p.execution_id for p in auc.outliers] == ids([AUC_OUTLIER])
    # 0.6745 * (0.20 - 0.82) / MAD 0.01
    assert auc.outliers[0].score == pytest.approx(-41.819)


def test_a_mad_of_zero_falls_back_to_the_mean_absolute_deviation(trends: Trends) -> None:
    prep = trends.steps["Prep"]
    assert (prep.check, prep.median) == ("meanAD", 60.0)
    assert [p.execution_id for p in prep.outliers] == ids([16])
    # 30 / (1.253314 * meanAD), meanAD = (1 + 1 + 30) / 20 points
    assert prep.outliers[0].score == pytest.approx(14.9603, abs=1e-4)
    assert prep.to_dict()["check"] == "meanAD"


def test_no_spread_at_all_flags_nothing(trends: Trends) -> None:
    evaluate = trends.steps["Evaluate"]
    assert (evaluate.check, evaluate.outliers) == ("noSpread", ())
    assert {p.score for p in evaluate.points} == {None}


def test_fewer_than_five_points_flag_nothing_and_non_finite_values_are_skipped(
    trends: Trends,
) -> None:
    loss = trends.metrics["Train/train:loss"]  # in runs 0..2; NaN and inf in 3 and 4
    assert [(p.execution_id, p.value) for p in loss.points] == [
        ("e00", 0.1), ("e01", 0.1), ("e02", 9.0)]
    assert len(loss.points) < MIN_POINTS
    assert (loss.check, loss.outliers) == ("tooFewPoints", ())
    assert {p.score for p in loss.points} == {None}
    json.dumps(trends.to_dict(), allow_nan=False)  # no NaN or inf anywhere


def test_cache_hits_and_unfinished_values_stay_out_of_the_series(trends: Trends) -> None:
    cached = trends.runs[PREP_CACHED]
    assert (cached.cache_hits, cached.step_durations["Prep"]) == (("Prep",), 2.0)
    prep_runs = [p.execution_id for p in trends.steps["Prep"].points]
    assert "e05" not in prep_runs and "e21" not in prep_runs and len(prep_runs) == 20
    running = trends.runs[-1]
    assert (running.status, running.elapsed_sec) == ("Executing", 30.0)
    assert "e21" not in [p.execution_id for p in trends.duration.points]
    assert "e21" not in [p.execution_id for p in trends.steps["Train"].points]


def test_status_counts_and_the_outlier_rule_are_in_the_json(trends: Trends) -> None:
    out = trends.to_dict()
    assert out["statusCounts"] == {"Executing": 1, "Failed": 1, "Succeeded": 20}
    assert out["outlierRule"] == {"method": "modified-z (MAD)", "threshold": OUTLIER_THRESHOLD,
                                  "minPoints": 5, "fallback": "meanAD"}
    assert out["pipeline"] == "churn" and out["skipped"] == 0
    assert list(out["series"]) == ["duration", "steps", "metrics"]
    assert list(out["series"]["steps"]) == ["Evaluate", "Prep", "Train"]  # Register never ran
    assert list(out["series"]["metrics"]) == ["Train/train:loss", "Train/validation:auc"]
    assert out["series"]["duration"]["outliers"] == 1


def test_documents_without_a_dated_execution_are_skipped() -> None:
    undated = run_document(1, 100, {"Prep": ran(60)})
    undated["execution"]["startTime"] = None
    no_execution = run_document(2, 100, {"Prep": ran(60)})
    no_execution["execution"] = None
    trends = pipeline_trends([undated, run_document(3, 90, {"Prep": ran(50)}), no_execution])

    assert [run.id for run in trends.runs] == ["e03"]
    assert trends.skipped == 2


def test_documents_of_several_pipelines_are_refused() -> None:
    with pytest.raises(ValueError, match="several pipelines: churn, fraud"):
        pipeline_trends([run_document(1, 100, {}), run_document(2, 100, {}, pipeline="fraud")])


def test_no_documents_give_empty_trends() -> None:
    out = pipeline_trends([]).to_dict()
    assert (out["pipeline"], out["runs"], out["statusCounts"]) == (None, [], {})
    assert out["series"]["duration"] == {"points": [], "median": None, "check": "tooFewPoints",
                                         "outliers": 0}
