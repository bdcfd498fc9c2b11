"""One execution as a timeline: the Gantt rows of its steps, its idle gaps, its critical path.

Built from a lineage document's JSON (``LineageDocument.to_dict()``) by
:func:`document_timeline`, pure: ``now`` is passed in, so a step still running (no
``endTime``) ends at ``now`` and a live run grows from one call to the next.

- **Rows**: one per step that ran (its ``run`` has a ``startTime``), sorted by start, then
  definition order. A step that did not run is listed apart in ``not_run``, never as a row.
  A step without an ``endTime`` in a run that is over ends with the run, not running.
- **The run's window**: the execution's ``startTime`` (else the first step's start) to its
  ``endTime`` (``now`` while it runs). Offsets, shares and idle gaps are measured in it.
- **Idle gaps**: the parts of the window when no step was running (before the first step,
  between steps, after the last).
- **Critical path**: see :func:`longest_chain`.

There is no retry count: the document's ``run`` has none (it would need the
``AttemptCount`` of ListPipelineExecutionSteps), and none is guessed.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lineage.errors import DefinitionError
from lineage.models import NOT_STARTED, UNKNOWN, JsonDict, iso
from lineage.runinfo import TERMINAL_EXECUTION_STATUSES


@dataclass(frozen=True)
class ExecutionSpan:
    """The run itself: its window, ``end_time`` being ``now`` while it runs."""

    arn: str | None
    id: str | None
    status: str
    start_time: datetime
    end_time: datetime
    running: bool

    @property
    def elapsed_sec(self) -> float:
        return (self.end_time - self.start_time).total_seconds()

    def to_dict(self) -> JsonDict:
        return {
            "arn": self.arn,
            "id": self.id,
            "status": self.status,
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "elapsedSec": round(self.elapsed_sec, 3),
            "running": self.running,
        }


@dataclass(frozen=True)
class TimelineRow:
    """One bar of the Gantt chart: a step that ran, ``end_time`` being ``now`` while it runs."""

    step: str
    type: str
    status: str
    start_time: datetime
    end_time: datetime
    offset_sec: float  # from the run's start
    cache_hit: bool
    running: bool
    share_pct: float | None  # of the run's wall time; None when the run took no time
    attempts: int | None = None  # the run's AttemptCount; None when AWS did not say

    @property
    def duration_sec(self) -> float:
        return (self.end_time - self.start_time).total_seconds()

    @property
    def retried(self) -> bool:
        """Its RetryPolicy ran it again: more than one attempt."""
        return self.attempts is not None and self.attempts > 1

    def to_dict(self) -> JsonDict:
        return {
            "step": self.step,
            "type": self.type,
            "status": self.status,
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "offsetSec": round(self.offset_sec, 3),
            "durationSec": round(self.duration_sec, 3),
            "cacheHit": self.cache_hit,
            "running": self.running,
            "sharePct": None if self.share_pct is None else round(self.share_pct, 2),
            "attempts": self.attempts,
            "retried": self.retried,
        }


@dataclass(frozen=True)
class StepNotRun:
    """A step without a row: ``NotStarted``, or the status of a run that has no start time."""

    step: str
    type: str
    status: str

    def to_dict(self) -> JsonDict:
        return {"step": self.step, "type": self.type, "status": self.status}


@dataclass(frozen=True)
class IdleGap:
    """A part of the run's window when no step was running."""

    start_time: datetime
    end_time: datetime

    @property
    def duration_sec(self) -> float:
        return (self.end_time - self.start_time).total_seconds()

    def to_dict(self) -> JsonDict:
        return {
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "durationSec": round(self.duration_sec, 3),
        }


@dataclass(frozen=True)
class CriticalPath:
    steps: tuple[str, ...]  # in order along the edges
    length_sec: float  # the sum of their durations
    ratio: float | None  # length / the run's elapsed time; None when the run took no time

    def to_dict(self) -> JsonDict:
        return {
            "steps": list(self.steps),
            "lengthSec": round(self.length_sec, 3),
            "ratio": None if self.ratio is None else round(self.ratio, 4),
        }


NO_CRITICAL_PATH = CriticalPath((), 0.0, None)


@dataclass(frozen=True)
class Timeline:
    as_of: datetime  # the ``now`` that open bars end at
    execution: ExecutionSpan | None  # None: the document has no run
    rows: tuple[TimelineRow, ...]
    not_run: tuple[StepNotRun, ...]
    idle_gaps: tuple[IdleGap, ...]
    critical_path: CriticalPath

    @property
    def idle_sec(self) -> float:
        return sum((gap.duration_sec for gap in self.idle_gaps), 0.0)

    def to_dict(self) -> JsonDict:
        return {
            "asOf": iso(self.as_of),
            "execution": None if self.execution is None else self.execution.to_dict(),
            "rows": [row.to_dict() for row in self.rows],
            "notRun": [step.to_dict() for step in self.not_run],
            "idle": {
                "totalSec": round(self.idle_sec, 3),
                "gaps": [gap.to_dict() for gap in self.idle_gaps],
            },
            "criticalPath": self.critical_path.to_dict(),
        }


@dataclass(frozen=True)
class _Ran:
    """A step that ran, before the window is known."""

    index: int  # definition order: the tie-breaker everywhere
    step: str
    type: str
    run: Mapping[str, Any]
    start: datetime
    end: datetime | None  # None: no endTime yet


def document_timeline(document: Mapping[str, Any], *, now: datetime) -> Timeline:
    """The timeline of a lineage document's execution, open bars ending at ``now``.

    Raises :class:`~lineage.errors.DefinitionError` when the edges between the steps that ran
    form a cycle (see :func:`longest_chain`).
    """
    now = as_utc(now)
    execution: Mapping[str, Any] = document.get("execution") or {}
    graph: Mapping[str, Any] = document.get("graph") or {}
    ran, not_run = _split(graph.get("nodes") or ())

    status = str(execution.get("status") or NOT_STARTED)
    start = parse_time(execution.get("startTime"))
    if start is None and ran:
        start = min(step.start for step in ran)
    if start is None:
        return Timeline(now, None, (), not_run, (), NO_CRITICAL_PATH)
    closed_ends = [step.end for step in ran if step.end is not None]
    ended = parse_time(execution.get("endTime"))
    if ended is None and status in TERMINAL_EXECUTION_STATUSES:
        # Over, but the document does not say when: its last step's end is the best bound.
        ended = max(closed_ends, default=start)
    span = ExecutionSpan(
        arn=execution.get("arn"),
        id=execution.get("id"),
        status=status,
        start_time=start,
        end_time=max(start, ended or now),
        running=ended is None,
    )

    wall = span.end_time - span.start_time
    rows = []
    for step in ran:
        # A step cannot outlast its run: one left without an endTime ends with the run.
        end = max(step.start, step.end or span.end_time)
        duration = end - step.start
        rows.append(TimelineRow(
            step=step.step,
            type=step.type,
            status=str(step.run.get("status") or UNKNOWN),
            start_time=step.start,
            end_time=end,
            offset_sec=(step.start - span.start_time).total_seconds(),
            cache_hit=bool(step.run.get("cacheHit")),
            running=step.end is None and span.running,
            share_pct=100 * duration / wall if wall else None,
            attempts=_attempts(step.run.get("attempts")),
        ))
    order = {step.step: step.index for step in ran}
    rows.sort(key=lambda row: (row.start_time, order[row.step]))

    chain, length = longest_chain(
        {row.step: row.end_time - row.start_time for row in rows},
        _edges(graph.get("edges") or ()),
        order,
    )
    return Timeline(
        as_of=now,
        execution=span,
        rows=tuple(rows),
        not_run=not_run,
        idle_gaps=idle_gaps(
            ((row.start_time, row.end_time) for row in rows), span.start_time, span.end_time
        ),
        critical_path=CriticalPath(
            chain, length.total_seconds(), length / wall if wall else None
        ),
    )


def longest_chain(
    durations: Mapping[str, timedelta],
    edges: Iterable[tuple[str, str]],
    order: Mapping[str, int],
) -> tuple[tuple[str, ...], timedelta]:
    """The critical path: the chain of steps with the greatest sum of durations (CPM).

    A chain follows the edges (``from`` before ``to``) among the steps of ``durations``; edges
    touching any other step are left out. Its length is the sum of its steps' own durations:
    the waits between them (scheduling, a job's start-up before the step's own start) are not
    in it, so on consistent times it is at most the run's elapsed time. Ties go to the step
    earlier in ``order`` (definition order): first among the chains ending at one step, then
    among the chain ends.
    Returns the chain's steps in order and its length; no steps: ``((), 0)``.

    A cycle cannot occur in a pipeline SageMaker accepted; the chain would have no end, so a
    cycle raises :class:`~lineage.errors.DefinitionError` naming the steps in or after it,
    rather than quietly dropping an edge and answering a path that is not the pipeline's.
    """
    successors: dict[str, set[str]] = {step: set() for step in durations}
    indegree = dict.fromkeys(durations, 0)
    for source, target in edges:
        if source in successors and target in successors and target not in successors[source]:
            successors[source].add(target)
            indegree[target] += 1

    # Kahn's order, the ready step earliest in definition order first: deterministic.
    ready = [(order[step], step) for step, count in indegree.items() if count == 0]
    heapq.heapify(ready)
    best: dict[str, timedelta] = {}  # the longest chain ending at each step
    previous: dict[str, str | None] = {}
    while ready:
        _, step = heapq.heappop(ready)
        if step not in best:  # a source: nothing before it
            best[step], previous[step] = durations[step], None
        for target in sorted(successors[step], key=order.__getitem__):
            through = best[step] + durations[target]
            known = previous.get(target)
            if (target not in best or through > best[target]
                    or (through == best[target] and known is not None
                        and order[step] < order[known])):
                best[target], previous[target] = through, step
            indegree[target] -= 1
            if indegree[target] == 0:
                heapq.heappush(ready, (order[target], target))
    stuck = sorted((step for step, count in indegree.items() if count), key=order.__getitem__)
    if stuck:
        raise DefinitionError(
            "the edges between steps form a cycle: no order for "
            + ", ".join(repr(step) for step in stuck)
        )
    if not best:
        return (), timedelta(0)
    last = min(best, key=lambda step: (-best[step], order[step]))
    chain: list[str] = []
    cursor: str | None = last
    while cursor is not None:
        chain.append(cursor)
        cursor = previous[cursor]
    return tuple(reversed(chain)), best[last]


def idle_gaps(
    busy: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> tuple[IdleGap, ...]:
    """The parts of ``start``..``end`` that no busy interval covers, in order."""
    gaps = []
    cursor = start
    for busy_start, busy_end in sorted(busy):
        if busy_start > cursor:
            gaps.append(IdleGap(cursor, min(busy_start, end)))
        cursor = max(cursor, busy_end)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append(IdleGap(cursor, end))
    return tuple(gap for gap in gaps if gap.end_time > gap.start_time)


def _split(nodes: Iterable[Mapping[str, Any]]) -> tuple[list[_Ran], tuple[StepNotRun, ...]]:
    """The steps that ran (a run with a start time) and the others."""
    ran, not_run = [], []
    for index, node in enumerate(nodes):
        run = node.get("run")
        run = run if isinstance(run, Mapping) else {}
        step, step_type = str(node.get("id")), str(node.get("type"))
        start = parse_time(run.get("startTime"))
        if start is None:
            not_run.append(StepNotRun(step, step_type, str(run.get("status") or NOT_STARTED)))
        else:
            ran.append(_Ran(index, step, step_type, run, start, parse_time(run.get("endTime"))))
    return ran, tuple(not_run)


def _edges(edges: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    # Every kind orders its steps: dependsOn and ref:Get wait for the step named; a condition's
    # branch starts after the Condition step decides; an artifact edge's reader needs the file
    # its writer makes. So all of them are followed.
    return [(str(edge.get("from")), str(edge.get("to"))) for edge in edges]


def parse_time(value: Any) -> datetime | None:
    """A document's ISO-8601 time (:func:`lineage.models.iso`) in UTC; ``None`` if not one."""
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def as_utc(moment: datetime) -> datetime:
    """In UTC, a naive time taken as UTC (as :func:`lineage.models.iso` does)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _attempts(value: Any) -> int | None:
    """A document's run.attempts, or None when it is missing or not a count (older documents)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value
