"""The Compare page's callbacks: thin wrappers, outputs by name, over ``view`` and ``load``.
No callback raises to the browser: a failure becomes a note, anything unexpected is logged."""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State, ctx, no_update

from dashboard.core.state import state
from dashboard.ui import ids
from dashboard.ui.components.messages import shown
from dashboard.ui.pages import relative_path
from dashboard.ui.pages.busy import NOT_BUSY, busy_while_running
from dashboard.ui.pages.compare.load import Loaded, load, load_table
from dashboard.ui.pages.compare.view import Sync, sync_view, view_from_stores
from dashboard.ui.pages.pipeline.catalog import chosen_options

logger = logging.getLogger("dashboard.callbacks")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        output={
            "url_search": Output(ids.COMPARE_URL, "search"),
            "a": Output(ids.COMPARE_A, "value"),
            "b": Output(ids.COMPARE_B, "value"),
            "only": Output(ids.COMPARE_ONLY, "value"),
            "view": Output(ids.COMPARE_VIEW, "data"),
        },
        inputs={
            "search": Input(ids.COMPARE_URL, "search"),
            "a": Input(ids.COMPARE_A, "value"),
            "b": Input(ids.COMPARE_B, "value"),
            "swaps": Input(ids.COMPARE_SWAP, "n_clicks"),
            "only": Input(ids.COMPARE_ONLY, "value"),
            "view": State(ids.COMPARE_VIEW, "data"),
        },
    )
    def _sync(search: Any, a: Any, b: Any, swaps: Any, only: Any, view: Any
              ) -> dict[str, Any]:
        try:
            return sync_view(ctx.triggered_id, search=search, a=a, b=b, only=only,
                             current=view_from_stores(view, only),
                             default_region=state().settings.default_region).outputs()
        except Exception:
            logger.exception("compare view sync failed")
            return Sync().outputs()

    @app.callback(
        output={"a": Output(ids.COMPARE_A, "options"), "b": Output(ids.COMPARE_B, "options")},
        inputs={"view": Input(ids.COMPARE_VIEW, "data")},
    )
    def _options(view: Any) -> dict[str, Any]:
        shown_view = view_from_stores(view, None)
        app_state = state()
        chosen = [shown_view.a, shown_view.b]
        try:
            return {
                "a": chosen_options(app_state, shown_view.region, shown_view.pipeline, chosen,
                                    exclude=shown_view.b),
                "b": chosen_options(app_state, shown_view.region, shown_view.pipeline, chosen,
                                    exclude=shown_view.a),
            }
        except Exception:
            logger.exception("compare options failed")
            return {"a": no_update, "b": no_update}

    @app.callback(
        output={
            "elements": Output(ids.COMPARE_GRAPH, "elements"),
            "layout": Output(ids.COMPARE_GRAPH, "layout"),
            "summary": Output(ids.COMPARE_SUMMARY_AREA, "children"),
            "table": Output(ids.COMPARE_TABLE_AREA, "children"),
            "schema": Output(ids.COMPARE_SCHEMA_AREA, "children"),
            "notes": Output(ids.COMPARE_MESSAGE, "children"),
            "where": Output(ids.COMPARE_PIPELINE_LINK, "children"),
            **busy_while_running(ids.COMPARE_REFRESH),
        },
        inputs={
            "view": Input(ids.COMPARE_VIEW, "data"),
            "only": Input(ids.COMPARE_ONLY, "value"),
            "clicks": Input(ids.COMPARE_REFRESH, "n_clicks"),
        },
    )
    def _render(view: Any, only: Any, clicks: Any) -> dict[str, Any]:
        if view is None:  # before the URL was read
            return {**Loaded().outputs(), **NOT_BUSY}
        app_state = state()
        shown_view = view_from_stores(view, only)
        try:
            if ctx.triggered_id == ids.COMPARE_ONLY:  # the table alone, from the same answer
                skipped = {name: no_update for name in Loaded().outputs()}
                return {**skipped, "table": load_table(app_state, shown_view), **NOT_BUSY}
            outputs = load(app_state, shown_view, refresh=ctx.triggered_id == ids.COMPARE_REFRESH,
                           relative=relative_path).outputs()
        except Exception:
            logger.exception("compare render failed")
            return {**Loaded().outputs(), **NOT_BUSY}
        outputs["elements"] = list(outputs["elements"])
        outputs["notes"] = shown(list(outputs["notes"]))
        return {**outputs, **NOT_BUSY}

    untyped: Any = app
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="compareFit"),
        Output(ids.COMPARE_SINK, "children"),
        Input(ids.COMPARE_FIT, "n_clicks"),
        prevent_initial_call=True,
    )
    # A step's whole name under the pointer, and a refit when the graph's box changes size.
    untyped.clientside_callback(
        ClientsideFunction(namespace="lineage", function_name="compareGraphEvents"),
        Output(ids.COMPARE_TOOLTIP, "title"),
        Input(ids.COMPARE_GRAPH, "elements"),
    )
