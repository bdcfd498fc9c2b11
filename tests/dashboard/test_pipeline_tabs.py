"""The pipeline page's tabs as plain functions: the tab and ``last`` in the URL, a trend
chart's point opening its execution, the Timeline and Trends tabs drawn from the cached
service (their errors as notes), and the links to the Compare and Executions pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from dash import no_update

from dashboard.core import analytics
from dashboard.core.cache import Served
from dashboard.ui import ids
from dashboard.ui.components.elements import LAYOUT_AUTO
from dashboard.ui.components.timeline_chart import CRITICAL_PATH_ATTRIBUTE, TIMELINE_GRAPH
from dashboard.ui.components.trend_charts import TREND_CHART
from dashboard.ui.pages.pipeline.tabs import (
    compare_href,
    compare_with_options,
    executions_href,
    load_timeline,
    load_trends,
    shown_execution,
)
from dashboard.ui.pages.pipeline.view import (
    LATEST,
    TAB_GRAPH,
    TAB_TIMELINE,
    TAB_TRENDS,
    View,
    parse_query,
    sync_view,
)
from lineage.analytics_request import TrendsRequest
from lineage.errors import ExecutionNotFound
from lineage.request import LineageRequest
from tests.dashboard.conftest import FakeCached, app_state
from tests.dashboard.test_trend_charts import trends_of
from tests.dashboard.trees import components, flat, page_text

DEFAULT = "ap-northeast-2"
MLOPS = View(DEFAULT, "mlops-pipeline")
AFTER = datetime(2025, 3, 2, 9, tzinfo=UTC)
ARN = "arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/mlops-pipeline/execution/"


def said(notes: Any) -> str:
    return " ".join(f"{n['title']} {n['detail']}" for n in notes or ())


NOTHING = View()


def sync(trigger: Any, current: View = NOTHING, **values: Any) -> Any:
    args: dict[str, Any] = dict(search=None, region=None, pipeline=None, execution=LATEST,
                                selected=None, step_query=None, step_names=None,
                                data_view=[], layout_choice=LAYOUT_AUTO)
    args.update(values)
    return sync_view(trigger, current=current, default_region=DEFAULT, **args)


# -- the URL ----------------------------------------------------------------------------------


def test_the_tab_and_last_round_trip_and_the_defaults_stay_out_of_the_url() -> None:
    view = View(DEFAULT, "mlops-pipeline", "e1", tab=TAB_TRENDS, last="50")
    assert view.query().endswith("&tab=trends&last=50")
    assert parse_query(view.query(), DEFAULT) == view
    assert View(DEFAULT, "p", last="20").query() == "?region=ap-northeast-2&pipeline=p"
    assert parse_query("?pipeline=p&last=20", DEFAULT).last is None
    # An unknown tab is the graph, as an unknown layout is the default one.
    for bad in ("?tab=gantt", "?tab=", "?tab=" + "x" * 600, "?tab=Timeline"):
        assert parse_query(bad, DEFAULT).tab == TAB_GRAPH
    # last is kept as given: /trends' own check refuses a bad one, with a note.
    assert parse_query("?last=0", DEFAULT).last == "0"


def test_the_url_sets_the_tab_and_runs_and_a_tab_pushes_the_url() -> None:
    out = sync(None, search="?region=ap-northeast-2&pipeline=mlops-pipeline&tab=timeline"
                            "&last=50", tab=TAB_GRAPH, last="20")
    assert (out.tab, out.last) == (TAB_TIMELINE, "50")
    # The graph does not depend on the tab: its store is as without one.
    assert out.view == {"region": DEFAULT, "pipeline": "mlops-pipeline", "execution": None,
                        "data": False, "layout": LAYOUT_AUTO}
    same = sync(ids.URL, current=View(DEFAULT, "mlops-pipeline", tab=TAB_TIMELINE),
                search="?region=ap-northeast-2&pipeline=mlops-pipeline&tab=timeline",
                region=DEFAULT, pipeline="mlops-pipeline", tab=TAB_TIMELINE, last="20")
    assert (same.tab, same.last, same.view) == (no_update, no_update, no_update)
    chosen = sync(ids.TAB, current=View(DEFAULT, "mlops-pipeline", tab=TAB_TRENDS),
                  search="?region=ap-northeast-2&pipeline=mlops-pipeline", tab=TAB_TRENDS)
    assert chosen.url_search == "?region=ap-northeast-2&pipeline=mlops-pipeline&tab=trends"
    assert chosen.view is no_update  # the graph stays as it is
    back = sync(ids.TAB, current=MLOPS, search=chosen.url_search, tab=TAB_GRAPH)
    assert back.url_search == "?region=ap-northeast-2&pipeline=mlops-pipeline"
    runs = sync(ids.TRENDS_LAST, current=View(DEFAULT, "mlops-pipeline", tab=TAB_TRENDS,
                                              last="100"),
                search=chosen.url_search, last="100")
    assert runs.url_search.endswith("&tab=trends&last=100")


def test_another_pipeline_or_region_keeps_the_tab() -> None:
    current = View(DEFAULT, "mlops-pipeline", tab=TAB_TRENDS, last="50")
    out = sync(ids.PIPELINE, current=current, region=DEFAULT, pipeline="churn-pipeline")
    assert out.url_search == ("?region=ap-northeast-2&pipeline=churn-pipeline&tab=trends"
                              "&last=50")
    region = sync(ids.REGION, current=current, region="us-east-1", pipeline="mlops-pipeline")
    assert region.url_search == "?region=us-east-1&tab=trends&last=50"


def test_a_trend_point_opens_its_execution_in_the_graph_tab() -> None:
    current = View(DEFAULT, "mlops-pipeline", None, "step:Train", tab=TAB_TRENDS)
    click = {"points": [{"x": "2025-03-01 07:00:00", "y": 25, "customdata": "q7v2m9k3x1ab"}]}
    out = sync({"type": TREND_CHART, "chart": "duration"}, current=current, trend_click=click)
    assert out.url_search == ("?region=ap-northeast-2&pipeline=mlops-pipeline"
                              "&execution=q7v2m9k3x1ab")
    assert (out.execution, out.tab, out.node) == ("q7v2m9k3x1ab", TAB_GRAPH, None)
    assert out.view["execution"] == "q7v2m9k3x1ab"
    # Anything else a chart may send opens nothing.
    junks: list[Any] = [None, {}, {"points": []}, {"points": [{"customdata": {"x": 1}}]},
                        {"points": [{"customdata": "x" * 600}]}, "points"]
    for junk in junks:
        assert sync({"type": TREND_CHART, "chart": "status"}, current=current,
                    trend_click=junk).url_search is no_update


# -- the Timeline tab ---------------------------------------------------------------------------


def test_the_timeline_is_drawn_from_the_graphs_document_with_its_critical_path(
    document: dict[str, Any],
) -> None:
    cached = FakeCached(lineage_answer=document)
    view = View(DEFAULT, "mlops-pipeline", "r3a5pd8rmk8r", tab=TAB_TIMELINE)
    drawn = load_timeline(app_state(cached), view, now=AFTER)
    [(name, request, refresh)] = cached.calls
    assert request == LineageRequest("mlops-pipeline", DEFAULT, execution="r3a5pd8rmk8r")
    assert (name, refresh) == ("lineage", False)
    assert drawn.notes == []
    found: dict[Any, Any] = {getattr(c, "id", None): c for c in components(drawn.content)}
    graph = found[TIMELINE_GRAPH]
    assert graph.figure.layout.uirevision == document["execution"]["arn"]  # zoom kept
    assert graph.style == {"height": f"{graph.figure.layout.height}px"}
    path = json.loads(getattr(found["timeline-critical-path"], CRITICAL_PATH_ATTRIBUTE))
    assert path and path[0] == "Preprocess"
    assert document["execution"]["id"] in page_text(drawn.content)


def test_another_tab_draws_no_timeline_and_says_nothing(document: dict[str, Any]) -> None:
    cached = FakeCached(lineage_answer=document)
    for tab in (TAB_GRAPH, TAB_TRENDS):
        drawn = load_timeline(app_state(cached), View(DEFAULT, "mlops-pipeline", tab=tab))
        assert drawn.content is no_update and drawn.notes == []
    empty = load_timeline(app_state(cached), View(DEFAULT, tab=TAB_TIMELINE))
    assert empty.content == [] and empty.notes == []
    assert cached.calls == []


def test_a_timeline_that_cannot_be_drawn_is_a_note() -> None:
    cached = FakeCached(lineage_error=ExecutionNotFound("execution not found"))
    drawn = load_timeline(app_state(cached), View(DEFAULT, "mlops-pipeline", "zzz",
                                                  tab=TAB_TIMELINE))
    assert drawn.content == [] and "Execution not found" in said(drawn.notes)
    bad = load_timeline(app_state(cached), View("mars-1", "mlops-pipeline", tab=TAB_TIMELINE))
    assert "mars-1 is not a region where SageMaker is available" in said(bad.notes)
    typed = load_timeline(app_state(cached), View(DEFAULT, {"x": 1}, tab=TAB_TIMELINE))  # type: ignore[arg-type]
    assert "pipeline must be text" in said(typed.notes)
    assert len(cached.calls) == 1  # only the well-formed request reached the service


# -- the Trends tab -------------------------------------------------------------------------------


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[TrendsRequest, bool]]:
    """analytics.trends answering the components' own trends, recording each request."""
    calls: list[tuple[TrendsRequest, bool]] = []
    answer = json.dumps(trends_of())

    def trends(cached: Any, request: TrendsRequest, *, refresh: bool = False,
               stats: Any = None) -> Served:
        calls.append((request, refresh))
        return Served(answer, "hit")

    monkeypatch.setattr(analytics, "trends", trends)
    return calls


def test_the_trends_of_the_last_runs(asked: list[tuple[TrendsRequest, bool]]) -> None:
    app = app_state(FakeCached())
    drawn = load_trends(app, View(DEFAULT, "mlops-pipeline", tab=TAB_TRENDS))
    assert asked == [(TrendsRequest("mlops-pipeline", DEFAULT, 20), False)]
    charts = [getattr(c, "id", None) for c in components(drawn.content)]
    assert {"type": TREND_CHART, "chart": "duration"} in charts and drawn.notes == []
    assert "Up to the 20 newest executions of mlops-pipeline," in flat(drawn.content)
    load_trends(app, View(DEFAULT, "mlops-pipeline", tab=TAB_TRENDS, last="100"), refresh=True)
    assert asked[-1] == (TrendsRequest("mlops-pipeline", DEFAULT, 100), True)
    assert load_trends(app, MLOPS).content is no_update and len(asked) == 2


@pytest.mark.parametrize("last", ["0", "101", "ten", "-5", "1e2"])
def test_a_bad_last_is_a_note_as_trends_says_it(
    asked: list[tuple[TrendsRequest, bool]], last: str
) -> None:
    drawn = load_trends(app_state(FakeCached()), View(DEFAULT, "mlops-pipeline",
                                                      tab=TAB_TRENDS, last=last))
    assert drawn.content == [] and asked == []
    assert "last must be a whole number from 1 to 100" in said(drawn.notes)


# -- links to the other pages -------------------------------------------------------------------


def test_compare_with_lists_the_other_executions_and_opens_the_compare_page() -> None:
    meta = {"region": DEFAULT, "pipeline": "mlops-pipeline", "execution": None,
            "executionArn": ARN + "r3a5pd8rmk8r"}
    assert shown_execution(meta) == "r3a5pd8rmk8r"
    options = [{"label": "Latest", "value": LATEST}, {"label": "r3", "value": "r3a5pd8rmk8r"},
               {"label": "q7", "value": "q7v2m9k3x1ab"}, "junk"]
    assert compare_with_options(options, meta) == [{"label": "q7", "value": "q7v2m9k3x1ab"}]
    assert compare_with_options(None, meta) == []
    assert compare_href(meta, "q7v2m9k3x1ab") == (
        "/compare/view?region=ap-northeast-2&pipeline=mlops-pipeline&a=r3a5pd8rmk8r"
        "&b=q7v2m9k3x1ab")
    for chosen in (None, "", "r3a5pd8rmk8r", {"x": 1}):
        assert compare_href(meta, chosen) is None
    assert compare_href({"pipeline": "p"}, "q7v2m9k3x1ab") is None  # nothing shown yet


def test_all_executions_links_the_pipelines_executions_page() -> None:
    assert executions_href(View(DEFAULT, "mlops pipeline&x")) == (
        "/executions/view?pipeline=mlops+pipeline%26x&region=ap-northeast-2")
    assert executions_href(View(DEFAULT)) is None
