"""A local pipeline definition -> lineage document, without AWS (no execution, no S3 settings).

Reading the file is the only I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lineage.definition import parse_definition
from lineage.errors import DefinitionError
from lineage.graph import build_document
from lineage.models import LineageDocument, PipelineInfo


def render_definition(
    definition_text_or_mapping: str | bytes | Mapping[str, Any],
    *,
    name: str,
    generated_at: datetime | None = None,
) -> LineageDocument:
    """The lineage a definition alone gives: ``name`` is the pipeline's name."""
    parsed = parse_definition(definition_text_or_mapping)
    return build_document(
        parsed,
        pipeline=PipelineInfo(name=name),
        generated_at=generated_at or datetime.now(UTC),
    )


def render_file(path: str | Path, *, generated_at: datetime | None = None) -> LineageDocument:
    """Render a definition file; the pipeline is named after the file's stem.

    ``OSError`` when the file cannot be read; ``DefinitionError`` when it is no definition.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"{file.name} is not UTF-8 text") from exc
    return render_definition(text, name=file.stem, generated_at=generated_at)
