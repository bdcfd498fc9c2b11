"""A Parquet file's schema from its footer alone (pure): no pyarrow, two ranged reads.

A Parquet file ends with ``<FileMetaData> <4-byte little-endian length> PAR1``; FileMetaData
is a Thrift struct in the compact protocol. :func:`footer_length` reads the last 8 bytes,
:func:`parse_footer` the FileMetaData: its ``schema`` (field 2, a flattened tree of
SchemaElement: the root, then each column with its children) and ``num_rows`` (field 3).
Row groups, key-value metadata and the rest are skipped without being built.

https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift
https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md

Top-level columns are reported (a struct, list or map is one column, ``object`` or
``array``), each with a type of :mod:`lineage.dataset_schema`'s vocabulary and a ``detail``
naming the physical and logical types (``INT64 TIMESTAMP(MICROS,UTC)``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from lineage.dataset_schema import Column, DatasetSchema

MAGIC = b"PAR1"
TAIL = 8
# Thrift nesting deeper than this is no real footer (a hostile one would recurse forever).
MAX_DEPTH = 64
# A list longer than this in a footer is corrupt.
MAX_LIST = 1_000_000


class FooterError(ValueError):
    """The bytes are not a Parquet footer (the message says where it broke)."""


def footer_length(tail: bytes) -> int:
    """The footer's length, from a file's last 8 bytes; :class:`FooterError` if not Parquet."""
    if len(tail) != TAIL or tail[4:] != MAGIC:
        raise FooterError("not a Parquet file (no PAR1 at its end)")
    (length,) = struct.unpack("<I", tail[:4])
    if length <= 0:
        raise FooterError("the Parquet footer is empty")
    return int(length)


# -- Thrift compact protocol ----------------------------------------------------------------

_STOP, _TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = (
    range(13)
)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise FooterError("the Parquet footer ends early")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise FooterError("a varint of the Parquet footer is too long")

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def binary(self) -> bytes:
        size = self.varint()
        end = self.pos + size
        if end > len(self.data):
            raise FooterError("a string of the Parquet footer runs past its end")
        value = self.data[self.pos:end]
        self.pos = end
        return value

    def value(self, kind: int, depth: int, *, keep: bool = True) -> Any:
        """One value of compact type ``kind`` (not built when ``keep`` is false)."""
        if depth > MAX_DEPTH:
            raise FooterError("the Parquet footer nests too deep")
        if kind in (_TRUE, _FALSE):  # a boolean field: its value is in the type
            return kind == _TRUE
        if kind == _BYTE:
            return self.byte()
        if kind in (_I16, _I32, _I64):
            return self.zigzag()
        if kind == _DOUBLE:
            self.pos += 8
            if self.pos > len(self.data):
                raise FooterError("the Parquet footer ends early")
            return None
        if kind == _BINARY:
            return self.binary()
        if kind in (_LIST, _SET):
            header = self.byte()
            size, element = header >> 4, header & 0x0F
            if size == 15:
                size = self.varint()
            if size > MAX_LIST:
                raise FooterError("a list of the Parquet footer is too long")
            items = []
            for _ in range(size):
                if element in (_TRUE, _FALSE):  # booleans in lists take a byte each
                    item: Any = self.byte() == 1
                else:
                    item = self.value(element, depth + 1, keep=keep)
                if keep:
                    items.append(item)
            return items
        if kind == _MAP:
            size = self.varint()
            if size > MAX_LIST:
                raise FooterError("a map of the Parquet footer is too long")
            if size:
                types = self.byte()
                for _ in range(size):
                    self.value(types >> 4, depth + 1, keep=False)
                    self.value(types & 0x0F, depth + 1, keep=False)
            return None
        if kind == _STRUCT:
            return self.struct(depth + 1, keep=keep)
        raise FooterError(f"the Parquet footer has an unknown Thrift type {kind}")

    def struct(self, depth: int, *, keep: bool = True,
               wanted: frozenset[int] | None = None, last_read: bool = False) -> dict[int, Any]:
        """A struct's fields by id (those of ``wanted`` only, when given). ``last_read``: the
        struct is the last thing read, so it stops once it holds every wanted field (the
        footer's row groups, most of its bytes, come after its schema and row count)."""
        fields: dict[int, Any] = {}
        last = 0
        while True:
            header = self.byte()
            kind = header & 0x0F
            if kind == _STOP:
                return fields
            delta = header >> 4
            field_id = last + delta if delta else self.zigzag()
            last = field_id
            take = keep and (wanted is None or field_id in wanted)
            value = self.value(kind, depth, keep=take)
            if take:
                fields[field_id] = value
                if last_read and wanted is not None and len(fields) == len(wanted):
                    return fields


# -- FileMetaData -> schema ---------------------------------------------------------------

_PHYSICAL = ("BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
             "FIXED_LEN_BYTE_ARRAY")
_PHYSICAL_TYPE = {"BOOLEAN": "boolean", "INT32": "integer", "INT64": "integer",
                  "INT96": "timestamp", "FLOAT": "number", "DOUBLE": "number",
                  "BYTE_ARRAY": "binary", "FIXED_LEN_BYTE_ARRAY": "binary"}
# ConvertedType (the legacy annotation) -> (type, its name)
_CONVERTED = {0: ("string", "UTF8"), 1: ("object", "MAP"), 2: ("object", "MAP_KEY_VALUE"),
              3: ("array", "LIST"), 4: ("string", "ENUM"), 5: ("decimal", "DECIMAL"),
              6: ("date", "DATE"), 7: ("time", "TIME_MILLIS"), 8: ("time", "TIME_MICROS"),
              9: ("timestamp", "TIMESTAMP_MILLIS"), 10: ("timestamp", "TIMESTAMP_MICROS"),
              11: ("integer", "UINT_8"), 12: ("integer", "UINT_16"),
              13: ("integer", "UINT_32"), 14: ("integer", "UINT_64"),
              15: ("integer", "INT_8"), 16: ("integer", "INT_16"), 17: ("integer", "INT_32"),
              18: ("integer", "INT_64"), 19: ("string", "JSON"), 20: ("binary", "BSON"),
              21: ("binary", "INTERVAL")}
# LogicalType's union members (field id) -> (type, name)
_LOGICAL = {1: ("string", "STRING"), 2: ("object", "MAP"), 3: ("array", "LIST"),
            4: ("string", "ENUM"), 5: ("decimal", "DECIMAL"), 6: ("date", "DATE"),
            7: ("time", "TIME"), 8: ("timestamp", "TIMESTAMP"), 10: ("integer", "INT"),
            11: ("null", "UNKNOWN"), 12: ("string", "JSON"), 13: ("binary", "BSON"),
            14: ("string", "UUID"), 15: ("number", "FLOAT16"), 16: ("object", "VARIANT"),
            17: ("binary", "GEOMETRY"), 18: ("binary", "GEOGRAPHY")}
_UNITS = {1: "MILLIS", 2: "MICROS", 3: "NANOS"}
_REPEATED = 2
_OPTIONAL = 1


@dataclass(frozen=True)
class _Element:
    name: str
    physical: int | None
    repetition: int | None
    children: int
    converted: int | None
    scale: int | None
    precision: int | None
    logical: dict[int, Any] | None


def _element(fields: dict[int, Any]) -> _Element:
    name = fields.get(4)
    if not isinstance(name, bytes):
        raise FooterError("a schema element of the Parquet footer has no name")
    logical = fields.get(10)
    return _Element(
        name=name.decode("utf-8", errors="replace"),
        physical=fields.get(1),
        repetition=fields.get(3),
        children=int(fields.get(5) or 0),
        converted=fields.get(6),
        scale=fields.get(7),
        precision=fields.get(8),
        logical=logical if isinstance(logical, dict) else None,
    )


def _logical_name(member: int, value: Any, element: _Element) -> str:
    _, name = _LOGICAL[member]
    spec = value if isinstance(value, dict) else {}
    if member == 5:
        return f"DECIMAL({spec.get(2, element.precision)},{spec.get(1, element.scale)})"
    if member in (7, 8):
        unit = next(iter(spec.get(2) or {}), None)
        utc = ",UTC" if spec.get(1) else ""
        return f"{name}({_UNITS.get(unit, '?') if unit else '?'}{utc})"
    if member == 10:
        signed = "" if spec.get(2, True) else "U"
        return f"{signed}INT({spec.get(1, '?')})"
    return name


def _column_of(element: _Element) -> Column:
    physical = (_PHYSICAL[element.physical]
                if isinstance(element.physical, int) and 0 <= element.physical < 8 else None)
    kind: str | None = None
    annotation: str | None = None
    if element.logical:
        member = next(iter(element.logical))
        if member in _LOGICAL:
            kind = _LOGICAL[member][0]
            annotation = _logical_name(member, element.logical[member], element)
    if kind is None and element.converted in _CONVERTED:
        kind, annotation = _CONVERTED[element.converted]
        if annotation == "DECIMAL":
            annotation = f"DECIMAL({element.precision},{element.scale})"
    if kind is None:
        kind = _PHYSICAL_TYPE[physical] if physical else "object"  # a group: a struct
    if kind == "decimal":
        precision, scale = element.precision, element.scale
        if element.logical and 5 in element.logical and isinstance(element.logical[5], dict):
            precision = element.logical[5].get(2, precision)
            scale = element.logical[5].get(1, scale)
        kind = f"decimal({precision},{scale})"
    if element.repetition == _REPEATED and kind != "array":
        kind = "array"  # a repeated field of the legacy layout is a list
        annotation = f"REPEATED {annotation}" if annotation else "REPEATED"
    detail = " ".join(part for part in (physical or "GROUP", annotation) if part)
    return Column(element.name, kind, element.repetition == _OPTIONAL, detail)


def parse_footer(footer: bytes) -> DatasetSchema:
    """FileMetaData -> the file's top-level columns and row count; :class:`FooterError`
    when the bytes are no FileMetaData."""
    reader = _Reader(footer)
    meta = reader.struct(0, wanted=frozenset({2, 3}), last_read=True)
    raw = meta.get(2)
    if not isinstance(raw, list) or not raw or not all(isinstance(e, dict) for e in raw):
        raise FooterError("the Parquet footer has no schema")
    elements = [_element(fields) for fields in raw]
    columns: list[Column] = []
    index = 1
    for _ in range(elements[0].children):
        if index >= len(elements):
            raise FooterError("the Parquet footer's schema ends early")
        element = elements[index]
        columns.append(_column_of(element))
        index = _after_subtree(elements, index)
    rows = meta.get(3)
    return DatasetSchema(format="parquet", columns=tuple(columns),
                         row_count=rows if isinstance(rows, int) else None)


def _after_subtree(elements: list[_Element], index: int) -> int:
    """The index past element ``index`` and all its descendants (iterative)."""
    pending = 1
    while pending:
        if index >= len(elements):
            raise FooterError("the Parquet footer's schema ends early")
        pending += elements[index].children - 1
        index += 1
    return index
