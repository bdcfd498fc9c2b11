"""The Compare page (``/compare/view``): two executions of one pipeline side by side, their
merged graph coloured by change, the table of every difference and the summary.

Its modules, one concern each: ``layout`` (the components), ``view`` (the URL and what it
shows), ``load`` (the comparison, requested as ``/compare`` requests it, drawn by
``components.compare_view``), ``callbacks`` (wiring them to Dash).
"""

from __future__ import annotations

import dash

from dashboard.ui.components.links import COMPARE_PATH
from dashboard.ui.pages.compare.callbacks import register_callbacks
from dashboard.ui.pages.compare.layout import TITLE, build_layout
from dashboard.ui.pages.graph_page import register_graph_page

NAME = "compare"
# Not /compare: that is the JSON API's comparison (dashboard.api.views), which Flask routes
# first.
PATH = COMPARE_PATH


def register(app: dash.Dash) -> None:
    register_graph_page(app, __name__, name=NAME, path=PATH, title=TITLE,
                        build_layout=build_layout, register_callbacks=register_callbacks)
