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
    layered_positions,
    layout_for,
    wants_preset,
)
from lineage.models import NOT_STARTED


def nodes(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in elements if "source" not in e["data"]]


def edges(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in elements if "source" in e["data"]]


def test_steps_become_nodes_with_status_type_and_classes(document: dict[str, Any]) -> None:
    graph = document_elements(document)
    steps = {e["data"]["id"]: e for e in nodes(graph.elements)}
    assert list(steps) == [n["id"] for n in document["graph"]["nodes"]]
    assert graph.step_names == list(steps)
    train = steps["Train"]
    assert train["data"] == {"id": "Train", "label": "Train", "kind": "step",
                             "type": "Training", "status": "Succeeded"}
    assert train["classes"].split() == ["step", "type-training", "status-succeeded"]
    # AUCTooLow did not run: no "run" in the contract, NotStarted here.
    assert steps["AUCTooLow"]["data"]["status"] == NOT_STARTED
    assert "status-notstarted" in steps["AUCTooLow"]["classes"]
    assert "type-fail" in steps["AUCTooLow"]["classes"]
    # A type we have no shape for is still drawn, as "other".
    document["graph"]["nodes"][0]["type"] = "Brand<New>Type"
    first = nodes(document_elements(document).elements)[0]
    assert first["data"]["type"] == "Brand<New>Type"
    assert "type-other" in first["classes"]


def test_edges_carry_via_and_what_the_label_needs(document: dict[str, Any]) -> None:
    graph = document_elements(document)
    by_id = {e["data"]["id"]: e for e in edges(graph.elements)}
    assert len(by_id) == len(document["graph"]["edges"])
    ref = by_id["ref:Get:Preprocess->Train"]
    assert ref["data"]["via"] == "ref:Get"
    assert ref["data"]["property"].startswith("Steps.Preprocess.ProcessingOutputConfig")
    assert ref["classes"] == "edge via-ref-get"
    assert by_id["dependsOn:Preprocess->Evaluate"]["classes"] == "edge via-dependson"
    branch = by_id["condition:CheckAUC->AUCTooLow"]["data"]
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
    assert "dependsOn:Ghost->Train" not in ids


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
    assert ("Preprocess", node_id, "writes") in vias
    assert (node_id, "Train", "reads") in vias
    assert ("Train", "Evaluate", "artifact") not in vias  # drawn through the artifact instead
    assert ("Train", "Evaluate", "artifact") in {
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


def test_selected_node_is_marked(document: dict[str, Any]) -> None:
    graph = document_elements(document, selected="Evaluate")
    assert [e["data"]["id"] for e in nodes(graph.elements) if e["selected"]] == ["Evaluate"]


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
