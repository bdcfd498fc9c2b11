"""The run itself: which steps start, when, and how they end, for one execution spec.

Steps run in dependency order; each takes its type's typical duration from
:data:`~lineage.sandbox.simulate.handlers.STEP_HANDLERS` plus a deterministic 0-59 s (or the
spec's own ``durations``), and then its handler gives it what AWS would report.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from lineage.sandbox.simulate.handlers import GENERIC_STEP, STEP_HANDLERS
from lineage.sandbox.simulate.records import (
    ExecutionRecord,
    FlatStep,
    PipelineRef,
    Simulation,
    StepRecord,
)
from lineage.sandbox.simulate.resolve import Context, parameter_values, text
from lineage.sandbox.simulate.step_context import Produced, StepContext
from lineage.sandbox.simulate.walk import dependencies, flatten_steps, topological
from lineage.sandbox.world.specs import EXECUTION_FAILURE, ExecutionSpec, JsonDict

_STARTING_WINDOW = 45


def simulate(
    pipeline: PipelineRef,
    definition: JsonDict,
    spec: ExecutionSpec,
    *,
    history: Mapping[str, Simulation] | None = None,
    all_branches: bool = False,
    step_names: list[str] | None = None,
    package_arn: Callable[[str], str] | None = None,
) -> Simulation:
    """Simulate ``spec`` of ``pipeline`` running ``definition``.

    ``history`` maps earlier execution ids to their simulations (for cache hits);
    ``all_branches`` runs both branches of every Condition (used for ``--definitions``);
    ``step_names`` restricts and orders the steps;
    ``package_arn`` gives the ARN the next model package of a group will get.
    """
    history = history or {}
    execution_arn = f"{pipeline.arn}/execution/{spec.execution_id}"
    steps = flatten_steps(definition)
    if step_names is not None:
        by_name = {s.name: s for s in steps}
        steps = [by_name[n] for n in step_names if n in by_name]
    deps = dependencies(steps)
    params = parameter_values(definition, spec.parameters)
    produced = Produced()
    resolver = Context(
        params,
        {
            "PipelineExecutionId": spec.execution_id,
            "PipelineExecutionArn": execution_arn,
            "PipelineName": pipeline.name,
            "StartDateTime": spec.started.isoformat(),
            "CurrentDateTime": spec.started.isoformat(),
        },
        produced.properties,
    )
    cut = None
    if spec.cut_after_s is not None:  # 0 too: a run cut at its very start
        cut = spec.started + timedelta(seconds=spec.cut_after_s)
    records: dict[str, StepRecord] = {}

    for step in topological(steps, deps):
        if not _may_start(step, deps[step.name], records, produced.outcomes, all_branches):
            continue
        record = _timed(step, deps[step.name], records, spec, cut)
        if record is None:
            continue
        records[step.name] = record
        source = spec.cache_hits.get(step.name)
        if source is not None and source in history and step.name in history[source].properties:
            _reuse(step, record, history[source], produced)
            continue
        row = STEP_HANDLERS.get(step.type, GENERIC_STEP)
        args = resolver.resolve(
            {k: v for k, v in step.arguments.items() if k not in ("IfSteps", "ElseSteps")}
        )
        ctx = StepContext(
            step=step,
            record=record,
            args=args,
            resolver=resolver,
            spec=spec,
            pipeline=pipeline,
            execution_arn=execution_arn,
            produced=produced,
            job_kind=row.job_kind,
            all_branches=all_branches,
            package_arn=package_arn,
            props=dict(args),
        )
        row.handler(ctx)
        produced.properties[step.name] = ctx.props

    execution = _execution(pipeline, definition, spec, params, records, cut)
    return Simulation(
        execution, produced.jobs, produced.objects, produced.properties, produced.job_names
    )


def _may_start(
    step: FlatStep,
    deps: list[str],
    records: Mapping[str, StepRecord],
    outcomes: Mapping[str, bool],
    all_branches: bool,
) -> bool:
    """Whether the step's Condition chose its branch and everything it waits for succeeded."""
    if step.parent is not None:
        parent = records.get(step.parent)
        if parent is None or parent.status != "Succeeded":
            return False
        if not all_branches and outcomes.get(step.parent, True) != (step.branch == "if"):
            return False
    return all(d in records and records[d].status == "Succeeded" for d in deps if d != step.parent)


def _timed(
    step: FlatStep,
    deps: list[str],
    records: Mapping[str, StepRecord],
    spec: ExecutionSpec,
    cut: datetime | None,
) -> StepRecord | None:
    """The step's record with its times and status, or ``None`` if it starts after the cut."""
    ready = max((records[d].end or spec.started for d in deps), default=spec.started)
    start = ready + timedelta(seconds=spec.gap_s + spec.delays.get(step.name, 0))
    duration = spec.durations.get(step.name)
    if duration is None:
        typical = STEP_HANDLERS.get(step.type, GENERIC_STEP).duration_s
        duration = typical + zlib.crc32(step.name.encode()) % 60
    end: datetime | None = start + timedelta(seconds=duration)
    status = "Succeeded"
    failure: str | None = spec.failures.get(step.name)
    if cut is not None and start > cut:
        return None
    if cut is not None and end is not None and end > cut:
        if spec.status in ("Stopped", "Stopping"):
            status = spec.status
            end = cut + timedelta(seconds=30) if spec.status == "Stopped" else None
        else:
            status = "Starting" if (cut - start).total_seconds() < _STARTING_WINDOW else "Executing"
            end = None
    elif failure is not None:
        status = "Failed"
        end = start + timedelta(seconds=max(duration // 3, 1))
    return StepRecord(
        name=step.name,
        type=step.type,
        status=status,
        start=start,
        end=end,
        display_name=_str_or_none(step.raw.get("DisplayName")),
        description=_str_or_none(step.raw.get("Description")),
        failure_reason=failure if status == "Failed" else None,
        attempt_count=spec.attempts.get(step.name, 1),
    )


def _reuse(step: FlatStep, record: StepRecord, earlier: Simulation, produced: Produced) -> None:
    """A cache hit: the earlier execution's properties, metadata and job stand for this one."""
    record.cache_source_arn = earlier.execution.arn
    produced.properties[step.name] = earlier.properties[step.name]
    original = next(r for r in earlier.execution.steps if r.name == step.name)
    record.metadata = dict(original.metadata)
    produced.job_names[step.name] = earlier.job_names.get(step.name, "")


def _execution(
    pipeline: PipelineRef,
    definition: JsonDict,
    spec: ExecutionSpec,
    params: Mapping[str, Any],
    records: Mapping[str, StepRecord],
    cut: datetime | None,
) -> ExecutionRecord:
    finished = [r.end for r in records.values() if r.end is not None]
    last = max(finished, default=spec.started)
    status = spec.status
    if status in ("Succeeded", "Failed", "Stopped"):
        last_modified = last + timedelta(seconds=8)
    else:
        last_modified = cut or last
    ordered = sorted(records.values(), key=lambda r: (r.start, r.name), reverse=True)
    return ExecutionRecord(
        pipeline_name=pipeline.name,
        region=pipeline.region,
        execution_id=spec.execution_id,
        status=status,
        start=spec.started,
        last_modified=last_modified,
        definition=json.dumps(spec.definition or definition),
        parameters=[{"Name": k, "Value": text(v)} for k, v in params.items()],
        steps=ordered,
        display_name=spec.display_name or f"execution-{int(spec.started.timestamp() * 1000)}",
        description=spec.description,
        failure_reason=EXECUTION_FAILURE if status == "Failed" else None,
        account=pipeline.account,
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
