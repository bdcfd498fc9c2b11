"""``mlops-pipeline``'s run history: the weeks of runs before its three hand-written ones.

:func:`history_runs` gives 32 runs, oldest first, from the day after the pipeline was created
(``at(days=-29)``) to the day before ``q7v2m9k3x1ab`` (``at(days=-4)``): one each morning at
07:00 UTC, and an afternoon rerun at 14:00 on six of those days. They run the definition of
their time (``q7v2m9k3x1ab``'s: no CreateModel, threshold 0.7). What each holds:

- metrics: Train's ``validation:auc`` drifts from about 0.86 down to 0.81 with a little noise
  (``train:auc`` about 0.045 above it); each evaluation report's AUC follows it, always above
  the run's ``AucThreshold``, so CheckAUC holds and RegisterModel registers a package;
- parameters: ``AucThreshold`` 0.75 from the third week on (0.7, the default, before);
  ``TrainingInstanceType`` ml.m5.2xlarge on the afternoon reruns, ml.m5.large on the run that
  fails; ``ProcessingInstanceType`` ml.m5.2xlarge on two reruns (which therefore preprocess
  again);
- :data:`HISTORY_TRAIN_FAILURE_ID`: Failed at Train (out of memory on ml.m5.large), nothing
  after it ran, no metrics;
- :data:`HISTORY_EVALUATE_FAILURE_ID`: Failed at Evaluate (its script's error), Train's
  metrics but no report;
- :data:`HISTORY_OUTLIER_ID`: Train took 3.5 times its usual ~15 minutes: its first attempt
  failed (a lost spot instance) and its RetryPolicy ran it again, so its ``AttemptCount`` is
  2 (:data:`HISTORY_RETRIES`; every other step of every run reports 1);
  :data:`HISTORY_PREPROCESS_OUTLIER_ID`: Preprocess 4 times its usual ~4 minutes; every
  other step's time is its usual one give or take 15% (Train 20%), so among the 20 or 36
  newest runs these two are the only outliers of the step and run durations by the modified
  z-score (the 10 newest have none; the AUC outliers are ``h4d8s2n6p0cd``'s and
  ``r3a5pd8rmk8r``'s);
- :data:`HISTORY_ADDED_STEP_ID`: its definition has one step more than its neighbours'
  (:data:`HISTORY_ADDED_STEP`, reading Preprocess's train output; nothing waits for it);
- :data:`HISTORY_CACHE_HITS`: four afternoon reruns whose Preprocess was a cache hit on that
  morning's run (same arguments), a couple of seconds each;
- approvals: each registered package Approved, or Rejected for every fourth run; the newest
  run's PendingManualApproval (never reviewed).

:data:`EXECUTING_ID` is apart: the current definition, started at ``at(days=-1, hours=-5)``
(between ``h4d8s2n6p0cd`` and the newest, ``r3a5pd8rmk8r``), still Executing with its Train
under way.

Everything is derived from each run's position (ids from a hash, noise from a hash), so the
history is the same on every machine and every start.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass

from lineage.sandbox.world.builders import evaluation_report
from lineage.sandbox.world.specs import ExecutionSpec, ExecutionStatus, JsonDict, at

_LOWER_ALNUM = string.ascii_lowercase + string.digits
DAYS = 26  # at(days=-29) .. at(days=-4)
RERUN_DAYS = (2, 6, 10, 14, 18, 22)  # days (from the first) with an afternoon rerun too
THRESHOLD_RAISED_DAY = 14  # from this day on, runs pass AucThreshold 0.75
HISTORY_ADDED_STEP = "CheckDataQuality"

# Usual wall times (s) of the three jobs, and how far a run's strays from it: Train's wide
# enough that a run whose Preprocess was a cache hit (4 minutes shorter) is no outlier.
_USUAL_S = {"Preprocess": 230, "Train": 880, "Evaluate": 265}
_SPREAD = {"Preprocess": 0.15, "Train": 0.2, "Evaluate": 0.15}
_CACHE_HIT_S = 2
_TRAIN_OOM = (
    "ClientError: Please use an instance type with more memory, or reduce the size of "
    "training data processed on an instance."
)
_EVALUATE_ERROR = (
    "AlgorithmError: See job logs for more information: Traceback (most recent call last):\n"
    '  File "/opt/ml/processing/input/code/evaluate.py", line 41, in <module>\n'
    "    y_test = df.pop('churn')\nKeyError: 'churn', exit code: 1"
)


@dataclass(frozen=True)
class _Slot:
    """Where a run sits: its day from the first and whether it is that day's rerun."""

    day: int
    rerun: bool = False


def _slots() -> list[_Slot]:
    slots = []
    for day in range(DAYS):
        slots.append(_Slot(day))
        if day in RERUN_DAYS:
            slots.append(_Slot(day, rerun=True))
    return slots


def execution_id(seed: str) -> str:
    """An id like SageMaker's: 12 lower-case alphanumerics, the same for the same seed."""
    digest = hashlib.sha256(f"mlops-pipeline/{seed}".encode()).digest()
    return "".join(_LOWER_ALNUM[b % len(_LOWER_ALNUM)] for b in digest[:12])


def _jitter(run_id: str, what: str) -> float:
    """A deterministic noise in [-1, 1) for one quantity of one run."""
    digest = hashlib.sha256(f"{run_id}/{what}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**31 - 1


_SLOTS = _slots()
HISTORY_IDS: tuple[str, ...] = tuple(
    execution_id(f"{s.day}{'-rerun' if s.rerun else ''}") for s in _SLOTS
)  # oldest first
_ID_AT = {slot: run_id for slot, run_id in zip(_SLOTS, HISTORY_IDS, strict=True)}

# The notable runs are among the last 16, so the 20 newest runs (what trends show unless told
# otherwise) hold each of them; the older ones are the drift's background.
HISTORY_PREPROCESS_OUTLIER_ID = _ID_AT[_Slot(15)]
HISTORY_TRAIN_FAILURE_ID = _ID_AT[_Slot(17)]
HISTORY_EVALUATE_FAILURE_ID = _ID_AT[_Slot(19)]
HISTORY_OUTLIER_ID = _ID_AT[_Slot(20)]
HISTORY_ADDED_STEP_ID = _ID_AT[_Slot(24)]
#: rerun -> the morning run its Preprocess came from (the other two reruns change
#: ProcessingInstanceType, so Preprocess runs again).
HISTORY_CACHE_HITS = {
    _ID_AT[_Slot(day, rerun=True)]: _ID_AT[_Slot(day)] for day in (2, 6, 14, 22)
}
#: run -> step -> its AttemptCount: the Train outlier's time is two attempts'.
HISTORY_RETRIES = {HISTORY_OUTLIER_ID: {"Train": 2}}
_PROCESSING_CHANGED = {_ID_AT[_Slot(day, rerun=True)] for day in (10, 18)}
EXECUTING_ID = execution_id("executing")


def history_runs(earlier: JsonDict, with_added_step: JsonDict) -> tuple[ExecutionSpec, ...]:
    """The 32 runs, oldest first: ``earlier`` is the definition they ran, ``with_added_step``
    the one :data:`HISTORY_ADDED_STEP_ID` ran."""
    return tuple(
        _run(index, slot, earlier, with_added_step) for index, slot in enumerate(_SLOTS)
    )


def _run(index: int, slot: _Slot, earlier: JsonDict, with_added_step: JsonDict) -> ExecutionSpec:
    run_id = HISTORY_IDS[index]
    started = at(days=-29 + slot.day, hours=5 if slot.rerun else -2)
    parameters: dict[str, object] = {}
    if slot.day >= THRESHOLD_RAISED_DAY:
        parameters["AucThreshold"] = 0.75
    if slot.rerun:
        parameters["TrainingInstanceType"] = "ml.m5.2xlarge"
    if run_id in _PROCESSING_CHANGED:
        parameters["ProcessingInstanceType"] = "ml.m5.2xlarge"
    durations = {
        step: round(usual * (1 + _SPREAD[step] * _jitter(run_id, step)))
        for step, usual in _USUAL_S.items()
    }
    validation = round(0.862 - 0.05 * slot.day / (DAYS - 1) + 0.006 * _jitter(run_id, "auc"), 4)
    metrics = {"Train": {"validation:auc": validation,
                         "train:auc": round(validation + 0.045 + 0.004 * _jitter(run_id, "t"), 4)}}
    report_auc = round(validation + 0.003 * _jitter(run_id, "report"), 3)
    reports = {"EvaluationReport": _report(run_id, report_auc)}
    failures: dict[str, str] = {}
    status: ExecutionStatus = "Succeeded"
    if run_id == HISTORY_TRAIN_FAILURE_ID:
        parameters["TrainingInstanceType"] = "ml.m5.large"
        failures, metrics, reports = {"Train": _TRAIN_OOM}, {}, {}
    elif run_id == HISTORY_EVALUATE_FAILURE_ID:
        failures, reports = {"Evaluate": _EVALUATE_ERROR}, {}
    for step in failures:
        # A failed step ends a third of the way through the time named: name three times the
        # usual, so the failure comes late (as these do) and its time is no outlier.
        durations[step] *= 3
        status = "Failed"
    if run_id == HISTORY_OUTLIER_ID:
        durations["Train"] = round(_USUAL_S["Train"] * 3.5)
    if run_id == HISTORY_PREPROCESS_OUTLIER_ID:
        durations["Preprocess"] = _USUAL_S["Preprocess"] * 4
    cache_hits = {}
    if run_id in HISTORY_CACHE_HITS:
        cache_hits = {"Preprocess": HISTORY_CACHE_HITS[run_id]}
        durations["Preprocess"] = _CACHE_HIT_S
    approval = "Rejected" if index % 4 == 3 else "Approved"
    if index == len(HISTORY_IDS) - 1:
        approval = "PendingManualApproval"
    return ExecutionSpec(
        execution_id=run_id,
        status=status,
        started=started,
        parameters=parameters,
        failures=failures,
        metrics=metrics,
        reports=reports,
        approval={} if failures else {"RegisterModel": approval},
        cache_hits=cache_hits,
        definition=with_added_step if run_id == HISTORY_ADDED_STEP_ID else earlier,
        durations=durations,
        attempts=HISTORY_RETRIES.get(run_id, {}),
    )


# Hours (from BASE_TIME's 09:00) the history leaves free each day: benchmark runs go there.
_EXTRA_HOURS = (1, 9, 12)  # 10:00, 18:00, 21:00
MAX_EXTRA_RUNS = DAYS * len(_EXTRA_HOURS)


def extra_runs(count: int, earlier: JsonDict) -> tuple[ExecutionSpec, ...]:
    """``count`` plain runs more in the history's free hours (``--extra-history``, for
    benchmarks that need more runs than the world's 36): Succeeded on ``earlier``, AUC on
    the history's drift, usual step times give or take their spread, oldest first."""
    if not 0 <= count <= MAX_EXTRA_RUNS:
        raise ValueError(f"extra runs must be between 0 and {MAX_EXTRA_RUNS}")
    runs = []
    for number in range(count):
        day, hour = divmod(number, len(_EXTRA_HOURS))
        run_id = execution_id(f"extra-{number}")
        validation = round(0.862 - 0.05 * day / (DAYS - 1) + 0.006 * _jitter(run_id, "auc"), 4)
        runs.append(ExecutionSpec(
            execution_id=run_id,
            status="Succeeded",
            started=at(days=-29 + day, hours=_EXTRA_HOURS[hour]),
            metrics={"Train": {"validation:auc": validation,
                               "train:auc": round(validation + 0.045, 4)}},
            reports={"EvaluationReport": _report(run_id, validation)},
            approval={"RegisterModel": "Approved"},
            definition=earlier,
            durations={step: round(usual * (1 + _SPREAD[step] * _jitter(run_id, step)))
                       for step, usual in _USUAL_S.items()},
        ))
    return tuple(sorted(runs, key=lambda run: run.started))


def _report(run_id: str, auc: float) -> JsonDict:
    return evaluation_report(auc, round(auc + 0.035 + 0.003 * _jitter(run_id, "accuracy"), 3))


def executing_run() -> ExecutionSpec:
    """The run still going, on the pipeline's current definition: frozen a quarter of an hour
    in, Preprocess over and Train some ten minutes into its usual fifteen."""
    return ExecutionSpec(
        execution_id=EXECUTING_ID,
        status="Executing",
        started=at(days=-1, hours=-5),
        parameters={"TrainingInstanceType": "ml.m5.2xlarge"},
        durations=dict(_USUAL_S),
        cut_after_s=15 * 60,
    )
