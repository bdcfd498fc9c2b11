"""The JSON Schema of the lineage document (docs/CONTRACT.md), shipped with the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def lineage_schema() -> dict[str, Any]:
    text = resources.files("lineage").joinpath("schema/lineage.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
