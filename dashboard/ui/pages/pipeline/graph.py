"""Loading the graph of a view: the cached lineage document -> elements, summary, notes.

The graph and ``/lineage`` read the same memoised service function, with the same validation
(``validation``), so they cannot disagree. Documents stay on the server; the browser gets only
elements and rendered components. What a big document is drawn as is kept (``rendered``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from dash import html, no_update

from dashboard.core.state import AppState
from dashboard.ui.components.elements import (
    document_elements,
    layout_for,
    node_of_element,
    wants_preset,
    with_selected,
)
from dashboard.ui.components.groups import collapsed_keys, step_groups
from dashboard.ui.components.lens import Lens, collapsed_holder, look
from dashboard.ui.components.messages import Note, error_note, note, refresh_later
from dashboard.ui.components.panels import scanned_at, summary_bar, text, warning_groups
from dashboard.ui.components.visible import visible_text
from dashboard.ui.pages.pipeline.lens_query import toggled_group
from dashboard.ui.pages.pipeline.rendered import MIN_NODES, RenderCache, body_digest
from dashboard.ui.pages.pipeline.validation import absent, lineage_request, listed_region
from dashboard.ui.pages.pipeline.view import View
from lineage.errors import InvalidParameter
from lineage.request import LineageRequest
from lineage.runinfo import TERMINAL_EXECUTION_STATUSES

REFRESH_MS = 10_000  # a running execution's view reads it again this often
OUTLINE_POLL_MS = 700  # an outline's view asks this often whether the document is read
READING_DETAILS = note("info", "Reading details\u2026",
                       "The graph shows the definition and the steps' statuses; the run's "
                       "details (artifacts, metrics, buckets) fill in when they are read.")


@dataclass(frozen=True)
class Loaded:
    """The outputs of ``load_view``."""

    elements: Any = ()
    layout: Any = no_update
    summary: Any = None
    notes: Any = ()  # what the page says of this view (see components.messages)
    last_scanned: Any = "–"
    interval_disabled: bool = True
    interval_ms: int = REFRESH_MS  # a running execution's refresh; an outline's poll
    meta: Any = None
    step_names: Any = ()
    search_options: Any = ()
    export_disabled: bool = True  # nothing to export until a graph is shown

    def outputs(self) -> dict[str, Any]:
        out = {item.name: getattr(self, item.name) for item in fields(self)}
        for name in ("elements", "notes", "step_names", "search_options"):
            out[name] = list(out[name])
        return out


def load_view(
    app: AppState,
    view: View,
    *,
    refresh: bool = False,
    previous: Any = None,
) -> Loaded:
    """The graph of ``view`` and what the page says of it; never raises."""
    if absent(view.pipeline):
        try:
            listed_region(app, view.region)
        except InvalidParameter as exc:
            return Loaded(notes=[error_note(exc, region=view.region)])
        return Loaded(notes=[note("info", "Choose a pipeline.",
                                  "Pick a region and a pipeline above to see its lineage.")])
    try:
        req = lineage_request(app, region=view.region, pipeline=view.pipeline,
                              execution=view.execution)
        # A document not cached yet: its outline now, the document once read (polled).
        served = app.cached.lineage(req, refresh=True) if refresh else \
            app.cached.lineage_soon(req)
    except Exception as exc:  # the page shows what went wrong; it never raises
        return Loaded(notes=[error_note(exc, pipeline=view.pipeline, region=view.region)])
    digest = body_digest(served.body)

    def drawn(view: View) -> Loaded:
        key = (digest, req, view.data, view.layout, view.collapse, view.expand)
        return RENDERS.get(key, lambda: draw(served.document(), req, view))

    loaded = drawn(view)
    # The selected node (a shared link, a search) and the path's end are shown: a
    # collapsed group holding one opens.
    for end in (view.node, view.path):
        holder = collapsed_holder(loaded.elements, end)
        if holder is not None:
            view = replace(view, **toggled_group(view.lens(), str(holder["groupKey"]), True,
                                                 str(holder["base"])))
            loaded = drawn(view)
    # Same nodes and edges as shown (a refresh): keep the user's viewport.
    same_shape = isinstance(previous, Mapping) and previous.get("shape") == loaded.meta["shape"]
    notes = loaded.notes
    if served.refresh_after is not None:
        notes = [*notes, refresh_later(served.refresh_after)]
    looked = look(with_selected(loaded.elements, view.node),
                  Lens(node=view.node, focus=view.focus, path=view.path, statuses=view.status,
                       types=view.types, hide=view.hide))
    notes = [*notes, *lens_notes(view, looked)]
    if served.partial:  # an outline: polled until the document is read
        loaded = replace(loaded, meta={**loaded.meta, "partial": True}, interval_disabled=False,
                         interval_ms=OUTLINE_POLL_MS, export_disabled=True)
        notes = [*notes, READING_DETAILS]
    return replace(loaded, elements=looked.elements,
                   layout=no_update if same_shape else loaded.layout, notes=notes)


def lens_notes(view: View, looked: Any) -> list[Note]:
    """What the page says of the URL's focus, path and filters: values it did not know, ends
    it cannot draw, and how many paths there are."""
    said: list[Note] = []
    for name, value in view.invalid:
        said.append(note("warn", f"Unknown {name}: \u201c{text(value, 64)}\u201d.",
                         f"The {name} parameter was ignored; the page shows its default."))
    if (view.path or view.focus != "off") and not view.node:
        said.append(note("info", "Select a node first.",
                         "Focus and path start from the selected node."))
    for missing in looked.missing:
        said.append(note("warn", f"Not in this graph: \u201c{text(missing, 64)}\u201d.",
                         "The focus or path names a node this view does not draw."))
    if looked.path_count is not None:
        ends = (f"{text(node_of_element(str(looked.path_from)), 64)} \u2192 "
                f"{text(node_of_element(str(looked.path_to)), 64)}")
        if looked.path_count:
            count = looked.path_count
            said.append(note("info", f"{count} path{'s' if count != 1 else ''}: {ends}",
                             f"{len(looked.path_nodes)} nodes lie on them."))
        else:
            said.append(note("info", f"No path: {ends}",
                             "Neither node is upstream of the other."))
    return said


def draw(document: Mapping[str, Any], req: LineageRequest, view: View) -> Loaded:
    """What the page shows of a document, nothing selected (the same for every selection)."""
    data_view, layout_choice = view.data, view.layout
    groups = step_groups(document)
    steps = len((document.get("graph") or {}).get("nodes") or [])
    folding = collapsed_keys(groups, steps, view.collapse, view.expand)
    graph = document_elements(document, data_view=data_view,
                              positions=wants_preset(layout_choice),
                              groups=groups, folding=folding)
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
        # What the toolbar offers: the step types drawn, the groups and which are collapsed.
        "stepTypes": sorted({str(n.get("type")) for n in (document.get("graph") or {})
                             .get("nodes") or [] if n.get("type")}),
        "groups": [group.key for group in graph.groups],
        "collapsed": sorted(folding.collapsed),
    }
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
    for name in folding.unknown:
        notes.append(note("warn", f"Unknown group: \u201c{text(name, 64)}\u201d.",
                          "This pipeline has no group of that name; it was ignored."))
    if document.get("warnings"):
        count = len(document["warnings"])
        causes = len(warning_groups(document["warnings"]))
        notes.append(note("warn", f"{count} warning{'s' if count != 1 else ''} "
                                  f"({causes} cause{'s' if causes != 1 else ''}).",
                          "Some details could not be read; see the side panel."))
    return Loaded(
        elements=graph.elements,
        layout=layout,
        summary=summary_bar(document),
        notes=notes,
        last_scanned=scanned_at(document.get("generatedAt")),
        interval_disabled=not running,
        meta=meta,
        step_names=graph.step_names,
        # What the search box suggests, as shown (hidden characters escaped).
        search_options=[html.Option(value=visible_text(name)) for name in graph.step_names],
        export_disabled=False,
    )


# This process's renders of big documents.
RENDERS: RenderCache[Loaded] = RenderCache(
    size=lambda loaded: len(loaded.elements),
    keep=lambda loaded: loaded.meta["nodeCount"] >= MIN_NODES,
)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:16]
