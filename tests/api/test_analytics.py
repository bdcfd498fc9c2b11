"""/compare, /timeline and /trends over real HTTP on the sandbox: real differences of the
seeded runs, the critical path of a finished run, a live run's growing bars, the trends of a
pipeline, every error, and second answers from the cache without AWS.

The seeded runs (lineage.sandbox.world): ``mlops-pipeline``'s ``q7v2m9k3x1ab`` had no
CreateModel step and another AucThreshold, ``h4d8s2n6p0cd`` failed its AUC check (AUCTooLow),
``r3a5pd8rmk8r`` ran on another TrainingInstanceType with Preprocess a cache hit.
``churn-pipeline`` has a run that succeeded and one that failed in TrainChurn.
``fraud-detection-pipeline`` is always running. The session's gunicorn (tests/api/conftest.py)
serves them all; its cache is shared by its two workers, so every second ask is a hit. Nothing
here asks for ``churn-pipeline``'s latest run by its id: tests/api/test_caching.py needs that
document uncached.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from lineage.analytics_request import MAX_RUNS
from lineage.sandbox import SandboxProcess
from lineage.sandbox.world.churn import CHURN
from lineage.sandbox.world.mlops import MLOPS
from lineage.sandbox.world.mlops_history import HISTORY_OUTLIER_ID, HISTORY_RETRIES
from lineage.sandbox.world.specs import ExecutionSpec, PipelineSpec
from tests.api.conftest import Server

pytestmark = pytest.mark.sandbox

SEOUL = "ap-northeast-2"
ACCOUNT = "123456789012"
# What the documents read but trends draw nothing of.
BUCKET_READS = frozenset({"GetBucketLocation", "GetBucketEncryption", "GetBucketVersioning",
                          "GetPublicAccessBlock", "GetBucketTagging", "GetMacieSession"})


def run_of(pipeline: PipelineSpec, execution_id: str) -> ExecutionSpec:
    return next(run for run in pipeline.executions if run.execution_id == execution_id)


MLOPS_FIRST = run_of(MLOPS, "q7v2m9k3x1ab")  # an older definition: no CreateModel
MLOPS_FAILED = run_of(MLOPS, "h4d8s2n6p0cd")  # its AUC check sent it to AUCTooLow
MLOPS_LAST = run_of(MLOPS, "r3a5pd8rmk8r")
CHURN_OK = next(run for run in CHURN.executions if run.status == "Succeeded")


def arn(pipeline: str, execution_id: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:sagemaker:{SEOUL}:{account}:pipeline/{pipeline}/execution/{execution_id}"


def ok(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = answer.json()
    return body


def step(comparison: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in comparison["steps"] if s["name"] == name)
    return found


# -- compare --------------------------------------------------------------------------------


def test_compare_shows_the_added_step_and_the_changed_parameters(api_server: Server) -> None:
    comparison = ok(api_server.get("/compare", params={
        "pipeline": "mlops-pipeline", "a": MLOPS_FIRST.execution_id,
        "b": MLOPS_LAST.execution_id}))
    summary = comparison["summary"]
    assert (summary["a"]["id"], summary["b"]["id"]) == (MLOPS_FIRST.execution_id,
                                                         MLOPS_LAST.execution_id)
    assert summary["definitionsDiffer"] and summary["parametersDiffer"]
    assert comparison["definition"]["stepsAdded"] == ["CreateModel"]
    assert step(comparison, "CreateModel")["change"] == "added"
    parameters = {p["name"]: p for p in comparison["parameters"]}
    [(instance_type, value)] = MLOPS_LAST.parameters.items()
    assert parameters[instance_type]["change"] == "changed"
    assert parameters[instance_type]["b"] == value
    # Each run's own training metrics, and the cache hit of the last run.
    train = step(comparison, "Train")
    auc = next(m for m in train["metrics"] if m["name"] == "validation:auc")
    first, last = (run.metrics["Train"]["validation:auc"] for run in (MLOPS_FIRST, MLOPS_LAST))
    assert (auc["a"], auc["b"]) == (first, last)
    assert auc["delta"] == pytest.approx(last - first)
    preprocess = step(comparison, "Preprocess")
    assert "cacheHit" in preprocess["differences"]
    assert (preprocess["a"]["cacheHit"], preprocess["b"]["cacheHit"]) == (False, True)
    assert comparison["pipeline"] == {"name": "mlops-pipeline", "region": SEOUL}


def test_compare_names_the_failure_of_the_failed_run(api_server: Server) -> None:
    comparison = ok(api_server.get("/compare", params={
        "pipeline": "mlops-pipeline", "a": MLOPS_FIRST.execution_id,
        "b": MLOPS_FAILED.execution_id}))
    assert comparison["summary"]["b"]["status"] == MLOPS_FAILED.status == "Failed"
    [(check, taken)] = MLOPS_FAILED.outcomes.items()
    assert not taken and step(comparison, check)["change"] == "same"
    failed = step(comparison, "AUCTooLow")  # the else branch's Fail step
    assert failed["change"] == "changed"
    assert set(failed["differences"]) == {"status", "failureReason"}
    assert (failed["a"]["status"], failed["b"]["status"]) == ("NotStarted", "Failed")
    assert failed["a"]["failureReason"] is None
    assert "below the threshold" in failed["b"]["failureReason"]
    register = step(comparison, "RegisterModel")  # the branch not taken
    assert (register["a"]["status"], register["b"]["status"]) == ("Succeeded", "NotStarted")


def test_a_second_compare_is_a_hit_by_id_or_by_arn(
    api_server: Server, sandbox: SandboxProcess
) -> None:
    params = {"pipeline": "mlops-pipeline", "a": MLOPS_FAILED.execution_id,
              "b": MLOPS_FIRST.execution_id}  # the other way round: its own entry
    first = api_server.get("/compare", params=params)
    assert first.status_code == 200 and first.headers["X-Cache"] in ("miss", "shared")
    sandbox.reset_calls()
    for b in (MLOPS_FIRST.execution_id, arn("mlops-pipeline", MLOPS_FIRST.execution_id)):
        again = api_server.get("/compare", params={**params, "b": b})
        assert again.status_code == 200 and again.headers["X-Cache"] == "hit"
        assert again.json() == first.json()
    assert sandbox.calls() == []


def test_compare_reads_each_definition_once(api_server: Server, sandbox: SandboxProcess) -> None:
    """A new pair of known runs: their documents and definitions come from their own
    entries (the tests above read them), the comparison alone is made."""
    params = {"pipeline": "mlops-pipeline", "a": MLOPS_LAST.execution_id,
              "b": MLOPS_FIRST.execution_id}
    ok(api_server.get("/compare", params={"pipeline": "mlops-pipeline",
                                          "a": MLOPS_FIRST.execution_id,
                                          "b": MLOPS_LAST.execution_id}))
    sandbox.reset_calls()
    answer = api_server.get("/compare", params=params)
    assert answer.status_code == 200 and answer.headers["X-Cache"] == "miss"
    assert sandbox.calls() == []
    assert answer.json()["definition"]["stepsRemoved"] == ["CreateModel"]


@pytest.mark.parametrize(("params", "status", "message"), [
    ({"a": "nosuchexecution0", "b": MLOPS_LAST.execution_id}, 404,
     "execution a not found for this pipeline"),
    ({"a": MLOPS_LAST.execution_id, "b": "nosuchexecution0"}, 404,
     "execution b not found for this pipeline"),
    ({"a": arn("churn-pipeline", CHURN_OK.execution_id), "b": MLOPS_LAST.execution_id}, 400,
     "a does not belong to this pipeline and region"),
    ({"a": MLOPS_LAST.execution_id, "b": arn("churn-pipeline", CHURN_OK.execution_id)}, 400,
     "b does not belong to this pipeline and region"),
    # Another account's run of a pipeline of that name: only AWS can tell.
    ({"a": arn("mlops-pipeline", MLOPS_FIRST.execution_id, "999999999999"),
      "b": MLOPS_LAST.execution_id}, 400, "a does not belong to this pipeline and region"),
    ({"a": MLOPS_LAST.execution_id, "b": MLOPS_LAST.execution_id}, 400,
     "a and b are the same execution"),
    ({"a": MLOPS_LAST.execution_id, "b": arn("mlops-pipeline", MLOPS_LAST.execution_id)}, 400,
     "a and b are the same execution"),
    ({"b": MLOPS_LAST.execution_id}, 400, "a is required: an execution ARN or id"),
    ({"a": MLOPS_LAST.execution_id, "b": "Not An Id"}, 400,
     "b must be a pipeline execution ARN or execution id"),
    ({"pipeline": "no-such-pipeline", "a": "abc", "b": "def"}, 404,
     "pipeline not found or domain filter mismatched"),
    ({"pipeline": "not_a_pipeline", "a": "abc", "b": "def"}, 400, None),
    ({"region": "nowhere", "a": "abc", "b": "def"}, 400, None),
])
def test_compare_errors(
    api_server: Server, params: dict[str, str], status: int, message: str | None
) -> None:
    answer = api_server.get("/compare", params={"pipeline": "mlops-pipeline", **params})
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert list(body) == ["message"]
    if message is not None:
        assert body["message"] == message


# -- timeline -------------------------------------------------------------------------------


def test_the_timeline_of_a_finished_run(api_server: Server) -> None:
    params = {"pipeline": "mlops-pipeline", "execution": MLOPS_LAST.execution_id}
    document = ok(api_server.get("/lineage", params=params))
    timeline = ok(api_server.get("/timeline", params=params))
    steps = {node["id"] for node in document["graph"]["nodes"]}
    execution = timeline["execution"]
    assert execution["id"] == MLOPS_LAST.execution_id and not execution["running"]
    assert execution["elapsedSec"] == document["execution"]["elapsedSec"]
    rows = timeline["rows"]
    assert rows and {row["step"] for row in rows} <= steps
    assert not any(row["running"] for row in rows)
    assert [row["startTime"] for row in rows] == sorted(row["startTime"] for row in rows)
    path = timeline["criticalPath"]
    assert path["steps"] and set(path["steps"]) <= {row["step"] for row in rows}
    assert path["steps"][0] == "Preprocess"  # the chain starts where the run does
    assert 0 < path["ratio"] <= 1
    assert path["lengthSec"] <= execution["elapsedSec"]
    ran = {row["step"] for row in rows}
    assert {item["step"] for item in timeline["notRun"]} == steps - ran


def test_the_timeline_of_a_retried_run_says_which_step_was_retried(api_server: Server) -> None:
    params = {"pipeline": "mlops-pipeline", "execution": HISTORY_OUTLIER_ID}
    document = ok(api_server.get("/lineage", params=params))
    timeline = ok(api_server.get("/timeline", params=params))
    assert HISTORY_RETRIES[HISTORY_OUTLIER_ID] == {"Train": 2}
    runs = {node["id"]: node["run"] for node in document["graph"]["nodes"] if "run" in node}
    assert runs["Train"]["attempts"] == 2
    rows = {row["step"]: row for row in timeline["rows"]}
    assert (rows["Train"]["attempts"], rows["Train"]["retried"]) == (2, True)
    others = {name: (row["attempts"], row["retried"]) for name, row in rows.items()
              if name != "Train"}
    assert others and set(others.values()) == {(1, False)}


def test_the_live_run_grows(api_server: Server) -> None:
    params = {"pipeline": "fraud-detection-pipeline"}
    first = ok(api_server.get("/timeline", params=params))
    assert first["execution"]["running"] and first["execution"]["status"] == "Executing"
    running = [row for row in first["rows"] if row["running"]]
    assert running
    assert all(row["endTime"] == first["asOf"] == first["execution"]["endTime"]
               for row in running)
    # The same cached document, drawn again at a later now.
    again = api_server.get("/timeline", params=params)
    later = ok(again)
    if later["execution"]["id"] == first["execution"]["id"]:
        assert later["asOf"] >= first["asOf"]
        assert later["execution"]["elapsedSec"] >= first["execution"]["elapsedSec"]


def test_a_second_timeline_is_a_hit(api_server: Server, sandbox: SandboxProcess) -> None:
    params = {"pipeline": "churn-pipeline", "execution": CHURN_OK.execution_id}
    first = ok(api_server.get("/timeline", params=params))
    sandbox.reset_calls()
    again = api_server.get("/timeline", params=params)
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"
    assert sandbox.calls() == []
    assert again.json()["rows"] == first["rows"]
    # /lineage of that run is the very entry the timeline was drawn from.
    assert api_server.get("/lineage", params=params).headers["X-Cache"] == "hit"


@pytest.mark.parametrize(("params", "status", "message"), [
    ({"execution": "nosuchexecution0"}, 404, "execution not found for this pipeline"),
    ({"execution": arn("churn-pipeline", CHURN_OK.execution_id)}, 400,
     "execution does not belong to this pipeline and region"),
    ({"execution": "Not An Id"}, 400, "execution must be a pipeline execution ARN or "
     "execution id"),
    ({"pipeline": "no-such-pipeline"}, 404, "pipeline not found or domain filter mismatched"),
    ({"pipeline": ""}, 400, "pipeline is required"),
    ({"region": "nowhere"}, 400, "region is not a region where SageMaker is available"),
    ({"refresh": "maybe"}, 400, "refresh must be true, false, 1, 0, yes or no"),
])
def test_timeline_errors(
    api_server: Server, params: dict[str, str], status: int, message: str
) -> None:
    answer = api_server.get("/timeline", params={"pipeline": "mlops-pipeline", **params})
    assert answer.status_code == status, answer.text
    assert answer.json() == {"message": message}


# -- trends ---------------------------------------------------------------------------------


def test_the_trends_of_a_pipeline(api_server: Server) -> None:
    trends = ok(api_server.get("/trends", params={"pipeline": "churn-pipeline"}))
    assert trends["pipeline"] == "churn-pipeline" and trends["warnings"] == []
    runs = trends["runs"]
    assert [run["id"] for run in runs] == [run.execution_id for run in
                                           sorted(CHURN.executions, key=lambda r: r.started)]
    expected: dict[str, int] = {}
    for run in CHURN.executions:
        expected[run.status] = expected.get(run.status, 0) + 1
    assert trends["statusCounts"] == expected
    # The evaluation report's metrics are read (lean documents keep them), and training's.
    metrics = trends["series"]["metrics"]
    assert "TrainChurn/validation:auc" in metrics
    assert any(name.startswith("EvaluateChurn/") for name in metrics)
    points = metrics["TrainChurn/validation:auc"]["points"]
    assert [p["value"] for p in points] == [CHURN_OK.metrics["TrainChurn"]["validation:auc"]]
    assert trends["series"]["duration"]["check"] == "tooFewPoints"  # two runs: not scored


def test_last_keeps_the_newest_runs(api_server: Server) -> None:
    trends = ok(api_server.get("/trends", params={"pipeline": "mlops-pipeline", "last": "1"}))
    newest = max(MLOPS.executions, key=lambda run: run.started)
    assert [run["id"] for run in trends["runs"]] == [newest.execution_id]


def test_a_second_trends_is_a_hit(api_server: Server, sandbox: SandboxProcess) -> None:
    params = {"pipeline": "mlops-pipeline", "last": "2"}
    first = ok(api_server.get("/trends", params=params))
    sandbox.reset_calls()
    again = api_server.get("/trends", params=params)
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"
    assert again.json() == first
    assert sandbox.calls() == []


def test_trends_read_lean_documents_at_once(api_server: Server, sandbox: SandboxProcess) -> None:
    """A refresh reads every run again: one listing, each run's own calls, no bucket
    settings and no DescribePipeline (a run's ARN names its pipeline)."""
    params = {"pipeline": "mlops-pipeline", "last": str(MAX_RUNS)}
    ok(api_server.get("/trends", params=params))
    sandbox.reset_calls()
    refreshed = ok(api_server.get("/trends", params={**params, "refresh": "true"}))
    operations = [call["operation"] for call in sandbox.calls()]
    assert operations.count("ListPipelineExecutions") == 1
    assert operations.count("DescribePipelineExecution") == len(refreshed["runs"])
    assert "DescribePipeline" not in operations
    assert not BUCKET_READS & set(operations)
    assert "GetObject" in operations  # the evaluation reports


@pytest.mark.parametrize(("params", "status", "message"), [
    ({"last": "0"}, 400, f"last must be a whole number from 1 to {MAX_RUNS}"),
    ({"last": str(MAX_RUNS + 1)}, 400, f"last must be a whole number from 1 to {MAX_RUNS}"),
    ({"last": "abc"}, 400, f"last must be a whole number from 1 to {MAX_RUNS}"),
    ({"last": "-1"}, 400, f"last must be a whole number from 1 to {MAX_RUNS}"),
    ({"pipeline": "no-such-pipeline"}, 404, "pipeline not found"),
    ({"pipeline": "not_a_pipeline"}, 400, None),
    ({"region": "nowhere"}, 400, "region is not a region where SageMaker is available"),
])
def test_trends_errors(
    api_server: Server, params: dict[str, str], status: int, message: str | None
) -> None:
    answer = api_server.get("/trends", params={"pipeline": "mlops-pipeline", **params})
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert list(body) == ["message"]
    if message is not None:
        assert body["message"] == message


def test_unknown_parameters_are_ignored_as_elsewhere(api_server: Server) -> None:
    answer = api_server.get("/trends", params={"pipeline": "churn-pipeline", "colour": "red"})
    assert answer.status_code == 200


def test_under_the_prefix_too(api_server: Server) -> None:
    pair = {"a": MLOPS_FIRST.execution_id, "b": MLOPS_LAST.execution_id}
    for path, params in (("/prod/compare", pair), ("/prod/timeline", {}), ("/prod/trends", {})):
        answer = api_server.get(path, params={"pipeline": "mlops-pipeline", **params})
        assert answer.status_code == 200, path
