"""``--definitions DIR``: each ``*.json`` definition becomes a pipeline with one run.

The pipeline is named after the file stem (characters outside ``[a-zA-Z0-9-]`` become ``-``)
and gets one simulated ``Succeeded`` execution in which every step ran, those in both
branches of a Condition included (the sandbox's own walk of the definition, pre-order), jobs
created in moto from the step's ``Arguments``, and a plain bucket for each S3 URI with a valid
bucket name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
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


def load_definitions(directory: Path, region: str = SEOUL) -> list[tuple[PipelineSpec, list[str]]]:
    """``(pipeline, step names)`` per readable ``*.json`` file, sorted by file name."""
    out: list[tuple[PipelineSpec, list[str]]] = []
    seen: set[str] = set()
    for index, path in enumerate(sorted(directory.glob("*.json"))):
        try:
            definition = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("skipping %s: %s", path.name, exc)
            continue
        if not isinstance(definition, dict):
            logger.warning("skipping %s: not a JSON object", path.name)
            continue
        name = pipeline_name(path.stem)
        if name in seen:
            logger.warning("skipping %s: pipeline %s already defined", path.name, name)
            continue
        seen.add(name)
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
        out.append((spec, step_names(definition)))
    return out


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
