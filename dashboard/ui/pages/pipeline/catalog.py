"""The dropdowns' options: the pipelines of a region, the recent executions of a pipeline.

The region and pipeline asked for come from the browser: they are validated as the API
validates them (``validation``) before the cached service is asked. Option labels are names
from AWS, shown through ``text`` (hidden characters escaped); values stay as AWS has them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from dashboard.core.state import AppState
from dashboard.ui.components.messages import Note, error_note, note
from dashboard.ui.components.panels import format_time, text
from dashboard.ui.pages.pipeline.validation import (
    absent,
    executions_request,
    listed_region,
    offered_order,
)
from dashboard.ui.pages.pipeline.view import LATEST
from lineage.errors import InvalidParameter

logger = logging.getLogger("dashboard.callbacks")

EXECUTIONS_LISTED = 20


def pipeline_options(app: AppState, region: Any, current: Any, *, refresh: bool = False
                     ) -> tuple[list[dict[str, Any]], str, list[Note]]:
    """(options, placeholder, notes) of the pipeline dropdown of ``region``."""
    if absent(region):
        return [], "Choose a region first", []
    kept = kept_option(current)
    try:
        listed = listed_region(app, region)
    except InvalidParameter as exc:
        return kept, "Choose a region first", [error_note(exc, region=region)]
    try:
        listing = app.cached.pipelines([listed], None, refresh=refresh).document()
    except Exception as exc:
        return kept, "Pipelines could not be listed", [error_note(exc, region=listed)]
    options = []
    for item in listing.get("pipelines") or []:
        name = str(item.get("name"))
        latest = item.get("latestExecution") or {}
        status = latest.get("status") if isinstance(latest, Mapping) else None
        options.append({
            "label": f"{text(name, 256)}  \u00b7  {text(status or 'never executed', 32)}",
            "value": name,
            "title": text(item.get("description") or item.get("displayName") or name, 300),
        })
    if kept and kept[0]["value"] not in {o["value"] for o in options}:
        options.extend(kept)
    if not listing.get("pipelines"):
        return options, "No pipelines in this region", [note(
            "info", f"No pipelines in {text(listed, 64)}.",
            "Choose another region, or create a pipeline in this one.")]
    return options, f"Choose a pipeline ({len(listing['pipelines'])})…", []


def kept_option(current: Any) -> list[dict[str, Any]]:
    """The current value stays an option, so the dropdown never drops what the URL chose."""
    if not isinstance(current, str) or not current:
        return []
    return [{"label": text(current, 256), "value": current}]


def execution_options(app: AppState, region: Any, pipeline: Any, current: Any,
                      *, refresh: bool = False) -> list[dict[str, Any]]:
    """The latest execution first (value ``LATEST``), then the recent ones by start time."""
    latest = {"label": "Latest execution", "value": LATEST}
    if absent(pipeline) or absent(region):
        return [latest]
    kept = kept_option(None if current == LATEST else current)
    executions = listed_executions(app, region, pipeline, refresh=refresh)
    if executions is None:
        return [latest, *kept]
    if executions:
        newest = executions[0]
        latest["label"] = (f"Latest: {text(newest.get('status'), 32)}  \u00b7  "
                           f"{format_time(newest.get('startTime'))}")
    else:
        latest["label"] = "Latest (never executed)"
    options = [latest, *(execution_option(item) for item in executions)]
    if kept and kept[0]["value"] not in {o["value"] for o in options}:
        options.extend(kept)
    return options


def listed_executions(app: AppState, region: Any, pipeline: Any, *, refresh: bool = False
                      ) -> list[Mapping[str, Any]] | None:
    """The recent executions of a pipeline, newest first (the execution dropdown's);
    ``None`` when they cannot be listed (what shows the pipeline says why, once)."""
    if absent(pipeline) or absent(region):
        return None
    try:
        wanted = executions_request(app, region=region, pipeline=pipeline,
                                    limit=EXECUTIONS_LISTED)
    except InvalidParameter:  # the graph's callback says so, once (messages)
        return None
    try:
        listing = app.cached.executions(wanted.pipeline, wanted.region, wanted.limit,
                                        refresh=refresh).document()
    except Exception:
        logger.info("executions of %s/%s could not be listed", wanted.region, wanted.pipeline,
                    exc_info=True)
        return None
    return [item for item in listing.get("executions") or () if isinstance(item, Mapping)]


def execution_option(item: Mapping[str, Any]) -> dict[str, Any]:
    """One execution as a dropdown lists it: status, start time, name (value: its id)."""
    return {
        "label": (f"{text(item.get('status'), 32)}  \u00b7  "
                  f"{format_time(item.get('startTime'))}  \u00b7  "
                  f"{text(item.get('displayName') or item.get('id'), 80)}"),
        "value": str(item.get("id")),
    }


def chosen_options(app: AppState, region: Any, pipeline: Any, chosen: Sequence[Any],
                   *, exclude: Any = None) -> list[dict[str, Any]]:
    """The recent executions (as the execution dropdown lists them), then each ``chosen``
    one they lack (a dropdown never drops what the URL chose), but ``exclude``."""
    options = [execution_option(item)
               for item in listed_executions(app, region, pipeline) or ()]
    for value in chosen:
        for kept in kept_option(value):
            if kept["value"] not in {o["value"] for o in options}:
                options.append(kept)
    return [o for o in options if o["value"] != exclude]


def region_options(app: AppState) -> list[dict[str, Any]]:
    """The regions this server offers, those that have pipelines first (with how many).

    From the same cached listing as ``/pipelines?region=all``; when it cannot be read, the
    regions in their plain order.
    """
    offered = app.regions
    plain = offered_order(offered, app.settings.default_region)
    try:
        listing = app.cached.pipelines(offered, None).document()
    except Exception:
        logger.info("the pipelines of every region could not be listed", exc_info=True)
        return [{"label": region, "value": region} for region in plain]
    counts: dict[str, int] = {}
    for item in listing.get("pipelines") or []:
        counts[str(item.get("region"))] = counts.get(str(item.get("region")), 0) + 1
    busy = sorted((r for r in plain if counts.get(r)), key=lambda r: (-counts[r], r))
    options = [{"label": f"{region}  \u00b7  {counts[region]} pipeline"
                         f"{'s' if counts[region] != 1 else ''}", "value": region}
               for region in busy]
    return options + [{"label": region, "value": region} for region in plain
                      if region not in counts]
