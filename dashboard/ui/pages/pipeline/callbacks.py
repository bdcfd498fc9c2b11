"""The pipeline page's callbacks: thin wrappers, outputs by name, over the plain functions of
``view``, ``catalog``, ``graph``, ``details`` and ``export``.

No callback raises to the browser: every failure becomes a message in the page, and anything
unexpected is logged with the request id that the message shows.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State, ctx, no_update

from dashboard.core.state import state
from dashboard.ui import ids
from dashboard.ui.pages.pipeline.catalog import execution_options, pipeline_options
from dashboard.ui.pages.pipeline.details import edge_caption, panel_for
from dashboard.ui.pages.pipeline.export import export_json, export_png
from dashboard.ui.pages.pipeline.graph import load_view
from dashboard.ui.pages.pipeline.layout import DATA_VIEW_ON
from dashboard.ui.pages.pipeline.view import Sync, sync_view, view_from_stores

logger = logging.getLogger("dashboard.callbacks")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        output={
            "url_search": Output(ids.URL, "search"),
            "region": Output(ids.REGION, "value"),
            "pipeline": Output(ids.PIPELINE, "value"),
            "execution": Output(ids.EXECUTION, "value"),
            "view": Output(ids.VIEW, "data"),
            "node": Output(ids.NODE, "data"),
            "search_message": Output(ids.SEARCH_MESSAGE, "children"),
        },
        inputs={
            "search": Input(ids.URL, "search"),
            "region": Input(ids.REGION, "value"),
            "pipeline": Input(ids.PIPELINE, "value"),
            "execution": Input(ids.EXECUTION, "value"),
            # A user's tap, not any change of selection: the page selects nodes itself (URL,
            # search, back/forward), and those selections must not push URLs of their own.
            "tapped": Input(ids.GRAPH, "tapNodeData"),
            "submits": Input(ids.SEARCH, "n_submit"),
            "step_query": State(ids.SEARCH, "value"),
            "step_names": State(ids.STEP_NAMES, "data"),
            "view": State(ids.VIEW, "data"),
            "node": State(ids.NODE, "data"),
        },
    )
    def _sync(search: Any, region: Any, pipeline: Any, execution: Any, tapped: Any,
              submits: Any, step_query: Any, step_names: Any, view: Any, node: Any
              ) -> dict[str, Any]:
        try:
            return sync_view(
                ctx.triggered_id if ctx.triggered else None,
                search=search, region=region, pipeline=pipeline, execution=execution,
                selected=[tapped] if isinstance(tapped, dict) else tapped,
                step_query=step_query, step_names=step_names,
                current=view_from_stores(view, node),
                default_region=state().settings.default_region,
            ).outputs()
        except Exception:
            logger.exception("view sync failed")
            return Sync().outputs()

    @app.callback(
        output={
            "options": Output(ids.PIPELINE, "options"),
            "placeholder": Output(ids.PIPELINE, "placeholder"),
            "message": Output(ids.CATALOG_MESSAGE, "children"),
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
        options, placeholder, note = pipeline_options(
            state().cached, region, current, refresh=ctx.triggered_id == ids.REFRESH
        )
        return {"options": options, "placeholder": placeholder, "message": note}

    @app.callback(
        output={"options": Output(ids.EXECUTION, "options")},
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
        options = execution_options(state().cached, region, pipeline, current,
                                    refresh=ctx.triggered_id == ids.REFRESH)
        return {"options": options}

    @app.callback(
        output={
            "elements": Output(ids.GRAPH, "elements"),
            "layout": Output(ids.GRAPH, "layout"),
            "summary": Output(ids.SUMMARY, "children"),
            "message": Output(ids.MESSAGE, "children"),
            "last_scanned": Output(ids.LAST_SCANNED, "children"),
            "interval_disabled": Output(ids.INTERVAL, "disabled"),
            "meta": Output(ids.META, "data"),
            "step_names": Output(ids.STEP_NAMES, "data"),
            "search_options": Output(ids.SEARCH_OPTIONS, "children"),
        },
        inputs={
            "view": Input(ids.VIEW, "data"),
            "clicks": Input(ids.REFRESH, "n_clicks"),
            "ticks": Input(ids.INTERVAL, "n_intervals"),
            "data_view": Input(ids.DATA_VIEW, "value"),
            "layout_choice": Input(ids.LAYOUT_CHOICE, "value"),
            "node": State(ids.NODE, "data"),
            "meta": State(ids.META, "data"),
        },
        running=[(Output(ids.REFRESH, "disabled"), True, False)],
    )
    def _render(view: Any, clicks: Any, ticks: Any, data_view: Any, layout_choice: Any,
                node: Any, meta: Any) -> dict[str, Any]:
        app_state = state()
        return load_view(
            app_state.cached, app_state.settings, view_from_stores(view, node),
            refresh=ctx.triggered_id == ids.REFRESH,
            data_view=DATA_VIEW_ON in (data_view or []),
            layout_choice=layout_choice,
            previous=meta,
        ).outputs()

    @app.callback(
        output={"panel": Output(ids.PANEL, "children")},
        inputs={"node": Input(ids.NODE, "data"), "meta": Input(ids.META, "data")},
    )
    def _panel(node: Any, meta: Any) -> dict[str, Any]:
        app_state = state()
        return {"panel": panel_for(app_state.cached, app_state.settings, meta, node)}

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
        app_state = state()
        try:
            return {"download": export_json(app_state.cached, app_state.settings, meta)}
        except Exception:
            logger.exception("JSON export failed")
            return {"download": no_update}

    @app.callback(
        output={"image": Output(ids.GRAPH, "generateImage")},
        inputs={"clicks": Input(ids.EXPORT_PNG, "n_clicks"), "meta": State(ids.META, "data")},
        prevent_initial_call=True,
    )
    def _export_png(clicks: Any, meta: Any) -> dict[str, Any]:
        return {"image": export_png(meta)}

    # Camera moves happen in the browser (assets/dashboard.js): no round trip.
    untyped: Any = app
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="camera"),
        Output(ids.CLIENTSIDE_SINK, "children"),
        Input(ids.FIT, "n_clicks"), Input(ids.ZOOM_IN, "n_clicks"),
        Input(ids.ZOOM_OUT, "n_clicks"),
        prevent_initial_call=True,
    )
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="focus"),
        Output(ids.CLIENTSIDE_SINK, "title"),
        Input(ids.NODE, "data"), Input(ids.GRAPH, "elements"),
    )
