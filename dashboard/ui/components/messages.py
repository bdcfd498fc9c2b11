"""Messages in the page: notes as data (kind, title, detail), shown once each.

Several callbacks may meet the same problem (a region that does not exist, missing
credentials): each says it as a note, and the page shows every distinct note once. An
error's words come from its own class (``lineage.errors``: ``title``, ``advice``,
``transient``), the same outcome table the API and the CLI read; never from AWS's raw text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypedDict

from dash import html

from dashboard.core.requests import request_id
from dashboard.ui.components.panels import text
from lineage.errors import DeadlineExceeded, InvalidParameter, LineageError, TooManyRequests

logger = logging.getLogger("dashboard.callbacks")

Component = Any  # a Dash component


KINDS = ("info", "warn", "error")


class Note(TypedDict):
    kind: str  # one of KINDS
    title: str
    detail: str


def note(kind: str, title: str, detail: str = "") -> Note:
    return {"kind": kind, "title": title, "detail": detail}


def message(kind: str, title: str, detail: str | None = None) -> Component:
    """A friendly message in the page (``kind``: info, warn, error)."""
    children: list[Component] = [html.Strong(title)]
    if detail:
        children.append(html.Span(" " + detail))
    return html.Div(children, className=f"alert alert-{kind}", role="status")


def shown(*groups: Any) -> list[Component]:
    """The messages of every group of notes (lists, from the stores), each distinct note
    once, in order; anything in a store that is not a note is skipped."""
    seen: set[tuple[str, str]] = set()
    out: list[Component] = []
    for group in groups:
        for item in group if isinstance(group, list) else ():
            if not isinstance(item, Mapping):
                continue
            key = (text(item.get("title")), text(item.get("detail")))
            if key in seen:
                continue
            seen.add(key)
            kind = item.get("kind")
            out.append(message(kind if kind in KINDS else "info", key[0],
                               key[1] if item.get("detail") else None))
    return out


def bad_region(region: str | None) -> Note:
    """The one note of a region that is not a SageMaker region, naming it."""
    return note("error", "Unknown region.",
                f"{text(region, 64)} is not a region where SageMaker is available. Choose one "
                "from the list.")


def refresh_later(seconds: int) -> Note:
    """A refresh asked too soon after the last one: the answer shown is that one's."""
    return note("info", "Just refreshed.",
                f"This view was read from AWS moments ago; that answer is shown. Refresh again "
                f"in {seconds} s.")


def error_note(
    exc: BaseException, *, pipeline: str | None = None, region: str | None = None
) -> Note:
    """What the page says of ``exc``; anything unexpected is logged under the request id."""
    if isinstance(exc, TimeoutError):  # a wait that gave up is a deadline, whoever waited
        exc = DeadlineExceeded()
    if isinstance(exc, InvalidParameter) and exc.parameter == "region":
        return bad_region(region)
    if isinstance(exc, TooManyRequests):
        return note("warn", exc.title,
                    "This browser asked AWS for more than its share; views already read still "
                    f"open. Try again in {exc.retry_after} s.")
    if isinstance(exc, LineageError):
        advice = exc.advice.format(pipeline=text(pipeline, 256), region=text(region, 64))
        return note("warn" if exc.transient else "error", exc.title, advice or exc.message)
    rid = request_id()
    logger.error("dashboard callback failed (request %s)", rid, exc_info=exc,
                 extra={"request_id": rid})
    return note("error", "Something went wrong.",
                f"It was logged{f' under request id {rid}' if rid else ''}.")


def error_message(
    exc: BaseException, *, pipeline: str | None = None, region: str | None = None
) -> Component:
    """``error_note`` as a message, for a place that shows one directly (the side panel)."""
    found = error_note(exc, pipeline=pipeline, region=region)
    return message(found["kind"], found["title"], found["detail"] or None)
