"""Exports of the shown view: the lineage JSON as served, a PNG of the graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import no_update

from dashboard.core.state import AppState
from dashboard.ui.pages.pipeline.validation import meta_request
from lineage.errors import InvalidParameter


def export_json(app: AppState, meta: Any) -> Any:
    try:
        req = meta_request(app, meta)
    except InvalidParameter:  # not a view the page could have shown: nothing to export
        return no_update
    if req is None:
        return no_update
    served = app.cached.lineage(req)
    # What dcc.send_string builds: the cached JSON text as it is.
    return {"content": served.body, "filename": f"{req.pipeline}-lineage.json",
            "type": "application/json", "base64": False}


def export_png(meta: Any) -> Any:
    pipeline = meta.get("pipeline") if isinstance(meta, Mapping) else None
    if not isinstance(pipeline, str) or not pipeline:
        return no_update
    return {"type": "png", "action": "download", "filename": f"{pipeline}-lineage",
            "options": {"full": True, "scale": 2, "bg": "#ffffff"}}
