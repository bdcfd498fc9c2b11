"""Reading an estate from AWS: every account and region of a scope, at once (I/O).

:func:`read_estate` lists each account's pipelines (:func:`lineage.catalog.list_pipelines`,
the caller's own account and each role of ``LINEAGE_ACCOUNT_ROLES``), gets each pipeline's
lineage documents through the caller's ``document_for`` (the web side passes its cached
service), and lists the model package groups, packages, models and endpoints of every
(account, region), each Describe* as soon as its listing lands. Everything runs on the
service's bounded pools under one deadline (:class:`lineage.calls.Calls`); the answers are
handled on the calling thread, which then assembles the graph (:mod:`lineage.estate`).

Cost: a pipeline whose ``LastExecutionTime`` and ``LastModifiedTime`` (from ``ListPipelines``)
equal those of the ``known`` read is not read again: :class:`EstateRead` keeps the documents
for the next call. Anything unreadable (a role that cannot be assumed, a region, a denied
Describe*) is a warning, never a failure of the whole answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from lineage.aws import AwsApi
from lineage.calls import Calls
from lineage.catalog import list_pipelines
from lineage.config import role_account
from lineage.errors import AwsError, DeadlineExceeded, LineageError
from lineage.estate import Estate, EstateProgress, arn_region_account, assemble_estate
from lineage.estate import pipeline_id as _pipeline_id
from lineage.estate_request import EstateRequest
from lineage.models import PipelineList, Warning, iso
from lineage.request import LineageRequest
from lineage.runinfo import newest_execution
from lineage.service import ApiFactory, LineageService

logger = logging.getLogger(__name__)

# The pool that runs whole per-pipeline reads and account listings: each of them waits for
# calls of its own on the SageMaker and S3 pools, so they must not run on those.
ESTATE_POOL = "estate"
# Newest packages described per model package group.
MAX_PACKAGES_PER_GROUP = 50


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


@dataclass(frozen=True)
class EstateRead:
    estate: Estate
    # pipeline node id -> its documents: pass as ``known=`` to the next read.
    known: Mapping[str, KnownPipeline] = field(default_factory=dict)
    pipelines_read: int = 0  # documents fetched now (not reused)
    aws_calls: int = 0  # calls of the listings and Describe* here (documents apart)


# (pipeline, execution ARN or None for the latest) -> its document, LineageDocument.to_dict().
DocumentFor = Callable[[EstatePipeline, str | None], Mapping[str, Any]]
# (region, role or None) -> one request's view of AWS there.
AccountApiFactory = Callable[[str, str | None], AwsApi]
ProgressCallback = Callable[[EstateProgress], None]


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

    Training metrics and evaluation reports are read too: the service has no switch to
    leave them out yet (``LineageRequest`` would need one).
    """

    def document(pipeline: EstatePipeline, execution: str | None) -> Mapping[str, Any]:
        request = LineageRequest(pipeline=pipeline.name, region=pipeline.region,
                                 execution=execution)
        seen = account_service(service, pipeline.role, api_for)
        return seen.get_lineage(request).to_dict()

    return document


def read_estate(
    service: LineageService,
    scope: EstateRequest,
    *,
    document_for: DocumentFor | None = None,
    known: Mapping[str, KnownPipeline] | None = None,
    on_progress: ProgressCallback | None = None,
    api_for: AccountApiFactory | None = None,
    deadline_sec: float | None = None,
    max_packages_per_group: int = MAX_PACKAGES_PER_GROUP,
) -> EstateRead:
    """The estate of ``scope`` (module docstring); never raises for what AWS refuses.

    ``api_for`` (region, role) gives the views of AWS (tests pass a fake; by default the
    service's own and :class:`AwsApi` with the role). ``deadline_sec``: the whole read's
    deadline, by default the service's request deadline.
    """
    read = _EstateRun(
        service, scope,
        document_for=document_for or service_documents(service, api_for),
        known=known or {},
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
        known: Mapping[str, KnownPipeline],
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
        self.fetched = 0
        self.done = 0
        self.groups: list[dict[str, Any]] = []
        self.packages: list[dict[str, Any]] = []
        self.models: list[dict[str, Any]] = []
        self.endpoints: list[dict[str, Any]] = []
        self.configs: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.started: set[tuple[str, ...]] = set()
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
        documents = {pid: known.documents for pid, known in self.documents.items()}
        total = len(self.listed)
        estate = assemble_estate(
            pipelines=self.pipelines,
            documents=documents,
            package_groups=self.groups,
            packages=self.packages,
            models=self.models,
            endpoint_configs=list(self.configs.values()),
            endpoints=self.endpoints,
            warnings=self.warnings,
            generated_at=self.now,
            progress=None if self.done >= total else EstateProgress(self.done, total),
            domain_filtered=self.scope.domain is not None,
        )
        calls = sum(api.call_count for a in self.accounts for api in a.apis.values())
        return EstateRead(estate, dict(self.documents), self.fetched, calls)

    def _api(self, account: _Account, region: str) -> AwsApi:
        api = account.apis.get(region)
        if api is None:
            api = account.apis[region] = self.api_for(region, account.role)
        return api

    def _warn(self, exc: LineageError, area: str, what: str, target: str | None) -> None:
        self.warnings.append(Warning.for_error(exc, what, target, area=area))

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(EstateProgress(self.done, len(self.listed)))

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
                self._documents(pipeline)
            self._progress()

        return done

    def _documents(self, pipeline: EstatePipeline) -> None:
        known = self.known.get(pipeline.id)
        if known is not None and known.stamp == pipeline.stamp and (
            known.depth == self.scope.depth
        ):
            self.documents[pipeline.id] = known
            self.done += 1
            return

        def landed(answer: Future[tuple[Mapping[str, Any], ...]]) -> None:
            self.done += 1
            try:
                documents = answer.result()
            except LineageError as exc:
                self._warn(exc, "PIPELINE", "its lineage could not be read", pipeline.id)
            else:
                self.fetched += 1
                self.documents[pipeline.id] = KnownPipeline(
                    pipeline.stamp, self.scope.depth, documents
                )
            self._progress()

        self.calls.submit(self.estate_pool, self._read_pipeline, pipeline, then=landed)

    def _read_pipeline(self, pipeline: EstatePipeline) -> tuple[Mapping[str, Any], ...]:
        """On the estate pool: the latest document, or those of the last ``depth`` runs."""
        if self.scope.depth <= 1:
            return (self.document_for(pipeline, None),)
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
            self.document_for(pipeline, str(summary["PipelineExecutionArn"]))
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
                       api, models, "ModelName", api.describe_model, self.models, "MODEL"))
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
                                    api.describe_model_package, self.packages, "MODEL_PACKAGE")

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
        then: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        for summary in summaries:
            name = str(summary.get(key) or "")
            started = (area, api.region, str(api.role), name)
            if not name or started in self.started:
                continue
            self.started.add(started)

            def done(answer: Future[dict[str, Any]], name: str = name) -> None:
                try:
                    described = answer.result()
                except AwsError as exc:
                    self._warn(exc, area, f"{area.lower().replace('_', ' ')} could not be "
                               "described", name)
                    return
                into.append(described)
                if then is not None:
                    then(described)

            self.calls.submit(self.pool, describe, name, then=done)

    def _config_of(self, api: AwsApi, endpoint: Mapping[str, Any]) -> None:
        name = str(endpoint.get("EndpointConfigName") or "")
        key = (api.region, str(api.role), name)
        if not name or key in self.configs or ("config", *key) in self.started:
            return
        self.started.add(("config", *key))

        def done(answer: Future[dict[str, Any]]) -> None:
            try:
                self.configs[key] = answer.result()
            except AwsError as exc:
                self._warn(exc, "ENDPOINT_CONFIG", "the endpoint config could not be described",
                           name)

        self.calls.submit(self.pool, api.describe_endpoint_config, name, then=done)
