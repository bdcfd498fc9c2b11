"""Row 17 (issue 16): a Parquet object's schema, read by our footer reader against pyarrow.

The bench writes one Parquet object to the sandbox's S3 (:data:`ROWS` rows of
:data:`COLUMNS` columns in :data:`ROW_GROUPS` row groups, snappy, a few MB: a dataset part
file, whose footer is a small share of it) and reads its schema, alternately, three ways:

- **ours**: ``lineage.schema_reader.dataset()`` on the object's URI, as ``ENABLE_SCHEMA=true``
  reads an artifact: one ``ListObjectsV2`` (size, ETag), one ranged ``GetObject`` of the tail
  (``PARQUET_TAIL``), a second one only for a longer footer, parsed by
  ``lineage.parquet_footer`` (pure Python); no cache. The bytes are counted at
  ``AwsApi.read_range``;
- **pyarrow over S3**: ``pyarrow.parquet.read_schema`` through pyarrow's own
  ``S3FileSystem`` (its C++ client, its own ranged footer reads) on the same endpoint;
- **a full read**: the whole object in one ``GetObject``, then ``read_schema`` of the bytes
  (what a reader without ranged reads fetches).

Goals (the README's Performance section): ours fetches at most 1/10 of the bytes of a full
read, and is not slower than pyarrow reading the same schema over S3. The parse alone (our
decoder against pyarrow's on the same bytes in memory) is shown for information.

It runs on rows 1-7's sandbox in ``make bench``; alone (a sandbox of its own, without the
seeded world): ``python -m dashboard.bench.schema_read [--latency-ms 50]``.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlparse

from dashboard.bench.figures import Check, Row, format_table, median

REGION = "ap-northeast-2"
BUCKET = "bench-parquet-apne2"
KEY = "datasets/events/part-00000.snappy.parquet"
ROWS = 200_000
COLUMNS = 8
ROW_GROUPS = 8
REPEATS = 15
PARSE_REPEATS = 200
# The goals (issue 16; the README shows them).
BYTES_SHARE_GOAL = 0.1  # of a full read
VS_PYARROW_GOAL = 1.0  # our time over pyarrow's, both over S3

ROW_TITLE = (17, "Parquet schema over S3: our footer reader vs pyarrow")


def schema_read_rows() -> list[Row]:
    number, title = ROW_TITLE
    return [Row(number, title)]


def parquet_object() -> bytes:
    """The benchmark's Parquet object (the same bytes every run)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, Any] = {"event_id": pa.array(range(ROWS), pa.int64())}
    for i in range(1, COLUMNS):
        if i % 3 == 0:
            columns[f"label_{i}"] = pa.array([f"v{(n * 7919 + i) % 997}" for n in range(ROWS)])
        elif i % 3 == 1:
            columns[f"amount_{i}"] = pa.array([((n * 104729 + i) % 100_000) / 100
                                               for n in range(ROWS)], pa.float64())
        else:
            columns[f"count_{i}"] = pa.array([(n * 31 + i) % 5000 for n in range(ROWS)],
                                             pa.int32())
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer, compression="snappy",
                   row_group_size=ROWS // ROW_GROUPS)
    return buffer.getvalue()


def _counting_api(endpoint_env: Mapping[str, str]) -> Any:
    """An ``AwsApi`` on the sandbox whose ranged reads add up the bytes they return."""
    from lineage.aws import AwsApi, ClientFactory
    from lineage.config import Settings

    class CountingApi(AwsApi):
        fetched = 0

        def read_range(self, bucket: str, key: str, start: int, end: int) -> bytes:
            data = super().read_range(bucket, key, start, end)
            self.fetched += len(data)
            return data

    from lineage.sandbox import environment_overridden

    with environment_overridden(endpoint_env):
        clients = ClientFactory(Settings())
        clients.client("s3", REGION)  # made here, while the environment points at the sandbox
        return CountingApi(clients, REGION)


def _put_object(endpoint_env: Mapping[str, str], body: bytes) -> None:
    from lineage.aws import ClientFactory
    from lineage.config import Settings
    from lineage.sandbox import environment_overridden

    with environment_overridden(endpoint_env):
        s3 = ClientFactory(Settings()).client("s3", REGION)
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
        s3.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": REGION})
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)


def _pyarrow_s3(endpoint_env: Mapping[str, str]) -> Any:
    from pyarrow import fs

    endpoint = urlparse(endpoint_env["AWS_ENDPOINT_URL"])
    return fs.S3FileSystem(
        access_key=endpoint_env["AWS_ACCESS_KEY_ID"],
        secret_key=endpoint_env["AWS_SECRET_ACCESS_KEY"],
        region=REGION, scheme=endpoint.scheme, endpoint_override=endpoint.netloc,
    )


def _timed(read: Callable[[], Any]) -> float:
    started = time.perf_counter()
    read()
    return time.perf_counter() - started


def run_schema_read(endpoint_env: Mapping[str, str], row: Row, log: Callable[[str], None],
                    repeats: int = REPEATS) -> None:
    """Measure row 17 into ``row`` against the sandbox of ``endpoint_env``."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        row.checks.append(Check("not measured", None, None,
                                note="pyarrow is not installed (the sandbox extra)"))
        return
    from lineage.parquet_footer import TAIL, footer_length, parse_footer
    from lineage.schema_reader import SchemaLimits, dataset

    body = parquet_object()
    log(f"row 17: a {len(body) / 1e6:.1f} MB Parquet object, its schema read x{repeats} "
        "each way...")
    _put_object(endpoint_env, body)
    api = _counting_api(endpoint_env)
    s3 = _pyarrow_s3(endpoint_env)
    uri, path = f"s3://{BUCKET}/{KEY}", f"{BUCKET}/{KEY}"
    limits = SchemaLimits(max_bytes=64 * 1024, max_objects=3, max_artifacts=40,
                          timeout_sec=30.0)

    def ours() -> Any:
        read = dataset(api, uri, limits, cache=None)
        if read.schema is None:
            raise RuntimeError(f"our reader read no schema: {read.warnings}")
        return read.schema

    def full() -> Any:
        return pq.read_schema(io.BytesIO(api.read_range(BUCKET, KEY, 0, len(body) - 1)))

    expected = pq.read_schema(io.BytesIO(body))
    if [column.name for column in ours().columns] != expected.names:
        raise RuntimeError("our reader and pyarrow disagree on the columns")
    pq.read_schema(path, filesystem=s3)  # pyarrow's client made and connected
    times: dict[str, list[float]] = {"ours": [], "pyarrow": [], "full": []}
    api.fetched = 0
    for _ in range(repeats):  # alternately, so that the machine's noise falls on all three
        times["ours"].append(_timed(ours))
        times["pyarrow"].append(_timed(lambda: pq.read_schema(path, filesystem=s3)))
    ours_bytes = api.fetched / repeats
    api.fetched = 0
    for _ in range(max(3, repeats // 3)):
        times["full"].append(_timed(full))
    full_bytes = api.fetched / max(3, repeats // 3)

    footer = body[-TAIL - footer_length(body[-TAIL:]):-TAIL]
    started = time.perf_counter()
    for _ in range(PARSE_REPEATS):
        parse_footer(footer)
    our_parse = (time.perf_counter() - started) / PARSE_REPEATS
    in_memory = io.BytesIO(body)
    started = time.perf_counter()
    for _ in range(PARSE_REPEATS):
        pq.read_schema(in_memory)
    their_parse = (time.perf_counter() - started) / PARSE_REPEATS

    ours_ms, pyarrow_ms = median(times["ours"]) * 1000, median(times["pyarrow"]) * 1000
    full_ms = median(times["full"]) * 1000
    row.checks.append(Check(
        "bytes fetched by ours vs a full read", ours_bytes / full_bytes, BYTES_SHARE_GOAL,
        unit="x",
        info=(f"{ours_bytes / 1024:.0f} KiB (its tail read; footer {len(footer)} bytes) of a "
              f"{full_bytes / 1e6:.2f} MB object ({ROWS} rows, {COLUMNS} columns, "
              f"{ROW_GROUPS} row groups)"),
    ))
    row.checks.append(Check(
        "time of ours vs pyarrow's read_schema over its S3FileSystem", ours_ms / pyarrow_ms,
        VS_PYARROW_GOAL, unit="x",
        info=(f"medians of {repeats}: ours {ours_ms:.1f} ms (ListObjectsV2 + ranged "
              f"GetObject + parse), pyarrow {pyarrow_ms:.1f} ms; a full read "
              f"{full_ms:.1f} ms"),
    ))
    row.checks.append(Check(
        "footer parse alone, ours vs pyarrow's (information)", our_parse / their_parse, None,
        unit="x",
        info=(f"{our_parse * 1e6:.0f} µs vs {their_parse * 1e6:.0f} µs per parse (pyarrow's "
              "from the whole object in memory), mean of "
              f"{PARSE_REPEATS}"),
    ))


def main(argv: list[str] | None = None) -> int:
    """This row alone, on a sandbox of its own (no seeded world)."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench.schema_read",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=int, default=50, help="sandbox latency per call")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="reads of each kind")
    args = parser.parse_args(argv)
    from lineage.sandbox import SandboxOptions, SandboxProcess

    def log(line: str) -> None:
        print(line, file=sys.stderr)

    rows = schema_read_rows()
    with SandboxProcess(SandboxOptions(latency_ms=args.latency_ms, seed_world=False)) as sandbox:
        run_schema_read(sandbox.environment(), rows[0], log, repeats=args.repeats)
    sys.stdout.write(format_table(rows, [f"Sandbox latency {args.latency_ms} ms per AWS call."]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
