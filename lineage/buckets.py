"""Each bucket's security settings, read once per bucket for a whole answer (I/O).

A lineage document and an estate both meet the same buckets many times over (every artifact
of a run, every pipeline of an estate); :class:`BucketReads` starts the five reads of
:data:`BUCKET_READS` the first time a bucket is seen, serves buckets a :class:`BucketCache`
already holds, and turns what came back into :class:`~lineage.models.S3Settings` (a field
AWS would not give is ``Unknown``). Its callbacks run on the thread that drains its
:class:`~lineage.calls.Calls`, like every other answer of that request.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, Protocol

from lineage.aws import AwsApi
from lineage.calls import Calls
from lineage.errors import AwsError
from lineage.graph import split_s3_uri
from lineage.models import UNKNOWN, S3Settings

# S3Settings field -> the AwsApi method that reads it.
BUCKET_READS = {
    "region": "bucket_region",
    "encryption": "bucket_encryption",
    "versioning": "bucket_versioning",
    "public_access": "bucket_public_access",
    "tags": "bucket_tags",
}

# (error, bucket, what failed): how a reader reports a read that failed.
OnBucketError = Callable[[AwsError, str, str], None]


class BucketCache(Protocol):
    """Bucket settings kept between requests (they change far less often than runs).

    ``get`` answers the values :class:`BucketReads` would read (``region``, ``encryption``,
    ``versioning``, ``public_access``, ``tags``) or ``None``; only complete sets are stored.
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
        if cached is not None:
            self.values[bucket] = dict(cached)
            self.from_cache.add(bucket)
            return
        values = self.values[bucket] = {}
        for field_name, method in BUCKET_READS.items():
            self.calls.submit(self.pool, getattr(api, method), bucket,
                              then=self._landed(values, bucket, field_name))

    def _landed(
        self, values: dict[str, Any], bucket: str, field_name: str
    ) -> Callable[[Future[Any]], None]:
        def done(answer: Future[Any]) -> None:
            try:
                values[field_name] = answer.result()
            except AwsError as exc:
                self.on_error(exc, bucket, exc.operation or field_name)

        return done

    def settings(self) -> dict[str, S3Settings]:
        """Every bucket seen, with what was read of it."""
        return {
            bucket: S3Settings(
                encryption=values.get("encryption", UNKNOWN),
                versioning=values.get("versioning", UNKNOWN),
                public_access=values.get("public_access", UNKNOWN),
                tags=values.get("tags"),
                region=values.get("region"),
            )
            for bucket, values in self.values.items()
        }

    def remember(self) -> None:
        """Keep in the cache the buckets read now in full (a partial set would hide a failure)."""
        if self.cache is None:
            return
        for bucket, values in self.values.items():
            if bucket not in self.from_cache and len(values) == len(BUCKET_READS):
                self.cache.set(bucket, values)
