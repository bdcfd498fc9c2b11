"""The side panel of the shown view (a step, an artifact, or the pipeline) and edge captions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from dashboard.core.state import AppState
from dashboard.ui.components.elements import node_of_element
from dashboard.ui.components.messages import error_message
from dashboard.ui.components.panels import pipeline_panel, side_panel, text
from dashboard.ui.pages.pipeline.validation import meta_request


def panel_for(app: AppState, meta: Any, node: Any) -> Any:
    """The side panel: the selected step or artifact (``node``: its element id), else the
    pipeline and its warnings."""
    try:
        req = meta_request(app, meta)
        if req is None:
            return html.P("Nothing to show yet: choose a pipeline.", className="muted hint")
        document = app.cached.lineage(req).document()  # a cache hit: the graph just read it
    except Exception as exc:  # the panel says what went wrong; it never raises
        return error_message(exc, pipeline=meta.get("pipeline"), region=meta.get("region"))
    if not node:
        return pipeline_panel(document)
    return side_panel(document, node if isinstance(node, str) else str(node))


def edge_caption(data: Any) -> str:
    """What an edge carries, its ends named as the URL names them."""
    if not isinstance(data, Mapping) or not data:
        return "Hover over or select an edge to see what it carries."
    via = text(data.get("via"), 64)
    source, target = (node_of_element(str(data.get(end))) for end in ("source", "target"))
    words = f"{text(source, 256)} \u2192 {text(target, 256)} ({via})"
    if data.get("property"):
        return f"{words}: {text(data.get('property'), 512)}"
    if data.get("branch"):
        return f"{words}: runs on the {text(data['branch'], 16)} branch"
    return words
