"""The pipeline page's Timeline and Trends tabs, and its links to other pages: plain
functions over the cached service, tested without a browser.

- **Timeline**: the view's execution (the latest when none is chosen) as a Gantt chart with
  its critical path (``components.timeline_chart``), drawn from the very document the graph
  shows (``analytics.timeline``). A running execution grows: the graph's refresh interval
  ticks this tab too, and each tick draws the open bars to now. The figure keeps the user's
  zoom between ticks (``uirevision``: the execution).
- **Trends**: the last runs of the view's pipeline (``last``: 20 unless the URL says, at most
  100, checked as ``/trends`` checks it) as small plots (``components.trend_charts``); a
  click on a point opens that execution in the graph tab (``view.sync_view``).
- **Compare with…** (another execution: the Compare page, ``a`` the execution shown) and
  **All executions** (the Executions page of the pipeline).

A tab that is not shown is not drawn (nothing is asked of the cache) and says nothing; what a
tab meets (a bad ``last``, an execution that does not exist) is a note, shown once with the
page's others (``components.messages``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dash import html, no_update

from dashboard.core import analytics
from dashboard.core.state import AppState
from dashboard.ui.components.links import compare_link, executions_link
from dashboard.ui.components.messages import error_note, refresh_later
from dashboard.ui.components.panels import format_time, status_label, text
from dashboard.ui.components.timeline_chart import TIMELINE_GRAPH, timeline_view
from dashboard.ui.components.trend_charts import trends_view
from dashboard.ui.pages.graph_page import Outputs
from dashboard.ui.pages.pipeline.validation import absent, timeline_request, trends_request
from dashboard.ui.pages.pipeline.view import LATEST, TAB_TIMELINE, TAB_TRENDS, View
from lineage.request import execution_id

# The Trends tab's choices of runs (the URL's last may name any other from 1 to 100).
LAST_CHOICES = ("10", "20", "50", "100")


@dataclass(frozen=True)
class TabContent(Outputs):
    """A tab's outputs: what it shows and its notes."""

    content: Any = no_update
    notes: Any = no_update


def load_timeline(app: AppState, view: View, *, now: datetime | None = None) -> TabContent:
    """The Timeline tab of ``view``; nothing (no notes) when another tab is shown."""
    if view.tab != TAB_TIMELINE:
        return TabContent(notes=[])
    if absent(view.pipeline):  # the graph's callback asks for a pipeline
        return TabContent(content=[], notes=[])
    try:
        req = timeline_request(app, region=view.region, pipeline=view.pipeline,
                               execution=view.execution)
        served = analytics.timeline(app.cached, req, now=now or datetime.now(UTC))
        timeline = served.document()
    except Exception as exc:
        return TabContent(content=[], notes=[_note(exc, view)])
    execution = timeline.get("execution")
    execution = execution if isinstance(execution, Mapping) else {}
    drawn = timeline_view(timeline)
    graph = drawn.children[0]
    if getattr(graph, "id", None) == TIMELINE_GRAPH:
        # A tick redraws the same graph: plotly keeps the user's zoom for this execution.
        graph.figure.update_layout(uirevision=str(execution.get("arn") or "timeline"))
    heading = html.P(
        [html.Strong(text(execution.get("id"), 64)),
         f"  \u00b7  {status_label(execution.get('status'))}  \u00b7  started "
         f"{format_time(execution.get('startTime'))}",
         "  \u00b7  still running: the chart grows as it runs" if execution.get("running")
         else ""],
        className="tab-heading timeline-heading",
    )
    notes = [refresh_later(served.refresh_after)] if served.refresh_after is not None else []
    return TabContent(content=[heading, drawn], notes=notes)


def load_trends(app: AppState, view: View, *, refresh: bool = False) -> TabContent:
    """The Trends tab of ``view``'s pipeline; nothing (no notes) when another tab is shown."""
    if view.tab != TAB_TRENDS:
        return TabContent(notes=[])
    if absent(view.pipeline):
        return TabContent(content=[], notes=[])
    try:
        req = trends_request(app, region=view.region, pipeline=view.pipeline, last=view.last)
        served = analytics.trends(app.cached, req, refresh=refresh)
        trends = served.document()
    except Exception as exc:
        return TabContent(content=[], notes=[_note(exc, view)])
    heading = html.P(
        [f"Up to the {req.last} newest executions of ", html.Strong(text(req.pipeline, 256)),
         ", on one time axis."],
        className="tab-heading trends-heading",
    )
    notes = [refresh_later(served.refresh_after)] if served.refresh_after is not None else []
    return TabContent(content=[heading, trends_view(trends)], notes=notes)


def _note(exc: BaseException, view: View) -> Any:
    """As the graph says it (a bad ``last`` as ``/trends``' 400 says it)."""
    return error_note(exc, pipeline=_shown(view.pipeline), region=_shown(view.region))


def _shown(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# -- links to the other pages ---------------------------------------------------------------


def shown_execution(meta: Any) -> str | None:
    """The id of the execution the graph shows (the latest's own when none was chosen)."""
    if not isinstance(meta, Mapping) or not isinstance(meta.get("executionArn"), str):
        return None
    return execution_id(meta["executionArn"])


def compare_with_options(options: Any, meta: Any) -> list[dict[str, Any]]:
    """The execution dropdown's options but "Latest" and the execution shown."""
    shown = shown_execution(meta)
    listed = options if isinstance(options, list) else []
    return [dict(option) for option in listed if isinstance(option, Mapping)
            and option.get("value") not in (LATEST, shown, None)]


def compare_href(meta: Any, chosen: Any) -> str | None:
    """The Compare page of the execution shown (``a``) against ``chosen`` (``b``); ``None``
    when either is unknown."""
    a = shown_execution(meta)
    if a is None or not isinstance(chosen, str) or not chosen or chosen == a:
        return None
    return compare_link(str(meta.get("region")), str(meta.get("pipeline")), a, chosen)


def executions_href(view: View) -> str | None:
    """The Executions page of the view's pipeline; ``None`` before one is chosen."""
    if not isinstance(view.pipeline, str) or absent(view.pipeline):
        return None
    return executions_link(view.region if isinstance(view.region, str) else None,
                           view.pipeline)


def compare_placeholder(options: list[dict[str, Any]], meta: Any) -> str:
    if shown_execution(meta) is None:
        return "Compare with\u2026 (no execution shown)"
    if not options:
        return "Compare with\u2026 (no other execution)"
    return "Compare with\u2026"

