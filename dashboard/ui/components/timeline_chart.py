"""One execution as a Gantt chart, from the ``/timeline`` JSON (``Timeline.to_dict()``).
Pure: the answer in, plotly and Dash components out.

- A horizontal bar per step that ran, from its offset to offset + duration (seconds since
  the run started, in the unit the run's length reads best in); the absolute start and end,
  the step's share of the run's wall time and its status in the hover.
- Bars are coloured by status with the pipeline graph's own colours (``STATUS_LOOK``). A
  cache hit is hatched, a retried step (``retried``: its RetryPolicy ran it again, AWS's
  ``AttemptCount`` > 1) cross-hatched with "attempt N" in the hover, a step still running
  dotted, and the critical path outlined thick: one trace per (status, marks) present, so
  the legend names each look drawn.
- Idle gaps (no step running) are shaded behind the bars, one legend entry for all.
- Under the chart, a line gives the critical path and its length against the elapsed time
  (``data-critical-path`` holds its steps as JSON, as the API named them, for tests).

Every AWS string (step names, types, statuses) reaches plotly through ``plot_text`` and
Dash through ``panels.text``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from dashboard.ui.components.panels import format_duration, format_time, status_label, text
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
    status_key,
    status_look,
)
from dashboard.ui.components.stylesheet import BORDER_COLOUR, STATUS_LOOK
from lineage.timeline import parse_time

# Ids and attributes browser tests read.
TIMELINE_GRAPH = "timeline-graph"
TIMELINE_CRITICAL_PATH = "timeline-critical-path"
CRITICAL_PATH_ATTRIBUTE = "data-critical-path"

CACHE_HIT_PATTERN = "/"
RETRIED_PATTERN = "x"
RUNNING_PATTERN = "."
CRITICAL_OUTLINE = 3.5
PLAIN_OUTLINE = 1.0
IDLE_FILL = "#9aa5b1"
IDLE_OPACITY = 0.28
ROW_HEIGHT = 30
MAX_TICK_CHARS = 40  # a step's name beside its bar; the hover has it whole
ARROW = " -> "

_STATUS_ORDER = {status: i for i, status in enumerate(STATUS_LOOK)}


def _rows(timeline: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    rows = timeline.get("rows")
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _critical(timeline: Mapping[str, Any]) -> Mapping[str, Any]:
    path = timeline.get("criticalPath")
    return path if isinstance(path, Mapping) else {}


def critical_steps(timeline: Mapping[str, Any]) -> list[str]:
    steps = _critical(timeline).get("steps")
    return [str(step) for step in steps] if isinstance(steps, list) else []


def _execution(timeline: Mapping[str, Any]) -> Mapping[str, Any]:
    execution = timeline.get("execution")
    return execution if isinstance(execution, Mapping) else {}


@dataclass(frozen=True)
class _Look:
    """What a bar shows besides its place: one trace per look present."""

    status: str  # a status of STATUS_LOOK
    cache_hit: bool
    running: bool
    critical: bool
    retried: bool = False

    @property
    def order(self) -> tuple[int, bool, bool, bool, bool]:
        return (_STATUS_ORDER[self.status], self.cache_hit, self.retried, self.running,
                self.critical)

    @property
    def name(self) -> str:
        marks = [STATUS_LOOK[self.status][4]]
        if self.cache_hit:
            marks.append("cache hit (hatched)" if self.pattern == CACHE_HIT_PATTERN
                         else "cache hit")
        if self.retried:
            marks.append("retried (cross-hatched)" if self.pattern == RETRIED_PATTERN
                         else "retried")
        if self.running:
            marks.append("running (dotted)")
        if self.critical:
            marks.append("critical path (outlined)")
        return ", ".join(marks)

    @property
    def pattern(self) -> str:
        # One pattern a bar: running first (it is what changes while one looks), then
        # retried (a retried step ran its job again, so it is hardly a cache hit too).
        if self.running:
            return RUNNING_PATTERN
        if self.retried:
            return RETRIED_PATTERN
        return CACHE_HIT_PATTERN if self.cache_hit else ""


def _attempt_line(row: Mapping[str, Any]) -> str:
    """``attempt N`` for a retried step (AWS's AttemptCount); nothing for one run once."""
    attempts = row.get("attempts")
    if row.get("retried") is not True or not isinstance(attempts, int) or isinstance(
            attempts, bool):
        return ""
    return f"attempt {attempts}: retried by its retry policy"


def _hover(row: Mapping[str, Any], critical_at: int | None, path_length: int) -> str:
    running = bool(row.get("running"))
    share = row.get("sharePct")
    end = plot_text(format_time(row.get("endTime")))
    share_text = (f", {share:.1f}% of the run's wall time"
                  if isinstance(share, int | float) and not isinstance(share, bool) else "")
    return hover_lines([
        bold(row.get("step")),
        f"{plot_text(row.get('type'))} · {plot_text(row.get('status'))}",
        f"start {plot_text(format_time(row.get('startTime')))}",
        f"end {end} (still running: the time of this answer)" if running else f"end {end}",
        f"duration {plot_text(format_duration(row.get('durationSec')))}{share_text}",
        "cache hit: the result of an earlier execution, reused" if row.get("cacheHit") else "",
        _attempt_line(row),
        (f"critical path: step {critical_at + 1} of {path_length}"
         if critical_at is not None else ""),
    ])


def timeline_figure(timeline: Mapping[str, Any]) -> go.Figure:
    """The Gantt chart of one execution: a bar per step (``customdata``: its name, as the
    API names it), the idle gaps shaded, the critical path outlined."""
    rows = _rows(timeline)
    execution = _execution(timeline)
    elapsed = _number(execution.get("elapsedSec"))
    longest = max([elapsed, *(_number(r.get("offsetSec")) + _number(r.get("durationSec"))
                              for r in rows)])
    divisor, unit = duration_unit(longest)
    path = critical_steps(timeline)
    place_on_path = {step: i for i, step in enumerate(path)}

    by_look: dict[_Look, list[int]] = {}
    for index, row in enumerate(rows):
        look = _Look(
            status=status_key(row.get("status")),
            cache_hit=bool(row.get("cacheHit")),
            running=bool(row.get("running")),
            critical=str(row.get("step")) in place_on_path,
            retried=row.get("retried") is True,
        )
        by_look.setdefault(look, []).append(index)

    figure = go.Figure()
    for look in sorted(by_look, key=lambda look: look.order):
        members = by_look[look]
        fill, ink, _, _, _ = status_look(look.status)
        figure.add_trace(go.Bar(
            orientation="h",
            name=look.name,
            y=members,
            base=[_number(rows[i].get("offsetSec")) / divisor for i in members],
            x=[_number(rows[i].get("durationSec")) / divisor for i in members],
            customdata=[str(rows[i].get("step")) for i in members],
            hovertext=[
                _hover(rows[i], place_on_path.get(str(rows[i].get("step"))), len(path))
                for i in members
            ],
            hoverinfo="text",
            marker={
                "color": fill,
                "line": {
                    "color": BORDER_COLOUR if look.critical else "#ffffff",
                    "width": CRITICAL_OUTLINE if look.critical else PLAIN_OUTLINE,
                },
                "pattern": {"shape": look.pattern, "fgcolor": ink, "fillmode": "overlay",
                            "solidity": 0.35},
            },
        ))

    layout = base_layout(max(180, 90 + ROW_HEIGHT * len(rows)))
    layout.update(
        barmode="overlay",  # one bar a row: no trace shifts another's
        bargap=0.25,
        showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        xaxis=axis(f"time since the execution started ({unit})",
                   range=[0, longest / divisor if longest else 1], rangemode="nonnegative"),
        yaxis=axis("", tickmode="array", tickvals=list(range(len(rows))),
                   ticktext=[plot_text(row.get("step"), MAX_TICK_CHARS) for row in rows],
                   autorange="reversed", showgrid=False),
        shapes=_idle_shapes(timeline, execution, divisor),
    )
    if not rows:
        layout["annotations"] = [{
            "text": "No step has started in this execution.", "showarrow": False,
            "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
            "font": {"color": MUTED},
        }]
    figure.update_layout(layout)
    return figure


def _idle_shapes(
    timeline: Mapping[str, Any], execution: Mapping[str, Any], divisor: float
) -> list[dict[str, Any]]:
    """A shaded band per idle gap, placed by its times from the run's start."""
    start = parse_time(execution.get("startTime"))
    idle = timeline.get("idle")
    gaps = idle.get("gaps") if isinstance(idle, Mapping) else None
    if start is None or not isinstance(gaps, list):
        return []
    shapes: list[dict[str, Any]] = []
    for gap in gaps:
        gap_start = parse_time(gap.get("startTime")) if isinstance(gap, Mapping) else None
        gap_end = parse_time(gap.get("endTime")) if isinstance(gap, Mapping) else None
        if gap_start is None or gap_end is None:
            continue
        shapes.append({
            "type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
            "x0": (gap_start - start).total_seconds() / divisor,
            "x1": (gap_end - start).total_seconds() / divisor,
            "fillcolor": IDLE_FILL, "opacity": IDLE_OPACITY, "line": {"width": 0},
            "layer": "below", "name": "idle: no step running",
            "showlegend": not shapes, "legendgroup": "idle",
        })
    return shapes


def critical_path_text(timeline: Mapping[str, Any]) -> str:
    """``critical path: A -> B -> C, 12 min 3 s of 14 min 10 s (85%)``; Dash text."""
    steps = critical_steps(timeline)
    if not steps:
        return "critical path: none (no step has run)"
    path = _critical(timeline)
    execution = _execution(timeline)
    elapsed = format_duration(execution.get("elapsedSec"))
    so_far = " so far" if execution.get("running") else ""
    ratio = path.get("ratio")
    share = (f" ({ratio * 100:.0f}%)"
             if isinstance(ratio, int | float) and not isinstance(ratio, bool) else "")
    names = ARROW.join(text(step, 80) for step in steps)
    return (f"critical path: {names}, {format_duration(path.get('lengthSec'))} "
            f"of {elapsed}{so_far}{share}")


def critical_path_note(timeline: Mapping[str, Any]) -> html.P:
    """The critical path in words; its steps as JSON in ``data-critical-path``."""
    attributes: dict[str, Any] = {CRITICAL_PATH_ATTRIBUTE: json.dumps(critical_steps(timeline))}
    return html.P(
        critical_path_text(timeline),
        id=TIMELINE_CRITICAL_PATH,
        className="timeline-critical-path",
        title="The chain of steps along the pipeline's edges with the greatest sum of "
              "durations, against the execution's elapsed time",
        **attributes,
    )


def idle_text(timeline: Mapping[str, Any]) -> str:
    idle = timeline.get("idle")
    gaps = idle.get("gaps") if isinstance(idle, Mapping) else None
    count = len(gaps) if isinstance(gaps, list) else 0
    if not count or not isinstance(idle, Mapping):
        return "idle: none (a step was running all the time)"
    return (f"idle: {format_duration(idle.get('totalSec'))} in {count} "
            f"gap{'s' if count != 1 else ''} (shaded: no step running)")


def not_run_text(timeline: Mapping[str, Any]) -> str | None:
    """The steps without a bar, with their type and status; ``None`` when every step ran."""
    not_run: Sequence[Any] = timeline.get("notRun") or ()
    named = [
        f"{text(step.get('step'), 80)} ({text(step.get('type'), 40)}, "
        f"{status_label(step.get('status'))})"
        for step in not_run if isinstance(step, Mapping)
    ]
    return f"not run: {', '.join(named)}" if named else None


def timeline_view(timeline: Mapping[str, Any]) -> html.Div:
    """The chart (``TIMELINE_GRAPH``) with the critical path, idle time and the steps that
    did not run under it."""
    notes: list[Any] = [critical_path_note(timeline),
                        html.P(idle_text(timeline), className="timeline-idle")]
    not_run = not_run_text(timeline)
    if not_run:
        notes.append(html.P(not_run, className="timeline-not-run"))
    figure = timeline_figure(timeline)
    return html.Div(
        [dcc.Graph(id=TIMELINE_GRAPH, figure=figure, config=GRAPH_CONFIG,
                   style=graph_style(figure)),
         *notes],
        className="timeline",
    )
