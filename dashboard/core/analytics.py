"""Compare, timeline and trends, served from the cached service (``dashboard.core.cache``).

- **compare**: both documents (the entries ``/lineage?execution=`` uses) and both definitions
  (entries of their own: an execution's definition never changes), the two sides read at once
  (``lineage.runs_reader``); the comparison kept under a key of its own (the executions' ids)
  as long as a finished document when both are, else as a running one.
- **timeline**: drawn from the very document ``/lineage`` serves (its entry and lifetimes: a
  running execution's for ``LINEAGE_CACHE_TTL_RUNNING_SEC``) at each request's ``now``, so
  a running execution grows with every ask.
- **trends**: the newest executions listed, their lean documents (no bucket settings) read at
  once, each kept as any document is; the whole answer kept as long as a list, or as a
  running document when a run could not be read for a passing reason.

Each is one fetch for the client's AWS-read limit, however many documents it reads;
``refresh=true`` reads its documents again (not the definitions).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from dashboard.core.cache import KEY_VERSION, AnswerEntry, CachedLineage, Served
from dashboard.core.requests import RequestStats, current_stats
from lineage.analytics_request import CompareRequest, TrendsRequest
from lineage.request import LineageRequest, execution_id
from lineage.runs_reader import read_comparison, read_trends
from lineage.timeline import document_timeline

T = TypeVar("T")


def compare(
    cached: CachedLineage, request: CompareRequest, *, refresh: bool = False,
    stats: RequestStats | None = None,
) -> Served:
    """``lineage.compare``'s answer for ``a`` against ``b``."""
    stats = stats if stats is not None else current_stats()
    counted = _Counted(stats)

    def compute(refreshing: bool) -> tuple[AnswerEntry, int]:
        finished: list[bool] = []

        def document_for(side: LineageRequest) -> Mapping[str, Any]:
            entry, _, _ = counted.run(lambda part: cached.lineage_entry(
                side, refresh=refreshing, stats=part, admit=False))
            finished.append(entry.finished)
            document: Mapping[str, Any] = json.loads(entry.body)
            return document

        def definition_for(arn: str) -> str:
            return counted.run(lambda part: cached.definition(
                request.region, request.pipeline, arn, stats=part, admit=False))

        comparison = read_comparison(cached.service, request, document_for=document_for,
                                     definition_for=definition_for)
        both_finished = len(finished) == 2 and all(finished)
        arns = tuple(side.arn if side else None for side in (comparison.a, comparison.b))
        return (AnswerEntry(_text(comparison.to_dict()), arns),
                cached.ttls.finished if both_finished else cached.ttls.running)

    return cached.memoised(compare_key(request), compute, refresh=refresh, stats=stats,
                           executions=(request.a, request.b))


def timeline(
    cached: CachedLineage, request: LineageRequest, *, refresh: bool = False,
    stats: RequestStats | None = None, now: datetime | None = None,
) -> Served:
    """``lineage.timeline``'s answer for the document of ``request``, open bars ending now."""
    served = cached.lineage(request, refresh=refresh, stats=stats)
    drawn = document_timeline(json.loads(served.body), now=now or datetime.now(UTC))
    return Served(_text(drawn.to_dict()), served.source, served.refresh_after)


def trends(
    cached: CachedLineage, request: TrendsRequest, *, refresh: bool = False,
    stats: RequestStats | None = None,
) -> Served:
    """``lineage.trends``' answer over the ``request.last`` newest executions."""
    stats = stats if stats is not None else current_stats()
    counted = _Counted(stats)

    def compute(refreshing: bool) -> tuple[AnswerEntry, int]:
        def document_for(run: LineageRequest) -> Mapping[str, Any]:
            entry, _, _ = counted.run(lambda part: cached.lineage_entry(
                run, refresh=refreshing, stats=part, admit=False))
            document: Mapping[str, Any] = json.loads(entry.body)
            return document

        # The listing comes first, on this thread: stats are not shared yet.
        runs = read_trends(cached.service, request, document_for=document_for, stats=stats)
        ttl = cached.ttls.running if runs.transient else cached.ttls.lists
        return AnswerEntry(_text(runs.trends())), ttl

    return cached.memoised(trends_key(request), compute, refresh=refresh, stats=stats)


def compare_key(request: CompareRequest) -> str:
    """One entry per pair, whether each execution was named by its id or its ARN."""
    return (f"compare:{KEY_VERSION}:{request.region}:{request.pipeline}:"
            f"{execution_id(request.a)}:{execution_id(request.b)}")


def trends_key(request: TrendsRequest) -> str:
    return f"trends:{KEY_VERSION}:{request.region}:{request.pipeline}:{request.last}"


class _Counted:
    """The AWS calls of an answer's parts, made on the reading pool's threads, added to the
    request's stats (its cache outcome is the answer's own, not a part's)."""

    def __init__(self, stats: RequestStats) -> None:
        self.stats = stats
        self._lock = threading.Lock()

    def run(self, part: Callable[[RequestStats], T]) -> T:
        own = RequestStats()
        try:
            return part(own)
        finally:
            with self._lock:
                self.stats.aws_calls += own.aws_calls


def _text(answer: Any) -> str:
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
