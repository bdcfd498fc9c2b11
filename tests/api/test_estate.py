"""/estate, /impact and /provenance over real HTTP on the sandbox's estate, both accounts.

One gunicorn for the module, with the sandbox's second account reached through AssumeRole
(``LINEAGE_ACCOUNT_ROLES``); the first build is cold, later ones are cache hits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from lineage.sandbox import SECOND_ACCOUNT_ID, SandboxProcess
from lineage.sandbox.world.estate import ESTATE_DOMAIN, PARTNER_PIPELINE, PARTNER_RUNS
from tests.api.conftest import Server, start_estate_server

pytestmark = pytest.mark.sandbox

SCOPE = {"region": "ap-northeast-2,us-east-1"}
FEATURES = "s3://customer-features-apne2/features/customers"
RAW = "s3://customer-raw-apne2/raw/customers"


@pytest.fixture(scope="module")
def server(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_estate_server(sandbox, tmp_path_factory.mktemp("estate-server"))
    yield started
    started.stop()


def whole_estate(server: Server, params: dict[str, str]) -> requests.Response:
    """``/estate`` once its first build is complete: until then it answers with ``progress``
    (what it has read so far), and a client asks again, as the Estate page does."""
    deadline = time.monotonic() + 60
    while True:
        answer = server.get("/estate", params=params)
        if answer.status_code != 200 or "progress" not in answer.json():
            return answer
        assert time.monotonic() < deadline, f"the estate was still being built: {answer.text}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def estate(server: Server) -> dict[str, Any]:
    answer = whole_estate(server, SCOPE)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def nodes_of(document: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {node["label"]: node for node in document["nodes"] if node["kind"] == kind}


def labels(found: dict[str, Any], kind: str) -> set[str]:
    return {item["label"] for item in found["reached"] if item["kind"] == kind}


def test_the_estate_holds_every_kind_across_regions_and_accounts(
    estate: dict[str, Any],
) -> None:
    pipelines = nodes_of(estate, "pipeline")
    assert {"customer-features-pipeline", "churn-xgb-training-pipeline",
            "churn-lgbm-training-pipeline", "churn-batch-scoring-pipeline",
            "partner-churn-scoring-pipeline"} <= set(pipelines)
    assert pipelines["partner-churn-scoring-pipeline"]["account"] == SECOND_ACCOUNT_ID
    assert pipelines["churn-batch-scoring-pipeline"]["region"] == "us-east-1"
    endpoints = nodes_of(estate, "endpoint")
    assert {"churn-prod", "churn-canary", "churn-ab-test", "churn-lgbm-staging"} <= set(endpoints)
    packages = [n for n in estate["nodes"] if n["kind"] == "model-package"]
    approvals = {str(p["attributes"].get("approvalStatus")) for p in packages}
    assert {"Approved", "PendingManualApproval", "Rejected"} <= approvals
    # The runs of the feature pipeline meet in one dataset, read by both training pipelines.
    features = nodes_of(estate, "dataset")[FEATURES]
    readers = {edge["to"] for edge in estate["edges"]
               if edge["from"] == features["id"] and edge["kind"] == "reads"}
    ids = {name: node["id"] for name, node in pipelines.items()}
    assert {ids["churn-xgb-training-pipeline"], ids["churn-lgbm-training-pipeline"]} <= readers
    writers = {edge["from"] for edge in estate["edges"]
               if edge["to"] == features["id"] and edge["kind"] == "writes"}
    assert ids["customer-features-pipeline"] in writers
    assert "progress" not in estate  # only while a first build is cut short


def test_the_partner_pipeline_runs_and_reads_the_first_accounts_features(
    estate: dict[str, Any],
) -> None:
    partner = nodes_of(estate, "pipeline")[PARTNER_PIPELINE]
    latest = partner["attributes"]["latestExecution"]
    assert (latest["id"], latest["status"]) == (PARTNER_RUNS[-1], "Succeeded")
    assert latest["arn"].split(":")[4] == SECOND_ACCOUNT_ID
    assert PARTNER_RUNS[-1] in partner["attributes"]["executionsRead"]
    features = nodes_of(estate, "dataset")[FEATURES]
    reads = [edge["steps"] for edge in estate["edges"]
             if (edge["from"], edge["to"]) == (features["id"], partner["id"])
             and edge["kind"] == "reads"]
    assert reads == [["ScoreCustomers"]]
    # What it writes: the partner's own bucket, its runs folded into one dataset.
    written = {edge["to"] for edge in estate["edges"]
               if edge["from"] == partner["id"] and edge["kind"] == "writes"}
    datasets = {node["id"]: node["label"] for node in estate["nodes"]}
    assert any(datasets[target].startswith(f"s3://partner-scores-{SECOND_ACCOUNT_ID}/scores")
               for target in written)


def test_a_second_build_is_a_hit_without_aws(
    server: Server, sandbox: SandboxProcess, estate: dict[str, Any]
) -> None:
    sandbox.reset_calls()
    again = server.get("/estate", params=SCOPE)
    assert again.headers["X-Cache"] == "hit"
    assert again.json()["generatedAt"] == estate["generatedAt"]
    assert sandbox.calls() == []


def test_one_account_only(server: Server) -> None:
    answer = whole_estate(server, {**SCOPE, "account": SECOND_ACCOUNT_ID})
    assert answer.status_code == 200
    accounts = {n["account"] for n in answer.json()["nodes"] if n["kind"] == "pipeline"}
    assert accounts == {SECOND_ACCOUNT_ID}


def connected_to_pipelines(document: dict[str, Any]) -> set[str]:
    """The ids of the nodes an edge path links to a pipeline, either way."""
    neighbours: dict[str, set[str]] = {}
    for edge in document["edges"]:
        neighbours.setdefault(edge["from"], set()).add(edge["to"])
        neighbours.setdefault(edge["to"], set()).add(edge["from"])
    seen = {node["id"] for node in document["nodes"] if node["kind"] == "pipeline"}
    stack = list(seen)
    while stack:
        for other in neighbours.get(stack.pop(), ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def test_a_domain_keeps_its_pipelines_and_what_they_touch(server: Server) -> None:
    seoul = {"region": "ap-northeast-2"}
    answer = whole_estate(server, {**seoul, "domain": ESTATE_DOMAIN})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    # Those /pipelines lists for the domain (tag DomainName), no other.
    listed = server.get("/pipelines", params={**seoul, "domain": ESTATE_DOMAIN}).json()
    assert set(nodes_of(document, "pipeline")) == {p["name"] for p in listed["pipelines"]}
    assert set(nodes_of(document, "pipeline")) == {"customer-features-pipeline",
                                                   "mlops-pipeline"}
    # What the feature pipeline reads and writes, nothing of the trainers that read it.
    features = nodes_of(document, "pipeline")["customer-features-pipeline"]["id"]
    label = {node["id"]: node["label"] for node in document["nodes"]}
    touched = {label[edge["to"] if edge["from"] == features else edge["from"]]
               for edge in document["edges"] if features in (edge["from"], edge["to"])}
    assert RAW in touched
    assert any(name.startswith(FEATURES + "/") for name in touched)  # a folder per run
    datasets = set(nodes_of(document, "dataset"))
    whole = whole_estate(server, seoul).json()
    assert set(nodes_of(whole, "dataset")) - datasets  # the trainers' models, for one
    assert not {"churn-prod", "churn-lgbm-staging"} & set(nodes_of(document, "endpoint"))
    assert not [n for n in document["nodes"] if n["label"].startswith("churn-xgb")]
    ids = {node["id"] for node in document["nodes"]}
    assert connected_to_pipelines(document) == ids
    assert all(edge["from"] in ids and edge["to"] in ids for edge in document["edges"])


def test_an_unknown_domain_keeps_nothing(server: Server) -> None:
    # /lineage answers a pipeline outside the domain as no such pipeline (404) and
    # /pipelines lists none; the estate of a domain nothing belongs to is empty.
    params = {"region": "ap-northeast-2", "domain": "no-such-domain"}
    lineage = server.get("/lineage", params={**params, "pipeline": "customer-features-pipeline"})
    assert lineage.status_code == 404
    assert server.get("/pipelines", params=params).json()["pipelines"] == []
    answer = whole_estate(server, params)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["nodes"], answer.json()["edges"]) == ([], [])
    impact = server.get("/impact", params={**params, "uri": FEATURES})
    assert (impact.status_code, impact.json()["reached"]) == (200, [])


@pytest.mark.parametrize("query", [{"uri": FEATURES}, {"uri": FEATURES + "/"},
                                   {"bucket": "customer-features-apne2"}])
def test_impact_of_the_features_reaches_both_trainings_and_the_endpoints(
    server: Server, estate: dict[str, Any], query: dict[str, str]
) -> None:
    answer = server.get("/impact", params={**SCOPE, **query})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert {"churn-xgb-training-pipeline", "churn-lgbm-training-pipeline",
            "partner-churn-scoring-pipeline"} <= labels(found, "pipeline")
    assert {"churn-prod", "churn-lgbm-staging"} <= labels(found, "endpoint")
    starts = set(found["starts"])
    for item in found["reached"]:  # each with the path that reaches it, from a start
        assert item["path"][0] in starts and item["path"][-1] == item["id"]
    # The partner, in the other account, through the features dataset its latest run read.
    (partner,) = [item for item in found["reached"] if item["label"] == PARTNER_PIPELINE]
    assert partner["account"] == SECOND_ACCOUNT_ID
    assert partner["path"][-2:] == [nodes_of(estate, "dataset")[FEATURES]["id"], partner["id"]]


def test_a_location_nothing_touches_has_no_impact(server: Server) -> None:
    answer = server.get("/impact", params={**SCOPE, "uri": "s3://nobody-uses-this-bucket/x"})
    assert answer.status_code == 200
    assert answer.json()["reached"] == []


def test_provenance_of_an_endpoint_goes_down_to_the_raw_data_with_its_settings(
    server: Server,
) -> None:
    answer = server.get("/provenance", params={**SCOPE, "endpoint": "churn-prod"})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert {"churn-xgb-training-pipeline", "customer-features-pipeline"} <= labels(
        found, "pipeline")
    raw = {item["label"]: item for item in found["rawDatasets"]}
    assert RAW in raw
    settings = raw[RAW]["attributes"]["s3"]
    assert settings["encryption"] == "AES256" and settings["versioning"] == "Enabled"


@pytest.mark.parametrize(("path", "params", "parameter"), [
    ("/impact", {"uri": "http://not-s3/x"}, "uri"),
    ("/impact", {"bucket": "Not_A_Bucket"}, "bucket"),
    ("/impact", {}, "uri"),
    ("/impact", {"uri": FEATURES, "bucket": "customer-features-apne2"}, "uri"),
    ("/provenance", {"endpoint": "no spaces allowed"}, "endpoint"),
    ("/provenance", {"modelPackage": "churn-xgb-models/1"}, "modelPackage"),
    ("/provenance", {"endpoint": "churn-prod", "model": "churn-xgb-v1"}, "endpoint"),
    ("/estate", {"depth": "0"}, "depth"),
    ("/estate", {"depth": "\u0661"}, "depth"),
    ("/estate", {"account": "12345"}, "account"),
    ("/estate", {"region": "us-west-9"}, "region"),
    ("/estate", {"domain": "ml_platform"}, "domain"),
    ("/estate", {"domain": "x" * 64}, "domain"),
    ("/estate", {"domain": "ml platform"}, "domain"),
    ("/impact", {"uri": FEATURES, "domain": "ml/platform"}, "domain"),
])
def test_bad_input_is_a_400_naming_the_parameter(
    server: Server, path: str, params: dict[str, str], parameter: str
) -> None:
    answer = server.get(path, params=params)
    assert answer.status_code == 400, answer.text
    assert parameter in answer.json()["message"]


@pytest.mark.parametrize("params", [
    {"endpoint": "no-such-endpoint"},
    {"model": "no-such-model"},
    {"modelPackage": "arn:aws:sagemaker:ap-northeast-2:123456789012:model-package/none/1"},
])
def test_an_unknown_endpoint_model_or_package_is_a_404(
    server: Server, estate: dict[str, Any], params: dict[str, str]
) -> None:
    answer = server.get("/provenance", params={**SCOPE, **params})
    assert answer.status_code == 404
    assert "no " in answer.json()["message"]


def test_the_log_counts_the_build(server: Server) -> None:
    answer = server.get("/estate", params={"region": "us-east-1", "refresh": "true"})
    line = server.wait_for_log(answer.headers["X-Request-Id"])
    assert line["awsCalls"] > 0 and line["cache"] in ("miss", "refresh")


def test_a_browser_asking_for_the_estate_gets_the_page(server: Server) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    answer = server.get("/estate", params={"region": "us-east-1"}, headers=browser,
                        allow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/estate/view?region=us-east-1"
    page = server.get(answer.headers["Location"], headers=browser)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    # Anything else (curl's */*, a program asking for JSON) gets the JSON.
    for accept in ("*/*", "application/json"):
        json_answer = server.get("/estate", params={"region": "us-east-1"},
                                 headers={"Accept": accept})
        assert json_answer.status_code == 200 and "nodes" in json_answer.json()
