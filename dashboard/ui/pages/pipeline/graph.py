"""Loading the graph of a view: the cached lineage document -> elements, summary, notes.

The graph and ``/lineage`` read the same memoised service function, so they cannot disagree.
Documents stay on the server; the browser gets only elements and rendered components.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from dash import html, no_update

from dashboard.core.cache import CachedLineage
from dashboard.ui.components.elements import document_elements, layout_for, wants_preset
from dashboard.ui.components.messages import Note, bad_region, error_note, note
from dashboard.ui.components.panels import scanned_at, summary_bar, text, warning_groups
from dashboard.ui.pages.pipeline.view import View
from lineage.aws import sagemaker_regions
from lineage.config import Settings
from lineage.request import LineageRequest, parse_lineage_request
from lineage.runinfo import TERMINAL_EXECUTION_STATUSES


@dataclass(frozen=True)
class Loaded:
    """The outputs of ``load_view``."""

    elements: Any = ()
    layout: Any = no_update
    summary: Any = None
    notes: Any = ()  # what the page says of this view (see components.messages)
    last_scanned: Any = "–"
    interval_disabled: bool = True
    meta: Any = None
    step_names: Any = ()
    search_options: Any = ()
    export_disabled: bool = True  # nothing to export until a graph is shown

    def outputs(self) -> dict[str, Any]:
        out = {item.name: getattr(self, item.name) for item in fields(self)}
        for name in ("elements", "notes", "step_names", "search_options"):
            out[name] = list(out[name])
        return out


def lineage_request(view: View, settings: Settings) -> LineageRequest:
    """The same validation as ``/lineage`` (``lineage.request``)."""
    return parse_lineage_request(
        {"pipeline": view.pipeline, "region": view.region, "execution": view.execution},
        settings=settings,
        regions=sagemaker_regions(),
    )


def load_view(
    cached: CachedLineage,
    settings: Settings,
    view: View,
    *,
    refresh: bool = False,
    previous: Mapping[str, Any] | None = None,
) -> Loaded:
    data_view, layout_choice = view.data, view.layout
    if view.region not in sagemaker_regions():
        return Loaded(notes=[bad_region(view.region)])
    if not view.pipeline:
        return Loaded(notes=[note("info", "Choose a pipeline.",
                                  "Pick a region and a pipeline above to see its lineage.")])
    try:
        req = lineage_request(view, settings)
        document = cached.lineage(req, refresh=refresh).document()
    except Exception as exc:  # the page shows what went wrong; it never raises
        return Loaded(notes=[error_note(exc, pipeline=view.pipeline, region=view.region)])
    graph = document_elements(
        document, data_view=data_view, selected=view.node,
        positions=wants_preset(layout_choice),
    )
    layout = layout_for(layout_choice, preset=graph.preset)
    shape = [sorted(str(e["data"]["id"]) for e in graph.elements), layout["name"], data_view]
    execution = document.get("execution")
    status = execution.get("status") if isinstance(execution, Mapping) else None
    running = status is not None and status not in TERMINAL_EXECUTION_STATUSES
    meta = {
        "region": req.region,
        "pipeline": req.pipeline,
        "execution": req.execution,
        "executionArn": execution.get("arn") if isinstance(execution, Mapping) else None,
        "status": status,
        "nodeCount": graph.node_count,
        "generatedAt": document.get("generatedAt"),
        "shape": _digest(shape),
    }
    same_shape = previous is not None and previous.get("shape") == meta["shape"]
    notes: list[Note] = []
    if not (document.get("graph") or {}).get("nodes"):
        notes.append(note("info", "No steps.",
                          "This pipeline's definition has no steps: there is nothing to draw."))
    if execution is None:
        notes.append(note("info", "Never executed.",
                          "This pipeline has no execution yet: the graph shows its "
                          "definition, without run status."))
    elif running:
        notes.append(note("info", f"{text(status, 32)}…",
                          "This execution is still running; the view refreshes itself."))
    if document.get("warnings"):
        count = len(document["warnings"])
        causes = len(warning_groups(document["warnings"]))
        notes.append(note("warn", f"{count} warning{'s' if count != 1 else ''} "
                                  f"({causes} cause{'s' if causes != 1 else ''}).",
                          "Some details could not be read; see the side panel."))
    return Loaded(
        elements=graph.elements,
        # Same nodes and edges as shown (a refresh): keep the user's viewport.
        layout=no_update if same_shape else layout,
        summary=summary_bar(document),
        notes=notes,
        last_scanned=scanned_at(document.get("generatedAt")),
        interval_disabled=not running,
        meta=meta,
        step_names=graph.step_names,
        search_options=[html.Option(value=name) for name in graph.step_names],
        export_disabled=False,
    )


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:16]


def meta_request(meta: Mapping[str, Any] | None, settings: Settings) -> LineageRequest | None:
    if not meta or not meta.get("pipeline"):
        return None
    return lineage_request(
        View(meta.get("region"), meta.get("pipeline"), meta.get("execution")), settings
    )
