"""lineage.sniff and lineage.parquet_footer: bytes -> schema, against real files (pure)."""

from __future__ import annotations

import datetime
import decimal
import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lineage.dataset_schema import (
    BINARY,
    EMPTY,
    UNKNOWN_FORMAT,
    UNREADABLE,
    Column,
    DatasetSchema,
    SniffProblem,
    merge_schemas,
    schema_from_dict,
    widen,
)
from lineage.parquet_footer import FooterError, footer_length, parse_footer
from lineage.sniff import MAX_INFLATED, is_dataset_key, sniff, value_type


def schema(data: bytes, key: str = "x.csv", *, truncated: bool = False) -> DatasetSchema:
    result = sniff(data, key, truncated=truncated)
    assert isinstance(result, DatasetSchema), result
    return result


def types(result: DatasetSchema) -> dict[str, str]:
    return {column.name: column.type for column in result.columns}


def test_csv_header_and_types() -> None:
    result = schema(b"id,name,score,ok,day,at\n1,ann,0.5,true,2024-01-02,2024-01-02T03:04:05Z\n"
                    b"2,bob,1,false,2024-01-03,2024-01-03 10:00\n")
    assert result.format == "csv"
    assert types(result) == {"id": "integer", "name": "string", "score": "number",
                             "ok": "boolean", "day": "date", "at": "timestamp"}
    assert result.sampled_rows == 2 and not result.truncated


def test_quoted_csv_with_bom_delimiters_and_newlines_inside_quotes() -> None:
    data = '\ufeff"last, first",note\n"Kim, A","say ""hi""\nthere"\n"Lee, B",x\n'.encode()
    result = schema(data)
    assert [c.name for c in result.columns] == ["last, first", "note"]
    assert result.sampled_rows == 2


def test_tsv_by_extension_and_by_content() -> None:
    data = b"a\tb\n1\tx\n"
    assert schema(data, "d.tsv").format == "tsv"
    assert schema(data, "data").format == "tsv"
    assert types(schema(data, "d.tsv")) == {"a": "integer", "b": "string"}


def test_semicolons() -> None:
    assert types(schema(b"a;b\n1;2.5\n", "data")) == {"a": "integer", "b": "number"}


def test_mixed_types_widen_and_nulls_make_nullable() -> None:
    result = schema(b"a,b,c,d\n1,1,2024-01-01,x\n2.5,true,2024-01-01T00:00,\n,3,,\n")
    assert types(result) == {"a": "number", "b": "string", "c": "timestamp", "d": "string"}
    assert [c.nullable for c in result.columns] == [True, False, True, True]


def test_only_empty_values_are_null_typed() -> None:
    assert types(schema(b"a,b\n,1\n,2\n")) == {"a": "null", "b": "integer"}


def test_ragged_rows_are_counted_and_extra_fields_named() -> None:
    result = schema(b"a,b\n1,2\n3\n4,5,6\n")
    assert result.ragged_rows == 2
    assert [c.name for c in result.columns] == ["a", "b", "column_3"]
    assert result.column("b") == Column("b", "integer", True)


def test_headerless_numeric_csv_is_named_by_position() -> None:
    result = schema(b"0,1.5,3\n1,2.5,4\n")
    assert [c.name for c in result.columns] == ["column_1", "column_2", "column_3"]
    assert result.sampled_rows == 2


def test_blank_and_repeated_header_names() -> None:
    assert [c.name for c in schema(b"a,,a\n1,2,3\n").columns] == ["a", "column_2", "a_2"]


def test_truncated_sample_drops_the_partial_last_line() -> None:
    result = schema(b"a,b\n1,2\n3,xy", truncated=True)
    assert result.truncated and result.sampled_rows == 1
    assert types(result) == {"a": "integer", "b": "integer"}


def test_a_cut_inside_a_multibyte_character_is_forgiven() -> None:
    data = "a,b\n1,한국\n2,한".encode()[:-1]
    assert schema(data, truncated=True).sampled_rows == 1
    assert isinstance(sniff(data, "x.csv", truncated=False), SniffProblem)


def test_jsonl_keys_types_nested_and_invalid_lines() -> None:
    lines = [{"id": 1, "v": 1.5, "tags": ["a"], "meta": {"k": 1}, "s": "x"},
             {"id": 2, "v": 2, "tags": [], "meta": None, "extra": True}]
    data = ("\n".join(json.dumps(line) for line in lines) + "\nnot json\n[1]\n").encode()
    result = schema(data, "d.jsonl")
    assert result.format == "jsonl"
    assert types(result) == {"id": "integer", "v": "number", "tags": "array",
                             "meta": "object", "s": "string", "extra": "boolean"}
    assert result.invalid_lines == 2 and result.sampled_rows == 2
    nullable = {c.name: c.nullable for c in result.columns}
    assert nullable == {"id": False, "v": False, "tags": False, "meta": True, "s": True,
                        "extra": True}


def test_json_mixing_objects_and_scalars_is_any() -> None:
    data = b'{"a": 1}\n{"a": {"b": 2}}\n'
    assert types(schema(data, "x.jsonl")) == {"a": "any"}


def test_jsonl_by_content_and_a_json_array_of_records() -> None:
    assert schema(b'{"a": 1}\n', "part-0000").format == "jsonl"
    result = schema(b'[\n {"a": 1},\n {"a": "x"}\n]\n', "d.json")
    assert result.format == "json" and types(result) == {"a": "string"}


def test_no_records_is_unreadable() -> None:
    problem = sniff(b"garbage\nmore garbage\n", "d.jsonl", truncated=False)
    assert isinstance(problem, SniffProblem) and problem.code == UNREADABLE


@pytest.mark.parametrize(("data", "code"), [
    (b"", EMPTY),
    (b"\n\n  \n", EMPTY),
    (b"\x00\x01\x02binary", BINARY),
    (b"\xff\xfe\xfa not utf-8", BINARY),
    (b"just some words without delimiters\n", UNKNOWN_FORMAT),
])
def test_problems_are_answers_not_exceptions(data: bytes, code: str) -> None:
    problem = sniff(data, "object", truncated=False)
    assert isinstance(problem, SniffProblem) and problem.code == code


def test_gzip_is_looked_through_and_bounded() -> None:
    result = schema(gzip.compress(b"a,b\n1,2\n"), "d.csv.gz")
    assert result.compression == "gzip" and types(result) == {"a": "integer", "b": "integer"}
    bomb = gzip.compress(b"a,b\n" + b"1,2\n" * (MAX_INFLATED // 2))
    assert len(bomb) < 100_000
    inflated = schema(bomb, "d.csv.gz")
    assert inflated.truncated
    corrupt = sniff(b"\x1f\x8b\x08\x00garbage", "d.csv.gz", truncated=False)
    assert isinstance(corrupt, SniffProblem) and corrupt.code == UNREADABLE


def test_model_tarball_is_binary_inside_gzip() -> None:
    problem = sniff(gzip.compress(b"\x00" * 100), "model.tar.gz", truncated=False)
    assert isinstance(problem, SniffProblem) and problem.code == BINARY


def test_code_and_models_are_not_datasets() -> None:
    assert not is_dataset_key("p/code/preprocess.py")
    assert not is_dataset_key("p/models/job/output/model.tar.gz")
    assert is_dataset_key("p/exec/Preprocess/train")
    assert is_dataset_key("raw/churn/churn.csv.gz")


def test_value_types() -> None:
    assert [value_type(v) for v in ("", "NA", "TRUE", "-3", "1e5", ".5", "2024-02-30",
                                    "12:00", "inf")] == [
        "null", "null", "boolean", "integer", "number", "number", "date", "string", "number"]


def test_widen_is_symmetric() -> None:
    kinds = ["null", "boolean", "integer", "number", "date", "timestamp", "string", "object",
             "array", "any"]
    for a in kinds:
        for b in kinds:
            assert widen(a, b) == widen(b, a)
        assert widen(a, "null") == a


def test_merge_and_round_trip() -> None:
    one = schema(b"a,b\n1,x\n")
    two = schema(b"a,c\n1.5,2\n")
    merged = merge_schemas([one, two])
    assert merged is not None
    assert types(merged) == {"a": "number", "b": "string", "c": "integer"}
    assert [c.nullable for c in merged.columns] == [False, True, True]
    assert schema_from_dict(merged.to_dict()) == merged
    assert schema_from_dict({"format": "xml", "columns": []}) is None


# -- Parquet: files written by pyarrow ---------------------------------------------------

def parquet_bytes(table: pa.Table, **options: object) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


def footer_schema(data: bytes) -> DatasetSchema:
    length = footer_length(data[-8:])
    return parse_footer(data[-8 - length:-8])


def test_parquet_footer_types_against_pyarrow() -> None:
    table = pa.table({
        "id": pa.array([1, 2], pa.int64()),
        "name": pa.array(["a", None], pa.string()),
        "score": [0.5, 1.5],
        "ok": [True, False],
        "day": pa.array([datetime.date(2024, 1, 1)] * 2),
        "at": pa.array([datetime.datetime(2024, 1, 1)] * 2, pa.timestamp("us", tz="UTC")),
        "amount": pa.array([decimal.Decimal("1.20")] * 2, pa.decimal128(10, 2)),
        "tags": [["x"], []],
        "nested": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
        "attrs": pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int32())),
        "small": pa.array([1, 2], pa.uint8()),
        "raw": [b"x", b"y"],
    })
    result = footer_schema(parquet_bytes(table))
    assert [c.name for c in result.columns] == table.schema.names
    assert types(result) == {
        "id": "integer", "name": "string", "score": "number", "ok": "boolean",
        "day": "date", "at": "timestamp", "amount": "decimal(10,2)", "tags": "array",
        "nested": "object", "attrs": "object", "small": "integer", "raw": "binary"}
    details = {c.name: c.detail for c in result.columns}
    assert details["at"] == "INT64 TIMESTAMP(MICROS,UTC)"
    assert details["small"] == "INT32 UINT(8)"
    assert result.row_count == 2 and result.format == "parquet"


def test_parquet_required_columns_many_row_groups_and_legacy_int96() -> None:
    fields = [pa.field("k", pa.int32(), nullable=False), pa.field("t", pa.timestamp("ns"))]
    table = pa.table({"k": list(range(1000)),
                      "t": [datetime.datetime(2024, 1, 1)] * 1000}, pa.schema(fields))
    data = parquet_bytes(table, row_group_size=10, use_deprecated_int96_timestamps=True)
    result = footer_schema(data)
    assert result.row_count == 1000
    assert result.columns[0] == Column("k", "integer", False, "INT32")
    assert result.columns[1].type == "timestamp"
    assert result.columns[1].detail is not None and result.columns[1].detail.startswith("INT96")


@pytest.mark.parametrize("tail", [b"", b"12345678", b"\x00\x00\x00\x00PAR1"])
def test_not_a_parquet_tail(tail: bytes) -> None:
    with pytest.raises(FooterError):
        footer_length(tail)


def test_corrupt_footers_raise_footer_error_only() -> None:
    data = parquet_bytes(pa.table({"a": [1]}))
    footer = data[-8 - footer_length(data[-8:]):-8]
    for cut in range(0, len(footer), 7):
        try:
            parse_footer(footer[:cut])
        except FooterError:
            pass
    with pytest.raises(FooterError):
        parse_footer(b"\x19" + b"\xfc" * 64)  # a list of structs nested without end


def test_the_schema_is_read_without_walking_the_row_groups() -> None:
    # 200 row groups of statistics follow the schema and row count: the reader stops before.
    table = pa.table({"id": list(range(2000)), "name": [f"n{i}" for i in range(2000)]})
    data = parquet_bytes(table, row_group_size=10)
    length = footer_length(data[-8:])
    footer = data[-8 - length:-8]
    whole = parse_footer(footer)
    assert whole.row_count == 2000 and [c.name for c in whole.columns] == ["id", "name"]
    # The bytes after the schema and row count are never read: cut or spoilt, the same answer.
    spoilt = footer[:200] + b"\xff" * (len(footer) - 200)
    assert parse_footer(spoilt) == whole
    assert len(footer) > 20_000
