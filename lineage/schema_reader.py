"""Dataset schemas of a document's artifacts, read from S3 within a budget (I/O).

For each artifact that may be a dataset (not code, a model or an archive; no unresolved
``{...}`` part), one ``ListObjectsV2`` under its key says whether it is an object or a
prefix, and gives each object's size and ETag: an object is read itself, a prefix by its
first :attr:`~lineage.config.Settings.schema_max_objects` dataset objects in key order
(``_SUCCESS``, ``_manifest.json`` and other ``_``/``.`` names skipped). Each object costs:

- CSV, TSV, JSON Lines, JSON (and gzip of them): one ranged ``GetObject`` of its first
  ``schema_max_bytes`` bytes, sniffed by :mod:`lineage.sniff`;
- Parquet: one ranged read of its last ``min(size, PARQUET_TAIL)`` bytes, which holds the
  footer of most files, and a second one only when the footer is longer; a footer over
  ``schema_max_bytes`` is a warning (:mod:`lineage.parquet_footer` decodes it).

A schema is cached per object ETag (:class:`SchemaCache`), so an unchanged object is never
read again. Everything runs on the S3 pool within ``schema_timeout_ms`` (and the request's
deadline); refusals, failures, objects too large, binary or of unknown formats become
warnings ``SCHEMA_<KIND>`` targeted at the artifact's URI, never errors.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace

from lineage.aws import AwsApi
from lineage.calls import Calls
from lineage.config import Settings
from lineage.dataset_schema import (
    EMPTY,
    TOO_LARGE,
    UNREADABLE,
    DatasetSchema,
    SniffProblem,
    merge_schemas,
)
from lineage.errors import AwsError, DeadlineExceeded
from lineage.graph import split_s3_uri
from lineage.models import LineageDocument, Warning
from lineage.parquet_footer import MAGIC, TAIL, FooterError, footer_length, parse_footer
from lineage.sniff import Sniffed, format_of_key, is_dataset_key, sniff

# The last bytes read of a Parquet file at first: its footer and tail, for most files.
PARQUET_TAIL = 64 * 1024
# Objects listed per artifact (one page): enough to find the first few datasets.
LIST_PAGE = 100
SKIPPED = "SCHEMA_SKIPPED"
MIXED_FORMATS = "SCHEMA_MIXED_FORMATS"
AREA = "SCHEMA"


@dataclass(frozen=True)
class SchemaLimits:
    max_bytes: int
    max_objects: int
    max_artifacts: int
    timeout_sec: float

    @classmethod
    def of(cls, settings: Settings) -> SchemaLimits:
        return cls(settings.schema_max_bytes, settings.schema_max_objects,
                   settings.schema_max_artifacts, settings.schema_timeout_ms / 1000)


class SchemaCache:
    """Sniffed objects by (bucket, key, ETag, budget); the ``size`` most recent kept."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str, str, int], Sniffed] = OrderedDict()

    def get(self, key: tuple[str, str, str, int]) -> Sniffed | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def set(self, key: tuple[str, str, str, int], value: Sniffed) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


# One per process: an object's schema does not change while its ETag stays.
SCHEMA_CACHE = SchemaCache()


@dataclass(frozen=True)
class ObjectWarning:
    code: str
    message: str


@dataclass
class DatasetRead:
    """What one artifact's read gave: its schema (if any) and its warnings."""

    schema: DatasetSchema | None = None
    warnings: list[ObjectWarning] = field(default_factory=list)


@dataclass(frozen=True)
class SchemaResult:
    """Schemas by artifact URI, and the warnings (code, message, URI) of the reads."""

    schemas: Mapping[str, DatasetSchema]
    warnings: tuple[tuple[str, str, str], ...]


def candidate_uris(uris: Iterable[str]) -> list[str]:
    """The URIs worth reading, in order, each once: S3, resolved, with a key, a dataset's."""
    seen: list[str] = []
    for uri in uris:
        split = split_s3_uri(uri)
        if split is None or "{" in uri or not split[1] or uri in seen:
            continue
        if is_dataset_key(split[1].rstrip("/")):
            seen.append(uri)
    return seen


def read_schemas(
    api: AwsApi,
    uris: Iterable[str],
    limits: SchemaLimits,
    pool: Executor,
    *,
    calls: Calls | None = None,
    cache: SchemaCache | None = SCHEMA_CACHE,
) -> SchemaResult:
    """The schemas of ``uris`` read at once on ``pool`` within the limits."""
    candidates = candidate_uris(uris)
    warnings: list[tuple[str, str, str]] = []
    for uri in candidates[limits.max_artifacts:]:
        warnings.append((SKIPPED, f"more than {limits.max_artifacts} datasets: this one's "
                         "schema was not read", uri))
    chosen = candidates[: limits.max_artifacts]
    own = Calls(limits.timeout_sec)
    if calls is not None and calls.remaining < limits.timeout_sec:
        own = Calls(calls.remaining)
    schemas: dict[str, DatasetSchema] = {}

    def landed(uri: str) -> Callable[[Future[DatasetRead]], None]:
        def done(answer: Future[DatasetRead]) -> None:
            read = answer.result()  # dataset() raises nothing
            if read.schema is not None:
                schemas[uri] = read.schema
            warnings.extend((w.code, w.message, uri) for w in read.warnings)
        return done

    for uri in chosen:
        own.submit(pool, dataset, api, uri, limits, cache, then=landed(uri))
    abandoned = own.drain()
    if abandoned:
        error = DeadlineExceeded()
        warnings.append((f"{AREA}_{error.warning_kind}",
                         f"{abandoned} dataset schemas were not read in time", ""))
    order = {uri: i for i, uri in enumerate(chosen)}
    warnings.sort(key=lambda w: (order.get(w[2], len(order)), w[0], w[1]))
    return SchemaResult({uri: schemas[uri] for uri in chosen if uri in schemas},
                        tuple(warnings))


def dataset(api: AwsApi, uri: str, limits: SchemaLimits,
            cache: SchemaCache | None = None) -> DatasetRead:
    """One artifact's schema: an object, or the first few of a prefix. Raises nothing."""
    split = split_s3_uri(uri)
    assert split is not None
    bucket, key = split
    read = DatasetRead()
    try:
        listed = api.list_objects(bucket, key.rstrip("/"), LIST_PAGE)
    except AwsError as exc:
        read.warnings.append(_error_warning(exc, "its objects could not be listed"))
        return read
    exact = [item for item in listed if item["Key"] == key]
    if exact:
        objects = exact
    else:
        folder = key.rstrip("/") + "/"
        objects = [item for item in listed
                   if item["Key"].startswith(folder) and _dataset_object(item, folder)]
        objects = objects[: limits.max_objects]
    if not objects:
        read.warnings.append(ObjectWarning(EMPTY, "no dataset object was found there"))
        return read
    sniffed: list[DatasetSchema] = []
    for item in objects:
        object_uri = f"s3://{bucket}/{item['Key']}"
        try:
            result = read_object(api, bucket, item["Key"], item["Size"], item["ETag"],
                                 limits.max_bytes, cache)
        except AwsError as exc:
            read.warnings.append(_error_warning(exc, f"{object_uri} could not be read"))
            continue
        if isinstance(result, SniffProblem):
            read.warnings.append(ObjectWarning(result.code, f"{object_uri}: {result.message}"))
            continue
        sniffed.append(replace(result, objects=(object_uri,)))
    if sniffed:
        first = sniffed[0].format
        same = [schema for schema in sniffed if schema.format == first]
        if len(same) < len(sniffed):
            read.warnings.append(ObjectWarning(
                MIXED_FORMATS, f"objects of formats other than {first} were left out"))
        read.schema = merge_schemas(same)
    return read


def read_object(api: AwsApi, bucket: str, key: str, size: int, etag: str, max_bytes: int,
                cache: SchemaCache | None = None) -> Sniffed:
    """One object's schema (cached by ETag); raises :class:`AwsError` when S3 fails."""
    cache_key = (bucket, key, etag, max_bytes)
    if cache is not None and etag:
        found = cache.get(cache_key)
        if found is not None:
            return found
    if size <= 0:
        result: Sniffed = SniffProblem(EMPTY, "the object is empty")
    elif format_of_key(key) == "parquet":
        result = _parquet(api, bucket, key, size, max_bytes, None)
    else:
        head = api.read_range(bucket, key, 0, min(size, max_bytes) - 1)
        if head.startswith(MAGIC) and size >= 2 * len(MAGIC) + 4:
            result = _parquet(api, bucket, key, size, max_bytes, head if size <= max_bytes
                              else None)
        else:
            result = sniff(head, key, truncated=size > len(head))
    if cache is not None and etag:
        cache.set(cache_key, result)
    return result


def _parquet(api: AwsApi, bucket: str, key: str, size: int, max_bytes: int,
             whole: bytes | None) -> Sniffed:
    """The footer's schema: the tail read once, the footer a second time if longer."""
    if size < TAIL + len(MAGIC):
        return SniffProblem(UNREADABLE, "the object is too short to be Parquet")
    tail_size = min(size, PARQUET_TAIL, max_bytes)
    tail = whole[-tail_size:] if whole is not None else api.read_range(
        bucket, key, size - tail_size, size - 1)
    try:
        length = footer_length(tail[-TAIL:])
        if length > max_bytes:
            return SniffProblem(TOO_LARGE, f"its Parquet footer ({length} bytes) is over the "
                                f"budget of {max_bytes} bytes")
        if length + TAIL > size:
            return SniffProblem(UNREADABLE, "its Parquet footer is longer than the file")
        if length + TAIL <= len(tail):
            footer = tail[len(tail) - TAIL - length: len(tail) - TAIL]
        else:
            start = size - TAIL - length
            footer = api.read_range(bucket, key, start, size - TAIL - 1)
        return parse_footer(footer)
    except FooterError as exc:
        return SniffProblem(UNREADABLE, str(exc))


def _dataset_object(item: Mapping[str, object], folder: str) -> bool:
    rest = str(item["Key"])[len(folder):]
    if not rest or rest.endswith("/"):
        return False  # the folder's own marker, or a sub-folder's
    if any(part.startswith(("_", ".")) for part in rest.split("/")):
        return False  # _SUCCESS, _manifest.json, .crc, _temporary/...
    return is_dataset_key(rest)


def _error_warning(exc: AwsError, what: str) -> ObjectWarning:
    return ObjectWarning(f"{AREA}_{exc.warning_kind}", f"{what} ({exc.reason})")


def with_schemas(document: LineageDocument, result: SchemaResult) -> LineageDocument:
    """The document with each artifact's schema and the reads' warnings."""
    if not result.schemas and not result.warnings:
        return document
    artifacts = tuple(
        replace(artifact, schema=result.schemas[artifact.uri])
        if artifact.uri in result.schemas else artifact
        for artifact in document.artifacts
    )
    warnings = tuple(Warning(code, message, target or None)
                     for code, message, target in result.warnings)
    return replace(document, artifacts=artifacts, warnings=(*document.warnings, *warnings))
