"""The dashboard's callbacks: thin wrappers over plain functions (tested without a browser).

The graph and the ``/lineage`` endpoint read the same memoised service function
(``CachedLineage.lineage`` of ``dashboard.caching``), through ``dashboard.api.state()``, so
they cannot disagree. Documents stay on the server (in that cache); the browser gets only
elements and rendered panels.

No callback raises to the browser: every failure becomes a message in the page, and anything
unexpected is logged with the request id that the message shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

import dash
from dash import Input, Output, State, ctx, html, no_update
from flask import g, has_request_context

from dashboard import ids
from dashboard.api import state
from dashboard.elements import document_elements, layout_for, wants_preset
from dashboard.layout import DATA_VIEW_ON, LATEST_EXECUTION
from dashboard.panels import format_time, message, pipeline_panel, side_panel, summary_bar, text
from lineage.aws import sagemaker_regions
from lineage.errors import (
    AwsAccessDenied,
    AwsCredentialsMissing,
    AwsError,
    AwsThrottled,
    AwsUnavailable,
    ExecutionNotFound,
    InvalidParameter,
    LineageError,
    PipelineNotFound,
)
from lineage.request import LineageRequest, parse_lineage_request
from lineage.runinfo import TERMINAL_EXECUTION_STATUSES

logger = logging.getLogger("dashboard.callbacks")

EXECUTIONS_LISTED = 20
LATEST = LATEST_EXECUTION
MAX_URL_VALUE = 512


# -- the view and its URL -----------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What the page shows: the URL's ``?region=&pipeline=&execution=&node=``."""

    region: str | None = None
    pipeline: str | None = None
    execution: str | None = None  # None: the latest
    node: str | None = None  # a step name or "artifact:<id>"

    def query(self) -> str:
        pairs = [(k, v) for k, v in asdict(self).items() if v]
        return "?" + urlencode(pairs) if pairs else ""

    def store(self) -> dict[str, str | None]:
        """What the graph depends on (not the selected node)."""
        return {"region": self.region, "pipeline": self.pipeline, "execution": self.execution}


def parse_query(search: str | None, default_region: str) -> View:
    """The view of a URL's query string; blank and over-long values count as absent."""
    values = parse_qs((search or "").lstrip("?"), keep_blank_values=False)

    def first(name: str) -> str | None:
        items = values.get(name) or []
        value = items[0].strip() if items else ""
        return value if value and len(value) <= MAX_URL_VALUE else None

    return View(
        region=first("region") or default_region,
        pipeline=first("pipeline"),
        execution=first("execution"),
        node=first("node"),
    )


def view_from_stores(view: Mapping[str, Any] | None, node: str | None) -> View:
    view = view or {}
    return View(view.get("region"), view.get("pipeline"), view.get("execution"), node)


@dataclass(frozen=True)
class Sync:
    """The outputs of ``sync_view``; ``no_update`` where nothing changes."""

    url_search: Any = no_update
    region: Any = no_update
    pipeline: Any = no_update
    execution: Any = no_update
    view: Any = no_update
    node: Any = no_update
    search_message: Any = no_update

    def outputs(self) -> tuple[Any, ...]:
        return (self.url_search, self.region, self.pipeline, self.execution, self.view,
                self.node, self.search_message)


def sync_view(
    trigger: str | None,
    *,
    search: str | None,
    region: str | None,
    pipeline: str | None,
    execution: str | None,
    selected: Sequence[Mapping[str, Any]] | None,
    step_query: str | None,
    step_names: Sequence[str] | None,
    current: View,
    default_region: str,
) -> Sync:
    """Keep URL, dropdowns, the view and the selected node in agreement.

    The URL (first load, back/forward) sets everything else; a user's change of a dropdown,
    a tap in the graph or a search sets the view and pushes a new URL.
    """
    if trigger in (None, ids.URL):
        wanted = parse_query(search, default_region)
        wanted_execution = wanted.execution or LATEST
        return Sync(
            region=wanted.region if wanted.region != region else no_update,
            pipeline=wanted.pipeline if wanted.pipeline != pipeline else no_update,
            execution=wanted_execution if wanted_execution != execution else no_update,
            view=wanted.store() if wanted.store() != current.store() else no_update,
            node=wanted.node if wanted.node != current.node else no_update,
            search_message="",
        )
    # The dropdowns cannot be cleared by a user (clearable=False): an empty value is a
    # dropdown dropping a value its options did not hold yet (several may do it in one
    # batch, reported as one trigger). Put them all back.
    if trigger in (ids.REGION, ids.PIPELINE, ids.EXECUTION):
        restore = Sync(
            region=current.region if not region and current.region else no_update,
            pipeline=current.pipeline if not pipeline and current.pipeline else no_update,
            execution=(current.execution or LATEST) if not execution else no_update,
        )
        if restore != Sync():
            return restore
    if trigger == ids.REGION:
        if not region or region == current.region:
            return Sync()
        new = View(region=region)
        return Sync(url_search=new.query(), pipeline=None, execution=LATEST, view=new.store(),
                    node=None, search_message="")
    if trigger == ids.PIPELINE:
        if not pipeline or pipeline == current.pipeline:
            return Sync()
        new = View(region=current.region or region, pipeline=pipeline)
        return Sync(url_search=new.query(), execution=LATEST, view=new.store(), node=None,
                    search_message="")
    if trigger == ids.EXECUTION:
        chosen = None if execution == LATEST else execution
        if chosen == current.execution:
            return Sync()
        new = replace(current, execution=chosen)
        return Sync(url_search=new.query(), view=new.store())
    if trigger == ids.GRAPH:
        chosen = next((str(d.get("id")) for d in selected or [] if d.get("id")), None)
        if chosen == current.node:
            return Sync()
        return Sync(url_search=replace(current, node=chosen).query(), node=chosen)
    if trigger == ids.SEARCH:
        found = find_step(step_query, step_names or [])
        if found is None:
            if not (step_query or "").strip():
                return Sync(search_message="")
            return Sync(search_message=f"No step matches \u201c{text(step_query, 80)}\u201d")
        if found == current.node:
            return Sync(search_message="")
        return Sync(url_search=replace(current, node=found).query(), node=found,
                    search_message="")
    return Sync()


def find_step(query: str | None, names: Sequence[str]) -> str | None:
    """Exact name, then the same ignoring case, then a prefix, then a part of a name."""
    wanted = (query or "").strip()
    if not wanted:
        return None
    if wanted in names:
        return wanted
    lowered = wanted.lower()
    for match in (
        lambda n: n.lower() == lowered,
        lambda n: n.lower().startswith(lowered),
        lambda n: lowered in n.lower(),
    ):
        hits = [name for name in names if match(name)]
        if hits:
            return hits[0]
    return None


# -- errors as messages ------------------------------------------------------------------------


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def friendly_error(exc: BaseException, view: View) -> Any:
    """A message for the page; never AWS's raw text (``LineageError.message`` is ours)."""
    pipeline = text(view.pipeline, 256)
    region = text(view.region, 64)
    if isinstance(exc, InvalidParameter):
        return message("error", "This view cannot be opened.", exc.message)
    if isinstance(exc, PipelineNotFound):
        return message("error", "Pipeline not found.",
                       f"There is no pipeline named {pipeline} in {region} that these "
                       "credentials can see. Choose one from the list.")
    if isinstance(exc, ExecutionNotFound):
        return message("error", "Execution not found.",
                       f"It is not an execution of {pipeline}. Choose one from the list, or "
                       "clear it to see the latest.")
    if isinstance(exc, AwsCredentialsMissing):
        return message("error", "No AWS credentials.",
                       "The server found no AWS credentials (profile, environment or role). "
                       "Configure them and refresh.")
    if isinstance(exc, AwsAccessDenied):
        return message("error", "AWS refused the request.",
                       "The server's credentials may not read this. Ask for the read-only "
                       "lineage policy.")
    if isinstance(exc, AwsThrottled):
        return message("warn", "AWS is busy.",
                       "SageMaker throttled the requests. Try again in a few seconds.")
    if isinstance(exc, AwsUnavailable | TimeoutError):
        return message("warn", "AWS did not answer in time.", "Try again in a moment.")
    if isinstance(exc, AwsError | LineageError):
        return message("error", "AWS could not answer.", exc.message)
    rid = request_id()
    logger.error("dashboard callback failed (request %s)", rid, exc_info=exc,
                 extra={"request_id": rid})
    return message("error", "Something went wrong.",
                   f"It was logged{f' under request id {rid}' if rid else ''}.")


# -- loading a view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """The outputs of ``load_view``."""

    elements: Any = ()
    layout: Any = no_update
    summary: Any = None
    message: Any = None
    last_scanned: Any = "–"
    interval_disabled: bool = True
    meta: Any = None
    step_names: Any = ()
    search_options: Any = ()

    def outputs(self) -> tuple[Any, ...]:
        return (list(self.elements), self.layout, self.summary, self.message, self.last_scanned,
                self.interval_disabled, self.meta, list(self.step_names),
                list(self.search_options))


def lineage_request(view: View, settings: Any) -> LineageRequest:
    """The same validation as ``/lineage`` (``lineage.request``)."""
    return parse_lineage_request(
        {"pipeline": view.pipeline, "region": view.region, "execution": view.execution},
        settings=settings,
        regions=sagemaker_regions(),
    )


def load_view(
    cached: Any,
    settings: Any,
    view: View,
    *,
    refresh: bool = False,
    data_view: bool = False,
    layout_choice: str | None = None,
    previous: Mapping[str, Any] | None = None,
) -> Loaded:
    if not view.pipeline:
        return Loaded(
            message=message("info", "Choose a pipeline.",
                            "Pick a region and a pipeline above to see its lineage."),
            layout=no_update,
        )
    try:
        req = lineage_request(view, settings)
        document = cached.lineage(req, refresh=refresh).document()
    except Exception as exc:  # the page shows what went wrong; it never raises
        return Loaded(message=friendly_error(exc, view))
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
    notes: list[Any] = []
    if execution is None:
        notes.append(message("info", "Never executed.",
                             "This pipeline has no execution yet: the graph shows its "
                             "definition, without run status."))
    elif running:
        notes.append(message("info", f"{text(status, 32)}…",
                             "This execution is still running; the view refreshes itself."))
    if document.get("warnings"):
        count = len(document["warnings"])
        notes.append(message("warn", f"{count} warning{'s' if count != 1 else ''}.",
                             "Some details could not be read; see the side panel."))
    return Loaded(
        elements=graph.elements,
        # Same nodes and edges as shown (a refresh): keep the user's viewport.
        layout=no_update if same_shape else layout,
        summary=summary_bar(document),
        message=notes or None,
        last_scanned=format_time(document.get("generatedAt")),
        interval_disabled=not running,
        meta=meta,
        step_names=graph.step_names,
        search_options=[html.Option(value=name) for name in graph.step_names],
    )


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:16]


def meta_request(meta: Mapping[str, Any] | None, settings: Any) -> LineageRequest | None:
    if not meta or not meta.get("pipeline"):
        return None
    return lineage_request(
        View(meta.get("region"), meta.get("pipeline"), meta.get("execution")), settings
    )


def panel_for(cached: Any, settings: Any, meta: Mapping[str, Any] | None,
              node: str | None) -> Any:
    """The side panel: the selected step or artifact, else the pipeline and its warnings."""
    try:
        req = meta_request(meta, settings)
        if req is None:
            return html.P("Nothing to show yet: choose a pipeline.", className="muted hint")
        document = cached.lineage(req).document()  # a cache hit: the graph just read it
    except Exception as exc:
        view = view_from_stores(meta, node)
        return friendly_error(exc, view)
    if not node:
        return pipeline_panel(document)
    return side_panel(document, node)


# -- dropdown options --------------------------------------------------------------------------


def pipeline_options(cached: Any, region: str | None, current: str | None,
                     *, refresh: bool = False) -> tuple[list[dict[str, Any]], str, Any]:
    """(options, placeholder, message) of the pipeline dropdown of ``region``."""
    if not region:
        return [], "Choose a region first", None
    try:
        if region not in sagemaker_regions():
            raise InvalidParameter("region", "region is not a region where SageMaker is available")
        listing = cached.pipelines([region], None, refresh=refresh).document()
    except Exception as exc:
        return _keep(current), "Pipelines could not be listed", friendly_error(
            exc, View(region=region))
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
        return options, "No pipelines in this region", message(
            "info", f"No pipelines in {text(region, 64)}.",
            "Choose another region, or create a pipeline in this one.")
    return options, f"Choose a pipeline ({len(listing['pipelines'])})…", None


def _keep(current: str | None) -> list[dict[str, Any]]:
    """The current value stays an option, so the dropdown never drops what the URL chose."""
    return [{"label": current, "value": current}] if current else []


def execution_options(cached: Any, region: str | None, pipeline: str | None,
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


def edge_caption(data: Mapping[str, Any] | None) -> str:
    if not data:
        return "Hover over or select an edge to see what it carries."
    via = str(data.get("via"))
    words = f"{text(data.get('source'), 256)} \u2192 {text(data.get('target'), 256)} ({via})"
    if data.get("property"):
        return f"{words}: {text(data.get('property'), 512)}"
    if data.get("branch"):
        return f"{words}: runs on the {data['branch']} branch"
    return words


def export_json(cached: Any, settings: Any, meta: Mapping[str, Any] | None) -> Any:
    req = meta_request(meta, settings)
    if req is None:
        return no_update
    served = cached.lineage(req)
    # What dcc.send_string builds: the cached JSON text as it is.
    return {"content": served.body, "filename": f"{req.pipeline}-lineage.json",
            "type": "application/json", "base64": False}


def export_png(meta: Mapping[str, Any] | None) -> Any:
    if not meta or not meta.get("pipeline"):
        return no_update
    return {"type": "png", "action": "download", "filename": f"{meta['pipeline']}-lineage",
            "options": {"full": True, "scale": 2, "bg": "#ffffff"}}


# -- registration ------------------------------------------------------------------------------


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        Output(ids.URL, "search"),
        Output(ids.REGION, "value"),
        Output(ids.PIPELINE, "value"),
        Output(ids.EXECUTION, "value"),
        Output(ids.VIEW, "data"),
        Output(ids.NODE, "data"),
        Output(ids.SEARCH_MESSAGE, "children"),
        Input(ids.URL, "search"),
        Input(ids.REGION, "value"),
        Input(ids.PIPELINE, "value"),
        Input(ids.EXECUTION, "value"),
        # A user's tap, not any change of selection: the page selects nodes itself (URL,
        # search, back/forward), and those selections must not push URLs of their own.
        Input(ids.GRAPH, "tapNodeData"),
        Input(ids.SEARCH, "n_submit"),
        State(ids.SEARCH, "value"),
        State(ids.STEP_NAMES, "data"),
        State(ids.VIEW, "data"),
        State(ids.NODE, "data"),
    )
    def _sync(search: Any, region: Any, pipeline: Any, execution: Any, selected: Any,
              _submits: Any, step_query: Any, step_names: Any, view: Any, node: Any
              ) -> tuple[Any, ...]:
        try:
            return sync_view(
                ctx.triggered_id if ctx.triggered else None,
                search=search, region=region, pipeline=pipeline, execution=execution,
                selected=[selected] if isinstance(selected, dict) else selected,
                step_query=step_query, step_names=step_names,
                current=view_from_stores(view, node),
                default_region=state().settings.default_region,
            ).outputs()
        except Exception:
            logger.exception("view sync failed")
            return Sync().outputs()

    @app.callback(
        Output(ids.PIPELINE, "options"),
        Output(ids.PIPELINE, "placeholder"),
        Output(ids.CATALOG_MESSAGE, "children"),
        Input(ids.REGION, "value"),
        Input(ids.REFRESH, "n_clicks"),
        State(ids.VIEW, "data"),
    )
    def _pipelines(region: Any, _clicks: Any, view: Any) -> tuple[Any, ...]:
        shown = view_from_stores(view, None)
        current = shown.pipeline if shown.region == region else None
        return pipeline_options(state().cached, region, current,
                                refresh=ctx.triggered_id == ids.REFRESH)

    @app.callback(
        Output(ids.EXECUTION, "options"),
        Input(ids.PIPELINE, "value"),
        Input(ids.REFRESH, "n_clicks"),
        Input(ids.META, "data"),
        State(ids.REGION, "value"),
        State(ids.EXECUTION, "value"),
    )
    def _executions(pipeline: Any, _clicks: Any, _meta: Any, region: Any, current: Any
                    ) -> list[dict[str, Any]]:
        return execution_options(state().cached, region, pipeline, current,
                                 refresh=ctx.triggered_id == ids.REFRESH)

    @app.callback(
        Output(ids.GRAPH, "elements"),
        Output(ids.GRAPH, "layout"),
        Output(ids.SUMMARY, "children"),
        Output(ids.MESSAGE, "children"),
        Output(ids.LAST_SCANNED, "children"),
        Output(ids.INTERVAL, "disabled"),
        Output(ids.META, "data"),
        Output(ids.STEP_NAMES, "data"),
        Output(ids.SEARCH_OPTIONS, "children"),
        Input(ids.VIEW, "data"),
        Input(ids.REFRESH, "n_clicks"),
        Input(ids.INTERVAL, "n_intervals"),
        Input(ids.DATA_VIEW, "value"),
        Input(ids.LAYOUT_CHOICE, "value"),
        State(ids.NODE, "data"),
        State(ids.META, "data"),
        running=[(Output(ids.REFRESH, "disabled"), True, False)],
    )
    def _render(view: Any, _clicks: Any, _ticks: Any, data_view: Any, layout_choice: Any,
                node: Any, meta: Any) -> tuple[Any, ...]:
        api = state()
        return load_view(
            api.cached, api.settings, view_from_stores(view, node),
            refresh=ctx.triggered_id == ids.REFRESH,
            data_view=DATA_VIEW_ON in (data_view or []),
            layout_choice=layout_choice,
            previous=meta,
        ).outputs()

    @app.callback(Output(ids.PANEL, "children"), Input(ids.NODE, "data"),
                  Input(ids.META, "data"))
    def _panel(node: Any, meta: Any) -> Any:
        api = state()
        return panel_for(api.cached, api.settings, meta, node)

    @app.callback(Output(ids.EDGE_CAPTION, "children"),
                  Input(ids.GRAPH, "mouseoverEdgeData"), Input(ids.GRAPH, "tapEdgeData"))
    def _caption(hovered: Any, tapped: Any) -> str:
        tap = f"{ids.GRAPH}.tapEdgeData" in ctx.triggered_prop_ids
        return edge_caption(tapped if tap else hovered)

    @app.callback(Output(ids.DOWNLOAD, "data"), Input(ids.EXPORT_JSON, "n_clicks"),
                  State(ids.META, "data"), prevent_initial_call=True)
    def _export_json(_clicks: Any, meta: Any) -> Any:
        api = state()
        try:
            return export_json(api.cached, api.settings, meta)
        except Exception:
            logger.exception("JSON export failed")
            return no_update

    @app.callback(Output(ids.GRAPH, "generateImage"), Input(ids.EXPORT_PNG, "n_clicks"),
                  State(ids.META, "data"), prevent_initial_call=True)
    def _export_png(_clicks: Any, meta: Any) -> Any:
        return export_png(meta)

    # Camera moves happen in the browser (assets/dashboard.js): no round trip.
    untyped: Any = app
    untyped.clientside_callback(
        dash.ClientsideFunction(namespace="lineage", function_name="camera"),
        Output(ids.CLIENTSIDE_SINK, "children"),
        Input(ids.FIT, "n_clicks"), Input(ids.ZOOM_IN, "n_clicks"),
        Input(ids.ZOOM_OUT, "n_clicks"),
        prevent_initial_call=True,
    )
    untyped.clientside_callback(
        dash.ClientsideFunction(namespace="lineage", function_name="focus"),
        Output(ids.CLIENTSIDE_SINK, "title"),
        Input(ids.NODE, "data"), Input(ids.GRAPH, "elements"),
    )
