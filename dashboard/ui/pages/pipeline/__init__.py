"""The pipeline page (``/``): one pipeline's lineage graph, run status and side panel.

Its modules, one concern each: ``layout`` (the components), ``view`` (the URL and what it
shows), ``validation`` (the browser's values checked as the API checks them), ``catalog``
(the dropdowns' options), ``graph`` (loading the graph), ``rendered`` (big documents drawn
once), ``details`` (the side panel), ``export`` (JSON and PNG), ``callbacks`` (wiring them to
Dash).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard.core.state import state
from dashboard.ui.pages import page_layout, page_mark, register_page
from dashboard.ui.pages.pipeline.callbacks import register_callbacks
from dashboard.ui.pages.pipeline.layout import TITLE, build_layout

NAME = "pipeline"
PATH = "/"


def build(**_query: Any) -> html.Div:
    # The URL's query is read by the page's own callbacks (view.sync_view), not here.
    app_state = state()
    page = build_layout(regions=app_state.regions, default_region=app_state.settings.default_region)
    page.children = [page_mark(NAME), *page.children]
    return page


def title() -> str:
    return f"{TITLE} (sandbox)" if state().sandbox else TITLE


def register(app: dash.Dash) -> None:
    register_page(__name__, path=PATH, title=title, layout=page_layout(NAME, build))
    register_callbacks(app)
