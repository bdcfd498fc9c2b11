"""``GET /schema`` and ``GET /lineage/schema`` (the sibling API's schema layer) over the
sandbox: the answer made from the document's own cache entry, cached itself, its parameters
validated as every boolean here, and a 200 with a warning when ENABLE_SCHEMA is off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_caching import Cache

from dashboard.core.cache import CachedLineage, Ttls
from dashboard.server.app import create_app
from dashboard.server.limits import LIMITS_OFF
from lineage.config import Settings
from lineage.errors import InvalidParameter
from lineage.request import parse_schema_request
from lineage.sandbox import SandboxProcess
from lineage.service import LineageService
from tests.api.conftest import Server, sandbox_env
from tests.api.test_openapi import _validator

SEOUL = "ap-northeast-2"
BUCKET = "my-mlops-dev2-v2-main-data"
RUN = f"s3://{BUCKET}/mlops-pipeline/h4d8s2n6p0cd/Preprocess"
FEATURE_STORE = {"ListFeatureGroups", "DescribeFeatureGroup"}


def parse(**params: str) -> Any:
    return parse_schema_request(params, settings=Settings(), regions={SEOUL, "us-east-1"})


def test_the_sibling_defaults_and_flags() -> None:
    wanted = parse(pipeline="mlops-pipeline", region=SEOUL)
    assert (wanted.include_featurestore, wanted.include_sql, wanted.scan_if_missing) == (
        True, True, False)
    assert wanted.lineage.include_latest_exec and wanted.lineage.execution is None
    flags = parse(pipeline="p", include_featurestore="FALSE", include_sql="0",
                  scan_if_missing="yes")
    assert (flags.include_featurestore, flags.include_sql, flags.scan_if_missing) == (
        False, False, True)
    assert flags.lineage.region == Settings().default_region
    # The sibling's own parameters that mean nothing here change nothing.
    assert parse(pipeline="p", profile="prod", timeout_s="15") == parse(pipeline="p")


@pytest.mark.parametrize("name", ["include_featurestore", "include_sql", "scan_if_missing"])
def test_a_flag_that_is_no_boolean_is_a_400_naming_it(name: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse(pipeline="p", **{name: "maybe"})
    assert caught.value.parameter == name
    assert caught.value.message == f"{name} must be true, false, 1, 0, yes or no"


def test_pipeline_and_region_as_lineage() -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse(region=SEOUL)
    assert (caught.value.parameter, caught.value.message) == ("pipeline", "pipeline is required")
    with pytest.raises(InvalidParameter) as caught:
        parse(pipeline="p", region="mars-1")
    assert caught.value.parameter == "region"


# -- over the sandbox ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema_client(sandbox: SandboxProcess, api_server: Server) -> Iterator[FlaskClient]:
    """The app in process with ENABLE_SCHEMA=true (its own cache: the session server's is
    off). The session's server is started first: it must not inherit ENABLE_SCHEMA."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in sandbox_env(sandbox, {"ENABLE_SCHEMA": "true"}).items():
            patch.setenv(key, value)
        app = create_app({"CACHE_TYPE": "SimpleCache", **LIMITS_OFF})
        yield app.server.test_client()


def operations(sandbox: SandboxProcess) -> list[str]:
    return [call["operation"] for call in sandbox.calls()]


@pytest.mark.sandbox
def test_the_answer_is_the_cached_documents_and_the_feature_store(
    schema_client: FlaskClient, sandbox: SandboxProcess
) -> None:
    query = {"pipeline": "mlops-pipeline", "region": SEOUL}
    document = schema_client.get("/lineage", query_string=query)
    assert document.status_code == 200
    # The document's entry is the one /lineage filled: only the Feature Store is read.
    sandbox.reset_calls()
    first = schema_client.get("/schema", query_string={
        **query, "include_featurestore": "true", "include_sql": "true",
        "scan_if_missing": "true"})
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.headers["Content-Type"].startswith("application/json")
    assert first.headers["X-Cache"] == "miss"
    assert set(operations(sandbox)) == FEATURE_STORE
    answer = first.get_json()
    assert set(answer) == {"tables", "columns", "featureGroups", "features", "warnings"}
    tables = {t["name"]: t for t in answer["tables"]}
    assert {"train", "validation", "test", "churn.csv"} <= set(tables)
    assert tables["train"]["links"] == [f"data:{RUN.lower()}/train"]
    validation = [c for c in answer["columns"] if c["tableId"] == "table:validation"]
    assert {c["name"]: c["type"] for c in validation}["monthly_charges"] == "number"
    assert [g["name"] for g in answer["featureGroups"]] == ["mlops-churn-features"]
    assert {f["groupId"] for f in answer["features"]} == {"featureGroup:mlops-churn-features"}
    assert not [w for w in answer["warnings"] if w["code"] == "SCHEMA_DISABLED"]
    # /lineage/schema without parameters is the same request (the sibling's defaults): a hit.
    sandbox.reset_calls()
    again = schema_client.get("/lineage/schema", query_string=query)
    assert again.headers["X-Cache"] == "hit" and operations(sandbox) == []
    assert again.get_json() == answer
    # Without the Feature Store: an entry of its own, made without any AWS call.
    sandbox.reset_calls()
    plain = schema_client.get("/schema", query_string={**query, "include_featurestore": "no"})
    assert plain.status_code == 200 and operations(sandbox) == []
    assert plain.get_json()["featureGroups"] == [] and plain.get_json()["features"] == []
    assert plain.get_json()["tables"] == answer["tables"]


@pytest.mark.sandbox
def test_a_refresh_reads_the_document_again(
    schema_client: FlaskClient, sandbox: SandboxProcess
) -> None:
    query = {"pipeline": "churn-pipeline", "region": SEOUL, "include_featurestore": "false"}
    assert schema_client.get("/schema", query_string=query).status_code == 200
    sandbox.reset_calls()
    fresh = schema_client.get("/schema", query_string={**query, "refresh": "true"})
    assert fresh.headers["X-Cache"] == "refresh"
    assert "DescribePipeline" in operations(sandbox) or "ListPipelineExecutions" in operations(
        sandbox)


@pytest.mark.sandbox
@pytest.mark.parametrize(("query", "status", "parameter"), [
    ({"pipeline": "mlops-pipeline", "include_sql": "sometimes"}, 400, "include_sql"),
    ({"pipeline": "mlops-pipeline", "scan_if_missing": "2"}, 400, "scan_if_missing"),
    ({"pipeline": "mlops-pipeline", "include_featurestore": "on"}, 400, "include_featurestore"),
    ({"region": SEOUL}, 400, "pipeline"),
    ({"pipeline": "no-such-pipeline", "region": SEOUL}, 404, None),
])
def test_refusals_are_json_the_page_can_show(
    schema_client: FlaskClient, query: dict[str, str], status: int, parameter: str | None
) -> None:
    for path in ("/schema", "/lineage/schema"):
        response = schema_client.get(path, query_string=query)
        assert response.status_code == status, (path, response.get_data(as_text=True))
        body = response.get_json()
        assert isinstance(body["message"], str) and "Traceback" not in body["message"]
        if parameter is not None:
            assert body["message"].startswith(parameter)


@pytest.mark.sandbox
def test_with_schemas_off_it_is_a_200_with_a_warning(api_server: Server) -> None:
    """The session's server runs with ENABLE_SCHEMA off: the frontend's call still answers
    (it shows any failed call as an error), with no tables and SCHEMA_DISABLED."""
    response = api_server.get("/schema", params={
        "pipeline": "mlops-pipeline", "region": SEOUL, "include_featurestore": "false",
        "profile": "default", "timeout_s": "15"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["tables"] == [] and answer["columns"] == []
    assert "SCHEMA_DISABLED" in [w["code"] for w in answer["warnings"]]


@pytest.mark.sandbox
def test_the_answers_with_schemas_on_match_the_document(schema_client: FlaskClient) -> None:
    """/schema's, and /compare's schemaDrift (only with ENABLE_SCHEMA=true), as documented."""
    spec = schema_client.get("/openapi.json").get_json()
    answer = schema_client.get("/schema", query_string={"pipeline": "mlops-pipeline"})
    _validator(spec, "/schema", 200).validate(answer.get_json())
    compare = schema_client.get("/compare", query_string={
        "pipeline": "mlops-pipeline", "a": "q7v2m9k3x1ab", "b": "h4d8s2n6p0cd"})
    assert compare.status_code == 200, compare.get_data(as_text=True)
    comparison = compare.get_json()
    drift = {d["dataset"].rsplit("/", 1)[-1]: d for d in comparison["schemaDrift"]}
    assert drift["validation"]["change"] == "changed"
    assert {"name": "monthly_charges", "a": "integer", "b": "number"} in (
        drift["validation"]["retyped"])
    _validator(spec, "/compare", 200).validate(comparison)
    comparison["schemaDrift"][0]["added"] = [{"name": "x"}]  # a column without its type
    with pytest.raises(jsonschema.ValidationError):
        _validator(spec, "/compare", 200).validate(comparison)


@pytest.mark.sandbox
@pytest.mark.parametrize(("pipeline", "ttl"), [
    ("mlops-pipeline", 30),  # finished: a list's lifetime (a newer run, a new feature group)
    ("fraud-detection-pipeline", 10),  # still running
])
def test_the_answer_lives_as_its_document_allows(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch, pipeline: str, ttl: int
) -> None:
    for key, value in sandbox_env(sandbox, {"ENABLE_SCHEMA": "true"}).items():
        monkeypatch.setenv(key, value)
    app = Flask(__name__)
    cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    timeouts: dict[str, int] = {}
    real_set = cache.set

    def recording_set(key: str, value: Any, timeout: int | None = None) -> Any:
        timeouts[key] = timeout or 0
        return real_set(key, value, timeout=timeout)

    monkeypatch.setattr(cache, "set", recording_set)
    service = LineageService(Settings.from_env())
    memo = CachedLineage(service, cache, Ttls(finished=3600, running=10, lists=30))
    try:
        with app.app_context():
            wanted = parse(pipeline=pipeline, region=SEOUL, include_featurestore="false")
            assert memo.schema(wanted).source == "miss"
            (key,) = [k for k in timeouts if k.startswith("schema:")]
            assert key.endswith(":fs=False") and timeouts[key] == ttl
            assert memo.schema(wanted).source == "hit"
    finally:
        service.close()
