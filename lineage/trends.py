"""The last executions of one pipeline side by side: durations, metrics, outliers (pure).

:func:`pipeline_trends` reads lineage documents' JSON (``LineageDocument.to_dict()``), one per
execution, in any order, and lines them up by the execution's start, oldest first. Documents
without a dated execution cannot be placed on the time axis: they are counted in ``skipped``.

Series, each a list of points (execution id, start, value) over the runs that have a value:

- ``duration``: the execution's ``elapsedSec``, of runs that are over (a running one's is only
  how long it has run so far);
- ``steps[<step>]``: the step's ``run.elapsedSec``, of steps that ended and were not cache
  hits (a cache hit did no work: its few seconds say nothing of the step's cost);
- ``metrics[<step>/<metric>]``: every key of any step's ``run.metrics``, of steps that ended.

Missing and non-finite values (NaN, inf) are skipped, never written.

Outliers, per series, by the modified z-score of Iglewicz and Hoaglin:
``0.6745 * (x - median) / MAD``, flagged when ``|z| > 3.5``. When the MAD is 0 (most values
equal), ``(x - median) / (1.253314 * meanAD)``, the mean absolute deviation taken from the
median; when that is 0 too, nothing is flagged. A series of fewer than 5 points flags nothing:
its median and spread mean little. Each series says which case applied (``check``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from lineage.models import UNKNOWN, JsonDict, iso
from lineage.runinfo import TERMINAL_EXECUTION_STATUSES
from lineage.step_types import is_number
from lineage.timeline import parse_time

OUTLIER_METHOD = "modified-z (MAD)"
OUTLIER_THRESHOLD = 3.5
MIN_POINTS = 5
# Iglewicz and Hoaglin's constants: each turns its spread into a standard deviation's scale
# for normal data (0.6745 is the normal's third quartile; 1.253314 is sqrt(pi / 2)).
MAD_SCALE = 0.6745
MEAN_AD_SCALE = 1.253314

# Which rule scored a series: MAD, the mean absolute deviation (the MAD was 0), or none:
# fewer than MIN_POINTS points, or no spread at all.
OutlierCheck = Literal["MAD", "meanAD", "tooFewPoints", "noSpread"]


@dataclass(frozen=True)
class Point:
    execution_id: str
    start_time: datetime
    value: float
    score: float | None = None  # the modified z-score; None when the series was not scored
    outlier: bool = False

    def to_dict(self) -> JsonDict:
        return {
            "executionId": self.execution_id,
            "startTime": iso(self.start_time),
            "value": self.value,
            "score": None if self.score is None else round(self.score, 3),
            "outlier": self.outlier,
        }


@dataclass(frozen=True)
class Series:
    points: tuple[Point, ...]  # oldest first
    check: OutlierCheck
    median: float | None  # None: no points

    @property
    def outliers(self) -> tuple[Point, ...]:
        return tuple(point for point in self.points if point.outlier)

    def to_dict(self) -> JsonDict:
        return {
            "points": [point.to_dict() for point in self.points],
            "median": self.median,
            "check": self.check,
            "outliers": len(self.outliers),
        }


@dataclass(frozen=True)
class RunSummary:
    """One execution as the trends show it; its step durations as the document has them."""

    arn: str | None
    id: str
    status: str
    start_time: datetime
    elapsed_sec: float | None
    step_durations: Mapping[str, float] = field(default_factory=dict)
    cache_hits: tuple[str, ...] = ()  # steps whose duration the step series leave out

    def to_dict(self) -> JsonDict:
        return {
            "arn": self.arn,
            "id": self.id,
            "status": self.status,
            "startTime": iso(self.start_time),
            "elapsedSec": self.elapsed_sec,
            "steps": dict(sorted(self.step_durations.items())),
            "cacheHits": sorted(self.cache_hits),
        }


@dataclass(frozen=True)
class Trends:
    pipeline: str | None
    runs: tuple[RunSummary, ...]  # oldest first
    duration: Series
    steps: Mapping[str, Series]
    metrics: Mapping[str, Series]  # keyed <step>/<metric>
    skipped: int = 0  # documents without a dated execution

    @property
    def status_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(run.status for run in self.runs).items()))

    def to_dict(self) -> JsonDict:
        return {
            "pipeline": self.pipeline,
            "runs": [run.to_dict() for run in self.runs],
            "statusCounts": self.status_counts,
            "outlierRule": {
                "method": OUTLIER_METHOD,
                "threshold": OUTLIER_THRESHOLD,
                "minPoints": MIN_POINTS,
                "fallback": "meanAD",
            },
            "series": {
                "duration": self.duration.to_dict(),
                "steps": {name: s.to_dict() for name, s in sorted(self.steps.items())},
                "metrics": {name: s.to_dict() for name, s in sorted(self.metrics.items())},
            },
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class _Run:
    summary: RunSummary
    finished: bool  # the execution is over: its elapsedSec is its duration
    open_steps: frozenset[str]  # steps without an endTime: their elapsedSec is not final
    metrics: Mapping[str, float]  # <step>/<metric> -> its finite value, of steps that ended


def pipeline_trends(documents: Iterable[Mapping[str, Any]]) -> Trends:
    """The trends of one pipeline's executions, from their lineage documents in any order.

    Raises ``ValueError`` when the documents are of more than one pipeline: their steps'
    series would mix.
    """
    documents = list(documents)
    names = sorted({name for doc in documents if (name := _pipeline_name(doc)) is not None})
    if len(names) > 1:
        raise ValueError(f"documents of several pipelines: {', '.join(names)}")
    runs = [run for doc in documents if (run := _read_run(doc)) is not None]
    runs.sort(key=lambda run: (run.summary.start_time, run.summary.id))

    duration: list[Point] = []
    steps: dict[str, list[Point]] = {}
    metrics: dict[str, list[Point]] = {}
    for run in runs:
        summary = run.summary
        if run.finished and summary.elapsed_sec is not None:
            duration.append(Point(summary.id, summary.start_time, summary.elapsed_sec))
        for step, seconds in summary.step_durations.items():
            if step not in run.open_steps and step not in summary.cache_hits:
                steps.setdefault(step, []).append(Point(summary.id, summary.start_time, seconds))
        for name, value in run.metrics.items():
            metrics.setdefault(name, []).append(Point(summary.id, summary.start_time, value))
    return Trends(
        pipeline=names[0] if names else None,
        runs=tuple(run.summary for run in runs),
        duration=scored(duration),
        steps={name: scored(points) for name, points in steps.items()},
        metrics={name: scored(points) for name, points in metrics.items()},
        skipped=len(documents) - len(runs),
    )


def scored(points: Sequence[Point]) -> Series:
    """The series with each point's modified z-score, the outliers flagged."""
    values = [point.value for point in points]
    if not values:
        return Series((), "tooFewPoints", None)
    median = statistics.median(values)
    check, scores = modified_z_scores(values, median)
    if scores is None:
        return Series(tuple(points), check, median)
    return Series(
        tuple(
            Point(p.execution_id, p.start_time, p.value, score, abs(score) > OUTLIER_THRESHOLD)
            for p, score in zip(points, scores, strict=True)
        ),
        check,
        median,
    )


def modified_z_scores(
    values: Sequence[float], median: float
) -> tuple[OutlierCheck, list[float] | None]:
    """Iglewicz and Hoaglin's score of each value, and which spread it used (module doc)."""
    if len(values) < MIN_POINTS:
        return "tooFewPoints", None
    deviations = [abs(value - median) for value in values]
    mad = statistics.median(deviations)
    if mad > 0:
        return "MAD", [MAD_SCALE * (value - median) / mad for value in values]
    mean_ad = statistics.fmean(deviations)
    if mean_ad > 0:
        return "meanAD", [(value - median) / (MEAN_AD_SCALE * mean_ad) for value in values]
    return "noSpread", None


def _pipeline_name(document: Mapping[str, Any]) -> str | None:
    pipeline = document.get("pipeline")
    name = pipeline.get("name") if isinstance(pipeline, Mapping) else None
    return str(name) if name else None


def _read_run(document: Mapping[str, Any]) -> _Run | None:
    """The document's execution and how its steps ran; None without a dated execution."""
    execution = document.get("execution")
    if not isinstance(execution, Mapping):
        return None
    start = parse_time(execution.get("startTime"))
    if start is None:
        return None
    graph: Mapping[str, Any] = document.get("graph") or {}
    durations: dict[str, float] = {}
    cache_hits: list[str] = []
    open_steps: set[str] = set()
    metrics: dict[str, float] = {}
    for node in graph.get("nodes") or ():
        run = node.get("run")
        if not isinstance(run, Mapping):
            continue
        step = str(node.get("id"))
        if is_number(run.get("elapsedSec")):
            durations[step] = float(run["elapsedSec"])
        if run.get("cacheHit"):
            cache_hits.append(step)
        if run.get("endTime") is None:
            open_steps.add(step)
            continue  # what it reports so far is not its final value
        step_metrics = run.get("metrics")
        for metric, value in (step_metrics if isinstance(step_metrics, Mapping) else {}).items():
            if is_number(value):
                metrics[f"{step}/{metric}"] = float(value)
    elapsed: Any = execution.get("elapsedSec")
    status = str(execution.get("status") or UNKNOWN)
    summary = RunSummary(
        arn=execution.get("arn"),
        id=str(execution.get("id") or execution.get("arn") or ""),
        status=status,
        start_time=start,
        elapsed_sec=float(elapsed) if is_number(elapsed) else None,
        step_durations=durations,
        cache_hits=tuple(cache_hits),
    )
    return _Run(summary, status in TERMINAL_EXECUTION_STATUSES, frozenset(open_steps), metrics)
