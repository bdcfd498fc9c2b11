"""The Compare page's components, as functions of what the server knows at start-up.

No data from AWS here: the callbacks fill the page in from the URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboard.ui import ids
from dashboard.ui.components.compare_view import change_legend
from dashboard.ui.components.elements import LAYOUT_AUTO, layout_for
from dashboard.ui.components.nav import page_links
from dashboard.ui.components.stylesheet import compare_stylesheet
from dashboard.ui.pages import relative_path
from dashboard.ui.pages.compare.view import ONLY_ON
from dashboard.ui.pages.graph_page import graph_loading

TITLE = "SageMaker Lineage: compare"


def build_layout(*, regions: Sequence[str], default_region: str) -> html.Div:
    children: list[Any] = [
        dcc.Location(id=ids.COMPARE_URL, refresh=False),
        dcc.Store(id=ids.COMPARE_VIEW, data=None),
        html.Div(id=ids.COMPARE_SINK, hidden=True),
        header(),
        html.Div(id=ids.COMPARE_MESSAGE, className="messages", role="status"),
        html.Div(
            [
                html.P(id=ids.COMPARE_PIPELINE_LINK, className="compare-where"),
                html.Section(id=ids.COMPARE_SUMMARY_AREA, className="summary-bar"),
                graph_area(),
                table_section(),
                # The Dataset schemas section, when the comparison has schemaDrift.
                html.Div(id=ids.COMPARE_SCHEMA_AREA),
            ],
            className="compare-body",
        ),
    ]
    return html.Div(children, id=ids.COMPARE_PAGE, className="app compare")


def _execution_choice(label: str, dropdown_id: str, title: str) -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=dropdown_id, className="control-label"),
         dcc.Dropdown(id=dropdown_id, options=[], placeholder="Choose an execution\u2026",
                      searchable=True, clearable=False, className="dropdown")],
        className="control", title=title,
    )


def header() -> html.Header:
    return html.Header(
        [
            html.Div([html.Span("\u25c7", className="brand-mark"), html.H1("SageMaker Lineage"),
                      page_links("compare", relative_path)], className="brand"),
            html.Div(
                [
                    _execution_choice("a (base)", ids.COMPARE_A, "The execution compared with"),
                    html.Div(html.Button("\u21c4", id=ids.COMPARE_SWAP, n_clicks=0,
                                         className="button icon", title="Swap a and b"),
                             className="control swap-control"),
                    _execution_choice("b (compared)", ids.COMPARE_B,
                                      "The execution compared with a"),
                ],
                className="selectors",
            ),
            html.Div(
                [html.Button("\u21bb Refresh", id=ids.COMPARE_REFRESH, n_clicks=0,
                             className="button button-primary",
                             title="Read both executions from AWS again")],
                className="header-actions",
            ),
        ],
        className="app-header",
    )


def graph_area() -> html.Section:
    toolbar = html.Div(
        [html.Div([html.Button("Fit", id=ids.COMPARE_FIT, n_clicks=0, className="button",
                               title="Fit the graph to the view")], className="toolbar-group"),
         html.Span("Every step and edge of either execution, coloured by what changed from a "
                   "to b.", className="muted")],
        className="toolbar",
    )
    graph = graph_loading(graph_id=ids.COMPARE_GRAPH, loading_id=ids.COMPARE_GRAPH_LOADING,
                          layout=layout_for(LAYOUT_AUTO, preset=False),
                          stylesheet=compare_stylesheet())
    return html.Section(
        [toolbar,
         html.Div([graph, html.Div(id=ids.COMPARE_TOOLTIP, className="graph-tooltip",
                                   hidden=True)], className="graph-frame"),
         change_legend()],
        className="graph-area compare-graph-area",
    )


def table_section() -> html.Section:
    return html.Section(
        [
            html.Div(
                [html.H2("Differences"),
                 dcc.Checklist(id=ids.COMPARE_ONLY,
                               options=[{"label": " Differences only", "value": ONLY_ON}],
                               value=[], className="toggle", inline=True,
                               labelStyle={"display": "inline-flex"})],
                className="compare-table-head",
            ),
            dcc.Loading(html.Div(id=ids.COMPARE_TABLE_AREA), type="circle", delay_show=250,
                        parent_className="tab-loading"),
        ],
        className="compare-table-section",
    )
