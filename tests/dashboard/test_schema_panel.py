"""The artifact side panel's Schema section: columns and types as text."""

from __future__ import annotations

from typing import Any

from dashboard.ui.components.panels import artifact_panel
from dashboard.ui.components.schema_panel import MAX_ROWS, schema_section, schema_summary


def texts(component: Any) -> list[str]:
    out: list[str] = []
    children = getattr(component, "children", component)
    if isinstance(children, str):
        return [children]
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, int | float):
            out.extend(texts(child))
    return out


SCHEMA = {"format": "parquet", "columns": [
    {"name": "<img src=x onerror=alert(1)>", "type": "integer", "nullable": False,
     "detail": "INT64"},
    {"name": "plan", "type": "string", "nullable": True},
    {"name": "fee\u202egnp.exe", "type": "number", "nullable": False}],
    "sampledRows": 0, "truncated": False, "objects": ["s3://b/k"], "rowCount": 20}


def test_the_artifact_panel_shows_its_columns_as_text() -> None:
    panel = artifact_panel({"id": 1, "uri": "s3://b/k", "bucket": "b", "schema": SCHEMA})
    shown = [t for part in panel for t in texts(part)]
    assert "Schema" in shown and "Parquet · 3 columns · 20 rows" in shown
    assert "<img src=x onerror=alert(1)>" in shown  # a string child: Dash escapes it
    assert ["plan", "string", "yes"] == shown[shown.index("plan"):shown.index("plan") + 3]
    # A hidden character of a column name is shown as its escape, never applied.
    assert "fee\\u202egnp.exe" in shown and not any("\u202e" in t for t in shown)


def test_no_schema_no_section_and_long_lists_are_cut() -> None:
    assert schema_section(None) is None
    assert "Schema" not in [t for part in artifact_panel({"id": 1, "uri": "s3://b/k"})
                            for t in texts(part)]
    many = {**SCHEMA, "rowCount": None, "truncated": True, "sampledRows": 5,
            "columns": [{"name": f"c{i}", "type": "string"} for i in range(MAX_ROWS + 3)]}
    assert "and 3 more" in texts(schema_section(many))
    assert schema_summary(many).endswith("5 rows sampled (truncated)")
