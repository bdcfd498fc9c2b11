"""The side panel's Schema section of an artifact: its dataset's columns and types (text only:
names come from the data, never rendered as HTML; hidden characters shown as escapes, as
``components.visible`` shows AWS's strings, so a column name cannot reorder what is drawn)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.ui.components.visible import visible_text

# Columns shown; the rest are counted ("and 12 more").
MAX_ROWS = 200
MAX_NAME = 256

FORMAT_LABELS = {"csv": "CSV", "tsv": "TSV", "jsonl": "JSON Lines", "json": "JSON",
                 "parquet": "Parquet"}


def _text(value: Any, limit: int = MAX_NAME) -> str:
    shown = "" if value is None else visible_text(str(value))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def schema_summary(schema: Mapping[str, Any]) -> str:
    """``Parquet · 6 columns · 20 rows`` / ``CSV · 6 columns · 80 rows sampled (truncated)``."""
    columns = schema.get("columns") or []
    parts = [FORMAT_LABELS.get(str(schema.get("format")), _text(schema.get("format"), 32))]
    if schema.get("compression"):
        parts[0] += f" ({_text(schema['compression'], 16)})"
    parts.append(f"{len(columns)} column{'s' if len(columns) != 1 else ''}")
    if isinstance(schema.get("rowCount"), int):
        parts.append(f"{schema['rowCount']} rows")
    else:
        sampled = f"{int(schema.get('sampledRows') or 0)} rows sampled"
        parts.append(sampled + (" (truncated)" if schema.get("truncated") else ""))
    objects = schema.get("objects") or []
    if len(objects) > 1:
        parts.append(f"{len(objects)} objects")
    return " · ".join(parts)


def schema_section(schema: Any) -> Component | None:
    """The Schema section, ``None`` when the artifact has no schema."""
    if not isinstance(schema, Mapping):
        return None
    columns = [c for c in schema.get("columns") or [] if isinstance(c, Mapping)]
    rows = [
        html.Tr([html.Td(_text(c.get("name"))),
                 html.Td(_text(c.get("type"), 64), title=_text(c.get("detail"), 256) or None),
                 html.Td("yes" if c.get("nullable") else "no")])
        for c in columns[:MAX_ROWS]
    ]
    children: list[Component] = [html.Div(schema_summary(schema), className="muted")]
    if rows:
        children.append(html.Table(
            [html.Thead(html.Tr([html.Th("Column"), html.Th("Type"), html.Th("Nullable")])),
             html.Tbody(rows)],
            className="schema-table"))
    if len(columns) > MAX_ROWS:
        children.append(html.Div(f"and {len(columns) - MAX_ROWS} more", className="muted"))
    return html.Section([html.H4("Schema"), *children], className="panel-section schema")
