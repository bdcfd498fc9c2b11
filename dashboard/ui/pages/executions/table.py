"""The table of a page of executions: absolute times in UTC, the status as the pipeline graph
colours it (``panels.status_chip``: the stylesheet's status looks), the duration, a column per
parameter, and each run's links to the pipeline page, Compare and the Timeline.

Every string from AWS is a text child or an attribute of a Dash component (never HTML), with
its hidden characters shown as escapes (``panels.text``); link addresses are the pages' own
(``components.links``: URL-encoded) under this app's prefix. Pure: the answer of
``/executions`` in, components out, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dash import dcc, html

from dashboard.ui.components.links import compare_link, pipeline_link
from dashboard.ui.components.panels import format_duration, format_time, status_chip, text
from dashboard.ui.pages.pipeline.view import TAB_TIMELINE

RUNNING = frozenset({"Executing", "Stopping"})
MAX_CELL = 60  # a parameter's value in its cell; whole in its title
MAX_TITLE = 1024
MAX_REASON = 140

Relative = Callable[[str], str]  # the pages router's relative_path (the app's URL prefix)


def executions_of(answer: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in answer.get("executions") or [] if isinstance(e, Mapping)]


def parameter_names(executions: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every parameter any of the executions has a value for, by name: a column each."""
    names: set[str] = set()
    for execution in executions:
        values = execution.get("parameters")
        if isinstance(values, Mapping):
            names.update(str(name) for name in values)
    return sorted(names)


def run_links(execution_id: str, *, pipeline: str, region: str, newest: str | None,
              relative: Relative) -> list[Any]:
    """The run on the pipeline page, compared with the newest run, and its timeline."""
    links: list[Any] = [
        dcc.Link("Pipeline", href=relative(pipeline_link(region, pipeline, execution_id)),
                 className="run-link run-link-pipeline",
                 title="Open this run on the pipeline page")]
    if newest and newest != execution_id:
        links.append(dcc.Link("Compare",
                              href=relative(compare_link(region, pipeline, execution_id, newest)),
                              className="run-link run-link-compare",
                              title="Compare this run with the newest one"))
    links.append(dcc.Link("Timeline", href=relative(pipeline_link(region, pipeline, execution_id,
                                                                  tab=TAB_TIMELINE)),
                          className="run-link run-link-timeline",
                          title="This run's steps on a timeline"))
    return links


def duration_text(execution: Mapping[str, Any]) -> str:
    shown = format_duration(execution.get("elapsedSec"))
    if execution.get("status") in RUNNING and shown != "–":
        return f"{shown} so far"
    return shown


def executions_table(answer: Mapping[str, Any], *, pipeline: str, region: str,
                     newest: str | None, relative: Relative) -> html.Table:
    executions = executions_of(answer)
    names = parameter_names(executions)
    head = html.Tr(
        [html.Th("Execution"), html.Th("Status"), html.Th("Started (UTC)"),
         html.Th("Ended (UTC)"), html.Th("Duration", className="num"), html.Th("Open")]
        + [html.Th(text(name, MAX_CELL), className="parameter-column", title=text(name, 256))
           for name in names])
    rows = [_row(execution, names, pipeline=pipeline, region=region, newest=newest,
                 relative=relative) for execution in executions]
    if not rows:
        rows = [html.Tr(html.Td("No executions on this page.", colSpan=6 + len(names),
                                className="executions-empty"))]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="table executions-table")


def _row(execution: Mapping[str, Any], names: Sequence[str], *, pipeline: str, region: str,
         newest: str | None, relative: Relative) -> html.Tr:
    execution_id = str(execution.get("id") or "")
    status = execution.get("status")
    display = execution.get("displayName")
    ident: list[Any] = [html.Span(text(execution_id, 64), className="execution-id")]
    if display and display != execution_id:
        ident.append(html.Div(text(display, 120), className="execution-name"))
    status_cell: list[Any] = [status_chip(status)]
    reason = execution.get("failureReason")
    if reason:
        status_cell.append(html.Div(text(reason, MAX_REASON), className="execution-reason",
                                    title=text(reason, MAX_TITLE)))
    values = execution.get("parameters")
    values = values if isinstance(values, Mapping) else {}
    cells = [
        html.Td(ident),
        html.Td(status_cell),
        html.Td(format_time(execution.get("startTime")), className="time"),
        html.Td(format_time(execution.get("endTime")), className="time"),
        html.Td(duration_text(execution), className="num"),
        html.Td(run_links(execution_id, pipeline=pipeline, region=region, newest=newest,
                          relative=relative) if execution_id else [], className="run-links"),
        *(html.Td(text(values[name], MAX_CELL) if name in values else "–",
                  title=text(values[name], MAX_TITLE) if name in values else None,
                  className="parameter-value") for name in names),
    ]
    # Dash's wildcard data-* attributes: what a browser test reads of a row.
    attributes: dict[str, Any] = {"data-execution": execution_id,
                                  "data-status": text(status, 40)}
    return html.Tr(cells, className="execution-row", **attributes)
