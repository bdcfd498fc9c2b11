"""The pipeline page's callbacks: thin wrappers, outputs by name, over the plain functions of
``view``, ``catalog``, ``graph``, ``details``, ``tabs`` and ``export``.

No callback raises to the browser: every failure becomes a message in the page, and anything
unexpected is logged with the request id that the message shows. Every value a callback gets
comes from the browser and may be anything JSON can hold: the plain functions validate it
(``validation``: as the API does) or treat a wrong one as absent, never raising over it.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard.core.state import state
from dashboard.ui import ids
from dashboard.ui.components.messages import shown
from dashboard.ui.components.stylesheet import stylesheet
from dashboard.ui.components.trend_charts import TREND_CHART
from dashboard.ui.pages import relative_path
from dashboard.ui.pages.busy import NOT_BUSY, busy_while_running
from dashboard.ui.pages.graph_page import clicked_link, register_colour, register_graph_clientside
from dashboard.ui.pages.pipeline.catalog import (
    execution_options,
    pipeline_options,
    region_options,
)
from dashboard.ui.pages.pipeline.details import edge_caption, panel_for
from dashboard.ui.pages.pipeline.export import export_image, export_json
from dashboard.ui.pages.pipeline.first_view import RENDER_TARGETS, SYNC_TARGETS, render_outputs
from dashboard.ui.pages.pipeline.graph import load_view
from dashboard.ui.pages.pipeline.layout import LINK_OFF
from dashboard.ui.pages.pipeline.tabs import (
    TabContent,
    compare_href,
    compare_placeholder,
    compare_with_options,
    executions_href,
    load_timeline,
    load_trends,
)
from dashboard.ui.pages.pipeline.tools import register_tools
from dashboard.ui.pages.pipeline.view import Sync, sync_view, view_from_stores

logger = logging.getLogger("dashboard.callbacks")


def register_callbacks(app: dash.Dash) -> None:
    # On load, the URL, the controls and the stores already agree (first_view): nothing to do.
    @app.callback(
        output={name: Output(*target) for name, target in SYNC_TARGETS.items()},
        inputs={
            "search": Input(ids.URL, "search"),
            "region": Input(ids.REGION, "value"),
            "pipeline": Input(ids.PIPELINE, "value"),
            "execution": Input(ids.EXECUTION, "value"),
            "data_view": Input(ids.DATA_VIEW, "value"),
            "layout_choice": Input(ids.LAYOUT_CHOICE, "value"),
            # A user's tap, not any change of selection: the page selects nodes itself (URL,
            # search, back/forward), and those selections must not push URLs of their own.
            "tapped": Input(ids.GRAPH, "tapNodeData"),
            "submits": Input(ids.SEARCH, "n_submit"),
            "step_links": Input({"type": ids.SELECT_STEP, "step": ALL}, "n_clicks"),
            "matches": Input({"type": ids.MATCH, "step": ALL}, "n_clicks"),
            "color": Input(ids.COLOR, "value"),
            "node_links": Input({"type": ids.SELECT_NODE, "node": ALL, "n": ALL}, "n_clicks"),
            "tab": Input(ids.TAB, "value"),
            "last": Input(ids.TRENDS_LAST, "value"),
            # A point of a trend chart: that execution, in the graph tab.
            "trend_clicks": Input({"type": TREND_CHART, "chart": ALL}, "clickData"),
            "step_query": State(ids.SEARCH, "value"),
            "step_names": State(ids.STEP_NAMES, "data"),
            "view": State(ids.VIEW, "data"),
            "node": State(ids.NODE, "data"),
        },
    )
    def _sync(search: Any, region: Any, pipeline: Any, execution: Any, data_view: Any,
              layout_choice: Any, tapped: Any, submits: Any, step_links: Any, matches: Any,
              color: Any, node_links: Any, tab: Any, last: Any, trend_clicks: Any,
              step_query: Any, step_names: Any, view: Any, node: Any) -> dict[str, Any]:
        trigger = clicked_link()
        if trigger == "appeared":
            return Sync().outputs()
        try:
            return sync_view(
                trigger,
                search=search, region=region, pipeline=pipeline, execution=execution,
                selected=[tapped] if isinstance(tapped, dict) else tapped,
                step_query=step_query, step_names=step_names,
                current=view_from_stores(view, node, color, tab, last),
                default_region=state().settings.default_region,
                data_view=data_view, layout_choice=layout_choice, color=color,
                tab=tab, last=last,
                trend_click=ctx.triggered[0].get("value") if ctx.triggered else None,
            ).outputs()
        except Exception:
            logger.exception("view sync failed")
            return Sync().outputs()

    @app.callback(
        output={
            "options": Output(ids.PIPELINE, "options"),
            "placeholder": Output(ids.PIPELINE, "placeholder"),
            "notes": Output(ids.CATALOG_NOTES, "data"),
        },
        inputs={
            "region": Input(ids.REGION, "value"),
            "clicks": Input(ids.REFRESH, "n_clicks"),
            "view": State(ids.VIEW, "data"),
        },
    )
    def _pipelines(region: Any, clicks: Any, view: Any) -> dict[str, Any]:
        shown = view_from_stores(view, None)
        current = shown.pipeline if shown.region == region else None
        options, placeholder, notes = pipeline_options(
            state(), region, current, refresh=ctx.triggered_id == ids.REFRESH
        )
        return {"options": options, "placeholder": placeholder, "notes": notes}

    @app.callback(
        output={"options": Output(ids.REGION, "options")},
        inputs={"shown": Input(ids.PAGE, "id")},
    )
    def _regions(shown: Any) -> dict[str, Any]:
        return {"options": region_options(state())}

    @app.callback(
        output={"messages": Output(ids.MESSAGE, "children")},
        inputs={"catalog": Input(ids.CATALOG_NOTES, "data"),
                "view": Input(ids.VIEW_NOTES, "data"),
                "timeline": Input(ids.TIMELINE_NOTES, "data"),
                "trends": Input(ids.TRENDS_NOTES, "data")},
    )
    def _messages(catalog: Any, view: Any, timeline: Any, trends: Any) -> dict[str, Any]:
        return {"messages": shown(catalog, view, timeline, trends)}

    @app.callback(
        output={"options": Output(ids.EXECUTION, "options"),
                "compare_options": Output(ids.COMPARE_WITH, "options"),
                "compare_placeholder": Output(ids.COMPARE_WITH, "placeholder")},
        inputs={
            "pipeline": Input(ids.PIPELINE, "value"),
            "clicks": Input(ids.REFRESH, "n_clicks"),
            "meta": Input(ids.META, "data"),
            "region": State(ids.REGION, "value"),
            "current": State(ids.EXECUTION, "value"),
        },
    )
    def _executions(pipeline: Any, clicks: Any, meta: Any, region: Any, current: Any
                    ) -> dict[str, Any]:
        options = execution_options(state(), region, pipeline, current,
                                    refresh=ctx.triggered_id == ids.REFRESH)
        others = compare_with_options(options, meta)
        return {"options": options, "compare_options": others,
                "compare_placeholder": compare_placeholder(others, meta)}

    # The tabs: their panels shown over the graph's workspace in the browser (no round trip).
    untyped_app: Any = app
    untyped_app.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="tabPanels"),
        Output(ids.TIMELINE_PANEL, "hidden"), Output(ids.TRENDS_PANEL, "hidden"),
        Input(ids.TAB, "value"),
    )

    @app.callback(
        output={"content": Output(ids.TIMELINE_AREA, "children"),
                "notes": Output(ids.TIMELINE_NOTES, "data")},
        inputs={
            "tab": Input(ids.TAB, "value"),
            "view": Input(ids.VIEW, "data"),
            # The graph's refresh interval (on while the execution runs) and each document
            # it loads (Refresh too): a running execution's bars grow.
            "ticks": Input(ids.INTERVAL, "n_intervals"),
            "meta": Input(ids.META, "data"),
        },
    )
    def _timeline(tab: Any, view: Any, ticks: Any, meta: Any) -> dict[str, Any]:
        try:
            return load_timeline(state(), view_from_stores(view, None, tab=tab)).outputs()
        except Exception:
            logger.exception("timeline failed")
            return TabContent(content=[], notes=[]).outputs()

    @app.callback(
        output={"content": Output(ids.TRENDS_AREA, "children"),
                "notes": Output(ids.TRENDS_NOTES, "data")},
        inputs={
            "tab": Input(ids.TAB, "value"),
            "view": Input(ids.VIEW, "data"),
            "last": Input(ids.TRENDS_LAST, "value"),
            "clicks": Input(ids.REFRESH, "n_clicks"),
        },
    )
    def _trends(tab: Any, view: Any, last: Any, clicks: Any) -> dict[str, Any]:
        try:
            return load_trends(state(), view_from_stores(view, None, tab=tab, last=last),
                               refresh=ctx.triggered_id == ids.REFRESH).outputs()
        except Exception:
            logger.exception("trends failed")
            return TabContent(content=[], notes=[]).outputs()

    @app.callback(
        output={"href": Output(ids.NAVIGATE, "href")},
        inputs={"chosen": Input(ids.COMPARE_WITH, "value"), "meta": State(ids.META, "data")},
        prevent_initial_call=True,
    )
    def _compare_with(chosen: Any, meta: Any) -> dict[str, Any]:
        href = compare_href(meta, chosen)
        return {"href": relative_path(href) if href else no_update}

    @app.callback(
        output={"href": Output(ids.ALL_EXECUTIONS, "href"),
                "class_name": Output(ids.ALL_EXECUTIONS, "className")},
        inputs={"view": Input(ids.VIEW, "data")},
    )
    def _all_executions(view: Any) -> dict[str, Any]:
        href = executions_href(view_from_stores(view, None))
        return {"href": relative_path(href) if href else "",
                "class_name": "page-link" if href else f"page-link {LINK_OFF}"}

    @app.callback(
        output={**{name: Output(*target) for name, target in RENDER_TARGETS.items()},
                **busy_while_running(ids.REFRESH)},
        inputs={
            "view": Input(ids.VIEW, "data"),
            "clicks": Input(ids.REFRESH, "n_clicks"),
            "ticks": Input(ids.INTERVAL, "n_intervals"),
            # The selection matters to the graph only under a focus or a path (tools), or
            # when a collapsed group may hold it (it opens).
            "node": Input(ids.NODE, "data"),
            "meta": State(ids.META, "data"),
        },
        # The layout comes with this view drawn (first_view): on load, nothing to redo.
        prevent_initial_call=True,
    )
    def _render(view: Any, clicks: Any, ticks: Any, node: Any, meta: Any) -> dict[str, Any]:
        shown = view_from_stores(view, node)
        grouped = isinstance(meta, dict) and bool(meta.get("collapsed"))
        if (ctx.triggered_id == ids.NODE and shown.focus == "off" and not shown.path
                and not grouped):
            return {**{name: no_update for name in RENDER_TARGETS}, **NOT_BUSY}
        loaded = render_outputs(load_view(
            state(), shown,
            refresh=ctx.triggered_id == ids.REFRESH,
            previous=meta,
        ))
        if ctx.triggered_id == ids.INTERVAL and loaded["meta"] == meta:
            raise PreventUpdate  # an outline's poll: the document is not read yet
        return {**loaded, **NOT_BUSY}

    @app.callback(
        output={"panel": Output(ids.PANEL, "children")},
        inputs={"node": Input(ids.NODE, "data"), "meta": Input(ids.META, "data"),
                "color": Input(ids.COLOR, "value")},
    )
    def _panel(node: Any, meta: Any, color: Any) -> dict[str, Any]:
        return {"panel": panel_for(state(), meta, node, color)}

    # Colour by status or risk: the graph restyled, the legend's groups switched.
    register_colour(app, toggle=ids.COLOR, graph=ids.GRAPH, legend=ids.LEGEND,
                    sheet=stylesheet, legend_class="legend")

    @app.callback(
        output={"caption": Output(ids.EDGE_CAPTION, "children")},
        inputs={"hovered": Input(ids.GRAPH, "mouseoverEdgeData"),
                "tapped": Input(ids.GRAPH, "tapEdgeData")},
    )
    def _caption(hovered: Any, tapped: Any) -> dict[str, Any]:
        tap = f"{ids.GRAPH}.tapEdgeData" in ctx.triggered_prop_ids
        return {"caption": edge_caption(tapped if tap else hovered)}

    @app.callback(
        output={"download": Output(ids.DOWNLOAD, "data")},
        inputs={"clicks": Input(ids.EXPORT_JSON, "n_clicks"), "meta": State(ids.META, "data")},
        prevent_initial_call=True,
    )
    def _export_json(clicks: Any, meta: Any) -> dict[str, Any]:
        try:
            return {"download": export_json(state(), meta)}
        except Exception:
            logger.exception("JSON export failed")
            return {"download": no_update}

    @app.callback(
        output={"image": Output(ids.GRAPH, "generateImage")},
        inputs={"clicks": Input(ids.EXPORT_PNG, "n_clicks"), "meta": State(ids.META, "data")},
        prevent_initial_call=True,
    )
    def _export_png(clicks: Any, meta: Any) -> dict[str, Any]:
        return {"image": export_image(meta, "png")}  # the SVG: pipeline.tools, in the browser

    # Focus, path, filters and groups (pipeline.tools), held by the URL.
    register_tools(app)

    # Camera moves happen in the browser (assets/dashboard.js): no round trip.
    untyped: Any = app
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="camera"),
        Output(ids.CLIENTSIDE_SINK, "children"),
        Input(ids.FIT, "n_clicks"), Input(ids.ZOOM_IN, "n_clicks"),
        Input(ids.ZOOM_OUT, "n_clicks"),
        prevent_initial_call=True,
    )
    # The selection focused, the graph's own listeners (tooltips, and a refit when its box
    # changes size), and the side panel as a drawer on narrow screens.
    register_graph_clientside(
        app, sink=ids.CLIENTSIDE_SINK, node=ids.NODE, graph=ids.GRAPH,
        tooltip=ids.GRAPH_TOOLTIP, workspace_id=ids.WORKSPACE,
        drawer_toggle=ids.DRAWER_TOGGLE, drawer_close=ids.DRAWER_CLOSE,
        graph_events="graphEvents", drawer="drawer",
    )
    # The matches of a search: highlighted, and the view fitted to them.
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="showMatches"),
        Output(ids.CLIENTSIDE_SINK, "lang"),
        Input(ids.SEARCH_MATCHES, "data"),
        prevent_initial_call=True,
    )
    # The legend: closed the first time, then as this browser left it.
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="legend"),
        Output(ids.LEGEND_OPEN, "data"), Output(ids.LEGEND, "hidden"),
        Output(ids.LEGEND_TOGGLE, "aria-expanded"),
        Input(ids.LEGEND_TOGGLE, "n_clicks"), Input(ids.LEGEND_OPEN, "data"),
    )
