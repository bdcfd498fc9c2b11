"""The last runs of a pipeline as small multiples, from the ``/trends`` JSON
(``Trends.to_dict()``). Pure: the answer in, plotly and Dash components out.

One small chart each for: the status of every run, the run's duration, each step's duration,
each metric (``<step>/<metric>``). All share one time axis (the runs' starts, UTC), so a run
sits at the same place in every chart. Every point carries its execution id as
``customdata``: the page's callback opens that execution on a click
(:func:`execution_of_click`).

Outliers are the engine's (``outlierRule``: the modified z-score, MAD, the mean absolute
deviation when the MAD is 0): drawn ringed in vermillion, their score in the hover, and the
rule said once above the charts. A series the engine did not score says why.

Titles are Dash text (``panels.text``); what goes into a figure passes ``plot_text``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from dashboard.ui.components.elements import STATUSES
from dashboard.ui.components.panels import format_duration, format_metric, format_time, text
from dashboard.ui.components.plots import (
    GRAPH_CONFIG,
    MUTED,
    axis,
    base_layout,
    bold,
    duration_unit,
    graph_style,
    hover_lines,
    plot_text,
    status_colour,
    status_key,
)
from dashboard.ui.components.stylesheet import BORDER_COLOUR, STATUS_LOOK
from lineage.models import UNKNOWN
from lineage.timeline import parse_time

# Ids and attributes browser tests and the page's click callback read.
TREND_CHART = "trend-chart"  # {"type": TREND_CHART, "chart": <TrendChart.key>}
TRENDS_OUTLIER_RULE = "trends-outlier-rule"
SERIES_ATTRIBUTE = "data-series"  # a chart's series, as the API names it

OUTLIER_COLOUR = "#D55E00"
LINE_COLOUR = "#52606d"
MEDIAN_COLOUR = "#9aa5b1"
CHART_HEIGHT = 190
# The order of the status chart's rows: the graph's statuses, then any other.
STATUS_ROWS = (*STATUSES, UNKNOWN)

# Why the engine did not score a series (``check``), in words.
CHECK_NOTES = {
    "meanAD": "scored by the mean absolute deviation (the MAD is 0)",
    "tooFewPoints": "not scored: too few points",
    "noSpread": "not scored: every value is the same",
}


@dataclass(frozen=True)
class TrendChart:
    """One small chart: ``key`` is ours (``status``, ``duration``, ``step-3``, ``metric-0``),
    ``series`` the API's name of what it plots, ``title`` Dash text."""

    key: str
    title: str
    series: str
    figure: go.Figure
    note: str | None = None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _moment(value: Any) -> str | None:
    """A document time as plotly reads a date without a zone: UTC, ``2025-03-02 07:00:00``."""
    moment = parse_time(value)
    return _plotly_time(moment) if moment else None


def _plotly_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _time_range(trends: Mapping[str, Any]) -> list[str] | None:
    """The runs' first and last start, padded: one time axis for every chart."""
    runs = trends.get("runs")
    starts = sorted(
        moment for run in (runs if isinstance(runs, list) else ())
        if isinstance(run, Mapping) and (moment := parse_time(run.get("startTime"))) is not None
    )
    if not starts:
        return None
    pad = max((starts[-1] - starts[0]) / 20, timedelta(hours=1))
    return [_plotly_time(starts[0] - pad), _plotly_time(starts[-1] + pad)]


def _layout(time_range: list[str] | None, y_title: str, **y_extra: Any) -> dict[str, Any]:
    layout = base_layout(CHART_HEIGHT)
    x_extra: dict[str, Any] = {"type": "date"}
    if time_range:
        x_extra["range"] = time_range
    layout.update(
        margin={"l": 10, "r": 10, "t": 8, "b": 36},
        xaxis=axis("start (UTC)", **x_extra),
        yaxis=axis(y_title, **y_extra),
    )
    return layout


def status_chart(trends: Mapping[str, Any], time_range: list[str] | None = None) -> go.Figure:
    """A marker per run on the row of its status, in the graph's status colours."""
    runs = [run for run in trends.get("runs") or () if isinstance(run, Mapping)]
    by_status: dict[str, list[Mapping[str, Any]]] = {}
    for run in runs:
        by_status.setdefault(status_key(run.get("status")), []).append(run)
    rows = [status for status in STATUS_ROWS if status in by_status]
    figure = go.Figure()
    for row, status in enumerate(rows):
        members = by_status[status]
        figure.add_trace(go.Scatter(
            mode="markers",
            name=STATUS_LOOK[status][4],
            x=[_moment(run.get("startTime")) for run in members],
            y=[row] * len(members),
            customdata=[str(run.get("id")) for run in members],
            hovertext=[hover_lines([
                bold(run.get("id")),
                plot_text(format_time(run.get("startTime"))),
                plot_text(run.get("status")),
                f"duration {plot_text(format_duration(run.get('elapsedSec')))}",
            ]) for run in members],
            hoverinfo="text",
            marker={"color": status_colour(status), "size": 11,
                    "line": {"color": BORDER_COLOUR, "width": 1}},
        ))
    figure.update_layout(_layout(
        time_range, "", tickmode="array", tickvals=list(range(len(rows))),
        ticktext=[STATUS_LOOK[status][4] for status in rows], autorange="reversed",
        showgrid=False,
    ))
    return figure


def series_chart(
    series: Mapping[str, Any],
    *,
    durations: bool,
    time_range: list[str] | None = None,
) -> go.Figure:
    """A series' points joined by a line, its outliers ringed, its median dashed;
    ``durations``: the values are seconds (shown in the unit they read best in)."""
    points = [point for point in series.get("points") or () if isinstance(point, Mapping)
              and _number(point.get("value")) is not None]
    values = [_number(point.get("value")) or 0.0 for point in points]
    divisor, unit = duration_unit(max(values, default=0)) if durations else (1, "")
    check = str(series.get("check") or "")
    x = [_moment(point.get("startTime")) for point in points]
    y = [value / divisor for value in values]
    ids = [str(point.get("executionId")) for point in points]
    hover = [_point_hover(point, value, durations, check) for point, value in zip(
        points, values, strict=True)]
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        mode="lines+markers", name="runs", x=x, y=y, customdata=ids, hovertext=hover,
        hoverinfo="text", line={"color": LINE_COLOUR, "width": 1.5},
        marker={"color": LINE_COLOUR, "size": 7},
    ))
    outliers = [i for i, point in enumerate(points) if point.get("outlier") is True]
    if outliers:
        figure.add_trace(go.Scatter(
            mode="markers", name="outliers",
            x=[x[i] for i in outliers], y=[y[i] for i in outliers],
            customdata=[ids[i] for i in outliers], hovertext=[hover[i] for i in outliers],
            hoverinfo="text",
            marker={"symbol": "circle-open", "size": 17, "color": OUTLIER_COLOUR,
                    "line": {"width": 3, "color": OUTLIER_COLOUR}},
        ))
    layout = _layout(time_range, unit if durations else "value")
    median = _number(series.get("median"))
    if median is not None and points:
        layout["shapes"] = [{
            "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
            "y0": median / divisor, "y1": median / divisor, "layer": "below",
            "line": {"color": MEDIAN_COLOUR, "width": 1, "dash": "dash"},
        }]
    if not points:
        layout["annotations"] = [{"text": "No value in these runs.", "showarrow": False,
                                  "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                  "font": {"color": MUTED}}]
    figure.update_layout(layout)
    return figure


def _point_hover(point: Mapping[str, Any], value: float, durations: bool, check: str) -> str:
    score = _number(point.get("score"))
    if score is None:
        scored = CHECK_NOTES.get(check, "not scored")
    elif point.get("outlier") is True:
        scored = f"<b>outlier</b>: modified z-score {score:.2f}"
    else:
        scored = f"modified z-score {score:.2f}"
    shown = format_duration(value) if durations else format_metric(value)
    return hover_lines([
        bold(point.get("executionId")),
        plot_text(format_time(point.get("startTime"))),
        plot_text(shown),
        scored,
    ])


def trend_charts(trends: Mapping[str, Any]) -> list[TrendChart]:
    """The small multiples, in order: status, duration, each step's duration, each metric
    (the API's order: sorted by name)."""
    time_range = _time_range(trends)
    series = _mapping(trends.get("series"))
    counts = _mapping(trends.get("statusCounts"))
    charts = [
        TrendChart(
            key="status", title="Status per run", series="status",
            figure=status_chart(trends, time_range),
            note=", ".join(f"{text(status, 40)} {count}" for status, count in counts.items()),
        ),
        _series_chart("duration", "Run duration", "duration", _mapping(series.get("duration")),
                      durations=True, time_range=time_range),
    ]
    for i, (name, steps) in enumerate(_mapping(series.get("steps")).items()):
        charts.append(_series_chart(f"step-{i}", f"Step duration: {text(name, 120)}",
                                    str(name), _mapping(steps), durations=True,
                                    time_range=time_range))
    for i, (name, metric) in enumerate(_mapping(series.get("metrics")).items()):
        charts.append(_series_chart(f"metric-{i}", f"Metric: {text(name, 120)}", str(name),
                                    _mapping(metric), durations=False, time_range=time_range))
    return charts


def _series_chart(key: str, title: str, name: str, series: Mapping[str, Any], *,
                  durations: bool, time_range: list[str] | None) -> TrendChart:
    check = str(series.get("check") or "")
    outliers = _number(series.get("outliers"))
    if check in CHECK_NOTES:
        note: str | None = CHECK_NOTES[check]
    elif outliers:
        note = f"{outliers:.0f} outlier{'s' if outliers != 1 else ''}"
    else:
        note = None
    return TrendChart(key=key, title=title, series=name, note=note,
                      figure=series_chart(series, durations=durations, time_range=time_range))


def outlier_rule_text(trends: Mapping[str, Any]) -> str:
    """The engine's rule, said once: ``|modified z-score| > 3.5 (MAD) ...``."""
    rule = _mapping(trends.get("outlierRule"))
    threshold = _number(rule.get("threshold"))
    least = _number(rule.get("minPoints"))
    fallback = (" or the mean absolute deviation when the MAD is 0"
                if rule.get("fallback") == "meanAD" else "")
    shown = f"{threshold:g}" if threshold is not None else "?"
    fewer = f"; a series of fewer than {least:.0f} points is not scored" if least else ""
    return (f"Outliers (ringed): |modified z-score| > {shown} (MAD: the median absolute "
            f"deviation from the median{fallback}){fewer}. Dashed line: the median. "
            "Click a point to open that execution.")


def _series_attribute(chart: TrendChart) -> dict[str, Any]:
    return {SERIES_ATTRIBUTE: chart.series}  # text: React escapes it


def trends_view(trends: Mapping[str, Any]) -> html.Div:
    """The rule, then a figure per chart (``{"type": TREND_CHART, "chart": key}``), each in a
    box whose ``data-series`` names its series."""
    boxes = [
        html.Div(
            [html.H5(chart.title, className="trend-title"),
             html.Span(chart.note, className="trend-note") if chart.note else None,
             dcc.Graph(id={"type": TREND_CHART, "chart": chart.key}, figure=chart.figure,
                       config=GRAPH_CONFIG, style=graph_style(chart.figure))],
            className="trend-chart",
            style={"flex": "1 1 380px", "minWidth": "300px"},
            **_series_attribute(chart),
        )
        for chart in trend_charts(trends)
    ]
    runs = trends.get("runs")
    count = len(runs) if isinstance(runs, list) else 0
    return html.Div([
        html.P(f"{count} run{'s' if count != 1 else ''}, oldest first.",
               className="trends-runs"),
        html.P(outlier_rule_text(trends), id=TRENDS_OUTLIER_RULE, className="trends-rule"),
        html.Div(boxes, className="trend-grid",
                 style={"display": "flex", "flexWrap": "wrap", "gap": "12px"}),
    ], className="trends")


def execution_of_click(click_data: Any) -> str | None:
    """The execution id a click on a trend chart's point carries (its ``customdata``);
    ``None`` for anything else. The page still validates it as any URL value."""
    points: Sequence[Any] = _mapping(click_data).get("points") or ()
    if not isinstance(points, list) or not points or not isinstance(points[0], Mapping):
        return None
    custom = points[0].get("customdata")
    if isinstance(custom, list) and custom:
        custom = custom[0]
    return custom if isinstance(custom, str) and custom else None
