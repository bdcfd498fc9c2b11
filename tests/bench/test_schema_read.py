"""Row 17's object: the same bytes every run, its schema read alike by our footer reader and
pyarrow, its footer a small share of it (the row's premise)."""

from __future__ import annotations

import io

import pytest

from dashboard.bench.schema_read import COLUMNS, ROW_GROUPS, ROWS, parquet_object
from lineage.parquet_footer import TAIL, footer_length, parse_footer
from lineage.schema_reader import PARQUET_TAIL

pq = pytest.importorskip("pyarrow.parquet")


def test_the_bench_object_is_read_alike_by_ours_and_pyarrow() -> None:
    body = parquet_object()
    footer = body[-TAIL - footer_length(body[-TAIL:]):-TAIL]
    ours = parse_footer(footer)
    theirs = pq.read_schema(io.BytesIO(body))
    assert [c.name for c in ours.columns] == theirs.names and len(theirs.names) == COLUMNS
    assert ours.row_count == ROWS
    assert pq.ParquetFile(io.BytesIO(body)).metadata.num_row_groups == ROW_GROUPS
    # One tail read holds the footer, and is under a tenth of the object.
    assert len(footer) + TAIL <= PARQUET_TAIL < len(body) / 10
    assert parquet_object() == body
