"""lineage.sibling: our documents and lists shaped as the sibling API answers (pure)."""

from __future__ import annotations

import copy
from typing import Any

from lineage.domains import domain_named, has_domain_tags, matched_domain
from lineage.sibling import (
    PipelineFilters,
    PipelineResult,
    data_graph,
    data_node_id,
    domain_lineage_answer,
    job_name,
    pipelines_answer,
    regions_needing_domains,
    with_views,
)

SETTINGS = {"encryption": "aws:kms", "versioning": "Enabled", "publicAccess": "Blocked",
            "tags": {"Env": "dev"}, "region": "ap-northeast-2"}
TRAIN_ARN = "arn:aws:sagemaker:ap-northeast-2:123456789012:training-job/pipelines-x-train-1"


def document() -> dict[str, Any]:
    return {
        "pipeline": {"name": "p"},
        "summary": {"overallStatus": "Succeeded"},
        "graph": {
            "nodes": [
                {"id": "Prep", "type": "Processing",
                 "inputs": [{"name": "raw", "uri": "s3://Bucket-A/Raw/"}],
                 "outputs": [{"name": "train", "uri": "s3://bucket-b/train"}],
                 "run": {"status": "Succeeded", "jobArn": None}},
                {"id": "Train", "type": "Training",
                 "inputs": [{"name": "train", "uri": "s3://bucket-b/train"},
                            {"name": "again", "uri": "s3://bucket-b/train"}],
                 "outputs": [{"name": "model_artifacts", "uri": "s3://bucket-b/model.tar.gz"}],
                 "run": {"status": "Succeeded", "jobArn": TRAIN_ARN}},
                {"id": "Register", "type": "RegisterModel", "inputs": [], "outputs": [],
                 "registry": {"modelPackageArn": "arn:pkg/1", "approvalStatus": "Approved"}},
            ],
            "edges": [{"from": "Prep", "to": "Train", "via": "ref:Get"}],
            "artifacts": [
                {"id": 0, "uri": "s3://Bucket-A/Raw/", "bucket": "Bucket-A", "key": "Raw/",
                 "s3": SETTINGS},
                {"id": 1, "uri": "s3://bucket-b/train", "bucket": "bucket-b", "key": "train"},
            ],
        },
    }


def test_job_name_is_the_arns_last_part() -> None:
    assert job_name(TRAIN_ARN) == "pipelines-x-train-1"
    assert job_name(None) is None
    assert job_name("no-slash") is None
    assert job_name("arn:x/") is None


def test_data_ids_are_lower_case_without_a_trailing_slash() -> None:
    assert data_node_id("s3://Bucket-A/Raw/") == "data:s3://bucket-a/raw"
    assert data_node_id("s3://b/k") == "data:s3://b/k"


def test_views_add_the_siblings_keys_and_leave_the_document_as_it_was() -> None:
    original = document()
    kept = copy.deepcopy(original)
    both = with_views(original, "both", domain={"domainId": "d-1", "domainName": "ml"})
    assert original == kept  # the cached document is never changed
    assert both["graphPipeline"] == both["graph"]
    assert both["graph"]["nodes"][1]["run"]["jobName"] == "pipelines-x-train-1"
    assert "jobName" not in both["graph"]["nodes"][0]["run"]  # no job ARN: no name
    assert both["domain"] == {"domainId": "d-1", "domainName": "ml"}
    assert both["summary"] == original["summary"]

    pipeline = with_views(original, "pipeline")
    assert "graphData" not in pipeline and "graphPipeline" in pipeline
    assert "domain" not in pipeline
    data = with_views(original, "data")
    assert "graphPipeline" not in data and data["graphData"] == data_graph(data["graph"])


def test_data_graph_is_bipartite_with_one_edge_per_pair_and_kind() -> None:
    graph = data_graph(document()["graph"])
    nodes = {node["id"]: node for node in graph["nodes"]}
    assert [node["type"] for node in graph["nodes"]] == (
        ["dataArtifact"] * 3 + ["processNode"] * 3)
    assert nodes["process:Train"] == {
        "id": "process:Train", "type": "processNode", "label": "Train", "stepId": "Train",
        "stepType": "Training", "run": document()["graph"]["nodes"][1]["run"],
        "registry": None}
    assert nodes["process:Register"]["registry"]["approvalStatus"] == "Approved"
    raw = nodes["data:s3://bucket-a/raw"]
    assert raw["label"] == raw["uri"] == "s3://Bucket-A/Raw/"
    assert raw["meta"] == {"bucket": "Bucket-A", "key": "Raw/",
                           "s3": {**SETTINGS, "bucket": "Bucket-A"}}
    # Settings not read (ENABLE_S3_META=false, or a location no artifact names): no "s3".
    assert nodes["data:s3://bucket-b/train"]["meta"] == {"bucket": "bucket-b", "key": "train"}
    assert nodes["data:s3://bucket-b/model.tar.gz"]["meta"] == {"bucket": None, "key": None}
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert edges == {
        ("data:s3://bucket-a/raw", "process:Prep", "read"),
        ("process:Prep", "data:s3://bucket-b/train", "write"),
        ("data:s3://bucket-b/train", "process:Train", "read"),  # two inputs, one edge
        ("process:Train", "data:s3://bucket-b/model.tar.gz", "write"),
    }
    assert len(graph["edges"]) == len(edges)
    assert all(e["id"] == f"e:{e['source']}->{e['target']}:{e['kind']}" for e in graph["edges"])


def test_a_document_without_a_graph_has_empty_views() -> None:
    assert with_views({"pipeline": {}}, "both")["graphData"] == {"nodes": [], "edges": []}


DOMAINS = [{"DomainId": "d-abc", "DomainName": "ml-platform",
            "DomainArn": "arn:aws:sagemaker:ap-northeast-2:1:domain/d-abc"},
           {"DomainId": "d-other", "DomainName": "other"}]


def test_matched_domain_by_id_then_name_then_arn() -> None:
    assert matched_domain({"DomainId": "d-other", "DomainName": "ml-platform"}, DOMAINS) == \
        DOMAINS[1]
    assert matched_domain({"DomainName": "ml-platform"}, DOMAINS) == DOMAINS[0]
    assert matched_domain({"sagemaker:domain-arn": "arn:aws:sagemaker:r:1:domain/d-other"},
                          DOMAINS) == DOMAINS[1]
    assert matched_domain({"DomainName": "unlisted"}, DOMAINS) is None
    assert matched_domain({"DomainName": "ml-platform"}, None) is None
    assert matched_domain(None, DOMAINS) is None
    assert domain_named("other", DOMAINS) == DOMAINS[1]
    assert has_domain_tags({"DomainId": "d-x"}) and not has_domain_tags({"Env": "x"})
    assert not has_domain_tags(None)


def listing() -> dict[str, Any]:
    def pipeline(name: str, region: str, tags: dict[str, str] | None) -> dict[str, Any]:
        return {"name": name, "arn": f"arn:{name}", "lastModifiedTime": "2025-03-01T00:00:00Z",
                "region": region, "tags": tags, "createdTime": None,
                "latestExecution": {"arn": f"arn:{name}/execution/x", "status": "Succeeded"}}

    return {
        "regions": ["ap-northeast-2", "eu-west-1", "us-east-1"],
        "pipelines": [
            pipeline("mlops-pipeline", "ap-northeast-2", {"DomainName": "ml-platform"}),
            pipeline("churn-pipeline", "ap-northeast-2", {"Owner": "x"}),
            pipeline("tagged-by-id", "ap-northeast-2", {"DomainId": "d-other"}),
            pipeline("nlp-pipeline", "us-east-1", None),
        ],
        "warnings": [{"code": "REGION_ACCESS_DENIED", "message": "its pipelines could not be "
                      "listed: access denied", "target": "eu-west-1"},
                     {"code": "TAGS_THROTTLED", "message": "m", "target": "nlp-pipeline"}],
    }


def test_regions_needing_domains_are_those_with_domain_tags() -> None:
    assert regions_needing_domains(listing()) == ["ap-northeast-2"]


def test_pipelines_answer_groups_by_region_with_the_matched_domain() -> None:
    answer = pipelines_answer(listing(), {"ap-northeast-2": DOMAINS}, PipelineFilters())
    regions = answer["regions"]
    assert [r["region"] for r in regions] == ["ap-northeast-2", "eu-west-1", "us-east-1"]
    seoul = {p["name"]: p for p in regions[0]["pipelines"]}
    assert seoul["mlops-pipeline"] == {
        "name": "mlops-pipeline", "arn": "arn:mlops-pipeline",
        "lastModifiedTime": "2025-03-01T00:00:00Z", "tags": {"DomainName": "ml-platform"},
        "matchedDomain": {"domainId": "d-abc", "domainName": "ml-platform"}}
    assert seoul["tagged-by-id"]["matchedDomain"] == {"domainId": "d-other",
                                                       "domainName": "other"}
    assert seoul["churn-pipeline"]["matchedDomain"] is None
    assert regions[1] == {"region": "eu-west-1", "pipelines": [],
                          "error": "its pipelines could not be listed: access denied"}
    assert "error" not in regions[2]
    assert regions[2]["pipelines"][0]["tags"] is None  # unreadable stays null


def test_latest_execution_only_when_asked() -> None:
    answer = pipelines_answer(listing(), {}, PipelineFilters(include_latest_exec=True))
    first = answer["regions"][0]["pipelines"][0]
    assert first["latestExecution"] == {"arn": "arn:mlops-pipeline/execution/x",
                                        "status": "Succeeded"}
    # Domains not read (refused): pipelines without their domain, still listed.
    assert first["matchedDomain"] is None


def names(filters: PipelineFilters) -> list[str]:
    answer = pipelines_answer(listing(), {"ap-northeast-2": DOMAINS}, filters)
    return [p["name"] for r in answer["regions"] for p in r["pipelines"]]


def test_the_siblings_filters() -> None:
    assert names(PipelineFilters(name="PIPE")) == ["mlops-pipeline", "churn-pipeline",
                                                   "nlp-pipeline"]
    assert names(PipelineFilters(domain_name="ML-Platform")) == ["mlops-pipeline"]
    assert names(PipelineFilters(domain_name="other")) == ["tagged-by-id"]
    assert names(PipelineFilters(domain_id="d-abc")) == ["mlops-pipeline"]
    assert names(PipelineFilters(domain_id="d-ABC")) == []  # ids exactly
    assert names(PipelineFilters(name="mlops", domain_id="d-other")) == []


def test_domain_lineage_answer_sorted_by_pipeline() -> None:
    answer = domain_lineage_answer("r", "ml", [
        PipelineResult("z-pipe", error="pipeline not found or domain filter mismatched",
                       code="NOT_FOUND"),
        PipelineResult("a-pipe", document={"pipeline": {"name": "a-pipe"}}),
    ])
    assert answer == {"region": "r", "domain": "ml", "count": 2, "results": [
        {"pipeline": "a-pipe", "ok": True, "data": {"pipeline": {"name": "a-pipe"}}},
        {"pipeline": "z-pipe", "ok": False,
         "error": "pipeline not found or domain filter mismatched", "code": "NOT_FOUND"},
    ]}
