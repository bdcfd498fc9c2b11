"""The page validates what the browser sends exactly as the API does, before AWS is reached.

A region that is no region (``zz-evil-9``), one this server does not offer (``us-east-1``
with ``LINEAGE_REGIONS=ap-northeast-2``), a bad pipeline or execution, or a value of the
wrong type (a dict where a string goes) is a note in the page; the cached service is never
asked, and nothing raises. First as plain functions, then through the app's real callbacks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from dash import no_update

from dashboard.core.config import ENV_REGIONS
from dashboard.core.state import install_state, state
from dashboard.server.app import create_app
from dashboard.ui import ids
from dashboard.ui.components.messages import shown
from dashboard.ui.pages.pipeline.catalog import execution_options, pipeline_options
from dashboard.ui.pages.pipeline.details import edge_caption, panel_for
from dashboard.ui.pages.pipeline.export import export_json, export_png
from dashboard.ui.pages.pipeline.graph import load_view
from dashboard.ui.pages.pipeline.view import LATEST, View, sync_view, view_from_stores
from tests.dashboard.conftest import FakeCached, app_state
from tests.dashboard.trees import page_text
from tests.dashpost import CALLBACK_PATH, callback_json

OFFERED = ("ap-northeast-2",)  # LINEAGE_REGIONS=ap-northeast-2
REFUSED_REGIONS = ["zz-evil-9", "us-east-1"]  # not a region; a region not offered
WRONG_TYPES = [{"region": "ap-northeast-2"}, ["ap-northeast-2"], 5, True, 1.5]
PIPELINE = "mlops-pipeline"


def said(notes: Any) -> str:
    return " ".join(f"{n['title']} {n['detail']}" for n in notes or ())


def recording(document: dict[str, Any]) -> FakeCached:
    """Answers anything, and records every call: the tests expect none."""
    return FakeCached(lineage_answer=document, pipelines_answer={"pipelines": []},
                      executions_answer={"executions": []})


def every_function(app: Any, region: Any, pipeline: Any = PIPELINE,
                   execution: Any = None) -> dict[str, Any]:
    """What each function that can reach AWS makes of one view."""
    meta = {"region": region, "pipeline": pipeline, "execution": execution}
    return {
        "graph": load_view(app, View(region, pipeline, execution)),
        "graph without a pipeline": load_view(app, View(region)),
        "pipelines": pipeline_options(app, region, None),
        "executions": execution_options(app, region, pipeline, None),
        "panel": panel_for(app, meta, None),
        "export": export_json(app, meta),
    }


@pytest.mark.parametrize("region", REFUSED_REGIONS)
def test_a_region_the_api_refuses_never_reaches_the_service(
    region: str, document: dict[str, Any]
) -> None:
    cached = recording(document)
    out = every_function(app_state(cached, regions=OFFERED), region)
    assert cached.calls == []
    expected = f"{region} is not a region where SageMaker is available"
    assert expected in said(out["graph"].notes)
    assert expected in said(out["graph without a pipeline"].notes)
    assert expected in said(out["pipelines"][2])
    assert expected in page_text(out["panel"])
    assert out["executions"] == [{"label": "Latest execution", "value": LATEST}]
    assert out["export"] is no_update
    # The same view in an offered region does reach it: the fake above was listening.
    every_function(app_state(cached, regions=OFFERED), "ap-northeast-2")
    assert {name for name, _, _ in cached.calls} == {"lineage", "pipelines", "executions"}


@pytest.mark.parametrize("value", WRONG_TYPES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("where", ["region", "pipeline", "execution"])
def test_a_value_of_the_wrong_type_is_invalid_input_not_an_exception(
    where: str, value: Any, document: dict[str, Any]
) -> None:
    cached = recording(document)
    view = {"region": "ap-northeast-2", "pipeline": PIPELINE, "execution": None, where: value}
    out = every_function(app_state(cached, regions=OFFERED), **view)
    assert [c for c in cached.calls if c[0] == "lineage"] == []
    words = said(out["graph"].notes)
    if where == "region":
        assert "is not a region where SageMaker is available" in words
        assert cached.calls == []
    else:
        assert f"{where} must be text" in words
    assert out["graph"].elements == () and out["export"] is no_update


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"pipeline": "bad name!"}, "pipeline"),
     ({"pipeline": PIPELINE, "execution": "NOT AN ID"}, "execution"),
     ({"pipeline": PIPELINE, "execution": "arn:aws:sagemaker:ap-northeast-2:123456789012:"
                                          "pipeline/other/execution/abc"}, "execution")],
)
def test_the_page_says_what_the_api_says(params: dict[str, str], parameter: str,
                                         document: dict[str, Any]) -> None:
    app = create_app({"CACHE_TYPE": "NullCache", ENV_REGIONS: OFFERED})
    answer = app.server.test_client().get("/lineage", query_string=params)
    assert answer.status_code == 400 and parameter in answer.get_json()["message"]
    cached = recording(document)
    loaded = load_view(app_state(cached, regions=OFFERED),
                       View("ap-northeast-2", params["pipeline"], params.get("execution")))
    assert answer.get_json()["message"] in said(loaded.notes)
    assert cached.calls == []


def test_stores_and_events_of_any_shape_never_raise(document: dict[str, Any]) -> None:
    app = app_state(recording(document), regions=OFFERED)
    for odd in ["x", 5, [1, 2], {"a": 1}, None, True]:
        view_from_stores(odd, odd)
        load_view(app, view_from_stores(odd, odd), previous=odd)
        panel_for(app, odd, odd)
        assert export_png(odd) is no_update
        assert export_json(app, odd) is no_update
        assert "Hover over" in edge_caption(odd) or odd == {"a": 1}
        shown(odd, [odd])
        for trigger in (None, ids.URL, ids.REGION, ids.PIPELINE, ids.EXECUTION, ids.GRAPH,
                        ids.SEARCH, ids.DATA_VIEW, ids.LAYOUT_CHOICE, {"type": "x"}):
            sync_view(trigger, search=odd, region=odd, pipeline=odd, execution=odd,
                      selected=odd, step_query=odd, step_names=odd, current=View(),
                      default_region="ap-northeast-2", data_view=odd, layout_choice=odd)


# -- through the app's own callbacks -------------------------------------------------------------


@pytest.fixture
def served(document: dict[str, Any]) -> tuple[Any, FakeCached]:
    """The app with LINEAGE_REGIONS=ap-northeast-2, its cached service a recording fake."""
    app = create_app({"CACHE_TYPE": "NullCache", ENV_REGIONS: OFFERED})
    cached = recording(document)
    install_state(app.server, replace(state(app.server), cached=cached))
    return app, cached


def post(app: Any, output: str, values: dict[str, Any], changed: list[str]) -> Any:
    response = app.server.test_client().post(
        CALLBACK_PATH, data=callback_json(app, output, values, changed=changed),
        content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def view_of(region: Any) -> dict[str, Any]:
    return {"region": region, "pipeline": PIPELINE, "execution": None, "data": False,
            "layout": "auto"}


# Each callback that can reach AWS: its output, its values with the region where it reads
# it, what changed.
CALLBACKS: dict[str, tuple[str, Callable[[Any], dict[str, Any]], list[str]]] = {
    "graph": (f"{ids.GRAPH}.elements", lambda r: {f"{ids.VIEW}.data": view_of(r)},
              [f"{ids.VIEW}.data"]),
    "pipelines": (f"{ids.PIPELINE}.options", lambda r: {f"{ids.REGION}.value": r},
                  [f"{ids.REGION}.value"]),
    "executions": (f"{ids.EXECUTION}.options",
                   lambda r: {f"{ids.PIPELINE}.value": PIPELINE, f"{ids.REGION}.value": r},
                   [f"{ids.PIPELINE}.value"]),
    "panel": (f"{ids.PANEL}.children", lambda r: {f"{ids.META}.data": view_of(r)},
              [f"{ids.META}.data"]),
    "export": (f"{ids.DOWNLOAD}.data",
               lambda r: {f"{ids.EXPORT_JSON}.n_clicks": 1, f"{ids.META}.data": view_of(r)},
               [f"{ids.EXPORT_JSON}.n_clicks"]),
}


@pytest.mark.parametrize("region", [*REFUSED_REGIONS, {"region": "ap-northeast-2"}],
                         ids=["zz-evil-9", "not-offered", "a-dict"])
@pytest.mark.parametrize("callback", list(CALLBACKS))
def test_no_callback_takes_a_region_the_server_does_not_offer(
    served: tuple[Any, FakeCached], callback: str, region: Any
) -> None:
    app, cached = served
    output, values, changed = CALLBACKS[callback]
    answer = post(app, output, values(region), changed)
    assert cached.calls == []
    if callback in ("graph", "pipelines", "panel"):  # they say it; the others stay quiet
        assert "is not a region where SageMaker is available" in json.dumps(answer)
    post(app, output, values("ap-northeast-2"), changed)
    assert cached.calls, "an offered region reaches the service"


def test_the_region_dropdown_offers_only_the_servers_regions(
    served: tuple[Any, FakeCached],
) -> None:
    app, cached = served
    answer = post(app, f"{ids.REGION}.options", {f"{ids.PAGE}.id": ids.PAGE},
                  [f"{ids.PAGE}.id"])
    assert [o["value"] for o in answer[ids.REGION]["options"]] == list(OFFERED)
    assert cached.calls == [("pipelines", OFFERED, False)]
