"""The pipeline page (``/``): one pipeline's lineage graph, run status and side panel.

Its modules, one concern each: ``layout`` (the components), ``view`` (the URL and what it
shows), ``validation`` (the browser's values checked as the API checks them), ``catalog``
(the dropdowns' options), ``graph`` (loading the graph), ``rendered`` (big documents drawn
once), ``details`` (the side panel), ``export`` (JSON and PNG), ``first_view`` (the URL's
graph drawn into the layout), ``callbacks`` (wiring them to Dash).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard.core.state import state
from dashboard.ui.pages.graph_page import register_graph_page
from dashboard.ui.pages.pipeline.callbacks import register_callbacks
from dashboard.ui.pages.pipeline.first_view import fill, first_view
from dashboard.ui.pages.pipeline.layout import TITLE, build_layout

NAME = "pipeline"
PATH = "/"


def register(app: dash.Dash) -> None:
    register_graph_page(app, __name__, name=NAME, path=PATH, title=TITLE,
                        build_layout=build_layout, register_callbacks=register_callbacks,
                        first_view=_first_view)


def _first_view(page: html.Div, query: dict[str, Any]) -> None:
    """The graph of the URL drawn into the layout (``first_view``): no callback before it."""
    fill(page, first_view(state(), query))
