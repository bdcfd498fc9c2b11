"""The dashboard's pages (Dash's pages router), one package or module each.

A page's layout is a function of the URL's query; the router calls it again whenever the
query changes. Each page syncs itself from the URL (its callbacks listen to it), so the
router must not rebuild a page that is already shown: that would lose the graph's zoom and
position on every tap (a tap writes ``?node=``). ``page_layout`` wraps a page's layout so that
it declines (``PreventUpdate``) when the shell says this page is the one on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import dcc
from dash.exceptions import PreventUpdate

from dashboard.ui import ids

# The router passes the shell's record of the page on screen under this keyword.
SHOWN = "shown"


def page_mark(name: str) -> dcc.Store:
    """Put in a page's layout: tells the shell which page is on screen once it renders."""
    return dcc.Store(id={"type": ids.PAGE_MARK, "page": name}, data=name)


def page_layout(name: str, build: Callable[..., Any]) -> Callable[..., Any]:
    """``build(**query)``, unless page ``name`` is already on screen (the router calls it for
    every change of the query string; the page's own callbacks handle those)."""

    def layout(**query: Any) -> Any:
        if query.pop(SHOWN, None) == name:
            raise PreventUpdate
        return build(**query)

    layout.__name__ = f"{name}_layout"
    return layout


# Dash's pages API, untyped: called through these typed names only.
_dash: Any = dash


def register_page(
    module: str, *, path: str, title: str | Callable[[], str], layout: Callable[..., Any]
) -> None:
    _dash.register_page(module, path=path, title=title, layout=layout)


def relative_path(path: str) -> str:
    """``path`` as a request sees it (with the app's URL prefix, if any)."""
    found: str = _dash.get_relative_path(path)
    return found


def registered_paths(*, excluding: tuple[str, ...] = ()) -> frozenset[str]:
    """The paths of the registered pages (as requests see them), but those of ``excluding``."""
    return frozenset(
        relative_path(page["path"]).rstrip("/") or "/"
        for module, page in _dash.page_registry.items()
        if module not in excluding
    )
