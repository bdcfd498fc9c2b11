"""The requests of compare, timeline and trends, and the validation of their parameters (pure).

``GET /compare?pipeline=P&region=R&a=E&b=E``, ``GET /timeline?pipeline=P&region=R[&execution=E]``
and ``GET /trends?pipeline=P&region=R[&last=N]``. ``pipeline`` and ``region`` are checked as
``/lineage`` checks them, messages included; ``a``, ``b`` and ``execution`` are execution ARNs
or ids as ``/lineage``'s ``execution`` (an ARN must name this pipeline and region). Like
:mod:`lineage.request`, each parser raises :class:`InvalidParameter` naming the first bad
parameter and never repeats a value it refused.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from lineage.config import Settings
from lineage.errors import InvalidParameter
from lineage.request import (
    DEFAULT_EXECUTIONS,
    MAX_EXECUTIONS,
    WHOLE_NUMBER,
    LineageRequest,
    execution_id,
    execution_parameter,
    parse_lineage_request,
    text_parameter,
)

# Runs of /trends: ListPipelineExecutions gives at most 100 in one page.
DEFAULT_RUNS = DEFAULT_EXECUTIONS
MAX_RUNS = MAX_EXECUTIONS

Side = Literal["a", "b"]
SIDES: tuple[Side, Side] = ("a", "b")


@dataclass(frozen=True)
class CompareRequest:
    """Two executions of one pipeline: ``a`` the base, ``b`` the one compared with it."""

    pipeline: str
    region: str
    a: str  # an execution ARN or id, as given
    b: str

    def side(self, label: Side) -> LineageRequest:
        """The lineage document request of one side (the same entry as ``/lineage``'s)."""
        return LineageRequest(self.pipeline, self.region,
                              execution=self.a if label == "a" else self.b)


@dataclass(frozen=True)
class TrendsRequest:
    pipeline: str
    region: str
    last: int = DEFAULT_RUNS  # the newest executions to line up


def parse_compare_request(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> CompareRequest:
    """``a`` and ``b`` both required, two different executions: a comparison of a run with
    itself is a mistake in the address, so it is a 400 rather than an answer of no change."""
    where = _pipeline_and_region(params, settings=settings, regions=regions)
    named = {}
    for label in SIDES:
        execution = execution_parameter(params, label, pipeline=where.pipeline,
                                        region=where.region)
        if execution is None:
            raise InvalidParameter(label, f"{label} is required: an execution ARN or id")
        named[label] = execution
    if execution_id(named["a"]) == execution_id(named["b"]):
        raise InvalidParameter("b", "a and b are the same execution")
    return CompareRequest(where.pipeline, where.region, named["a"], named["b"])


def parse_timeline_request(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> LineageRequest:
    """The lineage document request the timeline is drawn from: the ``execution`` named, else
    the latest (the same entry as ``/lineage``'s)."""
    return parse_lineage_request(
        {"pipeline": params.get("pipeline"), "region": params.get("region"),
         "execution": params.get("execution")},
        settings=settings, regions=regions,
    )


def parse_trends_request(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> TrendsRequest:
    """``last``: a whole number from 1 to :data:`MAX_RUNS`, default :data:`DEFAULT_RUNS`."""
    where = _pipeline_and_region(params, settings=settings, regions=regions)
    last = DEFAULT_RUNS
    raw = text_parameter(params, "last")
    if raw is not None:
        if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= MAX_RUNS:
            raise InvalidParameter("last", f"last must be a whole number from 1 to {MAX_RUNS}")
        last = int(raw)
    return TrendsRequest(where.pipeline, where.region, last)


def _pipeline_and_region(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> LineageRequest:
    return parse_lineage_request(
        {"pipeline": params.get("pipeline"), "region": params.get("region")},
        settings=settings, regions=regions,
    )
