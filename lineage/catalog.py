"""What there is to look at: the pipelines of some regions, the recent executions of one.

Like :mod:`lineage.service` these run every AWS call on the service's bounded pool and only
fail when nothing could be read; a region, a pipeline's tags or its latest execution that
cannot be read becomes a warning.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lineage.aws import AwsApi
from lineage.config import Settings
from lineage.errors import (
    AwsError,
    AwsNotFound,
    AwsUnavailable,
    InvalidParameter,
    LineageError,
    PipelineNotFound,
)
from lineage.models import Warning, iso
from lineage.request import domain_parameter, parse_lineage_request, text_parameter
from lineage.runinfo import execution_info, newest_execution
from lineage.service import DOMAIN_ID_TAGS, DOMAIN_NAME_TAG, LineageService

JsonDict = dict[str, Any]

# Only to decide whether echoing a rejected region back is safe.
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
DEFAULT_EXECUTIONS = 20
MAX_EXECUTIONS = 100


@dataclass(frozen=True)
class ExecutionSummary:
    arn: str
    id: str
    status: str
    display_name: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    failure_reason: str | None = None

    def to_dict(self) -> JsonDict:
        return {
            "arn": self.arn,
            "id": self.id,
            "displayName": self.display_name,
            "status": self.status,
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "failureReason": self.failure_reason,
        }


@dataclass(frozen=True)
class PipelineSummary:
    name: str
    arn: str
    region: str
    display_name: str | None = None
    description: str | None = None
    created_time: datetime | None = None
    last_modified_time: datetime | None = None
    tags: Mapping[str, str] | None = None  # None: they could not be read
    latest_execution: ExecutionSummary | None = None

    def to_dict(self) -> JsonDict:
        latest = self.latest_execution
        return {
            "name": self.name,
            "arn": self.arn,
            "region": self.region,
            "displayName": self.display_name,
            "description": self.description,
            "createdTime": iso(self.created_time),
            "lastModifiedTime": iso(self.last_modified_time),
            "tags": None if self.tags is None else dict(sorted(self.tags.items())),
            "latestExecution": None if latest is None else _latest_dict(latest),
        }


@dataclass(frozen=True)
class PipelineList:
    regions: tuple[str, ...]
    pipelines: tuple[PipelineSummary, ...]
    warnings: tuple[Warning, ...]
    generated_at: datetime
    aws_calls: int = field(default=0, compare=False)

    def to_dict(self) -> JsonDict:
        return {
            "regions": list(self.regions),
            "pipelines": [p.to_dict() for p in self.pipelines],
            "warnings": [w.to_dict() for w in self.warnings],
            "generatedAt": iso(self.generated_at),
        }


@dataclass(frozen=True)
class ExecutionList:
    pipeline: str
    region: str
    executions: tuple[ExecutionSummary, ...]
    warnings: tuple[Warning, ...]
    generated_at: datetime
    aws_calls: int = field(default=0, compare=False)

    def to_dict(self) -> JsonDict:
        return {
            "pipeline": self.pipeline,
            "region": self.region,
            "executions": [e.to_dict() for e in self.executions],
            "warnings": [w.to_dict() for w in self.warnings],
            "generatedAt": iso(self.generated_at),
        }


def domain_matches(
    tags: Mapping[str, str], domain: str, domains: Sequence[Mapping[str, Any]] | None
) -> bool:
    """The rule of /lineage's ``domain``: tag DomainName, or a DomainId/ARN of that name."""
    if tags.get(DOMAIN_NAME_TAG) == domain:
        return True
    linked = {tags[key] for key in DOMAIN_ID_TAGS if tags.get(key)}
    for item in domains or ():
        ids = {item.get("DomainId"), item.get("DomainArn")}
        if item.get("DomainName") == domain and linked & ids:
            return True
    return False


def list_pipelines(
    service: LineageService, regions: Collection[str], domain: str | None = None
) -> PipelineList:
    """The pipelines of ``regions`` (fetched concurrently), with tags and latest execution."""
    return _PipelineListing(service, sorted(set(regions)), domain).run()


def list_executions(
    service: LineageService, pipeline: str, region: str, limit: int = DEFAULT_EXECUTIONS
) -> ExecutionList:
    """The ``limit`` newest executions of ``pipeline``, each with its end time."""
    api = AwsApi(service.clients, region)
    pool = service.pool
    now = datetime.now(UTC)
    deadline = time.monotonic() + service.settings.request_deadline_ms / 1000
    try:
        summaries = pool.submit(api.list_pipeline_executions, pipeline, limit).result(
            timeout=_remaining(deadline)
        )
    except AwsNotFound:
        raise PipelineNotFound("pipeline not found") from None
    except AwsError as exc:
        # SageMaker (and moto) answer ValidationException for a pipeline that does not exist.
        if exc.code == "ValidationException":
            raise PipelineNotFound("pipeline not found") from None
        raise
    except TimeoutError:
        raise _deadline_error() from None
    # Never rely on an order we did not get: newest first by start time.
    summaries = sorted(summaries, key=_start_key, reverse=True)[:limit]
    # The summary has no end time; DescribePipelineExecution's LastModifiedTime gives it.
    futures = [
        pool.submit(api.describe_pipeline_execution, str(s["PipelineExecutionArn"]))
        for s in summaries
    ]
    warnings: list[Warning] = []
    executions: list[ExecutionSummary] = []
    for summary, future in zip(summaries, futures, strict=True):
        arn = str(summary["PipelineExecutionArn"])
        try:
            info = execution_info(future.result(timeout=_remaining(deadline)), {}, now=now)
            executions.append(
                ExecutionSummary(
                    arn=info.arn or arn,
                    id=info.id,
                    status=info.status,
                    display_name=info.display_name,
                    start_time=info.start_time,
                    end_time=info.end_time,
                    failure_reason=info.failure_reason,
                )
            )
        except (AwsError, TimeoutError) as exc:
            future.cancel()
            executions.append(_summary_execution(summary))
            warnings.append(_warning("EXECUTION", exc, "its end time is unknown", arn))
    return ExecutionList(
        pipeline=pipeline,
        region=region,
        executions=tuple(executions),
        warnings=tuple(warnings),
        generated_at=now,
        aws_calls=api.call_count,
    )


class _PipelineListing:
    """The state of one /pipelines request; callbacks run on the request's thread."""

    def __init__(self, service: LineageService, regions: list[str], domain: str | None):
        self.pool = service.pool
        self.domain = domain
        self.regions = regions
        self.apis = {region: AwsApi(service.clients, region) for region in regions}
        self.deadline = time.monotonic() + service.settings.request_deadline_ms / 1000
        self.now = datetime.now(UTC)
        self.pending: dict[Future[Any], Callable[[Future[Any]], None]] = {}
        self.warnings: list[Warning] = []
        self.failures: list[AwsError] = []
        self.domains: dict[str, Future[list[dict[str, Any]]]] = {}
        # (region, name) -> what is known so far
        self.found: dict[tuple[str, str], dict[str, Any]] = {}

    def run(self) -> PipelineList:
        for region in self.regions:
            api = self.apis[region]
            if self.domain is not None:
                self.domains[region] = self.pool.submit(api.list_domains)
            self._submit(api.list_pipelines, self._listed(region))
        while self.pending:
            done, _ = wait(self.pending, timeout=_remaining(self.deadline),
                           return_when=FIRST_COMPLETED)
            if not done:
                for future in self.pending:
                    future.cancel()
                self.warnings.append(
                    Warning(code="DEADLINE", message="some answers came too late", target=None)
                )
                break
            for future in done:
                self.pending.pop(future)(future)
        if self.failures and len(self.failures) == len(self.regions):
            raise self.failures[0]  # nothing could be read: an error, not an empty list
        pipelines = [
            _pipeline_summary(region, item)
            for (region, _), item in sorted(self.found.items())
            if item.get("keep", True)
        ]
        return PipelineList(
            regions=tuple(self.regions),
            pipelines=tuple(pipelines),
            warnings=tuple(sorted(self.warnings, key=lambda w: (w.target or "", w.code))),
            generated_at=self.now,
            aws_calls=sum(api.call_count for api in self.apis.values()),
        )

    def _submit(self, call: Callable[..., Any], then: Callable[[Future[Any]], None],
                *args: Any) -> None:
        self.pending[self.pool.submit(call, *args)] = then

    def _listed(self, region: str) -> Callable[[Future[Any]], None]:
        def done(future: Future[Any]) -> None:
            try:
                summaries: list[dict[str, Any]] = future.result()
            except AwsError as exc:
                self.failures.append(exc)
                self.warnings.append(_warning("REGION", exc, "its pipelines are missing", region))
                return
            api = self.apis[region]
            for summary in summaries:
                name = str(summary.get("PipelineName", ""))
                item = self.found[(region, name)] = {"summary": summary}
                arn = str(summary.get("PipelineArn", ""))
                self._submit(api.list_tags, self._tagged(region, name), arn)
                if self.domain is None:
                    self._submit_latest(region, name)
                else:
                    item["keep"] = False  # until its tags say otherwise

        return done

    def _tagged(self, region: str, name: str) -> Callable[[Future[Any]], None]:
        def done(future: Future[Any]) -> None:
            item = self.found[(region, name)]
            try:
                item["tags"] = tags = future.result()
            except AwsError as exc:
                self.warnings.append(_warning("TAGS", exc, "its tags are missing", name))
                return
            if self.domain is None:
                return
            domains = None
            if any(tags.get(key) for key in DOMAIN_ID_TAGS):
                try:
                    domains = self.domains[region].result(timeout=_remaining(self.deadline))
                except (AwsError, TimeoutError) as exc:
                    self.warnings.append(
                        _warning("DOMAINS", exc, "domains could not be listed", region)
                    )
            if domain_matches(tags, self.domain, domains):
                item["keep"] = True
                self._submit_latest(region, name)

        return done

    def _submit_latest(self, region: str, name: str) -> None:
        def done(future: Future[Any]) -> None:
            try:
                summaries: list[dict[str, Any]] = future.result()
            except AwsError as exc:
                self.warnings.append(
                    _warning("EXECUTIONS", exc, "its latest execution is unknown", name)
                )
                return
            newest = newest_execution(summaries)
            if newest is not None:
                self.found[(region, name)]["latest"] = _summary_execution(newest)

        self._submit(self.apis[region].list_pipeline_executions, done, name, 1)


def _pipeline_summary(region: str, item: Mapping[str, Any]) -> PipelineSummary:
    summary = item["summary"]
    return PipelineSummary(
        name=str(summary.get("PipelineName", "")),
        arn=str(summary.get("PipelineArn", "")),
        region=region,
        display_name=summary.get("PipelineDisplayName"),
        description=summary.get("PipelineDescription"),
        created_time=_utc(summary.get("CreationTime")),
        last_modified_time=_utc(summary.get("LastModifiedTime")),
        tags=item.get("tags"),
        latest_execution=item.get("latest"),
    )


def _summary_execution(summary: Mapping[str, Any]) -> ExecutionSummary:
    arn = str(summary.get("PipelineExecutionArn", ""))
    return ExecutionSummary(
        arn=arn,
        id=arn.rsplit("/", 1)[-1],
        status=str(summary.get("PipelineExecutionStatus") or "Unknown"),
        display_name=summary.get("PipelineExecutionDisplayName"),
        start_time=_utc(summary.get("StartTime")),
        failure_reason=summary.get("PipelineExecutionFailureReason"),
    )


def _latest_dict(execution: ExecutionSummary) -> JsonDict:
    return {
        "arn": execution.arn,
        "id": execution.id,
        "status": execution.status,
        "startTime": iso(execution.start_time),
    }


def _warning(area: str, exc: Exception, what: str, target: str) -> Warning:
    if isinstance(exc, AwsError):
        kind = type(exc).__name__.removeprefix("Aws")
        reason = exc.code
    else:
        kind, reason = "Timeout", "deadline"
    code = f"{area}_{_snake(kind)}"
    return Warning(code=code, message=f"{what} ({reason})", target=target)


def _snake(name: str) -> str:
    out = "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(name))
    return out.upper() or "FAILED"


def _deadline_error() -> LineageError:
    return AwsUnavailable("AWS did not answer within the request deadline")


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _start_key(summary: Mapping[str, Any]) -> datetime:
    start = _utc(summary.get("StartTime"))
    return start or datetime.min.replace(tzinfo=UTC)


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


# -- request validation of /pipelines and /executions (the rules of lineage.request) ---------


@dataclass(frozen=True)
class PipelinesRequest:
    regions: tuple[str, ...]
    domain: str | None = None


@dataclass(frozen=True)
class ExecutionsRequest:
    pipeline: str
    region: str
    limit: int = DEFAULT_EXECUTIONS


def parse_pipelines_request(
    params: Mapping[str, str | None],
    *,
    settings: Settings,
    regions: Collection[str],
    offered: Sequence[str],
) -> PipelinesRequest:
    """``region``: one, a comma-separated list, or ``all`` (the ``offered`` regions)."""
    raw = text_parameter(params, "region") or settings.default_region
    if raw.strip().lower() == "all":
        chosen = tuple(dict.fromkeys(offered))
    else:
        chosen = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
        if not chosen:
            raise InvalidParameter("region", "region must name at least one region")
        for region in chosen:
            if region not in regions:
                raise InvalidParameter(
                    "region", f"region {region} is not a region where SageMaker is available"
                    if REGION_NAME.fullmatch(region)
                    else "region is not a region where SageMaker is available",
                )
    return PipelinesRequest(regions=chosen, domain=domain_parameter(params))


def parse_executions_request(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> ExecutionsRequest:
    # pipeline and region follow /lineage exactly, messages included.
    lineage = parse_lineage_request(
        {"pipeline": params.get("pipeline"), "region": params.get("region")},
        settings=settings,
        regions=regions,
    )
    limit = DEFAULT_EXECUTIONS
    raw = text_parameter(params, "limit")
    if raw is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_EXECUTIONS:
            raise InvalidParameter("limit", f"limit must be a whole number from 1 to "
                                            f"{MAX_EXECUTIONS}")
        limit = int(raw)
    return ExecutionsRequest(pipeline=lineage.pipeline, region=lineage.region, limit=limit)
