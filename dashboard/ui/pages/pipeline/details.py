"""The side panel of the shown view (a step, an artifact, or the pipeline) and edge captions.

A step's or artifact's panel has a Risk section (``components.risk_panel``): first under its
heading when the graph is coloured by risk, else after its other details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from dashboard.core.state import AppState
from dashboard.ui import ids
from dashboard.ui.components.elements import (
    ARTIFACT_PREFIX,
    STEP_PREFIX,
    artifact_label,
    artifact_node_id,
    document_findings,
    node_of_element,
    step_element_id,
)
from dashboard.ui.components.messages import error_message
from dashboard.ui.components.panels import pipeline_panel, side_panel, text
from dashboard.ui.components.risk import COLOR_RISK, color_of, risk_of
from dashboard.ui.components.risk_panel import risk_section
from dashboard.ui.pages.pipeline.validation import meta_request


def node_link(node: str, place: int) -> dict[str, Any]:
    """The pattern id of a button that selects the element ``node`` (``sync_view``)."""
    return {"type": ids.SELECT_NODE, "node": node, "n": place}


def document_labels(document: Mapping[str, Any]) -> Any:
    """``label_of(element id)``: (short, whole) names of a document's steps and artifacts:
    a step's name; an artifact's last key part and its URI."""
    graph = document.get("graph") or {}
    names: dict[str, tuple[str, str]] = {}
    for node in graph.get("nodes") or []:
        name = str(node.get("id"))
        names[step_element_id(name)] = (name, name)
    for artifact in graph.get("artifacts") or []:
        uri = str(artifact.get("uri") or "")
        names[artifact_node_id(artifact.get("id"))] = (artifact_label(artifact), uri)

    def label_of(element: str) -> tuple[str, str]:
        plain = node_of_element(element)
        return names.get(element, (plain, plain))

    return label_of


def selected_risk(document: Mapping[str, Any], selected: str) -> Any:
    """The Risk section of the selected step or artifact; ``None`` for anything else."""
    graph = document.get("graph") or {}
    found: Mapping[str, Any] | None = None
    if selected.startswith(STEP_PREFIX):
        found = next((n for n in graph.get("nodes") or []
                      if step_element_id(str(n.get("id"))) == selected), None)
    elif selected.startswith(ARTIFACT_PREFIX):
        found = next((a for a in graph.get("artifacts") or []
                      if artifact_node_id(a.get("id")) == selected), None)
    if found is None:
        return None
    return risk_section(risk_of(found), node_id=selected, own_of=document_findings(document),
                        label_of=document_labels(document), link=node_link)


def panel_for(app: AppState, meta: Any, node: Any, color: Any = None) -> Any:
    """The side panel: the selected step or artifact (``node``: its element id), else the
    pipeline and its warnings; ``color``: the graph's colouring (where the Risk section
    goes)."""
    try:
        req = meta_request(app, meta)
        if req is None:
            return html.P("Nothing to show yet: choose a pipeline.", className="muted hint")
        document = app.cached.lineage(req).document()  # a cache hit: the graph just read it
    except Exception as exc:  # the panel says what went wrong; it never raises
        return error_message(exc, pipeline=meta.get("pipeline"), region=meta.get("region"))
    if not node:
        return pipeline_panel(document)
    selected = node if isinstance(node, str) else str(node)
    panel = side_panel(document, selected)
    risk = selected_risk(document, selected)
    if risk is None:
        return panel
    if color_of(color) == COLOR_RISK:
        return [*panel[:1], risk, *panel[1:]]
    return [*panel, risk]


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
