"""A path that is neither an endpoint nor a page answers 404: JSON with CORS for API clients,
the page (which shows its not-found view) for a browser; real routes are untouched."""

from __future__ import annotations

import pytest

from tests.api.conftest import Server

pytestmark = pytest.mark.sandbox

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ORIGIN = "https://frontend.example"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/nope", {"Accept": "application/json"}),
        ("/lineagez", {"Accept": "*/*"}),  # what fetch() sends by default
        ("/prod/nope", {}),  # anything under API_PREFIX is the API's
        ("/prod/nope", {"Accept": BROWSER_ACCEPT}),
        ("/api/v2/lineage", {"Accept": "application/json, text/plain, */*"}),  # axios
    ],
)
def test_api_clients_get_json_with_cors(api_server: Server, path: str,
                                        headers: dict[str, str]) -> None:
    response = api_server.get(path, headers={**headers, "Origin": ORIGIN})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"message": "not found"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Request-Id"]


def test_other_methods_on_a_missing_path_are_404_too(api_server: Server) -> None:
    response = api_server.session.post(api_server.url + "/nope", timeout=30,
                                       headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert response.json() == {"message": "not found"}
    # A real endpoint still refuses the method, as before.
    assert api_server.session.post(api_server.url + "/lineage", timeout=30).status_code == 405


def test_a_browser_gets_the_page_with_status_404(api_server: Server) -> None:
    response = api_server.get("/no/such/page", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert 'id="react-entry-point"' in response.text  # the app, whose router shows "not found"
    assert "script-src" in response.headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in response.headers


def test_pages_and_endpoints_are_not_affected(api_server: Server) -> None:
    page = api_server.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200 and 'id="react-entry-point"' in page.text
    query = api_server.get("/?region=ap-northeast-2&pipeline=mlops-pipeline",
                           headers={"Accept": BROWSER_ACCEPT})
    assert query.status_code == 200
    for path in ("/healthz", "/prod/healthz", "/regions", "/openapi.json", "/_dash-layout",
                 "/_dash-dependencies"):
        assert api_server.get(path).status_code == 200, path
    assert api_server.get("/lineage", params={"pipeline": "mlops-pipeline"}).status_code == 200
    assert api_server.get("/assets/dashboard.css").status_code == 200
    assert api_server.get("/assets/missing.css").status_code == 404
