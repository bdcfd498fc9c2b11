"""/findings over real HTTP on the sandbox: the estate's risky chain end to end, a pipeline's
artifacts, the severity filter, CSV, and every bad parameter named.

The risky chain: the bucket ``customer-features-apne2`` (no default encryption, public access
not blocked) holds the features ``customer-features-pipeline`` writes and
``churn-xgb-training-pipeline`` reads, which registers ``churn-xgb-models/1`` (Approved), made
into a model served by ``churn-prod`` (InService). One gunicorn for the module, with the
second account (``LINEAGE_ACCOUNT_ROLES``), as tests/api/test_estate.py runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from lineage.findings_report import CSV_COLUMNS, FORMULA_STARTS
from lineage.policy import severity_rank
from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server, start_estate_server

pytestmark = pytest.mark.sandbox

SEOUL = {"region": "ap-northeast-2"}
FEATURES = "dataset:s3://customer-features-apne2/features/customers"
ARN = "arn:aws:sagemaker:ap-northeast-2:123456789012"
CHAIN = [
    FEATURES,
    "pipeline:123456789012:ap-northeast-2:churn-xgb-training-pipeline",
    f"model-package:{ARN}:model-package/churn-xgb-models/1",
    f"model:{ARN}:model/churn-xgb-v1",
    f"endpoint-config:{ARN}:endpoint-config/churn-prod-config",
    f"endpoint:{ARN}:endpoint/churn-prod",
]


@pytest.fixture(scope="module")
def server(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_estate_server(sandbox, tmp_path_factory.mktemp("findings-server"))
    yield started
    started.stop()


def ok(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="module")
def estate_findings(server: Server) -> dict[str, Any]:
    return ok(server.get("/findings", params=SEOUL, timeout=120))


def group_of(report: dict[str, Any], source: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [group for group in report["groups"]
                                   if group["source"]["id"] == source]
    assert len(found) == 1, [group["source"]["id"] for group in report["groups"]]
    return found[0]


def test_the_features_reach_the_production_endpoint_with_the_full_path(
    estate_findings: dict[str, Any],
) -> None:
    features = group_of(estate_findings, FEATURES)
    assert features["source"] == {
        "id": FEATURES, "kind": "dataset", "label": "s3://customer-features-apne2/features/customers",
        "bucket": "customer-features-apne2", "uri": features["source"]["uri"]}
    assert features["source"]["uri"].startswith("s3://customer-features-apne2/features/customers")
    rules = {finding["rule"] for finding in features["findings"]}
    assert {"S3_ENCRYPTION_MISSING", "S3_PUBLIC_ACCESS_NOT_BLOCKED"} <= rules
    assert severity_rank(features["severity"]) >= severity_rank("high")
    reached = {item["id"]: item for item in features["reaches"]}
    endpoint = reached[CHAIN[-1]]
    assert (endpoint["kind"], endpoint["label"]) == ("endpoint", "churn-prod")
    assert endpoint["path"] == CHAIN
    # Every node on the way is reached too, nearest first.
    assert set(CHAIN[1:]) <= set(reached)
    lengths = [len(item["path"]) for item in features["reaches"]]
    assert lengths == sorted(lengths)
    assert estate_findings["scope"]["regions"] == ["ap-northeast-2"]
    summary = estate_findings["summary"]
    assert summary["sources"] == len(estate_findings["groups"])
    assert summary["findings"] == sum(summary["bySeverity"].values())


def test_the_estates_own_risk_agrees(server: Server, estate_findings: dict[str, Any]) -> None:
    """The endpoint's risk in /estate names the features as a source, by the same path."""
    estate = ok(server.get("/estate", params=SEOUL))
    assert "progress" not in estate  # /findings built the whole estate: this is its entry
    node = next(n for n in estate["nodes"] if n["id"] == CHAIN[-1])
    assert node["attributes"]["status"] == "InService"
    inherited = {reach["source"]: reach["path"] for reach in node["risk"]["inherited"]}
    assert inherited[FEATURES] == CHAIN
    package = next(n for n in estate["nodes"] if n["id"] == CHAIN[2])
    assert package["attributes"]["approvalStatus"] == "Approved"


def test_a_pipelines_groups_are_its_artifacts(server: Server) -> None:
    lineage = ok(server.get("/lineage", params={"pipeline": "churn-pipeline", **SEOUL}))
    artifacts = {f"artifact:{a['id']}": a["uri"] for a in lineage["graph"]["artifacts"]}
    steps = {f"step:{n['id']}" for n in lineage["graph"]["nodes"]}
    report = ok(server.get("/findings", params={"pipeline": "churn-pipeline", **SEOUL}))
    assert report["groups"]
    assert report["scope"]["pipeline"] == "churn-pipeline"
    for group in report["groups"]:
        source = group["source"]
        assert source["kind"] == "artifact" and artifacts[source["id"]] == source["uri"]
        for item in group["reaches"]:
            assert item["id"] in steps | set(artifacts)
            assert item["path"][0] == source["id"] and item["path"][-1] == item["id"]
    assert report["generatedAt"] == lineage["generatedAt"]  # the cached document's


def test_the_clean_chain_has_none(server: Server, estate_findings: dict[str, Any]) -> None:
    report = ok(server.get("/findings", params={"pipeline": "mlops-pipeline", **SEOUL}))
    assert report["groups"] == [] and report["summary"]["findings"] == 0
    for group in estate_findings["groups"]:
        assert all(item["label"] != "mlops-churn-prod" for item in group["reaches"])
    estate = ok(server.get("/estate", params=SEOUL))
    clean = next(n for n in estate["nodes"] if n["label"] == "mlops-churn-prod")
    assert clean["attributes"]["status"] == "InService"
    assert clean["risk"] == {"severity": None, "findings": [], "inherited": []}


def test_the_severity_filter(server: Server, estate_findings: dict[str, Any]) -> None:
    for severity in ("medium", "high", "critical"):
        report = ok(server.get("/findings", params={**SEOUL, "severity": severity}))
        assert report["minSeverity"] == severity
        kept = [f["severity"] for g in report["groups"] for f in g["findings"]]
        assert all(severity_rank(s) >= severity_rank(severity) for s in kept)
        expected = sum(n for s, n in estate_findings["summary"]["bySeverity"].items()
                       if severity_rank(s) >= severity_rank(severity))
        assert report["summary"]["findings"] == expected
    high = ok(server.get("/findings", params={**SEOUL, "severity": "high"}))
    assert FEATURES in {group["source"]["id"] for group in high["groups"]}


def rows_of(answer: requests.Response) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.text, newline="")))


def test_csv_for_spreadsheets(server: Server) -> None:
    answer = server.get("/findings", params={**SEOUL, "format": "csv"})
    assert answer.headers["Content-Disposition"] == 'attachment; filename="findings-estate.csv"'
    assert answer.headers["Cache-Control"] == "no-store"
    assert len(answer.headers["X-Request-Id"]) == 32
    assert answer.text.splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = rows_of(answer)
    endpoint = [row for row in rows if row["source"] == FEATURES
                and row["reachedLabel"] == "churn-prod"]
    assert endpoint and endpoint[0]["path"] == " > ".join(CHAIN)
    assert endpoint[0]["hops"] == str(len(CHAIN) - 1)
    assert {row["rule"] for row in endpoint} >= {"S3_ENCRYPTION_MISSING"}
    assert all(not value.startswith(FORMULA_STARTS) for row in rows for value in row.values())
    # Asking for CSV in Accept is the same answer; */* stays JSON.
    accepted = server.get("/findings", params=SEOUL, headers={"Accept": "text/csv"})
    assert rows_of(accepted) == rows and "Accept" in accepted.headers["Vary"]
    assert server.get("/findings", params=SEOUL, headers={"Accept": "*/*"}).headers[
        "Content-Type"] == "application/json"
    named = server.get("/findings", params={"pipeline": "churn-pipeline", **SEOUL},
                       headers={"Accept": "text/csv"})
    assert named.headers["Content-Disposition"] == (
        'attachment; filename="findings-churn-pipeline.csv"')
    assert {row["sourceKind"] for row in rows_of(named)} == {"artifact"}


@pytest.mark.parametrize(("params", "parameter"), [
    ({"region": "nowhere"}, "region"),
    ({"region": "ap-northeast-2,nowhere"}, "region"),
    ({"pipeline": "not_a_pipeline"}, "pipeline"),
    ({"pipeline": "churn-pipeline", "region": "ap-northeast-2,us-east-1"}, "region"),
    ({"pipeline": "churn-pipeline", "region": "all"}, "region"),
    ({"pipeline": "churn-pipeline", "execution": "Not An Id"}, "execution"),
    ({"execution": "abc123"}, "execution"),
    ({"severity": "urgent"}, "severity"),
    ({"severity": "HIGH"}, "severity"),
    ({"format": "xml"}, "format"),
    ({"account": "1234"}, "account"),
    ({"pipeline": "churn-pipeline", "account": "123456789012"}, "account"),
    ({"depth": "0"}, "depth"),
    ({"pipeline": "churn-pipeline", "depth": "2"}, "depth"),
    ({"domain": "not_a_domain"}, "domain"),
    ({"refresh": "maybe"}, "refresh"),
])
def test_every_bad_parameter_is_a_400_naming_it(
    server: Server, params: dict[str, str], parameter: str
) -> None:
    answer = server.get("/findings", params=params)
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert list(body) == ["message"] and parameter in body["message"]


def test_an_unknown_pipeline_is_a_404(server: Server) -> None:
    answer = server.get("/findings", params={"pipeline": "no-such-pipeline", **SEOUL})
    assert answer.status_code == 404
    assert answer.json() == {"message": "pipeline not found or domain filter mismatched"}
    # Asked for CSV, an error is still JSON.
    csv_answer = server.get("/findings", params={"pipeline": "no-such-pipeline", **SEOUL,
                                                 "format": "csv"})
    assert csv_answer.status_code == 404
    assert csv_answer.headers["Content-Type"] == "application/json"
