"""The estate page's callbacks: thin wrappers, outputs by name, over ``view``, ``load`` and
``details``. No callback raises to the browser: a failure becomes a note, anything unexpected
is logged."""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, ctx

from dashboard.core.state import state
from dashboard.ui import ids
from dashboard.ui.components.messages import shown
from dashboard.ui.components.stylesheet import estate_stylesheet
from dashboard.ui.pages.busy import NOT_BUSY, busy_while_running
from dashboard.ui.pages.estate.details import panel_for
from dashboard.ui.pages.estate.load import Loaded, load, searched_node
from dashboard.ui.pages.estate.view import Sync, sync_view, view_from_stores
from dashboard.ui.pages.graph_page import clicked_link, register_colour, register_graph_clientside

logger = logging.getLogger("dashboard.callbacks")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        output={
            "url_search": Output(ids.ESTATE_URL, "search"),
            "region": Output(ids.ESTATE_REGION, "value"),
            "search": Output(ids.ESTATE_SEARCH, "value"),
            "view": Output(ids.ESTATE_VIEW, "data"),
            "node": Output(ids.ESTATE_NODE, "data"),
            "color": Output(ids.ESTATE_COLOR, "value"),
        },
        inputs={
            "url": Input(ids.ESTATE_URL, "search"),
            "region": Input(ids.ESTATE_REGION, "value"),
            "submits": Input(ids.ESTATE_SEARCH, "n_submit"),
            "tapped": Input(ids.ESTATE_GRAPH, "tapNodeData"),
            "color": Input(ids.ESTATE_COLOR, "value"),
            "node_links": Input({"type": ids.ESTATE_SELECT_NODE, "node": ALL, "n": ALL},
                                "n_clicks"),
            "query": State(ids.ESTATE_SEARCH, "value"),
            "view": State(ids.ESTATE_VIEW, "data"),
            "node": State(ids.ESTATE_NODE, "data"),
        },
    )
    def _sync(url: Any, region: Any, submits: Any, tapped: Any, color: Any, node_links: Any,
              query: Any, view: Any, node: Any) -> dict[str, Any]:
        app_state = state()
        default = app_state.settings.default_region
        trigger = clicked_link()
        if trigger == "appeared":
            return Sync().outputs()
        try:
            return sync_view(
                trigger, search=url, region=region, query=query, tapped=tapped,
                current=view_from_stores(view, node, default, color), default_region=default,
                searched_node=lambda wanted: searched_node(app_state, wanted), color=color,
            ).outputs()
        except Exception:
            logger.exception("estate view sync failed")
            return Sync().outputs()

    @app.callback(
        output={
            "elements": Output(ids.ESTATE_GRAPH, "elements"),
            "layout": Output(ids.ESTATE_GRAPH, "layout"),
            "notes": Output(ids.ESTATE_MESSAGE, "children"),
            "search_options": Output(ids.ESTATE_SEARCH_OPTIONS, "children"),
            "search_message": Output(ids.ESTATE_SEARCH_MESSAGE, "children"),
            "summary": Output(ids.ESTATE_SUMMARY, "children"),
            "interval_disabled": Output(ids.ESTATE_INTERVAL, "disabled"),
            **busy_while_running(ids.ESTATE_REFRESH),
        },
        inputs={
            "view": Input(ids.ESTATE_VIEW, "data"),
            "clicks": Input(ids.ESTATE_REFRESH, "n_clicks"),
            "ticks": Input(ids.ESTATE_INTERVAL, "n_intervals"),
        },
    )
    def _render(view: Any, clicks: Any, ticks: Any) -> dict[str, Any]:
        app_state = state()
        if view is None:  # before the URL was read
            return {**Loaded().outputs(), **NOT_BUSY}
        try:
            loaded = load(app_state,
                          view_from_stores(view, None, app_state.settings.default_region),
                          refresh=ctx.triggered_id == ids.ESTATE_REFRESH)
        except Exception:
            logger.exception("estate render failed")
            return {**Loaded().outputs(), **NOT_BUSY}
        outputs = loaded.outputs()
        if isinstance(outputs["notes"], list):
            outputs["notes"] = shown(outputs["notes"])
        return {**outputs, **NOT_BUSY}

    @app.callback(
        output={"panel": Output(ids.ESTATE_PANEL, "children")},
        inputs={"node": Input(ids.ESTATE_NODE, "data"), "view": Input(ids.ESTATE_VIEW, "data"),
                "color": Input(ids.ESTATE_COLOR, "value")},
    )
    def _panel(node: Any, view: Any, color: Any) -> dict[str, Any]:
        app_state = state()
        if view is None:
            return {"panel": []}
        return {"panel": panel_for(app_state, view_from_stores(
            view, node, app_state.settings.default_region, color))}

    # Colour by status or risk: the graph restyled, the legend's groups switched.
    register_colour(app, toggle=ids.ESTATE_COLOR, graph=ids.ESTATE_GRAPH,
                    legend=ids.ESTATE_LEGEND, sheet=estate_stylesheet,
                    legend_class="estate-legend")

    # The selection focused (the pipeline page's own function: it reads the graph through
    # window.cy), the graph's listeners and the drawer.
    register_graph_clientside(
        app, sink=ids.ESTATE_SINK, node=ids.ESTATE_NODE, graph=ids.ESTATE_GRAPH,
        tooltip=ids.ESTATE_TOOLTIP, workspace_id=ids.ESTATE_WORKSPACE,
        drawer_toggle=ids.ESTATE_DRAWER_TOGGLE, drawer_close=ids.ESTATE_DRAWER_CLOSE,
        graph_events="estateGraphEvents", drawer="estateDrawer",
    )
    untyped: Any = app
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="estateFit"),
        Output(ids.ESTATE_SINK, "children"),
        Input(ids.ESTATE_FIT, "n_clicks"),
        prevent_initial_call=True,
    )
