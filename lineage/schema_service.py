"""``/schema``'s reads: a pipeline's document (with its dataset schemas when ENABLE_SCHEMA is
on) and, on request, SageMaker Feature Store's feature groups (I/O).

The view calls :func:`read_schema_answer` (or, holding a document already, e.g. the cached
service's, :func:`read_feature_groups` and :func:`lineage.schema_answer.schema_answer`).
Feature groups: ``ListFeatureGroups`` (all pages), then every group's
``DescribeFeatureGroup`` at once on the SageMaker pool (the listing gives no offline store),
at most :data:`MAX_FEATURE_GROUPS`; a failure is a warning ``FEATURESTORE_<KIND>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

from lineage.errors import AwsError
from lineage.models import JsonDict, LineageDocument, Warning
from lineage.request import LineageRequest
from lineage.schema_answer import feature_group_view, schema_answer
from lineage.service import CallStats, LineageService

MAX_FEATURE_GROUPS = 200
AREA = "FEATURESTORE"
DISABLED = "SCHEMA_DISABLED"


def read_feature_groups(
    service: LineageService, region: str, *, stats: CallStats | None = None
) -> tuple[list[JsonDict], list[Warning]]:
    """The feature groups of ``region`` (:func:`feature_group_view` of each description) and
    the warnings of reading them; raises nothing of AWS's."""
    api = service.api_for(region)
    calls = service.calls()
    warnings: list[Warning] = []
    views: dict[str, JsonDict] = {}
    try:
        try:
            summaries = calls.result(calls.submit(service.pool, api.list_feature_groups))
        except AwsError as exc:
            warnings.append(Warning.for_error(exc, "the feature groups could not be listed",
                                              None, area=AREA))
            return [], warnings
        names = sorted({str(s["FeatureGroupName"]) for s in summaries
                        if isinstance(s.get("FeatureGroupName"), str)})
        if len(names) > MAX_FEATURE_GROUPS:
            warnings.append(Warning(f"{AREA}_SKIPPED", f"more than {MAX_FEATURE_GROUPS} "
                                    "feature groups: the rest were not described", None))
            names = names[:MAX_FEATURE_GROUPS]

        def landed(name: str) -> Any:
            def done(answer: Future[dict[str, Any]]) -> None:
                try:
                    view = feature_group_view(answer.result())
                except AwsError as exc:
                    warnings.append(Warning.for_error(
                        exc, f"the feature group {name} could not be described", name,
                        area=AREA))
                    return
                if view is not None:
                    views[name] = view
            return done

        for name in names:
            calls.submit(service.pool, api.describe_feature_group, name, then=landed(name))
        if calls.drain():
            warnings.append(Warning(f"{AREA}_DEADLINE_EXCEEDED",
                                    "some feature groups were not described in time", None))
    finally:
        if stats is not None:
            stats.aws_calls += api.call_count
    return [views[name] for name in sorted(views)], sorted(warnings)


def read_schema_answer(
    service: LineageService,
    request: LineageRequest,
    *,
    include_featurestore: bool = False,
    document: LineageDocument | Mapping[str, Any] | None = None,
    stats: CallStats | None = None,
) -> JsonDict:
    """The ``/schema`` answer of ``request``'s pipeline (``document``: one already read, e.g.
    the cache's contract dict). Raises what :meth:`LineageService.get_lineage` raises (no such
    pipeline, AWS failing the pipeline itself); anything else is a warning."""
    if document is None:
        document = service.get_lineage(request, stats=stats)
    extra: list[Warning] = []
    if not service.settings.enable_schema:
        extra.append(Warning(DISABLED, "dataset schemas are off (ENABLE_SCHEMA=true reads "
                             "them; it needs s3:ListBucket and s3:GetObject)", None))
    groups: list[JsonDict] = []
    if include_featurestore:
        groups, read = read_feature_groups(service, request.region, stats=stats)
        extra.extend(read)
    return schema_answer(document, feature_groups=groups, warnings=extra)
