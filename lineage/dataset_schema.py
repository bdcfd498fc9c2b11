"""A dataset's schema as the document shows it: columns with a type, from a sample (pure).

Types are one small vocabulary across formats, so a CSV that became Parquet still compares:

``null`` (only empty values seen), ``boolean``, ``integer``, ``number``, ``date``, ``time``,
``timestamp``, ``string``, ``binary``, ``decimal(p,s)``, ``object`` (a JSON object, a Parquet
struct or map), ``array`` and ``any`` (JSON values of kinds that share no type).

:func:`widen` joins the types of two values (or two objects' columns): ``null`` gives way to
anything, ``integer`` widens to ``number``, ``date`` to ``timestamp``, other scalars to
``string``, and a mix with an object or an array is ``any``. :func:`merge_schemas` joins the
schemas of the objects of one prefix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

JsonDict = dict[str, Any]

Format = Literal["csv", "tsv", "jsonl", "json", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "tsv", "jsonl", "json", "parquet")

NULL = "null"
STRING = "string"
ANY = "any"
_NUMERIC = frozenset({"integer", "number"})
_TEMPORAL = frozenset({"date", "timestamp"})
_CONTAINERS = frozenset({"object", "array"})


def widen(a: str, b: str) -> str:
    """The narrowest type both ``a`` and ``b`` values fit."""
    if a == b:
        return a
    if a == NULL:
        return b
    if b == NULL:
        return a
    pair = {a, b}
    if pair <= _NUMERIC:
        return "number"
    if pair <= _TEMPORAL:
        return "timestamp"
    if pair & _CONTAINERS or ANY in pair:
        return ANY
    return STRING


@dataclass(frozen=True)
class Column:
    """A column: its name, its type (above), whether a value was missing or may be
    (``nullable``), and for Parquet the physical and logical types (``detail``)."""

    name: str
    type: str
    nullable: bool = False
    detail: str | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {"name": self.name, "type": self.type, "nullable": self.nullable}
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class DatasetSchema:
    """What a sample of a dataset says of its columns.

    ``sampled_rows``: the rows (records) whose values were typed; ``truncated``: the byte
    budget (or the row limit) ended the sample before the data did, so a later row may
    widen a type; ``row_count``: the rows Parquet's footer counts (sampled from no row);
    ``objects``: the S3 URIs read; ``ragged_rows``: CSV rows with more or fewer fields than
    the header; ``invalid_lines``: JSON Lines that are not JSON objects.
    """

    format: Format
    columns: tuple[Column, ...]
    sampled_rows: int = 0
    truncated: bool = False
    compression: str | None = None
    row_count: int | None = None
    ragged_rows: int = 0
    invalid_lines: int = 0
    objects: tuple[str, ...] = ()

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "format": self.format,
            "columns": [column.to_dict() for column in self.columns],
            "sampledRows": self.sampled_rows,
            "truncated": self.truncated,
            "objects": list(self.objects),
        }
        if self.compression is not None:
            out["compression"] = self.compression
        if self.row_count is not None:
            out["rowCount"] = self.row_count
        if self.ragged_rows:
            out["raggedRows"] = self.ragged_rows
        if self.invalid_lines:
            out["invalidLines"] = self.invalid_lines
        return out


@dataclass(frozen=True)
class SniffProblem:
    """Why an object gave no schema: a warning's code (``SCHEMA_<KIND>``) and its words."""

    code: str
    message: str


# The codes of SniffProblem (and of the reader's own warnings, lineage.schema_reader).
BINARY = "SCHEMA_BINARY"
UNKNOWN_FORMAT = "SCHEMA_UNKNOWN_FORMAT"
EMPTY = "SCHEMA_EMPTY"
UNREADABLE = "SCHEMA_UNREADABLE"
TOO_LARGE = "SCHEMA_TOO_LARGE"


def merge_columns(a: Iterable[Column], b: Iterable[Column]) -> tuple[Column, ...]:
    """The columns of both, in first-seen order; a column one side lacks is nullable."""
    left, right = list(a), {column.name: column for column in b}
    merged: list[Column] = []
    for column in left:
        other = right.pop(column.name, None)
        if other is None:
            merged.append(replace(column, nullable=True))
            continue
        detail = column.detail if column.detail == other.detail else None
        merged.append(Column(column.name, widen(column.type, other.type),
                             column.nullable or other.nullable, detail))
    merged.extend(replace(column, nullable=True) for column in right.values())
    return tuple(merged)


def merge_schemas(schemas: Iterable[DatasetSchema]) -> DatasetSchema | None:
    """One schema for the objects of a prefix (all of the first one's format; the caller
    warns of the others); ``None`` for none."""
    merged: DatasetSchema | None = None
    for schema in schemas:
        if merged is None:
            merged = schema
            continue
        rows = (None if merged.row_count is None or schema.row_count is None
                else merged.row_count + schema.row_count)
        merged = DatasetSchema(
            format=merged.format,
            columns=merge_columns(merged.columns, schema.columns),
            sampled_rows=merged.sampled_rows + schema.sampled_rows,
            truncated=merged.truncated or schema.truncated,
            compression=merged.compression if merged.compression == schema.compression else None,
            row_count=rows,
            ragged_rows=merged.ragged_rows + schema.ragged_rows,
            invalid_lines=merged.invalid_lines + schema.invalid_lines,
            objects=(*merged.objects, *schema.objects),
        )
    return merged


def schema_from_dict(data: object) -> DatasetSchema | None:
    """A schema back from its JSON (an artifact's ``schema`` in a document); ``None`` when
    it is not one."""
    if not isinstance(data, dict):
        return None
    fmt = data.get("format")
    columns = data.get("columns")
    if fmt not in FORMATS or not isinstance(columns, list):
        return None
    parsed = tuple(
        Column(str(c["name"]), str(c.get("type") or NULL), bool(c.get("nullable")),
               None if c.get("detail") is None else str(c["detail"]))
        for c in columns
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    )
    objects = data.get("objects")
    rows = data.get("rowCount")
    return DatasetSchema(
        format=fmt,
        columns=parsed,
        sampled_rows=int(data.get("sampledRows") or 0),
        truncated=bool(data.get("truncated")),
        compression=None if data.get("compression") is None else str(data["compression"]),
        row_count=rows if isinstance(rows, int) else None,
        ragged_rows=int(data.get("raggedRows") or 0),
        invalid_lines=int(data.get("invalidLines") or 0),
        objects=tuple(str(o) for o in objects) if isinstance(objects, list) else (),
    )
