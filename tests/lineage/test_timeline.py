"""One execution's timeline from hand-made documents: rows, offsets and shares, idle gaps, the
critical path of a diamond (by durations, not by span; ties by definition order), a running
step growing with ``now``, steps that did not run, the cycle guard, and a document built by
the models themselves."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lineage.errors import DefinitionError
from lineage.models import (
    Edge,
    ExecutionInfo,
    LineageDocument,
    Node,
    PipelineInfo,
    RunInfo,
    Summary,
    iso,
)
from lineage.timeline import document_timeline

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
AFTER = T0 + timedelta(hours=1)  # a `now` long after the run


def at(second: float) -> str:
    """The ISO time ``second`` seconds after T0, as a document writes it."""
    return iso(T0 + timedelta(seconds=second)) or ""


def step(
    name: str,
    start: float | None = None,
    end: float | None = None,
    *,
    status: str = "Succeeded",
    step_type: str = "Processing",
    cache_hit: bool = False,
    attempts: int | None = None,
) -> dict[str, Any]:
    """A node; with ``start`` it ran (``end`` None: still running)."""
    node: dict[str, Any] = {"id": name, "type": step_type, "inputs": [], "outputs": []}
    if start is not None:
        node["run"] = {
            "status": status, "startTime": at(start),
            "endTime": None if end is None else at(end),
            "elapsedSec": None if end is None else round(end - start),
            "jobArn": None, "metrics": {}, "failureReason": None, "cacheHit": cache_hit,
        }
        if attempts is not None:
            node["run"]["attempts"] = attempts
    return node


def document(
    nodes: list[dict[str, Any]],
    edges: Iterable[tuple[str, str, str]] = (),
    *,
    end: float | None = 100,
    status: str = "Succeeded",
) -> dict[str, Any]:
    """A lineage document whose execution starts at T0 (``end`` None: it runs)."""
    return {
        "pipeline": {"name": "churn"},
        "execution": {
            "arn": "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/churn/execution/e1",
            "id": "e1", "status": status, "startTime": at(0),
            "endTime": None if end is None else at(end),
            "elapsedSec": None if end is None else round(end), "parameters": {},
        },
        "graph": {
            "nodes": nodes,
            "edges": [{"from": a, "to": b, "via": via} for a, b, via in edges],
            "artifacts": [],
        },
        "warnings": [],
    }


def test_rows_have_offsets_durations_and_shares_of_the_wall_time() -> None:
    doc = document(
        [step("Train", 30, 70, step_type="Training"), step("Prep", 10, 30, cache_hit=True)],
        [("Prep", "Train", "ref:Get")],
    )
    out = document_timeline(doc, now=AFTER).to_dict()

    assert [row["step"] for row in out["rows"]] == ["Prep", "Train"]  # by start, not by order
    prep, train = out["rows"]
    assert prep == {
        "step": "Prep", "type": "Processing", "status": "Succeeded",
        "startTime": at(10), "endTime": at(30), "offsetSec": 10.0, "durationSec": 20.0,
        "cacheHit": True, "running": False, "sharePct": 20.0,
        "attempts": None, "retried": False,  # the document does not say
    }
    assert (train["type"], train["offsetSec"], train["durationSec"], train["sharePct"]) == (
        "Training", 30.0, 40.0, 40.0)
    assert out["execution"] == {
        "arn": "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/churn/execution/e1",
        "id": "e1", "status": "Succeeded", "startTime": at(0), "endTime": at(100),
        "elapsedSec": 100.0, "running": False,
    }
    assert out["asOf"] == iso(AFTER)
    json.dumps(out, allow_nan=False)  # plain JSON


def test_a_step_attempted_more_than_once_is_retried() -> None:
    doc = document([step("Prep", 0, 10, attempts=1), step("Train", 10, 70, attempts=2),
                    step("Evaluate", 70, 80)],
                   [("Prep", "Train", "ref:Get"), ("Train", "Evaluate", "ref:Get")])
    rows = {row["step"]: row for row in document_timeline(doc, now=AFTER).to_dict()["rows"]}

    assert {name: (row["attempts"], row["retried"]) for name, row in rows.items()} == {
        "Prep": (1, False), "Train": (2, True), "Evaluate": (None, False)}


def test_idle_gaps_are_the_wall_time_no_step_covers() -> None:
    # Fit and Tune overlap (20..50 and 40..60): one busy stretch, no gap between them.
    doc = document([step("Prep", 5, 20), step("Fit", 20, 50), step("Tune", 40, 60),
                    step("Report", 75, 90)])
    timeline = document_timeline(doc, now=AFTER)
    out = timeline.to_dict()["idle"]

    assert out["gaps"] == [
        {"startTime": at(0), "endTime": at(5), "durationSec": 5.0},
        {"startTime": at(60), "endTime": at(75), "durationSec": 15.0},
        {"startTime": at(90), "endTime": at(100), "durationSec": 10.0},
    ]
    assert out["totalSec"] == 30.0 == timeline.idle_sec


DIAMOND_EDGES = [
    ("Split", "Short", "dependsOn"),
    ("Split", "Long", "ref:Get"),
    ("Short", "Join", "artifact"),
    ("Long", "Join", "condition"),
]


def test_the_critical_path_of_a_diamond_takes_the_longer_branch() -> None:
    # Short comes first in the definition; Long (50 s against 20 s) still wins.
    doc = document(
        [step("Split", 0, 10), step("Short", 10, 30), step("Long", 10, 60),
         step("Join", 60, 70)],
        DIAMOND_EDGES,
        end=80,
    )
    path = document_timeline(doc, now=AFTER).to_dict()["criticalPath"]

    assert path == {"steps": ["Split", "Long", "Join"], "lengthSec": 70.0, "ratio": 0.875}


def test_a_tie_between_branches_goes_to_the_one_defined_first() -> None:
    nodes = [step("Split", 0, 10), step("Short", 10, 40), step("Long", 10, 40),
             step("Join", 40, 50)]
    forward = document_timeline(document(nodes, DIAMOND_EDGES), now=AFTER)
    backward = document_timeline(document(nodes, reversed(DIAMOND_EDGES)), now=AFTER)

    swapped = document_timeline(document([nodes[0], nodes[2], nodes[1], nodes[3]],
                                         DIAMOND_EDGES), now=AFTER)

    assert forward.critical_path.steps == ("Split", "Short", "Join")
    assert backward.critical_path == forward.critical_path  # the edges' order does not matter
    assert swapped.critical_path.steps == ("Split", "Long", "Join")


def test_the_path_weighs_durations_not_the_waits_between_steps() -> None:
    # Early -> Late spans 0..60 but works 20 s; Alone works 30 s: the path is Alone.
    doc = document([step("Early", 0, 10), step("Late", 50, 60), step("Alone", 0, 30)],
                   [("Early", "Late", "dependsOn")])
    path = document_timeline(doc, now=AFTER).critical_path

    assert (path.steps, path.length_sec, path.ratio) == (("Alone",), 30.0, 0.3)


def test_a_running_step_ends_now_and_grows_with_it() -> None:
    doc = document([step("Prep", 0, 10), step("Train", 10, status="Executing")],
                   [("Prep", "Train", "ref:Get")], end=None, status="Executing")

    early = document_timeline(doc, now=T0 + timedelta(seconds=30))
    later = document_timeline(doc, now=T0 + timedelta(seconds=50))

    train = early.to_dict()["rows"][1]
    assert (train["step"], train["running"], train["endTime"], train["durationSec"]) == (
        "Train", True, at(30), 20.0)
    assert later.rows[1].duration_sec == 40.0 and later.rows[1].end_time == later.as_of
    assert early.rows[0].running is False  # Prep ended
    assert early.execution is not None and later.execution is not None
    assert (early.execution.running, early.execution.elapsed_sec) == (True, 30.0)
    assert later.execution.elapsed_sec == 50.0
    assert (early.critical_path.length_sec, later.critical_path.length_sec) == (30.0, 50.0)
    assert later.critical_path.ratio == 1.0
    assert later.idle_gaps == ()


def test_a_step_left_open_in_a_finished_run_ends_with_the_run() -> None:
    doc = document([step("Prep", 0, 10), step("Train", 10, status="Stopped")], end=40,
                   status="Stopped")
    train = document_timeline(doc, now=AFTER).rows[1]

    assert (train.end_time, train.duration_sec, train.running) == (
        T0 + timedelta(seconds=40), 30.0, False)


def test_steps_that_did_not_run_are_listed_apart_not_as_rows() -> None:
    starting = step("Register")
    starting["run"] = {"status": "Starting", "startTime": None, "endTime": None}
    doc = document([step("Prep", 0, 10), step("Evaluate", step_type="Condition"), starting],
                   [("Prep", "Evaluate", "dependsOn"), ("Evaluate", "Register", "condition")])
    timeline = document_timeline(doc, now=AFTER)

    assert [row.step for row in timeline.rows] == ["Prep"]
    assert timeline.to_dict()["notRun"] == [
        {"step": "Evaluate", "type": "Condition", "status": "NotStarted"},
        {"step": "Register", "type": "Processing", "status": "Starting"},
    ]
    assert timeline.critical_path.steps == ("Prep",)  # edges to steps that did not run: left out


def test_a_cycle_between_steps_that_ran_is_a_clear_error() -> None:
    doc = document([step("Prep", 0, 10), step("A", 10, 20), step("B", 20, 30)],
                   [("Prep", "A", "dependsOn"), ("A", "B", "ref:Get"), ("B", "A", "artifact")])

    with pytest.raises(DefinitionError, match="cycle: no order for 'A', 'B'$"):
        document_timeline(doc, now=AFTER)


def test_a_self_loop_is_a_cycle_too() -> None:
    doc = document([step("A", 0, 10)], [("A", "A", "dependsOn")])

    with pytest.raises(DefinitionError, match="'A'"):
        document_timeline(doc, now=AFTER)


def test_a_document_without_an_execution_has_no_rows() -> None:
    doc = document([step("Prep"), step("Train")])
    doc["execution"] = None
    out = document_timeline(doc, now=AFTER).to_dict()

    assert (out["execution"], out["rows"], out["idle"]) == (None, [], {"totalSec": 0.0,
                                                                      "gaps": []})
    assert [s["step"] for s in out["notRun"]] == ["Prep", "Train"]
    assert out["criticalPath"] == {"steps": [], "lengthSec": 0.0, "ratio": None}


def test_a_document_the_models_wrote_is_read() -> None:
    def ran(start: int, end: int, attempts: int = 1) -> RunInfo:
        return RunInfo("Succeeded", T0 + timedelta(seconds=start), T0 + timedelta(seconds=end),
                       end - start, attempts=attempts)

    execution = ExecutionInfo("arn:e2", "e2", "Succeeded", start_time=T0,
                              end_time=T0 + timedelta(seconds=50), elapsed_sec=50)
    lineage = LineageDocument(
        pipeline=PipelineInfo("churn"),
        execution=execution,
        summary=Summary("Succeeded", {"Succeeded": 2}, 50),
        nodes=(Node("Prep", "Processing", run=ran(0, 10)),
               Node("Train", "Training", run=ran(15, 45, attempts=3))),
        edges=(Edge("Prep", "Train", "ref:Get"),),
        artifacts=(),
        warnings=(),
        generated_at=T0,
    )
    timeline = document_timeline(lineage.to_dict(), now=AFTER)

    assert [(r.step, r.offset_sec, r.duration_sec) for r in timeline.rows] == [
        ("Prep", 0.0, 10.0), ("Train", 15.0, 30.0)]
    assert [(r.attempts, r.retried) for r in timeline.rows] == [(1, False), (3, True)]
    assert (timeline.critical_path.steps, timeline.critical_path.ratio) == (
        ("Prep", "Train"), 0.8)
    assert timeline.idle_sec == 10.0
