"""``get_lineage``: one lineage document from AWS, in as few dependent rounds as possible.

Round 1: the pipeline and its executions. Round 2 (needs the execution ARN): the definition
of that execution, its steps page by page, its parameters and the pipeline's tags. Then every
job's Describe*, every bucket's settings and every evaluation report at once; an answer that
reveals more work (a new bucket, a tuning job's best training job) starts it immediately
instead of waiting for a round to end: a page of steps starts its Describe* calls as it
arrives, and the definition is parsed (and its buckets read) while later pages are still on
their way. Every call runs on a bounded, per-process pool per service.

One request is a small event loop on the request's thread (:class:`lineage.calls.Calls`): every
answer lands in a queue and is handled there, so the request's state needs no locks and each
answer costs O(1).

Only failing to read the pipeline itself is an error; anything else becomes a warning.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from lineage.aws import AwsApi, ClientFactory, sagemaker_regions, step_metadata_kinds
from lineage.buckets import BucketCache, BucketReads
from lineage.calls import Calls
from lineage.config import DESCRIBE_ALL, Settings
from lineage.definition import ParsedDefinition, ParsedStep, parse_definition
from lineage.domains import domain_matches, needs_domain_list
from lineage.errors import (
    AwsError,
    AwsNotFound,
    DeadlineExceeded,
    ExecutionNotFound,
    InvalidParameter,
    PipelineNotFound,
)
from lineage.graph import StepEnrichment, build_document, split_s3_uri
from lineage.models import UNKNOWN, IORef, LineageDocument, Warning
from lineage.request import EXECUTION_ARN, LineageRequest, execution_id
from lineage.risk import document_risk
from lineage.runinfo import (
    DescribeTarget,
    StepRecord,
    execution_info,
    newest_execution,
    parse_step,
    pipeline_info,
    registry_info,
    report_metrics,
)
from lineage.schema_reader import SchemaLimits, read_schemas, with_schemas
from lineage.step_types import STEP_TYPES, DescribeCall, DescribeWhen, described_io

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A bucket's settings: field of the document -> the AwsApi method that reads it.
# Settings.serial_aws_calls: every service's calls share this one single-thread pool.
SERIAL_POOL = "serial"
# AWS services whose clients warm() makes ahead of the first request.
WARM_SERVICES = ("sagemaker", "s3")
# What the domain rule (lineage.domains) reads of a ListDomains entry.
DOMAIN_KEYS = ("DomainId", "DomainName", "DomainArn")


class CallStats(Protocol):
    """Where a caller wants the number of AWS calls a request made."""

    aws_calls: int


@dataclass
class FetchStats:
    """Call statistics with each operation named (``service:Operation``), retries not counted."""

    aws_calls: int = 0
    operations: list[str] = field(default_factory=list)


# Region -> one request's view of AWS there (a fresh AwsApi counts that request's calls).
ApiFactory = Callable[[str], AwsApi]


class LineageService:
    """Builds lineage documents; one per process, shared by the API, dashboard and CLI.

    ``api`` makes the per-request view of AWS for a region; by default an :class:`AwsApi`
    over ``clients``. Tests pass a fake to check ordering, deadlines and failures without AWS.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        clients: ClientFactory | None = None,
        *,
        api: ApiFactory | None = None,
    ):
        self.settings = settings or Settings.from_env()
        self.clients = clients or ClientFactory(self.settings)
        self.api_for: ApiFactory = api or self._real_api
        self._lock = threading.Lock()
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._pools_pid = -1

    def pool_for(self, service: str) -> ThreadPoolExecutor:
        """The bounded pool that makes this service's calls (one per service and process)."""
        with self._lock:
            if self._pools_pid != os.getpid():
                # A forked worker gets pools of its own; threads do not survive a fork.
                self._pools = {}
                self._pools_pid = os.getpid()
            if self.settings.serial_aws_calls:
                service = SERIAL_POOL  # the naive baseline: one call at a time, all services
            pool = self._pools.get(service)
            if pool is None:
                if service == SERIAL_POOL:
                    workers = 1
                elif service == "s3":
                    workers = self.settings.s3_max_workers
                else:
                    workers = self.settings.aws_max_workers
                pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=service)
                self._pools[service] = pool
            return pool

    def warm(self, regions: Iterable[str] | None = None) -> float:
        """Make this process's clients and botocore models now, not on the first request.

        Creating a SageMaker client loads its service model (~0.1 s of CPU); a cold request
        would pay that on its critical path. No AWS call is made. Call it in the process that
        serves (a gunicorn worker after the fork). Returns the seconds it took.
        """
        started = time.perf_counter()
        for region in regions or (self.settings.default_region,):
            for service in WARM_SERVICES:
                self.clients.client(service, region)
        step_metadata_kinds()
        sagemaker_regions()
        return time.perf_counter() - started

    @property
    def pool(self) -> ThreadPoolExecutor:
        """The SageMaker pool."""
        return self.pool_for("sagemaker")

    def calls(self) -> Calls:
        """The calls of one request, with the request deadline (LINEAGE_REQUEST_DEADLINE_MS)."""
        return Calls(self.settings.request_deadline_ms / 1000)

    def _real_api(self, region: str) -> AwsApi:
        return AwsApi(self.clients, region)

    def get_lineage(
        self,
        request: LineageRequest,
        *,
        stats: CallStats | None = None,
        bucket_cache: BucketCache | None = None,
    ) -> LineageDocument:
        """The lineage document; ``stats.aws_calls`` grows by the calls made, even on error."""
        api = self.api_for(request.region)
        started = time.monotonic()
        try:
            return _LineageRun(self, api, request, bucket_cache).build()
        finally:
            if stats is not None:
                stats.aws_calls += api.call_count
                if isinstance(stats, FetchStats):
                    stats.operations.extend(api.operations)
            logger.debug(
                "lineage %s/%s: %d AWS calls in %.0f ms",
                request.region,
                request.pipeline,
                api.call_count,
                (time.monotonic() - started) * 1000,
            )

    def execution_definition(
        self, region: str, execution_arn: str, *, stats: CallStats | None = None
    ) -> str:
        """The definition an execution ran (what :mod:`lineage.compare` diffs), on the
        SageMaker pool within the request deadline; :class:`ExecutionNotFound` when AWS knows
        no such execution. An execution's definition never changes: cache it as long as you
        like."""
        api = self.api_for(region)
        calls = self.calls()
        try:
            return calls.result(calls.submit(self.pool, api.definition_for_execution,
                                             execution_arn))
        except AwsNotFound:
            raise ExecutionNotFound("execution not found for this pipeline") from None
        except AwsError as exc:
            # SageMaker (and moto) say ValidationException for an execution that does not exist.
            if exc.code == "ValidationException":
                raise ExecutionNotFound("execution not found for this pipeline") from None
            raise
        finally:
            if stats is not None:
                stats.aws_calls += api.call_count

    def domains(
        self, regions: Iterable[str], *, stats: CallStats | None = None
    ) -> dict[str, list[dict[str, Any]] | None]:
        """Each region's Studio domains (``ListDomains``, all pages; of each entry the
        ``DOMAIN_KEYS`` the domain rule reads), the regions at once on the SageMaker pool
        within the request deadline; ``None`` for a region whose domains could not be read
        (refused, throttled, late): what needs them then knows none.
        Raises nothing of AWS's: a caller shows pipelines without their domain instead."""
        apis = {region: self.api_for(region) for region in sorted(set(regions))}
        calls = self.calls()
        found: dict[str, list[dict[str, Any]] | None] = dict.fromkeys(apis)

        def landed(region: str) -> Callable[[Future[list[dict[str, Any]]]], None]:
            def done(answer: Future[list[dict[str, Any]]]) -> None:
                try:
                    found[region] = [{key: item.get(key) for key in DOMAIN_KEYS}
                                     for item in answer.result()]
                except AwsError as exc:
                    logger.debug("domains of %s not read: %s", region, type(exc).__name__)

            return done

        try:
            for region, api in apis.items():
                calls.submit(self.pool, api.list_domains, then=landed(region))
            calls.drain()
        finally:
            if stats is not None:
                stats.aws_calls += sum(api.call_count for api in apis.values())
        return found

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.shutdown(wait=False, cancel_futures=True)
            self._pools = {}


class _LineageRun:
    """The state of one request; lives on the request's thread."""

    def __init__(
        self,
        service: LineageService,
        api: AwsApi,
        request: LineageRequest,
        bucket_cache: BucketCache | None = None,
    ) -> None:
        self.settings = service.settings
        self.pool = service.pool
        self.s3_pool = service.pool_for("s3")
        self.api = api
        self.request = request
        self.now = datetime.now(UTC)
        # Work in flight; each answer is handled on this thread. Keys of `started`
        # deduplicate fetches.
        self.calls = service.calls()
        self.buckets = BucketReads(self.calls, service.pool_for("s3"), self._bucket_failed,
                                   bucket_cache)
        self.warnings: list[Warning] = []
        self.started: set[tuple[str, ...]] = set()
        self.known_kinds = step_metadata_kinds()
        self.records: dict[str, StepRecord] = {}
        self.describes: dict[tuple[str, str], dict[str, Any]] = {}
        self.concrete_io: dict[str, tuple[tuple[IORef, ...], tuple[IORef, ...]]] = {}
        self.metrics: dict[str, dict[str, float]] = {}
        self.report_results: dict[str, dict[str, float]] = {}
        self.parsed: ParsedDefinition | None = None
        self.step_names: frozenset[str] = frozenset()
        # Steps listed before the definition was parsed whose Describe* is worth asking only
        # if the definition leaves a location unresolved: decided once it is parsed.
        self.undecided: list[StepRecord] = []
        # A placeholder output of a step whose job is described anyway (its metrics, its
        # state) -> that step: a reader of it learns the real location from that answer.
        self.resolved_by: dict[str, str] = {}
        # That step -> the readers whose Describe* waits on its answer (asked if it fails).
        self.waiting: dict[str, list[StepRecord]] = {}
        # That step -> its answer's outputs once it came (None: it failed or will not come).
        self.answered: dict[str, tuple[IORef, ...] | None] = {}
        self.steps_listed = False

    # -- the rounds ----------------------------------------------------------------------

    def build(self) -> LineageDocument:
        request, api, pool, calls = self.request, self.api, self.pool, self.calls
        # A lean read (an estate's, trends') names the pipeline by its run's ARN when it can.
        f_pipeline = None if request.lean else (
            calls.submit(pool, api.describe_pipeline, request.pipeline))
        f_executions = None
        if request.execution is None and request.include_latest_exec:
            f_executions = calls.submit(pool, api.list_pipeline_executions, request.pipeline)
        f_domains = calls.submit(pool, api.list_domains) if request.domain else None

        described = self._pipeline(f_pipeline, f_executions)
        pipeline_arn = str(described.get("PipelineArn", ""))

        # A lean read needs tags only for a domain filter (the estate lists them itself).
        wants_tags = not request.lean or request.domain is not None
        f_tags = calls.submit(pool, api.list_tags, pipeline_arn) if wants_tags else None
        execution_arn, listed = self._execution_arn(pipeline_arn, f_executions)
        execution = None
        definition_text = described.get("PipelineDefinition") or ""
        parameters: dict[str, str] = {}
        if execution_arn is not None:
            # The estate needs no more of its latest run than the listing says.
            f_execution = None if request.for_estate and listed else (
                calls.submit(pool, api.describe_pipeline_execution, execution_arn))
            f_definition = calls.submit(pool, api.definition_for_execution, execution_arn)
            f_parameters = calls.submit(pool, api.execution_parameters, execution_arn)
            # Pages arrive (and start their Describe* calls) while we wait for the rest.
            self._list_steps(execution_arn)
            execution_answer = self._describe_execution(f_execution, execution_arn, listed)
            parameters = self._optional(f_parameters, {}, "PARAMETERS", "execution parameters")
            definition_text = (
                self._optional(f_definition, "", "DEFINITION", "the execution's definition")
                or definition_text
            )
            execution = execution_info(execution_answer, parameters, now=self.now)

        tags = self._tags(f_tags)
        if request.domain is not None:
            self._check_domain(tags, f_domains)

        self.parsed = parse_definition(
            definition_text,
            parameters=parameters,
            execution=_execution_context(execution_arn, request.pipeline),
        )
        self.step_names = frozenset(step.name for step in self.parsed.steps)
        self._start_enrichment()
        self._drain()
        self.buckets.remember()

        pipeline = pipeline_info(
            described, region=request.region, tags=tags, last_run_time=listed.get("StartTime")
        )
        judged = self.settings.enable_s3_meta and not request.lean
        document = build_document(
            self.parsed,
            pipeline=pipeline,
            execution=execution,
            enrichments=self._enrichments(),
            bucket_settings=self.buckets.settings() if judged else None,
            warnings=self.warnings,
            generated_at=self.now,
        )
        if self.settings.enable_schema and not request.lean:  # ENABLE_SCHEMA=true
            read = read_schemas(api, (a.uri for a in document.artifacts),
                                SchemaLimits.of(self.settings), self.s3_pool, calls=calls)
            document = with_schemas(document, read)
        if not judged:
            return document  # no settings read: nothing to judge (the estate judges its own)
        risks = document_risk(document.to_dict()["graph"], self.settings.policy)
        return replace(document, risk={node: risk.to_dict() for node, risk in risks.items()})

    def _pipeline(
        self,
        f_pipeline: Future[dict[str, Any]] | None,
        f_executions: Future[list[dict[str, Any]]] | None,
    ) -> dict[str, Any]:
        """DescribePipeline's answer; without ``f_pipeline`` (a lean read), the
        pipeline's ARN as its run's ARN says, when a run is named or listed."""
        if f_pipeline is None:
            arn = self._arn_of_runs(f_executions)
            if arn is not None:
                return {"PipelineArn": arn, "PipelineName": self.request.pipeline}
            f_pipeline = self.calls.submit(self.pool, self.api.describe_pipeline,
                                           self.request.pipeline)
        try:
            return self._required(f_pipeline)
        except AwsNotFound:
            raise PipelineNotFound() from None
        except AwsError as exc:
            # moto (and older AWS answers) say ValidationException for a missing pipeline.
            if exc.code == "ValidationException":
                raise PipelineNotFound() from None
            raise

    def _arn_of_runs(self, f_executions: Future[list[dict[str, Any]]] | None) -> str | None:
        chosen = self.request.execution
        if chosen is not None:
            return chosen.split("/execution/")[0] if EXECUTION_ARN.fullmatch(chosen) else None
        if f_executions is None:
            return None
        try:
            summaries: list[dict[str, Any]] = self._required(f_executions)
        except AwsError:
            return None  # DescribePipeline says why; _execution_arn warns of the listing
        newest = newest_execution(summaries)
        return None if newest is None else str(newest["PipelineExecutionArn"]).split(
            "/execution/")[0]

    def _execution_arn(
        self, pipeline_arn: str, f_executions: Future[list[dict[str, Any]]] | None
    ) -> tuple[str | None, dict[str, Any]]:
        """The chosen execution's ARN and what the listing said of it (if it was listed)."""
        chosen = self.request.execution
        if chosen is not None:
            arn = f"{pipeline_arn}/execution/{execution_id(chosen)}"
            # An ARN of another account or partition names another pipeline of that name.
            if EXECUTION_ARN.fullmatch(chosen) and chosen.lower() != arn.lower():
                raise InvalidParameter(
                    "execution", "execution does not belong to this pipeline and region"
                )
            return arn, {}
        if f_executions is None:
            return None, {}
        summaries = self._optional(f_executions, [], "EXECUTIONS", "the pipeline's executions")
        newest = newest_execution(summaries)
        if newest is None:
            return None, {}
        return str(newest["PipelineExecutionArn"]), dict(newest)

    def _describe_execution(
        self, f_execution: Future[dict[str, Any]] | None, arn: str, listed: dict[str, Any]
    ) -> dict[str, Any]:
        """DescribePipelineExecution, or what the listing said when it fails (a warning) or
        was not asked (``f_execution`` None)."""
        try:
            if f_execution is not None:
                return self._required(f_execution)
        except AwsNotFound:
            raise ExecutionNotFound("execution not found for this pipeline") from None
        except AwsError as exc:
            if self.request.execution is not None and exc.code == "ValidationException":
                raise ExecutionNotFound("execution not found for this pipeline") from None
            self._warn_error(exc, "EXECUTION", "the execution could not be described", None)
        # The summary has the same names for what it shares with the description.
        return {
            "PipelineExecutionArn": arn,
            "PipelineExecutionStatus": listed.get("PipelineExecutionStatus", UNKNOWN),
            "PipelineExecutionDisplayName": listed.get("PipelineExecutionDisplayName"),
            "CreationTime": listed.get("StartTime"),
        }

    def _list_steps(self, execution_arn: str) -> None:
        """Read step pages on the pool; each page is handled here as it arrives."""

        def fetch() -> None:
            # Pages are sequential (NextToken); each is queued before the next is asked for.
            for page in self.api.execution_step_pages(execution_arn):
                self.calls.post(_page_handler(self, page))

        def done(answer: Future[Any]) -> None:
            try:
                answer.result()
            except AwsError as exc:
                self._warn_error(exc, "STEPS", "the execution's steps could not be listed", None)
            self.steps_listed = True
            for producer in [name for name in self.waiting if name not in self.records]:
                self._on_producer(producer, None)  # it did not run: no answer will come

        self.calls.submit(self.pool, fetch, then=done)

    def _on_page(self, page: list[dict[str, Any]]) -> None:
        for summary in page:
            record = parse_step(summary, now=self.now, known_kinds=self.known_kinds)
            self.records[record.name] = record
            for kind in record.unknown_kinds:
                self._warn(
                    "UNKNOWN_METADATA_KIND",
                    f"step metadata of kind {kind} is not known to this version",
                    record.name,
                )
            if record.describe is not None:
                self._describe_if_drawn(record)
            else:
                self._on_producer(record.name, None)  # no job: no answer will come
            if self.parsed is not None:  # else _start_enrichment does it
                for ref in record.metadata_outputs:
                    self._bucket_for(ref.uri)
                self._reports_of(record.name)

    def _tags(self, f_tags: Future[dict[str, str]] | None) -> dict[str, str]:
        if f_tags is None:
            return {}
        if self.request.domain is not None:
            # Without tags the domain filter cannot be decided: that is an error, not a guess.
            return self._required(f_tags)
        return self._optional(f_tags, {}, "TAGS", "the pipeline's tags")

    def _check_domain(
        self, tags: Mapping[str, str], f_domains: Future[list[dict[str, Any]]] | None
    ) -> None:
        domain = self.request.domain
        assert domain is not None
        if domain_matches(tags, domain, None):
            return
        if f_domains is not None and needs_domain_list(tags):
            if domain_matches(tags, domain, self._required(f_domains)):
                return
        raise PipelineNotFound()

    # -- round 3: enrichment ---------------------------------------------------------------

    def _start_enrichment(self) -> None:
        assert self.parsed is not None
        for step in self.parsed.steps:
            if _described_anyway(step.type):
                for ref in step.outputs:
                    if "{" in ref.uri:
                        self.resolved_by.setdefault(ref.uri, step.name)
        for record in self.undecided:
            self._describe_if_drawn(record)
        self.undecided.clear()
        for record in self.records.values():
            for ref in record.metadata_outputs:
                self._bucket_for(ref.uri)
        for step in self.parsed.steps:
            for ref in (*step.inputs, *step.outputs):
                self._bucket_for(ref.uri)
            self._reports_of(step.name)

    def _reports_of(self, step_name: str) -> None:
        """Reports under the definition's outputs, and the Describe* answer's if it came."""
        if self.parsed is None or step_name not in self.step_names:
            return
        step = self.parsed.step(step_name)
        self._reports_for(step, step.outputs)
        concrete = self.concrete_io.get(step_name)
        if concrete is not None:
            self._reports_for(step, concrete[1])

    def _describe_if_drawn(self, record: StepRecord) -> None:
        """Describe the step's job if its answer adds to what this read draws; decide once
        the definition is known when that depends on it (:meth:`_describe_wanted`)."""
        if self.request.outline:
            return  # a page's first draw: statuses only, the details come with the document
        wanted = self._describe_wanted(record)
        if wanted is None:
            self.undecided.append(record)
        elif wanted:
            assert record.describe is not None
            self._describe(record.name, record.describe)

    def _describe_wanted(self, record: StepRecord) -> bool | None:
        """Whether the job's Describe* answer adds anything to the document; ``None`` while
        that depends on the definition and it is not parsed yet.

        By the row's ``describe_when``: metrics are drawn by every read; a state (a model
        package's approval) by full documents; locations only where the definition leaves
        one of the step's unresolved (a trends read: one a report must be found under), or
        the job is another run's (a cache hit). ``LINEAGE_DESCRIBE=all``: every job of a
        full document."""
        target = record.describe
        assert target is not None
        when = target.call.describe_when
        if when is DescribeWhen.METRICS:
            return True
        if not self.request.for_trends:
            if self.settings.describe == DESCRIBE_ALL or when is DescribeWhen.STATE:
                return True
            if record.run.cache_hit:
                return True
        if self.parsed is None:
            return None
        if record.name not in self.step_names:
            return False  # not drawn (a warning says so)
        step = self.parsed.step(record.name)
        if self.request.for_trends:
            return _reports_need_job(step)
        if any("{" in ref.uri for ref in step.outputs):
            return True
        producers = {self._producer_of(ref.uri) for ref in step.inputs if "{" in ref.uri}
        if None in producers:
            return True
        for producer in producers:
            assert producer is not None
            if producer in self.answered:
                if not self._resolved_by_answer(record, producer, self.answered[producer]):
                    return True
            elif self.steps_listed and producer not in self.records:
                return True  # it did not run: nothing resolves the placeholder
            else:
                self.waiting.setdefault(producer, []).append(record)
        return False

    def _producer_of(self, uri: str) -> str | None:
        """The step described anyway whose answer says where ``uri`` really is (the same
        URI or one under it, as :func:`lineage.graph.build_document` maps a reader's)."""
        found = self.resolved_by.get(uri)
        if found is not None:
            return found
        return next((name for defined, name in self.resolved_by.items()
                     if uri.startswith(defined.rstrip("/") + "/")), None)

    def _on_producer(self, producer: str, concrete: tuple[IORef, ...] | None) -> None:
        """The producer's answer came (``concrete``: its outputs) or will not (``None``):
        describe each reader waiting on it whose placeholders that leaves unresolved."""
        self.answered[producer] = concrete
        for reader in self.waiting.pop(producer, []):
            if not self._resolved_by_answer(reader, producer, concrete):
                assert reader.describe is not None
                self._describe(reader.name, reader.describe)

    def _resolved_by_answer(
        self, reader: StepRecord, producer: str, concrete: tuple[IORef, ...] | None
    ) -> bool:
        if concrete is None:
            return False
        assert self.parsed is not None
        defined = self.parsed.step(producer).outputs
        real = {ref.name for ref in concrete}
        return all(_names_resolving(ref.uri, defined, real)
                   for ref in self.parsed.step(reader.name).inputs
                   if "{" in ref.uri and self._producer_of(ref.uri) == producer)

    def _describe(self, step_name: str, target: DescribeTarget) -> None:
        key = ("describe", *target.key)
        if key in self.started:
            return
        self.started.add(key)
        call = target.call

        def done(answer: Future[Any]) -> None:
            try:
                described: dict[str, Any] = answer.result()
            except AwsError as exc:
                self._warn_error(
                    exc, "DESCRIBE", f"{call.operation} failed; run details are partial",
                    step_name,
                )
                self._on_producer(step_name, None)
                return
            self.describes[target.key] = described
            self._on_described(step_name, call, described)
            concrete = self.concrete_io.get(step_name)
            self._on_producer(step_name, concrete[1] if concrete else ())

        self.calls.submit(
            self.pool, self.api.describe, call.operation, call.name_parameter, target.name,
            then=done,
        )

    def _on_described(
        self, step_name: str, call: DescribeCall, described: Mapping[str, Any]
    ) -> None:
        if call.metrics is not None:
            self.metrics.setdefault(step_name, {}).update(call.metrics(described))
        followed = call.follow(described) if call.follow is not None else None
        if followed and call.followed is not None:
            self._describe_followed(step_name, call.followed, followed)
        if step_name in self.concrete_io:
            return
        concrete = described_io(call, described)
        if concrete is None:
            return
        self.concrete_io[step_name] = concrete
        for ref in (*concrete[0], *concrete[1]):
            self._bucket_for(ref.uri)
        if self.parsed is not None and step_name in self.step_names:
            self._reports_for(self.parsed.step(step_name), concrete[1])

    def _describe_followed(self, step_name: str, call: DescribeCall, job_name: str) -> None:
        """A job whose metrics belong to the step (a tuning job's best training job)."""
        key = ("describe", call.operation, job_name)
        if key in self.started:
            return
        self.started.add(key)

        def done(answer: Future[Any]) -> None:
            try:
                described = answer.result()
            except AwsError as exc:
                self._warn_error(exc, "DESCRIBE", "the best training job could not be read",
                                 step_name)
                return
            if call.metrics is not None:
                self.metrics.setdefault(step_name, {}).update(call.metrics(described))

        self.calls.submit(
            self.pool, self.api.describe, call.operation, call.name_parameter, job_name,
            then=done,
        )

    def _bucket_for(self, uri: str) -> None:
        # The estate reads each bucket once for all its pipelines (lineage.estate_reader);
        # trends draw no bucket.
        if self.settings.enable_s3_meta and not self.request.lean:
            self.buckets.read_uri(self.api, uri)

    def _bucket_failed(self, exc: AwsError, bucket: str, operation: str) -> None:
        self._warn_error(
            exc, "S3", f"{operation} failed for bucket {bucket}; its value is Unknown", bucket
        )

    def _reports_for(self, step: ParsedStep, outputs: Iterable[IORef]) -> None:
        """Read the evaluation reports (property files) a step that ran has written."""
        if self.request.for_estate or self.request.outline:
            return  # the estate draws no metrics; an outline's come with the document
        record = self.records.get(step.name)
        if record is None or record.run.status != "Succeeded":
            return
        by_name = {ref.name: ref.uri for ref in outputs}
        for property_file in step.property_files:
            base = by_name.get(property_file.output_name)
            if base is None or "{" in base:
                continue
            uri = f"{base.rstrip('/')}/{property_file.file_path.lstrip('/')}"
            split = split_s3_uri(uri)
            key = ("report", uri)
            if split is None or key in self.started:
                continue
            self.started.add(key)
            self.calls.submit(
                self.s3_pool,
                self.api.read_object,
                split[0],
                split[1],
                self.settings.report_max_bytes,
                then=_report_callback(self, step.name, uri),
            )

    def _drain(self) -> None:
        """Wait for all enrichment, handling each answer as it lands, until the deadline."""
        abandoned = self.calls.drain()
        if abandoned:
            self.warnings.append(
                Warning.for_error(
                    DeadlineExceeded(),
                    f"{abandoned} AWS calls did not finish within the request deadline; "
                    "their values are Unknown",
                    None,
                )
            )

    # -- assembling ------------------------------------------------------------------------

    def _enrichments(self) -> dict[str, StepEnrichment]:
        enrichments: dict[str, StepEnrichment] = {}
        for name, record in self.records.items():
            if name not in self.step_names:
                self._warn(
                    "STEP_NOT_IN_DEFINITION",
                    "the execution ran a step the definition does not have",
                    name,
                )
                continue
            metrics = {**self.metrics.get(name, {}), **self.report_results.get(name, {})}
            run = record.run
            if metrics:
                run = replace(run, metrics=dict(sorted(metrics.items())))
            registry = None
            if record.model_package_arn is not None:
                target = record.describe
                described = self.describes.get(target.key) if target else None
                registry = registry_info(described, record.model_package_arn)
            inputs, outputs = self.concrete_io.get(name, (None, None))
            if record.metadata_outputs:
                outputs = (*(outputs or ()), *record.metadata_outputs)
            enrichments[name] = StepEnrichment(
                run=run,
                registry=registry,
                condition=record.condition,
                inputs=inputs,
                outputs=outputs,
            )
        return enrichments

    # -- helpers ---------------------------------------------------------------------------

    def _required(self, future: Future[T]) -> T:
        """The answer of ``future``; meanwhile handle the answers that land (step pages)."""
        return self.calls.result(future)

    def _optional(self, future: Future[T], default: T, area: str, what: str) -> T:
        try:
            return self._required(future)
        except AwsError as exc:
            self._warn_error(exc, area, f"{what} could not be read", None)
            return default

    def _warn(self, code: str, message: str, target: str | None) -> None:
        self.warnings.append(Warning(code=code, message=message, target=target))

    def _warn_error(self, exc: AwsError, area: str, message: str, target: str | None) -> None:
        self.warnings.append(Warning.for_error(exc, message, target, area=area))


def _described_anyway(step_type: str) -> bool:
    """Whether a full document describes this type's job whatever its definition says."""
    spec = STEP_TYPES.get(step_type)
    call = spec.metadata.describe if spec is not None and spec.metadata is not None else None
    return call is not None and call.describe_when is not DescribeWhen.UNRESOLVED


def _names_resolving(uri: str, defined: Iterable[IORef], real: set[str]) -> bool:
    """Whether an answer with outputs named ``real`` gives the real location of ``uri``:
    the defined output it is (or lies under) is among them."""
    return any((ref.uri == uri or uri.startswith(ref.uri.rstrip("/") + "/"))
               and ref.name in real for ref in defined)


def _reports_need_job(step: ParsedStep) -> bool:
    """Whether a property file of the step lies under an output the definition leaves
    unresolved (only the job's Describe* answer says where it is)."""
    by_name = {ref.name: ref.uri for ref in step.outputs}
    return any("{" in by_name.get(file.output_name, "{") for file in step.property_files)


def _page_handler(run: _LineageRun, page: list[dict[str, Any]]) -> Callable[[], None]:
    def handle() -> None:
        run._on_page(page)

    return handle


def _report_callback(run: _LineageRun, step_name: str, uri: str) -> Callable[[Future[Any]], None]:
    def done(answer: Future[Any]) -> None:
        try:
            data = answer.result()
        except AwsError as exc:
            run._warn_error(exc, "REPORT", f"the evaluation report {uri} could not be read",
                            step_name)
            return
        if data is None:
            run._warn("REPORT_TOO_LARGE", f"the evaluation report {uri} is too large to read",
                      step_name)
            return
        try:
            report = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            run._warn("REPORT_UNREADABLE", f"the evaluation report {uri} is not JSON", step_name)
            return
        run.report_results.setdefault(step_name, {}).update(report_metrics(report))

    return done


def _execution_context(execution_arn: str | None, pipeline: str) -> dict[str, str]:
    context = {"PipelineName": pipeline}
    if execution_arn:
        context["PipelineExecutionArn"] = execution_arn
        context["PipelineExecutionId"] = execution_arn.rsplit("/", 1)[-1]
    return context

