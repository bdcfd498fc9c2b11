"""The service functions, memoised in flask-caching, with single flight.

What is cached is the answer of the service (the contract JSON as text), not a view: the API
and the dashboard share entries. Keys name everything the answer depends on (region,
pipeline, execution, includeLatestExec, domain, whether S3 settings are read); lifetimes
depend on the answer:

- a finished execution never changes: ``LINEAGE_CACHE_TTL_FINISHED_SEC`` (1 h). When the
  request asked for the *latest* execution, a hit is only served while that execution is
  still the newest one (checked with one ``ListPipelineExecutions``, itself cached for
  ``LINEAGE_CACHE_TTL_LISTS_SEC``), so a new run shows up within that time;
- a running execution, or an answer with a throttled/unavailable warning:
  ``LINEAGE_CACHE_TTL_RUNNING_SEC`` (10 s);
- no execution (definition only), pipeline and execution lists: ``LINEAGE_CACHE_TTL_LISTS_SEC``;
- "no such pipeline" and "no such execution": ``LINEAGE_CACHE_TTL_LISTS_SEC`` too (a pipeline
  created now shows up in the list and in its lineage at the same time), so probing names
  costs AWS once per name, not once per request.

One logical request, one key: an execution named by id or by ARN is one entry (a hit for an
ARN is served only if the entry's execution has exactly that ARN), ``includeLatestExec`` is
moot once an execution is named, and ``/executions`` keeps the pages of
``ListPipelineExecutions`` (of the default 20 or the maximum 100, from AWS's NextToken, with
or without parameter values) that every ``limit``, page token and filter is served from.

The gate (``dashboard.server.limits``) decides, per client, whether a request may reach AWS
at all (a cache miss or a refresh asks it first; hits never do), and lets a refresh through
at most once per key per cooldown: a refresh asked sooner is answered from the cache with
``Served.refresh_after`` saying when the next one is allowed.

Entries are typed (:class:`LineageEntry`, :class:`ListEntry`, ...); anything else found under
a key (an older version's entry) is a miss.

Single flight: concurrent identical requests make one fetch. Threads of a process wait for
the first one; processes sharing a cache (FileSystemCache, RedisCache) take a lock in it
(an O_EXCL file in the cache's directory, or an atomic ``add``) and the others wait for the
entry. A cache that fails (Redis down) is skipped, never an error: the first failure logs one
line, answers go on uncached, and the first success after it logs that caching resumed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask_caching import Cache

from dashboard.core.background import MAX_BUILDS, BackgroundBuilds
from dashboard.core.requests import RequestStats, current_stats
from lineage.catalog import (
    ListedPage,
    list_execution_page,
    list_pipelines,
    newest_execution_arn,
    select_executions,
)
from lineage.domains import domain_named
from lineage.errors import (
    AwsError,
    AwsThrottled,
    AwsUnavailable,
    DeadlineExceeded,
    ExecutionNotFound,
    LineageError,
    PipelineNotFound,
    TooManyRequests,
)
from lineage.estate import Estate, EstateProgress
from lineage.estate_queries import impact, provenance
from lineage.estate_reader import (
    DocumentFor,
    EstateMemory,
    EstatePipeline,
    account_service,
    estate_document_request,
    read_estate,
)
from lineage.estate_request import EstateRequest, ImpactRequest, ProvenanceRequest
from lineage.models import LineageDocument
from lineage.request import (
    EXECUTION_ARN,
    DomainLineageRequest,
    ExecutionsRequest,
    LineageQuery,
    LineageRequest,
    SchemaRequest,
    SiblingPipelinesRequest,
    execution_id,
)
from lineage.runinfo import TERMINAL_EXECUTION_STATUSES
from lineage.schema_service import read_schema_answer
from lineage.service import LineageService
from lineage.sibling import (
    PipelineFilters,
    PipelineResult,
    domain_lineage_answer,
    domain_object,
    pipelines_answer,
    regions_needing_domains,
    with_views,
)

logger = logging.getLogger(__name__)

KEY_VERSION = "v4"
POLL_INTERVAL_SEC = 0.05
# /lineage/by-domain: documents read at once (each on the service's own bounded pools).
DOMAIN_READERS = 4
# A first estate build in the background: how long a request waits for it before answering
# with what is read so far, and how often the build stores that.
ESTATE_PROGRESS_AFTER_SEC = 2.0
ESTATE_SO_FAR_EVERY_SEC = 2.0
# A page's first draw of a document not cached yet (``lineage_soon``): the build in the
# background is waited for this long, then the outline is drawn while it goes on.
OUTLINE_AFTER_SEC = 0.25

# How the answer was obtained, for the access log.
HIT, MISS, SHARED, REFRESH = "hit", "miss", "shared", "refresh"
OUTLINE = "outline"  # a Served that is the outline of a document still being read


@dataclass(frozen=True)
class Ttls:
    finished: int = 3600
    running: int = 10
    lists: int = 30
    buckets: int = 300


class FetchGate(Protocol):
    """Who may reach AWS now (``dashboard.server.limits.ClientLimits``)."""

    def admit(self) -> None:
        """Raise :class:`TooManyRequests` when this request's client may not reach AWS now."""

    def refresh_wait(self, key: str) -> int:
        """0 when a refresh of ``key`` may go now (and takes the turn), else seconds to wait."""


class OpenGate:
    """No limits: every fetch and every refresh goes (tests, the CLI)."""

    def admit(self) -> None:
        return None

    def refresh_wait(self, key: str) -> int:
        return 0


@dataclass(frozen=True)
class Served:
    body: str  # JSON text
    source: str
    # A refresh was asked too soon: seconds until the next one is allowed.
    refresh_after: int | None = None
    # The outline of a document still being read (``CachedLineage.lineage_soon``): the
    # definition and the steps' statuses, no details; never the document.
    partial: bool = False

    def document(self) -> Any:
        return json.loads(self.body)


# -- what the cache holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class LineageEntry:
    body: str  # the document's JSON text
    execution_arn: str | None
    latest: bool  # the request asked for the latest execution
    # Only a long-lived answer to "the latest execution" needs checking on a hit.
    check_latest: bool
    # A finished execution without a transient warning: it will not change (an answer made
    # from it may live as long).
    finished: bool = False


@dataclass(frozen=True)
class ListEntry:
    body: str  # the list's JSON text


@dataclass(frozen=True)
class PageEntry:
    """A page of ``ListPipelineExecutions`` (``lineage.catalog.list_execution_page``)."""

    body: str  # the page's ExecutionList JSON text
    next_token: str | None  # AWS's NextToken of the next page; None: the last one


@dataclass(frozen=True)
class DefinitionEntry:
    text: str  # the definition an execution ran: it never changes


@dataclass(frozen=True)
class AnswerEntry:
    """An answer made from other entries (a comparison, trends): its JSON text, and the ARNs
    of the executions it was made for, in the order the request names them (a hit for an
    execution asked by ARN is served only when the entry's is exactly that ARN, as for a
    document)."""

    body: str
    executions: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class LatestEntry:
    arn: str  # the newest execution's ARN; "" when there is none


@dataclass(frozen=True)
class BucketEntry:
    values: Mapping[str, Any]  # what lineage.service reads of a bucket, complete


@dataclass(frozen=True)
class EstateEntry:
    body: str  # the estate's JSON text
    # The Estate, pickled apart: /estate serves the body from a shared cache without making
    # the graph's many objects again; only /impact and /provenance unpack it to walk it.
    packed: bytes

    @classmethod
    def of(cls, estate: Estate) -> EstateEntry:
        return cls(_dumps(estate.to_dict()), pickle.dumps(estate, pickle.HIGHEST_PROTOCOL))

    @property
    def estate(self) -> Estate:
        estate: Estate = pickle.loads(self.packed)  # our own entry, as the cache's pickles are
        return estate


@dataclass(frozen=True)
class EstateDocuments:
    """What the last estate build read: the next reads again only the pipelines whose
    ListPipelines times changed, and the resources whose listing changed."""

    known: EstateMemory


@dataclass(frozen=True)
class MissingEntry:
    """AWS said there is no such pipeline or execution; raised again on a hit."""

    kind: str  # a key of MISSING
    message: str

    def error(self) -> LineageError:
        return MISSING[self.kind](self.message)


MISSING: Mapping[str, type[PipelineNotFound] | type[ExecutionNotFound]] = {
    "pipeline": PipelineNotFound,
    "execution": ExecutionNotFound,
}

Entry = TypeVar(
    "Entry", LineageEntry, ListEntry, LatestEntry, BucketEntry, EstateEntry, EstateDocuments,
    DefinitionEntry, AnswerEntry, PageEntry,
)


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    entry: Any = None
    error: BaseException | None = None


class CacheHealth:
    """Whether the cache backend works; says so once when it fails and once when it is back.

    Every request tries the cache again, so caching resumes by itself; only the change of
    state is logged (a Redis outage must not write a trace per cache call).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down = False

    def failed(self, operation: str, exc: BaseException) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
        logger.warning(
            "cache backend unavailable (%s: %s); answering uncached until it is back",
            operation,
            type(exc).__name__,
        )

    def ok(self) -> None:
        if not self.down:  # the common case, without the lock
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        logger.info("cache backend is back; caching resumed")


# -- cross-process locks -------------------------------------------------------------------------


class _Locks:
    """A lock per key shared by every process using the same cache.

    ``directory``: the FileSystemCache's directory, where locks are O_EXCL files (cachelib's
    ``add`` is check-then-set there); without it, an atomic ``add`` in the cache itself.
    """

    def __init__(
        self,
        cache: Cache,
        ttl_sec: float,
        health: CacheHealth | None = None,
        directory: Path | None = None,
    ) -> None:
        self.cache = cache
        self.ttl_sec = ttl_sec
        self.health = health or CacheHealth()
        self.directory = directory

    def acquire(self, key: str) -> Callable[[], None] | None:
        """A release function, or ``None`` when another process holds the lock."""
        if self.directory is not None:
            return self._acquire_file(key)
        token = uuid.uuid4().hex
        try:
            if not self.cache.add(_lock_key(key), token, timeout=int(self.ttl_sec)):
                return None
        except Exception as exc:  # a cache that fails must not fail the request
            self.health.failed("lock", exc)
            return _noop

        def release() -> None:
            with contextlib.suppress(Exception):
                self.cache.delete(_lock_key(key))

        return release

    def held(self, key: str) -> bool:
        if self.directory is not None:
            return self._lock_path(key).exists()
        try:
            return self.cache.get(_lock_key(key)) is not None
        except Exception as exc:
            self.health.failed("lock", exc)
            return False

    def _lock_path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"lock-{_digest(key)}"

    def _acquire_file(self, key: str) -> Callable[[], None] | None:
        path = self._lock_path(key)
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                with contextlib.suppress(OSError):
                    # A holder that died leaves its file: past the TTL it is no longer a lock.
                    if time.time() - path.stat().st_mtime > self.ttl_sec:
                        path.unlink()
                        continue
                return None
            except OSError:
                logger.warning("cache lock file %s failed", path, exc_info=True)
                return _noop
            os.close(fd)

            def release() -> None:
                with contextlib.suppress(OSError):
                    path.unlink()

            return release
        return None


def _noop() -> None:
    return None


# -- the memoised service --------------------------------------------------------------------------


class CachedLineage:
    """The service functions the API and the dashboard call, memoised.

    ``lock_dir``: the directory of a FileSystemCache shared by several processes.
    ``background_builds``: first estate builds at once on threads that outlive their
    request; 0 builds every one within its request (Lambda freezes threads between requests).
    """

    def __init__(
        self,
        service: LineageService,
        cache: Cache,
        ttls: Ttls,
        *,
        lock_dir: Path | None = None,
        gate: FetchGate | None = None,
        background_builds: int = MAX_BUILDS,
    ) -> None:
        self.service = service
        self.cache = cache
        self.ttls = ttls
        self.gate: FetchGate = gate or OpenGate()
        self.buckets = _CachedBuckets(self, ttls.buckets)
        # A fetch in another process may take as long as a request may.
        self.wait_sec = service.settings.request_deadline_ms / 1000 + 10
        self.health = CacheHealth()
        self.locks = _Locks(cache, self.wait_sec, self.health, lock_dir)
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}
        self._builds = BackgroundBuilds(background_builds)

    def probe(self) -> str:
        """Try the cache once: ``ok``, ``off`` (NullCache), or ``unavailable`` (answering
        uncached until it is back)."""
        if type(self.cache.cache).__name__ == "NullCache":
            return "off"
        key = f"probe:{KEY_VERSION}:{uuid.uuid4().hex}"
        try:
            self.cache.set(key, LatestEntry(""), timeout=10)
            found = self.cache.get(key)
            self.cache.delete(key)
        except Exception as exc:
            self.health.failed("probe", exc)
            return "unavailable (answering uncached)"
        return "ok" if isinstance(found, LatestEntry) else "unavailable (answering uncached)"

    # -- the service functions -------------------------------------------------------------

    def lineage(
        self, request: LineageRequest, *, refresh: bool = False, stats: RequestStats | None = None
    ) -> Served:
        entry, source, refresh_after = self.lineage_entry(request, refresh=refresh, stats=stats)
        return Served(entry.body, source, refresh_after)

    def lineage_soon(
        self, request: LineageRequest, *, stats: RequestStats | None = None
    ) -> Served:
        """The document if it is cached or read within :data:`OUTLINE_AFTER_SEC`; else its
        outline (``partial``: the definition, the run and the steps' statuses, read without
        any Describe*, report or bucket setting) while the document is read in the background
        (single flight: the next call finds it, or the same build under way). A page's first
        draw; ``/lineage`` never answers an outline. Where no build can go in the background
        (none allowed, or all running), the document is read here, as ``lineage`` does."""
        stats = stats if stats is not None else current_stats()
        if request.outline:
            raise ValueError("lineage_soon reads the document itself")
        key = lineage_key(request, s3=self.service.settings.enable_s3_meta)
        found = self._lookup(key)
        if isinstance(found, MissingEntry):
            stats.cache = HIT
            raise found.error()
        if (isinstance(found, LineageEntry) and _named_as_asked(request, found)
                and self._still_latest(request, found, stats)):
            stats.cache = HIT
            return Served(found.body, HIT)
        build = self._builds.running(key)
        if build is None and not self.locks.held(key):
            if not self._builds.has_room():
                return self.lineage(request, stats=stats)
            self.gate.admit()  # the thread has no client: this request spends the fetch
            counted = RequestStats()  # the build's calls: logged by the build, not a request
            build = self._builds.start(key, lambda: self.lineage_entry(
                request, stats=counted, admit=False))
        if build is not None:
            try:
                entry, source, _ = build.result(OUTLINE_AFTER_SEC)
                return Served(entry.body, source)
            except TimeoutError:
                pass
        stats.cache = OUTLINE
        return Served(self._outline(request), OUTLINE, partial=True)

    def _outline(self, request: LineageRequest) -> str:
        """The outline's JSON text, kept under a key of its own (never the document's) as
        long as a running execution's document."""
        key = f"outline:{lineage_key(request, s3=self.service.settings.enable_s3_meta)}"

        def compute() -> tuple[ListEntry, int]:
            outline = self.service.get_lineage(replace(request, outline=True),
                                               stats=RequestStats())
            return ListEntry(_dumps(outline.to_dict())), self.ttls.running

        entry, _ = self._entry(key, ListEntry, compute, False, RequestStats(), admit=False)
        return entry.body

    def lineage_entry(
        self,
        request: LineageRequest,
        *,
        refresh: bool = False,
        stats: RequestStats | None = None,
        admit: bool = True,
    ) -> tuple[LineageEntry, str, int | None]:
        """The document's entry, how it was obtained, and the seconds until a refresh may go
        (when one was asked too soon). ``admit=False``: a part of an answer that was admitted
        as a whole (compare, trends), so this fetch does not spend the client's share again."""
        stats = stats if stats is not None else current_stats()
        if request.outline:
            raise ValueError("an outline is never cached or served as the document")
        key = lineage_key(request, s3=self.service.settings.enable_s3_meta)
        refresh, refresh_after = self._refresh_turn(key, refresh)
        force = refresh
        if not force:
            found = self._lookup(key)
            if isinstance(found, MissingEntry):
                stats.cache = HIT
                raise found.error()
            entry = found if isinstance(found, LineageEntry) else None
            if entry is not None and _named_as_asked(request, entry):
                if self._still_latest(request, entry, stats):
                    stats.cache = HIT
                    return entry, HIT, refresh_after
                force = True  # a newer execution exists: the entry is stale for "latest"
            elif entry is not None:
                force = True  # an ARN of another account: the service says so

        def compute() -> tuple[LineageEntry, int]:
            # A refresh reads bucket settings afresh too (and stores what it read).
            buckets = _CachedBuckets(self, self.ttls.buckets, read=False) if refresh else None
            try:
                document = self.service.get_lineage(
                    request, stats=stats, bucket_cache=buckets or self.buckets
                )
            except (PipelineNotFound, ExecutionNotFound) as exc:
                self._remember_missing(key, exc)
                raise
            entry, ttl = self._lineage_entry(document, request)
            if entry.latest:
                self._set(latest_key(request.region, request.pipeline),
                          LatestEntry(entry.execution_arn or ""), self.ttls.lists)
            return entry, ttl

        entry, source = self._single_flight(key, LineageEntry, compute, force, stats,
                                            admit=admit)
        return entry, source, refresh_after

    def definition(
        self, region: str, pipeline: str, execution_arn: str, *,
        stats: RequestStats | None = None, admit: bool = True,
    ) -> str:
        """The definition an execution ran (``LineageService.execution_definition``), kept as
        long as a finished execution's document: it never changes, even while the run goes."""
        stats = stats if stats is not None else current_stats()
        key = f"definition:{KEY_VERSION}:{region}:{pipeline}:{execution_id(execution_arn)}"
        found = self._get(key, DefinitionEntry)
        if found is not None:
            return found.text

        def compute() -> tuple[DefinitionEntry, int]:
            text = self.service.execution_definition(region, execution_arn, stats=stats)
            return DefinitionEntry(text), self.ttls.finished

        entry, _ = self._single_flight(key, DefinitionEntry, compute, False, RequestStats(),
                                       admit=admit)
        return entry.text

    def memoised(
        self,
        key: str,
        compute: Callable[[bool], tuple[AnswerEntry, int]],
        *,
        refresh: bool = False,
        stats: RequestStats | None = None,
        executions: tuple[str | None, ...] = (),
    ) -> Served:
        """An answer made from other entries, kept under ``key`` of its own:
        ``compute(refresh)`` gives it and its lifetime, ``refresh`` saying whether a refresh
        goes (then it refreshes its parts too). Refresh turns, single flight, the client's
        AWS-read limit (one fetch for the whole answer) and "no such pipeline/execution" as
        for every other answer.
        ``executions``: as the request named them (ids or ARNs); an entry is served for an ARN
        only when it was made for that very ARN."""
        stats = stats if stats is not None else current_stats()
        refresh, refresh_after = self._refresh_turn(key, refresh)
        force = refresh
        if not force:
            found = self._lookup(key)
            if isinstance(found, MissingEntry):
                stats.cache = HIT
                raise found.error()
            if isinstance(found, AnswerEntry):
                if _answers_for(executions, found):
                    stats.cache = HIT
                    return Served(found.body, HIT, refresh_after)
                force = True  # an ARN of another account: the documents say so

        def fill() -> tuple[AnswerEntry, int]:
            try:
                return compute(refresh)
            except (PipelineNotFound, ExecutionNotFound) as exc:
                self._remember_missing(key, exc)
                raise

        entry, source = self._single_flight(key, AnswerEntry, fill, force, stats)
        return Served(entry.body, source, refresh_after)

    def pipelines(
        self,
        regions: Collection[str],
        domain: str | None,
        *,
        refresh: bool = False,
        stats: RequestStats | None = None,
    ) -> Served:
        return self._pipelines(regions, domain, refresh=refresh, stats=stats)

    def _pipelines(
        self, regions: Collection[str], domain: str | None, *, refresh: bool,
        stats: RequestStats | None, admit: bool = True,
    ) -> Served:
        """``pipelines``; ``admit=False``: a part of an answer admitted as a whole."""
        stats = stats if stats is not None else current_stats()
        ordered = sorted(set(regions))
        key = f"pipelines:{KEY_VERSION}:{_digest(json.dumps([ordered, domain]))}"
        refresh, refresh_after = self._refresh_turn(key, refresh)

        def compute() -> tuple[ListEntry, int]:
            listing = list_pipelines(self.service, ordered, domain, stats=stats)
            return ListEntry(_dumps(listing.to_dict())), self.ttls.lists

        return self._list(key, compute, refresh, stats, refresh_after, admit=admit)

    def domains(
        self, regions: Collection[str], *, refresh: bool = False,
        stats: RequestStats | None = None, admit: bool = True,
    ) -> tuple[dict[str, list[dict[str, Any]] | None], str]:
        """Each region's Studio domains (``LineageService.domains``: ``None`` where they could
        not be read), kept as long as a list (seconds, when a region failed), and how they
        were obtained."""
        stats = stats if stats is not None else current_stats()
        ordered = sorted(set(regions))
        key = f"domains:{KEY_VERSION}:{_digest(json.dumps(ordered))}"
        refresh, _ = self._refresh_turn(key, refresh)

        def compute() -> tuple[ListEntry, int]:
            found = self.service.domains(ordered, stats=stats)
            ttl = self.ttls.running if None in found.values() else self.ttls.lists
            return ListEntry(_dumps(found)), ttl

        entry, source = self._entry(key, ListEntry, compute, refresh, stats, admit=admit)
        domains: dict[str, list[dict[str, Any]] | None] = json.loads(entry.body)
        return domains, source

    # -- the sibling API's answers (lineage.sibling) ------------------------------------------

    def sibling_lineage(
        self, query: LineageQuery, *, refresh: bool = False, stats: RequestStats | None = None
    ) -> Served:
        """``/lineage``: the document, shaped by the query (``view``: the sibling's keys, the
        matched domain from the region's cached domains; ``format=openlineage``: its
        execution's RunEvents). One document entry either way."""
        stats = stats if stats is not None else current_stats()
        request = query.request
        served = self.lineage(request, refresh=refresh, stats=stats)
        if query.openlineage:
            return Served(_openlineage_events(served.body), served.source, served.refresh_after)
        if query.view is None:
            return served
        sources = [served.source]
        domain = None
        if request.domain is not None:
            found, source = self.domains([request.region], refresh=refresh, stats=stats)
            sources.append(source)
            listed = domain_named(request.domain, found.get(request.region))
            domain = (domain_object(listed) if listed is not None
                      else {"domainId": None, "domainName": request.domain})
        stats.cache = _least_cached(sources)
        body = _with_views(served.body, query.view, _dumps(domain))
        return Served(body, stats.cache, served.refresh_after)

    def schema(
        self, request: SchemaRequest, *, refresh: bool = False,
        stats: RequestStats | None = None,
    ) -> Served:
        """``/schema`` (``lineage.schema_service``): made from the document's own entry (its
        dataset schemas are read with it, ENABLE_SCHEMA=true) and, with include_featurestore,
        the region's feature groups; kept under the document's key and include_featurestore.
        A finished document's answer lives as long as a list (a newer execution, or a new
        feature group, shows up within it, as "the latest" does for the document), seconds
        while the run goes or a read said "try again soon". Refresh and single flight as
        for every answer (one fetch for the AWS-read limit)."""
        stats = stats if stats is not None else current_stats()
        wanted = request.lineage
        key = (f"schema:{lineage_key(wanted, s3=self.service.settings.enable_s3_meta)}:"
               f"fs={request.include_featurestore}")

        def compute(refreshing: bool) -> tuple[AnswerEntry, int]:
            own = RequestStats()
            try:
                entry, _, _ = self.lineage_entry(wanted, refresh=refreshing, stats=own,
                                                 admit=False)
                answer = read_schema_answer(
                    self.service, wanted, include_featurestore=request.include_featurestore,
                    document=json.loads(entry.body), stats=own)
            finally:
                stats.aws_calls += own.aws_calls
            settled = entry.finished and not any(
                str(w.get("code", "")).endswith(_TRANSIENT_KINDS) for w in answer["warnings"])
            return AnswerEntry(_dumps(answer)), (self.ttls.lists if settled
                                                 else self.ttls.running)

        return self.memoised(key, compute, refresh=refresh, stats=stats)

    def sibling_pipelines(
        self, request: SiblingPipelinesRequest, *, refresh: bool = False,
        stats: RequestStats | None = None,
    ) -> Served:
        """``/sagemaker/pipelines``: ``/pipelines``' cached list of those regions, each
        pipeline with its matched domain (``ListDomains`` only where tags link to one)."""
        stats = stats if stats is not None else current_stats()
        listed = self.pipelines(request.regions, None, refresh=refresh, stats=stats)
        listing = json.loads(listed.body)
        sources = [listed.source]
        domains: dict[str, list[dict[str, Any]] | None] = {}
        needing = regions_needing_domains(listing)
        if needing:
            domains, source = self.domains(needing, refresh=refresh, stats=stats)
            sources.append(source)
        answer = pipelines_answer(listing, domains, PipelineFilters(
            include_latest_exec=request.include_latest_exec, name=request.name,
            domain_name=request.domain_name, domain_id=request.domain_id))
        stats.cache = _least_cached(sources)
        return Served(_dumps(answer), stats.cache, listed.refresh_after)

    def domain_lineage(
        self, request: DomainLineageRequest, *, refresh: bool = False,
        stats: RequestStats | None = None,
    ) -> Served:
        """``/lineage/by-domain``: the documents of every pipeline of the domain in the region
        (``/pipelines``' domain rule), read at once from their own entries, each shaped with
        ``view``; one answer of its own (one fetch for the AWS-read limit), kept as long as a
        list, seconds when a document runs or failed. No pipeline of the domain: 404."""
        stats = stats if stats is not None else current_stats()
        key = (f"by-domain:{KEY_VERSION}:{request.region}:{request.domain}:"
               f"{request.include_latest_exec}:{request.view}:"
               f"s3={self.service.settings.enable_s3_meta}")

        def compute(refreshing: bool) -> tuple[AnswerEntry, int]:
            listed = self._pipelines([request.region], request.domain, refresh=refreshing,
                                     stats=stats, admit=False)
            names = sorted({str(p["name"]) for p in json.loads(listed.body)["pipelines"]})
            if not names:
                raise PipelineNotFound("no pipeline of this domain in this region")
            found, _ = self.domains([request.region], refresh=refreshing, stats=stats,
                                    admit=False)
            listed_domain = domain_named(request.domain, found.get(request.region))
            domain = (domain_object(listed_domain) if listed_domain is not None
                      else {"domainId": None, "domainName": request.domain})
            lock = threading.Lock()

            def read(name: str) -> tuple[PipelineResult, bool]:
                own = RequestStats()
                try:
                    entry, _, _ = self.lineage_entry(request.pipeline_request(name),
                                                     refresh=refreshing, stats=own, admit=False)
                except LineageError as exc:
                    return PipelineResult(name, error=exc.message, code=exc.warning_kind), False
                finally:
                    with lock:
                        stats.aws_calls += own.aws_calls
                # Shaped here, not through _with_views: the answer is an entry of its own, and
                # its documents would only push /lineage's polled bodies out of that cache.
                document = with_views(json.loads(entry.body), request.view, domain=domain)
                return PipelineResult(name, document=document), entry.finished

            with ThreadPoolExecutor(max_workers=min(DOMAIN_READERS, len(names)),
                                    thread_name_prefix="by-domain") as pool:
                results = list(pool.map(read, names))
            answer = domain_lineage_answer(request.region, request.domain,
                                           [result for result, _ in results])
            settled = all(finished for _, finished in results)
            return AnswerEntry(_dumps(answer)), (self.ttls.lists if settled
                                                 else self.ttls.running)

        return self.memoised(key, compute, refresh=refresh, stats=stats)

    def executions(
        self,
        pipeline: str,
        region: str,
        limit: int,
        *,
        refresh: bool = False,
        stats: RequestStats | None = None,
    ) -> Served:
        """The ``limit`` newest executions (the pipeline page's list)."""
        return self.execution_page(ExecutionsRequest(pipeline, region, limit), refresh=refresh,
                                   stats=stats)

    def execution_page(
        self,
        request: ExecutionsRequest,
        *,
        refresh: bool = False,
        stats: RequestStats | None = None,
    ) -> Served:
        """A page of ``/executions``, made of the listing's pages as they are cached.

        What is cached is ``ListPipelineExecutions``' pages, each with its executions' end
        times (and parameter values when asked): one entry per page, under a key naming all it
        depends on (region, pipeline, page size, AWS's NextToken that starts it, whether
        parameters are read). The limit, the place on a page a token resumes at and the
        filters are applied to those entries, so a page of 2 and a page of 20 share one, and
        following tokens over the default list reads each of its pages once. A page read
        from AWS is one fetch for the AWS-read limit, however many pages it is made of; a
        refresh reads each of them again (each key's own cooldown).
        """
        stats = stats if stats is not None else current_stats()
        started = time.monotonic()
        budget = self.service.settings.request_deadline_ms / 1000
        sources: list[str] = []
        waits: list[int] = []
        admitted: list[bool] = []

        def read(size: int, token: str | None) -> ListedPage:
            key = executions_key(request.region, request.pipeline, size, token,
                                 parameters=request.reads_parameters)
            force, wait = self._refresh_turn(key, refresh)
            if wait is not None:
                waits.append(wait)

            def compute() -> tuple[PageEntry, int]:
                if not admitted:  # one fetch for the client's limit, whatever it reads
                    self.gate.admit()
                    admitted.append(True)
                left = max(1.0, budget - (time.monotonic() - started))
                try:
                    page = list_execution_page(
                        self.service, request.pipeline, request.region, size, token=token,
                        parameters=request.reads_parameters, stats=stats, deadline_sec=left)
                except PipelineNotFound as exc:
                    self._remember_missing(key, exc)
                    raise
                return PageEntry(_dumps(page.listing.to_dict()), page.next_token), self.ttls.lists

            entry, source = self._entry(key, PageEntry, compute, force, stats, admit=False)
            sources.append(source)
            return ListedPage(json.loads(entry.body), entry.next_token)

        selection = select_executions(
            request, read, more_time=lambda: time.monotonic() - started < budget)
        source = _least_cached(sources)
        stats.cache = source
        return Served(_dumps(selection.answer(request)), source, max(waits) if waits else None)

    # -- the estate ----------------------------------------------------------------------------

    def estate(
        self,
        request: EstateRequest,
        *,
        refresh: bool = False,
        stats: RequestStats | None = None,
        progress: bool = False,
    ) -> Served:
        """The estate graph of a scope (``lineage.estate_reader``), kept as long as a list.

        Built from each pipeline's lineage document; a rebuild reuses the documents of the
        pipelines whose ListPipelines times did not change (kept as long as a finished
        execution's document), or the whole last estate when CloudTrail saw no change
        (``lineage.change_feed``). One build is one fetch for the client's AWS-read limit.
        ``progress``: a first build runs in the background, and the answer comes within
        :data:`ESTATE_PROGRESS_AFTER_SEC` with what is read so far (its ``progress`` says how
        far); a refresh always waits for the whole build.
        """
        entry, source, refresh_after = self._estate(request, refresh, stats, progress)
        return Served(entry.body, source, refresh_after)

    def impact(self, request: ImpactRequest, *, stats: RequestStats | None = None) -> Served:
        """Everything downstream of an S3 location or bucket, from the cached estate."""
        entry, _, _ = self._estate(request.estate, False, stats, False)
        found = impact(entry.estate, uri=request.uri, bucket=request.bucket)
        return Served(_dumps(found.to_dict()), HIT)

    def provenance(
        self, request: ProvenanceRequest, *, stats: RequestStats | None = None
    ) -> Served:
        """Everything upstream of an endpoint, model or model package, from the cached estate."""
        entry, _, _ = self._estate(request.estate, False, stats, False)
        found = provenance(entry.estate, endpoint=request.endpoint, model=request.model,
                           model_package=request.model_package)
        return Served(_dumps(found.to_dict()), HIT)

    def _estate(
        self, request: EstateRequest, refresh: bool, stats: RequestStats | None, progress: bool
    ) -> tuple[EstateEntry, str, int | None]:
        stats = stats if stats is not None else current_stats()
        # One key for one scope, whatever the order its regions were named in.
        scope = replace(request, regions=tuple(sorted(set(request.regions))))
        key = estate_key(scope, s3=self.service.settings.enable_s3_meta)
        refresh, refresh_after = self._refresh_turn(key, refresh)
        if not refresh:
            found = self._get(key, EstateEntry)
            if found is not None:
                stats.cache = HIT
                return found, HIT, refresh_after
            if progress:
                return (*self._estate_so_far(scope, key, stats), refresh_after)
        compute = self._estate_build(scope, key, refresh, stats)
        entry, source = self._single_flight(key, EstateEntry, compute, refresh, stats)
        return entry, source, refresh_after

    def _estate_so_far(
        self, scope: EstateRequest, key: str, stats: RequestStats
    ) -> tuple[EstateEntry, str]:
        """The estate if its build ends soon, else what it has read so far."""
        build = self._builds.running(key)
        # Another process building it stores its progress where this one looks.
        starts = build is None and not self.locks.held(key)
        if starts:
            landed = self._get(key, EstateEntry)  # a build that ended since the caller looked
            if landed is not None:
                stats.cache = SHARED
                return landed, SHARED
            if not self._builds.has_room():  # enough in the background: this one here
                compute = self._estate_build(scope, key, False, stats)
                return self._single_flight(key, EstateEntry, compute, False, stats)
            self.gate.admit()  # the thread has no client: this request spends the fetch
            counted = RequestStats()  # the build's calls: logged by the build, not a request
            compute = self._estate_build(scope, key, False, counted)
            build = self._builds.start(key, lambda: self._single_flight(
                key, EstateEntry, compute, False, counted))
        stats.cache = MISS
        if build is not None:
            # The request that starts a build waits a little (a small estate is whole by
            # then); one that polls a build under way is answered at once.
            try:
                entry, _ = build.result(ESTATE_PROGRESS_AFTER_SEC if starts else 0)
                return entry, MISS
            except TimeoutError:
                pass
        else:
            landed = self._get(key, EstateEntry)
            if landed is not None:
                return landed, MISS
        so_far = self._get(f"estate-so-far:{key}", EstateEntry)
        if so_far is not None:
            return so_far, MISS
        empty = Estate((), (), (), datetime.now(UTC), EstateProgress(0, 0))
        return EstateEntry.of(empty), MISS

    def _estate_build(
        self, scope: EstateRequest, key: str, refresh: bool, stats: RequestStats
    ) -> Callable[[], tuple[EstateEntry, int]]:
        """The build of one estate: reuses what the last one read (unless a refresh), stores
        what it has read so far every :data:`ESTATE_SO_FAR_EVERY_SEC` (for the polls of a
        first build in the background)."""
        so_far_key = f"estate-so-far:{key}"
        # First a little before the request that started the build answers (it finds this);
        # a build that ends sooner (a rebuild) stores none.
        first = ESTATE_PROGRESS_AFTER_SEC * 0.75
        stored_at = [time.monotonic() - ESTATE_SO_FAR_EVERY_SEC + first]

        def store_so_far(_: EstateProgress, so_far: Callable[[], Estate]) -> None:
            now = time.monotonic()
            if now - stored_at[0] < ESTATE_SO_FAR_EVERY_SEC:
                return
            stored_at[0] = now
            estate = so_far()
            self._set(so_far_key, EstateEntry.of(estate),
                      self.ttls.running)

        def compute() -> tuple[EstateEntry, int]:
            documents_key = f"estate-documents:{key}"
            known = None if refresh else self._get(documents_key, EstateDocuments)
            # A refresh reads bucket settings afresh too (and stores what it read).
            buckets = _CachedBuckets(self, self.ttls.buckets, read=False) if refresh else None
            started = time.monotonic()
            read = read_estate(self.service, scope, document_for=self._estate_document(stats),
                               known=known.known if known else None,
                               bucket_cache=buckets or self.buckets, on_progress=store_so_far)
            stats.aws_calls += read.aws_calls
            logger.info("estate %s %s in %.0f ms: %d pipelines read, %d AWS calls", key,
                        "served again (nothing changed)" if read.reused else "built",
                        (time.monotonic() - started) * 1000, read.pipelines_read,
                        stats.aws_calls)
            if known is None or read.known != known.known:  # a rebuild may change nothing
                self._set(documents_key, EstateDocuments(read.known), self.ttls.finished)
            estate = read.estate
            partial = estate.transient or estate.progress is not None
            ttl = self.ttls.running if partial else self.ttls.lists
            return EstateEntry.of(estate), ttl

        return compute

    def _estate_document(self, stats: RequestStats) -> DocumentFor:
        """``document_for`` of an estate build: the service's lean document, the calls counted
        into ``stats`` (from the build's threads)."""
        lock = threading.Lock()

        def document(pipeline: EstatePipeline, execution: str | None) -> Mapping[str, Any]:
            counted = RequestStats()
            seen = account_service(self.service, pipeline.role)
            try:
                found = seen.get_lineage(estate_document_request(pipeline, execution),
                                         stats=counted)
            finally:
                with lock:
                    stats.aws_calls += counted.aws_calls
            return found.to_dict()

        return document

    def _remember_missing(self, key: str, exc: PipelineNotFound | ExecutionNotFound) -> None:
        kind = "pipeline" if isinstance(exc, PipelineNotFound) else "execution"
        self._set(key, MissingEntry(kind, exc.message), self.ttls.lists)

    def _refresh_turn(self, key: str, refresh: bool) -> tuple[bool, int | None]:
        """(whether this refresh goes, seconds until the next may when it does not)."""
        if not refresh:
            return False, None
        wait = self.gate.refresh_wait(key)
        return (True, None) if wait <= 0 else (False, wait)

    # -- lifetimes -------------------------------------------------------------------------------

    def _lineage_entry(
        self, document: LineageDocument, request: LineageRequest
    ) -> tuple[LineageEntry, int]:
        execution = document.execution
        if execution is None:
            ttl, finished = self.ttls.lists, False
        elif execution.status in TERMINAL_EXECUTION_STATUSES and not document.transient:
            ttl, finished = self.ttls.finished, True
        else:  # still running, or a warning says "try again soon"
            ttl, finished = self.ttls.running, False
        latest = request.execution is None and request.include_latest_exec
        entry = LineageEntry(
            body=_dumps(document.to_dict()),
            execution_arn=execution.arn if execution else None,
            latest=latest,
            check_latest=latest and finished,
            finished=finished,
        )
        return entry, ttl

    def _still_latest(
        self, request: LineageRequest, entry: LineageEntry, stats: RequestStats
    ) -> bool:
        if not entry.check_latest:
            return True
        key = latest_key(request.region, request.pipeline)

        def compute() -> tuple[LatestEntry, int]:
            arn = newest_execution_arn(
                self.service, request.pipeline, request.region, stats=stats
            )
            return LatestEntry(arn), self.ttls.lists

        latest = self._get(key, LatestEntry)
        if latest is None:
            try:
                # Single flight here too: a burst of hits makes one ListPipelineExecutions.
                latest, _ = self._single_flight(
                    key, LatestEntry, compute, False, RequestStats()
                )
            except (AwsError, TooManyRequests):
                return True  # cannot tell: what we have is still a true answer
        return latest.arn == (entry.execution_arn or "")

    # -- single flight ---------------------------------------------------------------------------

    def _list(
        self,
        key: str,
        compute: Callable[[], tuple[ListEntry, int]],
        refresh: bool,
        stats: RequestStats,
        refresh_after: int | None = None,
        *,
        admit: bool = True,
    ) -> Served:
        entry, source = self._entry(key, ListEntry, compute, refresh, stats, admit=admit)
        return Served(entry.body, source, refresh_after)

    def _entry(
        self,
        key: str,
        kind: type[Entry],
        compute: Callable[[], tuple[Entry, int]],
        refresh: bool,
        stats: RequestStats,
        *,
        admit: bool = True,
    ) -> tuple[Entry, str]:
        """A list's entry: a hit, "no such pipeline" raised again, or filled (single flight);
        ``admit=False``: ``compute`` asks the gate itself."""
        if not refresh:
            found = self._lookup(key)
            if isinstance(found, MissingEntry):
                stats.cache = HIT
                raise found.error()
            if isinstance(found, kind):
                stats.cache = HIT
                return found, HIT
        return self._single_flight(key, kind, compute, refresh, stats, admit=admit)

    def _single_flight(
        self,
        key: str,
        kind: type[Entry],
        compute: Callable[[], tuple[Entry, int]],
        force: bool,
        stats: RequestStats,
        *,
        admit: bool = True,
    ) -> tuple[Entry, str]:
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            if not flight.done.wait(self.wait_sec):
                raise AwsUnavailable("AWS did not answer within the request deadline")
            if flight.error is not None:
                raise flight.error
            stats.cache = SHARED
            entry: Entry = flight.entry
            return entry, SHARED
        try:
            entry, source = self._fill(key, kind, compute, force, admit)
            flight.entry = entry
            stats.cache = source
            return entry, source
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _fill(
        self, key: str, kind: type[Entry], compute: Callable[[], tuple[Entry, int]], force: bool,
        admit: bool = True,
    ) -> tuple[Entry, str]:
        release = self.locks.acquire(key)
        if release is None:
            # Another process is fetching the same thing: wait for its answer.
            other = self._await_other(key, kind, force)
            if other is not None:
                return other, SHARED
            release = self.locks.acquire(key) or _noop
        try:
            if not force:
                filled = self._get(key, kind)  # filled while we took the lock
                if filled is not None:
                    return filled, SHARED
            if admit:  # only a request that reaches AWS spends the client's share
                self.gate.admit()
            entry, ttl = compute()
            self._set(key, entry, ttl)
            return entry, (REFRESH if force else MISS)
        finally:
            release()

    def _await_other(self, key: str, kind: type[Entry], force: bool) -> Entry | None:
        """The entry another process is filling; ``None`` when it gave up or took too long."""
        deadline = time.monotonic() + self.wait_sec
        while time.monotonic() < deadline:
            if not force:
                entry = self._get(key, kind)
                if entry is not None:
                    return entry
            if not self.locks.held(key):
                return self._get(key, kind)
            time.sleep(POLL_INTERVAL_SEC)
        return None

    # -- the cache, failing softly ----------------------------------------------------------------

    def _get(self, key: str, kind: type[Entry]) -> Entry | None:
        """The entry under ``key`` if it is a ``kind``; anything else is a miss."""
        value = self._lookup(key)
        return value if isinstance(value, kind) else None

    def _lookup(self, key: str) -> Any:
        """Whatever is under ``key``; ``None`` when nothing is or the cache fails."""
        try:
            value = self.cache.get(key)
        except Exception as exc:
            self.health.failed("get", exc)
            return None
        self.health.ok()
        return value

    def _set(self, key: str, value: Any, ttl: int) -> None:
        try:
            self.cache.set(key, value, timeout=ttl)
        except Exception as exc:
            self.health.failed("set", exc)
            return
        self.health.ok()


class _CachedBuckets:
    """Bucket settings in the same cache, kept ``LINEAGE_CACHE_TTL_BUCKETS_SEC``."""

    def __init__(self, owner: CachedLineage, ttl: int, *, read: bool = True) -> None:
        self.owner = owner
        self.ttl = ttl
        self.read = read

    def get(self, bucket: str) -> dict[str, Any] | None:
        if not self.read:
            return None
        found = self.owner._get(_bucket_key(bucket), BucketEntry)
        return dict(found.values) if found is not None else None

    def set(self, bucket: str, values: dict[str, Any]) -> None:
        self.owner._set(_bucket_key(bucket), BucketEntry(dict(values)), self.ttl)


def _bucket_key(bucket: str) -> str:
    return f"bucket:{KEY_VERSION}:{bucket}"


def lineage_key(request: LineageRequest, *, s3: bool) -> str:
    """The cache key of a lineage document: everything the answer depends on, each named one
    way (an execution by its id; includeLatestExec only when no execution is named)."""
    named = execution_id(request.execution) if request.execution is not None else None
    include = request.include_latest_exec or named is not None
    rest = json.dumps([named, include, request.domain, s3, request.for_estate,
                       request.for_trends], sort_keys=True)
    return f"lineage:{KEY_VERSION}:{request.region}:{request.pipeline}:{_digest(rest)}"


def _named_as_asked(request: LineageRequest, entry: LineageEntry) -> bool:
    """Whether an entry found under the execution's id answers an execution asked by ARN."""
    asked = request.execution
    if asked is None or not EXECUTION_ARN.fullmatch(asked):
        return True
    return (entry.execution_arn or "").lower() == asked.lower()


def _answers_for(asked: tuple[str | None, ...], entry: AnswerEntry) -> bool:
    """Whether an answer found under the executions' ids answers them as asked (by ARN)."""
    for execution, made_for in zip(asked, entry.executions, strict=False):
        if execution is not None and EXECUTION_ARN.fullmatch(execution) and (
                (made_for or "").lower() != execution.lower()):
            return False
    return True


def executions_key(region: str, pipeline: str, size: int, token: str | None, *,
                   parameters: bool) -> str:
    """The cache key of a page of ``ListPipelineExecutions``: its size, AWS's NextToken that
    starts it (``None``: the newest), whether its runs' parameters are read."""
    rest = json.dumps([token, parameters])
    return f"executions:{KEY_VERSION}:{region}:{pipeline}:{size}:{_digest(rest)}"


# From the most cached to the least: an answer made of entries says its least cached one.
_CACHED_ORDER = (HIT, SHARED, MISS, REFRESH)


def _least_cached(sources: list[str]) -> str:
    return max(sources, key=_CACHED_ORDER.index) if sources else HIT


def estate_key(scope: EstateRequest, *, s3: bool) -> str:
    """The cache key of an estate: its regions (sorted), account, domain, depth."""
    rest = json.dumps([list(scope.regions), scope.account, scope.domain, scope.depth, s3])
    return f"estate:{KEY_VERSION}:{_digest(rest)}"


def latest_key(region: str, pipeline: str) -> str:
    """The cache key of "the newest execution of this pipeline"."""
    return f"latest:{KEY_VERSION}:{region}:{pipeline}"


def _lock_key(key: str) -> str:
    return f"lock:{key}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _dumps(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# The warning kinds that say "try again soon" (lineage.errors: transient).
_TRANSIENT_KINDS = tuple(f"_{kind.warning_kind}" for kind in (
    AwsThrottled, AwsUnavailable, DeadlineExceeded, TooManyRequests))


# An answer in OpenLineage is the same as long as the document it is made from (kept per
# worker as the shaped ones below). openlineage-python is imported on the first one only: it
# costs a fifth of a second, which no other answer should pay.
@functools.lru_cache(maxsize=8)
def _openlineage_events(body: str) -> str:
    """A document's JSON text as the JSON array of its execution's RunEvents."""
    from lineage.openlineage import run_event_dicts

    return _dumps(run_event_dicts(json.loads(body), namespace=None))


# A shaped answer is the same as long as the document it is made from: each worker keeps its
# last few (a body is its own key), so polling a big document is not parsed on every request.
@functools.lru_cache(maxsize=8)
def _with_views(body: str, view: str, domain: str) -> str:
    """A document's JSON text with the sibling's keys for ``view`` (``lineage.sibling``);
    ``domain``: the matched domain's JSON (``null``: no domain filter)."""
    return _dumps(with_views(json.loads(body), view, domain=json.loads(domain)))
