"""Trends as small multiples, from the engine's trends of eight hand-made runs: a chart each
for status, duration, every step and every metric on one time axis; each point's execution
id as customdata (a click opens it); outliers ringed with their score and the rule said;
series the engine did not score say why; hostile names drawn as text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboard.ui.components.stylesheet import STATUS_LOOK
from dashboard.ui.components.trend_charts import (
    OUTLIER_COLOUR,
    SERIES_ATTRIBUTE,
    TREND_CHART,
    TRENDS_OUTLIER_RULE,
    execution_of_click,
    outlier_rule_text,
    trend_charts,
    trends_view,
)
from lineage.models import iso
from lineage.trends import pipeline_trends
from tests.dashboard.figures import assert_no_markup_from_aws
from tests.dashboard.trees import components

T0 = datetime(2025, 3, 1, 7, tzinfo=UTC)
RUNS = 8
SLOW, LOW_AUC, FAILED = 5, 2, 6  # the run with the long duration, the low AUC, the failure
HOSTILE_STEP = "<img src=x onerror=alert(1)>"
HOSTILE_METRIC = '<a href="javascript:alert(1)">auc</a>'
HOSTILE_STATUS = '<a href="javascript:alert(1)">Failed</a>'


def execution_id(number: int) -> str:
    return f"exec{number:08d}"


def document(number: int, *, hostile: bool = False) -> dict[str, Any]:
    """Run ``number``: Prep, Train (validation:auc) and Evaluate; one of them slow, one with a
    low AUC, one failed; ``hostile``: Train's name, its metric's and the failure's status are
    markup."""
    start = T0 + timedelta(days=number)
    train = HOSTILE_STEP if hostile else "Train"
    metric = HOSTILE_METRIC if hostile else "validation:auc"
    auc = 0.2 if number == LOW_AUC else 0.80 + 0.01 * (number % 3)
    status = "Failed" if number == FAILED else "Succeeded"
    if hostile and number == FAILED:
        status = HOSTILE_STATUS
    steps = {"Prep": 60.0 + number % 2, train: 2000.0 if number == SLOW else 900.0 + number,
             "Evaluate": 30.0}
    nodes = [{"id": name, "type": "Processing", "inputs": [], "outputs": [], "run": {
        "status": "Succeeded", "startTime": iso(start), "endTime": iso(start),
        "elapsedSec": seconds, "jobArn": None, "failureReason": None, "cacheHit": False,
        "metrics": {metric: auc} if name == train else {},
    }} for name, seconds in steps.items()]
    return {
        "pipeline": {"name": "mlops-pipeline"},
        "execution": {
            "arn": f"arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/mlops-pipeline/"
                   f"execution/{execution_id(number)}",
            "id": execution_id(number), "status": status,
            "startTime": iso(start), "endTime": iso(start + timedelta(hours=1)),
            "elapsedSec": sum(steps.values()), "parameters": {},
        },
        "graph": {"nodes": nodes, "edges": [], "artifacts": []},
    }


def trends_of(hostile: bool = False, runs: int = RUNS) -> dict[str, Any]:
    """What GET /trends answers (strict JSON)."""
    answer: dict[str, Any] = json.loads(json.dumps(pipeline_trends(
        [document(n, hostile=hostile) for n in range(runs)]).to_dict(), allow_nan=False))
    return answer


def charts_by_key(trends: dict[str, Any]) -> dict[str, Any]:
    return {chart.key: chart for chart in trend_charts(trends)}


def test_a_chart_for_status_duration_each_step_and_each_metric() -> None:
    charts = trend_charts(trends_of())

    assert [(c.key, c.series, c.title) for c in charts] == [
        ("status", "status", "Status per run"),
        ("duration", "duration", "Run duration"),
        ("step-0", "Evaluate", "Step duration: Evaluate"),
        ("step-1", "Prep", "Step duration: Prep"),
        ("step-2", "Train", "Step duration: Train"),
        ("metric-0", "Train/validation:auc", "Metric: Train/validation:auc"),
    ]
    for chart in charts:
        json.loads(chart.figure.to_json())  # what dcc.Graph sends


def test_every_point_carries_its_execution_id() -> None:
    for chart in trend_charts(trends_of()):
        ids = [i for trace in chart.figure.data for i in trace.customdata]
        assert set(ids) == {execution_id(n) for n in range(RUNS)}, chart.key


def test_every_chart_shares_one_time_axis() -> None:
    ranges = {tuple(chart.figure.layout.xaxis.range) for chart in trend_charts(trends_of())}

    assert len(ranges) == 1
    first, last = ranges.pop()
    assert first < "2025-03-01 07:00:00" and last > "2025-03-08 07:00:00"


def test_status_per_run_in_the_graphs_colours() -> None:
    trends = trends_of()
    chart = charts_by_key(trends)["status"]
    traces = {trace.name: trace for trace in chart.figure.data}

    assert traces["Succeeded"].marker.color == STATUS_LOOK["Succeeded"][0]
    assert traces["Failed"].marker.color == STATUS_LOOK["Failed"][0]
    assert list(traces["Failed"].customdata) == [execution_id(FAILED)]
    assert list(chart.figure.layout.yaxis.ticktext) == ["Succeeded", "Failed"]
    assert chart.note == "Failed 1, Succeeded 7"
    assert traces["Failed"].x[0] == "2025-03-07 07:00:00"  # UTC, no zone for plotly


def test_a_duration_outlier_is_ringed_with_its_score() -> None:
    chart = charts_by_key(trends_of())["duration"]
    runs, outliers = chart.figure.data

    assert list(outliers.customdata) == [execution_id(SLOW)]
    assert outliers.marker.symbol == "circle-open"
    assert outliers.marker.color == OUTLIER_COLOUR
    assert chart.note == "1 outlier"
    assert chart.figure.layout.yaxis.title.text == "min"  # about 17 minutes a run
    assert runs.y[SLOW] == pytest.approx(2091 / 60)
    hover = outliers.hovertext[0].split("<br>")
    assert hover[0] == f"<b>{execution_id(SLOW)}</b>"
    assert hover[1] == "2025-03-06 07:00:00 UTC"
    assert hover[2] == "34 min 51 s"
    assert hover[3].startswith("<b>outlier</b>: modified z-score ")
    assert float(hover[3].rsplit(" ", 1)[1]) > 3.5
    assert "modified z-score" in runs.hovertext[0]
    # The median, dashed, behind the points.
    median = chart.figure.layout.shapes[0]
    assert (median.line.dash, median.layer) == ("dash", "below")


def test_a_metric_outlier_is_ringed_too() -> None:
    chart = charts_by_key(trends_of())["metric-0"]
    _, outliers = chart.figure.data

    assert list(outliers.customdata) == [execution_id(LOW_AUC)]
    assert outliers.hovertext[0].split("<br>")[2] == "0.2"
    assert chart.figure.layout.yaxis.title.text == "value"


def test_series_not_scored_say_why() -> None:
    charts = charts_by_key(trends_of())

    assert charts["step-0"].note == "not scored: every value is the same"  # Evaluate: 30 s
    assert "not scored: every value is the same" in charts["step-0"].figure.data[0].hovertext[0]
    assert len(charts["step-0"].figure.data) == 1  # no outlier trace

    few = charts_by_key(trends_of(runs=3))
    assert few["duration"].note == "not scored: too few points"


def test_the_rule_is_said_once_from_the_answer() -> None:
    trends = trends_of()

    assert outlier_rule_text(trends).startswith(
        "Outliers (ringed): |modified z-score| > 3.5 (MAD: the median absolute deviation from "
        "the median or the mean absolute deviation when the MAD is 0); a series of fewer than "
        "5 points is not scored.")
    view = trends_view(trends)
    rules = [c for c in components(view) if getattr(c, "id", None) == TRENDS_OUTLIER_RULE]
    assert len(rules) == 1


def test_the_view_ids_each_chart_and_names_its_series() -> None:
    view = trends_view(trends_of())
    graphs: list[Any] = [c for c in components(view) if isinstance(getattr(c, "id", None), dict)]
    boxes = [c for c in components(view) if hasattr(c, SERIES_ATTRIBUTE)]

    assert [g.id for g in graphs] == [{"type": TREND_CHART, "chart": key} for key in (
        "status", "duration", "step-0", "step-1", "step-2", "metric-0")]
    assert [getattr(box, SERIES_ATTRIBUTE) for box in boxes][-1] == "Train/validation:auc"


def test_a_click_gives_the_execution_it_carries() -> None:
    assert execution_of_click({"points": [{"customdata": "exec00000003", "x": "..."}]}) == (
        "exec00000003")
    assert execution_of_click({"points": [{"customdata": ["exec00000004"]}]}) == "exec00000004"
    nothings: list[Any] = [None, {}, {"points": []}, {"points": [{"customdata": 3}]}, "x"]
    for nothing in nothings:
        assert execution_of_click(nothing) is None


def test_hostile_step_and_metric_names_are_drawn_as_text() -> None:
    trends = trends_of(hostile=True)
    charts = trend_charts(trends)

    for chart in charts:
        assert_no_markup_from_aws(chart.figure)
    by_series = {chart.series: chart for chart in charts}
    assert HOSTILE_STEP in by_series  # the API's name, kept for the page
    metric = by_series[f"{HOSTILE_STEP}/{HOSTILE_METRIC}"]
    # Dash text: the name as a string (React escapes it).
    assert metric.title == f"Metric: {HOSTILE_STEP}/{HOSTILE_METRIC}"
    view = trends_view(trends)
    assert any(getattr(c, "children", None) == metric.title for c in components(view))
    # A status the graph has no look for: on the Unknown row, said escaped in the hover.
    status = {trace.name: trace for trace in by_series["status"].figure.data}["Unknown"]
    assert list(status.customdata) == [execution_id(FAILED)]
    assert status.hovertext[0].split("<br>")[2] == (
        '&lt;a href="javascript:alert(1)"&gt;Failed&lt;/a&gt;')
