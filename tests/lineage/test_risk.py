"""Risk followed downstream on hand-made graphs: a chain, a diamond, a cycle, two sources
reaching one node, the cap on sources; a pipeline document's data edges and not its control
edges; the estate's structural edges not followed."""

from __future__ import annotations

from typing import Any

from lineage.findings import Finding, findings_for
from lineage.policy import DEFAULT_POLICY
from lineage.risk import MAX_SOURCES, document_risk, estate_risk, propagate


def finding(bucket: str, severity: str = "high") -> Finding:
    return Finding("S3_ENCRYPTION_MISSING", severity, "violation", bucket, "encryption",
                   "no default encryption", "t", "r")


def test_a_chain_passes_its_finding_with_the_path() -> None:
    risks = propagate({"a": [finding("b")]}, {"a": {"s"}, "s": {"m"}, "m": {"e"}})
    assert risks["e"].severity == "high"
    assert [r.path for r in risks["e"].inherited] == [("a", "s", "m", "e")]
    assert risks["a"].findings == (finding("b"),) and risks["a"].inherited == ()


def test_a_diamond_is_reached_once_by_its_shortest_path_and_a_cycle_ends() -> None:
    downstream = {"a": {"l", "r"}, "l": {"j"}, "r": {"x"}, "x": {"j"}, "j": {"a", "e"},
                  "e": {"j"}}
    risks = propagate({"a": [finding("b")]}, downstream)
    assert [r.path for r in risks["j"].inherited] == [("a", "l", "j")]
    assert [r.path for r in risks["e"].inherited] == [("a", "l", "j", "e")]
    assert risks["a"].inherited == ()  # its own source, reached again through the cycle: once


def test_two_sources_reaching_one_node_are_both_kept_the_worst_first() -> None:
    risks = propagate({"low": [finding("l", "low")], "crit": [finding("c", "critical")]},
                      {"low": {"n"}, "crit": {"m"}, "m": {"n"}})
    assert risks["n"].severity == "critical"
    assert [r.source for r in risks["n"].inherited] == ["crit", "low"]
    assert risks["n"].inherited[0].findings == (finding("c", "critical").id,)


def test_nodes_nothing_reaches_have_no_risk_and_sources_are_capped() -> None:
    own = {f"s{i:02}": [finding(f"b{i}")] for i in range(MAX_SOURCES + 5)}
    risks = propagate(own, {source: {"sink"} for source in own}, nodes=["alone"])
    assert risks["alone"].severity is None and risks["alone"].to_dict()["inherited"] == []
    assert len(risks["sink"].inherited) == MAX_SOURCES
    assert risks["sink"].to_dict()["moreSources"] == 5


def artifact(id_: int, bucket: str, producers: list[str], consumers: list[str],
             **s3: Any) -> dict[str, Any]:
    settings = {"encryption": "aws:kms", "versioning": "Enabled", "publicAccess": "Blocked",
                "tags": {}, **s3}
    return {"id": id_, "uri": f"s3://{bucket}/k{id_}", "bucket": bucket, "key": f"k{id_}",
            "producers": producers, "consumers": consumers, "s3": settings}


def test_a_document_follows_data_not_control() -> None:
    graph = {
        "nodes": [{"id": n} for n in ("Prep", "Train", "Register", "Notify")],
        "edges": [{"from": "Prep", "to": "Train", "via": "artifact"},
                  {"from": "Train", "to": "Register", "via": "ref:Get"},
                  {"from": "Register", "to": "Notify", "via": "dependsOn"}],
        "artifacts": [artifact(1, "raw", [], ["Prep"], publicAccess="NotBlocked"),
                      artifact(2, "work", ["Prep"], ["Train"]),
                      artifact(3, "models", ["Train"], [])],
    }
    risks = document_risk(graph, DEFAULT_POLICY)
    assert [f.rule for f in risks["artifact:1"].findings] == ["S3_PUBLIC_ACCESS_NOT_BLOCKED"]
    assert [r.path for r in risks["step:Register"].inherited] == [
        ("artifact:1", "step:Prep", "step:Train", "step:Register")]
    assert risks["artifact:3"].severity == "high"  # written by a step that read it
    assert risks["step:Notify"].severity is None  # only told to run after
    assert set(risks) == {"step:Prep", "step:Train", "step:Register", "step:Notify",
                          "artifact:1", "artifact:2", "artifact:3"}


def test_the_estate_skips_structural_edges() -> None:
    raw = findings_for({"encryption": "None", "versioning": "Enabled",
                        "publicAccess": "Blocked", "tags": {}}, "raw", "x", DEFAULT_POLICY)
    edges = [("dataset:raw", "pipeline:p", "reads"), ("pipeline:p", "model-package:m", "registers"),
             ("model-package-group:g", "model-package:m", "contains"),
             ("model-package:m", "model-package-group:g", "contains")]
    risks = estate_risk({"dataset:raw": raw}, edges, ["model-package-group:g"], {"contains"})
    assert risks["model-package:m"].severity == "high"
    assert risks["model-package-group:g"].severity is None


def test_a_finding_is_inherited_once_from_its_nearest_source() -> None:
    # Every artifact of one bucket has the bucket's finding: a node inherits it from the
    # nearest, not from all of them (a long chain would repeat it at every step).
    same = finding("shared")
    downstream = {f"a{i}": {f"s{i}"} for i in range(5)} | {
        f"s{i}": {f"a{i + 1}"} for i in range(4)}
    risks = propagate({f"a{i}": [same] for i in range(5)}, downstream)
    assert [r.path for r in risks["s4"].inherited] == [("a4", "s4")]
    assert risks["a3"].inherited == ()  # it has the finding itself
