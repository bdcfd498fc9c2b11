"""Focus, path and filters on a drawn graph (components.lens), and their URL parameters
(pipeline.lens_query, pipeline.tools)."""

from __future__ import annotations

from typing import Any

import pytest
from dash import no_update

from dashboard.ui import ids
from dashboard.ui.components.elements import document_elements
from dashboard.ui.components.groups import collapsed_keys, step_groups
from dashboard.ui.components.lens import Lens, look, neighbourhood, paths_between
from dashboard.ui.pages.pipeline.tools import tool_values, tools_search
from dashboard.ui.pages.pipeline.view import View, parse_query, sync_view, view_from_stores
from lineage.sandbox.world.scale import scale_definition
from tests.dashboard.test_groups import definition_document

DEFAULT = "ap-northeast-2"
# A diamond and a tail: A -> B -> D, A -> C -> D, D -> E; F alone.
DIAMOND = [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("D", "E")]


@pytest.fixture(scope="module")
def scale() -> dict[str, Any]:
    return definition_document(scale_definition(), "scale-pipeline")


def marked(elements: list[dict[str, Any]], cls: str) -> set[str]:
    return {e["data"]["id"] for e in elements if cls in e.get("classes", "").split()}


def test_neighbourhood_to_a_depth_up_and_down() -> None:
    assert neighbourhood(DIAMOND, "B", 1) == {"A", "B", "D"}
    assert neighbourhood(DIAMOND, "B", 2) == {"A", "B", "D", "E"}  # C is a cousin, not kin
    assert neighbourhood(DIAMOND, "D", None) == {"A", "B", "C", "D", "E"}
    # A free node (an artifact in the data view) costs no hop.
    assert neighbourhood([("S", "a"), ("a", "T"), ("T", "U")], "S", 1, free={"a"}) == {
        "S", "a", "T"}


def test_every_path_and_how_many() -> None:
    assert paths_between(DIAMOND, "A", "E") == ({"A", "B", "C", "D", "E"}, 2)
    assert paths_between(DIAMOND, "B", "E") == ({"B", "D", "E"}, 1)
    assert paths_between(DIAMOND, "B", "C") == (set(), 0)
    assert paths_between(DIAMOND, "E", "A") == (set(), 0)  # against the edges: none
    long = [(str(i), str(i + 1)) for i in range(5000)]  # no recursion limit on a chain
    assert paths_between(long, "0", "5000")[1] == 1


def test_focus_depths_dim_different_nodes_of_scale_pipeline(scale: dict[str, Any]) -> None:
    elements = document_elements(scale).elements
    def dimmed(depth: str) -> set[str]:
        return marked(look(elements, Lens(node="step:Features-03", focus=depth)).elements,
                      "dimmed")
    one, two, every = dimmed("1"), dimmed("2"), dimmed("all")
    steps = {e["data"]["id"] for e in elements if "source" not in e["data"]}
    near = {"step:Features-03", "step:Clean-03", "step:Profile-03", "step:Evaluate-03",
            "step:Score-03", *(f"step:Train-03-{v}" for v in "ABC")}
    assert steps - one == near
    assert "step:Split-03" in one and "step:Split-03" not in two
    assert "step:Model-03" in one and "step:Model-03" not in two
    assert one > two > every
    assert "step:Train-04-A" in every and "step:Ingest" not in every
    hidden = look(elements, Lens(node="step:Features-03", focus="1", hide=True)).elements
    assert marked(hidden, "hidden") == one | marked(hidden, "hidden") - steps
    assert marked(hidden, "dimmed") == set()


def test_focus_on_an_artifact_in_the_data_view(scale: dict[str, Any]) -> None:
    elements = document_elements(scale, data_view=True).elements
    artifact = next(e["data"] for e in elements if e["data"].get("kind") == "artifact"
                    and "Features-03/train" in e["data"]["uri"])
    kept = {e["data"]["id"] for e in look(elements, Lens(node=artifact["id"], focus="1"))
            .elements if "source" not in e["data"]} - marked(
        look(elements, Lens(node=artifact["id"], focus="1")).elements, "dimmed")
    assert {"step:Features-03", "step:Train-03-A", "step:Train-03-C"} <= kept
    assert "step:Clean-03" not in kept


def test_path_between_two_scale_pipeline_steps(scale: dict[str, Any]) -> None:
    elements = document_elements(scale).elements
    looked = look(elements, Lens(node="step:Clean-05", path="step:Evaluate-05"))
    expected = {"step:Clean-05", "step:Profile-05", "step:Features-05", "step:Evaluate-05",
                *(f"step:Train-05-{v}" for v in "ABC")}
    assert set(looked.path_nodes) == expected == marked(looked.elements, "on-path")
    # Clean -> Features directly or through Profile; then through A, B, C or straight (test).
    assert looked.path_count == 8
    assert marked(looked.elements, "path-end") == {"step:Clean-05", "step:Evaluate-05"}
    on_edges = [e["data"] for e in looked.elements if "path-edge" in e.get("classes", "")]
    assert all(e["source"] in expected and e["target"] in expected for e in on_edges)
    backwards = look(elements, Lens(node="step:Evaluate-05", path="step:Clean-05"))
    assert (backwards.path_count, backwards.path_from) == (8, "step:Clean-05")
    none = look(elements, Lens(node="step:Clean-05", path="step:Clean-06"))
    assert none.path_count == 0


def test_filters_by_status_and_type_keep_groups_with_a_matching_member(
        scale: dict[str, Any]) -> None:
    groups = step_groups(scale)
    folded = document_elements(scale, groups=groups,
                               folding=collapsed_keys(groups, 123, None)).elements
    looked = look(folded, Lens(types=("Training",)))
    nodes = {e["data"]["id"] for e in folded if "source" not in e["data"]}
    assert nodes - marked(looked.elements, "dimmed") == {
        "group:Train-*-A", "group:Train-*-B", "group:Train-*-C"}
    none = look(folded, Lens(statuses=("Failed",)))
    assert marked(none.elements, "dimmed") >= nodes  # the definition alone: nothing failed


def test_a_lens_without_a_selection_or_filter_changes_nothing(scale: dict[str, Any]) -> None:
    elements = document_elements(scale).elements
    assert look(elements, Lens(focus="2")).elements == elements
    assert look(elements, Lens(node="step:Ingest")).elements == elements


# -- the URL --------------------------------------------------------------------------------


def test_the_url_holds_focus_path_filters_and_groups() -> None:
    view = parse_query("?pipeline=p&node=Clean-05&focus=2&hide=1&path=Evaluate-05"
                       "&status=Failed,Succeeded&type=Training&collapse=all&expand=Train-*-A",
                       DEFAULT)
    assert (view.focus, view.hide, view.path) == ("2", True, "step:Evaluate-05")
    assert (view.status, view.types) == (("Succeeded", "Failed"), ("Training",))
    assert (view.collapse, view.expand, view.invalid) == ("all", ("Train-*-A",), ())
    assert parse_query(view.query(), DEFAULT) == view
    assert view_from_stores(view.store(), view.node) == view
    assert View(pipeline="p").store() == {"region": None, "pipeline": "p", "execution": None,
                                          "data": False, "layout": "auto"}


def test_unknown_values_fall_back_to_the_default_and_are_named() -> None:
    view = parse_query("?pipeline=p&focus=9&hide=maybe&status=Failed,Weird&type=Nope", DEFAULT)
    assert (view.focus, view.hide, view.status, view.types) == ("off", False, ("Failed",), ())
    assert set(view.invalid) == {("focus", "9"), ("hide", "maybe"), ("status", "Weird"),
                                 ("type", "Nope")}
    assert "focus" not in view.query() and "Weird" not in view.query()
    # Of the wrong shape in a store: the default.
    odd = view_from_stores({"pipeline": "p", "focus": {"x": 1}, "status": "Failed",
                            "invalid": "x"}, None)
    assert (odd.focus, odd.status, odd.invalid) == ("off", (), ())


def test_a_tap_on_a_group_opens_it_and_a_tap_on_its_box_closes_it() -> None:
    current = View(pipeline="p", node="step:Train-01-A")
    tapped = {"id": "group:Train-*-A", "groupKey": "Train-*-A", "collapsed": True,
              "base": "all", "members": ["step:Train-01-A"]}
    opened = sync_view(ids.GRAPH, search=None, region=None, pipeline="p", execution=None,
                       selected=[tapped], step_query=None, step_names=None, current=current,
                       default_region=DEFAULT)
    assert "expand=Train-%2A-A" in opened.url_search
    new = view_from_stores(opened.view, current.node)
    assert new.expand == ("Train-*-A",)
    closed = sync_view(ids.GRAPH, search=None, region=None, pipeline="p", execution=None,
                       selected=[{**tapped, "collapsed": False}], step_query=None,
                       step_names=None, current=new, default_region=DEFAULT)
    assert "expand" not in closed.url_search
    assert closed.node is None  # the selection was inside: it goes with the group
    # On an open base (a small pipeline, collapse=Name): the list says what is collapsed.
    small = View(pipeline="p", collapse="A-*,B-*")
    reopened = sync_view(ids.GRAPH, search=None, region=None, pipeline="p", execution=None,
                         selected=[{"id": "group:A-*", "groupKey": "A-*", "collapsed": True,
                                    "base": "none"}], step_query=None, step_names=None,
                         current=small, default_region=DEFAULT)
    assert view_from_stores(reopened.view, None).collapse == "B-*"


def test_the_tools_write_the_url_and_the_url_sets_the_tools() -> None:
    search = "?pipeline=p&node=Clean-05"
    out = tools_search(ids.FOCUS, search, DEFAULT, focus="2", hide=[], path_to=None,
                       status=[], types=[])
    assert parse_query(out, DEFAULT).focus == "2"
    assert tools_search(ids.FOCUS, out, DEFAULT, focus="2", hide=[], path_to=None,
                        status=[], types=[]) is no_update  # as the URL says already
    path = tools_search(ids.PATH_TO, out, DEFAULT, focus="2", hide=["on"],
                        path_to=" Evaluate-05 ", status=["Failed", {"x": 1}],
                        types=["Bogus"])
    parsed = parse_query(path, DEFAULT)
    assert (parsed.path, parsed.hide, parsed.status, parsed.types) == (
        "step:Evaluate-05", True, ("Failed",), ())
    assert parse_query(tools_search(ids.COLLAPSE_ALL, path, DEFAULT, focus=None, hide=None,
                                    path_to=None, status=None, types=None),
                       DEFAULT).collapse == "all"
    assert parse_query(tools_search(ids.EXPAND_ALL, path, DEFAULT, focus=None, hide=None,
                                    path_to=None, status=None, types=None),
                       DEFAULT).collapse == "none"
    values = tool_values(parsed, {"stepTypes": ["Processing", "Training"]},
                         {"focus": "off", "hide": [], "path_to": "", "status": [],
                          "types": []})
    assert (values["focus"], values["hide"], values["path_to"]) == ("2", ["on"], "Evaluate-05")
    assert [o["value"] for o in values["type_options"]] == ["Processing", "Training"]
    same = tool_values(parsed, None, {"focus": "2", "hide": ["on"], "path_to": "Evaluate-05",
                                      "status": ["Failed"], "types": []})
    assert same["focus"] is no_update and same["status"] is no_update
    assert same["path_to"] is no_update
