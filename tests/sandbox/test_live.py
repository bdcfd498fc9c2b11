"""The live runs of fraud-detection-pipeline, driven by a fake clock (nothing sleeps).

The schedule and the execution store are pure: the store computes each run from its clock on
every call, so these tests move the clock and ask the store as a client asks the sandbox.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lineage.sandbox.executions import ExecutionStore
from lineage.sandbox.simulate import LiveSchedule, PipelineRef, simulate
from lineage.sandbox.simulate.live import LEAD_S, VISIBLE_AFTER_S
from lineage.sandbox.world import FRAUD, WORLD, ExecutionSpec, at

SEOUL = "ap-northeast-2"
FRAUD_ARN = FRAUD.arn


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def schedule() -> LiveSchedule:
    assert FRAUD.live is not None
    return LiveSchedule(PipelineRef(FRAUD.name, FRAUD.region), FRAUD.definition, FRAUD.live)


def store_at(schedule: LiveSchedule, now: datetime) -> tuple[ExecutionStore, FakeClock]:
    clock = FakeClock(now)
    store = ExecutionStore(lambda region, name: name == FRAUD.name, clock=clock)
    store.add_live(schedule)
    return store, clock


def ask(store: ExecutionStore, operation: str, **params: Any) -> dict[str, Any]:
    answer = store.answer(operation, SEOUL, params)
    assert answer.status_line.startswith("200"), answer.body
    body: dict[str, Any] = json.loads(answer.body)
    return body


def newest(store: ExecutionStore) -> dict[str, Any]:
    listed = ask(store, "ListPipelineExecutions", PipelineName=FRAUD.name)
    summary: dict[str, Any] = listed["PipelineExecutionSummaries"][0]
    return summary


def steps_of(store: ExecutionStore, arn: str) -> dict[str, dict[str, Any]]:
    answer = ask(store, "ListPipelineExecutionSteps", PipelineExecutionArn=arn, MaxResults=100)
    return {s["StepName"]: s for s in answer["PipelineExecutionSteps"]}


def seconds(moment: datetime) -> float:
    return moment.timestamp()


def run_start(schedule: LiveSchedule) -> datetime:
    """The start of a run some years from now."""
    return schedule.started(schedule.newest(datetime(2030, 1, 1, tzinfo=UTC)))


def test_a_run_takes_minutes_and_the_next_starts_before_it_ends(schedule: LiveSchedule) -> None:
    assert timedelta(minutes=10) <= timedelta(seconds=schedule.duration_s) <= timedelta(minutes=20)
    assert schedule.period_s < schedule.duration_s
    whole = schedule.simulate(0, schedule.started(0) + timedelta(hours=1))
    last_start = max(step.start for step in whole.execution.steps) - schedule.started(0)
    assert last_start == timedelta(seconds=schedule.period_s + LEAD_S)


def test_steps_progress_as_the_clock_moves(schedule: LiveSchedule) -> None:
    start = run_start(schedule)
    store, clock = store_at(schedule, start + timedelta(seconds=10))
    arn = newest(store)["PipelineExecutionArn"]

    def statuses() -> dict[str, str]:
        return {name: step["StepStatus"] for name, step in steps_of(store, arn).items()}

    assert statuses() == {"BuildFeatures": "Starting"}
    clock.now = start + timedelta(seconds=100)
    assert statuses() == {"BuildFeatures": "Executing"}
    clock.now = start + timedelta(seconds=200)
    assert statuses() == {"BuildFeatures": "Succeeded", "TrainXGBoost": "Starting"}
    clock.now = start + timedelta(seconds=300)
    assert statuses() == {
        "BuildFeatures": "Succeeded",
        "TrainXGBoost": "Executing",
        "TrainLinearLearner": "Executing",
    }
    clock.now = start + timedelta(seconds=700)
    assert statuses() == {
        "BuildFeatures": "Succeeded",
        "TrainXGBoost": "Succeeded",
        "TrainLinearLearner": "Succeeded",
        "CompareModels": "Executing",
    }
    steps = steps_of(store, arn)
    assert steps["TrainXGBoost"]["EndTime"] == seconds(start) + 600
    assert "EndTime" not in steps["CompareModels"]
    described = ask(store, "DescribePipelineExecution", PipelineExecutionArn=arn)
    assert described["PipelineExecutionStatus"] == "Executing"
    assert described["CreationTime"] == seconds(start)
    assert described["LastModifiedTime"] == seconds(start) + 700


def test_the_run_finishes_and_a_new_one_is_newest(schedule: LiveSchedule) -> None:
    start = run_start(schedule)
    store, clock = store_at(schedule, start + timedelta(seconds=60))
    first = newest(store)["PipelineExecutionArn"]
    clock.now = start + timedelta(seconds=schedule.period_s + VISIBLE_AFTER_S)
    second = newest(store)
    assert second["PipelineExecutionArn"] != first
    assert second["PipelineExecutionStatus"] == "Executing"
    assert second["StartTime"] == seconds(start) + schedule.period_s
    assert "CreateFraudModel" not in steps_of(store, first)
    # The first one starts its last step just after, then is done.
    clock.now = start + timedelta(seconds=schedule.period_s + LEAD_S)
    assert steps_of(store, first)["CreateFraudModel"]["StepStatus"] == "Starting"
    clock.now = start + timedelta(seconds=schedule.duration_s)
    described = ask(store, "DescribePipelineExecution", PipelineExecutionArn=first)
    assert described["PipelineExecutionStatus"] == "Succeeded"
    assert described["LastModifiedTime"] == seconds(start) + schedule.duration_s
    steps = steps_of(store, first)
    assert len(steps) == 5
    assert all(s["StepStatus"] == "Succeeded" and "EndTime" in s for s in steps.values())
    listed = ask(store, "ListPipelineExecutions", PipelineName=FRAUD.name)
    assert [e["PipelineExecutionStatus"] for e in listed["PipelineExecutionSummaries"]][:2] == [
        "Executing",
        "Succeeded",
    ]


def every_few_seconds(start: datetime, length_s: int, step_s: int = 3) -> Iterator[datetime]:
    for offset in range(0, length_s, step_s):
        yield start + timedelta(seconds=offset)


def test_at_any_moment_the_newest_run_is_running_with_a_step_to_come(
    schedule: LiveSchedule,
) -> None:
    """What the dashboard's refresh and the service's tests rely on, over two whole cycles."""
    origin = run_start(schedule)
    store, clock = store_at(schedule, origin)
    for moment in every_few_seconds(origin, 2 * schedule.period_s + 7):
        clock.now = moment
        latest = newest(store)
        elapsed = seconds(moment) - latest["StartTime"]
        assert VISIBLE_AFTER_S <= elapsed < schedule.period_s + VISIBLE_AFTER_S, moment
        assert latest["PipelineExecutionStatus"] == "Executing"
        steps = steps_of(store, latest["PipelineExecutionArn"])
        assert {s["StepStatus"] for s in steps.values()} & {"Starting", "Executing"}, moment
        assert "CreateFraudModel" not in steps, moment


def test_the_same_moment_gives_the_same_answers_whenever_the_store_was_made(
    schedule: LiveSchedule,
) -> None:
    moment = run_start(schedule) + timedelta(seconds=321)
    early, clock = store_at(schedule, moment - timedelta(hours=2))
    clock.now = moment
    late, _ = store_at(schedule, moment)
    assert newest(early) == newest(late)
    arn = newest(late)["PipelineExecutionArn"]
    assert steps_of(early, arn) == steps_of(late, arn)
    # The earlier store has seen more runs finish; both list the history before they began.
    assert len(ask(early, "ListPipelineExecutions", PipelineName=FRAUD.name)[
        "PipelineExecutionSummaries"
    ]) > len(ask(late, "ListPipelineExecutions", PipelineName=FRAUD.name)[
        "PipelineExecutionSummaries"
    ]) == 3


def test_runs_are_dated_from_the_clock_not_from_base_time(schedule: LiveSchedule) -> None:
    now = datetime(2031, 7, 4, 12, 0, 0, tzinfo=UTC)
    store, _ = store_at(schedule, now)
    latest = newest(store)
    assert timedelta(0) < now - datetime.fromtimestamp(latest["StartTime"], UTC) < timedelta(
        minutes=15
    )
    unknown = store.answer(
        "DescribePipelineExecution",
        SEOUL,
        {"PipelineExecutionArn": f"{FRAUD_ARN}/execution/{schedule.execution_id(10**9)}"},
    )
    assert unknown.status_line.startswith("400")  # a run still to come does not exist yet


def test_a_run_cut_at_its_very_start_has_only_started() -> None:
    spec = ExecutionSpec("cutcutcutcut", "Executing", at(), cut_after_s=0, gap_s=0)
    sim = simulate(PipelineRef(FRAUD.name, SEOUL), FRAUD.definition, spec)
    assert [(s.name, s.status) for s in sim.execution.steps] == [("BuildFeatures", "Starting")]


def test_the_seeded_world_outside_the_live_runs_is_unchanged() -> None:
    fraud = WORLD.pipeline("fraud-detection-pipeline")
    assert [(e.execution_id, e.status, e.started) for e in fraud.executions] == [
        ("f9r8a7u6d5aa", "Succeeded", at(days=-1))
    ]
    assert all(p.live is None for p in WORLD.pipelines if p is not fraud)
    assert dataclasses.replace(fraud, live=None).latest.execution_id == "f9r8a7u6d5aa"
