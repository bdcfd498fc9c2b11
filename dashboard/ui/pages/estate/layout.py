"""The estate page's components, as functions of what the server knows at start-up.

No data from AWS here: the callbacks fill the page in from the URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboard.ui import ids
from dashboard.ui.components.elements import LAYOUT_DAGRE, layout_for
from dashboard.ui.components.nav import page_links
from dashboard.ui.components.stylesheet import estate_stylesheet
from dashboard.ui.pages import relative_path
from dashboard.ui.pages.estate.legend import estate_legend
from dashboard.ui.pages.estate.view import ALL
from dashboard.ui.pages.graph_page import colour_toggle, graph_loading, workspace
from dashboard.ui.pages.pipeline.validation import offered_order

TITLE = "SageMaker Lineage: estate"
SEARCH_PLACEHOLDER = "S3 location, bucket, pipeline, model package or endpoint…"
PROGRESS_POLL_SEC = 3


def build_layout(*, regions: Sequence[str], default_region: str) -> html.Div:
    offered = offered_order(regions, default_region)
    children: list[Any] = [
        dcc.Location(id=ids.ESTATE_URL, refresh=False),
        dcc.Store(id=ids.ESTATE_VIEW, data=None),
        dcc.Store(id=ids.ESTATE_NODE, data=None),
        dcc.Interval(id=ids.ESTATE_INTERVAL, interval=PROGRESS_POLL_SEC * 1000, disabled=True),
        html.Div(id=ids.ESTATE_SINK, hidden=True),
        header(offered, default_region),
        html.Div(id=ids.ESTATE_MESSAGE, className="messages", role="status"),
        html.Section(id=ids.ESTATE_SUMMARY, className="summary-bar estate-summary"),
        workspace(graph_area(), workspace_id=ids.ESTATE_WORKSPACE, panel_id=ids.ESTATE_PANEL,
                  close_id=ids.ESTATE_DRAWER_CLOSE),
    ]
    return html.Div(children, id=ids.ESTATE_PAGE, className="app estate")


def header(offered: Sequence[str], default_region: str) -> html.Header:
    options = [{"label": "All regions", "value": ALL},
               *({"label": r, "value": r} for r in offered)]
    return html.Header(
        [
            html.Div([html.Span("\u25c7", className="brand-mark"), html.H1("SageMaker Lineage"),
                      page_links("estate", relative_path)], className="brand"),
            html.Div(
                [
                    html.Div([html.Label("Regions", htmlFor=ids.ESTATE_REGION,
                                         className="control-label"),
                              dcc.Dropdown(id=ids.ESTATE_REGION, options=options,
                                           value=[default_region], multi=True,
                                           clearable=False, searchable=True,
                                           className="dropdown dropdown-region")],
                             className="control control-regions"),
                    html.Div(
                        [
                            html.Label("Search the estate", htmlFor=ids.ESTATE_SEARCH,
                                       className="control-label"),
                            dcc.Input(id=ids.ESTATE_SEARCH, type="search",
                                      placeholder=SEARCH_PLACEHOLDER,
                                      list=ids.ESTATE_SEARCH_OPTIONS, debounce=True,
                                      className="search estate-search", autoComplete="off"),
                            html.Datalist(id=ids.ESTATE_SEARCH_OPTIONS),
                            html.Div(id=ids.ESTATE_SEARCH_MESSAGE,
                                     className="search-message estate-search-message",
                                     role="status"),
                        ],
                        className="control search-group",
                    ),
                ],
                className="selectors",
            ),
            html.Div(
                [html.Button("\u21bb Refresh", id=ids.ESTATE_REFRESH, n_clicks=0,
                             className="button button-primary",
                             title="Read the estate from AWS again")],
                className="header-actions",
            ),
        ],
        className="app-header",
    )


def graph_area() -> html.Section:
    toolbar = html.Div(
        [
            html.Div([html.Button("Fit", id=ids.ESTATE_FIT, n_clicks=0, className="button",
                                  title="Fit the graph to the view")],
                     className="toolbar-group"),
            html.Div([colour_toggle(ids.ESTATE_COLOR)], className="toolbar-group"),
            html.Div([html.Button("Details", id=ids.ESTATE_DRAWER_TOGGLE, n_clicks=0,
                                  className="button drawer-toggle",
                                  title="Show the details of the selection")],
                     className="toolbar-group toolbar-end"),
        ],
        className="toolbar",
    )
    graph = graph_loading(graph_id=ids.ESTATE_GRAPH, loading_id=ids.ESTATE_GRAPH_LOADING,
                          layout=layout_for(LAYOUT_DAGRE, preset=False),
                          stylesheet=estate_stylesheet())
    return html.Section(
        [toolbar,
         html.Div([graph, html.Div(id=ids.ESTATE_TOOLTIP, className="graph-tooltip",
                                   hidden=True), estate_legend()],
                  className="graph-frame")],
        className="graph-area",
    )
