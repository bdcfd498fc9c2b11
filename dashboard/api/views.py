"""The JSON API's views: thin, over the memoised service functions (``dashboard.core.cache``,
``dashboard.core.analytics``).

``/lineage`` follows docs/CONTRACT.md exactly (parameters, messages, error bodies, CORS);
``/pipelines``, ``/executions``, the estate's ``/estate``, ``/impact`` and ``/provenance``,
``/findings`` (JSON or CSV), the analytics across runs ``/compare``, ``/timeline`` and
``/trends``, ``/regions``, ``/healthz``, ``/readyz`` and ``/openapi.json`` are its
companions; ``/sagemaker/pipelines``, ``/lineage/by-domain`` and ``/schema`` (also at
``/lineage/schema``), with ``/lineage``'s ``view``, are the sibling API's, for its frontend;
``/lineage?format=openlineage`` answers the execution's OpenLineage RunEvents. Error bodies
never carry AWS's raw text or a trace (``errors``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from dashboard.api.cors import add_cors_headers
from dashboard.api.errors import install_error_handlers
from dashboard.api.openapi import openapi_document
from dashboard.core import analytics
from dashboard.core.cache import Served
from dashboard.core.config import ESTATE_PAGE_PATH
from dashboard.core.readiness import ProbeAnswer, liveness, readiness
from dashboard.core.requests import RequestStats, current_stats
from dashboard.core.state import state
from lineage.analytics_request import (
    parse_compare_request,
    parse_timeline_request,
    parse_trends_request,
)
from lineage.config import parse_bool
from lineage.errors import InvalidParameter
from lineage.estate_request import (
    parse_estate_request,
    parse_impact_request,
    parse_provenance_request,
)
from lineage.findings_report import document_report, estate_report, to_csv
from lineage.findings_request import parse_findings_request
from lineage.policy import Policy
from lineage.request import (
    parse_domain_lineage_request,
    parse_executions_request,
    parse_lineage_query,
    parse_pipelines_request,
    parse_schema_request,
    parse_sibling_pipelines_request,
)

# What /estate can answer: the JSON (first: what */* gets), or the page for a browser.
JSON_OR_HTML = ["application/json", "text/html"]
# What /findings can answer without a format parameter: JSON (what */* gets), or CSV.
JSON_OR_CSV = ["application/json", "text/csv"]

bp = Blueprint("api", __name__)
install_error_handlers(bp)
bp.after_request(add_cors_headers)


@bp.get("/lineage")
def lineage() -> Response:
    api = state()
    query = parse_lineage_query(request.args, settings=api.settings, regions=api.regions)
    g.log_region = query.request.region
    return _served(api.cached.sibling_lineage(query, refresh=_refresh(), stats=_stats()))


# The sibling API's companions (BOB-DSPM/DSPM_DATA-Lineage-Tracking; lineage.sibling), so its
# frontend (BOB-DSPM/SAGE-FRONT) works against this server unchanged.


@bp.get("/sagemaker/pipelines")
def sibling_pipelines() -> Response:
    api = state()
    wanted = parse_sibling_pipelines_request(request.args, regions=api.regions,
                                             offered=api.regions)
    g.log_region = ",".join(wanted.regions)
    return _served(api.cached.sibling_pipelines(wanted, refresh=_refresh(), stats=_stats()))


@bp.get("/lineage/by-domain")
def lineage_by_domain() -> Response:
    api = state()
    wanted = parse_domain_lineage_request(request.args, settings=api.settings,
                                          regions=api.regions)
    g.log_region = wanted.region
    return _served(api.cached.domain_lineage(wanted, refresh=_refresh(), stats=_stats()))


@bp.get("/schema")
@bp.get("/lineage/schema")
def schema() -> Response:
    """The sibling API's schema layer (its frontend asks both paths): tables and columns of
    the pipeline's datasets, the Feature Store's feature groups linked to them."""
    api = state()
    wanted = parse_schema_request(request.args, settings=api.settings, regions=api.regions)
    g.log_region = wanted.lineage.region
    return _served(api.cached.schema(wanted, refresh=_refresh(), stats=_stats()))


@bp.get("/pipelines")
def pipelines() -> Response:
    api = state()
    wanted = parse_pipelines_request(
        request.args, settings=api.settings, regions=api.regions, offered=api.regions
    )
    g.log_region = ",".join(wanted.regions)
    return _served(
        api.cached.pipelines(wanted.regions, wanted.domain, refresh=_refresh(), stats=_stats())
    )


@bp.get("/executions")
def executions() -> Response:
    api = state()
    wanted = parse_executions_request(
        request.args, settings=api.settings, regions=api.regions
    )
    g.log_region = wanted.region
    return _served(api.cached.execution_page(wanted, refresh=_refresh(), stats=_stats()))


@bp.get("/estate")
def estate() -> Response | WerkzeugResponse:
    page = current_app.config.get(ESTATE_PAGE_PATH)
    if page and request.accept_mimetypes.best_match(JSON_OR_HTML) == "text/html":
        # A person typed the address: the page draws this JSON (API clients ask for JSON).
        query = request.query_string.decode("utf-8", "replace")
        return redirect(f"{page}?{query}" if query else page, code=303)
    api = state()
    wanted = parse_estate_request(
        request.args, settings=api.settings, regions=api.regions, offered=api.regions
    )
    g.log_region = ",".join(wanted.regions)
    return _served(api.cached.estate(wanted, refresh=_refresh(), stats=_stats(), progress=True))


@bp.get("/impact")
def impact() -> Response:
    return _estate_query(parse_impact_request,
                         lambda cached, wanted: cached.impact(wanted, stats=_stats()))


@bp.get("/provenance")
def provenance() -> Response:
    return _estate_query(parse_provenance_request,
                         lambda cached, wanted: cached.provenance(wanted, stats=_stats()))


def _estate_query(parse: Callable[..., Any], ask: Callable[[Any, Any], Served]) -> Response:
    """A question to the cached estate: its parameters parsed as the CLI parses them."""
    api = state()
    wanted = parse(request.args, settings=api.settings, regions=api.regions,
                   offered=api.regions)
    g.log_region = ",".join(wanted.estate.regions)
    return _served(ask(api.cached, wanted))


@bp.get("/findings")
def findings() -> Response:
    """The findings report (``lineage.findings_report``) of a pipeline's cached document, or
    of the whole cached estate; JSON, or CSV for ``format=csv`` or ``Accept: text/csv``."""
    api = state()
    wanted = parse_findings_request(request.args, settings=api.settings, regions=api.regions,
                                    offered=api.regions)
    g.log_region = ",".join(wanted.regions)
    scope = json.dumps(wanted.scope(), sort_keys=True)
    if wanted.lineage is not None:
        served = api.cached.lineage(wanted.lineage, refresh=_refresh(), stats=_stats())
    else:
        assert wanted.estate is not None
        served = api.cached.estate(wanted.estate, refresh=_refresh(), stats=_stats(),
                                   progress=False)
    form = wanted.format or (
        "csv" if request.accept_mimetypes.best_match(JSON_OR_CSV) == "text/csv" else "json")
    text = _report_text(served.body, api.settings.policy, scope, wanted.lineage is None,
                        wanted.severity, form)
    if form == "csv":
        response = current_app.response_class(text, mimetype="text/csv")
        name = wanted.lineage.pipeline if wanted.lineage is not None else "estate"
        # The name is a validated pipeline name (letters, digits, hyphens) or "estate".
        response.headers["Content-Disposition"] = f'attachment; filename="findings-{name}.csv"'
        response.headers["Cache-Control"] = "no-store"  # bucket settings, as the JSON
    else:
        response = current_app.response_class(text, mimetype="application/json")
    if wanted.format is None:
        response.vary.add("Accept")  # the same address answers JSON or CSV
    response.headers["X-Cache"] = served.source
    if served.refresh_after is not None:
        response.headers["X-Refresh-After"] = str(served.refresh_after)
    return response


# A report is the same as long as the cached answer it is made from: an estate's is a walk
# of a megabyte of JSON, so each worker keeps its last few answers (a body is its own key).
@functools.lru_cache(maxsize=4)
def _report_text(body: str, policy: Policy, scope: str, estate: bool, severity: str | None,
                 form: str) -> str:
    make = estate_report if estate else document_report
    report = make(json.loads(body), policy, scope=json.loads(scope)).at_least(severity)
    if form == "csv":
        return to_csv(report)
    return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))


@bp.get("/compare")
def compare() -> Response:
    api = state()
    wanted = parse_compare_request(request.args, settings=api.settings, regions=api.regions)
    g.log_region = wanted.region
    return _served(analytics.compare(api.cached, wanted, refresh=_refresh(), stats=_stats()))


@bp.get("/timeline")
def timeline() -> Response:
    api = state()
    wanted = parse_timeline_request(request.args, settings=api.settings, regions=api.regions)
    g.log_region = wanted.region
    return _served(analytics.timeline(api.cached, wanted, refresh=_refresh(), stats=_stats()))


@bp.get("/trends")
def trends() -> Response:
    api = state()
    wanted = parse_trends_request(request.args, settings=api.settings, regions=api.regions)
    g.log_region = wanted.region
    return _served(analytics.trends(api.cached, wanted, refresh=_refresh(), stats=_stats()))


@bp.get("/regions")
def regions() -> Response:
    api = state()
    return jsonify({"regions": list(api.regions), "default": api.settings.default_region})


@bp.get("/healthz")
def healthz() -> Response:
    return _probe(liveness(current_app))


@bp.get("/readyz")
def readyz() -> Response:
    return _probe(readiness(current_app))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(current_app.config, mounted_at=request.script_root))


# -- helpers ------------------------------------------------------------------------------------


def _stats() -> RequestStats:
    return current_stats()


def _refresh() -> bool:
    raw = request.args.get("refresh")
    if raw is None or raw == "":
        return False
    flag = parse_bool(raw)
    if flag is None:
        raise InvalidParameter("refresh", "refresh must be true, false, 1, 0, yes or no")
    return flag


def _probe(answer: ProbeAnswer) -> Response:
    # The same answer the health listener sends (dashboard.core.readiness).
    response = jsonify(answer.body)
    response.status_code = answer.status
    response.headers.update(answer.headers)
    return response


def _served(served: Served) -> Response:
    response = current_app.response_class(served.body, mimetype="application/json")
    response.headers["X-Cache"] = served.source
    if served.refresh_after is not None:  # a refresh asked too soon: this is the cached one
        response.headers["X-Refresh-After"] = str(served.refresh_after)
    return response
