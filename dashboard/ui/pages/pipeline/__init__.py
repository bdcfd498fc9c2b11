"""The pipeline page (``/``): one pipeline's lineage graph, run status and side panel.

Its modules, one concern each: ``layout`` (the components), ``view`` (the URL and what it
shows), ``validation`` (the browser's values checked as the API checks them), ``catalog``
(the dropdowns' options), ``graph`` (loading the graph), ``rendered`` (big documents drawn
once), ``details`` (the side panel), ``export`` (JSON and PNG), ``callbacks`` (wiring them to
Dash).
"""

from __future__ import annotations

import dash

from dashboard.ui.pages.graph_page import register_graph_page
from dashboard.ui.pages.pipeline.callbacks import register_callbacks
from dashboard.ui.pages.pipeline.layout import TITLE, build_layout

NAME = "pipeline"
PATH = "/"


def register(app: dash.Dash) -> None:
    register_graph_page(app, __name__, name=NAME, path=PATH, title=TITLE,
                        build_layout=build_layout, register_callbacks=register_callbacks)
