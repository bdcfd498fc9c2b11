"""The side panel of the shown view (a step, an artifact, or the pipeline) and edge captions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from dashboard.core.cache import CachedLineage
from dashboard.ui.components.messages import error_message
from dashboard.ui.components.panels import pipeline_panel, side_panel, text
from dashboard.ui.pages.pipeline.graph import meta_request
from lineage.config import Settings


def panel_for(cached: CachedLineage, settings: Settings, meta: Mapping[str, Any] | None,
              node: str | None) -> Any:
    """The side panel: the selected step or artifact, else the pipeline and its warnings."""
    try:
        req = meta_request(meta, settings)
        if req is None:
            return html.P("Nothing to show yet: choose a pipeline.", className="muted hint")
        document = cached.lineage(req).document()  # a cache hit: the graph just read it
    except Exception as exc:
        meta = meta or {}
        return error_message(exc, pipeline=meta.get("pipeline"), region=meta.get("region"))
    if not node:
        return pipeline_panel(document)
    return side_panel(document, node)



def edge_caption(data: Mapping[str, Any] | None) -> str:
    if not data:
        return "Hover over or select an edge to see what it carries."
    via = str(data.get("via"))
    words = f"{text(data.get('source'), 256)} \u2192 {text(data.get('target'), 256)} ({via})"
    if data.get("property"):
        return f"{words}: {text(data.get('property'), 512)}"
    if data.get("branch"):
        return f"{words}: runs on the {data['branch']} branch"
    return words
