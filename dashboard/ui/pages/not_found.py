"""The view of a path that is no page (the server answers it with status 404).

Dash's router shows the registered page whose module name ends in ``not_found_404`` for any
path no page has, so this page is registered under that name.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.ui.pages import page_layout, page_mark, register_page, relative_path

NAME = "not-found"
MODULE = "dashboard.ui.pages.not_found_404"


def build(**_query: Any) -> html.Div:
    return html.Div(
        [
            page_mark(NAME),
            html.H2("Page not found"),
            html.P("There is no page at this address."),
            dcc.Link("Open the pipeline lineage", href=relative_path("/")),
        ],
        className="not-found",
        role="main",
    )


def register() -> None:
    register_page(MODULE, path="/not-found", title="Not found", layout=page_layout(NAME, build))
