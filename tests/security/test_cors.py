"""CORS: no other origin by default; CORS_ORIGINS lists origins, or `*` opts into any origin
(the seed's behaviour); `Origin: null` never; GET only, never with credentials; preflights
answered as the request they announce.

The dashboard's own POST endpoints (Dash callbacks) never answer another origin: Dash relies
on the preflight that JSON POSTs need instead of CSRF tokens.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers

from dashboard.server.app import create_app

ALLOWED = "https://analytics.example.test"
OTHER = "https://evil.example.test"
API_PATHS = ("/lineage", "/healthz", "/pipelines?region=nowhere", "/openapi.json",
             "/estate?region=nowhere", "/impact", "/provenance", "/findings?region=nowhere",
             "/compare", "/timeline", "/trends?region=nowhere",
             "/executions?pipeline=p&status=nowhere", "/sagemaker/pipelines?regions=nowhere",
             "/lineage/by-domain", "/schema", "/lineage/schema?pipeline=p&include_sql=x",
             "/lineage?pipeline=p&format=xml")


def preflight(client: FlaskClient, path: str, origin: str, method: str = "GET") -> dict[str, str]:
    response = client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "X-Request-Id, Content-Type",
    })
    assert "Access-Control-Allow-Credentials" not in response.headers
    return dict(response.headers)


def cors_headers(headers: Mapping[str, str] | Headers) -> list[str]:
    return [name for name in headers.keys() if name.lower().startswith("access-control")]


@pytest.fixture(scope="module")
def default() -> FlaskClient:
    client: FlaskClient = create_app({"CACHE_TYPE": "NullCache"}).server.test_client()
    return client


@pytest.fixture(scope="module")
def narrowed() -> FlaskClient:
    app = create_app({"CACHE_TYPE": "NullCache", "CORS_ORIGINS": (ALLOWED,)})
    client: FlaskClient = app.server.test_client()
    return client


@pytest.fixture(scope="module")
def open_to_all() -> FlaskClient:
    app = create_app({"CACHE_TYPE": "NullCache", "CORS_ORIGINS": ("*",)})
    client: FlaskClient = app.server.test_client()
    return client


def test_no_origin_may_read_by_default(default: FlaskClient) -> None:
    for origin in (OTHER, ALLOWED, "null"):
        for path in API_PATHS:
            response = default.get(path, headers={"Origin": origin})
            assert cors_headers(response.headers) == [], (origin, path)
        assert cors_headers(preflight(default, "/lineage", origin)) == [], origin


def test_the_environment_default_is_none_and_star_is_explicit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dashboard.core.config import load_config

    assert load_config(env={})["CORS_ORIGINS"] == ()
    assert load_config(env={"CORS_ORIGINS": ""})["CORS_ORIGINS"] == ()
    assert load_config(env={"CORS_ORIGINS": "*"})["CORS_ORIGINS"] == ("*",)
    monkeypatch.setenv("CORS_ORIGINS", f" {ALLOWED} , https://b.test ")
    assert load_config()["CORS_ORIGINS"] == (ALLOWED, "https://b.test")


def test_star_allows_any_origin_but_null(open_to_all: FlaskClient) -> None:
    for path in API_PATHS:
        response = open_to_all.get(path, headers={"Origin": OTHER})
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "Origin" in response.headers["Vary"], path  # null is answered differently
        null = open_to_all.get(path, headers={"Origin": "null"})
        assert cors_headers(null.headers) == [], path
    assert cors_headers(preflight(open_to_all, "/lineage", "null")) == []
    assert preflight(open_to_all, "/lineage", OTHER)["Access-Control-Allow-Origin"] == "*"


def test_null_is_never_allowed_even_when_listed() -> None:
    app = create_app({"CACHE_TYPE": "NullCache", "CORS_ORIGINS": ("null", ALLOWED)})
    client = app.server.test_client()
    assert cors_headers(client.get("/healthz", headers={"Origin": "null"}).headers) == []
    assert cors_headers(preflight(client, "/healthz", "null")) == []
    listed = client.get("/healthz", headers={"Origin": ALLOWED})
    assert listed.headers["Access-Control-Allow-Origin"] == ALLOWED


def test_narrowed_preflight(narrowed: FlaskClient) -> None:
    allowed = preflight(narrowed, "/lineage", ALLOWED)
    assert allowed["Access-Control-Allow-Origin"] == ALLOWED
    assert allowed["Access-Control-Allow-Methods"] == "GET"
    assert "Content-Type" not in allowed["Access-Control-Allow-Headers"]
    assert "X-Api-Key" in allowed["Access-Control-Allow-Headers"]  # a key crosses origins
    other = preflight(narrowed, "/lineage", OTHER)
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Methods" not in other
    assert "Origin" in other["Vary"]


def test_preflight_answers_as_the_request_does(narrowed: FlaskClient) -> None:
    for origin in (ALLOWED, OTHER, "null"):
        for path in API_PATHS:
            get = narrowed.get(path, headers={"Origin": origin})
            options = preflight(narrowed, path, origin)
            assert (get.headers.get("Access-Control-Allow-Origin")
                    == options.get("Access-Control-Allow-Origin")), (origin, path)


def test_preflight_for_other_methods_allows_only_get(open_to_all: FlaskClient) -> None:
    for method in ("POST", "PUT", "DELETE"):
        headers = preflight(open_to_all, "/lineage", OTHER, method)
        assert headers["Access-Control-Allow-Methods"] == "GET"
    assert open_to_all.post("/lineage", headers={"Origin": OTHER}).status_code == 405
    assert open_to_all.delete("/lineage", headers={"Origin": OTHER}).status_code == 405


def test_dash_endpoints_never_answer_other_origins(open_to_all: FlaskClient) -> None:
    for path in ("/_dash-update-component", "/_dash-layout", "/"):
        headers = preflight(open_to_all, path, OTHER, "POST")
        assert "Access-Control-Allow-Origin" not in headers, path
        get = open_to_all.get(path, headers={"Origin": OTHER})
        assert "Access-Control-Allow-Origin" not in get.headers, path
    # A callback POST refused for its body says so, still to no other origin.
    for body, content_type in ((b"x", "text/plain"), (b"x" * (5 << 20), "application/json")):
        refused = open_to_all.post("/_dash-update-component", data=body,
                                   headers={"Origin": OTHER, "Content-Type": content_type})
        assert refused.status_code in (413, 415)
        assert "Access-Control-Allow-Origin" not in refused.headers


def test_credentials_are_never_allowed(open_to_all: FlaskClient, narrowed: FlaskClient) -> None:
    for client, origin in ((open_to_all, OTHER), (narrowed, ALLOWED)):
        for path in ("/lineage", "/healthz", "/pipelines?region=nowhere"):
            response = client.get(path, headers={"Origin": origin, "Cookie": "session=x"})
            assert "Access-Control-Allow-Credentials" not in response.headers
            assert response.headers["Access-Control-Allow-Origin"] in ("*", ALLOWED)
