"""The estate page's URL and what it shows: ``?region=&q=&node=&color=risk``.

``region``: one region, a comma-separated list or ``all`` (as ``/estate`` takes it; default:
the default region); ``q``: the search (an S3 URI, a bucket, a pipeline, a model package or
an endpoint); ``node``: the selected node's id (the estate's own, kind first); ``color``: the
graph's colouring (``risk``; status when absent or anything else), held by its toggle, not by
the view store the graph is drawn from. The URL (first load, back/forward, a shared link) sets
the region picker, the search box, the colouring, the view and the selection; a change of
region, a search, a colouring, a tap or a risk's link to a node sets the view and pushes a
URL.

Every value comes from the browser, so any may be of the wrong type: such a value counts as
absent here; a region the server does not offer is refused where the estate is requested
(``load``), with a note. Plain functions, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from dash import no_update

from dashboard.ui import ids
from dashboard.ui.components.risk import COLOR_STATUS, color_of
from dashboard.ui.pages.graph_page import Outputs, query_values

ALL = "all"
MAX_URL_VALUE = 1024


@dataclass(frozen=True)
class EstateView:
    region: str  # as the API takes it: "ap-northeast-2", "a,b" or "all"
    q: str | None = None
    node: str | None = None
    color: str = COLOR_STATUS  # the graph's colouring (components.risk.COLORS)

    def query(self) -> str:
        pairs = [(key, value) for key, value in
                 (("region", self.region), ("q", self.q), ("node", self.node)) if value]
        if self.color != COLOR_STATUS:
            pairs.append(("color", self.color))
        return "?" + urlencode(pairs) if pairs else ""

    def store(self) -> dict[str, Any]:
        """What the graph depends on (not the selection)."""
        return {"region": self.region, "q": self.q}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_query(search: Any, default_region: str) -> EstateView:
    """The view of a URL's query string; blank and over-long values count as absent."""
    first = query_values(search, MAX_URL_VALUE)
    return EstateView(first("region") or default_region, first("q"), first("node"),
                      color_of(first("color")))


def view_from_stores(view: Any, node: Any, default_region: str, color: Any = None
                     ) -> EstateView:
    """The view the stores hold (``color``: the colouring toggle's value); before the URL was
    first read (no view yet) a scope of no region, so that the URL's view, whatever it is, is
    a change."""
    if not isinstance(view, Mapping):
        return EstateView("", None, _text(node) or None, color_of(color))
    return EstateView(_text(view.get("region")) or default_region, _text(view.get("q")) or None,
                      _text(node) or None, color_of(color))


def picker_value(region: str) -> list[str]:
    """The region picker's value (a multi-select) for a view's ``region``."""
    if region.strip().lower() == ALL:
        return [ALL]
    return [part.strip() for part in region.split(",") if part.strip()]


def region_of_picker(value: Any) -> str | None:
    """A view's ``region`` from the picker's value; ``all`` wins; ``None`` when empty."""
    chosen = [item for item in value if isinstance(item, str) and item] if isinstance(
        value, list) else ([value] if isinstance(value, str) and value else [])
    if not chosen:
        return None
    if ALL in chosen:
        # "all" chosen last replaces the list; a region chosen after "all" replaces "all".
        return ALL if chosen[-1] == ALL or len(chosen) == 1 else ",".join(
            c for c in chosen if c != ALL)
    return ",".join(dict.fromkeys(chosen))


@dataclass(frozen=True)
class Sync(Outputs):
    """The outputs of ``sync_view``; ``no_update`` where nothing changes."""

    url_search: Any = no_update
    region: Any = no_update  # the picker's value
    search: Any = no_update  # the search box's text
    view: Any = no_update
    node: Any = no_update
    color: Any = no_update  # the colouring toggle's value


def sync_view(
    trigger: Any,
    *,
    search: Any,
    region: Any,
    query: Any,
    tapped: Any,
    current: EstateView,
    default_region: str,
    searched_node: Any = None,
    color: Any = None,
) -> Sync:
    """Keep URL, picker, search box, colouring, view and selection in agreement.

    ``trigger``: the id of what changed (the URL, the picker, the search box, the colouring,
    the graph, or the pattern id of a node link, ``ESTATE_SELECT_NODE``); ``color``: the
    colouring toggle's value (``current`` holds it too);
    ``searched_node(view)``: the node a search selects (``graph.plan_search`` on the scope),
    called for a search only.
    """
    if trigger in (None, ids.ESTATE_URL):
        wanted = parse_query(search, default_region)
        picker = picker_value(wanted.region)
        return Sync(
            region=picker if picker != (region if isinstance(region, list) else None)
            else no_update,
            search=wanted.q or "",
            view=wanted.store() if wanted.store() != current.store() else no_update,
            node=wanted.node if wanted.node != current.node else no_update,
            color=wanted.color if wanted.color != color_of(color) else no_update,
        )
    if isinstance(trigger, Mapping) and trigger.get("type") == ids.ESTATE_SELECT_NODE:
        linked = _text(trigger.get("node"))
        if not linked or linked == current.node:
            return Sync()
        return Sync(url_search=replace(current, node=linked).query(), node=linked)
    if trigger == ids.ESTATE_COLOR:
        if current.color == parse_query(search, default_region).color:
            return Sync()
        return Sync(url_search=current.query())
    if trigger == ids.ESTATE_REGION:
        chosen = region_of_picker(region)
        if chosen is None:  # emptied: the picker keeps the scope it had
            return Sync(region=picker_value(current.region))
        if chosen == current.region:
            return Sync(region=picker_value(chosen)) if picker_value(chosen) != region else Sync()
        new = replace(current, region=chosen, node=None)
        return Sync(url_search=new.query(), region=picker_value(chosen), view=new.store(),
                    node=None)
    if trigger == ids.ESTATE_SEARCH:
        wanted_q = (_text(query) or "").strip()[:MAX_URL_VALUE] or None
        if wanted_q is None:  # a cleared box: the selection stays
            new = replace(current, q=None)
        else:
            node = searched_node(replace(current, q=wanted_q)) if searched_node else None
            new = replace(current, q=wanted_q, node=node if isinstance(node, str) else None)
        if new == current:
            return Sync()
        return Sync(url_search=new.query(), view=new.store() if new.store() != current.store()
                    else no_update, node=new.node if new.node != current.node else no_update)
    if trigger == ids.ESTATE_GRAPH:
        data = tapped if isinstance(tapped, Mapping) else {}
        chosen = _text(data.get("id"))
        if not chosen or chosen == current.node:
            return Sync()
        return Sync(url_search=replace(current, node=chosen).query(), node=chosen)
    return Sync()
