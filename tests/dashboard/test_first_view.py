"""The pipeline page's first view, drawn on the server from the URL (pipeline.first_view),
and the outline of a document not read yet (CachedLineage.lineage_soon)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from dash import no_update
from flask import Flask
from flask_caching import Cache

from dashboard.core.cache import OUTLINE, CachedLineage, LineageEntry, Ttls, lineage_key
from dashboard.server.app import create_app
from dashboard.ui import ids
from dashboard.ui.pages.pipeline.first_view import fill, first_view
from dashboard.ui.pages.pipeline.graph import OUTLINE_POLL_MS, load_view
from dashboard.ui.pages.pipeline.layout import build_layout
from dashboard.ui.pages.pipeline.view import View, sync_view, view_from_stores
from lineage.config import Settings
from lineage.request import LineageRequest
from lineage.sandbox import SandboxProcess, sandbox_environment
from lineage.service import LineageService
from tests.dashboard.conftest import FakeCached, app_state

DEFAULT = "ap-northeast-2"
JOB_DESCRIBES = ("DescribeTrainingJob", "DescribeProcessingJob", "DescribeTransformJob")


@pytest.fixture(autouse=True, scope="module")
def _dash_app() -> None:
    """A Dash app made once: the layout's links need its path prefix."""
    create_app({"CACHE_TYPE": "NullCache"})


def page_for(app: Any, query: dict[str, Any]) -> Any:
    page = build_layout(regions=app.regions, default_region=DEFAULT)
    fill(page, first_view(app, query))
    return page


def component(page: Any, component_id: str) -> Any:
    stack = [page]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
        elif hasattr(node, "_prop_names"):
            if getattr(node, "id", None) == component_id:
                return node
            stack.append(getattr(node, "children", None))
    raise AssertionError(f"no component {component_id}")


def said(notes: Any) -> str:
    return " ".join(f"{n['title']} {n['detail']}" for n in notes or ())


def test_a_url_with_a_cached_document_comes_with_its_graph(document: dict[str, Any]) -> None:
    cached = FakeCached(lineage_answer=document)
    page = page_for(app_state(cached), {"region": DEFAULT, "pipeline": "mlops-pipeline",
                                       "node": "Train"})
    graph = component(page, ids.GRAPH)
    drawn = {element["data"]["id"] for element in graph.elements}
    assert {"step:Preprocess", "step:Train", "step:Evaluate"} <= drawn
    assert graph.layout["name"] != "preset" or graph.layout  # a layout to run, not none
    assert [e for e in graph.elements if e["data"]["id"] == "step:Train"][0].get("selected")
    meta = component(page, ids.META).data
    assert meta["pipeline"] == "mlops-pipeline" and meta["shape"]
    assert component(page, ids.VIEW).data == View(DEFAULT, "mlops-pipeline").store()
    assert component(page, ids.NODE).data == "step:Train"
    assert component(page, ids.PIPELINE).value == "mlops-pipeline"
    assert {"label": "mlops-pipeline", "value": "mlops-pipeline"} in \
        component(page, ids.PIPELINE).options
    assert "Train" in component(page, ids.STEP_NAMES).data
    assert component(page, ids.SUMMARY).children is not None
    assert component(page, ids.EXPORT_JSON).disabled is False
    assert cached.calls and all(call[0] == "lineage" for call in cached.calls)
    # The selection's side panel open as a drawer (narrow screens), none without one.
    assert "drawer-open" in component(page, ids.WORKSPACE).className
    unselected = page_for(app_state(cached), {"region": DEFAULT, "pipeline": "mlops-pipeline"})
    assert "drawer-open" not in component(unselected, ids.WORKSPACE).className


def test_the_callbacks_fired_on_load_find_nothing_to_change(document: dict[str, Any]) -> None:
    """_sync with the values the first view put in the layout changes no control and no store
    (a second layout run would reset the camera)."""
    app = app_state(FakeCached(lineage_answer=document))
    search = "?region=ap-northeast-2&pipeline=mlops-pipeline&node=Train&data=1&layout=dagre"
    query = {"region": DEFAULT, "pipeline": "mlops-pipeline", "node": "Train", "data": "1",
             "layout": "dagre"}
    page = page_for(app, query)
    value = {name: component(page, name) for name in (
        ids.REGION, ids.PIPELINE, ids.EXECUTION, ids.DATA_VIEW, ids.LAYOUT_CHOICE, ids.COLOR,
        ids.TAB, ids.TRENDS_LAST)}
    view, node = component(page, ids.VIEW).data, component(page, ids.NODE).data
    synced = sync_view(
        None, search=search, region=value[ids.REGION].value,
        pipeline=value[ids.PIPELINE].value, execution=value[ids.EXECUTION].value,
        selected=[], step_query=None, step_names=component(page, ids.STEP_NAMES).data,
        current=view_from_stores(view, node, value[ids.COLOR].value, value[ids.TAB].value,
                                 value[ids.TRENDS_LAST].value),
        default_region=DEFAULT, data_view=value[ids.DATA_VIEW].value,
        layout_choice=value[ids.LAYOUT_CHOICE].value, color=value[ids.COLOR].value,
        tab=value[ids.TAB].value, last=value[ids.TRENDS_LAST].value,
    ).outputs()
    changed = {name for name, out in synced.items()
               if out is not no_update and name != "search_message"}
    assert changed == set()
    assert view["data"] is True and view["layout"] == "dagre"
    # And _render, asked again for that view, keeps the layout (the same shape).
    again = load_view(app, view_from_stores(view, node), previous=component(page, ids.META).data)
    assert again.layout is no_update


def test_a_bad_region_in_the_url_is_the_note_the_callbacks_give() -> None:
    cached = FakeCached(lineage_answer={})
    app = app_state(cached)
    page = page_for(app, {"region": "xx-nowhere-9", "pipeline": "mlops-pipeline"})
    notes = component(page, ids.VIEW_NOTES).data
    assert "xx-nowhere-9" in said(notes)
    expected = load_view(app, View("xx-nowhere-9", "mlops-pipeline")).notes
    assert notes == list(expected)
    assert component(page, ids.GRAPH).elements == []
    assert component(page, ids.META).data is None
    assert cached.calls == []  # refused before AWS


def test_no_pipeline_says_choose_one_and_draws_nothing() -> None:
    page = page_for(app_state(FakeCached()), {})
    assert "Choose a pipeline." in said(component(page, ids.VIEW_NOTES).data)
    assert component(page, ids.GRAPH).elements == []
    assert component(page, ids.META).data is None


# -- the outline of a document not read yet ------------------------------------------------


@pytest.fixture
def slow_documents(sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
                   ) -> Iterator[tuple[CachedLineage, threading.Event, Cache]]:
    """A real cached service over the sandbox whose document reads wait for an event (their
    outlines do not)."""
    for key, value in sandbox_environment(sandbox.endpoint).items():
        if value:
            monkeypatch.setenv(key, value)
        else:
            monkeypatch.delenv(key, raising=False)
    app = Flask(__name__)
    cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    service = LineageService(Settings.from_env())
    release = threading.Event()
    read = service.get_lineage

    def slow(request: LineageRequest, **kwargs: Any) -> Any:
        if not request.outline:
            release.wait(30)
        return read(request, **kwargs)

    monkeypatch.setattr(service, "get_lineage", slow)
    with app.app_context():
        yield CachedLineage(service, cache, Ttls()), release, cache
    release.set()
    service.close()


def test_an_outline_first_never_stored_as_the_document_then_the_document(
    slow_documents: tuple[CachedLineage, threading.Event, Cache], sandbox: SandboxProcess
) -> None:
    memo, release, cache = slow_documents
    request = LineageRequest(pipeline="mlops-pipeline", region=DEFAULT)
    key = lineage_key(request, s3=memo.service.settings.enable_s3_meta)
    sandbox.reset_calls()
    first = memo.lineage_soon(request)
    assert first.partial and first.source == OUTLINE
    outline = first.document()
    assert {node["id"] for node in outline["graph"]["nodes"]} >= {"Train", "Evaluate"}
    assert any((node.get("run") or {}).get("status") for node in outline["graph"]["nodes"])
    # The outline asked no job's Describe*: its details come with the document.
    assert not [c for c in sandbox.calls() if c["operation"] in JOB_DESCRIBES]
    assert cache.get(key) is None  # never the document
    assert memo.lineage_soon(request).partial  # a poll while the document is read
    release.set()
    deadline = time.monotonic() + 30
    while (served := memo.lineage_soon(request)).partial:
        assert time.monotonic() < deadline, "the document was never read"
        time.sleep(0.05)
    entry = cache.get(key)
    assert isinstance(entry, LineageEntry) and entry.body == served.body != first.body
    assert [c for c in sandbox.calls() if c["operation"] in JOB_DESCRIBES]
    with pytest.raises(ValueError):
        memo.lineage(replace(request, outline=True))


def test_the_page_draws_an_outline_with_a_note_and_polls(document: dict[str, Any]) -> None:
    class Outlined(FakeCached):
        def lineage_soon(self, request: Any, *, stats: Any = None) -> Any:
            return replace(self.lineage(request), source=OUTLINE, partial=True)

    app = app_state(Outlined(lineage_answer=document))
    loaded = load_view(app, View(DEFAULT, "mlops-pipeline"))
    assert "Reading details" in said(loaded.notes)
    assert loaded.meta["partial"] is True
    assert loaded.interval_disabled is False and loaded.interval_ms == OUTLINE_POLL_MS
    assert loaded.export_disabled
    # The document, once read, has the same steps: drawn without moving the camera.
    full = load_view(app_state(FakeCached(lineage_answer=document)), View(DEFAULT,
                     "mlops-pipeline"), previous=loaded.meta)
    assert full.layout is no_update and "partial" not in full.meta
    assert "Reading details" not in said(full.notes)
