"""``--definitions DIR``: each ``*.json`` definition becomes a pipeline with one run.

The pipeline is named after the file stem (characters outside ``[a-zA-Z0-9-]`` become ``-``)
and gets one simulated ``Succeeded`` execution in which every step ran, those in both
branches of a Condition included (the sandbox's own walk of the definition, pre-order), jobs
created in moto from the step's ``Arguments``, and a plain bucket for each S3 URI with a valid
bucket name. A file that is no definition is skipped, and :func:`load_definitions` says why.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lineage.sandbox.simulate import Context, flatten_steps, parameter_values, s3_buckets
from lineage.sandbox.world.specs import SEOUL, ExecutionSpec, JsonDict, PipelineSpec, at

logger = logging.getLogger(__name__)


def pipeline_name(stem: str) -> str:
    name = re.sub(r"[^a-zA-Z0-9-]", "-", stem).strip("-")
    return (name or "pipeline")[:256]


def execution_id(name: str) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha256(f"definition:{name}".encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:12])


def step_names(definition: Mapping[str, Any]) -> list[str]:
    """Every step name, nested ones included: a Condition, then its IfSteps, then ElseSteps."""
    return [step.name for step in flatten_steps(definition)]


@dataclass(frozen=True)
class DefinitionFile:
    """One ``*.json`` of the directory: the pipeline it became, or why it was skipped."""

    file: str
    spec: PipelineSpec | None = None
    step_names: tuple[str, ...] = ()
    skipped: str | None = None


def load_definitions(directory: Path, region: str = SEOUL) -> list[DefinitionFile]:
    """Every ``*.json`` file, sorted by name: each one's pipeline, or why it has none."""
    out: list[DefinitionFile] = []
    seen: dict[str, str] = {}
    for index, path in enumerate(sorted(directory.glob("*.json"))):
        definition, problem = _read(path)
        name = pipeline_name(path.stem)
        if problem is None and name in seen:
            problem = f"pipeline {name} already comes from {seen[name]}"
        if problem is not None or definition is None:
            logger.warning("skipping %s: %s", path.name, problem)
            out.append(DefinitionFile(path.name, skipped=problem))
            continue
        seen[name] = path.name
        spec = PipelineSpec(
            name=name,
            region=region,
            definition=definition,
            created=at(days=-14, hours=index),
            description=f"Loaded from {path.name}",
            tags={"Source": "definitions"},
            executions=(
                ExecutionSpec(
                    execution_id=execution_id(name),
                    status="Succeeded",
                    started=at(days=-1, hours=index),
                ),
            ),
        )
        out.append(DefinitionFile(path.name, spec, tuple(step_names(definition))))
    return out


def _read(path: Path) -> tuple[JsonDict | None, str | None]:
    """The definition in ``path``, or what is wrong with the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or type(exc).__name__})"
    try:
        definition = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except RecursionError:
        return None, "nested too deeply to read"
    if not isinstance(definition, dict):
        return None, "not a JSON object"
    return definition, None


def buckets_of(definition: JsonDict, spec: ExecutionSpec, pipeline: str) -> set[str]:
    """Every valid bucket named by an S3 URI of the definition, resolved for ``spec``."""
    ctx = Context(
        parameter_values(definition, spec.parameters),
        {"PipelineExecutionId": spec.execution_id, "PipelineName": pipeline},
        {},
    )
    found = s3_buckets(ctx.resolve(definition))
    found |= s3_buckets(ctx.resolve(definition.get("Parameters")))
    return found
