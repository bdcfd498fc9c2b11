"""Exports of the shown view: the lineage JSON as served, a PNG of the graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import no_update

from dashboard.core.cache import CachedLineage
from dashboard.ui.pages.pipeline.graph import meta_request
from lineage.config import Settings


def export_json(cached: CachedLineage, settings: Settings, meta: Mapping[str, Any] | None) -> Any:
    req = meta_request(meta, settings)
    if req is None:
        return no_update
    served = cached.lineage(req)
    # What dcc.send_string builds: the cached JSON text as it is.
    return {"content": served.body, "filename": f"{req.pipeline}-lineage.json",
            "type": "application/json", "base64": False}


def export_png(meta: Mapping[str, Any] | None) -> Any:
    if not meta or not meta.get("pipeline"):
        return no_update
    return {"type": "png", "action": "download", "filename": f"{meta['pipeline']}-lineage",
            "options": {"full": True, "scale": 2, "bg": "#ffffff"}}
