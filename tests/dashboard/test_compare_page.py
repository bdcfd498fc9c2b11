"""The Compare page as plain functions: its URL (region, pipeline, a, b, only), the
dropdowns and the toggle kept in agreement with it, the comparison drawn from the cached
service's answer, and every refusal said as a note."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dash import no_update

from dashboard.core import analytics
from dashboard.core.cache import Served
from dashboard.ui import ids
from dashboard.ui.components.compare_view import COMPARE_SCHEMA_DRIFT, COMPARE_TABLE
from dashboard.ui.pages.compare.load import load, load_table
from dashboard.ui.pages.compare.view import (
    ONLY_ON,
    CompareView,
    parse_query,
    sync_view,
    view_from_stores,
)
from dashboard.ui.pages.pipeline.catalog import chosen_options
from lineage.analytics_request import CompareRequest
from lineage.errors import AwsThrottled, ExecutionNotFound, InvalidParameter
from tests.dashboard.conftest import FakeCached, app_state
from tests.dashboard.test_compare_view import (
    HOSTILE_REASON,
    NEWER,
    OLDER,
    comparison_of,
    drifted,
    with_drift,
)
from tests.dashboard.trees import components, strings

DEFAULT = "ap-northeast-2"
SHOWN = CompareView(DEFAULT, "mlops-pipeline", OLDER, NEWER)
QUERY = f"?region={DEFAULT}&pipeline=mlops-pipeline&a={OLDER}&b={NEWER}"


def said(notes: Any) -> str:
    return " ".join(f"{n['title']} {n['detail']}" for n in notes or ())


NOTHING = CompareView()


def sync(trigger: Any, current: CompareView = NOTHING, **values: Any) -> Any:
    args: dict[str, Any] = {"search": None, "a": None, "b": None, "only": []}
    args.update(values)
    return sync_view(trigger, current=current, default_region=DEFAULT, **args)


# -- the URL ---------------------------------------------------------------------------------


def test_the_url_holds_the_comparison() -> None:
    assert SHOWN.query() == QUERY
    assert parse_query(QUERY + "&only=1", DEFAULT) == CompareView(
        DEFAULT, "mlops-pipeline", OLDER, NEWER, only=True)
    assert parse_query("", DEFAULT) == CompareView(DEFAULT)
    assert parse_query("?a=" + "x" * 600, DEFAULT).a is None
    assert SHOWN.store() == {"region": DEFAULT, "pipeline": "mlops-pipeline", "a": OLDER,
                             "b": NEWER}
    assert view_from_stores("junk", [ONLY_ON]) == CompareView(only=True)


def test_the_url_sets_the_dropdowns_the_toggle_and_the_view() -> None:
    out = sync(None, search=QUERY + "&only=1")
    assert (out.a, out.b, out.only) == (OLDER, NEWER, [ONLY_ON])
    assert out.view == SHOWN.store() and out.url_search is no_update
    again = sync(ids.COMPARE_URL, current=SHOWN, search=QUERY, a=OLDER, b=NEWER)
    assert list(again.outputs().values()) == [no_update] * 5


def test_a_choice_pushes_the_url_and_the_view() -> None:
    out = sync(ids.COMPARE_B, current=SHOWN, search=QUERY, a=OLDER, b="h4d8s2n6p0cd")
    assert out.url_search == (f"?region={DEFAULT}&pipeline=mlops-pipeline&a={OLDER}"
                              "&b=h4d8s2n6p0cd")
    assert out.view["b"] == "h4d8s2n6p0cd"
    # A dropdown that drops a value its options do not hold yet gets it back.
    dropped = sync(ids.COMPARE_A, current=SHOWN, search=QUERY, a=None, b=NEWER)
    assert dropped.a == OLDER and dropped.url_search is no_update
    swapped = sync(ids.COMPARE_SWAP, current=SHOWN, search=QUERY, a=OLDER, b=NEWER)
    assert (swapped.a, swapped.b) == (NEWER, OLDER)
    assert swapped.url_search == f"?region={DEFAULT}&pipeline=mlops-pipeline&a={NEWER}&b={OLDER}"
    only = sync(ids.COMPARE_ONLY, current=CompareView(DEFAULT, "mlops-pipeline", OLDER, NEWER,
                                                     only=True), search=QUERY)
    assert only.url_search == QUERY + "&only=1" and only.view is no_update


# -- the comparison ------------------------------------------------------------------------------


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """analytics.compare answering the components' own comparison (or raising what
    ``asked.append(error)`` put first), recording each request."""
    calls: list[Any] = []
    answer = json.dumps(comparison_of())

    def compare(cached: Any, request: CompareRequest, *, refresh: bool = False,
                stats: Any = None) -> Served:
        errors = [c for c in calls if isinstance(c, BaseException)]
        calls.append((request, refresh))
        if errors:
            raise errors[0]
        return Served(answer, "hit")

    monkeypatch.setattr(analytics, "compare", compare)
    return calls


def test_the_comparison_is_drawn_at_once(asked: list[Any]) -> None:
    loaded = load(app_state(FakeCached()), SHOWN)
    assert asked == [(CompareRequest("mlops-pipeline", DEFAULT, OLDER, NEWER), False)]
    classes = {e["data"]["id"]: e["classes"] for e in loaded.elements}
    assert classes["step:CreateModel"].endswith("change-added")
    assert classes["step:Report"].endswith("change-removed")
    assert loaded.layout["name"] == "dagre" and loaded.notes == []
    assert loaded.schema is None  # no schemaDrift in the answer: no Dataset schemas section
    tables = [c for c in components(loaded.table) if getattr(c, "id", None) == COMPARE_TABLE]
    assert len(tables) == 1
    every = [c for c in components(loaded.table) if "difference " in str(
        getattr(c, "className", ""))]
    only = load_table(app_state(FakeCached()), CompareView(
        DEFAULT, "mlops-pipeline", OLDER, NEWER, only=True))
    fewer = [c for c in components(only) if "difference " in str(getattr(c, "className", ""))]
    assert 0 < len(fewer) < len(every)
    assert all(getattr(row, "data-change") != "same" for row in fewer)
    # AWS's strings stay text (the components escape; nothing turns them into markup).
    assert HOSTILE_REASON in strings(loaded.table)
    assert [c for c in components(loaded.where) if getattr(c, "id", None) == "compare-open-a"]


def test_the_schema_drift_is_drawn_beside_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = json.dumps(with_drift(drifted()))
    monkeypatch.setattr(analytics, "compare", lambda *args, **kwargs: Served(answer, "hit"))

    loaded = load(app_state(FakeCached()), SHOWN)

    assert getattr(loaded.schema, "id", None) == COMPARE_SCHEMA_DRIFT
    assert "tenure_months" in strings(loaded.schema)
    assert "dataset schemas: 1 drifted, 0 the same" in strings(loaded.summary)
    assert set(loaded.outputs()) == {"elements", "layout", "summary", "table", "schema",
                                     "notes", "where"}


def test_nothing_chosen_is_said_in_words(asked: list[Any]) -> None:
    app = app_state(FakeCached())
    assert "Choose a pipeline" in said(load(app, CompareView(DEFAULT)).notes)
    assert "Choose two executions" in said(load(app, CompareView(DEFAULT, "p", OLDER)).notes)
    assert load_table(app, CompareView(DEFAULT, "p", OLDER)) is None
    assert asked == []


@pytest.mark.parametrize(("view", "words"), [
    (CompareView(DEFAULT, "mlops-pipeline", NEWER, NEWER), "a and b are the same execution"),
    (CompareView(DEFAULT, "mlops-pipeline", "<script>", NEWER),
     "a must be a pipeline execution ARN or execution id"),
    (CompareView(DEFAULT, "mlops-pipeline",
                 "arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/churn-pipeline/"
                 "execution/c1h2u3r4n5bb", NEWER),
     "a does not belong to this pipeline and region"),
    (CompareView("mars-1", "mlops-pipeline", OLDER, NEWER),
     "mars-1 is not a region where SageMaker is available"),
    (CompareView(DEFAULT, "mlops-pipeline", OLDER, {"x": 1}),  # type: ignore[arg-type]
     "b must be text"),
])
def test_a_comparison_the_api_refuses_is_a_note(asked: list[Any], view: CompareView,
                                                words: str) -> None:
    loaded = load(app_state(FakeCached()), view)
    assert words in said(loaded.notes) and loaded.elements == () and loaded.table is None
    assert "<script>" not in said(loaded.notes)
    assert asked == []  # refused before the service is asked


@pytest.mark.parametrize(("error", "words"), [
    (ExecutionNotFound("execution a not found for this pipeline"),
     "Execution a not found for this pipeline: mlops-pipeline has no such execution"),
    (InvalidParameter("b", "b does not belong to this pipeline and region"),
     "b does not belong to this pipeline and region"),
    (AwsThrottled("slow down"), "AWS is busy"),
    (RuntimeError("secret arn:aws:iam::123456789012:role/x"), "Something went wrong"),
])
def test_what_the_service_refuses_is_a_note(asked: list[Any], error: BaseException,
                                            words: str) -> None:
    asked.append(error)
    loaded = load(app_state(FakeCached()), SHOWN)
    assert words in said(loaded.notes), said(loaded.notes)
    assert "123456789012" not in said(loaded.notes) and loaded.table is None


def test_the_dropdowns_list_the_executions_and_keep_the_chosen_ones() -> None:
    cached = FakeCached(executions_answer={"executions": [
        {"id": NEWER, "status": "Succeeded", "startTime": "2025-03-02T07:00:00Z"},
        {"id": OLDER, "status": "Succeeded", "startTime": "2025-02-28T07:00:00Z",
         "displayName": "first\u202eexe.png"}]})
    app = app_state(cached)
    options = chosen_options(app, DEFAULT, "mlops-pipeline", [OLDER, "old0ne"], exclude=NEWER)
    assert [o["value"] for o in options] == [OLDER, "old0ne"]
    assert "first\\u202eexe.png" in options[0]["label"]  # hidden characters escaped
    assert chosen_options(app, DEFAULT, "bad name!", [OLDER]) == [
        {"label": OLDER, "value": OLDER}]
