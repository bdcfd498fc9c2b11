"""The pipeline page's components, as functions of what the server knows at start-up.

No data from AWS here: the callbacks fill the page in from the URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboard.ui import ids
from dashboard.ui.components.elements import LAYOUT_AUTO, LAYOUT_CHOICES, layout_for
from dashboard.ui.components.legend import legend
from dashboard.ui.components.nav import page_links
from dashboard.ui.components.stylesheet import stylesheet
from dashboard.ui.pages import relative_path
from dashboard.ui.pages.graph_page import colour_toggle, graph_loading, workspace
from dashboard.ui.pages.pipeline.tabs import LAST_CHOICES
from dashboard.ui.pages.pipeline.tools import graph_tools
from dashboard.ui.pages.pipeline.validation import offered_order
from dashboard.ui.pages.pipeline.view import (
    DATA_VIEW_ON,
    DEFAULT_LAST,
    LATEST,
    TAB_CHOICES,
    TAB_GRAPH,
)

TITLE = "SageMaker Lineage"
# The export buttons' titles; off, they say why (nothing is shown yet).
EXPORT_JSON_TITLE = "Download the lineage document"
EXPORT_PNG_TITLE = "Download a picture of the graph"
NOTHING_TO_EXPORT = "Nothing to export yet: choose a pipeline"
DEFAULT_REFRESH_SEC = 10
LINK_OFF = "link-off"  # a link with nowhere to go yet (no pipeline chosen): not shown


def build_layout(
    *,
    regions: Sequence[str],
    default_region: str,
    refresh_sec: int = DEFAULT_REFRESH_SEC,
) -> html.Div:
    children: list[Any] = [
        dcc.Location(id=ids.URL, refresh=False),
        # Where a callback sends the browser: another page, through the pages router.
        dcc.Location(id=ids.NAVIGATE, refresh="callback-nav"),
        dcc.Store(id=ids.VIEW, data=None),
        dcc.Store(id=ids.NODE, data=None),
        dcc.Store(id=ids.META, data=None),
        dcc.Store(id=ids.STEP_NAMES, data=[]),
        dcc.Store(id=ids.SEARCH_MATCHES, data=[]),
        # Whether the legend is open, remembered by this browser (closed the first time).
        dcc.Store(id=ids.LEGEND_OPEN, data=False, storage_type="local"),
        dcc.Interval(id=ids.INTERVAL, interval=refresh_sec * 1000, disabled=True),
        dcc.Download(id=ids.DOWNLOAD),
        html.Div(id=ids.CLIENTSIDE_SINK, hidden=True),
        header(regions, default_region),
        dcc.Store(id=ids.VIEW_NOTES, data=[]),
        dcc.Store(id=ids.CATALOG_NOTES, data=[]),
        dcc.Store(id=ids.TIMELINE_NOTES, data=[]),
        dcc.Store(id=ids.TRENDS_NOTES, data=[]),
        html.Div(id=ids.MESSAGE, className="messages", role="status"),
        html.Section(id=ids.SUMMARY, className="summary-bar"),
        tabs_bar(),
        tabbed_workspace(),
    ]
    return html.Div(children, id=ids.PAGE, className="app")


def tabs_bar() -> html.Div:
    """Graph | Timeline | Trends (the URL's tab), then Compare with… and All executions."""
    return html.Div(
        [
            dcc.RadioItems(id=ids.TAB,
                           options=[{"label": label, "value": value}
                                    for value, label in TAB_CHOICES],
                           value=TAB_GRAPH, inline=True, className="view-tab-choice",
                           labelStyle={"display": "inline-flex"}),
            html.Div(
                [
                    dcc.Dropdown(id=ids.COMPARE_WITH, options=[],
                                 placeholder="Compare with\u2026", searchable=True,
                                 clearable=False, className="dropdown dropdown-compare"),
                    dcc.Link("All executions", id=ids.ALL_EXECUTIONS, href="",
                             className=f"page-link {LINK_OFF}",
                             title="Every execution of this pipeline"),
                ],
                className="tabs-actions",
                title="Compare the execution shown with another one",
            ),
        ],
        id=ids.TABS_BAR,
        className="view-tabs",
    )


def _labelled(name: str) -> dict[str, Any]:
    return {"aria-label": name}


def tabbed_workspace() -> html.Main:
    """The graph and its side panel, under the Timeline and Trends panels (hidden unless
    their tab is chosen: the graph stays laid out beneath, its camera kept)."""
    main = workspace(graph_area(), workspace_id=ids.WORKSPACE, panel_id=ids.PANEL,
                     close_id=ids.DRAWER_CLOSE)
    timeline = html.Section(
        [dcc.Loading(html.Div(id=ids.TIMELINE_AREA), type="circle", delay_show=250,
                     parent_className="tab-loading")],
        id=ids.TIMELINE_PANEL, className="tab-panel timeline-panel", hidden=True,
        **_labelled("Timeline"),
    )
    trends = html.Section(
        [
            html.Div(
                [html.Span("Runs", className="control-label runs-label"),
                 dcc.RadioItems(id=ids.TRENDS_LAST,
                                options=[{"label": n, "value": n} for n in LAST_CHOICES],
                                value=DEFAULT_LAST, inline=True, className="toggle runs-choice",
                                labelStyle={"display": "inline-flex"})],
                className="trends-toolbar", title="How many of the newest executions",
            ),
            dcc.Loading(html.Div(id=ids.TRENDS_AREA), type="circle", delay_show=250,
                        parent_className="tab-loading"),
        ],
        id=ids.TRENDS_PANEL, className="tab-panel trends-panel", hidden=True,
        **_labelled("Trends"),
    )
    main.children = [*main.children, timeline, trends]
    return main


def header(regions: Sequence[str], default_region: str) -> html.Header:
    offered = offered_order(regions, default_region)
    return html.Header(
        [
            html.Div([html.Span("\u25c7", className="brand-mark"), html.H1(TITLE),
                      page_links("pipeline", relative_path)],
                     className="brand"),
            html.Div(
                [
                    labelled("Region", dcc.Dropdown(
                        id=ids.REGION,
                        options=[{"label": r, "value": r} for r in offered],
                        value=default_region,
                        clearable=False,
                        searchable=True,
                        className="dropdown dropdown-region",
                    )),
                    labelled("Pipeline", dcc.Dropdown(
                        id=ids.PIPELINE,
                        options=[],
                        placeholder="Choose a pipeline…",
                        searchable=True,
                        clearable=False,
                        className="dropdown dropdown-pipeline",
                    )),
                    labelled("Execution", dcc.Dropdown(
                        id=ids.EXECUTION,
                        options=[{"label": "Latest execution", "value": LATEST}],
                        value=LATEST,
                        searchable=True,
                        clearable=False,
                        className="dropdown dropdown-execution",
                    )),
                ],
                className="selectors",
            ),
            html.Div(
                [
                    html.Button("\u21bb Refresh", id=ids.REFRESH, n_clicks=0,
                                className="button button-primary",
                                title="Read the pipeline from AWS again"),
                    html.Div([html.Span("Last scanned", className="scanned-label"),
                              html.Span("–", id=ids.LAST_SCANNED, className="scanned-time")],
                             className="last-scanned"),
                ],
                className="header-actions",
            ),
        ],
        className="app-header",
    )


def labelled(label: str, control: Any) -> html.Div:
    # Not a <label> around the dropdown: its options are <label>s, and labels do not nest.
    return html.Div([html.Label(label, htmlFor=control.id, className="control-label"), control],
                    className="control")


def graph_area() -> html.Section:
    toolbar = html.Div(
        [
            html.Div(
                [
                    dcc.Input(id=ids.SEARCH, type="search", placeholder="Find a step…",
                              list=ids.SEARCH_OPTIONS, debounce=True, className="search",
                              autoComplete="off"),
                    html.Datalist(id=ids.SEARCH_OPTIONS),
                    # Floats under the box: feedback never moves the toolbar.
                    html.Div(id=ids.SEARCH_MESSAGE, className="search-message", role="status"),
                ],
                className="toolbar-group search-group",
            ),
            html.Div(
                [
                    html.Button("Fit", id=ids.FIT, n_clicks=0, className="button",
                                title="Fit the graph to the view"),
                    html.Button("+", id=ids.ZOOM_IN, n_clicks=0, className="button icon",
                                title="Zoom in"),
                    html.Button("\u2212", id=ids.ZOOM_OUT, n_clicks=0, className="button icon",
                                title="Zoom out"),
                ],
                className="toolbar-group",
            ),
            html.Div(
                [
                    dcc.Checklist(id=ids.DATA_VIEW,
                                  options=[{"label": " Data view", "value": DATA_VIEW_ON}],
                                  value=[], className="toggle", inline=True,
                                  labelStyle={"display": "inline-flex"}),
                    colour_toggle(ids.COLOR),
                    dcc.Dropdown(id=ids.LAYOUT_CHOICE,
                                 options=[{"label": label, "value": value}
                                          for value, label in LAYOUT_CHOICES],
                                 value=LAYOUT_AUTO, clearable=False, searchable=False,
                                 className="dropdown dropdown-layout"),
                    html.Button("Legend", id=ids.LEGEND_TOGGLE, n_clicks=0, className="button",
                                title="Show or hide the legend"),
                    graph_tools(),
                ],
                className="toolbar-group",
            ),
            html.Div(
                [
                    html.Button("\u2913 JSON", id=ids.EXPORT_JSON, n_clicks=0, className="button",
                                disabled=True, title=NOTHING_TO_EXPORT),
                    html.Button("\u2913 PNG", id=ids.EXPORT_PNG, n_clicks=0, className="button",
                                disabled=True, title=NOTHING_TO_EXPORT),
                    html.Button("\u2913 SVG", id=ids.EXPORT_SVG, n_clicks=0, className="button",
                                disabled=True, title=NOTHING_TO_EXPORT),
                    html.Button("Details", id=ids.DRAWER_TOGGLE, n_clicks=0,
                                className="button drawer-toggle",
                                title="Show the details of the selection"),
                ],
                className="toolbar-group toolbar-end",
            ),
        ],
        className="toolbar",
    )
    graph = graph_loading(graph_id=ids.GRAPH, loading_id=ids.GRAPH_LOADING,
                          layout=layout_for(LAYOUT_AUTO, preset=False), stylesheet=stylesheet())
    return html.Section(
        [
            toolbar,
            html.Div(
                [
                    graph,
                    html.Div("Hover over or select an edge to see what it carries.",
                             id=ids.EDGE_CAPTION, className="edge-caption"),
                    html.Div(id=ids.GRAPH_TOOLTIP, className="graph-tooltip", hidden=True),
                    legend(),
                ],
                className="graph-frame",
            ),
        ],
        className="graph-area",
    )
