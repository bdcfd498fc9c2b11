"""Bytes of a dataset object -> its schema (pure): CSV, TSV, JSON Lines, JSON, gzip of them.

:func:`sniff` takes the first bytes of an object (what the byte budget let through) and its
key, and answers a :class:`~lineage.dataset_schema.DatasetSchema` or a
:class:`~lineage.dataset_schema.SniffProblem` (binary, unknown format, empty, unreadable),
never an exception: a dataset that cannot be read is a warning, not an error.

- The format comes from the key's extension, else from the bytes (``{`` opens JSON Lines,
  text with a delimiter is CSV). Parquet is read from its footer (:mod:`lineage.parquet_footer`).
- CSV and TSV: a UTF-8 BOM is dropped; the delimiter is the extension's (TSV) or the one of
  ``, TAB ; |`` the header has most of; the first row is the header unless every cell of it
  is a number (then ``column_1``...); quoted fields follow RFC 4180 (Python's ``csv``).
  Values are typed per row and widened (:func:`~lineage.dataset_schema.widen`); rows longer
  or shorter than the header are counted (``ragged_rows``), extra fields named
  ``column_<n>``, missing ones null.
- JSON Lines: each line one object; its keys are the columns (nested objects and arrays are
  ``object`` and ``array``); lines that are not objects are counted (``invalid_lines``).
- A truncated sample (the budget ended mid-object) drops its last, partial line.
- gzip (by its magic bytes): inflated up to :data:`MAX_INFLATED` bytes, then sniffed as what
  the key names without ``.gz``; a zip bomb costs no more than that.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from lineage.dataset_schema import (
    BINARY,
    EMPTY,
    NULL,
    UNKNOWN_FORMAT,
    UNREADABLE,
    Column,
    DatasetSchema,
    Format,
    SniffProblem,
    widen,
)

Sniffed = DatasetSchema | SniffProblem

# Rows (records) typed per object at most; the byte budget usually ends the sample first.
MAX_ROWS = 1_000
# Columns kept per object (a wide CSV of junk should not make a huge document).
MAX_COLUMNS = 500
# What gzip may inflate to (the budget bounds the compressed bytes; this, what they become).
MAX_INFLATED = 4 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
DELIMITERS = (",", "\t", ";", "|")

# Extensions of objects that are datasets, and of those that are not (code, models,
# archives): an artifact of the latter is no dataset, skipped without a warning.
DATASET_EXTENSIONS: Mapping[str, Format] = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json", ".parquet": "parquet", ".pq": "parquet",
}
NOT_DATASET_EXTENSIONS = (
    ".py", ".sh", ".r", ".ipynb", ".jar", ".whl", ".tar.gz", ".tgz", ".tar", ".zip",
    ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".h5", ".onnx", ".model", ".bin", ".so",
    ".png", ".jpg", ".jpeg", ".gif", ".pdf", ".html", ".yaml", ".yml", ".md", ".txt",
    ".log", ".out",
)

_NULLS = frozenset({"", "null", "none", "na", "n/a", "nan"})
_BOOLEANS = frozenset({"true", "false"})
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity)", re.I)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?"
)


def is_dataset_key(key: str) -> bool:
    """Whether an object's key may hold a dataset (not code, a model or an archive)."""
    lowered = key.lower()
    return not lowered.endswith(NOT_DATASET_EXTENSIONS)


def format_of_key(key: str) -> Format | None:
    """The format the key's extension names (``.gz`` looked through), if any."""
    lowered = key.lower().removesuffix(".gz")
    for extension, fmt in DATASET_EXTENSIONS.items():
        if lowered.endswith(extension):
            return fmt
    return None


def value_type(text: str) -> str:
    """The type of one CSV value."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in _NULLS:
        return NULL
    if lowered in _BOOLEANS:
        return "boolean"
    if _INTEGER.fullmatch(stripped):
        return "integer"
    if _NUMBER.fullmatch(stripped):
        return "number"
    if _DATE.fullmatch(stripped):
        return "date"
    if _TIMESTAMP.fullmatch(stripped):
        return "timestamp"
    return "string"


def json_type(value: Any) -> str:
    """The type of one JSON value."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def sniff(data: bytes, key: str, *, truncated: bool) -> Sniffed:
    """The schema of an object's first bytes (``truncated``: more of it follows)."""
    compression = None
    if data.startswith(GZIP_MAGIC):
        inflated = _inflate(data, truncated=truncated)
        if inflated is None:
            return SniffProblem(UNREADABLE, "the gzip stream is corrupt")
        data, more = inflated
        truncated = truncated or more
        compression = "gzip"
        key = key.removesuffix(".gz").removesuffix(".GZ")
    result = _sniff_plain(data, key, truncated=truncated)
    if compression is not None and isinstance(result, DatasetSchema):
        return replace(result, compression=compression)
    return result


def _inflate(data: bytes, *, truncated: bool) -> tuple[bytes, bool] | None:
    """gzip's first :data:`MAX_INFLATED` bytes, and whether more would follow; ``None``
    when the stream is corrupt (or ends early in a whole object)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_INFLATED)
    except zlib.error:
        return None
    more = not inflater.eof
    if more and not truncated and len(out) < MAX_INFLATED:
        return None  # the whole object was given, yet the stream did not end
    return out, more


def _sniff_plain(data: bytes, key: str, *, truncated: bool) -> Sniffed:
    if data.startswith(PARQUET_MAGIC):
        return SniffProblem(UNKNOWN_FORMAT, "a Parquet file is read from its footer")
    text = _text(data, truncated=truncated)
    if text is None:
        return SniffProblem(BINARY, "the object is binary, not a text dataset")
    if truncated:
        # The budget ended mid-line: the last line is partial.
        cut = text.rfind("\n")
        text = text[: cut + 1] if cut >= 0 else ""
    if not text.strip():
        return SniffProblem(EMPTY, "the object holds no rows")
    fmt = format_of_key(key)
    if fmt == "parquet":
        return SniffProblem(UNREADABLE, "the object is named .parquet but is not Parquet")
    if fmt is None:
        fmt = "jsonl" if text.lstrip().startswith(("{", "[")) else _text_format(text)
        if fmt is None:
            return SniffProblem(UNKNOWN_FORMAT, "the object is text of no known dataset format")
    if fmt in ("jsonl", "json"):
        return _json_schema(text, fmt, truncated=truncated)
    return _csv_schema(text, fmt, truncated=truncated)


def _text(data: bytes, *, truncated: bool) -> str | None:
    """UTF-8 text without a BOM; ``None`` for binary (a NUL, or not UTF-8)."""
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A cut may split a character: up to 3 bytes at the end are forgiven.
        if truncated and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8-sig", errors="strict")
        return None


def _text_format(text: str) -> Format | None:
    """CSV or TSV when the first line has a delimiter; else nothing known."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best] == 0:
        return None
    return "tsv" if best == "\t" else "csv"


def _delimiter(text: str, fmt: Format) -> str:
    if fmt == "tsv":
        return "\t"
    first = text.lstrip("\r\n").split("\n", 1)[0]
    # Counted outside quotes: a quoted "a,b" header name holds no delimiter.
    unquoted = re.sub(r'"[^"]*"', "", first)
    return max(DELIMITERS, key=lambda d: (unquoted.count(d), d == ","))


def _csv_schema(text: str, fmt: Format, *, truncated: bool) -> Sniffed:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, fmt))
    try:
        rows = [row for row in _limited(reader, MAX_ROWS + 1) if row]
    except csv.Error:
        return SniffProblem(UNREADABLE, f"the object is not valid {fmt.upper()}")
    if not rows:
        return SniffProblem(EMPTY, "the object holds no rows")
    header, body = rows[0], rows[1:]
    if all(value_type(cell) in ("integer", "number") for cell in header):
        names = [f"column_{i + 1}" for i in range(len(header))]
        body = rows
    else:
        names = _names(header)
    if len(body) > MAX_ROWS:
        body, truncated = body[:MAX_ROWS], True
    width = len(names)
    types = [NULL] * width
    nullable = [False] * width
    ragged = 0
    for row in body:
        if len(row) != width:
            ragged += 1
        for i, cell in enumerate(row[:MAX_COLUMNS]):
            if i >= len(names):
                names.append(f"column_{i + 1}")
                types.append(NULL)
                nullable.append(True)  # absent from the rows before
            kind = value_type(cell)
            nullable[i] = nullable[i] or kind == NULL
            types[i] = widen(types[i], kind)
        for i in range(len(row), len(names)):
            nullable[i] = True
    columns = tuple(Column(name, kind, null)
                    for name, kind, null in zip(names, types, nullable, strict=True))
    return DatasetSchema(format=fmt, columns=columns[:MAX_COLUMNS], sampled_rows=len(body),
                         truncated=truncated, ragged_rows=ragged)


def _names(header: list[str]) -> list[str]:
    """Header cells as column names: blanks named by position, repeats numbered."""
    names: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(header[:MAX_COLUMNS]):
        name = cell.strip() or f"column_{i + 1}"
        base, n = name, 2
        while name in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name)
        names.append(name)
    return names


def _limited(rows: Iterable[list[str]], limit: int) -> Iterable[list[str]]:
    for i, row in enumerate(rows):
        if i >= limit:
            return
        yield row


def _json_schema(text: str, fmt: Format, *, truncated: bool) -> Sniffed:
    records: list[Any] = []
    invalid = 0
    stripped = text.strip()
    whole: Any = None
    if not truncated and stripped.startswith(("[", "{")) and "\n" in stripped:
        # A JSON document over several lines: an array of records, or one object.
        try:
            whole = json.loads(stripped)
        except ValueError:
            whole = None
    if isinstance(whole, list):
        fmt = "json"
        records = whole[: MAX_ROWS + 1]
        invalid = sum(1 for record in records if not isinstance(record, dict))
    elif isinstance(whole, dict):
        fmt = "json"
        records = [whole]
    else:
        for line in stripped.splitlines():
            if not line.strip():
                continue
            if len(records) + invalid > MAX_ROWS:
                break
            try:
                record = json.loads(line)
            except ValueError:
                invalid += 1
                continue
            if isinstance(record, dict):
                records.append(record)
            else:
                invalid += 1
        fmt = "jsonl"
    objects = [record for record in records if isinstance(record, dict)]
    if len(objects) > MAX_ROWS:
        objects, truncated = objects[:MAX_ROWS], True
    if not objects:
        return SniffProblem(UNREADABLE, "the object holds no JSON records")
    types: dict[str, str] = {}
    seen: dict[str, int] = {}
    nullable: dict[str, bool] = {}
    for record in objects:
        for name, value in record.items():
            if name not in types:
                if len(types) >= MAX_COLUMNS:
                    continue
                types[name], seen[name], nullable[name] = NULL, 0, False
            kind = json_type(value)
            types[name] = widen(types[name], kind)
            seen[name] += 1
            nullable[name] = nullable[name] or kind == NULL
    columns = tuple(
        Column(name, types[name], nullable[name] or seen[name] < len(objects))
        for name in types
    )
    return DatasetSchema(format=fmt, columns=columns, sampled_rows=len(objects),
                         truncated=truncated, invalid_lines=invalid)
