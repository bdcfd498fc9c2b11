"""CORS: GET only, never with credentials; CORS_ORIGINS narrows it; preflights answered so.

The dashboard's own POST endpoints (Dash callbacks) never answer another origin: Dash relies
on the preflight that JSON POSTs need instead of CSRF tokens.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from dashboard.server.app import create_app

ALLOWED = "https://analytics.example.test"
OTHER = "https://evil.example.test"


def preflight(client: FlaskClient, path: str, origin: str, method: str = "GET") -> dict[str, str]:
    response = client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "X-Request-Id, Content-Type",
    })
    assert "Access-Control-Allow-Credentials" not in response.headers
    return dict(response.headers)


@pytest.fixture(scope="module")
def narrowed() -> FlaskClient:
    app = create_app({"CACHE_TYPE": "NullCache", "CORS_ORIGINS": (ALLOWED,)})
    client: FlaskClient = app.server.test_client()
    return client


@pytest.fixture(scope="module")
def open_to_all() -> FlaskClient:
    client: FlaskClient = create_app({"CACHE_TYPE": "NullCache"}).server.test_client()
    return client


def test_narrowed_preflight(narrowed: FlaskClient) -> None:
    allowed = preflight(narrowed, "/lineage", ALLOWED)
    assert allowed["Access-Control-Allow-Origin"] == ALLOWED
    assert allowed["Access-Control-Allow-Methods"] == "GET"
    assert "Content-Type" not in allowed["Access-Control-Allow-Headers"]
    other = preflight(narrowed, "/lineage", OTHER)
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Methods" not in other
    assert "Origin" in other["Vary"]


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


def test_credentials_are_never_allowed(open_to_all: FlaskClient, narrowed: FlaskClient) -> None:
    for client, origin in ((open_to_all, OTHER), (narrowed, ALLOWED)):
        for path in ("/lineage", "/healthz", "/pipelines?region=nowhere"):
            response = client.get(path, headers={"Origin": origin, "Cookie": "session=x"})
            assert "Access-Control-Allow-Credentials" not in response.headers
            assert response.headers["Access-Control-Allow-Origin"] in ("*", ALLOWED)
