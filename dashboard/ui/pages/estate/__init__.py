"""The estate page (``/estate/view``): pipelines, datasets, model packages, models and endpoints
of a scope as one graph; a search draws the impact of an S3 location or the provenance of an
endpoint as highlighted paths.

Its modules, one concern each: ``layout`` (the components), ``view`` (the URL and what it
shows), ``graph`` (elements, what a search means, highlights), ``load`` (the estate and the
search's answer, requested as the API requests them), ``details`` (the side panel),
``callbacks`` (wiring them to Dash).
"""

from __future__ import annotations

import dash

from dashboard.ui.pages.estate.callbacks import register_callbacks
from dashboard.ui.pages.estate.layout import TITLE, build_layout
from dashboard.ui.pages.graph_page import register_graph_page

NAME = "estate"
# Not /estate: that is the JSON API's estate (dashboard.api.views), which Flask routes first.
PATH = "/estate/view"


def register(app: dash.Dash) -> None:
    register_graph_page(app, __name__, name=NAME, path=PATH, title=TITLE,
                        build_layout=build_layout, register_callbacks=register_callbacks)
