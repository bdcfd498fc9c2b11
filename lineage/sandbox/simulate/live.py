"""The runs of a live pipeline (:class:`~lineage.sandbox.world.specs.LiveSpec`) as of a moment.

Pure: ``now`` is always passed in, so a test drives the runs with a fake clock. Run ``n``
starts ``n * period_s`` seconds after the Unix epoch and is listed once it has run
:data:`VISIBLE_AFTER_S` (so its elapsed time never reads 0); the next run starts
:data:`LEAD_S` before the last step of the previous one does, so the newest run always has
a step running and one still to come. A run is simulated cut at ``now`` (whole seconds)
until it is over, then once and for all as Succeeded.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta
from functools import cached_property

from lineage.sandbox.simulate.names import lower_token
from lineage.sandbox.simulate.records import PipelineRef, Simulation
from lineage.sandbox.simulate.run import simulate
from lineage.sandbox.world.specs import ExecutionSpec, ExecutionStatus, JsonDict, LiveSpec

VISIBLE_AFTER_S = 2
LEAD_S = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclasses.dataclass(frozen=True)
class LiveSchedule:
    """When each run of one live pipeline starts, and how it stands at a given moment."""

    pipeline: PipelineRef
    definition: JsonDict
    live: LiveSpec

    @cached_property
    def _whole_run(self) -> Simulation:
        return simulate(self.pipeline, self.definition, self._spec(0, _EPOCH, "Succeeded", None))

    @cached_property
    def period_s(self) -> int:
        """Seconds between the starts of two runs."""
        steps = self._whole_run.execution.steps
        if not steps:
            raise ValueError(f"live pipeline {self.pipeline.name} runs no step")
        last_start = max(step.start for step in steps) - _EPOCH
        period = int(last_start.total_seconds()) - LEAD_S
        if period <= VISIBLE_AFTER_S:
            raise ValueError(f"live pipeline {self.pipeline.name} runs for too short a time")
        return period

    @cached_property
    def duration_s(self) -> int:
        """Seconds from a run's start until it is Succeeded."""
        return math.ceil((self._whole_run.execution.last_modified - _EPOCH).total_seconds())

    def newest(self, now: datetime) -> int:
        """The index of the newest run listed at ``now``."""
        return (math.floor(now.timestamp()) - VISIBLE_AFTER_S) // self.period_s

    def started(self, index: int) -> datetime:
        return _EPOCH + timedelta(seconds=index * self.period_s)

    def execution_id(self, index: int) -> str:
        return lower_token(f"{self.pipeline.arn}/live/{index}", 12)

    def simulate(self, index: int, now: datetime) -> Simulation:
        """Run ``index`` as it stands at ``now`` (which must not be before its start)."""
        elapsed = math.floor(now.timestamp()) - index * self.period_s
        if elapsed < 0:
            raise ValueError(f"run {index} of {self.pipeline.name} has not started at {now}")
        started = self.started(index)
        if elapsed >= self.duration_s:
            spec = self._spec(index, started, "Succeeded", None)
        else:
            spec = self._spec(index, started, "Executing", elapsed)
        return simulate(self.pipeline, self.definition, spec)

    def _spec(
        self, index: int, started: datetime, status: ExecutionStatus, cut_after_s: int | None
    ) -> ExecutionSpec:
        return dataclasses.replace(
            self.live.run,
            execution_id=self.execution_id(index),
            status=status,
            started=started,
            cut_after_s=cut_after_s,
        )
