"""AWS faults from the sandbox through the real mapping, in process (Flask's test client).

The HTTP rows of the contract are in test_contract.py; here the sandbox itself denies or
throttles, so botocore's real errors travel the whole way. One sandbox of this module's own,
its faults set per test (``POST /_sandbox/faults``) and none left after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboard.server.app import create_app
from lineage.aws import AwsApi
from lineage.errors import AwsAccessDenied
from lineage.sandbox import SandboxOptions, SandboxProcess, parse_faults
from tests.api.conftest import sandbox_env

pytestmark = pytest.mark.sandbox

MakeClient = Callable[..., FlaskClient]


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[SandboxProcess]:
    """The seeded world, faulted by these tests only (never the session's sandbox)."""
    with SandboxProcess(SandboxOptions()) as process:
        yield process


@pytest.fixture
def client_for(
    own_sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakeClient]:
    def make(faults: str = "", **env: str) -> FlaskClient:
        assert own_sandbox.set_faults(faults) == parse_faults(faults)
        for key, value in sandbox_env(own_sandbox, env).items():
            monkeypatch.setenv(key, value)
        client: FlaskClient = create_app({"CACHE_TYPE": "NullCache"}).server.test_client()
        return client

    try:
        yield make
    finally:
        own_sandbox.set_faults("")


def test_denied_bucket_settings_are_a_partial_200(client_for: MakeClient) -> None:
    client = client_for("deny=s3:GetBucketEncryption,sagemaker:ListPipelines")
    response = client.get("/lineage?pipeline=mlops-pipeline")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    assert {a["s3"]["encryption"] for a in document["graph"]["artifacts"]} == {"Unknown"}
    assert {a["s3"]["versioning"] for a in document["graph"]["artifacts"]} == {"Enabled"}
    codes = {w["code"] for w in document["warnings"]}
    assert codes == {"S3_ACCESS_DENIED"}

    listing = client.get("/pipelines?region=ap-northeast-2")
    assert listing.status_code == 502  # nothing could be read
    body = listing.get_json()
    assert body["code"] == "AccessDenied"
    assert set(body) == {"message", "code", "requestId"}


def test_throttling_is_503_with_retry_after(client_for: MakeClient) -> None:
    client = client_for("throttle=1", LINEAGE_AWS_MAX_ATTEMPTS="1")
    response = client.get("/lineage?pipeline=mlops-pipeline")
    assert response.status_code == 503
    assert response.get_json()["code"] == "Throttling"
    assert int(response.headers["Retry-After"]) > 0
    assert "Rate exceeded" not in response.get_data(as_text=True)


def test_a_failing_region_is_a_warning(
    client_for: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for()
    real = AwsApi.list_pipelines

    def denied_in_us_east_1(self: AwsApi) -> list[dict[str, Any]]:
        if self.region == "us-east-1":
            raise AwsAccessDenied("AWS denied access to ListPipelines", operation="ListPipelines")
        return real(self)

    monkeypatch.setattr(AwsApi, "list_pipelines", denied_in_us_east_1)
    response = client.get("/pipelines?region=ap-northeast-2,us-east-1")
    assert response.status_code == 200
    body = response.get_json()
    assert {p["region"] for p in body["pipelines"]} == {"ap-northeast-2"}
    assert body["warnings"] == [
        {"code": "REGION_ACCESS_DENIED",
         "message": "its pipelines could not be listed (access denied)",
         "target": "us-east-1"}
    ]


def test_cors_origins_narrow_the_api(client_for: MakeClient) -> None:
    client_for()
    app = create_app({"CORS_ORIGINS": ("https://ok.test",), "CACHE_TYPE": "NullCache"})
    client = app.server.test_client()
    allowed = client.get("/healthz", headers={"Origin": "https://ok.test"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://ok.test"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/healthz", headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Credentials" not in allowed.headers
