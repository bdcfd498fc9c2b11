"""The pipeline page's first view, drawn on the server from the URL.

The pages router calls the page's layout with the URL's query; the layout comes back with the
graph already in it (elements, layout, summary, notes and their banner, the stores), so the
first graph needs no callback after the router's. It is what the page's callbacks would have
made of that URL: the same ``view.sync_view`` (``parse_query``, the same validation) from the
values the layout starts with, then the same ``graph.load_view``. The callbacks Dash fires on
load then find nothing to change: ``_sync`` finds URL, controls and stores in agreement,
``_render`` declines its initial call when the META store is filled.

A document not cached yet is drawn as its outline (``CachedLineage.lineage_soon``), polled
until the document is read. Outputs are named once here (``SYNC_TARGETS``, ``RENDER_TARGETS``)
for both the callbacks and the first view, so the two cannot fill different things.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from dash import no_update

from dashboard.core.state import AppState
from dashboard.ui import ids
from dashboard.ui.components.elements import LAYOUT_AUTO
from dashboard.ui.components.messages import shown
from dashboard.ui.components.risk import COLOR_STATUS
from dashboard.ui.pages.pipeline.catalog import kept_option
from dashboard.ui.pages.pipeline.graph import Loaded, load_view
from dashboard.ui.pages.pipeline.layout import (
    EXPORT_JSON_TITLE,
    EXPORT_PNG_TITLE,
    NOTHING_TO_EXPORT,
)
from dashboard.ui.pages.pipeline.view import (
    DEFAULT_LAST,
    LATEST,
    TAB_GRAPH,
    View,
    sync_view,
    view_from_stores,
)

Target = tuple[str, str]  # (component id, property)

# ``view.Sync``'s fields: what ``_sync`` outputs, and what the first view fills from the URL.
SYNC_TARGETS: dict[str, Target] = {
    "url_search": (ids.URL, "search"),
    "region": (ids.REGION, "value"),
    "pipeline": (ids.PIPELINE, "value"),
    "execution": (ids.EXECUTION, "value"),
    "view": (ids.VIEW, "data"),
    "node": (ids.NODE, "data"),
    "data_view": (ids.DATA_VIEW, "value"),
    "layout_choice": (ids.LAYOUT_CHOICE, "value"),
    "color": (ids.COLOR, "value"),
    "search_message": (ids.SEARCH_MESSAGE, "children"),
    "search_matches": (ids.SEARCH_MATCHES, "data"),
    "tab": (ids.TAB, "value"),
    "last": (ids.TRENDS_LAST, "value"),
}
# ``render_outputs``' names: what ``_render`` outputs, and what the first view draws.
RENDER_TARGETS: dict[str, Target] = {
    "elements": (ids.GRAPH, "elements"),
    "layout": (ids.GRAPH, "layout"),
    "summary": (ids.SUMMARY, "children"),
    "notes": (ids.VIEW_NOTES, "data"),
    "last_scanned": (ids.LAST_SCANNED, "children"),
    "interval_disabled": (ids.INTERVAL, "disabled"),
    "interval_ms": (ids.INTERVAL, "interval"),
    "meta": (ids.META, "data"),
    "step_names": (ids.STEP_NAMES, "data"),
    "search_options": (ids.SEARCH_OPTIONS, "children"),
    "export_disabled": (ids.EXPORT_JSON, "disabled"),
    "png_disabled": (ids.EXPORT_PNG, "disabled"),
    "json_title": (ids.EXPORT_JSON, "title"),
    "png_title": (ids.EXPORT_PNG, "title"),
}
# What the layout's controls start with (layout.py): the values ``_sync`` compares the URL to.
STARTING = {"execution": LATEST, "data_view": [], "layout_choice": LAYOUT_AUTO,
            "color": COLOR_STATUS, "tab": TAB_GRAPH, "last": DEFAULT_LAST}


DRAWER_OPEN = "workspace drawer-open"  # assets/dashboard.js drawerClass's open class


def render_outputs(loaded: Loaded) -> dict[str, Any]:
    """``load_view``'s answer as ``_render`` outputs it (both exports off or on together)."""
    out = loaded.outputs()
    off = out["png_disabled"] = out["export_disabled"]
    out["json_title"] = NOTHING_TO_EXPORT if off else EXPORT_JSON_TITLE
    out["png_title"] = NOTHING_TO_EXPORT if off else EXPORT_PNG_TITLE
    return out


def search_of(query: Mapping[str, Any]) -> str:
    """The query string the router parsed into ``query`` (a repeated name: a list)."""
    pairs = {key: value for key, value in query.items() if isinstance(value, str | list)}
    return "?" + urlencode(pairs, doseq=True) if pairs else ""


def first_view(app: AppState, query: Mapping[str, Any]) -> dict[Target, Any]:
    """What the page shows of the URL whose query is ``query``, by component and property;
    never raises (``load_view`` makes every failure a note)."""
    default_region = app.settings.default_region
    search = search_of(query)
    synced = sync_view(
        ids.URL, search=search, region=default_region, pipeline=None,
        execution=STARTING["execution"], selected=[], step_query=None, step_names=[],
        current=view_from_stores(None, None), default_region=default_region,
        data_view=STARTING["data_view"], layout_choice=STARTING["layout_choice"],
        color=STARTING["color"], tab=STARTING["tab"], last=STARTING["last"],
    ).outputs()
    props: dict[Target, Any] = {
        target: synced[name] for name, target in SYNC_TARGETS.items()
        if name in synced and name != "url_search" and synced[name] is not no_update
    }
    view: View = view_from_stores(synced["view"] if synced["view"] is not no_update else None,
                                  synced["node"] if synced["node"] is not no_update else None)
    # A dropdown drops a value its options lack: the URL's own are options until the
    # callbacks list the others.
    if view.pipeline:
        props[(ids.PIPELINE, "options")] = kept_option(view.pipeline)
    if view.execution:
        props[(ids.EXECUTION, "options")] = [{"label": "Latest execution", "value": LATEST},
                                            *kept_option(view.execution)]
    rendered = render_outputs(load_view(app, view))
    props.update({target: rendered[name] for name, target in RENDER_TARGETS.items()
                  if rendered[name] is not no_update})
    # What the page says of the view, shown at once (the notes' callback agrees once it runs).
    props[(ids.MESSAGE, "children")] = shown([], rendered["notes"], [], [])
    # A selection opens the side panel's drawer (narrow screens; wide ones ignore the class):
    # the drawer's callback answers changes of the selection only, and this one is no change.
    if view.node:
        props[(ids.WORKSPACE, "className")] = DRAWER_OPEN
    return props


def fill(page: Any, props: Mapping[Target, Any]) -> None:
    """Set ``props`` on the components of ``page`` (by their string ids)."""
    by_id: dict[str, dict[str, Any]] = {}
    for (component_id, prop), value in props.items():
        by_id.setdefault(component_id, {})[prop] = value
    for component in _components(page):
        found = getattr(component, "id", None)
        if isinstance(found, str):  # a pattern's id (a dict) is no target
            for prop, value in by_id.get(found, {}).items():
                setattr(component, prop, value)


def _components(node: Any) -> Iterator[Any]:
    if isinstance(node, list | tuple):
        for item in node:
            yield from _components(item)
        return
    if not hasattr(node, "_prop_names"):
        return
    yield node
    yield from _components(getattr(node, "children", None))
