"""The page's requests, validated exactly as the API validates them, before any reaches AWS.

Every callback that reads the cached service builds its request here, with the parse
functions of ``lineage.request`` and the regions this server offers (``AppState.regions``:
``LINEAGE_REGIONS``, else every SageMaker region), as ``/lineage``, ``/pipelines``,
``/executions``, ``/compare``, ``/timeline`` and ``/trends`` do (``lineage.analytics_request``
for the last three). A region, pipeline, execution or ``last`` the API answers 400 to raises
the same ``InvalidParameter`` here, which the page shows as a note. The values come from the
browser: one of the wrong type (a dict, a list or a number where text goes) is invalid like
any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashboard.core.state import AppState
from lineage.analytics_request import (
    CompareRequest,
    TrendsRequest,
    parse_compare_request,
    parse_timeline_request,
    parse_trends_request,
)
from lineage.errors import InvalidParameter
from lineage.request import (
    ExecutionsRequest,
    LineageRequest,
    parse_executions_request,
    parse_lineage_request,
    parse_pipelines_request,
)


def lineage_request(app: AppState, *, region: Any, pipeline: Any,
                    execution: Any = None) -> LineageRequest:
    """As ``/lineage?region=&pipeline=&execution=``."""
    params = text_params(region=region, pipeline=pipeline, execution=execution)
    return parse_lineage_request(params, settings=app.settings, regions=app.regions)


def meta_request(app: AppState, meta: Any) -> LineageRequest | None:
    """The request of the view the page shows (its meta store); ``None`` before one is."""
    if not isinstance(meta, Mapping) or not meta.get("pipeline"):
        return None
    return lineage_request(app, region=meta.get("region"), pipeline=meta.get("pipeline"),
                           execution=meta.get("execution"))


def executions_request(app: AppState, *, region: Any, pipeline: Any,
                       limit: int) -> ExecutionsRequest:
    """As ``/executions?region=&pipeline=&limit=``."""
    params = text_params(region=region, pipeline=pipeline, limit=str(limit))
    return parse_executions_request(params, settings=app.settings, regions=app.regions)


def timeline_request(app: AppState, *, region: Any, pipeline: Any,
                     execution: Any = None) -> LineageRequest:
    """As ``/timeline?region=&pipeline=&execution=``."""
    params = text_params(region=region, pipeline=pipeline, execution=execution)
    return parse_timeline_request(params, settings=app.settings, regions=app.regions)


def trends_request(app: AppState, *, region: Any, pipeline: Any,
                   last: Any = None) -> TrendsRequest:
    """As ``/trends?region=&pipeline=&last=``."""
    params = text_params(region=region, pipeline=pipeline, last=last)
    return parse_trends_request(params, settings=app.settings, regions=app.regions)


def compare_request(app: AppState, *, region: Any, pipeline: Any, a: Any,
                    b: Any) -> CompareRequest:
    """As ``/compare?region=&pipeline=&a=&b=``."""
    params = text_params(region=region, pipeline=pipeline, a=a, b=b)
    return parse_compare_request(params, settings=app.settings, regions=app.regions)


def listed_region(app: AppState, region: Any) -> str:
    """The one region whose pipelines the page lists: as ``/pipelines?region=``, which also
    takes a list or ``all``; the page's dropdown shows one region."""
    wanted = parse_pipelines_request(text_params(region=region), settings=app.settings,
                                     regions=app.regions, offered=app.regions)
    if len(wanted.regions) != 1:
        raise InvalidParameter("region", "region must name one region")
    return wanted.regions[0]


def offered_order(offered: Sequence[str], default: str) -> list[str]:
    """The regions a dropdown lists: the default first, then the rest by name; only the
    offered ones (a default outside ``LINEAGE_REGIONS`` is not offered either)."""
    return [region for region in dict.fromkeys([default, *sorted(offered)]) if region in offered]


def absent(value: Any) -> bool:
    """Whether a parameter counts as not given (as the API treats an empty one)."""
    return value is None or value == ""


def text_params(**values: Any) -> dict[str, str | None]:
    """Request parameters as the API gets them, text; any other type is refused by name."""
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise InvalidParameter(name, f"{name} must be text")
    return values
