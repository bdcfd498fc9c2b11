"""document -> Cytoscape elements, and the server-side layered layout."""

from __future__ import annotations

from typing import Any

from dashboard.ui.components.elements import (
    ARTIFACT_TYPE,
    INSECURE,
    LARGE_GRAPH_NODES,
    MAX_ROWS,
    SECURE,
    document_elements,
    element_of_node,
    layered_positions,
    layout_for,
    node_of_element,
    wants_preset,
    with_selected,
)
from lineage.models import NOT_STARTED


def nodes(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in elements if "source" not in e["data"]]


def edges(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in elements if "source" in e["data"]]


def test_steps_become_nodes_with_status_type_and_classes(document: dict[str, Any]) -> None:
    graph = document_elements(document)
    steps = {e["data"]["id"]: e for e in nodes(graph.elements)}
    assert list(steps) == [f"step:{n['id']}" for n in document["graph"]["nodes"]]
    assert graph.step_names == [n["id"] for n in document["graph"]["nodes"]]
    train = steps["step:Train"]
    assert train["data"] == {"id": "step:Train", "label": "Train", "kind": "step",
                             "type": "Training", "status": "Succeeded",
                             "risk": "unassessed"}  # this document predates risk
    assert train["classes"].split() == ["step", "type-training", "status-succeeded",
                                        "risk-unassessed"]
    # AUCTooLow did not run: no "run" in the contract, NotStarted here.
    assert steps["step:AUCTooLow"]["data"]["status"] == NOT_STARTED
    assert "status-notstarted" in steps["step:AUCTooLow"]["classes"]
    assert "type-fail" in steps["step:AUCTooLow"]["classes"]
    # A type we have no shape for is still drawn, as "other".
    document["graph"]["nodes"][0]["type"] = "Brand<New>Type"
    first = nodes(document_elements(document).elements)[0]
    assert first["data"]["type"] == "Brand<New>Type"
    assert "type-other" in first["classes"]


def test_edges_carry_via_and_what_the_label_needs(document: dict[str, Any]) -> None:
    graph = document_elements(document)
    by_id = {e["data"]["id"]: e for e in edges(graph.elements)}
    assert len(by_id) == len(document["graph"]["edges"])
    ref = by_id["edge:ref:Get:step:Preprocess->step:Train"]
    assert (ref["data"]["source"], ref["data"]["target"]) == ("step:Preprocess", "step:Train")
    assert ref["data"]["via"] == "ref:Get"
    assert ref["data"]["property"].startswith("Steps.Preprocess.ProcessingOutputConfig")
    assert ref["classes"] == "edge via-ref-get"
    assert by_id["edge:dependsOn:step:Preprocess->step:Evaluate"]["classes"] == (
        "edge via-dependson")
    branch = by_id["edge:condition:step:CheckAUC->step:AUCTooLow"]["data"]
    assert (branch["branch"], branch["label"]) == ("else", "else")


def test_status_failed_and_unknown(document: dict[str, Any]) -> None:
    document["graph"]["nodes"][1]["run"]["status"] = "Failed"
    document["graph"]["nodes"][2]["run"]["status"] = "SomethingNew"
    steps = nodes(document_elements(document).elements)
    assert "status-failed" in steps[1]["classes"]
    assert steps[2]["data"]["status"] == "SomethingNew"
    assert "status-unknown" in steps[2]["classes"]


def test_edges_to_missing_steps_are_dropped(document: dict[str, Any]) -> None:
    document["graph"]["edges"].append({"from": "Ghost", "to": "Train", "via": "dependsOn"})
    ids = {e["data"]["id"] for e in edges(document_elements(document).elements)}
    assert not any("Ghost" in i for i in ids)


def test_data_view_adds_artifacts_between_producers_and_consumers(
    document: dict[str, Any],
) -> None:
    document["graph"]["edges"].append({"from": "Train", "to": "Evaluate", "via": "artifact"})
    insecure = document["graph"]["artifacts"][3]  # Preprocess/train, read by Train
    insecure["s3"].update(encryption="None", versioning="Suspended", publicAccess="NotBlocked")
    plain = document_elements(document)
    graph = document_elements(document, data_view=True)
    artifacts = [e for e in nodes(graph.elements) if e["data"]["kind"] == "artifact"]
    assert len(artifacts) == len(document["graph"]["artifacts"])
    assert graph.step_names == plain.step_names  # the search box only finds steps
    bad = next(a for a in artifacts if a["data"]["id"] == f"artifact:{insecure['id']}")
    assert bad["data"]["type"] == ARTIFACT_TYPE
    assert bad["data"]["status"] == INSECURE
    assert bad["data"]["issues"] == ["unencrypted", "versioning not enabled",
                                     "public access not blocked"]
    assert bad["data"]["label"] == "\u26a0 train"  # the badge
    assert "artifact-insecure" in bad["classes"]
    good = next(a for a in artifacts if a is not bad)
    assert good["data"]["status"] == SECURE and not good["data"]["label"].startswith("\u26a0")
    vias = {(e["data"]["source"], e["data"]["target"], e["data"]["via"])
            for e in edges(graph.elements)}
    node_id = f"artifact:{insecure['id']}"
    assert ("step:Preprocess", node_id, "writes") in vias
    assert (node_id, "step:Train", "reads") in vias
    # Drawn through the artifact instead.
    assert ("step:Train", "step:Evaluate", "artifact") not in vias
    assert ("step:Train", "step:Evaluate", "artifact") in {
        (e["data"]["source"], e["data"]["target"], e["data"]["via"])
        for e in edges(plain.elements)
    }


def test_artifact_without_s3_settings_is_not_read(document: dict[str, Any]) -> None:
    for artifact in document["graph"]["artifacts"]:
        artifact.pop("s3")
    graph = document_elements(document, data_view=True)
    statuses = {e["data"]["status"] for e in nodes(graph.elements)
                if e["data"]["kind"] == "artifact"}
    assert statuses == {"NotRead"}


def test_selected_node_is_marked_without_changing_the_render(document: dict[str, Any]) -> None:
    graph = document_elements(document)
    assert not any(e.get("selected") for e in graph.elements)
    marked = with_selected(graph.elements, "step:Evaluate")
    assert [e["data"]["id"] for e in nodes(marked) if e["selected"]] == ["step:Evaluate"]
    assert not any(e.get("selected") for e in graph.elements)  # a cached render stays as is
    assert with_selected(graph.elements, None) is graph.elements


def big_document(steps: int) -> dict[str, Any]:
    names = [f"S{i}" for i in range(steps)]
    return {
        "graph": {
            "nodes": [{"id": n, "type": "Processing"} for n in names],
            "edges": [{"from": names[0], "to": n, "via": "dependsOn"} for n in names[1:]],
            "artifacts": [],
        }
    }


def test_large_graphs_get_server_positions() -> None:
    small = document_elements(big_document(LARGE_GRAPH_NODES))
    assert not small.preset  # laid out in the browser, starting from the server's positions
    assert all("position" in e for e in nodes(small.elements))
    assert len({(e["position"]["x"], e["position"]["y"]) for e in nodes(small.elements)}) == len(
        nodes(small.elements)), "no two nodes start on one another"
    large = document_elements(big_document(LARGE_GRAPH_NODES + 1))
    assert large.preset
    placed = [e for e in nodes(large.elements)]
    assert all("position" in e for e in placed)
    assert layout_for("auto", preset=True)["name"] == "preset"
    # The user's choice wins over the size.
    assert wants_preset("layered") is True and wants_preset("dagre") is False
    assert wants_preset("auto") is None


def test_layered_positions_run_left_to_right_without_overlaps() -> None:
    ids = ["a", "b", "c", "d", "e"]
    links = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e")]
    pos = layered_positions(ids, links)
    for source, target in links:
        assert pos[source][0] < pos[target][0]
    assert pos["a"][0] == pos["d"][0] == 0  # sources in the first layer
    assert len(set(pos.values())) == len(ids)
    # c is two hops from a (longest path), not one.
    assert pos["c"][0] > pos["b"][0]


def test_layered_positions_wrap_tall_layers_and_survive_cycles() -> None:
    ids = ["root", *[f"n{i}" for i in range(3 * MAX_ROWS)]]
    pos = layered_positions(ids, [("root", n) for n in ids[1:]])
    assert len(set(pos.values())) == len(ids)
    assert len({pos[n][0] for n in ids[1:]}) == 3  # one layer in three columns
    ys = [pos[n][1] for n in ids[1:]]
    assert max(ys) - min(ys) < MAX_ROWS * 100
    cyclic = layered_positions(["x", "y"], [("x", "y"), ("y", "x")])
    assert set(cyclic) == {"x", "y"}


def test_layouts() -> None:
    dagre = layout_for("auto", preset=False)
    assert (dagre["name"], dagre["rankDir"]) == ("dagre", "LR")
    assert layout_for("grid", preset=False)["name"] == "grid"
    assert layout_for("breadthfirst", preset=False)["name"] == "breadthfirst"


def test_element_ids_start_with_their_kind_so_no_name_is_special() -> None:
    names = ["__proto__", "constructor", "toString", "hasOwnProperty", "artifact:1"]
    document = {"graph": {
        "nodes": [{"id": n, "type": "Processing"} for n in names],
        "edges": [{"from": "__proto__", "to": "constructor", "via": "dependsOn"}],
        "artifacts": [{"id": "1", "uri": "s3://b/k", "producers": ["toString"],
                       "consumers": []}],
    }}
    graph = document_elements(document, data_view=True)
    element_ids = [e["data"]["id"] for e in graph.elements]
    assert len(set(element_ids)) == len(element_ids)
    assert all(i.startswith(("step:", "artifact:", "edge:")) for i in element_ids)
    # A step named like an artifact's id is still a step of its own.
    assert {"step:artifact:1", "artifact:1"} <= set(element_ids)
    assert [e["data"]["label"] for e in nodes(graph.elements)][:2] == ["__proto__", "constructor"]
    assert graph.step_names == names


def test_edge_ids_stay_unique_when_names_spell_another_edge() -> None:
    # "a->step:b" -> "c" and "a" -> "b->step:c" spell the same "source->target".
    names = ["a->step:b", "c", "a", "b->step:c"]
    document = {"graph": {
        "nodes": [{"id": n, "type": "Processing"} for n in names],
        "edges": [{"from": "a->step:b", "to": "c", "via": "dependsOn"},
                  {"from": "a", "to": "b->step:c", "via": "dependsOn"}],
    }}
    edge_ids = [e["data"]["id"] for e in edges(document_elements(document).elements)]
    assert len(edge_ids) == 2 and len(set(edge_ids)) == 2


def test_the_url_names_a_step_plainly_and_maps_back_to_its_element() -> None:
    for node, element in [("Train", "step:Train"), ("__proto__", "step:__proto__"),
                          ("artifact:4", "artifact:4"),
                          # a step whose name reads as an element id keeps its prefix
                          ("step:artifact:4", "step:artifact:4"),
                          ("step:step:x", "step:step:x")]:
        assert element_of_node(node) == element
        assert node_of_element(element) == node


def test_labels_and_tooltips_show_hidden_characters_as_escapes() -> None:
    spoof = "Train\u202egnp.exe"
    document = {"graph": {
        "nodes": [{"id": spoof, "type": "Training"}],
        "edges": [],
        "artifacts": [{"id": "1", "uri": "s3://b/\u2066x\u2069/model.tar.gz",
                       "key": "\u2066x\u2069/model.tar.gz", "producers": [spoof],
                       "consumers": []}],
    }}
    graph = document_elements(document, data_view=True)
    step, artifact = nodes(graph.elements)
    assert step["data"]["label"] == "Train\\u202egnp.exe"  # literally, backslash and all
    assert step["data"]["id"] == f"step:{spoof}"  # the id stays exact: it finds the step
    assert graph.step_names == [spoof]
    assert artifact["data"]["uri"] == "s3://b/\\u2066x\\u2069/model.tar.gz"
    assert artifact["data"]["label"] == "model.tar.gz"
