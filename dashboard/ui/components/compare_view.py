"""Two executions compared, from the ``/compare`` JSON (``Comparison.to_dict()``). Pure: the
answer in, Cytoscape elements and Dash components out.

- :func:`compare_elements`: the merged graph (every step and edge of either run) drawn by the
  pipeline page's own ``document_elements`` (shapes, positions, edge kinds), each node and
  edge classed by its change (``change-added``, ``change-removed``, ``change-changed``,
  ``change-same``: ``stylesheet.compare_stylesheet`` colours them); :func:`change_legend`
  explains those looks from the same table (``CHANGE_LOOK``).
- :func:`difference_rows` / :func:`differences_table`: one row per difference, each with its
  change class; ``only_differences`` leaves out the ``same`` rows.
- :func:`drift_rows` / :func:`schema_drift_section`: the answer's ``schemaDrift`` (only with
  ENABLE_SCHEMA=true), per dataset the columns added, removed and retyped (``a -> b``), in a
  table like the differences'; ``None`` when the answer has no ``schemaDrift``.

The graph's classes are the engine's: a step is changed by what the engine counts (never by
its duration, which differs between any two runs). A table row is ``same`` only when its two
values are equal, so a duration that moved shows in the "differences only" table while its
step stays ``same`` on the graph.

Why a plain ``html.Table`` and not ``dash_table.DataTable``: every cell is a text child,
which React escapes, with no markdown or HTML presentation to get wrong; rows carry the
``data-*`` attributes tests read; the rows are few (the engine bounds a step's key paths at
50), so DataTable's paging, sorting and its own bundle would buy nothing; the toggle
re-renders the table from the same answer.

Everything from AWS (step names, parameter values, failure reasons, metric names, URIs,
a dataset's column names and types, which come from the data itself) is shown through
``panels.text``: hidden characters as escapes, cut to a length.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from dash import html

from dashboard.ui.components.elements import Graph, document_elements, step_element_id
from dashboard.ui.components.panels import (
    format_duration,
    format_metric,
    format_time,
    status_label,
    text,
)
from dashboard.ui.components.stylesheet import (
    BORDER_COLOUR,
    CHANGE_EDGE_LOOK,
    CHANGE_LOOK,
    change_class,
)
from lineage.compare import ADDED, CHANGED, REMOVED, SAME
from lineage.models import NOT_STARTED

# Ids and attributes browser tests read.
COMPARE_TABLE = "compare-differences"
COMPARE_LEGEND = "compare-legend"
COMPARE_SUMMARY = "compare-summary"
COMPARE_SCHEMA_DRIFT = "compare-schema-drift"

# What a row is about (its ``data-kind``) -> the words of the table's "What" column.
STEP, EDGE, DEFINITION, PARAMETER = "step", "edge", "definition", "parameter"
TYPE, ARGUMENT, STATUS, DURATION = "type", "argument", "status", "duration"
CACHE_HIT, FAILURE_REASON, METRIC = "cacheHit", "failureReason", "metric"
INPUT, OUTPUT = "input", "output"
COLUMN, RETYPED = "column", "retyped"  # a dataset's column (schemaDrift)
KIND_LABELS: dict[str, str] = {
    PARAMETER: "parameter",
    DEFINITION: "definition key",
    STEP: "step",
    TYPE: "step type",
    ARGUMENT: "argument key",
    STATUS: "status",
    DURATION: "duration",
    CACHE_HIT: "cache hit",
    FAILURE_REASON: "failure reason",
    METRIC: "metric",
    INPUT: "input URI",
    OUTPUT: "output URI",
    EDGE: "edge",
    COLUMN: "column",
    RETYPED: "column type",
}

NONE = "–"  # no value on that side
MAX_CELL = 500  # a failure reason, a long argument: the side panel has them whole
MAX_NAME = 200
COLUMNS = ("Change", "What", "Step or name", "Detail", "a", "b", "Delta", "Relative")


@dataclass(frozen=True)
class DifferenceRow:
    """One row of the table. ``subject`` and ``item`` are as the API names them (the step,
    parameter or edge; a metric's name, a key path, an input's name); ``a``, ``b``,
    ``delta`` and ``relative`` are display text already."""

    kind: str
    change: str
    subject: str
    item: str = ""
    a: str = NONE
    b: str = NONE
    delta: str = ""
    relative: str = ""


# -- reading the answer (from a cache: defensively) ----------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _change(value: Any) -> str:
    return value if value in CHANGE_LOOK else CHANGED


def _equal_change(a: Any, b: Any) -> str:
    return SAME if a == b else CHANGED


# -- formatting ----------------------------------------------------------------------------


def _value(value: Any) -> str:
    """A parameter's or a key path's value: text as it is, anything else as JSON."""
    if value is None:
        return NONE
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text(shown, MAX_CELL)


def _signed(delta: float, shown: str) -> str:
    return f"+{shown}" if delta > 0 else f"-{shown}" if delta < 0 else shown


def _duration_delta(delta: float | None) -> str:
    return NONE if delta is None else _signed(delta, format_duration(abs(delta)))


def _percent(ratio: float | None) -> str:
    if ratio is None:
        return ""
    return "0%" if ratio == 0 else f"{ratio * 100:+.1f}%"


def _relative(delta: float | None, base: float | None) -> str:
    return "" if delta is None or not base else _percent(delta / abs(base))


def _metric_delta(delta: float | None) -> str:
    if delta is None:
        return ""
    return "0" if delta == 0 else f"{delta:+.4g}"


def _metric(value: Any) -> str:
    number = _number(value)
    return NONE if number is None else format_metric(number)


def _uris(uris: Any) -> str:
    shown = [text(uri, MAX_CELL) for uri in uris] if isinstance(uris, list) else []
    return "\n".join(shown) or NONE


def _run_text(state: Mapping[str, Any]) -> str:
    status = state.get("status")
    if status == NOT_STARTED:
        return status_label(status)
    return f"{status_label(status)}, {format_duration(state.get('elapsedSec'))}"


# -- the rows ------------------------------------------------------------------------------


def difference_rows(comparison: Mapping[str, Any]) -> list[DifferenceRow]:
    """Every row, ``same`` ones included: parameters, the definition's own keys, each step
    (by name) with what its runs say, then the edges only one run has."""
    rows = [_parameter_row(parameter) for parameter in _items(comparison.get("parameters"))]
    rows += _definition_rows(_mapping(comparison.get("definition")))
    for step in _items(comparison.get("steps")):
        rows += _step_rows(step)
    rows += [_edge_row(edge) for edge in _items(comparison.get("edges"))
             if edge.get("change") != SAME]
    return rows


def _parameter_row(parameter: Mapping[str, Any]) -> DifferenceRow:
    return DifferenceRow(PARAMETER, _change(parameter.get("change")),
                         str(parameter.get("name")),
                         a=_value(parameter.get("a")), b=_value(parameter.get("b")))


def _key_rows(kind: str, subject: str, changes: Mapping[str, Any]) -> list[DifferenceRow]:
    rows = [DifferenceRow(kind, _change(change.get("change")), subject,
                          item=str(change.get("path")),
                          a=_value(change.get("a")), b=_value(change.get("b")))
            for change in _items(changes.get("changes"))]
    total = _number(changes.get("total")) or 0
    if changes.get("truncated") and total > len(rows):
        rows.append(DifferenceRow(kind, CHANGED, subject,
                                  item=f"{total - len(rows):.0f} more key paths not listed"))
    return rows


def _definition_rows(definition: Mapping[str, Any]) -> list[DifferenceRow]:
    rows = _key_rows(DEFINITION, "", _mapping(definition.get("outsideSteps")))
    named = bool(rows or definition.get("stepsAdded") or definition.get("stepsRemoved")
             or definition.get("stepsChanged") or definition.get("edgesAdded")
             or definition.get("edgesRemoved"))
    if definition.get("differ") and not named:
        # The parser keeps no CacheConfig or RetryPolicies: say that they differ, not where.
        rows.append(DifferenceRow(
            DEFINITION, CHANGED, "",
            item="the definitions differ outside what is compared here "
                 "(a step's CacheConfig or RetryPolicies, for example)"))
    return rows


def _step_rows(step: Mapping[str, Any]) -> list[DifferenceRow]:
    name = str(step.get("name"))
    change = _change(step.get("change"))
    a, b = _mapping(step.get("a")), _mapping(step.get("b"))
    rows: list[DifferenceRow] = []
    if change in (ADDED, REMOVED):
        rows.append(DifferenceRow(STEP, change, name, item=text(step.get("type"), 80),
                                  a=_run_text(a) if a else NONE,
                                  b=_run_text(b) if b else NONE))
    else:
        rows += _run_rows(name, step, a, b)
    for metric in _items(step.get("metrics")):
        delta = _number(metric.get("delta"))
        relative = _number(metric.get("relativeChange"))
        rows.append(DifferenceRow(
            METRIC, _change(metric.get("change")), name, item=str(metric.get("name")),
            a=_metric(metric.get("a")), b=_metric(metric.get("b")),
            delta=_metric_delta(delta),
            relative=_percent(relative),
        ))
    for kind, key in ((INPUT, "inputs"), (OUTPUT, "outputs")):
        for ref in _items(step.get(key)):
            rows.append(DifferenceRow(
                kind, _change(ref.get("change")), name, item=str(ref.get("name")),
                a=_uris(ref.get("a")), b=_uris(ref.get("b")),
                delta="same place (only each run's own parts differ)"
                if ref.get("perRunOnly") else "",
            ))
    return rows


def _run_rows(name: str, step: Mapping[str, Any], a: Mapping[str, Any],
              b: Mapping[str, Any]) -> list[DifferenceRow]:
    """A step of both runs: its type and keys when they changed, then how each run went."""
    differences = step.get("differences") or ()
    rows: list[DifferenceRow] = []
    if TYPE in differences:
        rows.append(DifferenceRow(TYPE, CHANGED, name, a=text(a.get("type"), 80),
                                  b=text(b.get("type"), 80)))
    rows += _key_rows(ARGUMENT, name, _mapping(step.get("arguments")))
    rows.append(DifferenceRow(STATUS, _equal_change(a.get("status"), b.get("status")), name,
                              a=status_label(a.get("status")), b=status_label(b.get("status"))))
    seconds_a, seconds_b = _number(a.get("elapsedSec")), _number(b.get("elapsedSec"))
    if seconds_a is not None or seconds_b is not None:
        delta = _number(step.get("elapsedDeltaSec"))
        rows.append(DifferenceRow(DURATION, _equal_change(seconds_a, seconds_b), name,
                                  a=format_duration(seconds_a) if seconds_a is not None else NONE,
                                  b=format_duration(seconds_b) if seconds_b is not None else NONE,
                                  delta=_duration_delta(delta),
                                  relative=_relative(delta, seconds_a)))
    hit_a, hit_b = a.get("cacheHit"), b.get("cacheHit")
    if isinstance(hit_a, bool) and isinstance(hit_b, bool):  # only runs of the step compare
        rows.append(DifferenceRow(CACHE_HIT, _equal_change(hit_a, hit_b), name,
                                  a="yes" if hit_a else "no", b="yes" if hit_b else "no"))
    reason_a, reason_b = a.get("failureReason"), b.get("failureReason")
    if reason_a is not None or reason_b is not None:
        rows.append(DifferenceRow(
            FAILURE_REASON, _equal_change(reason_a, reason_b), name,
            a=NONE if reason_a is None else text(reason_a, MAX_CELL, lines=True),
            b=NONE if reason_b is None else text(reason_b, MAX_CELL, lines=True),
        ))
    return rows


def _edge_row(edge: Mapping[str, Any]) -> DifferenceRow:
    change = _change(edge.get("change"))
    via = str(edge.get("via"))
    branch = edge.get("branch")
    return DifferenceRow(
        EDGE, change, f"{edge.get('from')} -> {edge.get('to')}",
        item=f"{via} ({branch})" if branch else via,
        a=NONE if change == ADDED else "yes", b=NONE if change == REMOVED else "yes",
    )


# -- the table -----------------------------------------------------------------------------


def _data(attributes: Mapping[str, str]) -> dict[str, Any]:
    """``data-*`` attributes for a Dash component (text: React escapes them)."""
    return {f"data-{name}": value for name, value in attributes.items()}



def _change_cell(change: str) -> html.Td:
    fill, ink, _, _, mark, _ = CHANGE_LOOK[change]
    return html.Td(f"{mark} {change}".strip(), className="change-cell",
                   style={"backgroundColor": fill, "color": ink, "fontWeight": 600,
                          "whiteSpace": "nowrap"})


def _cell(value: str, **style: Any) -> html.Td:
    return html.Td(value, style={"whiteSpace": "pre-wrap", "overflowWrap": "anywhere",
                                 **style})


def _row(row: DifferenceRow) -> html.Tr:
    return html.Tr(
        [
            _change_cell(row.change),
            _cell(KIND_LABELS.get(row.kind, row.kind)),
            _cell(text(row.subject, MAX_NAME)),
            _cell(text(row.item, MAX_NAME)),
            _cell(row.a),
            _cell(row.b),
            _cell(row.delta, whiteSpace="nowrap"),
            _cell(row.relative, whiteSpace="nowrap"),
        ],
        className=f"difference {change_class(row.change)}",
        **_data({"kind": row.kind, "change": row.change, "subject": row.subject,
                 "item": row.item}),
    )


def _execution_label(comparison: Mapping[str, Any], side: str) -> str:
    execution = _mapping(_mapping(comparison.get("summary")).get(side))
    return f"{side}: {text(execution.get('id'), 64)}" if execution.get("id") else side


def differences_table(comparison: Mapping[str, Any], *,
                      only_differences: bool = False) -> html.Table:
    """The table (``COMPARE_TABLE``); ``only_differences`` hides the ``same`` rows."""
    rows = [row for row in difference_rows(comparison)
            if not (only_differences and row.change == SAME)]
    header = [*COLUMNS[:4], _execution_label(comparison, "a"),
              _execution_label(comparison, "b"), *COLUMNS[6:]]
    body = [_row(row) for row in rows] or [html.Tr(html.Td(
        "No differences." if only_differences else "Nothing to compare.",
        colSpan=len(COLUMNS), className="difference-empty"))]
    return html.Table(
        [html.Thead(html.Tr([html.Th(title, scope="col") for title in header])),
         html.Tbody(body)],
        id=COMPARE_TABLE,
        className="compare-differences",
        style={"borderCollapse": "collapse", "width": "100%"},
        **_data({"only-differences": "true" if only_differences else "false"}),
    )


# -- schema drift --------------------------------------------------------------------------

DRIFT_COLUMNS = ("Change", "What", "Column", "a", "b")


@dataclass(frozen=True)
class DriftRow:
    """A column that changed in a dataset from a to b; ``a`` and ``b`` are its types (display
    text), ``NONE`` on the side that lacks it."""

    kind: str  # COLUMN (added or removed) or RETYPED
    change: str
    column: str
    a: str = NONE
    b: str = NONE


@dataclass(frozen=True)
class DatasetDrift:
    """One dataset of ``schemaDrift``: where the two runs' URIs meet, each run's URI, its
    change (``same`` when the columns agree) and the columns that changed."""

    dataset: str
    a: str
    b: str
    change: str
    rows: tuple[DriftRow, ...] = ()


def _type(value: Any) -> str:
    return text(value, 64)


def drift_rows(comparison: Mapping[str, Any]) -> list[DatasetDrift]:
    """``schemaDrift`` read defensively: per dataset, its added columns, then the removed,
    then the retyped ones, each in the engine's order."""
    drifts = []
    for drift in _items(comparison.get("schemaDrift")):
        rows = [DriftRow(COLUMN, ADDED, str(c.get("name")), b=_type(c.get("type")))
                for c in _items(drift.get("added"))]
        rows += [DriftRow(COLUMN, REMOVED, str(c.get("name")), a=_type(c.get("type")))
                 for c in _items(drift.get("removed"))]
        rows += [DriftRow(RETYPED, CHANGED, str(c.get("name")), a=_type(c.get("a")),
                          b=_type(c.get("b")))
                 for c in _items(drift.get("retyped"))]
        change = _change(drift.get("change")) if not rows else CHANGED
        drifts.append(DatasetDrift(str(drift.get("dataset")), str(drift.get("a")),
                                   str(drift.get("b")), change, tuple(rows)))
    return drifts


def _drift_row(dataset: str, row: DriftRow) -> html.Tr:
    return html.Tr(
        [_change_cell(row.change), _cell(KIND_LABELS[row.kind]),
         _cell(text(row.column, MAX_NAME)), _cell(row.a), _cell(row.b)],
        className=f"difference {change_class(row.change)}",
        **_data({"kind": row.kind, "change": row.change, "subject": dataset,
                 "item": row.column}),
    )


def _dataset_drift(drift: DatasetDrift) -> html.Div:
    where = [html.H3(text(drift.dataset, MAX_CELL), className="drift-dataset"),
             html.P(f"a: {text(drift.a, MAX_CELL)} \u00b7 b: {text(drift.b, MAX_CELL)}",
                    className="muted")]
    if not drift.rows:
        body: Any = html.P("The same columns in both runs.", className="difference-empty")
    else:
        body = html.Table(
            [html.Thead(html.Tr([html.Th(title, scope="col") for title in DRIFT_COLUMNS])),
             html.Tbody([_drift_row(drift.dataset, row) for row in drift.rows])],
            className="compare-differences",
            style={"borderCollapse": "collapse", "width": "100%"},
        )
    return html.Div([*where, body], className=f"schema-drift {change_class(drift.change)}",
                    **_data({"dataset": drift.dataset, "change": drift.change}))


def drift_summary(drifts: Iterable[DatasetDrift]) -> str:
    """``dataset schemas: 1 drifted, 2 the same``."""
    changes = [drift.change for drift in drifts]
    same = changes.count(SAME)
    return f"dataset schemas: {len(changes) - same} drifted, {same} the same"


def schema_drift_section(comparison: Mapping[str, Any]) -> html.Section | None:
    """The Dataset schemas section (``COMPARE_SCHEMA_DRIFT``): each dataset both runs have a
    schema of, the columns added, removed and retyped from a to b; ``None`` when the answer
    has no ``schemaDrift`` (ENABLE_SCHEMA is off, or no dataset has a schema on both sides)."""
    drifts = drift_rows(comparison)
    if not drifts:
        return None
    return html.Section(
        [html.Div([html.H2("Dataset schemas"),
                   html.Span(f"{drift_summary(drifts)}: the columns each dataset gained, "
                             "lost or changed the type of from a to b", className="muted")],
                  className="compare-table-head"),
         *[_dataset_drift(drift) for drift in drifts]],
        id=COMPARE_SCHEMA_DRIFT,
        className="compare-table-section compare-schema-drift",
    )


# -- the summary ---------------------------------------------------------------------------


def _counts(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{counts.get(change, 0)} {change}" for change in CHANGE_LOOK)


def compare_summary(comparison: Mapping[str, Any]) -> html.Div:
    """Which run is which, the counts of each change class, whether definitions and
    parameters differ, how many dataset schemas drifted (with ``schemaDrift``), and the
    engine's warnings."""
    summary = _mapping(comparison.get("summary"))
    lines: list[Any] = []
    for side, role in (("a", "base"), ("b", "compared")):
        execution = _mapping(summary.get(side))
        lines.append(html.Li(
            f"{side} ({role}): {text(execution.get('id'), 64)}, "
            f"{status_label(execution.get('status'))}, "
            f"started {format_time(execution.get('startTime'))}",
            **_data({"side": side})))
    lines.append(html.Li(f"steps: {_counts(_mapping(summary.get('steps')))}; "
                         f"edges: {_counts(_mapping(summary.get('edges')))}"))
    lines.append(html.Li(
        ("the definitions differ" if summary.get("definitionsDiffer") else "the same definition")
        + "; "
        + ("the parameters differ" if summary.get("parametersDiffer") else
           "the same parameters")))
    drifts = drift_rows(comparison)
    if drifts:
        lines.append(html.Li(drift_summary(drifts)))
    warnings = [html.Li(text(warning.get("message"), MAX_CELL), className="compare-warning")
                for warning in _items(comparison.get("warnings"))]
    return html.Div([html.Ul(lines), html.Ul(warnings) if warnings else None],
                    id=COMPARE_SUMMARY, className="compare-summary")


# -- the merged graph ----------------------------------------------------------------------


def merged_document(comparison: Mapping[str, Any]) -> dict[str, Any]:
    """The merged graph as a lineage document's ``graph``, so ``document_elements`` draws
    it: each step with the newer run's type and status (the older's for a removed step)."""
    nodes = []
    for step in _items(comparison.get("steps")):
        state = _mapping(step.get("b")) or _mapping(step.get("a"))
        node: dict[str, Any] = {"id": str(step.get("name")), "type": step.get("type")}
        if state and state.get("status") != NOT_STARTED:
            node["run"] = {"status": state.get("status"), "cacheHit": state.get("cacheHit")}
        nodes.append(node)
    edges = [
        {key: edge[key] for key in ("from", "to", "via", "branch", "property") if key in edge}
        for edge in _items(comparison.get("edges"))
    ]
    return {"graph": {"nodes": nodes, "edges": edges}}


def compare_elements(comparison: Mapping[str, Any], *, positions: bool | None = None) -> Graph:
    """Cytoscape elements of the merged graph: ``document_elements``' own (ids, shapes,
    positions), each node and edge with its change class and ``data.change``; a step's
    ``data.differences`` lists what differs (the engine's names)."""
    graph = document_elements(merged_document(comparison), positions=positions)
    steps = {step_element_id(str(step.get("name"))): step
             for step in _items(comparison.get("steps"))}
    edges = {(step_element_id(str(edge.get("from"))), step_element_id(str(edge.get("to"))),
              str(edge.get("via"))): edge for edge in _items(comparison.get("edges"))}
    elements = []
    for element in graph.elements:
        data = element["data"]
        if "source" in data:
            found = edges.get((data["source"], data["target"], data["via"]), {})
            extra: dict[str, Any] = {}
        else:
            found = steps.get(data["id"], {})
            differences = found.get("differences")
            extra = {"differences": [str(d) for d in differences]
                     if isinstance(differences, list) else []}
        change = _change(found.get("change"))
        elements.append({
            **element,
            "data": {**data, "change": change, **extra},
            "classes": f"{element['classes']} {change_class(change)}",
        })
    return Graph(elements=elements, node_count=graph.node_count,
                 step_names=graph.step_names, preset=graph.preset)


# -- the legend ----------------------------------------------------------------------------

_DASHES = {"dashed": "4 2.5", "dotted": "1.2 2.2"}


def change_sample_uri(change: str) -> str:
    """A node of a change class drawn small, from ``CHANGE_LOOK`` (and its edge's colour
    under it): fill, border style, mark."""
    fill, ink, border, width, mark, _ = CHANGE_LOOK[change]
    edge_colour = CHANGE_EDGE_LOOK[change][0]
    stroke = min(width / 2, 3.0)
    dash = _DASHES.get(border)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    body = (f'<rect x="1.5" y="1.5" width="21" height="13" rx="3" fill="{fill}" '
            f'stroke="{BORDER_COLOUR}" stroke-width="{stroke:g}"{dashes}/>'
            f'<line x1="24" y1="8" x2="38" y2="8" stroke="{edge_colour}" stroke-width="2.5"/>')
    if mark:
        body += (f'<text x="12" y="12.5" text-anchor="middle" font-size="11" font-weight="700" '
                 f'font-family="DejaVu Sans, Arial, sans-serif" fill="{ink}">{mark}</text>')
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="16" '
           f'viewBox="0 0 40 16">{body}</svg>')
    return "data:image/svg+xml;utf8," + quote(svg)


def change_legend() -> html.Div:
    """What each change look means (``data-legend``: the class an entry explains)."""
    entries: Iterable[Any] = (
        html.Li([html.Img(src=change_sample_uri(change), alt="", className="change-sample"),
                 look[5]], title=f"{look[5]}: a step or an edge",
                **_data({"legend": change_class(change)}))
        for change, look in CHANGE_LOOK.items()
    )
    return html.Div([html.H5("Change from a to b"), html.Ul(list(entries))],
                    id=COMPARE_LEGEND, className="legend-group compare-legend")
