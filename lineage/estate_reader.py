"""Reading an estate from AWS: every account and region of a scope, at once (I/O).

:func:`read_estate` lists each account's pipelines (:func:`lineage.catalog.list_pipelines`,
the caller's own account and each role of ``LINEAGE_ACCOUNT_ROLES``), gets each pipeline's
lineage documents through the caller's ``document_for`` (the web side passes its cached
service), and lists the model package groups, packages, models and endpoints of every
(account, region), each Describe* as soon as its listing lands. Everything runs on the
service's bounded pools under one deadline (:class:`lineage.calls.Calls`); the answers are
handled on the calling thread, which then assembles the graph (:mod:`lineage.estate`).

Cost: the documents are read lean (``LineageRequest.for_estate``: no evaluation reports, no
bucket settings), and each bucket the estate meets (in a document, a model or a package) is
read once for all of them (:class:`lineage.buckets.BucketReads`). What a build read is kept
(:class:`EstateMemory`) for the next: a pipeline whose ``LastExecutionTime`` and
``LastModifiedTime`` (from ``ListPipelines``) did not change is not read again, nor a model,
package or endpoint whose listing says what it said then (:data:`LISTED_STAMPS`), nor an
endpoint config (they cannot change), nor a pipeline whose latest run was over (a running
one is read again: its steps move without changing the listing). When CloudTrail's event
history says no SageMaker write happened in any account and region of the scope since the
last listing, and nothing was in flight then, the last estate is served again without
listing anything (:mod:`lineage.change_feed`): one call per account and region. Anything
unreadable (a role that cannot be assumed, a region, a denied Describe*) is a warning, never
a failure of the whole answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from lineage.aws import AwsApi
from lineage.buckets import BucketCache, BucketReads
from lineage.calls import Calls
from lineage.catalog import list_pipelines
from lineage.change_feed import (
    MAX_PAGES,
    FeedAnswer,
    FeedMark,
    feed_is_quiet,
    watched_writes,
    window_start,
)
from lineage.config import role_account
from lineage.errors import AwsError, DeadlineExceeded, LineageError
from lineage.estate import (
    Estate,
    EstateProgress,
    arn_region_account,
    assemble_estate,
    container_urls,
    document_essentials,
)
from lineage.estate import pipeline_id as _pipeline_id
from lineage.estate_request import EstateRequest
from lineage.models import PipelineList, Warning, iso
from lineage.request import EXECUTION_STATUSES, LineageRequest
from lineage.runinfo import TERMINAL_EXECUTION_STATUSES, newest_execution
from lineage.service import ApiFactory, LineageService

logger = logging.getLogger(__name__)

# The pool that runs whole per-pipeline reads and account listings: each of them waits for
# calls of its own on the SageMaker and S3 pools, so they must not run on those.
ESTATE_POOL = "estate"
# Newest packages described per model package group.
MAX_PACKAGES_PER_GROUP = 50
# What a listing says of each resource that changes when its Describe* answer would: a
# model cannot change (only be replaced, under a new CreationTime); a package's approval and
# status can; an endpoint's every change moves its LastModifiedTime.
LISTED_STAMPS: Mapping[str, tuple[str, ...]] = {
    "MODEL": ("CreationTime",),
    "MODEL_PACKAGE": ("CreationTime", "ModelPackageStatus", "ModelApprovalStatus"),
    "ENDPOINT": ("CreationTime", "LastModifiedTime", "EndpointStatus"),
}
# Statuses that move on without an API call (so without a CloudTrail event): a run's steps
# finish, an endpoint comes in service, a package's validation ends.
RUNS_IN_FLIGHT = frozenset(EXECUTION_STATUSES) - TERMINAL_EXECUTION_STATUSES
ENDPOINTS_IN_FLIGHT = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack",
                                 "Deleting"})
PACKAGES_IN_FLIGHT = frozenset({"Pending", "InProgress", "Deleting"})


@dataclass(frozen=True)
class EstatePipeline:
    """A listed pipeline, and how to reach its account (``role`` None: the caller's own)."""

    name: str
    region: str
    account: str
    role: str | None
    arn: str | None
    last_execution_time: datetime | None
    last_modified_time: datetime | None

    @property
    def id(self) -> str:
        return _pipeline_id(self.account, self.region, self.name)

    @property
    def stamp(self) -> tuple[str | None, str | None]:
        """What ListPipelines says changes when the pipeline runs or is edited."""
        return iso(self.last_execution_time), iso(self.last_modified_time)


@dataclass(frozen=True)
class KnownPipeline:
    """A pipeline's documents as read, and the stamp they were read at."""

    stamp: tuple[str | None, str | None]
    depth: int
    documents: tuple[Mapping[str, Any], ...]

    @property
    def running(self) -> bool:
        """Whether a run of these documents was still going when they were read."""
        return any(
            (document.get("execution") or {}).get("status") in RUNS_IN_FLIGHT
            for document in self.documents
        )


@dataclass(frozen=True)
class KnownAnswer:
    """A Describe* answer, and what the resource's listing said when it was read."""

    stamp: tuple[str | None, ...]
    answer: Mapping[str, Any]


@dataclass(frozen=True)
class EstateMemory:
    """What one build read, for the next to reuse (pass it as ``known=``)."""

    # pipeline node id -> its documents
    pipelines: Mapping[str, KnownPipeline] = field(default_factory=dict)
    # (area, region, role, name) -> the Describe* answer
    described: Mapping[tuple[str, ...], KnownAnswer] = field(default_factory=dict)
    # The whole estate built, and what serving it again takes (lineage.change_feed): its
    # scope, each (role, region)'s feed mark, the buckets it judged. ``estate`` is None when
    # it was partial, had a transient warning or something in flight.
    estate: Estate | None = None
    scope: EstateRequest | None = None
    marks: Mapping[tuple[str | None, str], FeedMark] = field(default_factory=dict)
    buckets: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EstateRead:
    estate: Estate
    known: EstateMemory = field(default_factory=EstateMemory)
    pipelines_read: int = 0  # documents fetched now (not reused)
    aws_calls: int = 0  # calls of the listings, Describe* and bucket reads (documents apart)
    reused: bool = False  # the last estate served again: the change feed said nothing changed


# (pipeline, execution ARN or None for the latest) -> its document, LineageDocument.to_dict().
DocumentFor = Callable[[EstatePipeline, str | None], Mapping[str, Any]]
# (region, role or None) -> one request's view of AWS there.
AccountApiFactory = Callable[[str, str | None], AwsApi]
# (how far the read is, the estate as read so far: assembled only when called).
ProgressCallback = Callable[[EstateProgress, Callable[[], Estate]], None]


class AccountService(LineageService):
    """The service seen from another account: its settings, clients and pools, but every
    AWS call made through ``api`` (an assumed role's view)."""

    def __init__(self, base: LineageService, api: ApiFactory) -> None:
        # No super().__init__(): the pools are the base's, shared (see pool_for).
        self.settings = base.settings
        self.clients = base.clients
        self.api_for = api
        self._base = base

    def pool_for(self, service: str) -> Any:
        return self._base.pool_for(service)

    def calls(self) -> Calls:
        return self._base.calls()

    def close(self) -> None:
        return None


def account_service(
    service: LineageService, role: str | None, api_for: AccountApiFactory | None = None
) -> LineageService:
    """``service`` itself for the caller's own account, else a view through ``role``."""
    if role is None and api_for is None:
        return service
    factory = api_for or default_api_factory(service)
    return AccountService(service, lambda region: factory(region, role))


def default_api_factory(service: LineageService) -> AccountApiFactory:
    def api(region: str, role: str | None) -> AwsApi:
        return service.api_for(region) if role is None else AwsApi(
            service.clients, region, role=role
        )

    return api


def service_documents(
    service: LineageService, api_for: AccountApiFactory | None = None
) -> DocumentFor:
    """``document_for`` straight from the service (no cache): the CLI's, and the tests'.

    Each is read lean (:func:`estate_document_request`).
    """

    def document(pipeline: EstatePipeline, execution: str | None) -> Mapping[str, Any]:
        seen = account_service(service, pipeline.role, api_for)
        return seen.get_lineage(estate_document_request(pipeline, execution)).to_dict()

    return document


def estate_document_request(pipeline: EstatePipeline, execution: str | None) -> LineageRequest:
    """The lean document request of one pipeline of an estate (``LineageRequest.for_estate``)."""
    return LineageRequest(pipeline=pipeline.name, region=pipeline.region, execution=execution,
                          for_estate=True)


def read_estate(
    service: LineageService,
    scope: EstateRequest,
    *,
    document_for: DocumentFor | None = None,
    known: EstateMemory | None = None,
    on_progress: ProgressCallback | None = None,
    api_for: AccountApiFactory | None = None,
    bucket_cache: BucketCache | None = None,
    deadline_sec: float | None = None,
    max_packages_per_group: int = MAX_PACKAGES_PER_GROUP,
) -> EstateRead:
    """The estate of ``scope`` (module docstring); never raises for what AWS refuses.

    ``api_for`` (region, role) gives the views of AWS (tests pass a fake; by default the
    service's own and :class:`AwsApi` with the role). ``bucket_cache``: bucket settings kept
    between builds (the web side's). ``deadline_sec``: the whole read's deadline, by default
    the service's request deadline.
    """
    read = _EstateRun(
        service, scope,
        document_for=document_for or service_documents(service, api_for),
        known=known or EstateMemory(),
        bucket_cache=bucket_cache,
        on_progress=on_progress,
        api_for=api_for or default_api_factory(service),
        deadline_sec=deadline_sec,
        max_packages_per_group=max_packages_per_group,
    )
    return read.run()


@dataclass
class _Account:
    role: str | None
    account: str | None  # None: the caller's own, known once its ARNs are seen
    apis: dict[str, AwsApi] = field(default_factory=dict)


class _EstateRun:
    def __init__(
        self,
        service: LineageService,
        scope: EstateRequest,
        *,
        document_for: DocumentFor,
        known: EstateMemory,
        bucket_cache: BucketCache | None,
        on_progress: ProgressCallback | None,
        api_for: AccountApiFactory,
        deadline_sec: float | None,
        max_packages_per_group: int,
    ) -> None:
        self.service = service
        self.scope = scope
        self.document_for = document_for
        self.known = known
        self.on_progress = on_progress
        self.api_for = api_for
        self.max_packages = max_packages_per_group
        self.pool = service.pool
        # With serial calls every service shares one thread: a read waiting on it would wait
        # for itself, so the (few) waiting reads get a thread of their own.
        self.own_pool = ThreadPoolExecutor(1) if service.settings.serial_aws_calls else None
        self.estate_pool: Executor = self.own_pool or service.pool_for(ESTATE_POOL)
        seconds = deadline_sec or service.settings.request_deadline_ms / 1000
        self.calls = Calls(seconds)
        self.now = datetime.now(UTC)
        self.warnings: list[Warning] = []
        self.pipelines: list[Mapping[str, Any]] = []
        self.listed: list[EstatePipeline] = []
        self.documents: dict[str, KnownPipeline] = {}
        self.described: dict[tuple[str, ...], KnownAnswer] = {}
        self.buckets = BucketReads(self.calls, service.pool_for("s3"), self._bucket_failed,
                                   bucket_cache)
        self.fetched = 0
        self.done = 0
        self.groups: list[dict[str, Any]] = []
        self.packages: list[dict[str, Any]] = []
        self.models: list[dict[str, Any]] = []
        self.endpoints: list[dict[str, Any]] = []
        self.configs: dict[tuple[str, ...], dict[str, Any]] = {}
        self.started: set[tuple[str, ...]] = set()
        # (role, region) -> its watched writes since the last listing (lineage.change_feed)
        self.feeds: dict[tuple[str | None, str], FeedAnswer] = {}
        self.in_flight = False  # something moves on without an API call: not reusable
        self.accounts = self._accounts()

    def _accounts(self) -> list[_Account]:
        roles = self.service.settings.account_roles
        accounts = [_Account(None, None)]
        accounts += [_Account(role, role_account(role)) for role in roles]
        wanted = self.scope.account
        if wanted is not None:
            chosen = [a for a in accounts if a.account == wanted]
            accounts = chosen or [_Account(None, None)]  # the own account, checked later
        return accounts

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> EstateRead:
        try:
            return self._run()
        finally:
            if self.own_pool is not None:
                self.own_pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> EstateRead:
        for account in self.accounts:
            for region in self.scope.regions:
                self._ask_feed(account, region)
        previous = self._reusable()
        if previous is not None:
            self.calls.drain()  # the feeds only
            if self._feeds_quiet():
                return self._served_again(previous)
        for account in self.accounts:
            seen = account_service(self.service, account.role, self.api_for)
            # Tags and latest runs come with each pipeline's document; a domain needs the tags.
            listing = partial(list_pipelines, details=False)
            self.calls.submit(
                self.estate_pool, listing, seen, self.scope.regions, self.scope.domain,
                then=self._listed(account),
            )
            for region in self.scope.regions:
                self._resources(account, region)
        abandoned = self.calls.drain()
        if abandoned:
            self.warnings.append(Warning.for_error(
                DeadlineExceeded(),
                f"{abandoned} reads did not finish within the deadline; the estate is partial",
                None,
            ))
        self.buckets.remember()
        estate = self._assemble()
        whole = estate.progress is None and not estate.transient and not self.in_flight
        memory = EstateMemory(
            dict(self.documents), dict(self.described),
            estate=estate if whole else None,
            scope=self.scope,
            marks={key: FeedMark(self.now, answer.event_ids)
                   for key, answer in self.feeds.items()},
            buckets=frozenset(self.buckets.settings()),
        )
        return EstateRead(estate, memory, self.fetched, self._call_count())

    def _call_count(self) -> int:
        return sum(api.call_count for a in self.accounts for api in a.apis.values())

    # -- the change feed -----------------------------------------------------------------

    def _ask_feed(self, account: _Account, region: str) -> None:
        """Ask CloudTrail for the region's watched writes since the last listing: to serve
        the last estate again, or (on a full read) to know which the listing already saw."""
        api = self._api(account, region)
        key = (account.role, region)
        start = window_start(self.known.marks.get(key), self.now)

        def done(answer: Future[tuple[list[dict[str, Any]], bool]]) -> None:
            try:
                events, complete = answer.result()
            except AwsError as exc:  # not granted, say: every rebuild lists everything
                logger.info("the change feed of %s %s could not be read (%s); the estate is "
                            "listed again", account.role or "own account", region, exc.code)
                return
            self.feeds[key] = FeedAnswer(watched_writes(events), complete)

        self.calls.submit(self.pool, api.write_events, start, self.now, MAX_PAGES, then=done)

    def _reusable(self) -> Estate | None:
        """The last estate, if the feeds may decide that it is still true."""
        known = self.known
        if known.estate is None or known.scope != self.scope:
            return None
        if self.service.settings.enable_s3_meta:
            # Bucket settings are kept for their own lifetime: served again only while all
            # the estate judged are still kept (else the full read reads the expired ones).
            cache = self.buckets.cache
            if known.buckets and (cache is None or any(
                cache.get(bucket) is None for bucket in known.buckets
            )):
                return None
        return known.estate

    def _feeds_quiet(self) -> bool:
        return all(
            feed_is_quiet(self.known.marks.get((account.role, region)),
                          self.feeds.get((account.role, region)), self.now)
            for account in self.accounts for region in self.scope.regions
        )

    def _served_again(self, previous: Estate) -> EstateRead:
        """The last estate, as of now: nothing it shows has changed."""
        return EstateRead(replace(previous, generated_at=self.now), self.known, 0,
                          self._call_count(), reused=True)

    def _assemble(self, *, ended: bool = True) -> Estate:
        """The estate as read so far (on the draining thread, where every answer lands).

        Before the build has ``ended``, it has ``progress`` even once every document is in:
        bucket settings (and so the risk) may still be on their way, and a client polling the
        snapshot must not take it for the whole estate.
        """
        documents = {pid: known.documents for pid, known in self.documents.items()}
        total = len(self.listed)
        enabled = self.service.settings.enable_s3_meta
        return assemble_estate(
            pipelines=self.pipelines,
            documents=documents,
            package_groups=self.groups,
            packages=self.packages,
            models=self.models,
            endpoint_configs=list(self.configs.values()),
            endpoints=self.endpoints,
            bucket_settings={
                bucket: settings.to_dict() for bucket, settings in self.buckets.settings().items()
            } if enabled else None,
            warnings=self.warnings,
            generated_at=self.now,
            progress=None if ended and self.done >= total else EstateProgress(self.done, total),
            domain_filtered=self.scope.domain is not None,
            policy=self.service.settings.policy if enabled else None,
        )

    def _api(self, account: _Account, region: str) -> AwsApi:
        api = account.apis.get(region)
        if api is None:
            api = account.apis[region] = self.api_for(region, account.role)
        return api

    def _warn(self, exc: LineageError, area: str, what: str, target: str | None) -> None:
        self.warnings.append(Warning.for_error(exc, what, target, area=area))

    def _bucket_failed(self, exc: AwsError, bucket: str, operation: str) -> None:
        self._warn(exc, "S3", f"{operation} failed for bucket {bucket}; its value is Unknown",
                   bucket)

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(EstateProgress(self.done, len(self.listed)),
                             lambda: self._assemble(ended=False))

    # -- pipelines -------------------------------------------------------------------------

    def _listed(self, account: _Account) -> Callable[[Future[PipelineList]], None]:
        target = account.role or account.account or "own account"

        def done(answer: Future[PipelineList]) -> None:
            try:
                listing = answer.result()
            except AwsError as exc:
                self._warn(exc, "ACCOUNT", "its pipelines could not be listed", target)
                return
            self.warnings.extend(listing.warnings)
            for info in listing.pipelines:
                _region, arn_account = arn_region_account(info.arn or "")
                owner = arn_account or account.account or "self"
                if self.scope.account is not None and owner != self.scope.account:
                    continue
                pipeline = EstatePipeline(
                    name=info.name, region=info.region or "", account=owner,
                    role=account.role, arn=info.arn,
                    last_execution_time=info.last_run_time,
                    last_modified_time=info.last_modified_time,
                )
                self.listed.append(pipeline)
                self.pipelines.append({**info.listed(), "account": owner})
                self._documents(account, pipeline)
            self._progress()

        return done

    def _documents(self, account: _Account, pipeline: EstatePipeline) -> None:
        known = self.known.pipelines.get(pipeline.id)
        if known is not None and known.stamp == pipeline.stamp and (
            known.depth == self.scope.depth
        ) and not known.running:
            self.documents[pipeline.id] = known
            self.done += 1
            self._follow_documents(account, pipeline, known.documents)
            return

        def landed(answer: Future[tuple[Mapping[str, Any], ...]]) -> None:
            self.done += 1
            try:
                documents = answer.result()
            except LineageError as exc:
                self._warn(exc, "PIPELINE", "its lineage could not be read", pipeline.id)
            else:
                self.fetched += 1
                read = KnownPipeline(pipeline.stamp, self.scope.depth, documents)
                self.documents[pipeline.id] = read
                self.in_flight = self.in_flight or read.running
                self._follow_documents(account, pipeline, documents)
            self._progress()

        self.calls.submit(self.estate_pool, self._read_pipeline, pipeline, then=landed)

    def _follow_documents(
        self, account: _Account, pipeline: EstatePipeline,
        documents: Sequence[Mapping[str, Any]],
    ) -> None:
        """Read what the documents name but do not hold: their buckets' settings, and the
        endpoint configs the pipeline's own steps created (no endpoint may use them yet)."""
        api = self._api(account, pipeline.region)
        for document in documents:
            graph = document.get("graph") or {}
            for artifact in graph.get("artifacts") or []:
                if artifact.get("bucket"):
                    self.buckets.read(api, str(artifact["bucket"]))
            for step in graph.get("nodes") or []:
                run = step.get("run") or {}
                job = str(run.get("jobArn") or "")
                if step.get("type") == "EndpointConfig" and ":endpoint-config/" in job:
                    self._config_named(api, job.rsplit(":endpoint-config/", 1)[1])

    def _read_pipeline(self, pipeline: EstatePipeline) -> tuple[Mapping[str, Any], ...]:
        """On the estate pool: the latest document, or those of the last ``depth`` runs (what
        the estate reads of each, :func:`~lineage.estate.document_essentials`)."""
        if self.scope.depth <= 1:
            return (document_essentials(self.document_for(pipeline, None)),)
        api = self.api_for(pipeline.region, pipeline.role)
        summaries = api.list_pipeline_executions(pipeline.name, self.scope.depth)
        ordered: list[Mapping[str, Any]] = []
        rest = list(summaries)
        while rest and len(ordered) < self.scope.depth:
            newest = newest_execution(rest)
            if newest is None:
                break
            ordered.append(newest)
            rest.remove(newest)  # type: ignore[arg-type]
        return tuple(
            document_essentials(self.document_for(pipeline, str(summary["PipelineExecutionArn"])))
            for summary in ordered
        )

    # -- the registry and serving ----------------------------------------------------------

    def _resources(self, account: _Account, region: str) -> None:
        api = self._api(account, region)
        where = f"{account.role or 'own account'} {region}"
        self._list(api.list_model_package_groups, "MODEL_PACKAGE_GROUPS", where,
                   lambda groups: self._on_groups(api, groups, where))
        self._list(api.list_models, "MODELS", where,
                   lambda models: self._describe_each(
                       api, models, "ModelName", api.describe_model, self.models, "MODEL",
                       then=lambda answer: self._model_buckets(api, answer)))
        self._list(api.list_endpoints, "ENDPOINTS", where,
                   lambda endpoints: self._describe_each(
                       api, endpoints, "EndpointName", api.describe_endpoint, self.endpoints,
                       "ENDPOINT", then=lambda answer: self._config_of(api, answer)))

    def _list(
        self,
        fn: Callable[[], list[dict[str, Any]]],
        area: str,
        where: str,
        then: Callable[[list[dict[str, Any]]], None],
    ) -> None:
        def done(answer: Future[list[dict[str, Any]]]) -> None:
            try:
                items = answer.result()
            except AwsError as exc:
                self._warn(exc, area, "they could not be listed", where)
                return
            then(items)

        self.calls.submit(self.pool, fn, then=done)

    def _on_groups(self, api: AwsApi, groups: list[dict[str, Any]], where: str) -> None:
        self.groups.extend(groups)
        for group in groups:
            name = str(group.get("ModelPackageGroupName") or "")
            if not name:
                continue

            def listed(answer: Future[list[dict[str, Any]]], name: str = name) -> None:
                try:
                    packages = answer.result()
                except AwsError as exc:
                    self._warn(exc, "MODEL_PACKAGES", "its packages could not be listed", name)
                    return
                self._describe_each(api, packages, "ModelPackageArn",
                                    api.describe_model_package, self.packages, "MODEL_PACKAGE",
                                    then=lambda answer: self._package_buckets(api, answer))

            self.calls.submit(self.pool, api.list_model_packages, name, self.max_packages,
                              then=listed)

    def _describe_each(
        self,
        api: AwsApi,
        summaries: Sequence[Mapping[str, Any]],
        key: str,
        describe: Callable[[str], dict[str, Any]],
        into: list[dict[str, Any]],
        area: str,
        then: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> None:
        """Describe each listed resource, or reuse the last build's answer when its listing
        says what it said then (:data:`LISTED_STAMPS`)."""
        for summary in summaries:
            name = str(summary.get(key) or "")
            started = (area, api.region, str(api.role), name)
            if not name or started in self.started:
                continue
            self.started.add(started)
            stamp = _listed_stamp(summary, area)

            def keep(described: Mapping[str, Any], started: tuple[str, ...] = started,
                     stamp: tuple[str | None, ...] = stamp) -> None:
                self.described[started] = KnownAnswer(stamp, described)
                self.in_flight = self.in_flight or _in_flight(described)
                into.append(dict(described))
                if then is not None:
                    then(described)

            known = self.known.described.get(started)
            if known is not None and known.stamp == stamp:
                keep(known.answer)
                continue

            def done(answer: Future[dict[str, Any]], name: str = name,
                     keep: Callable[[Mapping[str, Any]], None] = keep) -> None:
                try:
                    described = answer.result()
                except AwsError as exc:
                    self._warn(exc, area, f"{area.lower().replace('_', ' ')} could not be "
                               "described", name)
                    return
                keep(described)

            self.calls.submit(self.pool, describe, name, then=done)

    def _model_buckets(self, api: AwsApi, model: Mapping[str, Any]) -> None:
        for url in container_urls(model):
            self.buckets.read_uri(api, url)

    def _package_buckets(self, api: AwsApi, package: Mapping[str, Any]) -> None:
        for url in container_urls(package):
            self.buckets.read_uri(api, url)

    def _config_of(self, api: AwsApi, endpoint: Mapping[str, Any]) -> None:
        self._config_named(api, str(endpoint.get("EndpointConfigName") or ""))

    def _config_named(self, api: AwsApi, name: str) -> None:
        key = (api.region, str(api.role), name)
        started = ("ENDPOINT_CONFIG", *key)
        if not name or started in self.started:
            return
        self.started.add(started)
        known = self.known.described.get(started)  # a config cannot change: no stamp
        if known is not None:
            self._keep_config(started, known.answer)
            return

        def done(answer: Future[dict[str, Any]]) -> None:
            try:
                self._keep_config(started, answer.result())
            except AwsError as exc:
                self._warn(exc, "ENDPOINT_CONFIG", "the endpoint config could not be described",
                           name)

        self.calls.submit(self.pool, api.describe_endpoint_config, name, then=done)

    def _keep_config(self, started: tuple[str, ...], config: Mapping[str, Any]) -> None:
        self.described[started] = KnownAnswer((), config)
        self.configs[started] = dict(config)


def _in_flight(described: Mapping[str, Any]) -> bool:
    """Whether a Describe* answer's status will move on without an API call."""
    return (described.get("EndpointStatus") in ENDPOINTS_IN_FLIGHT
            or described.get("ModelPackageStatus") in PACKAGES_IN_FLIGHT)


def _listed_stamp(summary: Mapping[str, Any], area: str) -> tuple[str | None, ...]:
    values = (summary.get(name) for name in LISTED_STAMPS[area])
    return tuple(iso(v) if isinstance(v, datetime) else None if v is None else str(v)
                 for v in values)
