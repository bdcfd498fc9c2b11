"""Messages in the page: a box with a title and a detail, and every error as one.

An error's words come from its own class (``lineage.errors``: ``title``, ``advice``,
``transient``), the same outcome table the API and the CLI read; never from AWS's raw text.
"""

from __future__ import annotations

import logging
from typing import Any

from dash import html

from dashboard.core.requests import request_id
from dashboard.ui.components.panels import text
from lineage.errors import DeadlineExceeded, LineageError

logger = logging.getLogger("dashboard.callbacks")

Component = Any  # a Dash component


def message(kind: str, title: str, detail: str | None = None) -> Component:
    """A friendly message in the page (``kind``: info, warn, error)."""
    children: list[Component] = [html.Strong(title)]
    if detail:
        children.append(html.Span(" " + detail))
    return html.Div(children, className=f"alert alert-{kind}", role="status")


def error_message(
    exc: BaseException, *, pipeline: str | None = None, region: str | None = None
) -> Component:
    """What the page says of ``exc``; anything unexpected is logged under the request id."""
    if isinstance(exc, TimeoutError):  # a wait that gave up is a deadline, whoever waited
        exc = DeadlineExceeded()
    if isinstance(exc, LineageError):
        advice = exc.advice.format(pipeline=text(pipeline, 256), region=text(region, 64))
        return message("warn" if exc.transient else "error", exc.title, advice or exc.message)
    rid = request_id()
    logger.error("dashboard callback failed (request %s)", rid, exc_info=exc,
                 extra={"request_id": rid})
    return message("error", "Something went wrong.",
                   f"It was logged{f' under request id {rid}' if rid else ''}.")
