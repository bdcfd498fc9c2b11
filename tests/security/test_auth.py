"""Authentication: API keys (their SHA-256 in LINEAGE_API_KEYS) or the user a trusted proxy
names (LINEAGE_TRUSTED_USER_HEADER); off by default.

In process, no AWS: with either configured, every route but liveness, readiness and Dash's
static files needs an identity, the page and its callbacks included; a refusal is one JSON
401 that never says what failed, logged once; the identity is in the log and ``g.identity``;
`CORS_ORIGINS=*` with authentication does not start; /openapi.json names the schemes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, jsonify
from flask.testing import FlaskClient

from dashboard.server.app import create_app
from lineage.errors import ConfigError
from tests.dashpost import CALLBACK_PATH, callback_json

KEY = "correct-horse-battery-staple-0123456789"
OTHER_KEY = "another-key-for-another-program-42"
DIGEST = hashlib.sha256(KEY.encode()).hexdigest()
OTHER_DIGEST = hashlib.sha256(OTHER_KEY.encode()).hexdigest()
USER_HEADER = "X-Amzn-Oidc-Identity"
ORIGIN = "https://analytics.example.test"
REFUSED = {"message": "authentication required"}

# Everything that shows data or runs code for the client.
PROTECTED_GET = [
    "/lineage?pipeline=mlops-pipeline", "/lineage", "/pipelines", "/executions?pipeline=p",
    "/regions", "/openapi.json", "/prod/lineage?pipeline=p", "/prod/regions", "/",
    "/?region=ap-northeast-2&pipeline=mlops-pipeline", "/no/such/page", "/nope",
    "/_dash-layout", "/_dash-dependencies",
]


def make(config: dict[str, Any]) -> Any:
    app = create_app({"CACHE_TYPE": "NullCache", "API_PREFIX": "/prod", **config})
    server: Flask = app.server

    @server.get("/_test/identity")
    def identity() -> Any:  # what the rate limiter keys on
        return jsonify({"identity": g.get("identity")})

    return app


@pytest.fixture(scope="module")
def keyed() -> Any:
    return make({"LINEAGE_API_KEYS": (DIGEST, OTHER_DIGEST.upper()),
                 "CORS_ORIGINS": (ORIGIN,)})


@pytest.fixture(scope="module")
def proxied() -> Any:
    return make({"LINEAGE_TRUSTED_USER_HEADER": USER_HEADER})


@pytest.fixture(scope="module")
def both() -> Any:
    return make({"LINEAGE_API_KEYS": (DIGEST,), "LINEAGE_TRUSTED_USER_HEADER": USER_HEADER})


def callback(app: Any, client: FlaskClient, headers: dict[str, str]) -> Any:
    body = callback_json(app, "edge-caption.children")  # no AWS: a caption from its inputs
    return client.post(CALLBACK_PATH, data=body,
                       headers={"Content-Type": "application/json", **headers})


def assert_refused(response: Any, *, key_mode: bool) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    assert response.get_json() == REFUSED
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(response.headers["X-Request-Id"]) == 32
    if key_mode:
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="sagemaker-lineage"'
    else:
        assert "WWW-Authenticate" not in response.headers


def static_paths(client: FlaskClient) -> list[str]:
    page = client.get("/", headers={"X-Api-Key": KEY, USER_HEADER: "someone"}).text
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+\.js[^"]*)"', page)
    css = re.findall(r'href="(/assets/[^"]+)"', page)
    assert bundles and css
    return [bundles[0], css[0], "/_favicon.ico"]


# -- off by default ------------------------------------------------------------------------------


def test_off_by_default() -> None:
    app = make({})
    client = app.server.test_client()
    assert client.get("/regions").status_code == 200
    assert client.get("/").status_code == 200
    assert callback(app, client, {}).status_code == 200
    assert client.get("/_test/identity").get_json() == {"identity": None}
    spec = client.get("/openapi.json").get_json()
    assert "securitySchemes" not in spec["components"] and "security" not in spec


# -- API keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PROTECTED_GET)
def test_keys_every_route_needs_one(keyed: Any, path: str) -> None:
    client = keyed.server.test_client()
    assert_refused(client.get(path, headers={"Accept": "application/json"}), key_mode=True)
    assert_refused(client.get(path, headers={"X-Api-Key": "wrong"}), key_mode=True)
    accepted = client.get(path, headers={"X-Api-Key": KEY, "Accept": "application/json"})
    assert accepted.status_code != 401, path


def test_keys_the_dashboard_callbacks_need_one(keyed: Any) -> None:
    client = keyed.server.test_client()
    assert_refused(callback(keyed, client, {}), key_mode=True)
    assert_refused(callback(keyed, client, {"Authorization": "Bearer wrong"}), key_mode=True)
    assert callback(keyed, client, {"X-Api-Key": KEY}).status_code == 200
    assert callback(keyed, client, {"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_keys_both_headers_and_every_listed_key(keyed: Any) -> None:
    client = keyed.server.test_client()
    for headers in ({"X-Api-Key": KEY}, {"Authorization": f"Bearer {KEY}"},
                    {"Authorization": f"bearer {KEY}"}, {"X-Api-Key": OTHER_KEY}):
        assert client.get("/regions", headers=headers).status_code == 200, headers
    for headers in ({"X-Api-Key": DIGEST},  # the digest is not the key
                    {"Authorization": KEY},  # no scheme
                    {"Authorization": f"Basic {KEY}"},
                    {"X-Api-Key": KEY.upper()},
                    {"X-Api-Key": "", "Authorization": "Bearer "},
                    {"X-Api-Key": "wrong", "Authorization": f"Bearer {KEY}"}):  # the key sent
        assert_refused(client.get("/regions", headers=headers), key_mode=True)


def test_open_routes_need_none(keyed: Any) -> None:
    client = keyed.server.test_client()
    for path in ("/healthz", "/readyz", "/prod/healthz", "/prod/readyz", *static_paths(client)):
        response = client.get(path)
        try:
            assert response.status_code in (200, 503), path  # /readyz: 503 while warming up
        finally:
            response.close()


def test_a_refusal_never_says_what_failed(keyed: Any) -> None:
    client = keyed.server.test_client()
    answers = [client.get("/lineage?pipeline=p", headers=headers) for headers in
               ({}, {"X-Api-Key": "wrong"}, {"Authorization": "Bearer wrong"},
                {"Authorization": "Basic x"})]

    def shown(response: Any) -> tuple[Any, ...]:
        headers = {k: v for k, v in response.headers.items() if k != "X-Request-Id"}
        return response.status_code, response.get_data(), headers

    assert len({repr(shown(answer)) for answer in answers}) == 1


def test_preflights_and_refusals_across_origins(keyed: Any) -> None:
    client = keyed.server.test_client()
    preflight = client.options("/lineage", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-Api-Key"})
    assert preflight.status_code == 200  # a browser sends no key in a preflight
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Api-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    refused = client.get("/lineage?pipeline=p", headers={"Origin": ORIGIN})
    assert_refused(refused, key_mode=True)
    assert refused.headers["Access-Control-Allow-Origin"] == ORIGIN  # the page can read why
    assert "Access-Control-Allow-Credentials" not in refused.headers
    other = client.get("/lineage?pipeline=p", headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_identity_is_logged_and_in_g(keyed: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = keyed.server.test_client()
    caplog.set_level(logging.INFO, logger="dashboard")
    seen = client.get("/_test/identity", headers={"X-Api-Key": KEY})
    assert seen.get_json() == {"identity": f"key:{DIGEST[:8]}"}
    other = client.get("/_test/identity", headers={"Authorization": f"Bearer {OTHER_KEY}"})
    assert other.get_json() == {"identity": f"key:{OTHER_DIGEST[:8]}"}
    refused = client.get("/regions", headers={"X-Api-Key": "wrong"})

    def lines(response: Any) -> list[dict[str, Any]]:
        rid = response.headers["X-Request-Id"]
        return [record.fields for record in caplog.records  # type: ignore[attr-defined]
                if rid in str(getattr(record, "fields", "")) or rid in record.getMessage()]

    assert [line["identity"] for line in lines(seen)] == [f"key:{DIGEST[:8]}"]
    refusal = lines(refused)
    assert len(refusal) == 1  # logged once: the access line
    assert refusal[0]["status"] == 401 and refusal[0]["identity"] is None
    assert KEY not in caplog.text and "wrong" not in caplog.text


# -- a trusted proxy's user header ---------------------------------------------------------------


@pytest.mark.parametrize("path", PROTECTED_GET)
def test_proxy_every_route_needs_the_header(proxied: Any, path: str) -> None:
    client = proxied.server.test_client()
    assert_refused(client.get(path, headers={"Accept": "application/json"}), key_mode=False)
    assert_refused(client.get(path, headers={USER_HEADER: "  "}), key_mode=False)
    # Keys mean nothing when none are configured.
    assert_refused(client.get(path, headers={"X-Api-Key": KEY}), key_mode=False)
    accepted = client.get(path, headers={USER_HEADER: "alice", "Accept": "application/json"})
    assert accepted.status_code != 401, path


def test_proxy_callbacks_and_identity(proxied: Any) -> None:
    client = proxied.server.test_client()
    assert_refused(callback(proxied, client, {}), key_mode=False)
    assert callback(proxied, client, {USER_HEADER: "alice"}).status_code == 200
    long_user = "u" * 500
    seen = client.get("/_test/identity", headers={USER_HEADER: long_user})
    assert seen.get_json() == {"identity": "u" * 128}  # truncated
    for path in ("/healthz", "/readyz", *static_paths(client)):
        response = client.get(path)
        response.close()
        assert response.status_code in (200, 503), path


def test_keys_and_proxy_together(both: Any) -> None:
    client = both.server.test_client()
    assert client.get("/_test/identity", headers={USER_HEADER: "alice"}).get_json() == {
        "identity": "alice"}
    assert client.get("/_test/identity", headers={"X-Api-Key": KEY}).get_json() == {
        "identity": f"key:{DIGEST[:8]}"}
    # A key that is sent must be right, even beside the proxy's header.
    assert_refused(client.get("/regions", headers={USER_HEADER: "alice", "X-Api-Key": "x"}),
                   key_mode=True)
    assert_refused(client.get("/regions"), key_mode=True)


# -- configuration -------------------------------------------------------------------------------


def test_star_cors_with_authentication_does_not_start() -> None:
    for auth in ({"LINEAGE_API_KEYS": (DIGEST,)}, {"LINEAGE_TRUSTED_USER_HEADER": USER_HEADER}):
        with pytest.raises(ConfigError) as raised:
            create_app({"CACHE_TYPE": "NullCache", "CORS_ORIGINS": ("*",), **auth})
        assert "CORS_ORIGINS=*" in raised.value.message
        assert next(iter(auth)) in raised.value.message


def test_keys_must_be_digests_and_are_never_echoed() -> None:
    with pytest.raises(ConfigError) as raised:
        create_app({"CACHE_TYPE": "NullCache", "LINEAGE_API_KEYS": (DIGEST, KEY)})
    assert "LINEAGE_API_KEYS" in raised.value.message and "entry 2" in raised.value.message
    assert KEY not in raised.value.message
    with pytest.raises(ConfigError) as header:
        create_app({"CACHE_TYPE": "NullCache", "LINEAGE_TRUSTED_USER_HEADER": "X-User: a"})
    assert "LINEAGE_TRUSTED_USER_HEADER" in header.value.message


def test_the_environment_configures_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINEAGE_API_KEYS", f" {DIGEST} , {OTHER_DIGEST} ")
    monkeypatch.setenv("CORS_ORIGINS", ORIGIN)
    client = create_app({"CACHE_TYPE": "NullCache"}).server.test_client()
    assert_refused(client.get("/regions"), key_mode=True)
    assert client.get("/regions", headers={"X-Api-Key": OTHER_KEY}).status_code == 200


def test_openapi_names_the_schemes_and_the_401s(keyed: Any, proxied: Any) -> None:
    keys = keyed.server.test_client().get("/openapi.json", headers={"X-Api-Key": KEY})
    spec = keys.get_json()
    assert spec["components"]["securitySchemes"] == {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                   "description": "A key whose SHA-256 is in LINEAGE_API_KEYS."},
        "Bearer": {"type": "http", "scheme": "bearer",
                   "description": "The same key as `Authorization: Bearer <key>`."},
    }
    assert spec["security"] == [{"ApiKey": []}, {"Bearer": []}]
    for path, item in spec["paths"].items():
        operation = item["get"]
        if path in ("/healthz", "/readyz"):
            assert operation["security"] == [] and "401" not in operation["responses"]
        else:
            assert "401" in operation["responses"], path
    proxy = proxied.server.test_client().get("/openapi.json", headers={USER_HEADER: "a"})
    schemes = proxy.get_json()["components"]["securitySchemes"]
    assert list(schemes) == ["TrustedProxy"] and schemes["TrustedProxy"]["name"] == USER_HEADER


def test_the_readmes_digest_recipes_make_an_accepted_digest(keyed: Any) -> None:
    """Both ways the README gives to make a digest, run as written."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    auth = readme[readme.index("### Authentication"):]
    recipes = [" ".join(code.split()) for code in re.findall(r"`([^`]*\"\$KEY\"[^`]*)`", auth)]
    assert any("sha256sum" in r for r in recipes) and any("python -c" in r for r in recipes)
    env = {"KEY": KEY, "PATH": os.environ["PATH"]}
    for recipe in recipes:
        command = recipe.replace("python -c", f"{shlex.quote(sys.executable)} -c", 1)
        out = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True,
                             check=True, timeout=30).stdout
        assert out.split()[0] == DIGEST, recipe
