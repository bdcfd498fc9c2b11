"""Steps grouped by a natural key, and a graph folded by its groups (components.groups)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboard.ui.components.elements import document_elements
from dashboard.ui.components.groups import (
    COLLAPSE_ABOVE,
    Folding,
    collapsed_keys,
    family_key,
    group_label,
    step_groups,
)
from lineage.definition import parse_definition
from lineage.graph import build_document
from lineage.models import PipelineInfo
from lineage.sandbox.world.scale import scale_definition

DEFINITIONS = Path(__file__).resolve().parents[1] / "fixtures" / "definitions"


def definition_document(definition: Any, name: str = "p") -> dict[str, Any]:
    """The lineage document of a definition alone (no execution), as the engine builds it."""
    parsed = parse_definition(json.dumps(definition) if not isinstance(definition, str)
                              else definition)
    document = build_document(parsed, pipeline=PipelineInfo(name=name),
                              generated_at=datetime(2026, 1, 1, tzinfo=UTC))
    answer: dict[str, Any] = document.to_dict()
    return answer


def fixture_names(name: str) -> list[str]:
    data = json.loads((DEFINITIONS / name).read_text(encoding="utf-8"))
    return [step["Name"] for step in data["Steps"]]


@pytest.fixture(scope="module")
def scale() -> dict[str, Any]:
    return definition_document(scale_definition(), "scale-pipeline")


@pytest.mark.parametrize(("name", "family"), [
    ("Train-03-A", "Train-*-A"),  # scale-pipeline's
    ("Split-11", "Split-*"),
    ("emr_step_2", "emr_step_*"),  # 20_sdk-unit-emr-steps-out-of-order
    ("DummyCond17", "DummyCond*"),  # 14_airflow-30-nested-conditions
    ("test-pipeline-26-training-step", "test-pipeline-*-training-step"),
    ("Train-A", "Train-*"),  # a letter suffix, no digits
    ("Training1", "Training*"),
    ("HopJetAir-RegisterModel", None),
    ("PreprocessData", None),
    ("CheckMSEAbaloneEvaluation", None),
])
def test_a_family_is_the_name_with_its_numbers_or_final_letter_read_as_a_star(
        name: str, family: str | None) -> None:
    assert family_key(name) == family


def test_real_fixture_names_group_only_where_a_family_has_several_siblings() -> None:
    emr = fixture_names("20_sdk-unit-emr-steps-out-of-order.json")
    assert {family_key(name) for name in emr} == {"emr_step_*", None}
    tuning = fixture_names("18_sm-examples-tuning-step.json")
    assert all(family_key(name) is None for name in tuning)  # no numbered names at all


def test_scale_pipeline_groups_its_twelve_shards_by_family(scale: dict[str, Any]) -> None:
    groups = {group.key: group for group in step_groups(scale)}
    assert set(groups) == {"Split-*", "Clean-*", "Profile-*", "Features-*", "Train-*-A",
                           "Train-*-B", "Train-*-C", "Evaluate-*", "Model-*", "Score-*"}
    assert groups["Train-*-A"].members == tuple(f"Train-{i:02d}-A" for i in range(12))
    assert all(group.kind == "family" for group in groups.values())


def test_a_family_whose_members_depend_on_one_another_is_no_group() -> None:
    nested = definition_document(json.loads(
        (DEFINITIONS / "14_airflow-30-nested-conditions.json").read_text(encoding="utf-8")))
    assert all(not group.key.startswith("DummyCond") for group in step_groups(nested))


def test_a_conditions_branch_is_a_group_before_any_family(document: dict[str, Any]) -> None:
    groups = step_groups(document)  # mlops-pipeline: CheckAUC's if holds two steps
    assert [(g.key, g.kind, g.members) for g in groups] == [
        ("CheckAUC:if", "branch", ("RegisterModel", "CreateModel"))]


def test_collapse_by_size_all_none_a_list_and_expand() -> None:
    from dashboard.ui.components.groups import Group
    groups = [Group("A-*", "family", ("A-1", "A-2")), Group("B-*", "family", ("B-1", "B-2"))]
    assert collapsed_keys(groups, COLLAPSE_ABOVE + 1, None) == Folding(
        frozenset({"A-*", "B-*"}), "all")
    assert collapsed_keys(groups, COLLAPSE_ABOVE, None) == Folding(frozenset(), "none")
    assert collapsed_keys(groups, 3, "all", ["B-*"]) == Folding(frozenset({"A-*"}), "all")
    assert collapsed_keys(groups, 999, "none") == Folding(frozenset(), "none")
    assert collapsed_keys(groups, 999, "B-*,Nope") == Folding(frozenset({"B-*"}), "none",
                                                                 ("Nope",))
    assert collapsed_keys(groups, 999, None, ["Z-*"]).unknown == ("Z-*",)


def test_a_collapsed_group_is_one_node_with_its_counts_and_aggregated_edges(
        scale: dict[str, Any]) -> None:
    groups = step_groups(scale)
    folding = collapsed_keys(groups, len(scale["graph"]["nodes"]), None)
    graph = document_elements(scale, groups=groups, folding=folding)
    nodes = {e["data"]["id"]: e for e in graph.elements if "source" not in e["data"]}
    train_a = nodes["group:Train-*-A"]
    assert train_a["data"]["label"] == "Train-*-A \u00b7 12 \u00b7 12 not started"
    assert train_a["data"]["count"] == 12 and train_a["data"]["collapsed"] is True
    assert "group-collapsed" in train_a["classes"] and "type-training" in train_a["classes"]
    assert "step:Train-00-A" not in nodes  # its members are folded into it
    assert set(nodes) == {"step:Ingest", "step:Aggregate", "step:Publish",
                          *(g.element_id for g in groups)}
    edges = [e["data"] for e in graph.elements if "source" in e["data"]]
    pairs = [(e["source"], e["target"]) for e in edges]
    assert all(source != target for source, target in pairs)  # no self-loops
    aggregated = [(e["source"], e["target"]) for e in edges if e.get("count")]
    assert len(aggregated) == len(set(aggregated))  # one edge per pair of ends
    features = next(e for e in edges if (e["source"], e["target"])
                    == ("group:Features-*", "group:Train-*-A"))
    assert features["count"] == 12 and features["label"] == "\u00d712"
    assert {e["data"]["id"] for e in graph.elements if "position" in e} >= set(nodes)


def test_an_expanded_group_on_a_collapsed_base_is_a_box_around_its_members(
        scale: dict[str, Any]) -> None:
    groups = step_groups(scale)
    folding = collapsed_keys(groups, len(scale["graph"]["nodes"]), None, ["Train-*-A"])
    graph = document_elements(scale, groups=groups, folding=folding)
    nodes = {e["data"]["id"]: e["data"] for e in graph.elements if "source" not in e["data"]}
    assert nodes["group:Train-*-A"]["collapsed"] is False
    members = [n for n, d in nodes.items() if d.get("parent") == "group:Train-*-A"]
    assert members == [f"step:Train-{i:02d}-A" for i in range(12)]
    # Members of the box sit together in their layer: consecutive rows.
    rows = sorted(e["position"]["y"] for e in graph.elements if e["data"]["id"] in members)
    gaps = {round(b - a, 3) for a, b in zip(rows, rows[1:], strict=False)}
    assert len(gaps) == 1


def test_small_pipelines_open_as_they_always_were(document: dict[str, Any]) -> None:
    groups = step_groups(document)
    plain = document_elements(document)
    folded = document_elements(document, groups=groups,
                               folding=collapsed_keys(groups, 7, None))
    # The same steps and edges; the branch's steps inside a parent that draws nothing (a
    # latent box), so that no later view has to move a step into or out of a parent.
    latent = [e for e in folded.elements if e["data"].get("kind") == "group"]
    assert [(e["data"]["id"], e["classes"]) for e in latent] == [
        ("group:CheckAUC:if", "group group-latent group-branch")]
    unparented = [{**e, "data": {k: v for k, v in e["data"].items() if k != "parent"}}
                  for e in folded.elements if e not in latent]
    assert sorted(map(str, unparented)) == sorted(map(str, plain.elements))
    assert {e["data"]["id"] for e in folded.elements if e["data"].get("parent")} == {
        "step:CreateModel", "step:RegisterModel"}


def test_status_counts_say_the_worst_first() -> None:
    assert group_label("X-*", {"Succeeded": 10, "Failed": 2}) == (
        "X-* \u00b7 12 \u00b7 2 failed, 10 succeeded")
