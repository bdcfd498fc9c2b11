"""Loading what the estate page shows: the estate of a scope, and the answer of its search.

Every request is built with ``lineage.estate_request``'s parse functions and the regions this
server offers, as ``/estate``, ``/impact`` and ``/provenance`` build theirs, so a value the API
answers 400 to is a note naming it here. The estate comes from the cache
(``CachedLineage.estate``): a first build of a large estate may answer with what it has read
so far (``progress``); the page draws that, says so and asks again until it is complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dash import html, no_update

from dashboard.core.state import AppState
from dashboard.ui.components.elements import LAYOUT_DAGRE, layout_for
from dashboard.ui.components.messages import Note, error_note, note
from dashboard.ui.components.panels import format_time, text
from dashboard.ui.pages.estate.graph import (
    EMPTY,
    IMPACT,
    NOTHING,
    PROVENANCE,
    SELECT,
    Highlight,
    Plan,
    counts_by_kind,
    estate_elements,
    labels,
    neighbourhood,
    plan_search,
    query_highlight,
    suggestions,
)
from dashboard.ui.pages.estate.view import EstateView
from dashboard.ui.pages.graph_page import Outputs
from dashboard.ui.pages.pipeline.validation import text_params
from lineage.estate_request import (
    EstateRequest,
    parse_estate_request,
    parse_impact_request,
    parse_provenance_request,
)

KIND_WORDS = {
    "pipeline": ("pipeline", "pipelines"),
    "dataset": ("dataset", "datasets"),
    "model-package-group": ("package group", "package groups"),
    "model-package": ("model package", "model packages"),
    "model": ("model", "models"),
    "endpoint-config": ("endpoint config", "endpoint configs"),
    "endpoint": ("endpoint", "endpoints"),
}


def estate_request(app: AppState, region: Any) -> EstateRequest:
    """As ``/estate?region=``."""
    return parse_estate_request(text_params(region=region), settings=app.settings,
                                regions=app.regions, offered=app.regions)


def fetch_estate(app: AppState, region: Any, *, refresh: bool = False) -> dict[str, Any]:
    served = app.cached.estate(estate_request(app, region), refresh=refresh, progress=True)
    document = served.document()
    return document if isinstance(document, dict) else {}


def fetch_answer(app: AppState, region: Any, plan: Plan) -> dict[str, Any]:
    """The ``/impact`` or ``/provenance`` answer a plan asks for, from the cached estate."""
    params = text_params(region=region, **plan.params)
    if plan.kind == IMPACT:
        served = app.cached.impact(parse_impact_request(
            params, settings=app.settings, regions=app.regions, offered=app.regions))
    else:
        served = app.cached.provenance(parse_provenance_request(
            params, settings=app.settings, regions=app.regions, offered=app.regions))
    answer = served.document()
    return answer if isinstance(answer, dict) else {}


def searched_node(app: AppState, view: EstateView) -> str | None:
    """The node a search selects (``None`` when it names none, or the estate cannot be had)."""
    try:
        return plan_search(view.q, fetch_estate(app, view.region)).node
    except Exception:
        return None


def kind_counts(counts: Mapping[str, int]) -> str:
    parts = []
    for kind, (one, many) in KIND_WORDS.items():
        if counts.get(kind):
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
    return ", ".join(parts) or "nothing"


@dataclass(frozen=True)
class Answer:
    """What a search found: its plan, the highlight, the words under the box, the answer."""

    plan: Plan
    highlight: Highlight | None = None
    message: str = ""
    notes: list[Note] = field(default_factory=list)
    answer: Mapping[str, Any] = field(default_factory=dict)


def answer_search(app: AppState, view: EstateView, document: Mapping[str, Any]) -> Answer:
    plan = plan_search(view.q, document)
    shown = text(plan.query, 120)
    if plan.kind == EMPTY:
        return Answer(plan)
    if plan.kind == NOTHING:
        return Answer(plan, message=f"Nothing in this scope is named \u201c{shown}\u201d")
    if plan.kind == SELECT and plan.node is not None:
        return Answer(plan, neighbourhood(document, plan.node),
                      f"\u201c{shown}\u201d and what it reads, writes and feeds")
    if document.get("progress") is not None:
        # Impact and provenance need the whole estate: asked now, they would wait for it.
        return Answer(plan, message=f"\u201c{shown}\u201d is followed once the estate is read")
    try:
        answer = fetch_answer(app, view.region, plan)
    except Exception as exc:
        return Answer(plan, message=f"\u201c{shown}\u201d could not be followed",
                      notes=[error_note(exc, region=view.region)])
    upstream = plan.kind == PROVENANCE
    highlight = query_highlight(answer, upstream=upstream)
    reached = [r for r in answer.get("reached") or [] if isinstance(r, Mapping)
               and r.get("id") not in highlight.starts]
    counts: dict[str, int] = {}
    for item in reached:
        counts[str(item.get("kind"))] = counts.get(str(item.get("kind")), 0) + 1
    if plan.kind == IMPACT:
        if not highlight.starts:
            return Answer(plan, highlight, f"Nothing in this scope reads or writes "
                                           f"\u201c{shown}\u201d", answer=answer)
        message = f"Downstream of \u201c{shown}\u201d: {kind_counts(counts)}"
    else:
        raw = labels(document, [str(r.get("id")) for r in answer.get("rawDatasets") or []
                                if isinstance(r, Mapping)])
        message = f"Upstream of \u201c{shown}\u201d: {kind_counts(counts)}" + (
            f"; raw data: {', '.join(text(r, 120) for r in raw[:3])}"
            + (f" and {len(raw) - 3} more" if len(raw) > 3 else "") if raw else "")
    return Answer(plan, highlight, message, answer=answer)


@dataclass(frozen=True)
class Loaded(Outputs):
    """The outputs of ``load``; ``no_update`` where nothing changes."""

    elements: Any = no_update
    layout: Any = no_update
    notes: Any = no_update
    search_options: Any = no_update
    search_message: Any = no_update
    summary: Any = no_update
    interval_disabled: Any = no_update


def progress_note(progress: Any) -> Note | None:
    if not isinstance(progress, Mapping):
        return None
    read, total = progress.get("pipelinesRead"), progress.get("pipelinesTotal")
    if not total:
        return note("info", "Reading the estate.", "Listing the pipelines of this scope.")
    return note("info", "Reading the estate.",
                f"{text(read, 12)} of {text(total, 12)} pipelines read; the graph shows what is "
                "read so far and fills in as the rest arrives.")


def load(app: AppState, view: EstateView, *, refresh: bool = False) -> Loaded:
    """The graph, notes, suggestions, search words and summary of a view."""
    try:
        document = fetch_estate(app, view.region, refresh=refresh)
    except Exception as exc:
        return Loaded(elements=[], notes=[error_note(exc, region=view.region)],
                      search_options=[], search_message="", summary=[],
                      interval_disabled=True)
    found = answer_search(app, view, document)
    drawn = estate_elements(document, found.highlight)
    notes: list[Note] = list(found.notes)
    progress = progress_note(document.get("progress"))
    if progress is not None:
        notes.insert(0, progress)
    warnings = [w for w in document.get("warnings") or [] if isinstance(w, Mapping)]
    if warnings:
        notes.append(note("warn", "The estate is partial.",
                          f"{len(warnings)} part{'s' if len(warnings) != 1 else ''} of it could "
                          "not be read: " + "; ".join(text(w.get("message"), 200)
                                                     for w in warnings[:3])))
    layout = layout_for(LAYOUT_DAGRE, preset=drawn.preset)
    return Loaded(
        elements=drawn.elements,
        layout=layout,
        notes=notes,
        search_options=[html.Option(value=name) for name in suggestions(document)],
        search_message=found.message,
        summary=summary(view, document),
        interval_disabled=progress is None,
    )


def summary(view: EstateView, document: Mapping[str, Any]) -> list[Any]:
    scope = "all regions" if view.region == "all" else view.region.replace(",", ", ")
    return [
        html.Span([html.Span("Scope ", className="fact-label"), text(scope, 400)],
                  className="fact"),
        html.Span([html.Span("Holds ", className="fact-label"),
                   kind_counts(counts_by_kind(document))], className="fact estate-counts"),
        html.Span([html.Span("Read ", className="fact-label"),
                   format_time(document.get("generatedAt"))], className="fact"),
    ]
