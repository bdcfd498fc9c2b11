"""The links between the pages, in each page's header."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.ui import ids

# (page name, path, words)
PAGES = (("pipeline", "/", "Pipeline"), ("estate", "/estate/view", "Estate"))


def page_links(current: str, relative: Any) -> html.Nav:
    """One link per page; the current one marked (``nav-current``). ``relative``: the
    pages router's ``relative_path`` (the app's URL prefix)."""
    return html.Nav(
        [dcc.Link(words, href=relative(path), id=f"nav-{name}",
                  className="nav-link nav-current" if name == current else "nav-link")
         for name, path, words in PAGES],
        id=ids.NAV, className="page-nav", title="Pages",
    )
