"""The pipeline page's logic as plain functions: URL state, loading, errors, panels, exports."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dash import no_update
from dash.development.base_component import Component

from dashboard.ui import ids
from dashboard.ui.pages.pipeline.catalog import execution_options, pipeline_options
from dashboard.ui.pages.pipeline.details import edge_caption, panel_for
from dashboard.ui.pages.pipeline.export import export_json, export_png
from dashboard.ui.pages.pipeline.graph import load_view
from dashboard.ui.pages.pipeline.view import LATEST, View, find_step, parse_query, sync_view
from lineage.errors import (
    AwsAccessDenied,
    AwsCredentialsMissing,
    AwsThrottled,
    AwsUnavailable,
    ExecutionNotFound,
    PipelineNotFound,
)
from lineage.request import LineageRequest
from tests.dashboard.conftest import FakeCached

DEFAULT = "ap-northeast-2"
MLOPS = View("ap-northeast-2", "mlops-pipeline", None, None)


def strings(tree: Any) -> list[str]:
    """Every text child of a component tree, in order."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, list | tuple):
        return [s for child in tree for s in strings(child)]
    if isinstance(tree, Component):
        return strings(getattr(tree, "children", None))
    return []


def page_text(tree: Any) -> str:
    return " ".join(strings(tree))


def components(tree: Any) -> list[Component]:
    if isinstance(tree, list | tuple):
        return [c for child in tree for c in components(child)]
    if isinstance(tree, Component):
        return [tree, *components(getattr(tree, "children", None))]
    return []


# -- URL state ------------------------------------------------------------------------------


def test_query_round_trip() -> None:
    view = View("us-east-1", "nlp-pipeline", "abc123", "Train & <Eval>")
    assert parse_query(view.query(), DEFAULT) == view
    assert parse_query("", DEFAULT) == View(DEFAULT)
    assert parse_query("?pipeline=&node=" + "x" * 600, DEFAULT) == View(DEFAULT)
    assert View().query() == ""


NOTHING = View()


def sync(trigger: str | None, current: View = NOTHING, **values: Any) -> Any:
    args: dict[str, Any] = dict(search=None, region=None, pipeline=None, execution=LATEST,
                                selected=None, step_query=None, step_names=None)
    args.update(values)
    return sync_view(trigger, current=current, default_region=DEFAULT, **args)


def test_the_url_sets_dropdowns_view_and_node() -> None:
    out = sync(None, search="?region=us-east-1&pipeline=nlp-pipeline&execution=e1&node=Train",
               region=DEFAULT, execution=LATEST)
    assert (out.region, out.pipeline, out.execution) == ("us-east-1", "nlp-pipeline", "e1")
    assert out.view == {"region": "us-east-1", "pipeline": "nlp-pipeline", "execution": "e1"}
    assert out.node == "Train"
    assert out.url_search is no_update  # never rewrites what the user opened
    # Back to a view already shown: nothing is re-sent, so nothing reloads.
    same = sync(ids.URL, current=View("us-east-1", "nlp-pipeline", "e1", "Train"),
                search="?region=us-east-1&pipeline=nlp-pipeline&execution=e1&node=Train",
                region="us-east-1", pipeline="nlp-pipeline", execution="e1")
    assert list(same.outputs().values())[:6] == [no_update] * 6


def test_choosing_a_region_resets_pipeline_and_pushes_the_url() -> None:
    out = sync(ids.REGION, current=MLOPS, region="us-east-1", pipeline="mlops-pipeline")
    assert out.url_search == "?region=us-east-1"
    assert (out.pipeline, out.execution, out.node) == (None, LATEST, None)
    assert out.view == {"region": "us-east-1", "pipeline": None, "execution": None}


def test_choosing_a_pipeline_and_an_execution() -> None:
    out = sync(ids.PIPELINE, current=View(DEFAULT), region=DEFAULT, pipeline="churn-pipeline")
    assert out.url_search == "?region=ap-northeast-2&pipeline=churn-pipeline"
    assert out.view["pipeline"] == "churn-pipeline" and out.execution == LATEST
    chosen = sync(ids.EXECUTION, current=MLOPS, region=DEFAULT, pipeline="mlops-pipeline",
                  execution="e2")
    assert chosen.url_search == "?region=ap-northeast-2&pipeline=mlops-pipeline&execution=e2"
    back = sync(ids.EXECUTION, current=View(DEFAULT, "mlops-pipeline", "e2", "Train"),
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
    out = sync(ids.GRAPH, current=MLOPS, selected=[{"id": "Train", "kind": "step"}])
    assert out.node == "Train"
    assert out.url_search.endswith("&node=Train")
    train = View(DEFAULT, "mlops-pipeline", None, "Train")
    assert list(sync(ids.GRAPH, current=train, selected=[{"id": "Train"}]).outputs().values()) == [
        no_update] * 7
    cleared = sync(ids.GRAPH, current=train, selected=[])
    assert cleared.node is None and "node" not in cleared.url_search
    names = ["Preprocess", "Train", "Evaluate"]
    found = sync(ids.SEARCH, current=MLOPS, step_query="eval", step_names=names)
    assert found.node == "Evaluate" and found.search_message == ""
    missing = sync(ids.SEARCH, current=MLOPS, step_query="<b>nope</b>", step_names=names)
    assert missing.node is no_update
    assert "<b>nope</b>" in missing.search_message  # shown as text by Dash


def test_find_step_prefers_exact_then_case_then_prefix_then_part() -> None:
    names = ["TrainChurn", "Train", "PreTrain", "train-b"]
    assert find_step("Train", names) == "Train"
    assert find_step("TRAIN", names) == "Train"
    assert find_step("trainc", names) == "TrainChurn"
    assert find_step("retr", names) == "PreTrain"
    assert find_step("  ", names) is None
    assert find_step("zzz", names) is None


# -- loading a view ---------------------------------------------------------------------------


def test_load_view_renders_graph_summary_and_meta(document: dict[str, Any],
                                                  settings: Any) -> None:
    cached = FakeCached(lineage_answer=document)
    loaded = load_view(cached, settings, View(DEFAULT, "mlops-pipeline", None, "Train"))
    (name, request, refresh), = cached.calls
    assert request == LineageRequest(pipeline="mlops-pipeline", region=DEFAULT)
    assert not refresh
    step_ids = [e["data"]["id"] for e in loaded.elements if e["data"].get("kind") == "step"]
    assert step_ids == [n["id"] for n in document["graph"]["nodes"]]
    assert loaded.layout["name"] == "dagre"
    assert loaded.interval_disabled  # Succeeded: nothing to refresh
    assert loaded.meta["status"] == "Succeeded" and loaded.meta["pipeline"] == "mlops-pipeline"
    assert loaded.last_scanned == "2025-03-02 08:00:00 UTC"
    summary = page_text(loaded.summary)
    for expected in ("MLOps churn pipeline", "Preprocess, train, evaluate", "Succeeded 6",
                     "Not started 1", "25 min 10 s", "ml-platform", "AucThreshold"):
        assert expected in summary
    assert loaded.message is None
    # The same view again (an interval tick): the viewport is kept.
    again = load_view(cached, settings, View(DEFAULT, "mlops-pipeline"), previous=loaded.meta)
    assert again.layout is no_update
    other = load_view(cached, settings, View(DEFAULT, "mlops-pipeline"), previous=loaded.meta,
                      data_view=True)
    assert other.layout is not no_update


def test_a_running_execution_turns_the_interval_on(document: dict[str, Any],
                                                   settings: Any) -> None:
    document["execution"]["status"] = "Executing"
    loaded = load_view(FakeCached(lineage_answer=document), settings, MLOPS, refresh=True)
    assert loaded.interval_disabled is False
    assert "still running" in page_text(loaded.message)


def test_never_executed_and_warnings_are_said(document: dict[str, Any], settings: Any) -> None:
    document["execution"] = None
    document["warnings"] = [{"code": "S3_ACCESS_DENIED", "message": "m", "target": "b"}]
    loaded = load_view(FakeCached(lineage_answer=document), settings, MLOPS)
    text = page_text(loaded.message)
    assert "Never executed" in text and "1 warning" in text
    assert loaded.interval_disabled


def test_no_pipeline_asks_for_one(settings: Any) -> None:
    cached = FakeCached()
    loaded = load_view(cached, settings, View(DEFAULT))
    assert "Choose a pipeline" in page_text(loaded.message)
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
    loaded = load_view(FakeCached(lineage_error=error), settings, MLOPS)
    text = page_text(loaded.message)
    assert words in text
    assert "123456789012" not in text  # an unexpected error's text is logged, not shown
    assert loaded.elements == () and loaded.meta is None and loaded.interval_disabled


def test_an_invalid_url_parameter_is_a_message(settings: Any) -> None:
    cached = FakeCached()
    loaded = load_view(cached, settings, View("mars-central-1", "mlops-pipeline"))
    assert "region is not a region where SageMaker is available" in page_text(loaded.message)
    bad = load_view(cached, settings, View(DEFAULT, "bad name!"))
    assert "pipeline must be" in page_text(bad.message)
    assert cached.calls == []


# -- dropdown options ------------------------------------------------------------------------------


def test_pipeline_options_show_latest_status_and_keep_the_current_one() -> None:
    cached = FakeCached(pipelines_answer={"pipelines": [
        {"name": "a-pipe", "latestExecution": {"status": "Failed"}, "description": "<i>x</i>"},
        {"name": "b-pipe", "latestExecution": None},
    ]})
    options, placeholder, message = pipeline_options(cached, DEFAULT, "gone-pipe")
    assert [o["value"] for o in options] == ["a-pipe", "b-pipe", "gone-pipe"]
    assert options[0]["label"] == "a-pipe  \u00b7  Failed"
    assert options[1]["label"].endswith("never executed")
    assert message is None and "(2)" in placeholder


def test_a_region_without_pipelines_says_so() -> None:
    options, placeholder, message = pipeline_options(FakeCached(pipelines_answer={
        "pipelines": []}), "us-west-2", None)
    assert options == [] and placeholder == "No pipelines in this region"
    assert "No pipelines in us-west-2" in page_text(message)
    _, _, denied = pipeline_options(FakeCached(list_error=AwsAccessDenied("x")), DEFAULT, None)
    assert "AWS refused" in page_text(denied)
    _, _, bad = pipeline_options(FakeCached(), "nowhere-1", None)
    assert "not a region" in page_text(bad)


def test_execution_options_latest_first_with_status_and_start_time() -> None:
    cached = FakeCached(executions_answer={"executions": [
        {"id": "new", "status": "Executing", "startTime": "2025-03-03T07:00:00Z",
         "displayName": "run-2"},
        {"id": "old", "status": "Succeeded", "startTime": "2025-03-02T07:00:00Z"},
    ]})
    options = execution_options(cached, DEFAULT, "mlops-pipeline", None)
    assert [o["value"] for o in options] == [LATEST, "new", "old"]
    assert options[0]["label"] == "Latest: Executing  \u00b7  2025-03-03 07:00:00 UTC"
    assert options[2]["label"] == "Succeeded  \u00b7  2025-03-02 07:00:00 UTC  \u00b7  old"
    assert execution_options(FakeCached(list_error=AwsThrottled("x")), DEFAULT, "p", "e9") == [
        {"label": "Latest execution", "value": LATEST}, {"label": "e9", "value": "e9"}]


# -- the side panel -------------------------------------------------------------------------------


def meta() -> dict[str, Any]:
    return {"region": DEFAULT, "pipeline": "mlops-pipeline", "execution": None}


def test_panel_of_a_training_step(document: dict[str, Any], settings: Any) -> None:
    panel = panel_for(FakeCached(lineage_answer=document), settings, meta(), "Train")
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
    text = page_text(panel_for(cached, settings, meta(), "Train"))
    assert "ClientError: <script>x</script>" in text and "\u26a0 none" in text
    assert "true: the if branch ran" in page_text(panel_for(cached, settings, meta(),
                                                            "CheckAUC"))
    registry = page_text(panel_for(cached, settings, meta(), "RegisterModel"))
    assert "PendingManualApproval" in registry
    assert "model-package/mlops-churn-models/2" in registry
    artifact = page_text(panel_for(cached, settings, meta(), "artifact:4"))
    assert "Written by" in artifact and "Preprocess" in artifact and "Read by" in artifact
    assert "unencrypted" in artifact
    assert "did not run" in page_text(panel_for(cached, settings, meta(), "AUCTooLow"))


def test_panel_without_selection_shows_summary_and_warnings(document: dict[str, Any],
                                                            settings: Any) -> None:
    document["warnings"] = [{"code": "S3_ACCESS_DENIED", "message": "bucket settings unread",
                             "target": "some-bucket"}]
    cached = FakeCached(lineage_answer=document)
    text = page_text(panel_for(cached, settings, meta(), None))
    assert "Warnings (1)" in text and "S3_ACCESS_DENIED" in text and "some-bucket" in text
    assert "r3a5pd8rmk8r" in text
    unknown = page_text(panel_for(cached, settings, meta(), "NoSuchStep"))
    assert "No step or artifact named NoSuchStep" in unknown
    assert "choose a pipeline" in page_text(panel_for(cached, settings, None, None))
    failing = panel_for(FakeCached(lineage_error=AwsThrottled("x")), settings, meta(), "Train")
    assert "AWS is busy" in page_text(failing)


def test_untrusted_strings_stay_text(document: dict[str, Any], settings: Any) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    document["pipeline"].update(displayName=hostile, description=hostile,
                                tags={hostile: hostile})
    document["execution"]["parameters"] = {hostile: hostile}
    loaded = load_view(FakeCached(lineage_answer=document), settings, MLOPS)
    panel = panel_for(FakeCached(lineage_answer=document), settings, meta(), None)
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
    caption = edge_caption({"source": "A", "target": "B", "via": "ref:Get",
                            "property": "Steps.A.X"})
    assert caption == "A \u2192 B (ref:Get): Steps.A.X"
    assert edge_caption({"source": "C", "target": "D", "via": "condition",
                         "branch": "else"}).endswith("runs on the else branch")


def test_exports(document: dict[str, Any], settings: Any) -> None:
    cached = FakeCached(lineage_answer=document)
    download = export_json(cached, settings, meta())
    assert download["filename"] == "mlops-pipeline-lineage.json"
    assert json.loads(download["content"]) == document  # the cached answer, as served
    assert export_json(cached, settings, None) is no_update
    image = export_png(meta())
    assert (image["type"], image["action"]) == ("png", "download")
    assert image["filename"] == "mlops-pipeline-lineage"
    assert export_png(None) is no_update
