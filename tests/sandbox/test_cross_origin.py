"""The sandbox answers no web page: moto's server would let any website read its whole state
(``/moto-api/data.json``) and reset it or the call log. Real HTTP against a started sandbox;
boto3, which sends no Origin, works as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from lineage.sandbox import SandboxOptions, SandboxProcess
from tests.sandbox.clients import client

pytestmark = pytest.mark.sandbox

EVIL = "https://evil.example"
# What a web page could read or change: moto's state and reset, our call log and its reset,
# the faults.
ENDPOINTS = [
    ("GET", "/moto-api/data.json"),
    ("POST", "/moto-api/reset"),
    ("GET", "/_sandbox/calls"),
    ("POST", "/_sandbox/reset-calls"),
    ("GET", "/_sandbox/health"),
    ("POST", "/_sandbox/faults"),
]


@pytest.fixture(scope="module")
def own() -> Iterator[SandboxProcess]:
    """A sandbox of its own with one bucket: a reset that got through would show."""
    with SandboxProcess(SandboxOptions(seed_world=False)) as sandbox:
        client(sandbox, "s3").create_bucket(
            Bucket="cross-origin-test",
            CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"},
        )
        yield sandbox


def assert_refused(response: requests.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == {"message": "the sandbox answers no cross-origin request"}
    assert not [name for name in response.headers if name.lower().startswith("access-control")]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_request_with_an_origin_is_refused(own: SandboxProcess, method: str,
                                            path: str) -> None:
    for origin in (EVIL, "null", own.endpoint):  # even its own: boto3 never sends one
        assert_refused(requests.request(method, own.endpoint + path, timeout=10,
                                        headers={"Origin": origin}))


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_preflights_are_refused(own: SandboxProcess, method: str, path: str) -> None:
    assert_refused(requests.options(own.endpoint + path, timeout=10, headers={
        "Origin": EVIL, "Access-Control-Request-Method": method,
    }))
    assert_refused(requests.options(own.endpoint + path, timeout=10))


def test_a_no_cors_request_from_another_site_is_refused(own: SandboxProcess) -> None:
    # <img>/<script src> of a page send no Origin on a GET, but the fetch metadata names it.
    for site in ("cross-site", "same-site"):  # same-site: a page on another local port
        assert_refused(requests.get(own.endpoint + "/moto-api/data.json", timeout=10,
                                    headers={"Sec-Fetch-Site": site}))


def test_nothing_was_reset_and_plain_requests_still_work(own: SandboxProcess) -> None:
    s3 = client(own, "s3")
    s3.list_buckets()
    requests.post(own.endpoint + "/_sandbox/reset-calls", timeout=10, headers={"Origin": EVIL})
    requests.post(own.endpoint + "/moto-api/reset", timeout=10, headers={"Origin": EVIL})
    requests.post(own.endpoint + "/_sandbox/faults", timeout=10, headers={"Origin": EVIL},
                  json={"faults": "throttle=1"})
    # The call log, the faults and moto's state are as they were: the refused requests
    # changed nothing.
    assert any(call["operation"] == "ListBuckets" for call in own.calls())
    assert own.health()["faults"] == ""
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["cross-origin-test"]
    # Without an Origin (boto3, curl, the tests' own control calls) everything answers, and
    # never with moto's CORS headers.
    data = requests.get(own.endpoint + "/moto-api/data.json", timeout=10)
    assert data.status_code == 200 and "s3" in data.json()
    typed = requests.get(own.endpoint + "/moto-api/data.json", timeout=10,
                         headers={"Sec-Fetch-Site": "none"})  # a URL typed into the browser
    assert typed.status_code == 200
    for response in (data, typed):
        assert not [n for n in response.headers if n.lower().startswith("access-control")]
    own.reset_calls()
    assert own.calls() == []
    assert client(own, "sagemaker").list_pipelines()["PipelineSummaries"] == []
