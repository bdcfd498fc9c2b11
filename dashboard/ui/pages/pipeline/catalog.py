"""The dropdowns' options: the pipelines of a region, the recent executions of a pipeline."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from dashboard.core.cache import CachedLineage
from dashboard.ui.components.messages import Note, bad_region, error_note, note
from dashboard.ui.components.panels import format_time, text
from dashboard.ui.pages.pipeline.view import LATEST
from lineage.aws import sagemaker_regions

logger = logging.getLogger("dashboard.callbacks")

EXECUTIONS_LISTED = 20


def pipeline_options(cached: CachedLineage, region: str | None, current: str | None,
                     *, refresh: bool = False) -> tuple[list[dict[str, Any]], str, list[Note]]:
    """(options, placeholder, notes) of the pipeline dropdown of ``region``."""
    if not region:
        return [], "Choose a region first", []
    if region not in sagemaker_regions():
        return _keep(current), "Choose a region first", [bad_region(region)]
    try:
        listing = cached.pipelines([region], None, refresh=refresh).document()
    except Exception as exc:
        return _keep(current), "Pipelines could not be listed", [error_note(exc, region=region)]
    options = []
    for item in listing.get("pipelines") or []:
        name = str(item.get("name"))
        latest = item.get("latestExecution") or {}
        status = latest.get("status") if isinstance(latest, Mapping) else None
        options.append({
            "label": f"{name}  \u00b7  {status or 'never executed'}",
            "value": name,
            "title": text(item.get("description") or item.get("displayName") or name, 300),
        })
    if current and current not in {o["value"] for o in options}:
        options.extend(_keep(current))
    if not listing.get("pipelines"):
        return options, "No pipelines in this region", [note(
            "info", f"No pipelines in {text(region, 64)}.",
            "Choose another region, or create a pipeline in this one.")]
    return options, f"Choose a pipeline ({len(listing['pipelines'])})…", []


def _keep(current: str | None) -> list[dict[str, Any]]:
    """The current value stays an option, so the dropdown never drops what the URL chose."""
    return [{"label": current, "value": current}] if current else []


def execution_options(cached: CachedLineage, region: str | None, pipeline: str | None,
                      current: str | None, *, refresh: bool = False) -> list[dict[str, Any]]:
    """The latest execution first (value ``LATEST``), then the recent ones by start time."""
    latest = {"label": "Latest execution", "value": LATEST}
    if not pipeline or not region:
        return [latest]
    try:
        listing = cached.executions(pipeline, region, EXECUTIONS_LISTED,
                                    refresh=refresh).document()
    except Exception:
        logger.info("executions of %s/%s could not be listed", region, pipeline, exc_info=True)
        return [latest, *_keep(None if current == LATEST else current)]
    executions = listing.get("executions") or []
    if executions:
        newest = executions[0]
        latest["label"] = (f"Latest: {text(newest.get('status'), 32)}  \u00b7  "
                           f"{format_time(newest.get('startTime'))}")
    else:
        latest["label"] = "Latest (never executed)"
    options = [latest]
    for item in executions:
        options.append({
            "label": (f"{text(item.get('status'), 32)}  \u00b7  "
                      f"{format_time(item.get('startTime'))}  \u00b7  "
                      f"{text(item.get('displayName') or item.get('id'), 80)}"),
            "value": str(item.get("id")),
        })
    if current and current not in {o["value"] for o in options}:
        options.extend(_keep(current))
    return options


def region_options(
    cached: CachedLineage, offered: Sequence[str], default: str
) -> list[dict[str, Any]]:
    """The regions that have pipelines first (with how many), then the rest.

    From the same cached listing as ``/pipelines?region=all``; when it cannot be read, the
    regions in their plain order.
    """
    plain = list(dict.fromkeys([default, *sorted(offered)]))
    try:
        listing = cached.pipelines(offered, None).document()
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
