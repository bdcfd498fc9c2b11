"""Security headers on every kind of response, and the dashboard still working under its CSP.

In process (Flask's test client) for the kinds of response: the page, JSON answers, Dash's
own JSON, assets, component bundles, and every error status (405, 413 and 415 as JSON too);
JSON never stored by a cache, HSTS only over TLS, X-Forwarded-* believed only from trusted
proxies. Then the real server in a real Chromium: the page renders and its callbacks run
under the CSP, with no violation reported; and the same page with Dash's hashes left out of
the policy does not render (the control).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboard.core.config import LINEAGE_SERVICE
from dashboard.server.app import create_app
from dashboard.server.headers import LOCKED_DOWN_CSP
from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server, sandbox_env, start_gunicorn

pytestmark = pytest.mark.sandbox

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
SCRIPT_HASH = re.compile(r"'sha256-[A-Za-z0-9+/=]{44}'")


class Exploding:
    """A service whose every answer is an unexpected error (for the 500 row)."""

    def __init__(self, real: Any) -> None:
        self.settings = real.settings
        self.clients = real.clients

    def get_lineage(self, *_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")


@pytest.fixture(scope="module")
def env(sandbox: SandboxProcess) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in sandbox_env(sandbox).items():
            patch.setenv(key, value)
        yield


@pytest.fixture(scope="module")
def client(env: None) -> FlaskClient:
    app = create_app({"CACHE_TYPE": "SimpleCache", "API_PREFIX": "/prod"})
    test_client: FlaskClient = app.server.test_client()
    return test_client


def assert_secure(response: Any, what: str) -> str:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, f"{what}: {name}"
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{what}: no Content-Security-Policy"
    assert "frame-ancestors 'none'" in csp, what
    return str(csp)


def test_the_page_has_a_csp_with_dash_hashes(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    csp = assert_secure(response, "page")
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    script_src = directives["script-src"].split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    hashes = [token for token in script_src if SCRIPT_HASH.fullmatch(token)]
    app = create_app({"CACHE_TYPE": "NullCache"})
    app.server.test_client().get("/")  # the pages router adds its inline script at first use
    assert set(hashes) == set(app.csp_hashes())  # exactly Dash's inline scripts
    assert directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
    # Every inline script the browser would run is one the policy names by its hash.
    html = re.sub(r"<!--.*?-->", "", response.text, flags=re.S)  # IE-only conditional blocks
    inline = [
        body for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        if "src=" not in attributes and "application/json" not in attributes
    ]
    assert inline, "Dash's renderer bootstrap is inline"
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in hashes, body


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/lineage?pipeline=mlops-pipeline", 200),
        ("/prod/lineage?pipeline=mlops-pipeline", 200),
        ("/pipelines", 200),
        ("/executions?pipeline=mlops-pipeline", 200),
        ("/healthz", 200),
        ("/regions", 200),
        ("/openapi.json", 200),
        ("/_dash-layout", 200),
        ("/_dash-dependencies", 200),
        ("/lineage", 400),
        ("/lineage?pipeline=%3Cscript%3E", 400),
        ("/lineage?pipeline=no-such-pipeline", 404),
        ("/_dash-component-suites/dash/no-such-bundle.js", 404),
    ],
)
def test_every_json_and_error_answer_is_locked_down(
    client: FlaskClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status, response.text
    assert assert_secure(response, path) == LOCKED_DOWN_CSP
    # They hold ARNs and bucket settings: no browser or shared cache keeps them.
    assert response.headers["Cache-Control"] == "no-store", path
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP, no proxy


def test_assets_and_bundles_carry_the_headers(client: FlaskClient) -> None:
    page = client.get("/").text
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+\.js[^"]*)"', page)
    assert bundles, "the page loads Dash's bundles"
    css = re.findall(r'href="(/assets/[^"]+)"', page)
    for path in bundles[:3] + css:
        response = client.get(path)
        try:
            assert response.status_code == 200, path
            assert_secure(response, path)
            assert response.headers["Content-Security-Policy"] == LOCKED_DOWN_CSP
            assert "no-store" not in response.headers.get("Cache-Control", ""), path  # Dash's
        finally:
            response.close()  # files are streamed


def test_methods_and_unexpected_errors_carry_the_headers(env: None) -> None:
    app = create_app({"CACHE_TYPE": "NullCache"})
    service = app.server.extensions["sagemaker_lineage"].cached.service
    exploding = create_app({"CACHE_TYPE": "NullCache", LINEAGE_SERVICE: Exploding(service)})
    client = app.server.test_client()
    assert_secure(client.post("/lineage?pipeline=mlops-pipeline"), "405")
    assert client.post("/lineage").status_code == 405
    response = exploding.server.test_client().get("/lineage?pipeline=mlops-pipeline")
    assert response.status_code == 500
    assert_secure(response, "500")
    limited = create_app({"CACHE_TYPE": "NullCache", "LINEAGE_RATE_LIMIT": "1/minute"})
    limited_client = limited.server.test_client()
    limited_client.get("/lineage")
    too_many = limited_client.get("/lineage")
    assert too_many.status_code == 429
    assert_secure(too_many, "429")


def test_the_page_is_revalidated_not_stored(client: FlaskClient) -> None:
    # No data in it, but its CSP names this version's scripts: always asked again.
    assert client.get("/").headers["Cache-Control"] == "no-cache"


def refusals(client: FlaskClient) -> dict[str, Any]:
    big = b"[" + b"0," * (5 << 20) + b"0]"  # 10 MiB of valid JSON: refused for its size only
    return {
        "405": client.post("/lineage?pipeline=mlops-pipeline"),
        "405-prefixed": client.delete("/prod/lineage"),
        "415": client.post("/_dash-update-component", data=b"{}",
                           headers={"Content-Type": "text/plain"}),
        "415-form": client.post("/_dash-update-component", data={"a": "b"}),
        "413": client.post("/_dash-update-component", data=big,
                           headers={"Content-Type": "application/json"}),
    }


def test_refusals_are_json_with_the_headers_and_a_request_id(client: FlaskClient) -> None:
    messages = {"405": "method not allowed", "413": "request body too large",
                "415": "the request body must be JSON (Content-Type: application/json)"}
    for name, response in refusals(client).items():
        status = name.split("-")[0]
        assert response.status_code == int(status), (name, response.text)
        assert response.mimetype == "application/json", name
        assert response.get_json() == {"message": messages[status]}, name
        assert_secure(response, name)
        assert response.headers["Cache-Control"] == "no-store", name
        assert len(response.headers["X-Request-Id"]) == 32, name
        if status == "405":
            assert response.headers["Allow"] == "GET, HEAD, OPTIONS", name


def test_the_body_limit_is_configurable() -> None:
    app = create_app({"CACHE_TYPE": "NullCache", "LINEAGE_MAX_BODY_BYTES": 100})
    client = app.server.test_client()
    body = b'{"output": "' + b"x" * 200 + b'"}'
    response = client.post("/_dash-update-component", data=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    from dashboard.core.config import load_config

    assert load_config(env={})["MAX_CONTENT_LENGTH"] == 4 * 1024 * 1024
    assert load_config(env={"LINEAGE_MAX_BODY_BYTES": "1024"})["MAX_CONTENT_LENGTH"] == 1024


def _addresses(config: dict[str, Any]) -> FlaskClient:
    """An app with one more route that says what it believes of the client."""
    from flask import Flask, jsonify, request

    server: Flask = create_app({"CACHE_TYPE": "NullCache", **config}).server

    @server.get("/_test/client")
    def who() -> Any:
        return jsonify({"addr": request.remote_addr, "secure": request.is_secure,
                        "host": request.host})

    test_client: FlaskClient = server.test_client()
    return test_client


FORGED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
          "X-Forwarded-Host": "forged.example"}


def test_forwarded_headers_are_ignored_without_trusted_proxies() -> None:
    client = _addresses({})
    seen = client.get("/_test/client", headers=FORGED)
    assert seen.get_json() == {"addr": "127.0.0.1", "secure": False, "host": "localhost"}
    assert "Strict-Transport-Security" not in seen.headers
    assert "Strict-Transport-Security" not in client.get("/healthz", headers=FORGED).headers


def test_a_trusted_proxy_gives_the_client_and_tls() -> None:
    client = _addresses({"LINEAGE_TRUSTED_PROXIES": 1})
    # One hop trusted: the last address the proxy added is the client's, not the first.
    seen = client.get("/_test/client", headers={**FORGED, "X-Forwarded-For": "198.51.100.1, "
                                                "203.0.113.9"})
    assert seen.get_json() == {"addr": "203.0.113.9", "secure": True, "host": "forged.example"}
    for path in ("/healthz", "/", "/lineage"):
        over_tls = client.get(path, headers=FORGED)
        assert over_tls.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"), path
    plain = client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers
    from dashboard.core.config import load_config

    assert load_config(env={})["LINEAGE_TRUSTED_PROXIES"] == 0
    assert load_config(env={"LINEAGE_TRUSTED_PROXIES": "0"})["LINEAGE_TRUSTED_PROXIES"] == 0


def test_tls_to_the_server_itself_has_hsts() -> None:
    client = _addresses({})
    direct = client.get("/healthz", base_url="https://localhost")
    assert direct.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# -- the page in a real browser, under the CSP ---------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver")
BROWSER_WAIT_SEC = 30


@pytest.fixture(scope="module")
def page_servers(
    sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server]]:
    directory = tmp_path_factory.mktemp("csp")
    env = sandbox_env(sandbox)
    good = start_gunicorn("tests.security.csp_app:server", env, directory / "good.log",
                          workers=1, threads=4)
    try:
        broken = start_gunicorn(
            "tests.security.csp_app:server", {**env, "CSP_TEST_DROP_HASHES": "1"},
            directory / "broken.log", workers=1, threads=4,
        )
    except BaseException:
        good.stop()
        raise
    yield good, broken
    broken.stop()
    good.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    if CHROMEDRIVER is None or not Path(CHROMIUM).exists():
        import os

        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are not installed (.ci/run installs them)")
        pytest.skip("needs chromium and chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options: Any = webdriver.ChromeOptions()  # selenium 4.2 is untyped
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--window-size=1366,768"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _rendered(driver: Any) -> bool:
    # The layout's region dropdown lists regions only once Dash rendered it and a callback ran.
    return bool(driver.execute_script(
        "const page = document.getElementById('page');"
        "return !!page && page.innerText.includes('ap-northeast-2');"
    ))


def _csp_violations(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"]]


SELENIUM_WARNINGS = [
    pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:selenium.*"),
]


@SELENIUM_WARNINGS[0]
@SELENIUM_WARNINGS[1]
def test_the_dashboard_runs_under_its_csp(
    page_servers: tuple[Server, Server], browser: Any
) -> None:
    good, broken = page_servers
    browser.get(good.url + "/")
    deadline = time.monotonic() + BROWSER_WAIT_SEC
    while not _rendered(browser):
        assert time.monotonic() < deadline, "the page did not render under its CSP"
        time.sleep(0.2)
    assert _csp_violations(browser) == []

    # The control: the same page without Dash's hashes in its policy never renders.
    browser.get(broken.url + "/")
    time.sleep(3)
    assert not _rendered(browser)
    assert _csp_violations(browser), "the browser reports the blocked inline script"
