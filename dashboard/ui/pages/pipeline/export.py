"""Exports of the shown view: the lineage JSON as served, a PNG or an SVG of the graph."""

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
    return export_image(meta, "png")


def export_image(meta: Any, kind: str) -> Any:
    """What dash-cytoscape's ``generateImage`` takes: the whole graph (not the viewport) on
    white at twice the screen's scale, named after the pipeline. Only a PNG: an SVG through
    ``generateImage`` logs an error per status icon (cytoscape-svg cannot draw SVG images),
    so the SVG button draws in the browser without them (``assets/graph_tools.js``)."""
    pipeline = meta.get("pipeline") if isinstance(meta, Mapping) else None
    if not isinstance(pipeline, str) or not pipeline or kind not in IMAGE_KINDS:
        return no_update
    return {"type": kind, "action": "download", "filename": f"{pipeline}-lineage",
            "options": {"full": True, "scale": 2, "bg": "#ffffff"}}


IMAGE_KINDS = ("png",)
