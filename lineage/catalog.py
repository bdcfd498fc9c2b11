"""What there is to look at: the pipelines of some regions, the executions of one (a page of
``ListPipelineExecutions`` at a time, filtered by status and parameter values over its pages).

Like :mod:`lineage.service` these run every AWS call on the service's bounded pools, with the
request's deadline (:class:`lineage.calls.Calls`), and only fail when nothing could be read; a
region, a pipeline's tags or its latest execution that cannot be read becomes a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from lineage.aws import AwsApi
from lineage.calls import Calls
from lineage.domains import domain_matches, needs_domain_list
from lineage.errors import (
    AwsError,
    AwsNotFound,
    DeadlineExceeded,
    InvalidParameter,
    PipelineNotFound,
)
from lineage.models import ExecutionInfo, ExecutionList, PipelineList, Warning
from lineage.request import DEFAULT_EXECUTIONS, ExecutionsRequest, ListingPosition
from lineage.runinfo import (
    execution_info,
    listed_execution,
    newest_execution,
    pipeline_info,
    utc,
)
from lineage.service import CallStats, LineageService


def list_pipelines(
    service: LineageService,
    regions: Collection[str],
    domain: str | None = None,
    *,
    stats: CallStats | None = None,
    details: bool = True,
) -> PipelineList:
    """The pipelines of ``regions`` (fetched concurrently), with tags and latest execution.

    ``details=False``: ``ListPipelines`` alone (no tags, no latest execution), for a caller
    that reads each pipeline's document anyway (the estate); a domain filter needs the tags,
    so it reads them regardless. ``stats.aws_calls`` grows by the calls made, even when the
    listing fails.
    """
    listing = _PipelineListing(service, sorted(set(regions)), domain,
                               details=details or domain is not None)
    try:
        return listing.run()
    finally:
        if stats is not None:
            stats.aws_calls += listing.aws_calls


def list_executions(
    service: LineageService,
    pipeline: str,
    region: str,
    limit: int = DEFAULT_EXECUTIONS,
    *,
    stats: CallStats | None = None,
) -> ExecutionList:
    """The ``limit`` newest executions of ``pipeline``, each with its end time.

    ``stats.aws_calls`` grows by the calls made, even when the listing fails.
    """
    return list_execution_page(service, pipeline, region, limit, stats=stats).listing


@dataclass(frozen=True)
class ExecutionPage:
    """One page of ``ListPipelineExecutions``, newest first, each execution with its end time
    (and its parameter values when they were read), and AWS's NextToken of the next page."""

    listing: ExecutionList
    next_token: str | None


def list_execution_page(
    service: LineageService,
    pipeline: str,
    region: str,
    page_size: int,
    *,
    token: str | None = None,
    parameters: bool = False,
    stats: CallStats | None = None,
    deadline_sec: float | None = None,
) -> ExecutionPage:
    """The page of ``page_size`` executions AWS's NextToken ``token`` starts (``None``: the
    newest); ``parameters``: each one's values too (ListPipelineParametersForExecution, one
    call per execution, at once with the Describe*s). ``deadline_sec``: less time than the
    request deadline (what is left of an answer read from several pages).

    A token AWS refuses (ValidationException: expired, or not its own) is an
    :class:`InvalidParameter` naming ``token``. ``stats.aws_calls`` grows by the calls made,
    even when the listing fails.
    """
    api = service.api_for(region)
    calls = service.calls() if deadline_sec is None else Calls(deadline_sec)
    try:
        return _list_executions(service, calls, api, pipeline, page_size, token, parameters)
    finally:
        if stats is not None:
            stats.aws_calls += api.call_count


def _list_executions(
    service: LineageService, calls: Calls, api: AwsApi, pipeline: str, page_size: int,
    token: str | None, parameters: bool,
) -> ExecutionPage:
    pool = service.pool
    now = datetime.now(UTC)
    summaries, following = _page_of(calls, pool, api, pipeline, page_size, token)
    # Never rely on an order we did not get: newest first by start time.
    summaries = sorted(summaries, key=_start_key, reverse=True)[:page_size]
    # The summary has no end time; DescribePipelineExecution's LastModifiedTime gives it.
    described: dict[str, ExecutionInfo] = {}
    values: dict[str, dict[str, str]] = {}
    failed: dict[tuple[str, str], AwsError] = {}

    def landed(arn: str) -> Callable[[Future[dict[str, Any]]], None]:
        def done(answer: Future[dict[str, Any]]) -> None:
            try:
                described[arn] = execution_info(answer.result(), None, now=now)
            except AwsError as exc:
                failed[("describe", arn)] = exc

        return done

    def valued(arn: str) -> Callable[[Future[dict[str, str]]], None]:
        def done(answer: Future[dict[str, str]]) -> None:
            try:
                values[arn] = answer.result()
            except AwsError as exc:
                failed[("parameters", arn)] = exc

        return done

    for summary in summaries:
        arn = str(summary["PipelineExecutionArn"])
        calls.submit(pool, api.describe_pipeline_execution, arn, then=landed(arn))
        if parameters:
            calls.submit(pool, api.execution_parameters, arn, then=valued(arn))
    calls.drain()
    warnings: list[Warning] = []
    executions: list[ExecutionInfo] = []
    for summary in summaries:
        arn = str(summary["PipelineExecutionArn"])
        execution = described.get(arn)
        if execution is None:
            execution = listed_execution(summary)
            error = failed.get(("describe", arn)) or DeadlineExceeded()
            warnings.append(
                Warning.for_error(error, "its end time is unknown", arn, area="EXECUTION"))
        if parameters:
            if arn in values:
                execution = replace(execution, parameters=values[arn])
            else:
                error = failed.get(("parameters", arn)) or DeadlineExceeded()
                warnings.append(Warning.for_error(
                    error, "its parameters are unknown (left out of parameter filters)", arn,
                    area="PARAMETERS"))
        executions.append(execution)
    listing = ExecutionList(
        pipeline=pipeline,
        region=api.region,
        executions=tuple(executions),
        warnings=tuple(warnings),
        generated_at=now,
        aws_calls=api.call_count,
    )
    return ExecutionPage(listing, following)


def _page_of(
    calls: Calls, pool: Any, api: AwsApi, pipeline: str, page_size: int, token: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    try:
        return calls.result(
            calls.submit(pool, api.pipeline_executions_page, pipeline, page_size, token))
    except AwsNotFound:
        raise PipelineNotFound("pipeline not found") from None
    except AwsError as exc:
        if exc.code == "ValidationException":
            if token is not None:
                # The NextToken inside the client's token: expired, or never AWS's own.
                raise InvalidParameter(
                    "token", "token is no longer valid (AWS refused its place in the "
                    "listing): start again without it") from None
            # SageMaker (and moto) answer ValidationException for a pipeline that does not
            # exist.
            raise PipelineNotFound("pipeline not found") from None
        raise


# -- a page of /executions: filters over the pages of the listing ------------------------------

# A filtered page reads at most this many pages of the listing (of 100 executions: 500
# looked at) and no longer than the request deadline, then answers with what matched so far
# and a token to read on: a filtered page may hold fewer than ``limit`` executions, even none.
MAX_PAGES_PER_ANSWER = 5


@dataclass(frozen=True)
class ListedPage:
    """A page of the listing as the cache keeps it: its JSON (``ExecutionList.to_dict()``)
    and AWS's NextToken of the next page."""

    listing: Mapping[str, Any]
    next_token: str | None


@dataclass(frozen=True)
class Selection:
    """What one page of ``/executions`` holds: the executions (JSON, newest first), their
    warnings, when the oldest page it is made of was read, and where the next page starts
    (``None``: nothing more)."""

    region: str
    executions: tuple[Mapping[str, Any], ...]
    warnings: tuple[Mapping[str, Any], ...]
    generated_at: str | None
    following: ListingPosition | None
    pages_read: int

    def answer(self, request: ExecutionsRequest) -> dict[str, Any]:
        """``/executions``' JSON: ``nextToken`` only when more executions remain."""
        out: dict[str, Any] = {
            "pipeline": request.pipeline,
            "region": self.region,
            "executions": list(self.executions),
            "warnings": list(self.warnings),
            "generatedAt": self.generated_at,
        }
        if self.following is not None:
            out["nextToken"] = request.token(self.following)
        return out


def select_executions(
    request: ExecutionsRequest,
    read: Callable[[int, str | None], ListedPage],
    *,
    max_pages: int = MAX_PAGES_PER_ANSWER,
    more_time: Callable[[], bool] = lambda: True,
) -> Selection:
    """The executions of ``request``'s page: from its position (the newest without a token),
    through the pages ``read(page_size, aws_token)`` gives, the first ``limit`` that match its
    status and parameter filters; pure. Unfiltered, that is ``limit`` executions (or the rest
    of the listing). Filtered, reading stops at ``limit`` matches, after ``max_pages`` pages,
    or once ``more_time()`` says no; the next page then starts after the last one looked at.
    """
    position = request.position or ListingPosition(request.page_size)
    size, token = position.page_size, position.aws_token
    kept: list[Mapping[str, Any]] = []
    scanned: list[Mapping[str, Any]] = []
    times: list[str] = []
    region = request.region
    pages = 0
    following: ListingPosition | None = None
    first = True
    page_warnings: list[Mapping[str, Any]] = []
    while True:
        page = read(size, token)
        pages += 1
        region = str(page.listing.get("region") or region)
        if page.listing.get("generatedAt"):
            times.append(str(page.listing["generatedAt"]))
        page_warnings.extend(w for w in page.listing.get("warnings") or []
                             if isinstance(w, Mapping))
        items = [e for e in page.listing.get("executions") or [] if isinstance(e, Mapping)]
        begin = _resume(items, position) if first else 0
        first = False
        done = False
        for index in range(begin, len(items)):
            execution = items[index]
            scanned.append(execution)
            if not _matches(execution, request):
                continue
            kept.append(execution)
            if len(kept) == request.limit:
                if index + 1 < len(items):
                    following = ListingPosition(size, token, str(execution.get("id")),
                                                index + 1)
                elif page.next_token:
                    following = ListingPosition(size, page.next_token)
                done = True
                break
        if done or not page.next_token:
            break
        token = page.next_token
        # Unfiltered, ``limit`` executions are at most a page more than they fill.
        if (request.filtered and pages >= max_pages) or not more_time():
            following = ListingPosition(size, token)
            break
    return Selection(
        region=region,
        executions=tuple(kept),
        warnings=tuple(_warnings_of(page_warnings, kept, scanned, request)),
        generated_at=min(times) if times else None,
        following=following,
        pages_read=pages,
    )


def _resume(items: list[Mapping[str, Any]], position: ListingPosition) -> int:
    """Where on its page a position resumes: after its execution, wherever new runs pushed
    it; at its place on the page when it is no longer there."""
    if position.after is not None:
        for index, execution in enumerate(items):
            if execution.get("id") == position.after:
                return index + 1
    return min(position.skip, len(items))


def _matches(execution: Mapping[str, Any], request: ExecutionsRequest) -> bool:
    if request.status is not None and execution.get("status") != request.status:
        return False
    if request.where:
        values = execution.get("parameters")
        if not isinstance(values, Mapping):
            return False  # not read: its warning says so
        return all(values.get(name) == value for name, value in request.where)
    return True


def _warnings_of(
    warnings: list[Mapping[str, Any]], kept: list[Mapping[str, Any]],
    scanned: list[Mapping[str, Any]], request: ExecutionsRequest,
) -> list[Mapping[str, Any]]:
    """The warnings of the executions shown, and with a parameter filter those of the runs
    looked at whose parameters could not be read (they might have matched)."""
    shown = {e.get("arn") for e in kept}
    looked_at = {e.get("arn") for e in scanned}
    out = []
    for warning in warnings:
        target = warning.get("target")
        if target in shown or (
                request.where and target in looked_at
                and str(warning.get("code", "")).startswith("PARAMETERS_")):
            out.append(warning)
    return out


def newest_execution_arn(
    service: LineageService, pipeline: str, region: str, *, stats: CallStats
) -> str:
    """The ARN of the pipeline's newest execution (``""``: none); one ListPipelineExecutions."""
    api = service.api_for(region)
    calls = service.calls()
    try:
        newest = newest_execution(_executions_of(calls, service.pool, api, pipeline, 1))
    finally:
        stats.aws_calls += api.call_count
    return str(newest["PipelineExecutionArn"]) if newest else ""


def recent_execution_arns(
    service: LineageService, pipeline: str, region: str, limit: int, *, stats: CallStats
) -> list[str]:
    """The ARNs of the ``limit`` newest executions of ``pipeline``, newest first: one
    ListPipelineExecutions and no Describe* (the caller reads each run's document anyway)."""
    api = service.api_for(region)
    calls = service.calls()
    try:
        summaries = _executions_of(calls, service.pool, api, pipeline, limit)
    finally:
        stats.aws_calls += api.call_count
    newest_first = sorted(summaries, key=_start_key, reverse=True)[:limit]
    return [str(summary["PipelineExecutionArn"]) for summary in newest_first]


def _executions_of(
    calls: Calls, pool: Any, api: AwsApi, pipeline: str, limit: int
) -> list[dict[str, Any]]:
    try:
        return calls.result(calls.submit(pool, api.list_pipeline_executions, pipeline, limit))
    except AwsNotFound:
        raise PipelineNotFound("pipeline not found") from None
    except AwsError as exc:
        # SageMaker (and moto) answer ValidationException for a pipeline that does not exist.
        if exc.code == "ValidationException":
            raise PipelineNotFound("pipeline not found") from None
        raise


@dataclass
class _Found:
    """What is known so far of one listed pipeline."""

    summary: Mapping[str, Any]
    tags: Mapping[str, str] | None = None
    latest: ExecutionInfo | None = None
    keep: bool = True  # with a domain filter, only once its tags say it belongs
    # Waiting for the region's domains before its domain can be decided.
    undecided: bool = False


@dataclass
class _Region:
    api: AwsApi
    domains: list[dict[str, Any]] | None = None
    domains_done: bool = False
    waiting: list[str] = field(default_factory=list)  # pipelines waiting for `domains`


class _PipelineListing:
    """The state of one /pipelines request; every answer is handled on the request's thread."""

    def __init__(self, service: LineageService, regions: list[str], domain: str | None,
                 *, details: bool = True):
        self.pool = service.pool
        self.calls = service.calls()
        self.domain = domain
        self.details = details
        self.regions = {region: _Region(service.api_for(region)) for region in regions}
        self.now = datetime.now(UTC)
        self.warnings: list[Warning] = []
        self.failures: list[AwsError] = []
        self.found: dict[tuple[str, str], _Found] = {}

    def run(self) -> PipelineList:
        for region, state in self.regions.items():
            if self.domain is not None:
                self.calls.submit(self.pool, state.api.list_domains, then=self._domains(region))
            self.calls.submit(self.pool, state.api.list_pipelines, then=self._listed(region))
        abandoned = self.calls.drain()
        if abandoned:
            self.warnings.append(
                Warning.for_error(
                    DeadlineExceeded(),
                    f"{abandoned} AWS calls did not finish within the request deadline; some "
                    "pipelines may be missing or incomplete",
                    None,
                )
            )
        if self.failures and len(self.failures) == len(self.regions):
            raise self.failures[0]  # nothing could be read: an error, not an empty list
        pipelines = [
            pipeline_info(item.summary, region=region, tags=item.tags, latest=item.latest)
            for (region, _), item in sorted(self.found.items())
            if item.keep and not item.undecided
        ]
        return PipelineList(
            regions=tuple(self.regions),
            pipelines=tuple(pipelines),
            warnings=tuple(sorted(self.warnings, key=lambda w: (w.target or "", w.code))),
            generated_at=self.now,
            aws_calls=self.aws_calls,
        )

    @property
    def aws_calls(self) -> int:
        return sum(state.api.call_count for state in self.regions.values())

    def _listed(self, region: str) -> Callable[[Future[Any]], None]:
        def done(future: Future[Any]) -> None:
            try:
                summaries: list[dict[str, Any]] = future.result()
            except AwsError as exc:
                self.failures.append(exc)
                self.warnings.append(
                    Warning.for_error(exc, "its pipelines could not be listed", region,
                                      area="REGION")
                )
                return
            api = self.regions[region].api
            for summary in summaries:
                name = str(summary.get("PipelineName", ""))
                self.found[(region, name)] = _Found(summary, keep=self.domain is None)
                if not self.details:
                    continue
                arn = str(summary.get("PipelineArn", ""))
                self.calls.submit(self.pool, api.list_tags, arn, then=self._tagged(region, name))
                if self.domain is None:
                    self._submit_latest(region, name)

        return done

    def _tagged(self, region: str, name: str) -> Callable[[Future[Any]], None]:
        def done(future: Future[Any]) -> None:
            item = self.found[(region, name)]
            try:
                item.tags = future.result()
            except AwsError as exc:
                self.warnings.append(
                    Warning.for_error(exc, "its tags could not be read", name, area="TAGS")
                )
                return
            if self.domain is None:
                return
            state = self.regions[region]
            if needs_domain_list(item.tags) and not state.domains_done:
                item.undecided = True
                state.waiting.append(name)
                return
            self._decide(region, name)

        return done

    def _domains(self, region: str) -> Callable[[Future[Any]], None]:
        def done(future: Future[Any]) -> None:
            state = self.regions[region]
            try:
                state.domains = future.result()
            except AwsError as exc:
                self.warnings.append(
                    Warning.for_error(exc, "domains could not be listed", region, area="DOMAINS")
                )
            state.domains_done = True
            for name in state.waiting:
                self._decide(region, name)
            state.waiting.clear()

        return done

    def _decide(self, region: str, name: str) -> None:
        """Keep the pipeline when it belongs to the domain; then ask for its latest run."""
        assert self.domain is not None
        item = self.found[(region, name)]
        item.undecided = False
        if domain_matches(item.tags or {}, self.domain, self.regions[region].domains):
            item.keep = True
            self._submit_latest(region, name)

    def _submit_latest(self, region: str, name: str) -> None:
        def done(future: Future[Any]) -> None:
            try:
                summaries: list[dict[str, Any]] = future.result()
            except AwsError as exc:
                self.warnings.append(
                    Warning.for_error(exc, "its latest execution is unknown", name,
                                      area="EXECUTIONS")
                )
                return
            newest = newest_execution(summaries)
            if newest is not None:
                self.found[(region, name)].latest = listed_execution(newest)

        api = self.regions[region].api
        self.calls.submit(self.pool, api.list_pipeline_executions, name, 1, then=done)


def _start_key(summary: Mapping[str, Any]) -> datetime:
    return utc(summary.get("StartTime")) or datetime.min.replace(tzinfo=UTC)
