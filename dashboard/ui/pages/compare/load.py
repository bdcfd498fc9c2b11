"""The Compare page's comparison: requested as ``/compare`` requests it (the page's parse
functions, the offered regions), from the cached service (``analytics.compare``: the very
entry the API serves), drawn by ``components.compare_view``; never raises.

What the service refuses is a note, as the other pages say it (``components.messages``): an
execution that is not one of this pipeline's (by id: not found; by ARN: not of this
pipeline), ``a`` and ``b`` the same execution, a region that does not exist. Nothing chosen
yet is said in words. The notes' words are the error classes' and the engine's own, never
AWS's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dash import dcc, html, no_update

from dashboard.core import analytics
from dashboard.core.state import AppState
from dashboard.ui.components.compare_view import (
    compare_elements,
    compare_summary,
    differences_table,
    schema_drift_section,
)
from dashboard.ui.components.elements import LAYOUT_AUTO, layout_for
from dashboard.ui.components.links import pipeline_link
from dashboard.ui.components.messages import Note, error_note, note, refresh_later
from dashboard.ui.components.panels import text
from dashboard.ui.pages.compare.view import CompareView
from dashboard.ui.pages.graph_page import Outputs
from dashboard.ui.pages.pipeline.validation import absent, compare_request
from lineage.errors import ExecutionNotFound


@dataclass(frozen=True)
class Loaded(Outputs):
    """The outputs of ``load`` (``notes``: a list of notes; the callback shows them)."""

    elements: Any = ()
    layout: Any = no_update
    summary: Any = None
    table: Any = None
    schema: Any = None  # the Dataset schemas section (the answer's schemaDrift), or nothing
    notes: Any = ()
    where: Any = None  # the pipeline, linked back to its page


def comparison(app: AppState, view: CompareView, *, refresh: bool = False
               ) -> tuple[Mapping[str, Any], list[Note]]:
    """The ``/compare`` answer of ``view`` and what to say of how it was served; raises what
    the request or the service raises."""
    req = compare_request(app, region=view.region, pipeline=view.pipeline, a=view.a, b=view.b)
    served = analytics.compare(app.cached, req, refresh=refresh)
    notes = [refresh_later(served.refresh_after)] if served.refresh_after is not None else []
    return served.document(), notes


def _as_is(path: str) -> str:
    return path


def load(app: AppState, view: CompareView, *, refresh: bool = False,
         relative: Callable[[str], str] = _as_is) -> Loaded:
    """The merged graph, the summary, the table, the schema drift and the notes of ``view``;
    ``relative``: the pages router's ``relative_path`` (the app's URL prefix) for the links."""
    where = where_line(view, relative)
    if absent(view.pipeline):
        return Loaded(where=where, notes=[note(
            "info", "Choose a pipeline.",
            "Open this page from a pipeline page: its \u201cCompare with\u2026\u201d "
            "compares the execution shown with another.")])
    if absent(view.a) or absent(view.b):
        return Loaded(where=where, notes=[note(
            "info", "Choose two executions.",
            "Pick a, the base, and b, the execution compared with it, above.")])
    try:
        answer, notes = comparison(app, view, refresh=refresh)
    except Exception as exc:
        return Loaded(where=where, notes=[compare_note(exc, view)])
    graph = compare_elements(answer)
    return Loaded(
        elements=graph.elements,
        layout=layout_for(LAYOUT_AUTO, preset=graph.preset),
        summary=compare_summary(answer),
        table=differences_table(answer, only_differences=view.only),
        schema=schema_drift_section(answer),
        notes=notes,
        where=where,
    )


def load_table(app: AppState, view: CompareView) -> Any:
    """The table alone (the toggle changed): from the same cached answer."""
    if absent(view.pipeline) or absent(view.a) or absent(view.b):
        return None
    try:
        answer, _ = comparison(app, view)
    except Exception:  # the view's load says what went wrong, once
        return None
    return differences_table(answer, only_differences=view.only)


def compare_note(exc: BaseException, view: CompareView) -> Note:
    """What the page says of a comparison that cannot be made."""
    pipeline = view.pipeline if isinstance(view.pipeline, str) else None
    region = view.region if isinstance(view.region, str) else None
    if isinstance(exc, ExecutionNotFound):
        # The engine names the side ("execution a not found for this pipeline").
        said = exc.message[:1].upper() + exc.message[1:]
        return note("error", exc.title,
                    f"{said}: {text(pipeline, 256)} has no such execution. Choose one from "
                    "the lists above.")
    return error_note(exc, pipeline=pipeline, region=region)


def where_line(view: CompareView, relative: Callable[[str], str] = _as_is) -> Any:
    """``mlops-pipeline in ap-northeast-2``: links to the pipeline page at a and at b."""
    if not isinstance(view.pipeline, str) or absent(view.pipeline):
        return None
    region = view.region if isinstance(view.region, str) else None
    parts: list[Any] = [html.Strong(text(view.pipeline, 256)), f" in {text(region, 64)}"]
    for side in ("a", "b"):
        execution = getattr(view, side)
        if isinstance(execution, str) and execution:
            parts += ["  \u00b7  ", dcc.Link(
                f"{side} on the pipeline page",
                href=relative(pipeline_link(region, view.pipeline, execution)),
                className="pipeline-link", id=f"compare-open-{side}")]
    return parts
