"""Loading a page of executions: the request built with ``lineage.request``'s parse function
and the regions this server offers, as ``/executions`` builds it (a value the API answers 400
to is a note naming it here), answered by the cached service (``CachedLineage.execution_page``,
the API's own entries), with the newest run's id for the Compare links (the default list, the
pipeline page's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from dash import html, no_update

from dashboard.core.state import AppState
from dashboard.ui import ids
from dashboard.ui.components.messages import Note, error_note, note
from dashboard.ui.components.panels import format_time, text
from dashboard.ui.pages.executions.table import (
    Relative,
    executions_of,
    executions_table,
    parameter_names,
)
from dashboard.ui.pages.executions.view import ExecutionsView
from dashboard.ui.pages.graph_page import Outputs
from dashboard.ui.pages.pipeline.validation import text_params
from lineage.catalog import MAX_PAGES_PER_ANSWER
from lineage.request import MAX_EXECUTIONS, ExecutionsRequest, parse_executions_request

CHOOSE = note("info", "Choose a pipeline.",
              "Open this page as /executions/view?pipeline=NAME&region=REGION (the pipeline "
              "page's pipeline and region).")


def executions_request(app: AppState, view: ExecutionsView) -> ExecutionsRequest:
    """As ``/executions?pipeline=&region=&status=&param.NAME=&token=&parameters=true``."""
    return parse_executions_request(text_params(**view.params()), settings=app.settings,
                                    regions=app.regions)


def newest_execution(app: AppState, request: ExecutionsRequest) -> str | None:
    """The newest run's id (what Compare compares with); ``None`` when it cannot be read."""
    try:
        served = app.cached.executions(request.pipeline, request.region, 1)
        found = executions_of(served.document())
    except Exception:
        return None
    return str(found[0].get("id")) if found else None


@dataclass(frozen=True)
class Loaded(Outputs):
    """The outputs of ``load``; ``no_update`` where nothing changes."""

    table: Any = no_update
    summary: Any = no_update
    notes: Any = no_update
    next_token: Any = no_update
    next_disabled: Any = no_update
    first_disabled: Any = no_update
    filters: Any = no_update
    param_names: Any = no_update


def load(app: AppState, view: ExecutionsView, relative: Relative, *,
         refresh: bool = False) -> Loaded:
    """The table, summary, notes, paging and filters of a view."""
    filters = filter_chips(view)
    nothing = Loaded(table=[], summary=[], next_token=None, next_disabled=True,
                     first_disabled=view.token is None, filters=filters, param_names=[])
    if view.pipeline is None:
        return replace(nothing, notes=[CHOOSE])
    try:
        request = executions_request(app, view)
        served = app.cached.execution_page(request, refresh=refresh)
        answer = served.document()
    except Exception as exc:
        return replace(nothing, notes=[
            error_note(exc, pipeline=view.pipeline, region=view.region)])
    answer = answer if isinstance(answer, Mapping) else {}
    executions = executions_of(answer)
    token = answer.get("nextToken") if isinstance(answer.get("nextToken"), str) else None
    notes: list[Note] = []
    if request.filtered and token and len(executions) < request.limit:
        notes.append(note(
            "info", "More may match further on.",
            f"A filtered page looks at up to {MAX_PAGES_PER_ANSWER * MAX_EXECUTIONS} executions "
            "at a time; Next page reads on from where this one stopped."))
    warnings = [w for w in answer.get("warnings") or [] if isinstance(w, Mapping)]
    if warnings:
        notes.append(note("warn", "Some runs are partly read.",
                          f"{len(warnings)} thing{'s' if len(warnings) != 1 else ''} could not "
                          "be read: " + "; ".join(text(w.get("message"), 200)
                                                  for w in warnings[:3])))
    return Loaded(
        table=executions_table(answer, pipeline=request.pipeline, region=request.region,
                               newest=newest_execution(app, request), relative=relative),
        summary=summary(request, answer, len(executions)),
        notes=notes,
        next_token=token,
        next_disabled=token is None,
        first_disabled=view.token is None,
        filters=filters,
        param_names=[html.Option(value=name) for name in parameter_names(executions)],
    )


def summary(request: ExecutionsRequest, answer: Mapping[str, Any], shown: int) -> list[Any]:
    where = "first page" if request.position is None else "a later page"
    return [
        html.Span([html.Span("Pipeline ", className="fact-label"), text(request.pipeline, 256)],
                  className="fact"),
        html.Span([html.Span("Region ", className="fact-label"), text(request.region, 64)],
                  className="fact"),
        html.Span([html.Span("Shown ", className="fact-label"),
                   f"{shown} execution{'s' if shown != 1 else ''}, {where}"],
                  className="fact executions-count"),
        html.Span([html.Span("Read ", className="fact-label"),
                   format_time(answer.get("generatedAt"))], className="fact"),
    ]


def filter_chips(view: ExecutionsView) -> list[Any]:
    """Each parameter filter in force, a button that removes it."""
    return [
        html.Button(
            [html.Span(text(name, 60), className="tag-key"), f" = {text(value, 60)} \u00d7"],
            id={"type": ids.EXECUTIONS_REMOVE_FILTER, "name": name}, n_clicks=0,
            className="chip chip-param filter-chip",
            title=f"Remove the filter on {text(name, 256)}")
        for name, value in view.where
    ]
