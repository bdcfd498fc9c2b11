"""Turn a pipeline definition and an :class:`ExecutionSpec` into a simulated execution.

Pure (no moto, no I/O): the result says which steps ran, when and how, with each step's
``Metadata`` as ``ListPipelineExecutionSteps`` reports it, which resources must exist in moto
(with the definition's ``Arguments`` resolved for this execution), and which objects the run
wrote. :mod:`lineage.sandbox.seed` applies it.

:mod:`.walk` reads the definition's steps, :mod:`.resolve` resolves ``Get``/``Std:Join``,
:mod:`.names` names jobs and ARNs, :mod:`.create_requests` builds the Create* requests,
:mod:`.handlers` holds one handler per step type in :data:`STEP_HANDLERS`, :mod:`.run` runs an
execution, :mod:`.live` dates the runs of a live pipeline from a given moment; :mod:`.records`
and :mod:`.step_context` hold what they pass around.
"""

from __future__ import annotations

from lineage.sandbox.simulate.handlers import GENERIC_STEP, STEP_HANDLERS, Handler, StepKind
from lineage.sandbox.simulate.live import LiveSchedule
from lineage.sandbox.simulate.names import job_name, safe_name, sagemaker_arn, token
from lineage.sandbox.simulate.records import (
    JOB_STATUS,
    ExecutionRecord,
    FlatStep,
    JobKind,
    JobPlan,
    PipelineRef,
    Simulation,
    StepRecord,
    epoch,
)
from lineage.sandbox.simulate.resolve import Context, parameter_values, s3_buckets, walk_path
from lineage.sandbox.simulate.run import simulate
from lineage.sandbox.simulate.step_context import Produced, StepContext
from lineage.sandbox.simulate.walk import (
    dependencies,
    flatten_steps,
    step_references,
    topological,
)

__all__ = [
    "GENERIC_STEP",
    "JOB_STATUS",
    "STEP_HANDLERS",
    "Context",
    "ExecutionRecord",
    "FlatStep",
    "Handler",
    "JobKind",
    "JobPlan",
    "LiveSchedule",
    "PipelineRef",
    "Produced",
    "Simulation",
    "StepContext",
    "StepKind",
    "StepRecord",
    "dependencies",
    "epoch",
    "flatten_steps",
    "job_name",
    "parameter_values",
    "s3_buckets",
    "safe_name",
    "sagemaker_arn",
    "simulate",
    "step_references",
    "token",
    "topological",
    "walk_path",
]
