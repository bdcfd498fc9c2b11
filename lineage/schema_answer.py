"""The answer of ``GET /schema`` (the sibling API's shape), from a lineage document (pure).

::

    {"tables":   [{"id": "table:<name>", "name", "version", "links": [data node ids]}],
     "columns":  [{"id": "column:<table>.<col>", "name", "tableId", "type", "links"}],
     "featureGroups": [{"id": "featureGroup:<name>", "name", "version", "links",
                        "offlineStoreUri"}],
     "features": [{"id": "feature:<group>.<name>", "name", "groupId", "type", "links"}],
     "warnings": [{"code", "message", "target"}]}

A table is an artifact with a dataset schema (:mod:`lineage.schema_reader`), named after the
last part of its URI (``.../Preprocess/train`` -> ``train``; a repeated name gets its
parent's: ``Preprocess/train``); its ``version`` is a fingerprint of its columns (12 hex
digits: it changes exactly when a column's name, type or nullability does); its links are
the data nodes of the artifacts at or under its URI. A data node id is
``data:<uri lower-cased, no trailing slash>``.

A feature group is linked to the artifacts its offline store's S3 URI lies under (or that lie
under it: a pipeline reading the store's folder); a feature group linked to no artifact of the
document is not listed. Lists are sorted by id, but columns: by table, then in the
dataset's own order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lineage.dataset_schema import DatasetSchema, schema_from_dict
from lineage.models import JsonDict, LineageDocument, Warning


def data_node_id(uri: str) -> str:
    return f"data:{uri.lower().rstrip('/')}"


def schema_version(schema: DatasetSchema) -> str:
    """A fingerprint of the columns: the same columns, the same version."""
    canonical = json.dumps([[c.name, c.type, c.nullable] for c in schema.columns],
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _under(inner: str, outer: str) -> bool:
    """Whether S3 URI ``inner`` is ``outer`` or lies under it (case-insensitively)."""
    inner, outer = inner.lower().rstrip("/"), outer.lower().rstrip("/")
    return inner == outer or inner.startswith(outer + "/")


def _table_names(uris: Sequence[str]) -> dict[str, str]:
    """Each URI's table name: its last part, or its last two where that repeats."""
    def parts(uri: str) -> list[str]:
        return [p for p in uri.removeprefix("s3://").rstrip("/").split("/") if p]

    last = [parts(uri)[-1] for uri in uris]
    names: dict[str, str] = {}
    taken: set[str] = set()
    for uri, name in zip(uris, last, strict=True):
        if last.count(name) > 1:
            name = "/".join(parts(uri)[-2:])
        base, n = name, 2
        while name in taken:
            name, n = f"{base}~{n}", n + 1
        taken.add(name)
        names[uri] = name
    return names


def _document_parts(document: LineageDocument | Mapping[str, Any]
                    ) -> tuple[list[str], dict[str, DatasetSchema], list[JsonDict]]:
    data = document.to_dict() if isinstance(document, LineageDocument) else document
    artifacts = [a for a in (data.get("graph") or {}).get("artifacts") or []
                 if isinstance(a, Mapping) and isinstance(a.get("uri"), str)]
    uris = [str(a["uri"]) for a in artifacts]
    schemas = {str(a["uri"]): s for a in artifacts
               if (s := schema_from_dict(a.get("schema"))) is not None}
    warnings = [dict(w) for w in data.get("warnings") or []
                if isinstance(w, Mapping) and str(w.get("code", "")).startswith("SCHEMA_")]
    return uris, schemas, warnings


def feature_group_view(described: Mapping[str, Any]) -> JsonDict | None:
    """What a DescribeFeatureGroup answer gives the answer; ``None`` without a name."""
    name = described.get("FeatureGroupName")
    if not isinstance(name, str) or not name:
        return None
    storage = (described.get("OfflineStoreConfig") or {}).get("S3StorageConfig") or {}
    features = [
        {"name": str(f["FeatureName"]), "type": str(f.get("FeatureType") or "")}
        for f in described.get("FeatureDefinitions") or []
        if isinstance(f, Mapping) and isinstance(f.get("FeatureName"), str)
    ]
    uris = [str(u) for u in (storage.get("S3Uri"), storage.get("ResolvedOutputS3Uri"))
            if isinstance(u, str) and u.startswith("s3://")]
    created = described.get("CreationTime")
    return {"name": name, "storeUris": uris, "features": features,
            "version": None if created is None else str(created)}


def schema_answer(
    document: LineageDocument | Mapping[str, Any],
    schemas: Mapping[str, DatasetSchema] | None = None,
    feature_groups: Iterable[Mapping[str, Any]] = (),
    warnings: Iterable[Warning] = (),
) -> JsonDict:
    """The ``/schema`` answer of a document. ``schemas``: artifact URI -> schema (by default
    the document's own, read with ENABLE_SCHEMA=true); ``feature_groups``: DescribeFeatureGroup
    answers (or :func:`feature_group_view`'s); ``warnings``: those of reading them."""
    uris, own, found = _document_parts(document)
    chosen = own if schemas is None else dict(schemas)
    table_uris = [uri for uri in uris if uri in chosen]
    names = _table_names(table_uris)
    tables: list[JsonDict] = []
    columns: list[JsonDict] = []
    for uri in table_uris:
        schema = chosen[uri]
        name = names[uri]
        table_id = f"table:{name}"
        links = sorted({data_node_id(other) for other in uris if _under(other, uri)})
        tables.append({"id": table_id, "name": name, "version": schema_version(schema),
                       "links": links})
        columns.extend({"id": f"column:{name}.{column.name}", "name": column.name,
                        "tableId": table_id, "type": column.type, "links": links}
                       for column in schema.columns)
    groups: list[JsonDict] = []
    features: list[JsonDict] = []
    for raw in feature_groups:
        view = raw if "storeUris" in raw else feature_group_view(raw)
        if view is None:
            continue
        links = sorted({data_node_id(uri) for uri in uris for store in view["storeUris"]
                        if _under(store, uri) or _under(uri, store)})
        if not links:
            continue
        group_id = f"featureGroup:{view['name']}"
        groups.append({"id": group_id, "name": view["name"], "version": view["version"],
                       "links": links,
                       "offlineStoreUri": view["storeUris"][0] if view["storeUris"] else None})
        features.extend({"id": f"feature:{view['name']}.{f['name']}", "name": f["name"],
                         "groupId": group_id, "type": f["type"], "links": links}
                        for f in view["features"])
    all_warnings = [*found, *(w.to_dict() for w in warnings)]
    return {
        "tables": sorted(tables, key=lambda t: t["id"]),
        # By table, each table's columns in the dataset's own order.
        "columns": sorted(columns, key=lambda c: c["tableId"]),
        "featureGroups": sorted(groups, key=lambda g: g["id"]),
        "features": sorted(features, key=lambda f: f["id"]),
        "warnings": all_warnings,
    }
