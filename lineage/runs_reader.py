"""Reading the runs a comparison and the trends are made of, at once (I/O).

:func:`read_comparison` reads both executions side by side: each one's lineage document, then
the definition it ran (DescribePipelineDefinitionForExecution needs the run's ARN, which an id
does not give). :func:`read_trends` lists a pipeline's newest executions (one
ListPipelineExecutions) and reads all their documents at once. Documents come through the
caller's ``document_for`` and definitions through its ``definition_for`` (the web side passes
its cached service, so each is read from AWS once per lifetime). The reads run on a pool of
their own (:data:`RUNS_POOL`): each waits for calls of its own on the SageMaker and S3 pools,
so it must not run on those. A run of the trends whose document cannot be read is a warning;
a side of a comparison that cannot be read fails the comparison, naming the side.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from lineage.analytics_request import SIDES, CompareRequest, Side, TrendsRequest
from lineage.catalog import recent_execution_arns
from lineage.compare import Comparison, ExecutionSide, compare_executions
from lineage.errors import DeadlineExceeded, ExecutionNotFound, InvalidParameter, LineageError
from lineage.models import JsonDict, Warning
from lineage.request import LineageRequest
from lineage.service import CallStats, LineageService
from lineage.trends import pipeline_trends

RUNS_POOL = "runs"

# A lineage document request -> the document's JSON (LineageDocument.to_dict()).
DocumentFor = Callable[[LineageRequest], Mapping[str, Any]]
# An execution's ARN -> the definition it ran (its JSON text).
DefinitionFor = Callable[[str], str]


@dataclass(frozen=True)
class RecentRuns:
    """The documents of a pipeline's newest executions that could be read, newest first."""

    documents: tuple[Mapping[str, Any], ...]
    warnings: tuple[Warning, ...] = ()  # the runs left out, and why

    @property
    def transient(self) -> bool:
        return any(warning.transient for warning in self.warnings)

    def trends(self) -> JsonDict:
        """The answer of ``GET /trends``: :mod:`lineage.trends`' JSON and the warnings."""
        answer = pipeline_trends(self.documents).to_dict()
        answer["warnings"] = [warning.to_dict() for warning in self.warnings]
        return answer


def read_comparison(
    service: LineageService,
    request: CompareRequest,
    *,
    document_for: DocumentFor,
    definition_for: DefinitionFor,
) -> Comparison:
    """``a`` against ``b``, both read at once. An unknown side is :class:`ExecutionNotFound`
    and an ARN of another account an :class:`InvalidParameter`, each naming ``a`` or ``b``."""
    with _runs_pool(service) as pool:
        calls = service.calls()
        futures = [calls.submit(pool, _read_side, label, request.side(label), document_for,
                                definition_for) for label in SIDES]
        a, b = (calls.result(future) for future in futures)
    return compare_executions(a, b)


def read_trends(
    service: LineageService,
    request: TrendsRequest,
    *,
    document_for: DocumentFor,
    stats: CallStats,
) -> RecentRuns:
    """The documents of the ``request.last`` newest executions, read at once; those not read
    by the request deadline, or failing, are left out with a warning each."""
    arns = recent_execution_arns(service, request.pipeline, request.region, request.last,
                                 stats=stats)
    documents: dict[str, Mapping[str, Any]] = {}
    warnings: list[Warning] = []

    def landed(arn: str) -> Callable[[Future[Mapping[str, Any]]], None]:
        def done(answer: Future[Mapping[str, Any]]) -> None:
            try:
                documents[arn] = answer.result()
            except LineageError as exc:
                warnings.append(Warning.for_error(
                    exc, "its document could not be read; the trends leave it out", arn,
                    area="EXECUTION"))

        return done

    with _runs_pool(service) as pool:
        calls = service.calls()
        for arn in arns:
            run = LineageRequest(request.pipeline, request.region, execution=arn,
                                 for_trends=True)
            calls.submit(pool, document_for, run, then=landed(arn))
        abandoned = calls.drain()
    if abandoned:
        warnings.append(Warning.for_error(
            DeadlineExceeded(), f"{abandoned} executions were not read within the request "
            "deadline; the trends leave them out", None))
    return RecentRuns(tuple(documents[arn] for arn in arns if arn in documents),
                      tuple(warnings))


def _read_side(
    label: Side, request: LineageRequest, document_for: DocumentFor,
    definition_for: DefinitionFor,
) -> ExecutionSide:
    try:
        document = document_for(request)
        execution = document.get("execution") or {}
        arn = execution.get("arn")
        if not arn:  # an execution was named: its document has one
            raise ExecutionNotFound("execution not found for this pipeline")
        return ExecutionSide(document, definition_for(str(arn)))
    except ExecutionNotFound:
        raise ExecutionNotFound(f"execution {label} not found for this pipeline") from None
    except InvalidParameter as exc:
        if exc.parameter != "execution":
            raise
        # The service's check: an ARN of another account names another pipeline.
        raise InvalidParameter(label, f"{label} does not belong to this pipeline and region"
                               ) from None


@contextlib.contextmanager
def _runs_pool(service: LineageService) -> Iterator[Executor]:
    """The pool for whole document reads; with ``serial_aws_calls`` one of this request's
    own (the serial pool would wait for itself: a read on it queues its calls behind it)."""
    if not service.settings.serial_aws_calls:
        yield service.pool_for(RUNS_POOL)
        return
    own = ThreadPoolExecutor(1, thread_name_prefix=RUNS_POOL)
    try:
        yield own
    finally:
        own.shutdown(wait=False, cancel_futures=True)
