"""What there is to look at: the pipelines of some regions, the recent executions of one.

Like :mod:`lineage.service` these run every AWS call on the service's bounded pools, with the
request's deadline (:class:`lineage.calls.Calls`), and only fail when nothing could be read; a
region, a pipeline's tags or its latest execution that cannot be read becomes a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lineage.aws import AwsApi
from lineage.calls import Calls
from lineage.domains import domain_matches, needs_domain_list
from lineage.errors import AwsError, AwsNotFound, DeadlineExceeded, PipelineNotFound
from lineage.models import ExecutionInfo, ExecutionList, PipelineList, Warning
from lineage.request import DEFAULT_EXECUTIONS
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
    api = service.api_for(region)
    try:
        return _list_executions(service, api, pipeline, limit)
    finally:
        if stats is not None:
            stats.aws_calls += api.call_count


def _list_executions(
    service: LineageService, api: AwsApi, pipeline: str, limit: int
) -> ExecutionList:
    pool = service.pool
    calls = service.calls()
    now = datetime.now(UTC)
    summaries = _executions_of(calls, pool, api, pipeline, limit)
    # Never rely on an order we did not get: newest first by start time.
    summaries = sorted(summaries, key=_start_key, reverse=True)[:limit]
    # The summary has no end time; DescribePipelineExecution's LastModifiedTime gives it.
    described: dict[str, ExecutionInfo] = {}
    failed: dict[str, AwsError] = {}

    def landed(arn: str) -> Callable[[Future[dict[str, Any]]], None]:
        def done(answer: Future[dict[str, Any]]) -> None:
            try:
                described[arn] = execution_info(answer.result(), None, now=now)
            except AwsError as exc:
                failed[arn] = exc

        return done

    for summary in summaries:
        arn = str(summary["PipelineExecutionArn"])
        calls.submit(pool, api.describe_pipeline_execution, arn, then=landed(arn))
    calls.drain()
    warnings: list[Warning] = []
    executions: list[ExecutionInfo] = []
    for summary in summaries:
        arn = str(summary["PipelineExecutionArn"])
        if arn in described:
            executions.append(described[arn])
            continue
        executions.append(listed_execution(summary))
        error = failed.get(arn) or DeadlineExceeded()
        warnings.append(Warning.for_error(error, "its end time is unknown", arn, area="EXECUTION"))
    return ExecutionList(
        pipeline=pipeline,
        region=api.region,
        executions=tuple(executions),
        warnings=tuple(warnings),
        generated_at=now,
        aws_calls=api.call_count,
    )


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
