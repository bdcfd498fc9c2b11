"""The estate page (``/estate/view``): pipelines, datasets, model packages, models and endpoints
of a scope as one graph; a search draws the impact of an S3 location or the provenance of an
endpoint as highlighted paths.

Its modules, one concern each: ``layout`` (the components), ``view`` (the URL and what it
shows), ``graph`` (elements, what a search means, highlights), ``load`` (the estate and the
search's answer, requested as the API requests them), ``details`` (the side panel),
``callbacks`` (wiring them to Dash).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard.core.state import state
from dashboard.ui.pages import page_layout, page_mark, register_page
from dashboard.ui.pages.estate.callbacks import register_callbacks
from dashboard.ui.pages.estate.layout import TITLE, build_layout

NAME = "estate"
# Not /estate: that is the JSON API's estate (dashboard.api.views), which Flask routes first.
PATH = "/estate/view"


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
