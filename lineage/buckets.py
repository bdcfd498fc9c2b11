"""Each bucket's security settings, read once per bucket for a whole answer (I/O).

A lineage document and an estate both meet the same buckets many times over (every artifact
of a run, every pipeline of an estate); :class:`BucketReads` starts the reads of
:data:`BUCKET_READS` the first time a bucket is seen, serves buckets a :class:`BucketCache`
already holds, and turns what came back into :class:`~lineage.models.S3Settings` (a field
AWS would not give is ``Unknown``). Its callbacks run on the thread that drains its
:class:`~lineage.calls.Calls`, like every other answer of that request.

Macie is regional: a bucket's sensitive-data findings are asked of Macie in the bucket's own
region, so that read (:data:`REGIONAL_READS`) starts when ``GetBucketLocation`` has answered,
and only where ``GetMacieSession`` (asked once per region and account for the whole answer,
not per bucket) says Macie is enabled; elsewhere the status is ``NotEnabled``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, Protocol

from lineage.aws import AwsApi
from lineage.calls import Calls
from lineage.errors import AwsError
from lineage.graph import split_s3_uri
from lineage.models import UNKNOWN, UNKNOWN_SENSITIVE_DATA, S3Settings, SensitiveData

logger = logging.getLogger(__name__)

# S3Settings field -> the AwsApi method that reads it (given the bucket), all started at once.
BUCKET_READS = {
    "encryption": "bucket_encryption",
    "versioning": "bucket_versioning",
    "public_access": "bucket_public_access",
    "tags": "bucket_tags",
    "public_policy": "bucket_public_policy",
    "lifecycle": "bucket_lifecycle",
    "object_lock": "bucket_object_lock",
}
# The region: from the account's ListBuckets (its BucketRegion, one call for every bucket it
# owns), or GetBucketLocation for a bucket it does not list (another account's, or past
# the listing's first LISTED_BUCKETS).
REGION_FIELD = "region"
LISTED_BUCKETS = 1000
# S3Settings field -> the AwsApi method that reads it (given the bucket and its region), once
# the region is known and Macie is enabled there (AwsApi.macie_enabled).
REGIONAL_READS = {"sensitive_data": "bucket_sensitive_data"}
# Every field a complete set holds (what a BucketCache keeps).
BUCKET_FIELDS = frozenset(BUCKET_READS) | {REGION_FIELD} | frozenset(REGIONAL_READS)
MACIE_NOT_ENABLED = SensitiveData("NotEnabled")
NO_SENSITIVE_DATA = SensitiveData("NoneFound")
# Buckets whose findings one GetFindingStatistics counts (its criterion's values; Macie
# documents no bound, this one keeps each request small).
MACIE_BATCH = 50

# (error, bucket, what failed): how a reader reports a read that failed.
OnBucketError = Callable[[AwsError, str, str], None]


class BucketCache(Protocol):
    """Bucket settings kept between requests (they change far less often than runs).

    ``get`` answers the values :class:`BucketReads` would read (the fields of
    :data:`BUCKET_FIELDS`) or ``None``; only complete sets are stored. A set kept before a
    field was added is incomplete, and read again.
    """

    def get(self, bucket: str) -> dict[str, Any] | None: ...

    def set(self, bucket: str, values: dict[str, Any]) -> None: ...


class BucketReads:
    """The buckets of one answer: read on ``pool`` through ``calls``, each at most once."""

    def __init__(
        self,
        calls: Calls,
        pool: Executor,
        on_error: OnBucketError,
        cache: BucketCache | None = None,
    ) -> None:
        self.calls = calls
        self.pool = pool
        self.on_error = on_error
        self.cache = cache
        # bucket -> the settings read so far (a missing field is Unknown)
        self.values: dict[str, dict[str, Any]] = {}
        self.from_cache: set[str] = set()
        # (role, region) -> whether Macie is enabled there, asked once for the whole answer
        self._macie: dict[tuple[str | None, str], _MacieSession] = {}
        # role -> the regions of its account's buckets (ListBuckets), asked once likewise
        self._listings: dict[str | None, _Listing] = {}

    def read_uri(self, api: AwsApi, uri: str) -> None:
        """Read the bucket of an ``s3://`` URI (anything else is ignored)."""
        split = split_s3_uri(uri)
        if split is not None:
            self.read(api, split[0])

    def read(self, api: AwsApi, bucket: str) -> None:
        """Start reading ``bucket`` through ``api`` unless it is read or cached already."""
        if bucket in self.values:
            return
        cached = self.cache.get(bucket) if self.cache is not None else None
        if cached is not None and BUCKET_FIELDS <= cached.keys():
            self.values[bucket] = dict(cached)
            self.from_cache.add(bucket)
            return
        values = self.values[bucket] = {}
        for field_name, method in BUCKET_READS.items():
            self.calls.submit(self.pool, getattr(api, method), bucket,
                              then=self._landed(values, bucket, field_name, api))
        listing = self._listings.get(api.role)
        if listing is None:
            listing = self._listings[api.role] = _Listing()
            self.calls.submit(self.pool, api.owned_bucket_regions, LISTED_BUCKETS,
                              then=self._listing_landed(listing))
        if listing.pending:
            listing.waiting.append((api, bucket, values))
        else:
            self._region(listing, api, bucket, values)

    def _listing_landed(self, listing: _Listing) -> Callable[[Future[dict[str, str]]], None]:
        def done(answer: Future[dict[str, str]]) -> None:
            try:
                listing.regions = answer.result()
            except AwsError as exc:
                # Not granted (s3:ListAllMyBuckets), throttled...: each bucket is asked.
                logger.debug("ListBuckets failed (%s): GetBucketLocation per bucket", exc.code)
            listing.pending = False
            waiting, listing.waiting = listing.waiting, []
            for api, bucket, values in waiting:
                self._region(listing, api, bucket, values)

        return done

    def _region(self, listing: _Listing, api: AwsApi, bucket: str,
                values: dict[str, Any]) -> None:
        region = listing.regions.get(bucket)
        if region is None:
            self.calls.submit(self.pool, api.bucket_region, bucket,
                              then=self._landed(values, bucket, REGION_FIELD, api))
            return
        values[REGION_FIELD] = region
        self._in_region(api, bucket, values, region)

    def _landed(
        self, values: dict[str, Any], bucket: str, field_name: str, api: AwsApi
    ) -> Callable[[Future[Any]], None]:
        def done(answer: Future[Any]) -> None:
            try:
                values[field_name] = answer.result()
            except AwsError as exc:
                self.on_error(exc, bucket, exc.operation or field_name)
                return
            if field_name == REGION_FIELD:
                self._in_region(api, bucket, values, str(values[REGION_FIELD]))

        return done

    def _in_region(self, api: AwsApi, bucket: str, values: dict[str, Any], region: str) -> None:
        """Start the reads that need the bucket's region, once Macie there is known."""
        key = (api.role, region)
        session = self._macie.get(key)
        if session is None:
            session = self._macie[key] = _MacieSession()
            self.calls.submit(self.pool, api.macie_enabled, region,
                              then=self._session_landed(session, region))
        if session.pending:
            session.waiting.append((api, bucket, values))
        else:
            self._regional(session, api, bucket, values, region)

    def _session_landed(
        self, session: _MacieSession, region: str
    ) -> Callable[[Future[bool]], None]:
        def done(answer: Future[bool]) -> None:
            try:
                session.enabled = answer.result()
            except AwsError as exc:
                session.error = exc
            session.pending = False
            waiting, session.waiting = session.waiting, []
            if session.error is None and session.enabled and len(waiting) > 1:
                self._findings_at_once(waiting, region)
                return
            for api, bucket, values in waiting:
                self._regional(session, api, bucket, values, region)

        return done

    def _findings_at_once(
        self, waiting: list[tuple[AwsApi, str, dict[str, Any]]], region: str
    ) -> None:
        """The buckets that waited for Macie's session: which have findings, in one call
        per MACIE_BATCH of them; only those are asked theirs by type."""
        for start in range(0, len(waiting), MACIE_BATCH):
            batch = waiting[start:start + MACIE_BATCH]
            api = batch[0][0]
            self.calls.submit(self.pool, api.buckets_with_sensitive_data,
                              [bucket for _, bucket, _ in batch], region,
                              then=self._counts_landed(batch, region))

    def _counts_landed(
        self, batch: list[tuple[AwsApi, str, dict[str, Any]]], region: str
    ) -> Callable[[Future[dict[str, int]]], None]:
        def done(answer: Future[dict[str, int]]) -> None:
            try:
                counts = answer.result()
            except AwsError as exc:
                for _, bucket, _ in batch:
                    self.on_error(exc, bucket, exc.operation or "GetFindingStatistics")
                return
            for api, bucket, values in batch:
                if not counts.get(bucket):
                    values["sensitive_data"] = NO_SENSITIVE_DATA
                    continue
                self._read_regional(api, bucket, values, region)

        return done

    def _regional(
        self, session: _MacieSession, api: AwsApi, bucket: str, values: dict[str, Any],
        region: str,
    ) -> None:
        if session.error is not None:
            # Each bucket says so (its sensitiveData is Unknown), as every other read does.
            self.on_error(session.error, bucket, session.error.operation or "GetMacieSession")
            return
        if not session.enabled:
            values["sensitive_data"] = MACIE_NOT_ENABLED
            return
        self._read_regional(api, bucket, values, region)

    def _read_regional(self, api: AwsApi, bucket: str, values: dict[str, Any],
                       region: str) -> None:
        """The reads that need the bucket's region and Macie there (REGIONAL_READS)."""
        for field_name, method in REGIONAL_READS.items():
            self.calls.submit(self.pool, getattr(api, method), bucket, region,
                              then=self._landed(values, bucket, field_name, api))

    def settings(self) -> dict[str, S3Settings]:
        """Every bucket seen, with what was read of it."""
        return {
            bucket: S3Settings(
                encryption=values.get("encryption", UNKNOWN),
                versioning=values.get("versioning", UNKNOWN),
                public_access=values.get("public_access", UNKNOWN),
                tags=values.get("tags"),
                region=values.get("region"),
                public_policy=values.get("public_policy", UNKNOWN),
                lifecycle=values.get("lifecycle"),
                object_lock=values.get("object_lock", UNKNOWN),
                sensitive_data=values.get("sensitive_data", UNKNOWN_SENSITIVE_DATA),
            )
            for bucket, values in self.values.items()
        }

    def remember(self) -> None:
        """Keep in the cache the buckets read now in full (a partial set would hide a failure)."""
        if self.cache is None:
            return
        for bucket, values in self.values.items():
            if bucket not in self.from_cache and values.keys() >= BUCKET_FIELDS:
                self.cache.set(bucket, values)


class _MacieSession:
    """What GetMacieSession said of one region (and account) for this answer."""

    def __init__(self) -> None:
        self.pending = True
        self.enabled = False
        self.error: AwsError | None = None
        # (api, bucket, values) of the buckets waiting for the answer
        self.waiting: list[tuple[AwsApi, str, dict[str, Any]]] = []


class _Listing:
    """What ListBuckets said of one account's buckets for this answer."""

    def __init__(self) -> None:
        self.pending = True
        self.regions: dict[str, str] = {}  # empty when the listing failed
        # (api, bucket, values) of the buckets waiting for the answer
        self.waiting: list[tuple[AwsApi, str, dict[str, Any]]] = []
