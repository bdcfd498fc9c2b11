"""The Executions page's callbacks: thin wrappers, outputs by name, over ``view`` and ``load``.
No callback raises to the browser: a failure becomes a note, anything unexpected is logged."""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx

from dashboard.core.state import state
from dashboard.ui import ids
from dashboard.ui.components.messages import shown
from dashboard.ui.pages import relative_path
from dashboard.ui.pages.busy import NOT_BUSY, busy_while_running
from dashboard.ui.pages.executions.load import Loaded, load
from dashboard.ui.pages.executions.view import Sync, sync_view, view_from_store
from dashboard.ui.pages.graph_page import clicked_link

logger = logging.getLogger("dashboard.callbacks")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        output={
            "url_search": Output(ids.EXECUTIONS_URL, "search"),
            "status": Output(ids.EXECUTIONS_STATUS, "value"),
            "view": Output(ids.EXECUTIONS_VIEW, "data"),
            "param_name": Output(ids.EXECUTIONS_PARAM_NAME, "value"),
            "param_value": Output(ids.EXECUTIONS_PARAM_VALUE, "value"),
        },
        inputs={
            "url": Input(ids.EXECUTIONS_URL, "search"),
            "status": Input(ids.EXECUTIONS_STATUS, "value"),
            "add": Input(ids.EXECUTIONS_ADD_FILTER, "n_clicks"),
            "name_submit": Input(ids.EXECUTIONS_PARAM_NAME, "n_submit"),
            "value_submit": Input(ids.EXECUTIONS_PARAM_VALUE, "n_submit"),
            "removes": Input({"type": ids.EXECUTIONS_REMOVE_FILTER, "name": ALL}, "n_clicks"),
            "next": Input(ids.EXECUTIONS_NEXT, "n_clicks"),
            "first": Input(ids.EXECUTIONS_FIRST, "n_clicks"),
            "name": State(ids.EXECUTIONS_PARAM_NAME, "value"),
            "value": State(ids.EXECUTIONS_PARAM_VALUE, "value"),
            "view": State(ids.EXECUTIONS_VIEW, "data"),
            "next_token": State(ids.EXECUTIONS_NEXT_TOKEN, "data"),
        },
    )
    def _sync(url: Any, status: Any, add: Any, name_submit: Any, value_submit: Any,
              removes: Any, next: Any, first: Any, name: Any, value: Any, view: Any,
              next_token: Any) -> dict[str, Any]:
        default = state().settings.default_region
        trigger = clicked_link()
        if trigger == "appeared":  # a filter's button drawn, not clicked
            return Sync().outputs()
        try:
            return sync_view(trigger, search=url, status=status, name=name, value=value,
                             next_token=next_token, current=view_from_store(view, default),
                             default_region=default).outputs()
        except Exception:
            logger.exception("executions view sync failed")
            return Sync().outputs()

    @app.callback(
        output={
            "table": Output(ids.EXECUTIONS_TABLE, "children"),
            "summary": Output(ids.EXECUTIONS_SUMMARY, "children"),
            "notes": Output(ids.EXECUTIONS_MESSAGE, "children"),
            "next_token": Output(ids.EXECUTIONS_NEXT_TOKEN, "data"),
            "next_disabled": Output(ids.EXECUTIONS_NEXT, "disabled"),
            "first_disabled": Output(ids.EXECUTIONS_FIRST, "disabled"),
            "filters": Output(ids.EXECUTIONS_FILTERS, "children"),
            "param_names": Output(ids.EXECUTIONS_PARAM_NAMES, "children"),
            **busy_while_running(ids.EXECUTIONS_REFRESH),
        },
        inputs={
            "view": Input(ids.EXECUTIONS_VIEW, "data"),
            "clicks": Input(ids.EXECUTIONS_REFRESH, "n_clicks"),
        },
    )
    def _render(view: Any, clicks: Any) -> dict[str, Any]:
        app_state = state()
        wanted = view_from_store(view, app_state.settings.default_region)
        if wanted is None:  # before the URL was read
            return {**Loaded().outputs(), **NOT_BUSY}
        try:
            loaded = load(app_state, wanted, relative_path,
                          refresh=ctx.triggered_id == ids.EXECUTIONS_REFRESH)
        except Exception:
            logger.exception("executions render failed")
            return {**Loaded().outputs(), **NOT_BUSY}
        outputs = loaded.outputs()
        if isinstance(outputs["notes"], list):
            outputs["notes"] = shown(outputs["notes"])
        return {**outputs, **NOT_BUSY}
