"""A big document is drawn once per process; another document or option draws it again."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from dash import no_update

from dashboard.ui.components import elements
from dashboard.ui.pages.pipeline import graph
from dashboard.ui.pages.pipeline.graph import RENDERS, load_view
from dashboard.ui.pages.pipeline.rendered import MIN_NODES, RenderCache
from dashboard.ui.pages.pipeline.view import View
from tests.dashboard.conftest import FakeCached, app_state

VIEW = View("ap-northeast-2", "big-pipeline")


def big_document(steps: int, generated_at: str = "2025-03-02T08:00:00Z") -> dict[str, Any]:
    names = [f"S{i}" for i in range(steps)]
    return {
        "pipeline": {"name": "big-pipeline"},
        "generatedAt": generated_at,
        "graph": {
            "nodes": [{"id": n, "type": "Processing"} for n in names],
            "edges": [{"from": a, "to": b, "via": "dependsOn"}
                      for a, b in zip(names, names[1:], strict=False)],
            "artifacts": [{"id": "1", "uri": "s3://b/k", "producers": ["S0"],
                           "consumers": ["S1"]}],
        },
    }


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the graph's elements were built (one entry each)."""
    RENDERS.clear()
    built: list[int] = []
    real = elements.document_elements

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(graph, "document_elements", counted)
    yield built
    RENDERS.clear()


def test_the_same_big_document_is_drawn_once(draws: list[int]) -> None:
    app = app_state(FakeCached(lineage_answer=big_document(MIN_NODES)))
    first = load_view(app, VIEW)
    again = load_view(app, VIEW, previous=first.meta)
    assert len(draws) == 1
    assert again.elements == first.elements and again.meta == first.meta
    assert again.layout is no_update  # the same shape as shown: the viewport is kept
    # Another selection is marked on the same render, not drawn again.
    chosen = load_view(app, View(VIEW.region, VIEW.pipeline, node="step:S5"))
    assert len(draws) == 1
    assert [e["data"]["id"] for e in chosen.elements if e.get("selected")] == ["step:S5"]
    assert not any(e.get("selected") for e in load_view(app, VIEW).elements)


def test_another_document_or_option_is_drawn_again(draws: list[int]) -> None:
    app = app_state(FakeCached(lineage_answer=big_document(MIN_NODES)))
    load_view(app, VIEW)
    load_view(app, View(VIEW.region, VIEW.pipeline, data=True))
    load_view(app, View(VIEW.region, VIEW.pipeline, layout="grid"))
    assert len(draws) == 3
    newer = app_state(FakeCached(lineage_answer=big_document(
        MIN_NODES, generated_at="2025-03-02T08:05:00Z")))
    load_view(newer, VIEW)
    assert len(draws) == 4
    load_view(app, VIEW)  # the first is still kept
    assert len(draws) == 4


def test_small_documents_are_not_kept(draws: list[int]) -> None:
    app = app_state(FakeCached(lineage_answer=big_document(MIN_NODES - 2)))  # + 1 artifact
    load_view(app, VIEW)
    load_view(app, VIEW)
    assert len(draws) == 2 and len(RENDERS) == 0


def test_the_cache_is_bounded_by_entries_and_elements() -> None:
    renders: RenderCache[list[int]] = RenderCache(size=len, keep=lambda _: True,
                                                 max_entries=2, max_elements=10)
    for key in "abc":
        renders.get(key, lambda: [0])
    assert len(renders) == 2
    assert renders.get("a", lambda: [1]) == [1]  # the least recently used went first
    renders.get("big", lambda: [0] * 10)  # 10 + 1 > 10: the others go
    assert len(renders) == 1
    renders.get("huge", lambda: [0] * 11)  # larger than the budget: drawn, not kept
    assert len(renders) == 1 and renders.get("huge", lambda: [2]) == [2]


def test_concurrent_renders_of_one_document_draw_it_once() -> None:
    renders: RenderCache[str] = RenderCache(size=len, keep=lambda _: True)
    drawn: list[str] = []

    def slow() -> str:
        drawn.append("x")
        time.sleep(0.2)
        return "drawing"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(renders.get("k", slow)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert drawn == ["x"] and results == ["drawing"] * 8


def test_the_key_is_the_documents_text(draws: list[int]) -> None:
    document = big_document(MIN_NODES)
    same_text = app_state(FakeCached(lineage_answer=json.loads(json.dumps(document))))
    load_view(app_state(FakeCached(lineage_answer=document)), VIEW)
    load_view(same_text, VIEW)
    assert len(draws) == 1
