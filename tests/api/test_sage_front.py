"""The sibling frontend's own calls (BOB-DSPM/SAGE-FRONT, its lineage page) answered by a real
server on the sandbox, with every key the page reads present and of the type it uses.

The URLs are the ones the frontend sends, built as its source builds them
(dspm_dashboard/src/services/lineageApi.js, ``httpGet``: ``new URL(BASE_URL + path)``, then
``url.searchParams.set(k, String(v))`` for each parameter in the object's order, skipping
``undefined``, ``null`` and ``""``; ``BASE_URL`` is ``http://<host>:8300``, no prefix,
src/config/api.js). The page is cross-origin to the API (another port), so every answer must
carry CORS headers for its origin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from dashboard.server.limits import LIMITS_OFF
from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server, sandbox_env, start_gunicorn

pytestmark = pytest.mark.sandbox

# The page's origin: the React build is served from another port than the API's 8300.
FRONT_ORIGIN = "http://127.0.0.1:3000"

# src/hooks/useLineage.js loadPipelines, as src/pages/Lineage.js calls it on mount:
#   loadPipelines({ regions: 'ap-northeast-2', includeLatestExec: true })
#   -> getPipelines({regions, includeLatestExec, name: null, domainName: null, domainId: null})
PIPELINES_URL = "/sagemaker/pipelines?regions=ap-northeast-2&includeLatestExec=true"
# Lineage.js handlePipelineSelect -> useLineage loadLineage(name, region, domain) ->
# lineageApi getLineage(pipeline, region, true, domain): {pipeline, region, view: "both",
# includeLatestExec, domain}; domain is matchedDomain.domainName, else tags.DomainName, else
# null (skipped).
LINEAGE_MLOPS_URL = ("/lineage?pipeline=mlops-pipeline&region=ap-northeast-2&view=both"
                     "&includeLatestExec=true&domain=ml-platform")
LINEAGE_UNTAGGED_URL = ("/lineage?pipeline=churn-pipeline&region=ap-northeast-2&view=both"
                        "&includeLatestExec=true")
# useLineage loadLineageByDomain(domain, region) -> getLineageByDomain(region, domain, true):
# {region, domain, includeLatestExec, view: 'both'}.
BY_DOMAIN_URL = ("/lineage/by-domain?region=ap-northeast-2&domain=ml-platform"
                 "&includeLatestExec=true&view=both")
# Lineage.js handlePipelineSelect / the dataset dropdown -> useLineage loadSchemas(name,
# region) -> getLineageSchema({pipeline, region, include_featurestore: true, include_sql:
# true, scan_if_missing: true}), whose params are String(...) of each, in that order.
SCHEMA_URL = ("/schema?pipeline=mlops-pipeline&region=ap-northeast-2&include_featurestore=true"
              "&include_sql=true&scan_if_missing=true")
# handleSchemaSelect -> useLineage loadSchemaLineage(schemaName, pipeline, region) ->
# getSchemaLineage(pipelineName, region): {pipeline, region}.
LINEAGE_SCHEMA_URL = "/lineage/schema?pipeline=mlops-pipeline&region=ap-northeast-2"

FRONTEND_URLS = (PIPELINES_URL, LINEAGE_MLOPS_URL, LINEAGE_UNTAGGED_URL, BY_DOMAIN_URL,
                 SCHEMA_URL, LINEAGE_SCHEMA_URL)


def js_url(path: str, params: dict[str, object]) -> str:
    """httpGet's URL: String(v) of each value in order, skipping undefined/null/""."""
    kept = {k: ("true" if v is True else "false" if v is False else str(v))
            for k, v in params.items() if v is not None and v != ""}
    return f"{path}?{urlencode(kept)}"


def test_the_urls_are_built_as_the_frontend_builds_them() -> None:
    assert js_url("/sagemaker/pipelines", {
        "regions": "ap-northeast-2", "includeLatestExec": True, "name": None,
        "domainName": None, "domainId": None}) == PIPELINES_URL
    assert js_url("/lineage", {
        "pipeline": "mlops-pipeline", "region": "ap-northeast-2", "view": "both",
        "includeLatestExec": True, "domain": "ml-platform"}) == LINEAGE_MLOPS_URL
    assert js_url("/lineage", {
        "pipeline": "churn-pipeline", "region": "ap-northeast-2", "view": "both",
        "includeLatestExec": True, "domain": None}) == LINEAGE_UNTAGGED_URL
    assert js_url("/lineage/by-domain", {
        "region": "ap-northeast-2", "domain": "ml-platform", "includeLatestExec": True,
        "view": "both"}) == BY_DOMAIN_URL
    assert js_url("/schema", {
        "pipeline": "mlops-pipeline", "region": "ap-northeast-2",
        "include_featurestore": "true", "include_sql": "true",
        "scan_if_missing": "true"}) == SCHEMA_URL
    assert js_url("/lineage/schema", {
        "pipeline": "mlops-pipeline", "region": "ap-northeast-2"}) == LINEAGE_SCHEMA_URL


@pytest.fixture(scope="module")
def answers(api_server: Server) -> dict[str, Any]:
    """Each URL asked as the page asks it (fetch, cross-origin, no credentials)."""
    out = {}
    for url in FRONTEND_URLS:
        response = requests.get(api_server.url + url, headers={"Origin": FRONT_ORIGIN},
                                timeout=60)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["Content-Type"].startswith("application/json"), url
        assert response.headers["Access-Control-Allow-Origin"] in ("*", FRONT_ORIGIN), url
        out[url] = response.json()
    return out


def is_text(value: object) -> bool:
    return isinstance(value, str)


def is_text_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)


def is_number_or_none(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def test_the_pipeline_list_has_what_the_dropdowns_read(answers: dict[str, Any]) -> None:
    # useLineage loadPipelines: data.regions[].region, .pipelines[] with name, arn,
    # lastModifiedTime, tags (|| {}), matchedDomain, latestExecution; the domain list from
    # matchedDomain.domainId/domainName, else tags['sagemaker:domain-arn'] and DomainName.
    data = answers[PIPELINES_URL]
    assert isinstance(data["regions"], list) and len(data["regions"]) == 1
    region = data["regions"][0]
    assert region["region"] == "ap-northeast-2"
    pipelines = {p["name"]: p for p in region["pipelines"]}
    assert {"mlops-pipeline", "churn-pipeline", "fraud-detection-pipeline"} <= set(pipelines)
    for pipe in pipelines.values():
        assert is_text(pipe["name"]) and is_text(pipe["arn"])  # arn: the list's React key
        assert is_text_or_none(pipe["lastModifiedTime"])
        assert pipe["tags"] is None or isinstance(pipe["tags"], dict)
        matched = pipe["matchedDomain"]
        assert matched is None or (is_text(matched["domainId"])
                                   and is_text(matched["domainName"]))
        latest = pipe["latestExecution"]
        assert latest is None or (is_text(latest["arn"]) and is_text(latest["status"]))
    # The domain dropdown shows ml-platform, with mlops-pipeline under it.
    mlops = pipelines["mlops-pipeline"]
    assert mlops["matchedDomain"]["domainName"] == "ml-platform"
    assert mlops["matchedDomain"]["domainId"].startswith("d-")
    assert mlops["tags"]["DomainName"] == "ml-platform"
    assert mlops["latestExecution"]["status"] == "Succeeded"
    assert pipelines["churn-pipeline"]["matchedDomain"] is None


def check_pipeline_view(document: dict[str, Any]) -> None:
    # Lineage.js buildPipelineGraph and the side panel: graphPipeline.nodes[] id, type,
    # label || id, run.status, run.elapsedSec, run.jobName, run.jobArn, run.startTime,
    # run.endTime; the summary bar: summary.overallStatus, nodeStatus.Failed, elapsedSec.
    nodes = document["graphPipeline"]["nodes"]
    assert nodes
    for node in nodes:
        assert is_text(node["id"]) and is_text(node["type"])
        assert is_text_or_none(node.get("label"))
        for ref in node["inputs"]:
            assert is_text(ref["uri"]) and is_text_or_none(ref.get("name"))
        run = node.get("run")
        if run is not None:
            assert is_text(run["status"])
            assert is_number_or_none(run["elapsedSec"])
            assert is_text_or_none(run["startTime"]) and is_text_or_none(run["endTime"])
            assert is_text_or_none(run["jobArn"])
            if run["jobArn"] is not None and "/" in run["jobArn"]:
                assert run["jobName"] == run["jobArn"].rsplit("/", 1)[-1]
    summary = document["summary"]
    assert is_text(summary["overallStatus"])
    assert isinstance(summary["nodeStatus"], dict)
    assert is_number_or_none(summary["elapsedSec"])


def check_data_view(document: dict[str, Any]) -> list[dict[str, Any]]:
    """buildDataGraph: process nodes (stepId, label, stepType, run) and, for each input of a
    step whose URI is an s3:// string, the data node ``data:<that uri>`` if the graph has it;
    the side panel's Data Location: uri and meta.s3's bucket, region, encryption, versioning,
    publicAccess. Returns the data nodes the page draws."""
    graph = document["graphData"]
    by_id = {node["id"]: node for node in graph["nodes"]}
    processes = [n for n in graph["nodes"] if n["type"] == "processNode"]
    assert processes
    steps = {node["id"]: node for node in document["graphPipeline"]["nodes"]}
    drawn = []
    for process in processes:
        assert is_text(process["id"]) and is_text(process["label"])
        assert is_text(process["stepType"])
        step = steps[process["stepId"]]  # pipelineNodes.find(pn.id === processNode.stepId)
        run = process["run"]
        assert run is None or (is_text(run["status"]) and is_number_or_none(run["elapsedSec"]))
        for ref in step["inputs"]:
            uri = ref["uri"]
            if uri.startswith("s3://") and "Get" not in uri and "Std:Join" not in uri:
                node = by_id.get(f"data:{uri}")
                if node is not None:
                    drawn.append(node)
    for edge in graph["edges"]:
        assert edge["source"] in by_id and edge["target"] in by_id
        assert edge["kind"] in ("read", "write") and is_text(edge["id"])
    for node in drawn:
        assert node["type"] == "dataArtifact" and is_text(node["uri"])
    return drawn


def test_mlops_pipeline_draws_in_both_views_with_bucket_settings(
    answers: dict[str, Any],
) -> None:
    document = answers[LINEAGE_MLOPS_URL]
    assert document["domain"]["domainName"] == "ml-platform"
    check_pipeline_view(document)
    steps = {node["id"] for node in document["graphPipeline"]["nodes"]}
    assert {"Preprocess", "Train", "Evaluate", "RegisterModel"} <= steps
    train = next(n for n in document["graphPipeline"]["nodes"] if n["id"] == "Train")
    assert train["run"]["jobName"].startswith("pipelines-")
    drawn = check_data_view(document)
    uris = {node["uri"] for node in drawn}
    assert "s3://my-mlops-dev2-v2-main-data/raw/churn/churn.csv" in uris
    for node in drawn:
        s3 = node["meta"]["s3"]
        assert s3["bucket"] == "my-mlops-dev2-v2-main-data"
        assert (s3["region"], s3["encryption"], s3["versioning"], s3["publicAccess"]) == (
            "ap-northeast-2", "aws:kms", "Enabled", "Blocked")


def test_an_untagged_pipeline_is_asked_without_a_domain(answers: dict[str, Any]) -> None:
    document = answers[LINEAGE_UNTAGGED_URL]
    assert "domain" not in document
    check_pipeline_view(document)
    check_data_view(document)
    assert document["summary"]["overallStatus"] == "Failed"
    assert document["summary"]["nodeStatus"].get("Failed", 0) >= 1


def test_the_domains_lineage(answers: dict[str, Any]) -> None:
    data = answers[BY_DOMAIN_URL]
    assert (data["region"], data["domain"]) == ("ap-northeast-2", "ml-platform")
    results = {result["pipeline"]: result for result in data["results"]}
    assert data["count"] == len(results) and "mlops-pipeline" in results
    for result in results.values():
        assert result["ok"] is True
        check_pipeline_view(result["data"])
        check_data_view(result["data"])


def test_a_refusal_is_json_the_page_can_show(api_server: Server) -> None:
    # httpGet throws `API ${path} ${status}: ${text}` for any answer that is not ok.
    response = requests.get(api_server.url + "/lineage?pipeline=mlops-pipeline&region="
                            "ap-northeast-2&view=both&includeLatestExec=true&domain=other",
                            headers={"Origin": FRONT_ORIGIN}, timeout=60)
    assert response.status_code == 404
    assert response.json() == {"message": "pipeline not found or domain filter mismatched"}
    assert response.headers["Access-Control-Allow-Origin"] in ("*", FRONT_ORIGIN)


def frontend_tables(data: dict[str, Any]) -> list[dict[str, Any]]:
    """getLineageSchema's join and loadSchemas' dropdown items: each table with the columns
    whose tableId (or table_id, or table) is its id."""
    assert isinstance(data["tables"], list) and isinstance(data["columns"], list)
    columns: dict[str, list[dict[str, Any]]] = {}
    for column in data["columns"]:
        assert is_text(column["name"]) and is_text(column["type"])
        columns.setdefault(column.get("tableId") or column.get("table_id")
                           or column.get("table"), []).append(column)
    items = []
    for table in data["tables"]:
        assert is_text(table["id"]) and is_text(table["name"])
        items.append({"name": table["name"], "tableId": table["id"],
                      "columns": columns.get(table["id"], []), "table": table})
    return items


def test_the_schema_calls_answer_with_schemas_off(answers: dict[str, Any]) -> None:
    """The session's server reads no dataset schemas: both calls still answer 200 (a failed
    one would show as an error over the graph), with an empty dropdown."""
    for url in (SCHEMA_URL, LINEAGE_SCHEMA_URL):
        data = answers[url]
        assert set(data) >= {"tables", "columns", "featureGroups", "features", "warnings"}
        assert frontend_tables(data) == []
        assert "SCHEMA_DISABLED" in [w["code"] for w in data["warnings"]]


@pytest.fixture(scope="module")
def schema_server(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory,
                  api_server: Server) -> Any:
    """A server with ENABLE_SCHEMA=true, the frontend's origin allowed (the session's server
    is started first: this one's environment is its own)."""
    directory = tmp_path_factory.mktemp("sage-front-schema")
    env = sandbox_env(sandbox, {"ENABLE_SCHEMA": "true", "CORS_ORIGINS": FRONT_ORIGIN,
                                **LIMITS_OFF})
    server = start_gunicorn("dashboard.server.wsgi:server", env, directory / "server.log",
                            workers=1)
    yield server
    server.stop()


def test_the_dataset_dropdown_and_a_datasets_lineage(schema_server: Server) -> None:
    def ask(url: str) -> dict[str, Any]:
        response = requests.get(schema_server.url + url, headers={"Origin": FRONT_ORIGIN},
                                timeout=60)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["Access-Control-Allow-Origin"] == FRONT_ORIGIN
        data: dict[str, Any] = response.json()
        return data

    items = {item["name"]: item for item in frontend_tables(ask(SCHEMA_URL))}
    # The dropdown: each dataset with "<n> columns".
    assert {"train", "validation", "test"} <= set(items)
    assert [c["name"] for c in items["validation"]["columns"]][:2] == ["customer_id",
                                                                      "tenure_months"]
    # loadSchemaLineage keeps the chosen table (t.name === schemaName) and its columns.
    full = ask(LINEAGE_SCHEMA_URL)
    chosen = [t for t in frontend_tables(full) if t["name"] == "validation"]
    assert len(chosen) == 1 and chosen[0]["columns"] == items["validation"]["columns"]
    assert all(link.startswith("data:s3://") for link in chosen[0]["table"]["links"])
