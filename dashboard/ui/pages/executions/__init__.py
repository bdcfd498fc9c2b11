"""The Executions page (``/executions/view``): every execution of a pipeline, a page at a
time, with absolute start and end times, status, duration and a column per parameter,
filtered by status and parameter values, each run linked to the pipeline page, Compare and
the Timeline. The URL holds the whole view (``view``).

Its modules, one concern each: ``layout`` (the components), ``view`` (the URL and what it
shows), ``load`` (the page of ``/executions``, requested as the API requests it), ``table``
(the rows and their links; no Dash callbacks), ``callbacks`` (wiring them to Dash).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard.core.state import state
from dashboard.ui.pages import page_layout, page_mark, register_page
from dashboard.ui.pages.executions.callbacks import register_callbacks
from dashboard.ui.pages.executions.layout import NAME, TITLE, build_layout

# Not /executions: that is the JSON API's list (dashboard.api.views), which Flask routes first.
PATH = "/executions/view"


def register(app: dash.Dash) -> None:
    def build(**_query: Any) -> html.Div:
        # The URL's query is read by the page's own callbacks (view.sync_view), not here.
        page = build_layout()
        page.children = [page_mark(NAME), *page.children]
        return page

    def page_title() -> str:
        return f"{TITLE} (sandbox)" if state().sandbox else TITLE

    register_page(__name__, path=PATH, title=page_title, layout=page_layout(NAME, build))
    register_callbacks(app)
