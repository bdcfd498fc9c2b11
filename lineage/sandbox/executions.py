"""The sandbox's own pipeline executions and the SageMaker operations that read them.

moto keeps executions that are always ``Succeeded`` and have no steps, and ignores sorting
and paging; the sandbox answers these operations itself, shaped as botocore's model says:
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelineExecutionSteps.html

Seeded executions are fixed records; a live pipeline's runs are computed from the store's
clock on each call (:class:`~lineage.sandbox.simulate.LiveSchedule`), so they move as time
passes and a test moves them with a fake clock.
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lineage.sandbox import ACCOUNT_ID
from lineage.sandbox.protocol import Answer, json_answer, json_error
from lineage.sandbox.simulate import ExecutionRecord, LiveSchedule, Simulation, epoch

Clock = Callable[[], datetime]

#: Operations answered here instead of by moto.
OPERATIONS = frozenset(
    {
        "ListPipelineExecutions",
        "DescribePipelineExecution",
        "ListPipelineExecutionSteps",
        "ListPipelineParametersForExecution",
        "DescribePipelineDefinitionForExecution",
    }
)

_EXECUTION_ARN = re.compile(
    r"^arn:aws[a-z\-]*:sagemaker:(?P<region>[a-z0-9\-]*):(?P<account>\d{12}):"
    r"pipeline/(?P<pipeline>[^/]+)/execution/(?P<id>[^/]+)$"
)
_PIPELINE_ARN = re.compile(r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:\d{12}:pipeline/(?P<name>.+)$")


class ExecutionStore:
    """Executions by ARN; ``pipeline_exists(region, name)`` asks moto about pipelines.

    ``clock`` gives the moment live runs are computed for (the wall clock by default).
    """

    def __init__(
        self, pipeline_exists: Callable[[str, str], bool], *, clock: Clock | None = None
    ) -> None:
        self._pipeline_exists = pipeline_exists
        self._clock = clock or _wall_clock
        self._lock = threading.Lock()
        self._executions: dict[str, ExecutionRecord] = {}
        self._live: list[_LivePipeline] = []
        self._live_at: tuple[int, list[Simulation]] | None = None

    def add(self, record: ExecutionRecord) -> None:
        with self._lock:
            self._executions[record.arn] = record

    def add_live(self, schedule: LiveSchedule) -> None:
        """List the runs of ``schedule`` from ``history`` runs before now on."""
        first = schedule.newest(self._clock()) - schedule.live.history
        with self._lock:
            self._live.append(_LivePipeline(schedule, first))
            self._live_at = None

    def live_simulations(self) -> list[Simulation]:
        """Every live run listed now, as it stands now (the same within one second)."""
        now = self._clock()
        second = math.floor(now.timestamp())
        with self._lock:
            if self._live_at is None or self._live_at[0] != second:
                self._live_at = (second, [sim for live in self._live for sim in live.runs(now)])
            return list(self._live_at[1])

    def get(self, arn: str) -> ExecutionRecord | None:
        with self._lock:
            record = self._executions.get(arn)
        if record is not None:
            return record
        return next((s.execution for s in self.live_simulations() if s.execution.arn == arn), None)

    def for_pipeline(self, region: str, name: str) -> list[ExecutionRecord]:
        with self._lock:
            records = list(self._executions.values())
        records += [s.execution for s in self.live_simulations()]
        return [e for e in records if e.region == region and e.pipeline_name == name]

    # --- dispatch ------------------------------------------------------------------------

    def answer(self, operation: str, region: str, params: dict[str, Any]) -> Answer:
        handler = {
            "ListPipelineExecutions": self._list_executions,
            "DescribePipelineExecution": self._describe_execution,
            "ListPipelineExecutionSteps": self._list_steps,
            "ListPipelineParametersForExecution": self._list_parameters,
            "DescribePipelineDefinitionForExecution": self._describe_definition,
        }[operation]
        try:
            return handler(region, params)
        except _Refusal as refusal:
            return json_error(refusal.code, refusal.message)

    def _execution(self, region: str, params: dict[str, Any]) -> ExecutionRecord:
        arn = params.get("PipelineExecutionArn")
        if not isinstance(arn, str) or not arn:
            raise _Refusal("ValidationException", "PipelineExecutionArn is required")
        record = self.get(arn)
        match = _EXECUTION_ARN.match(arn)
        if record is None or match is None or match.group("region") != region:
            # What AWS says for an execution it does not know.
            raise _Refusal("ResourceNotFound", f"Pipeline execution with ARN {arn} not found.")
        return record

    def _list_executions(self, region: str, params: dict[str, Any]) -> Answer:
        name = str(params.get("PipelineName") or "")
        arn_match = _PIPELINE_ARN.match(name)
        if arn_match:
            name = arn_match.group("name")
        if not name or not self._pipeline_exists(region, name):
            arn = f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:pipeline/{name}"
            raise_answer = json_error("ResourceNotFound", f"Pipeline '{arn}' does not exist.")
            return raise_answer
        executions = self.for_pipeline(region, name)
        after, before = params.get("CreatedAfter"), params.get("CreatedBefore")
        if isinstance(after, int | float):
            executions = [e for e in executions if epoch(e.start) > after]
        if isinstance(before, int | float):
            executions = [e for e in executions if epoch(e.start) < before]
        sort_by = params.get("SortBy") or "CreationTime"
        descending = (params.get("SortOrder") or "Descending") == "Descending"
        if sort_by == "PipelineExecutionArn":
            executions.sort(key=lambda e: e.arn, reverse=descending)
        else:
            executions.sort(key=lambda e: (e.start, e.arn), reverse=descending)
        page, token = _page(executions, params, default_size=50)
        out: dict[str, Any] = {
            "PipelineExecutionSummaries": [
                _without_none(
                    {
                        "PipelineExecutionArn": e.arn,
                        "StartTime": epoch(e.start),
                        "PipelineExecutionStatus": e.status,
                        "PipelineExecutionDescription": e.description,
                        "PipelineExecutionDisplayName": e.display_name,
                        "PipelineExecutionFailureReason": e.failure_reason,
                    }
                )
                for e in page
            ]
        }
        if token:
            out["NextToken"] = token
        return json_answer(out)

    def _describe_execution(self, region: str, params: dict[str, Any]) -> Answer:
        e = self._execution(region, params)
        user = {
            "UserProfileArn": (
                f"arn:aws:sagemaker:{region}:{e.account}:user-profile/d-sandbox/data-scientist"
            ),
            "UserProfileName": "data-scientist",
            "DomainId": "d-sandbox",
        }
        return json_answer(
            _without_none(
                {
                    "PipelineArn": e.pipeline_arn,
                    "PipelineExecutionArn": e.arn,
                    "PipelineExecutionDisplayName": e.display_name,
                    "PipelineExecutionStatus": e.status,
                    "PipelineExecutionDescription": e.description,
                    "PipelineExperimentConfig": {
                        "ExperimentName": e.pipeline_name,
                        "TrialName": e.execution_id,
                    },
                    "FailureReason": e.failure_reason,
                    "CreationTime": epoch(e.start),
                    "LastModifiedTime": epoch(e.last_modified),
                    "CreatedBy": user,
                    "LastModifiedBy": user,
                }
            )
        )

    def _list_steps(self, region: str, params: dict[str, Any]) -> Answer:
        e = self._execution(region, params)
        steps = list(e.steps)  # newest first, as AWS lists them
        if params.get("SortOrder") == "Ascending":
            steps.reverse()
        page, token = _page(steps, params, default_size=20)
        out: dict[str, Any] = {"PipelineExecutionSteps": [s.to_json() for s in page]}
        if token:
            out["NextToken"] = token
        return json_answer(out)

    def _list_parameters(self, region: str, params: dict[str, Any]) -> Answer:
        e = self._execution(region, params)
        page, token = _page(e.parameters, params, default_size=50)
        out: dict[str, Any] = {"PipelineParameters": page}
        if token:
            out["NextToken"] = token
        return json_answer(out)

    def _describe_definition(self, region: str, params: dict[str, Any]) -> Answer:
        e = self._execution(region, params)
        return json_answer({"PipelineDefinition": e.definition, "CreationTime": epoch(e.start)})


@dataclass
class _LivePipeline:
    """The runs of one live pipeline listed from run ``first`` on; finished ones kept."""

    schedule: LiveSchedule
    first: int
    finished: dict[int, Simulation] = field(default_factory=dict)

    def runs(self, now: datetime) -> list[Simulation]:
        out = []
        for index in range(self.first, self.schedule.newest(now) + 1):
            sim = self.finished.get(index)
            if sim is None:
                sim = self.schedule.simulate(index, now)
                if sim.execution.status == "Succeeded":
                    self.finished[index] = sim
            out.append(sim)
        return out


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class _Refusal(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _page(items: list[Any], params: dict[str, Any], *, default_size: int) -> tuple[list[Any], str]:
    size = params.get("MaxResults", default_size)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 100:
        raise _Refusal(
            "ValidationException",
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
            "constraint: Member must have value between 1 and 100",
        )
    start = 0
    token = params.get("NextToken")
    if token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(str(token).encode()).decode())
            start = int(decoded["offset"])
        except (ValueError, KeyError, TypeError):
            raise _Refusal("ValidationException", "Invalid pagination token") from None
        if not 0 <= start <= len(items):
            raise _Refusal("ValidationException", "Invalid pagination token")
    end = start + size
    next_token = ""
    if end < len(items):
        next_token = base64.urlsafe_b64encode(json.dumps({"offset": end}).encode()).decode()
    return items[start:end], next_token
