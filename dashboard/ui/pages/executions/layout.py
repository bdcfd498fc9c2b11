"""The Executions page's components, as functions of what the server knows at start-up.

No data from AWS here: the callbacks fill the page in from the URL.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.ui import ids
from dashboard.ui.components.nav import page_links
from dashboard.ui.pages import relative_path
from lineage.request import EXECUTION_STATUSES

TITLE = "SageMaker Lineage: executions"
NAME = "executions"


def build_layout() -> html.Div:
    children: list[Any] = [
        dcc.Location(id=ids.EXECUTIONS_URL, refresh=False),
        dcc.Store(id=ids.EXECUTIONS_VIEW, data=None),
        dcc.Store(id=ids.EXECUTIONS_NEXT_TOKEN, data=None),
        header(),
        html.Div(id=ids.EXECUTIONS_MESSAGE, className="messages", role="status"),
        html.Section(id=ids.EXECUTIONS_SUMMARY, className="summary-bar executions-summary"),
        filters(),
        html.Section(
            dcc.Loading(html.Div(id=ids.EXECUTIONS_TABLE, className="executions-table-frame"),
                        type="circle", delay_show=250),
            className="executions-area"),
        paging(),
    ]
    return html.Div(children, id=ids.EXECUTIONS_PAGE, className="app executions")


def header() -> html.Header:
    return html.Header(
        [
            html.Div([html.Span("\u25c7", className="brand-mark"), html.H1("SageMaker Lineage"),
                      page_links(NAME, relative_path)], className="brand"),
            html.Div(
                [html.Button("\u21bb Refresh", id=ids.EXECUTIONS_REFRESH, n_clicks=0,
                             className="button button-primary",
                             title="Read this page of executions from AWS again")],
                className="header-actions",
            ),
        ],
        className="app-header",
    )


def filters() -> html.Section:
    return html.Section(
        [
            html.Div([html.Label("Status", htmlFor=ids.EXECUTIONS_STATUS,
                                 className="control-label"),
                      dcc.Dropdown(id=ids.EXECUTIONS_STATUS,
                                   options=[{"label": s, "value": s}
                                            for s in EXECUTION_STATUSES],
                                   value=None, clearable=True, searchable=False,
                                   placeholder="Any status",
                                   className="dropdown dropdown-status")],
                     className="control executions-status"),
            html.Div(
                [html.Label("Parameter", htmlFor=ids.EXECUTIONS_PARAM_NAME,
                            className="control-label"),
                 dcc.Input(id=ids.EXECUTIONS_PARAM_NAME, type="text", placeholder="Name",
                           list=ids.EXECUTIONS_PARAM_NAMES, debounce=True, autoComplete="off",
                           className="search parameter-name"),
                 html.Datalist(id=ids.EXECUTIONS_PARAM_NAMES)],
                className="control"),
            html.Div(
                [html.Label("Value", htmlFor=ids.EXECUTIONS_PARAM_VALUE,
                            className="control-label"),
                 dcc.Input(id=ids.EXECUTIONS_PARAM_VALUE, type="text", placeholder="Value",
                           debounce=True, autoComplete="off", className="search parameter-value")],
                className="control"),
            html.Button("Add filter", id=ids.EXECUTIONS_ADD_FILTER, n_clicks=0,
                        className="button", title="Only the runs whose parameter has this value"),
            html.Div(id=ids.EXECUTIONS_FILTERS, className="filter-chips"),
        ],
        className="executions-filters",
    )


def paging() -> html.Nav:
    return html.Nav(
        [html.Button("First page", id=ids.EXECUTIONS_FIRST, n_clicks=0, className="button",
                     disabled=True, title="Back to the newest executions"),
         html.Button("Next page", id=ids.EXECUTIONS_NEXT, n_clicks=0, className="button",
                     disabled=True, title="The executions after these")],
        className="executions-paging", title="Pages",
    )
