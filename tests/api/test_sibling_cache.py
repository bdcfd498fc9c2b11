"""The sibling API's answers are shaped from the cached entries the other endpoints fill:
no AWS call a plain /lineage or /pipelines did not make already (the sandbox's call log)."""

from __future__ import annotations

from typing import Any

import pytest

from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server

pytestmark = pytest.mark.sandbox

SEOUL = "ap-northeast-2"


def without_job_names(graph: dict[str, Any]) -> dict[str, Any]:
    for node in graph["nodes"]:
        (node.get("run") or {}).pop("jobName", None)
    return graph


def test_a_view_is_the_cached_document_shaped(api_server: Server,
                                              sandbox: SandboxProcess) -> None:
    params = {"pipeline": "churn-pipeline", "region": SEOUL}
    plain = api_server.get("/lineage", params=params)
    assert plain.status_code == 200 and "graphData" not in plain.json()
    sandbox.reset_calls()
    shaped = api_server.get("/lineage", params={**params, "view": "both"})
    assert shaped.status_code == 200
    assert shaped.headers["X-Cache"] == "hit"
    assert sandbox.calls() == []
    document = shaped.json()
    assert document["generatedAt"] == plain.json()["generatedAt"]  # the same entry
    assert document["graphPipeline"] == document["graph"]
    assert without_job_names(document["graph"]) == plain.json()["graph"]


def test_the_sibling_listing_adds_only_the_domains(api_server: Server,
                                                   sandbox: SandboxProcess) -> None:
    api_server.get("/pipelines", params={"region": SEOUL})
    sandbox.reset_calls()
    first = api_server.get("/sagemaker/pipelines", params={"regions": SEOUL})
    assert first.status_code == 200
    operations = [call["operation"] for call in sandbox.calls()]
    assert set(operations) <= {"ListDomains"} and len(operations) <= 1
    sandbox.reset_calls()
    again = api_server.get("/sagemaker/pipelines", params={"regions": SEOUL})
    assert again.headers["X-Cache"] == "hit" and sandbox.calls() == []
    assert again.json() == first.json()


def test_by_domain_is_one_entry_of_the_same_documents(api_server: Server,
                                                      sandbox: SandboxProcess) -> None:
    params = {"domain": "ml-platform", "region": SEOUL, "view": "both"}
    first = api_server.get("/lineage/by-domain", params=params)
    assert first.status_code == 200
    results = first.json()["results"]
    assert [r["pipeline"] for r in results] == ["customer-features-pipeline", "mlops-pipeline"]
    sandbox.reset_calls()
    again = api_server.get("/lineage/by-domain", params=params)
    assert again.headers["X-Cache"] == "hit" and sandbox.calls() == []
    for result in results:
        one = api_server.get("/lineage", params={
            "pipeline": result["pipeline"], "region": SEOUL, "domain": "ml-platform",
            "view": "both"})
        assert one.headers["X-Cache"] == "hit"  # read by by-domain, from its own entry
        assert one.json() == result["data"]
    assert sandbox.calls() == []
