"""The pipeline page's logic as plain functions: URL state, loading, errors, panels, exports."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from dash import no_update

from dashboard.ui import ids
from dashboard.ui.components.elements import LAYOUT_AUTO
from dashboard.ui.pages.pipeline.catalog import execution_options, pipeline_options
from dashboard.ui.pages.pipeline.details import edge_caption, panel_for
from dashboard.ui.pages.pipeline.export import export_json, export_png
from dashboard.ui.pages.pipeline.graph import load_view
from dashboard.ui.pages.pipeline.view import (
    LATEST,
    Sync,
    View,
    find_steps,
    parse_query,
    sync_view,
)
from lineage.contract import lineage_schema
from lineage.errors import (
    AwsAccessDenied,
    AwsCredentialsMissing,
    AwsThrottled,
    AwsUnavailable,
    ExecutionNotFound,
    PipelineNotFound,
    TooManyRequests,
)
from lineage.request import LineageRequest
from tests.dashboard.conftest import FakeCached, app_state
from tests.dashboard.trees import components, flat, page_text

DEFAULT = "ap-northeast-2"
MLOPS = View("ap-northeast-2", "mlops-pipeline", None, None)


def said(notes: Any) -> str:
    """The words of a list of notes (components.messages.Note)."""
    return " ".join(f"{n['title']} {n['detail']}" for n in notes or ())


def test_the_document_these_tests_use_is_a_valid_lineage_document(
    document: dict[str, Any],
) -> None:
    """A snapshot of the sandbox's mlops-pipeline: when the contract grows, it must too."""
    jsonschema.Draft202012Validator(lineage_schema()).validate(document)


# -- URL state ------------------------------------------------------------------------------


def test_query_round_trip() -> None:
    view = View("us-east-1", "nlp-pipeline", "abc123", "step:Train & <Eval>")
    assert "node=Train+%26+%3CEval%3E" in view.query()  # the URL names a step plainly
    assert parse_query(view.query(), DEFAULT) == view
    assert parse_query("", DEFAULT) == View(DEFAULT)
    assert parse_query("?pipeline=&node=" + "x" * 600, DEFAULT) == View(DEFAULT)
    assert View().query() == ""


NOTHING = View()


def sync(trigger: str | None, current: View = NOTHING, **values: Any) -> Any:
    args: dict[str, Any] = dict(search=None, region=None, pipeline=None, execution=LATEST,
                                selected=None, step_query=None, step_names=None,
                                data_view=[], layout_choice=LAYOUT_AUTO)
    args.update(values)
    return sync_view(trigger, current=current, default_region=DEFAULT, **args)


def test_the_url_sets_dropdowns_view_and_node() -> None:
    out = sync(None, search="?region=us-east-1&pipeline=nlp-pipeline&execution=e1&node=Train",
               region=DEFAULT, execution=LATEST)
    assert (out.region, out.pipeline, out.execution) == ("us-east-1", "nlp-pipeline", "e1")
    assert out.view == {"region": "us-east-1", "pipeline": "nlp-pipeline", "execution": "e1",
                        "data": False, "layout": LAYOUT_AUTO}
    assert out.node == "step:Train"  # the graph's element id; the URL's plain name
    assert out.url_search is no_update  # never rewrites what the user opened
    # Back to a view already shown: nothing is re-sent, so nothing reloads.
    same = sync(ids.URL, current=View("us-east-1", "nlp-pipeline", "e1", "step:Train"),
                search="?region=us-east-1&pipeline=nlp-pipeline&execution=e1&node=Train",
                region="us-east-1", pipeline="nlp-pipeline", execution="e1")
    assert list(same.outputs().values())[:8] == [no_update] * 8


def test_choosing_a_region_resets_pipeline_and_pushes_the_url() -> None:
    out = sync(ids.REGION, current=MLOPS, region="us-east-1", pipeline="mlops-pipeline")
    assert out.url_search == "?region=us-east-1"
    assert (out.pipeline, out.execution, out.node) == (None, LATEST, None)
    assert out.view == {"region": "us-east-1", "pipeline": None, "execution": None,
                        "data": False, "layout": LAYOUT_AUTO}


def test_choosing_a_pipeline_and_an_execution() -> None:
    out = sync(ids.PIPELINE, current=View(DEFAULT), region=DEFAULT, pipeline="churn-pipeline")
    assert out.url_search == "?region=ap-northeast-2&pipeline=churn-pipeline"
    assert out.view["pipeline"] == "churn-pipeline" and out.execution == LATEST
    chosen = sync(ids.EXECUTION, current=MLOPS, region=DEFAULT, pipeline="mlops-pipeline",
                  execution="e2")
    assert chosen.url_search == "?region=ap-northeast-2&pipeline=mlops-pipeline&execution=e2"
    back = sync(ids.EXECUTION, current=View(DEFAULT, "mlops-pipeline", "e2", "step:Train"),
                region=DEFAULT, pipeline="mlops-pipeline", execution=LATEST)
    assert back.view["execution"] is None
    assert back.url_search == "?region=ap-northeast-2&pipeline=mlops-pipeline&node=Train"


def test_a_dropdown_that_drops_its_value_gets_it_back() -> None:
    # Dash's dropdown empties a value its options do not hold yet; users cannot clear it.
    assert sync(ids.PIPELINE, current=MLOPS, pipeline=None).pipeline == "mlops-pipeline"
    assert sync(ids.PIPELINE, current=MLOPS, pipeline=None).url_search is no_update
    assert sync(ids.REGION, current=MLOPS, region=None).region == DEFAULT
    assert sync(ids.EXECUTION, current=MLOPS, execution=None).execution == LATEST
    # Two dropdowns emptied in one batch come back together.
    both = sync(ids.PIPELINE, current=View(DEFAULT, "mlops-pipeline", "e1"), region=DEFAULT,
                execution=None)
    assert (both.pipeline, both.execution, both.region) == ("mlops-pipeline", "e1", no_update)
    assert both.view is no_update and both.url_search is no_update


def test_selecting_in_the_graph_and_searching() -> None:
    out = sync(ids.GRAPH, current=MLOPS, selected=[{"id": "step:Train", "kind": "step"}])
    assert out.node == "step:Train"
    assert out.url_search.endswith("&node=Train")
    train = View(DEFAULT, "mlops-pipeline", None, "step:Train")
    assert sync(ids.GRAPH, current=train, selected=[{"id": "step:Train"}]) == Sync()
    cleared = sync(ids.GRAPH, current=train, selected=[])
    assert cleared.node is None and "node" not in cleared.url_search
    names = ["Preprocess", "Train", "Evaluate"]
    found = sync(ids.SEARCH, current=MLOPS, step_query="eval", step_names=names)
    assert found.node == "step:Evaluate" and found.search_message == ""
    missing = sync(ids.SEARCH, current=MLOPS, step_query="<b>nope</b>", step_names=names)
    assert missing.node is no_update
    assert "<b>nope</b>" in missing.search_message  # shown as text by Dash


def test_find_steps_prefers_exact_then_case_then_prefix_then_part() -> None:
    names = ["TrainChurn", "Train", "PreTrain", "train-b"]
    assert find_steps("Train", names) == ["Train"]
    assert find_steps("TRAIN", names) == ["Train"]
    assert find_steps("trainc", names) == ["TrainChurn"]
    assert find_steps("retr", names) == ["PreTrain"]
    assert find_steps("tra", names) == ["TrainChurn", "Train", "train-b", "PreTrain"]
    assert find_steps("  ", names) == []
    assert find_steps("zzz", names) == []


# -- loading a view ---------------------------------------------------------------------------


def test_load_view_renders_graph_summary_and_meta(document: dict[str, Any],
                                                  settings: Any) -> None:
    cached = FakeCached(lineage_answer=document)
    loaded = load_view(app_state(cached), View(DEFAULT, "mlops-pipeline", None, "step:Train"))
    (name, request, refresh), = cached.calls
    assert request == LineageRequest(pipeline="mlops-pipeline", region=DEFAULT)
    assert not refresh
    step_ids = [e["data"]["id"] for e in loaded.elements if e["data"].get("kind") == "step"]
    assert step_ids == [f"step:{n['id']}" for n in document["graph"]["nodes"]]
    assert [e["data"]["id"] for e in loaded.elements if e.get("selected")] == ["step:Train"]
    assert loaded.layout["name"] == "dagre"
    assert loaded.interval_disabled  # Succeeded: nothing to refresh
    assert loaded.meta["status"] == "Succeeded" and loaded.meta["pipeline"] == "mlops-pipeline"
    assert loaded.last_scanned.title == "2025-03-02 08:00:00 UTC"
    summary = page_text(loaded.summary)
    for expected in ("MLOps churn pipeline", "Preprocess, train, evaluate", "Succeeded 6",
                     "Not run (branch not taken) 1", "25 min 10 s", "ml-platform", "AucThreshold"):
        assert expected in summary
    assert loaded.notes == [] and loaded.export_disabled is False
    # The same view again (an interval tick): the viewport is kept.
    again = load_view(app_state(cached), View(DEFAULT, "mlops-pipeline"), previous=loaded.meta)
    assert again.layout is no_update
    other = load_view(app_state(cached), View(DEFAULT, "mlops-pipeline", data=True),
                      previous=loaded.meta)
    assert other.layout is not no_update


def test_a_running_execution_turns_the_interval_on(document: dict[str, Any],
                                                   settings: Any) -> None:
    document["execution"]["status"] = "Executing"
    loaded = load_view(app_state(FakeCached(lineage_answer=document)), MLOPS, refresh=True)
    assert loaded.interval_disabled is False
    assert "still running" in said(loaded.notes)


def test_a_refresh_asked_too_soon_says_when_the_next_may_go(document: dict[str, Any]) -> None:
    cached = FakeCached(lineage_answer=document, refresh_after=23)
    loaded = load_view(app_state(cached), MLOPS, refresh=True)
    assert "Just refreshed" in said(loaded.notes) and "Refresh again in 23 s" in said(loaded.notes)
    assert loaded.elements  # the graph is the cached answer, drawn as usual
    cached.refresh_after = None
    assert "Just refreshed" not in said(load_view(app_state(cached), MLOPS).notes)


def test_past_its_share_of_aws_the_page_says_when_to_try_again(document: dict[str, Any]) -> None:
    cached = FakeCached(lineage_error=TooManyRequests("too many", retry_after=42))
    loaded = load_view(app_state(cached), MLOPS)
    assert loaded.notes[0]["title"] == "Too many requests."
    assert "Try again in 42 s" in said(loaded.notes) and not loaded.elements


def test_never_executed_and_warnings_are_said(document: dict[str, Any], settings: Any) -> None:
    document["execution"] = None
    document["warnings"] = [{"code": "S3_ACCESS_DENIED", "message": "m", "target": "b"}]
    loaded = load_view(app_state(FakeCached(lineage_answer=document)), MLOPS)
    text = said(loaded.notes)
    assert "Never executed" in text and "1 warning" in text
    assert loaded.interval_disabled


def test_no_pipeline_asks_for_one(settings: Any) -> None:
    cached = FakeCached()
    loaded = load_view(app_state(cached), View(DEFAULT))
    assert "Choose a pipeline" in said(loaded.notes)
    assert loaded.elements == () and cached.calls == []


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (PipelineNotFound(), "Pipeline not found"),
        (ExecutionNotFound("no such execution"), "Execution not found"),
        (AwsCredentialsMissing("no credentials"), "No AWS credentials"),
        (AwsAccessDenied("denied", operation="DescribePipeline"), "AWS refused"),
        (AwsThrottled("slow down"), "AWS is busy"),
        (AwsUnavailable("down"), "did not answer"),
        (TimeoutError(), "did not answer"),
        (RuntimeError("secret arn:aws:iam::123456789012:role/x"), "Something went wrong"),
    ],
)
def test_errors_become_friendly_messages(error: BaseException, words: str,
                                         settings: Any) -> None:
    loaded = load_view(app_state(FakeCached(lineage_error=error)), MLOPS)
    text = said(loaded.notes)
    assert words in text
    assert "123456789012" not in text  # an unexpected error's text is logged, not shown
    assert loaded.elements == () and loaded.meta is None and loaded.interval_disabled


def test_an_invalid_url_parameter_is_a_message(settings: Any) -> None:
    cached = FakeCached()
    loaded = load_view(app_state(cached), View("mars-central-1", "mlops-pipeline"))
    assert "mars-central-1 is not a region where SageMaker is available" in said(loaded.notes)
    bad = load_view(app_state(cached), View(DEFAULT, "bad name!"))
    assert "pipeline must be" in said(bad.notes)
    assert cached.calls == []


# -- dropdown options ------------------------------------------------------------------------------


def test_pipeline_options_show_latest_status_and_keep_the_current_one() -> None:
    cached = FakeCached(pipelines_answer={"pipelines": [
        {"name": "a-pipe", "latestExecution": {"status": "Failed"}, "description": "<i>x</i>"},
        {"name": "b-pipe", "latestExecution": None},
    ]})
    options, placeholder, notes = pipeline_options(app_state(cached), DEFAULT, "gone-pipe")
    assert [o["value"] for o in options] == ["a-pipe", "b-pipe", "gone-pipe"]
    assert options[0]["label"] == "a-pipe  \u00b7  Failed"
    assert options[1]["label"].endswith("never executed")
    assert notes == [] and "(2)" in placeholder


def test_a_region_without_pipelines_says_so() -> None:
    options, placeholder, notes = pipeline_options(app_state(FakeCached(pipelines_answer={
        "pipelines": []})), "us-west-2", None)
    assert options == [] and placeholder == "No pipelines in this region"
    assert "No pipelines in us-west-2" in said(notes)
    _, _, denied = pipeline_options(app_state(FakeCached(list_error=AwsAccessDenied("x"))),
                                    DEFAULT, None)
    assert "AWS refused" in said(denied)
    _, _, bad = pipeline_options(app_state(FakeCached()), "nowhere-1", None)
    assert "nowhere-1 is not a region" in said(bad)


def test_execution_options_latest_first_with_status_and_start_time() -> None:
    cached = FakeCached(executions_answer={"executions": [
        {"id": "new", "status": "Executing", "startTime": "2025-03-03T07:00:00Z",
         "displayName": "run-2"},
        {"id": "old", "status": "Succeeded", "startTime": "2025-03-02T07:00:00Z"},
    ]})
    options = execution_options(app_state(cached), DEFAULT, "mlops-pipeline", None)
    assert [o["value"] for o in options] == [LATEST, "new", "old"]
    assert options[0]["label"] == "Latest: Executing  \u00b7  2025-03-03 07:00:00 UTC"
    assert options[2]["label"] == "Succeeded  \u00b7  2025-03-02 07:00:00 UTC  \u00b7  old"
    throttled = app_state(FakeCached(list_error=AwsThrottled("x")))
    assert execution_options(throttled, DEFAULT, "p", "e9") == [
        {"label": "Latest execution", "value": LATEST}, {"label": "e9", "value": "e9"}]


# -- the side panel -------------------------------------------------------------------------------


def meta() -> dict[str, Any]:
    return {"region": DEFAULT, "pipeline": "mlops-pipeline", "execution": None}


def test_panel_of_a_training_step(document: dict[str, Any], settings: Any) -> None:
    panel = panel_for(app_state(FakeCached(lineage_answer=document)), meta(), "step:Train")
    text = page_text(panel)
    for expected in ("Train", "Training", "Succeeded", "14 min 19 s", "validation:auc", "0.63",
                     "train:auc", "0.72", "Inputs", "Outputs", "aws:kms", "Enabled", "Blocked",
                     "Env", "development", "model_artifacts"):
        assert expected in text, expected
    links = [c for c in components(panel) if type(c).__name__ == "A"]
    assert len(links) == 1
    assert links[0].href == (  # type: ignore[attr-defined]
        "https://ap-northeast-2.console.aws.amazon.com/sagemaker/home?region=ap-northeast-2"
        "#/jobs/pipelines-r3a5pd8rmk8r-train-3zb5kdkysj")


def test_panel_of_a_failed_step_condition_registry_and_artifact(
    document: dict[str, Any], settings: Any,
) -> None:
    train = document["graph"]["nodes"][1]
    train["run"].update(status="Failed", failureReason="ClientError: <script>x</script>")
    document["graph"]["artifacts"][3]["s3"]["encryption"] = "None"
    cached = FakeCached(lineage_answer=document)
    text = page_text(panel_for(app_state(cached), meta(), "step:Train"))
    assert "ClientError: <script>x</script>" in text and "\u26a0 none" in text
    assert "true: the if branch ran" in page_text(panel_for(app_state(cached), meta(),
                                                            "step:CheckAUC"))
    registry = page_text(panel_for(app_state(cached), meta(), "step:RegisterModel"))
    assert "PendingManualApproval" in registry
    assert "model-package/mlops-churn-models/2" in registry
    artifact = page_text(panel_for(app_state(cached), meta(), "artifact:4"))
    assert "Written by" in artifact and "Preprocess" in artifact and "Read by" in artifact
    assert "unencrypted" in artifact
    # AUCTooLow is on the else branch of a condition that held.
    assert "Not run (condition true)" in page_text(panel_for(app_state(cached), meta(),
                                                             "step:AUCTooLow"))


def test_panel_without_selection_shows_summary_and_warnings(document: dict[str, Any],
                                                            settings: Any) -> None:
    document["warnings"] = [{"code": "S3_ACCESS_DENIED", "message": "bucket settings unread",
                             "target": "some-bucket"}]
    cached = FakeCached(lineage_answer=document)
    text = page_text(panel_for(app_state(cached), meta(), None))
    assert "Warnings (1)" in text and "S3_ACCESS_DENIED" in text and "some-bucket" in text
    assert "r3a5pd8rmk8r" in text
    unknown = page_text(panel_for(app_state(cached), meta(), "step:NoSuchStep"))
    assert "No step or artifact named NoSuchStep" in unknown
    assert "choose a pipeline" in page_text(panel_for(app_state(cached), None, None))
    failing = panel_for(app_state(FakeCached(lineage_error=AwsThrottled("x"))), meta(),
                        "step:Train")
    assert "AWS is busy" in page_text(failing)


def test_untrusted_strings_stay_text(document: dict[str, Any], settings: Any) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    document["pipeline"].update(displayName=hostile, description=hostile,
                                tags={hostile: hostile})
    document["execution"]["parameters"] = {hostile: hostile}
    loaded = load_view(app_state(FakeCached(lineage_answer=document)), MLOPS)
    panel = panel_for(app_state(FakeCached(lineage_answer=document)), meta(), None)
    assert hostile in page_text(loaded.summary)
    for tree in (loaded.summary, panel):
        for component in components(tree):
            assert type(component).__name__ not in ("Markdown", "Iframe", "Script", "Img")
            assert not getattr(component, "dangerously_allow_html", False)


# -- edges and exports ---------------------------------------------------------------------------


def test_durations_read_well() -> None:
    from dashboard.ui.components.panels import format_duration

    assert [format_duration(s) for s in (7, 125, 3720, 90000, 54515820, None, -1, True)] == [
        "7 s", "2 min 5 s", "1 h 2 min", "25 h 0 min", "630 d 23 h", "–", "–", "–"]


def test_edge_caption() -> None:
    assert "Hover over" in edge_caption(None)
    caption = edge_caption({"source": "step:A", "target": "step:B", "via": "ref:Get",
                            "property": "Steps.A.X"})
    assert caption == "A \u2192 B (ref:Get): Steps.A.X"  # the steps' names, not element ids
    assert edge_caption({"source": "step:C", "target": "step:D", "via": "condition",
                         "branch": "else"}).endswith("runs on the else branch")
    assert edge_caption({"source": "artifact:4", "target": "step:Train\u202egnp.exe",
                         "via": "reads"}) == "artifact:4 \u2192 Train\\u202egnp.exe (reads)"


def test_exports(document: dict[str, Any], settings: Any) -> None:
    cached = FakeCached(lineage_answer=document)
    download = export_json(app_state(cached), meta())
    assert download["filename"] == "mlops-pipeline-lineage.json"
    assert json.loads(download["content"]) == document  # the cached answer, as served
    assert export_json(app_state(cached), None) is no_update
    image = export_png(meta())
    assert (image["type"], image["action"]) == ("png", "download")
    assert image["filename"] == "mlops-pipeline-lineage"
    assert export_png(None) is no_update


# -- what a new user meets first ---------------------------------------------------------------


def test_a_failed_run_names_the_step_and_its_own_failure_first(document: dict[str, Any],
                                                               settings: Any) -> None:
    train = document["graph"]["nodes"][1]
    train["run"].update(status="Failed", failureReason=(
        "AlgorithmError: framework error:\nTraceback (most recent call last):\n  File x\n"
        "ValueError: Feature names mismatch: expected 'tenure'"))
    document["execution"].update(status="Failed",
                                 failureReason="Step failure: One or multiple steps failed.")
    loaded = load_view(app_state(FakeCached(lineage_answer=document)), MLOPS)
    (button,) = [c for c in components(loaded.summary) if type(c).__name__ == "Button"]
    assert flat(button) == ("Failed at Train: ValueError: Feature names mismatch: "
                                 "expected 'tenure'")
    assert button.id == {"type": ids.SELECT_STEP, "step": "Train"}  # type: ignore[attr-defined]
    # Its click selects the step (a pattern trigger), and pushes the URL.
    chosen = sync(button.id, current=MLOPS)  # type: ignore[attr-defined]
    assert chosen.node == "step:Train" and chosen.url_search.endswith("&node=Train")


def test_the_branch_a_false_condition_skipped_is_not_run_not_not_started(
    document: dict[str, Any], settings: Any,
) -> None:
    check = next(n for n in document["graph"]["nodes"] if n["id"] == "CheckAUC")
    check["condition"] = {"outcome": False, "conditions": [{
        "type": "GreaterThanOrEqualTo", "operator": ">=",
        "expression": "Steps.Evaluate.auc >= Parameters.AucThreshold",
        "left": "Steps.Evaluate.auc", "right": "Parameters.AucThreshold",
        "leftValue": 0.61, "rightValue": 0.75}]}
    for node in document["graph"]["nodes"]:
        if node["id"] in ("RegisterModel", "CreateModel"):
            del node["run"]  # a step that did not run has no run
    jsonschema.Draft202012Validator(lineage_schema()).validate(document)  # as the engine writes
    cached = FakeCached(lineage_answer=document)
    register = page_text(panel_for(app_state(cached), meta(), "step:RegisterModel"))
    assert "Not run (condition false)" in register and "Not started" not in register
    check_text = page_text(panel_for(app_state(cached), meta(), "step:CheckAUC"))
    assert "Steps.Evaluate.auc >= Parameters.AucThreshold" in check_text
    assert "compared 0.61 >= 0.75" in check_text
    assert "false: the else branch ran (AUCTooLow)" in check_text
    summary = page_text(load_view(app_state(cached), MLOPS).summary)
    assert "Not run (branch not taken) 2" in summary


def test_warnings_are_grouped_by_cause_with_counts_and_a_partial_step_says_so(
    document: dict[str, Any], settings: Any,
) -> None:
    denied = "DescribeTrainingJob failed; run details are partial (access denied)"
    document["warnings"] = [
        {"code": "DESCRIBE_ACCESS_DENIED", "message": denied, "target": "Train"},
        {"code": "DESCRIBE_ACCESS_DENIED", "message": denied, "target": "Evaluate"},
        *[{"code": "S3_ACCESS_DENIED", "target": bucket,
           "message": f"GetBucketEncryption failed for bucket {bucket}; its value is Unknown"}
          for bucket in ("b1", "b2", "b3")],
    ]
    cached = FakeCached(lineage_answer=document)
    panel = flat(panel_for(app_state(cached), meta(), None))
    assert f"2 steps: {denied}" in panel
    assert "3 buckets: GetBucketEncryption failed; its value is Unknown" in panel
    assert "S3_ACCESS_DENIEDb1, b2, b3" in panel
    assert "5 warnings (2 causes)." in said(load_view(app_state(cached), MLOPS).notes)
    train = page_text(panel_for(app_state(cached), meta(), "step:Train"))
    assert "Details are partial." in train and denied in train
    assert "Details are partial" not in page_text(panel_for(app_state(cached), meta(),
                                                             "step:CheckAUC"))


def test_a_pipeline_without_steps_says_so(document: dict[str, Any], settings: Any) -> None:
    document["graph"] = {"nodes": [], "edges": [], "artifacts": []}
    loaded = load_view(app_state(FakeCached(lineage_answer=document)), MLOPS)
    assert "No steps." in said(loaded.notes) and loaded.elements == []
    assert not loaded.export_disabled  # the (empty) document can still be downloaded
    assert load_view(app_state(FakeCached()), View(DEFAULT)).export_disabled


def test_one_problem_is_one_banner_however_many_callbacks_meet_it() -> None:
    from dashboard.ui.components.messages import bad_region, error_note, shown

    catalog = [bad_region("mars-1")]
    view = [bad_region("mars-1")]
    assert [flat(m) for m in shown(catalog, view)] == [
        "Unknown region. mars-1 is not a region where SageMaker is available. Choose one "
        "from the list."]
    missing = AwsCredentialsMissing("no credentials")
    both = shown([error_note(missing, region=DEFAULT)],
                 [error_note(missing, pipeline="mlops-pipeline", region=DEFAULT)])
    assert len(both) == 1 and "No AWS credentials" in page_text(both)


def test_regions_with_pipelines_come_first_with_their_counts() -> None:
    from dashboard.ui.pages.pipeline.catalog import region_options

    cached = FakeCached(pipelines_answer={"pipelines": [
        {"name": "a", "region": "us-east-1"}, {"name": "b", "region": "us-east-1"},
        {"name": "c", "region": "eu-west-1"}]})
    options = region_options(app_state(cached, regions=(
        "ap-northeast-2", "eu-west-1", "us-east-1", "us-west-2")))
    assert [o["value"] for o in options] == ["us-east-1", "eu-west-1", "ap-northeast-2",
                                             "us-west-2"]
    assert options[0]["label"] == "us-east-1  \u00b7  2 pipelines"
    assert options[1]["label"] == "eu-west-1  \u00b7  1 pipeline"
    failing = region_options(app_state(FakeCached(list_error=AwsThrottled("x")),
                                       regions=("us-east-1", "eu-west-1", DEFAULT)))
    assert [o["value"] for o in failing] == [DEFAULT, "eu-west-1", "us-east-1"]
    # Only what the server offers (LINEAGE_REGIONS), even the default region.
    elsewhere = region_options(app_state(FakeCached(list_error=AwsThrottled("x")),
                                         regions=("us-east-1",)))
    assert [o["value"] for o in elsewhere] == ["us-east-1"]


def test_the_url_holds_data_view_and_layout_and_an_artifact_opens_the_data_view() -> None:
    view = View(DEFAULT, "mlops-pipeline", None, "step:Train", data=True, layout="layered")
    assert view.query().endswith("&node=Train&data=1&layout=layered")
    assert parse_query(view.query(), DEFAULT) == view
    shared = parse_query("?region=ap-northeast-2&pipeline=p&node=artifact:4", DEFAULT)
    assert shared.data and shared.node == "artifact:4"
    assert parse_query("?layout=<script>", DEFAULT).layout == LAYOUT_AUTO
    out = sync(ids.URL, search="?region=ap-northeast-2&pipeline=p&node=artifact:4",
               region=DEFAULT)
    assert out.data_view == ["on"] and out.view["data"] is True and out.node == "artifact:4"
    # Leaving the data view leaves an artifact's selection behind with it.
    off = sync(ids.DATA_VIEW, current=shared, data_view=[])
    assert off.node is None and "data" not in off.url_search and "node" not in off.url_search
    chosen = sync(ids.LAYOUT_CHOICE, current=MLOPS, layout_choice="grid")
    assert chosen.url_search.endswith("&layout=grid") and chosen.view["layout"] == "grid"


def test_several_matches_are_listed_to_choose_from() -> None:
    names = ["Preprocess", "CheckAUC", "AUCTooLow"]
    found = sync(ids.SEARCH, current=MLOPS, step_query="auc", step_names=names)
    assert found.node is no_update
    assert found.search_matches == ["step:AUCTooLow", "step:CheckAUC"]  # as the graph has them
    buttons = [c for c in components(found.search_message) if type(c).__name__ == "Button"]
    assert [b.id["step"] for b in buttons] == ["AUCTooLow", "CheckAUC"]  # type: ignore[attr-defined]
    picked = sync(buttons[1].id, current=MLOPS)  # type: ignore[attr-defined]
    assert picked.node == "step:CheckAUC"


def test_compared_values_read_as_written() -> None:
    from dashboard.ui.components.panels import value_text

    assert [value_text(v) for v in (0.87, 3, True, "ok", ["a", 1.5], None)] == [
        "0.87", "3", "true", "\u201cok\u201d", "[\u201ca\u201d, 1.5]", "\u2013"]
