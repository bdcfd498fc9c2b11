"""The Executions page's plain functions: the URL and what each control does to it, the table
(absolute times, status looks, a column per parameter, each run's links, AWS's strings as
text), and loading through a fake cache (validation, errors, paging). No browser
(tests/browser/test_executions_page.py drives the page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from dash import dcc, html, no_update

from dashboard.ui import ids
from dashboard.ui.pages.executions.load import load
from dashboard.ui.pages.executions.table import executions_table
from dashboard.ui.pages.executions.view import (
    ExecutionsView,
    parse_query,
    sync_view,
    view_from_store,
)
from lineage.errors import PipelineNotFound
from lineage.request import ExecutionsRequest, ListingPosition
from tests.dashboard.conftest import FakeCached, app_state
from tests.dashboard.trees import components, page_text

SEOUL = "ap-northeast-2"
PIPELINE = "mlops-pipeline"
TOKEN = ExecutionsRequest(PIPELINE, SEOUL).token(ListingPosition(20, "next"))


def query_of(search: str) -> dict[str, list[str]]:
    return parse_qs(search.lstrip("?"))


# -- the URL ------------------------------------------------------------------------------------


def test_the_url_holds_the_whole_view() -> None:
    view = ExecutionsView(SEOUL, PIPELINE, "Failed",
                          (("AucThreshold", "0.7"), ("TrainingInstanceType", "ml.m5.2xlarge")),
                          TOKEN)
    assert view.query().startswith(f"?pipeline={PIPELINE}&region={SEOUL}&status=Failed"
                                   "&param.AucThreshold=0.7&param.TrainingInstanceType=")
    assert parse_query(view.query(), "us-east-1") == view
    assert view_from_store(view.store(), "us-east-1") == view
    assert parse_query("?pipeline=p", SEOUL) == ExecutionsView(SEOUL, "p")
    # Wrong types and blank or over-long values count as absent.
    assert parse_query(7, SEOUL) == ExecutionsView(SEOUL)
    assert parse_query("?pipeline=&status=" + "x" * 2000, SEOUL) == ExecutionsView(SEOUL)
    assert view_from_store({"where": [["a"], 3, ["n", "v"]], "status": 5}, SEOUL) == (
        ExecutionsView(SEOUL, where=(("n", "v"),)))
    assert view_from_store(None, SEOUL) is None


def sync(trigger: Any, current: ExecutionsView | None, **values: Any) -> Any:
    given: dict[str, Any] = {"search": None, "status": None, "name": None, "value": None,
                             "next_token": None, **values}
    return sync_view(trigger, current=current, default_region=SEOUL, **given)


def test_the_url_sets_the_dropdown_and_the_view() -> None:
    opened = sync(None, None, search=f"?pipeline={PIPELINE}&status=Failed")
    assert opened.status == "Failed" and opened.url_search is no_update
    assert opened.view == ExecutionsView(SEOUL, PIPELINE, "Failed").store()
    # The dropdown set from the URL: no change of view, no URL pushed.
    current = ExecutionsView(SEOUL, PIPELINE, "Failed")
    echoed = sync(ids.EXECUTIONS_STATUS, current, status="Failed")
    assert echoed.url_search is no_update and echoed.view is no_update


def test_a_filter_changed_starts_at_the_first_page() -> None:
    current = ExecutionsView(SEOUL, PIPELINE, token=TOKEN)
    chosen = sync(ids.EXECUTIONS_STATUS, current, status="Failed")
    assert query_of(chosen.url_search) == {"pipeline": [PIPELINE], "region": [SEOUL],
                                           "status": ["Failed"]}
    added = sync(ids.EXECUTIONS_ADD_FILTER, current, name=" TrainingInstanceType ",
                 value="ml.m5.2xlarge")
    assert query_of(added.url_search)["param.TrainingInstanceType"] == ["ml.m5.2xlarge"]
    assert "token" not in query_of(added.url_search)
    assert added.param_name == "" and added.param_value == ""
    filtered = view_from_store(added.view, SEOUL)
    assert filtered is not None
    removed = sync({"type": ids.EXECUTIONS_REMOVE_FILTER, "name": "TrainingInstanceType"},
                   filtered)
    assert query_of(removed.url_search) == {"pipeline": [PIPELINE], "region": [SEOUL]}
    # Half a filter adds nothing; cleared status is any status.
    assert sync(ids.EXECUTIONS_PARAM_VALUE, current, name="X").url_search is no_update
    cleared = sync(ids.EXECUTIONS_STATUS, ExecutionsView(SEOUL, PIPELINE, "Failed"))
    assert "status" not in query_of(cleared.url_search)


def test_next_and_first_page_follow_the_tokens() -> None:
    current = ExecutionsView(SEOUL, PIPELINE, "Failed")
    following = sync(ids.EXECUTIONS_NEXT, current, next_token=TOKEN)
    assert query_of(following.url_search)["token"] == [TOKEN]
    assert query_of(following.url_search)["status"] == ["Failed"]  # the filters stay
    assert sync(ids.EXECUTIONS_NEXT, current, next_token=None).url_search is no_update
    assert sync(ids.EXECUTIONS_NEXT, current, next_token="<script>").url_search is no_update
    later = ExecutionsView(SEOUL, PIPELINE, "Failed", token=TOKEN)
    assert "token" not in query_of(sync(ids.EXECUTIONS_FIRST, later).url_search)
    assert sync(ids.EXECUTIONS_FIRST, current).url_search is no_update


# -- the table ----------------------------------------------------------------------------------


def run(execution_id: str, status: str = "Succeeded", **extra: Any) -> dict[str, Any]:
    return {"arn": f"arn:aws:sagemaker:{SEOUL}:123456789012:pipeline/{PIPELINE}/execution/"
                   f"{execution_id}",
            "id": execution_id, "displayName": None, "status": status,
            "startTime": "2025-03-02T07:00:00Z", "endTime": "2025-03-02T07:14:05Z",
            "elapsedSec": 845, "failureReason": None, **extra}


def relative(path: str) -> str:
    return "/prefix" + path


def links_of(tree: Any) -> dict[str, str]:
    return {str(c.children): str(getattr(c, "href", "")) for c in components(tree)
            if isinstance(c, dcc.Link)}


def test_a_row_says_absolute_times_status_duration_and_parameters() -> None:
    answer = {"executions": [
        run("newest", "Executing", endTime=None, elapsedSec=65,
            parameters={"TrainingInstanceType": "ml.m5.2xlarge"}),
        run("older", "Failed", failureReason="AUC below the threshold",
            parameters={"AucThreshold": "0.7", "TrainingInstanceType": "ml.m5.xlarge"}),
    ]}
    table = executions_table(answer, pipeline=PIPELINE, region=SEOUL, newest="newest",
                             relative=relative)
    head = [page_text(th) for th in components(table) if isinstance(th, html.Th)]
    assert head == ["Execution", "Status", "Started (UTC)", "Ended (UTC)", "Duration", "Open",
                    "AucThreshold", "TrainingInstanceType"]
    rows = [c for c in components(table) if isinstance(c, html.Tr)][1:]
    first, second = (page_text(row) for row in rows)
    assert "2025-03-02 07:00:00 UTC" in first and "1 min 5 s so far" in first
    assert "2025-03-02 07:14:05 UTC" in second and "14 min 5 s" in second
    assert "AUC below the threshold" in second and "0.7" in second
    assert page_text(rows[0]).count("–") == 2  # no end yet, no AucThreshold
    chips = [c for c in components(rows[1]) if "chip" in str(getattr(c, "className", ""))]
    assert getattr(chips[0], "className", None) == "chip status-failed"  # the graph's look


def test_each_run_links_to_the_pipeline_page_compare_and_the_timeline() -> None:
    answer = {"executions": [run("newest"), run("older")]}
    table = executions_table(answer, pipeline=PIPELINE, region=SEOUL, newest="newest",
                             relative=relative)
    rows = [c for c in components(table) if isinstance(c, html.Tr)][1:]
    assert links_of(rows[1]) == {
        "Pipeline": f"/prefix/?region={SEOUL}&pipeline={PIPELINE}&execution=older",
        "Compare": f"/prefix/compare/view?region={SEOUL}&pipeline={PIPELINE}&a=older&b=newest",
        "Timeline": f"/prefix/?region={SEOUL}&pipeline={PIPELINE}&execution=older"
                    "&tab=timeline",
    }
    assert "Compare" not in links_of(rows[0])  # the newest is not compared with itself


def test_aws_strings_are_text_with_hidden_characters_shown() -> None:
    hostile = '<img src=x onerror=alert(1)>\u202e'
    answer = {"executions": [run("abc", displayName=hostile, failureReason=hostile,
                                 parameters={"P<b>": hostile})]}
    table = executions_table(answer, pipeline=PIPELINE, region=SEOUL, newest=None,
                             relative=relative)
    text = page_text(table)
    assert "<img src=x onerror=alert(1)>\\u202e" in text and "\u202e" not in text
    assert "P<b>" in text
    # Nothing became markup: every component is an ordinary table part or a link.
    assert {type(c).__name__ for c in components(table)} <= {
        "Table", "Thead", "Tbody", "Tr", "Th", "Td", "Span", "Div", "Link"}


# -- loading ------------------------------------------------------------------------------------


def test_loading_a_page_and_its_next_token() -> None:
    cached = FakeCached(executions_answer={
        "pipeline": PIPELINE, "region": SEOUL, "executions": [run("abc")], "warnings": [],
        "generatedAt": "2025-03-02T08:00:00Z", "nextToken": TOKEN})
    loaded = load(app_state(cached), ExecutionsView(SEOUL, PIPELINE), relative)
    assert loaded.next_token == TOKEN and loaded.next_disabled is False
    assert loaded.first_disabled is True and loaded.notes == []
    assert "abc" in page_text(loaded.table) and "1 execution, first page" in page_text(
        loaded.summary)
    # What was asked: the API's request, parameters read, 20 a page.
    assert [name for name, _, _ in cached.calls] == ["executions", "executions"]


def test_what_the_api_refuses_is_a_note_naming_it() -> None:
    cached = FakeCached(executions_answer={"executions": []})
    for view, words in [
        (ExecutionsView(SEOUL, PIPELINE, status="Sleeping"), "status"),
        (ExecutionsView(SEOUL, PIPELINE, where=(("bad name", "x"),)), "param."),
        (ExecutionsView(SEOUL, PIPELINE, token="forged"), "token"),
        (ExecutionsView("mars-1", PIPELINE), "mars-1"),
    ]:
        loaded = load(app_state(cached), view, relative)
        assert words in loaded.notes[0]["detail"], (view, loaded.notes)
        assert loaded.table == [] and loaded.next_disabled is True
    assert cached.calls == []  # none reached the service
    chooser = load(app_state(cached), ExecutionsView(SEOUL), relative)
    assert chooser.notes[0]["title"] == "Choose a pipeline."
    missing = FakeCached(list_error=PipelineNotFound("pipeline not found"))
    assert load(app_state(missing), ExecutionsView(SEOUL, "gone"), relative).notes[0][
        "kind"] == "error"
