"""The estate page's plain functions: what a search means, elements and their classes, the
highlight of an answer, loading through a fake cache (progress, errors, validation), the URL
and the side panel. No browser (tests/browser/test_estate_page.py drives the page)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from dash import no_update

from dashboard.core.cache import Served
from dashboard.ui import ids
from dashboard.ui.components.stylesheet import KIND_LOOK, estate_stylesheet
from dashboard.ui.pages.estate import details
from dashboard.ui.pages.estate.graph import (
    IMPACT,
    KINDS,
    NOTHING,
    PROVENANCE,
    SELECT,
    estate_elements,
    neighbourhood,
    plan_search,
    query_highlight,
    suggestions,
)
from dashboard.ui.pages.estate.load import load
from dashboard.ui.pages.estate.view import (
    EstateView,
    parse_query,
    picker_value,
    region_of_picker,
    sync_view,
)
from lineage.errors import EstateNodeNotFound
from lineage.estate_request import EstateRequest, ImpactRequest, ProvenanceRequest
from tests.dashboard.conftest import FakeCached, app_state
from tests.dashboard.trees import components, page_text

REGION = "ap-northeast-2"
A = "123456789012"
ARN = f"arn:aws:sagemaker:{REGION}:{A}"
FEATURES = "s3://features-b/features/customers"
RAW = "s3://raw-b/raw/customers"
FEATURE_PIPELINE = f"pipeline:{A}:{REGION}:features"
TRAINING = f"pipeline:{A}:{REGION}:training"
OTHER = f"pipeline:{A}:{REGION}:other"
PACKAGE = f"model-package:{ARN}:model-package/churn/1".lower()
MODEL = f"model:{ARN}:model/churn-v1".lower()
CONFIG = f"endpoint-config:{ARN}:endpoint-config/prod-config".lower()
ENDPOINT = f"endpoint:{ARN}:endpoint/prod".lower()


def node(node_id: str, kind: str, label: str, **attributes: Any) -> dict[str, Any]:
    return {"id": node_id, "kind": kind, "label": label, "region": REGION, "account": A,
            "attributes": attributes}


def edge(source: str, target: str, kind: str, *steps: str) -> dict[str, Any]:
    return {"from": source, "to": target, "kind": kind, "steps": list(steps)}


def execution(status: str, ident: str = "e1") -> dict[str, Any]:
    return {"id": ident, "arn": f"{ARN}:pipeline/x/execution/{ident}", "status": status,
            "startTime": "2025-03-01T09:00:00Z"}


INSECURE_S3 = {"encryption": "None", "versioning": "Disabled", "publicAccess": "NotBlocked",
               "tags": {}, "region": REGION}


def estate_document(progress: Any = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "nodes": [
            node(f"dataset:{FEATURES}", "dataset", FEATURES, bucket="features-b", uri=FEATURES,
                 s3=INSECURE_S3, uris=[f"{FEATURES}/e1"]),
            node(f"dataset:{RAW}", "dataset", RAW, bucket="raw-b", uri=RAW, s3=None),
            node(FEATURE_PIPELINE, "pipeline", "features", latestExecution=execution("Failed"),
                 executionsRead=["e1"]),
            node(TRAINING, "pipeline", "training\u202egnp", latestExecution=execution("Succeeded",
                                                                                    "t1")),
            node(OTHER, "pipeline", "other", latestExecution=None),
            node(PACKAGE, "model-package", "churn/1", arn=f"{ARN}:model-package/churn/1",
                 approvalStatus="Rejected"),
            node(MODEL, "model", "churn-v1", arn=f"{ARN}:model/churn-v1",
                 trainedBy=[{"pipeline": TRAINING, "step": "Train",
                             "execution": f"{ARN}:pipeline/training/execution/t1"}]),
            node(CONFIG, "endpoint-config", "prod-config"),
            node(ENDPOINT, "endpoint", "prod", arn=f"{ARN}:endpoint/prod", status="Updating"),
        ],
        "edges": [
            edge(f"dataset:{RAW}", FEATURE_PIPELINE, "reads", "Build"),
            edge(FEATURE_PIPELINE, f"dataset:{FEATURES}", "writes", "Build"),
            edge(f"dataset:{FEATURES}", TRAINING, "reads", "Train"),
            edge(TRAINING, PACKAGE, "registers", "Register"),
            edge(PACKAGE, MODEL, "builds"),
            edge(MODEL, CONFIG, "configures", "AllTraffic"),
            edge(CONFIG, ENDPOINT, "serves"),
        ],
        "warnings": [],
        "generatedAt": "2025-03-03T00:00:00Z",
    }
    if progress is not None:
        document["progress"] = progress
    return document


# The answers lineage.estate_queries gives for this estate.
IMPACT_ANSWER = {
    "starts": [f"dataset:{FEATURES}"],
    "reached": [
        {"id": f"dataset:{FEATURES}", "kind": "dataset", "path": [f"dataset:{FEATURES}"],
         "via": None, "steps": []},
        {"id": TRAINING, "kind": "pipeline", "path": [f"dataset:{FEATURES}", TRAINING],
         "via": "reads", "steps": ["Train"]},
        {"id": PACKAGE, "kind": "model-package", "path": [f"dataset:{FEATURES}", TRAINING,
                                                          PACKAGE], "via": "registers",
         "steps": ["Register"]},
    ],
    "byKind": {},
}
PROVENANCE_ANSWER = {
    "starts": [ENDPOINT],
    "reached": [
        {"id": ENDPOINT, "kind": "endpoint", "path": [ENDPOINT], "via": None, "steps": []},
        {"id": CONFIG, "kind": "endpoint-config", "path": [ENDPOINT, CONFIG], "via": "serves",
         "steps": []},
        {"id": MODEL, "kind": "model", "path": [ENDPOINT, CONFIG, MODEL], "via": "configures",
         "steps": ["AllTraffic"]},
    ],
    "byKind": {},
    "rawDatasets": [{"id": f"dataset:{RAW}", "kind": "dataset"}],
}


@dataclass
class FakeEstate(FakeCached):
    """FakeCached with the estate's three functions: canned answers, calls recorded."""

    estate_answer: Any = None
    estate_error: BaseException | None = None
    impact_answer: Any = None
    provenance_answer: Any = None
    query_error: BaseException | None = None
    estate_calls: list[tuple[str, Any]] = field(default_factory=list)

    def estate(self, request: EstateRequest, *, refresh: bool = False,
               stats: Any = None, progress: bool = False) -> Served:
        assert progress, "the page asks for progress: a first build must not block it"
        self.estate_calls.append(("estate", request))
        if self.estate_error is not None:
            raise self.estate_error
        return Served(json.dumps(self.estate_answer), "hit")

    def impact(self, request: ImpactRequest, *, stats: Any = None) -> Served:
        self.estate_calls.append(("impact", request))
        if self.query_error is not None:
            raise self.query_error
        return Served(json.dumps(self.impact_answer), "hit")

    def provenance(self, request: ProvenanceRequest, *, stats: Any = None) -> Served:
        self.estate_calls.append(("provenance", request))
        if self.query_error is not None:
            raise self.query_error
        return Served(json.dumps(self.provenance_answer), "hit")


@pytest.fixture
def cached() -> FakeEstate:
    return FakeEstate(estate_answer=estate_document(), impact_answer=IMPACT_ANSWER,
                      provenance_answer=PROVENANCE_ANSWER)


def by_id(elements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["data"]["id"]: e for e in elements}


def classes(elements: list[dict[str, Any]], element: str) -> set[str]:
    return set(by_id(elements)[element]["classes"].split())


# -- what a search means -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kind", "params", "selected"),
    [
        (FEATURES + "/", IMPACT, {"uri": FEATURES + "/"}, f"dataset:{FEATURES}"),
        ("s3://features-b/features", IMPACT, {"uri": "s3://features-b/features"}, None),
        (FEATURES, IMPACT, {"uri": FEATURES}, f"dataset:{FEATURES}"),
        ("features-b", IMPACT, {"bucket": "features-b"}, None),
        ("prod", PROVENANCE, {"endpoint": "prod"}, ENDPOINT),
        ("PROD", PROVENANCE, {"endpoint": "prod"}, ENDPOINT),
        (f"{ARN}:endpoint/prod", PROVENANCE, {"endpoint": "prod"}, ENDPOINT),
        ("churn/1", PROVENANCE, {"modelPackage": f"{ARN}:model-package/churn/1"}, PACKAGE),
        ("churn-v1", PROVENANCE, {"model": "churn-v1"}, MODEL),
        ("features", SELECT, {}, FEATURE_PIPELINE),
        ("training\\u202egnp", SELECT, {}, TRAINING),  # as it is shown, escaped
        ("prod-config", SELECT, {}, CONFIG),
        ("no-such-thing", NOTHING, {}, None),
    ],
)
def test_what_a_search_asks(query: str, kind: str, params: dict[str, str],
                            selected: str | None) -> None:
    plan = plan_search(query, estate_document())
    assert (plan.kind, dict(plan.params), plan.node) == (kind, params, selected)


def test_an_empty_search_or_one_of_the_wrong_type_asks_nothing() -> None:
    assert plan_search("  ", estate_document()).kind == "empty"
    assert plan_search({"q": "prod"}, estate_document()).kind == "empty"
    assert plan_search("prod", {"nodes": "not a list"}).kind == NOTHING


# -- elements ----------------------------------------------------------------------------------


def test_each_kind_has_its_class_status_and_approval_and_ids_are_the_estates() -> None:
    drawn = estate_elements(estate_document())
    assert drawn.node_count == 9 and not drawn.preset
    assert classes(drawn.elements, FEATURE_PIPELINE) >= {"estate-node", "kind-pipeline",
                                                         "status-failed"}
    assert "status-notstarted" in classes(drawn.elements, OTHER)  # never run
    assert classes(drawn.elements, ENDPOINT) >= {"kind-endpoint", "status-executing"}
    assert classes(drawn.elements, PACKAGE) >= {"kind-model-package", "approval-rejected"}
    assert classes(drawn.elements, f"dataset:{FEATURES}") >= {"kind-dataset",
                                                              "artifact-insecure"}
    assert "artifact-not-read" in classes(drawn.elements, f"dataset:{RAW}")
    assert by_id(drawn.elements)[f"dataset:{FEATURES}"]["data"]["label"].startswith("\u26a0")
    # A hidden character is drawn as its escape; the id stays exact.
    assert by_id(drawn.elements)[TRAINING]["data"]["label"] == "training\\u202egnp"
    edge_element = by_id(drawn.elements)[f"edge:serves:{CONFIG}->{ENDPOINT}"]
    assert edge_element["data"]["source"] == CONFIG and "via-serves" in edge_element["classes"]
    assert all("style" not in e for e in drawn.elements)  # looks live in the stylesheet
    assert not any({"dimmed", "on-path"} & set(e["classes"].split()) for e in drawn.elements)
    assert all("position" in e for e in drawn.elements if "source" not in e["data"])


def test_an_impact_lights_the_reached_nodes_and_their_paths_and_dims_the_rest() -> None:
    drawn = estate_elements(estate_document(), query_highlight(IMPACT_ANSWER, upstream=False))
    assert "query-start" in classes(drawn.elements, f"dataset:{FEATURES}")
    assert "on-path" in classes(drawn.elements, TRAINING)
    assert "on-path" in classes(drawn.elements, PACKAGE)
    assert "dimmed" in classes(drawn.elements, OTHER)
    assert "dimmed" in classes(drawn.elements, ENDPOINT)
    assert "on-path" in classes(drawn.elements, f"edge:reads:dataset:{FEATURES}->{TRAINING}")
    assert "on-path" in classes(drawn.elements, f"edge:registers:{TRAINING}->{PACKAGE}")
    assert "dimmed" in classes(drawn.elements, f"edge:builds:{PACKAGE}->{MODEL}")


def test_a_provenance_path_is_lit_along_the_estates_own_edges() -> None:
    highlight = query_highlight(PROVENANCE_ANSWER, upstream=True)
    assert highlight.edges == {(CONFIG, ENDPOINT, "serves"), (MODEL, CONFIG, "configures")}
    drawn = estate_elements(estate_document(), highlight)
    assert "on-path" in classes(drawn.elements, f"edge:configures:{MODEL}->{CONFIG}")
    assert "query-start" in classes(drawn.elements, ENDPOINT)


def test_a_pipelines_neighbourhood_is_what_it_reads_writes_and_feeds() -> None:
    found = neighbourhood(estate_document(), TRAINING)
    assert found.nodes == {TRAINING, f"dataset:{FEATURES}", PACKAGE}
    assert found.starts == {TRAINING}


def test_a_large_scope_is_laid_out_here() -> None:
    document = estate_document()
    document["nodes"] += [node(f"dataset:s3://b{i:03d}/x", "dataset", f"s3://b{i:03d}/x")
                          for i in range(200)]
    assert estate_elements(document).preset


def test_suggestions_hold_names_locations_buckets_and_package_arns() -> None:
    found = suggestions(estate_document())
    assert {"prod", "features", FEATURES, "features-b", "raw-b",
            f"{ARN}:model-package/churn/1", "training\\u202egnp"} <= set(found)
    assert found == sorted(set(found))


def test_the_stylesheet_has_a_look_for_every_kind_and_every_class_the_page_uses() -> None:
    sheet = estate_stylesheet()
    selectors = " ".join(rule["selector"] for rule in sheet)
    assert set(KIND_LOOK) == set(KINDS)
    shapes = {KIND_LOOK[kind][0] for kind in KINDS}
    assert len(shapes) == len(KINDS)  # each kind its own shape
    for name in ("dimmed", "on-path", "query-start", "approval-rejected", "via-serves",
                 "via-reads", "kind-endpoint", "status-failed", "artifact-insecure"):
        assert f".{name}" in selectors, name
    assert all("style" in rule for rule in sheet)


# -- loading -----------------------------------------------------------------------------------


def test_a_search_is_requested_as_the_api_requests_it(cached: FakeEstate) -> None:
    out = load(app_state(cached), EstateView(REGION, "prod")).outputs()
    kind, request = cached.estate_calls[-1]
    assert kind == "provenance"
    assert request == ProvenanceRequest(EstateRequest((REGION,)), endpoint="prod")
    assert out["search_message"].startswith("Upstream of \u201cprod\u201d")
    assert RAW in out["search_message"]
    assert "query-start" in classes(out["elements"], ENDPOINT)
    assert out["interval_disabled"] is True and out["notes"] == []
    assert out["layout"]["name"] == "dagre" and out["layout"]["rankDir"] == "LR"


def test_all_regions_and_a_bucket(cached: FakeEstate) -> None:
    load(app_state(cached, regions=(REGION, "us-east-1")), EstateView("all", "features-b"))
    assert cached.estate_calls[-1] == (
        "impact", ImpactRequest(EstateRequest((REGION, "us-east-1")), bucket="features-b"))


def test_a_first_build_under_way_says_how_far_it_got_and_polls(cached: FakeEstate) -> None:
    cached.estate_answer = estate_document({"pipelinesRead": 2, "pipelinesTotal": 5})
    out = load(app_state(cached), EstateView(REGION)).outputs()
    assert out["interval_disabled"] is False
    assert "2 of 5 pipelines read" in out["notes"][0]["detail"]
    assert len(out["elements"]) > 0  # what it has is drawn


def test_a_build_that_has_not_listed_yet_says_so(cached: FakeEstate) -> None:
    cached.estate_answer = {**estate_document({"pipelinesRead": 0, "pipelinesTotal": 0}),
                            "nodes": [], "edges": []}
    out = load(app_state(cached), EstateView(REGION)).outputs()
    assert out["notes"][0]["detail"] == "Listing the pipelines of this scope."
    assert out["interval_disabled"] is False


def test_a_search_waits_for_the_whole_estate_without_blocking_the_page(
    cached: FakeEstate,
) -> None:
    cached.estate_answer = estate_document({"pipelinesRead": 2, "pipelinesTotal": 5})
    out = load(app_state(cached), EstateView(REGION, FEATURES)).outputs()
    # /impact would wait for the whole build: it is asked once the estate is complete.
    assert [call for call, _ in cached.estate_calls] == ["estate"]
    assert "followed once the estate is read" in out["search_message"]
    assert out["interval_disabled"] is False

    cached.estate_answer = estate_document()
    out = load(app_state(cached), EstateView(REGION, FEATURES)).outputs()
    assert [call for call, _ in cached.estate_calls][-1] == "impact"
    assert out["interval_disabled"] is True


def test_a_region_not_offered_is_a_note_and_aws_is_not_asked(cached: FakeEstate) -> None:
    out = load(app_state(cached, regions=("us-east-1",)), EstateView(REGION)).outputs()
    assert out["notes"][0]["title"] == "Unknown region."
    assert out["elements"] == [] and cached.estate_calls == []


def test_an_endpoint_the_estate_lacks_is_a_note(cached: FakeEstate) -> None:
    cached.query_error = EstateNodeNotFound("no endpoint of that name in the estate")
    out = load(app_state(cached), EstateView(REGION, "prod")).outputs()
    assert out["notes"][0]["title"] == "Not found in the estate."
    assert "could not be followed" in out["search_message"]
    assert not any("dimmed" in e["classes"] for e in out["elements"])


def test_a_name_the_scope_lacks_is_said_in_words(cached: FakeEstate) -> None:
    out = load(app_state(cached), EstateView(REGION, "nope")).outputs()
    assert out["search_message"] == "Nothing in this scope is named \u201cnope\u201d"
    assert [kind for kind, _ in cached.estate_calls] == ["estate"]


# -- the URL -----------------------------------------------------------------------------------


def test_the_url_holds_the_view() -> None:
    view = EstateView("all", FEATURES + "/", f"dataset:{FEATURES}")
    assert parse_query(view.query(), REGION) == view
    assert parse_query("", REGION) == EstateView(REGION)
    assert parse_query({"not": "text"}, REGION) == EstateView(REGION)
    assert picker_value("a, b") == ["a", "b"] and picker_value("ALL") == ["all"]
    assert region_of_picker(["a", "b"]) == "a,b"
    assert region_of_picker(["a", "all"]) == "all"  # "all" chosen last
    assert region_of_picker(["all", "a"]) == "a"  # a region chosen after "all"
    assert region_of_picker([]) is None and region_of_picker({"x": 1}) is None


def test_first_load_sets_picker_box_view_and_selection() -> None:
    current = EstateView("")  # nothing read yet
    sync = sync_view(None, search=f"?region={REGION}&q=prod&node={ENDPOINT}", region=[REGION],
                     query=None, tapped=None, current=current, default_region=REGION)
    assert sync.view == {"region": REGION, "q": "prod"}
    assert sync.node == ENDPOINT and sync.search == "prod" and sync.region is no_update
    assert sync.url_search is no_update


def test_a_search_selects_what_it_names_and_pushes_a_url() -> None:
    current = EstateView(REGION, None, OTHER)
    seen: list[EstateView] = []

    def searched(view: EstateView) -> str:
        seen.append(view)
        return ENDPOINT

    sync = sync_view(ids.ESTATE_SEARCH, search=None, region=[REGION], query=" prod ",
                     tapped=None, current=current, default_region=REGION,
                     searched_node=searched)
    assert seen == [EstateView(REGION, "prod", OTHER)]
    assert sync.view == {"region": REGION, "q": "prod"} and sync.node == ENDPOINT
    assert parse_query(sync.url_search, REGION) == EstateView(REGION, "prod", ENDPOINT)


def test_a_tap_and_a_region_change_push_urls() -> None:
    current = EstateView(REGION, "prod", ENDPOINT)
    tapped = sync_view(ids.ESTATE_GRAPH, search=None, region=[REGION], query=None,
                       tapped={"id": MODEL}, current=current, default_region=REGION)
    assert tapped.node == MODEL and tapped.view is no_update
    assert parse_query(tapped.url_search, REGION) == EstateView(REGION, "prod", MODEL)
    moved = sync_view(ids.ESTATE_REGION, search=None, region=[REGION, "us-east-1"], query=None,
                      tapped=None, current=current, default_region=REGION)
    assert moved.view == {"region": f"{REGION},us-east-1", "q": "prod"} and moved.node is None
    emptied = sync_view(ids.ESTATE_REGION, search=None, region=[], query=None, tapped=None,
                        current=current, default_region=REGION)
    assert emptied.region == [REGION] and emptied.view is no_update
    assert sync_view(ids.ESTATE_GRAPH, search=None, region=None, query=None, tapped="junk",
                     current=current, default_region=REGION).outputs() == {
        "url_search": no_update, "region": no_update, "search": no_update,
        "view": no_update, "node": no_update, "color": no_update}


# -- the side panel ----------------------------------------------------------------------------


@pytest.fixture
def relative(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages router's prefix, without an app."""
    monkeypatch.setattr(details, "relative_path", lambda path: path)


def links(tree: Any) -> list[str]:
    found: list[Any] = components(tree)  # Dash's components are untyped
    return [str(c.href) for c in found if getattr(c, "href", None)]


def test_a_pipelines_panel_links_to_the_pipeline_page_at_its_run(
    cached: FakeEstate, relative: None
) -> None:
    tree = details.panel_for(app_state(cached), EstateView(REGION, None, FEATURE_PIPELINE))
    assert links(tree) == [f"/?region={REGION}&pipeline=features&execution=e1"]
    text = page_text(tree)
    assert "Failed" in text and "Build" in text  # its status, the steps on its edges


def test_a_models_panel_links_to_the_run_that_trained_it(cached: FakeEstate,
                                                        relative: None) -> None:
    tree = details.panel_for(app_state(cached), EstateView(REGION, "prod", MODEL))
    # The pipeline's name as its node id holds it (the name AWS knows).
    assert links(tree) == [f"/?region={REGION}&pipeline=training&execution=t1"]
    text = page_text(tree)
    assert "training, step Train, run t1" in text
    assert "prod \u2192 prod-config \u2192 churn-v1" in text  # how the search reached it


def test_a_datasets_panel_shows_its_bucket_settings(cached: FakeEstate, relative: None) -> None:
    tree = details.panel_for(app_state(cached), EstateView(REGION, None, f"dataset:{FEATURES}"))
    text = page_text(tree)
    assert "Bucket settings" in text and "versioning not enabled" not in text
    assert "\u26a0 Disabled" in text and f"{FEATURES}/e1" in text
    assert links(tree) == []


def test_an_unknown_selection_is_said(cached: FakeEstate, relative: None) -> None:
    tree = details.panel_for(app_state(cached), EstateView(REGION, None, "model:nope"))
    assert "Nothing with the id model:nope in this scope." in page_text(tree)
