"""The graph's tools: focus, path, filters and groups, a row under the toolbar.

Every tool is held by the URL (``pipeline.lens_query``): a change of a control writes the
URL (``tools_search``), and the URL (a shared link, back and forward) sets the controls
(``tool_values``); the page's ``view.sync_view`` then turns the URL into the view the graph
is drawn from, as for any other parameter. A tap on a collapsed group opens it, a tap on an
open group's box closes it (``view.sync_view``): the group is where the eye already is, so
no panel button is needed; "Collapse all" and "Expand all" do it for every group at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update

from dashboard.core.state import state
from dashboard.ui import ids
from dashboard.ui.components.elements import element_of_node, node_of_element
from dashboard.ui.components.groups import COLLAPSE_ALL, COLLAPSE_NONE
from dashboard.ui.components.lens import FOCUS_CHOICES, FOCUS_DEPTHS, FOCUS_OFF
from dashboard.ui.components.visible import visible_text
from dashboard.ui.pages.pipeline.lens_query import FILTER_STATUSES, FILTER_TYPES
from dashboard.ui.pages.pipeline.view import View, parse_query

HIDE_ON = "on"
EXPORT_SVG_TITLE = "Download the graph as SVG (sharp at any size)"
NOTHING_TO_EXPORT = "Nothing to export yet: choose a pipeline"
STATUS_WORDS = {"NotStarted": "Not started"}


def graph_tools() -> html.Details:
    """Focus depth, hide the rest, path to, status and type filters, collapse / expand all:
    a menu of the toolbar (closed, it takes no room from the graph; open, it floats over it)."""
    return html.Details([html.Summary("Tools", className="button", title=TOOLS_TITLE),
                         _tools_row()], id=ids.GRAPH_TOOLS, className="tools-menu")


TOOLS_TITLE = "Focus, path, filters and groups"


def _tools_row() -> html.Div:
    return html.Div(
        [
            html.Div(
                [html.Span("Focus", className="tool-label"),
                 dcc.RadioItems(id=ids.FOCUS, value=FOCUS_OFF, inline=True,
                                options=[{"label": label, "value": value}
                                         for value, label in FOCUS_CHOICES],
                                className="toggle focus-choice",
                                labelStyle={"display": "inline-flex"}),
                 dcc.Checklist(id=ids.HIDE_REST, value=[], inline=True, className="toggle",
                               options=[{"label": " Hide the rest", "value": HIDE_ON}],
                               labelStyle={"display": "inline-flex"})],
                className="toolbar-group",
                title="Upstream and downstream of the selected node, to a depth",
            ),
            # A box with the search's suggestions, not a dropdown: Dash's dropdown keys its
            # tables by option, and a step named __proto__ or constructor breaks them.
            dcc.Input(id=ids.PATH_TO, type="search", placeholder="Path to\u2026",
                      list=ids.SEARCH_OPTIONS, debounce=True, autoComplete="off",
                      className="search path-to", value=""),
            dcc.Dropdown(id=ids.STATUS_FILTER, value=[], multi=True, searchable=False,
                         placeholder="Status\u2026",
                         options=[{"label": STATUS_WORDS.get(s, s), "value": s}
                                  for s in FILTER_STATUSES],
                         className="dropdown dropdown-tool dropdown-filter"),
            dcc.Dropdown(id=ids.TYPE_FILTER, value=[], multi=True, searchable=True,
                         placeholder="Type\u2026", options=[],
                         className="dropdown dropdown-tool dropdown-filter"),
            html.Div(
                [html.Button("Collapse all", id=ids.COLLAPSE_ALL, n_clicks=0, className="button",
                             title="Draw each group of steps as one node"),
                 html.Button("Expand all", id=ids.EXPAND_ALL, n_clicks=0, className="button",
                             title="Draw every step")],
                className="toolbar-group",
                title="Groups: a Condition's branch, or steps named alike (Train-01, Train-02)",
            ),
            # The overview's sink: its canvas is drawn in the graph's frame (graph_tools.js).
            html.Div(id=ids.MINIMAP, hidden=True),
        ],
        className="toolbar graph-tools",
    )


def _options(values: Sequence[str], chosen: Sequence[str]) -> list[dict[str, str]]:
    """Dropdown options for ``values``, the chosen ones kept (a dropdown drops a value its
    options do not hold)."""
    listed = list(dict.fromkeys([*values, *chosen]))
    return [{"label": visible_text(value), "value": value} for value in listed]


def type_options(meta: Any, chosen: Sequence[str]) -> list[dict[str, str]]:
    """The step types a graph draws (its meta's ``stepTypes``), the chosen ones kept."""
    types = meta.get("stepTypes") if isinstance(meta, Mapping) else None
    types = [t for t in types if isinstance(t, str)] if isinstance(types, list) else []
    return _options([t for t in types if t in FILTER_TYPES], chosen)


def tool_values(view: View, meta: Any,
                current: Mapping[str, Any]) -> dict[str, Any]:
    """The controls as ``view`` has them, with their options; ``no_update`` where a
    control already shows it (``current``: the controls' values)."""
    path = node_of_element(view.path) if view.path else ""
    wanted = {
        "focus": view.focus,
        "hide": [HIDE_ON] if view.hide else [],
        "path_to": path,
        "status": list(view.status),
        "types": list(view.types),
    }
    out: dict[str, Any] = {key: value if value != current.get(key) else no_update
                           for key, value in wanted.items()}
    out["type_options"] = type_options(meta, list(view.types))
    return out


def tools_search(trigger: Any, search: Any, default_region: str, *, focus: Any, hide: Any,
                 path_to: Any, status: Any, types: Any) -> Any:
    """The URL after a change of a tool (``trigger``: its id); ``no_update`` when the URL
    already says so. A value of the wrong type counts as the default."""
    view = parse_query(search, default_region)
    if trigger == ids.COLLAPSE_ALL:
        new = replace(view, collapse=COLLAPSE_ALL, expand=())
    elif trigger == ids.EXPAND_ALL:
        new = replace(view, collapse=COLLAPSE_NONE, expand=())
    else:
        new = replace(
            view,
            focus=focus if isinstance(focus, str) and focus in FOCUS_DEPTHS else FOCUS_OFF,
            hide=isinstance(hide, list) and HIDE_ON in hide,
            path=element_of_node(path_to.strip()) if isinstance(path_to, str)
            and path_to.strip() else None,
            status=_listed(status, FILTER_STATUSES),
            types=_listed(types, FILTER_TYPES),
        )
    if new == replace(view, invalid=new.invalid):
        return no_update  # the URL says so already (a control set from it)
    return new.query()


def _listed(values: Any, allowed: Sequence[str]) -> tuple[str, ...]:
    """The allowed items of a browser's list, in the page's order."""
    return tuple(v for v in allowed if isinstance(values, list) and v in values)


def register_tools(app: dash.Dash) -> None:
    @app.callback(
        output={
            "focus": Output(ids.FOCUS, "value"),
            "hide": Output(ids.HIDE_REST, "value"),
            "path_to": Output(ids.PATH_TO, "value"),
            "status": Output(ids.STATUS_FILTER, "value"),
            "types": Output(ids.TYPE_FILTER, "value"),
            "type_options": Output(ids.TYPE_FILTER, "options"),
        },
        inputs={
            # The URL alone: a graph arriving later must not set back what a user just chose.
            "search": Input(ids.URL, "search"),
            "meta": State(ids.META, "data"),
            "focus": State(ids.FOCUS, "value"),
            "hide": State(ids.HIDE_REST, "value"),
            "path_to": State(ids.PATH_TO, "value"),
            "status": State(ids.STATUS_FILTER, "value"),
            "types": State(ids.TYPE_FILTER, "value"),
        },
    )
    def _tool_values(search: Any, meta: Any, **current: Any) -> dict[str, Any]:
        view = parse_query(search, state().settings.default_region)
        return tool_values(view, meta, current)

    @app.callback(
        output={"search": Output(ids.URL, "search", allow_duplicate=True)},
        inputs={
            "focus": Input(ids.FOCUS, "value"),
            "hide": Input(ids.HIDE_REST, "value"),
            "path_to": Input(ids.PATH_TO, "value"),
            "status": Input(ids.STATUS_FILTER, "value"),
            "types": Input(ids.TYPE_FILTER, "value"),
            "collapse": Input(ids.COLLAPSE_ALL, "n_clicks"),
            "expand": Input(ids.EXPAND_ALL, "n_clicks"),
            "search": State(ids.URL, "search"),
        },
        prevent_initial_call=True,
    )
    def _tools(focus: Any, hide: Any, path_to: Any, status: Any, types: Any, collapse: Any,
               expand: Any, search: Any) -> dict[str, Any]:
        return {"search": tools_search(ctx.triggered_id, search,
                                       state().settings.default_region, focus=focus,
                                       hide=hide, path_to=path_to, status=status, types=types)}

    # Over 150 nodes, an overview of the graph and its viewport (assets/graph_tools.js).
    untyped: Any = app
    untyped.clientside_callback(
        ClientsideFunction(namespace="graphTools", function_name="minimap"),
        Output(ids.MINIMAP, "title"),
        Input(ids.GRAPH, "elements"),
    )

    # The SVG export, drawn in the browser (graph_tools.js: Cytoscape's svg extension, loaded
    # by cyto.load_extra_layouts(), without the icons it cannot draw).
    untyped.clientside_callback(
        ClientsideFunction(namespace="graphTools", function_name="exportSvg"),
        Output(ids.EXPORT_SVG, "value"),
        Input(ids.EXPORT_SVG, "n_clicks"), State(ids.META, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        output={"disabled": Output(ids.EXPORT_SVG, "disabled"),
                "title": Output(ids.EXPORT_SVG, "title"),
                "type_options": Output(ids.TYPE_FILTER, "options", allow_duplicate=True)},
        inputs={"meta": Input(ids.META, "data"), "types": State(ids.TYPE_FILTER, "value")},
        prevent_initial_call="initial_duplicate",
    )
    def _graph_shown(meta: Any, types: Any) -> dict[str, Any]:
        """The SVG button on once a graph is shown; the types it draws to filter by."""
        shown = isinstance(meta, Mapping) and bool(meta.get("pipeline"))
        kept = [t for t in types if isinstance(t, str)] if isinstance(types, list) else []
        return {"disabled": not shown, "title": EXPORT_SVG_TITLE if shown else NOTHING_TO_EXPORT,
                "type_options": type_options(meta, kept)}
