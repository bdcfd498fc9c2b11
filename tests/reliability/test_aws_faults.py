"""AWS throttling, disappearing, hanging and slow, through a real gunicorn worker.

Each test breaks AWS its own way and starts one gunicorn worker on it, and bounds every
answer in time: the worker must answer, never sit until gunicorn kills it. Throttling is a
sandbox of this module's own, its faults set per test; gone and hanging, a proxy in front of
the session's sandbox; slow, a sandbox started with latency.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from lineage.sandbox import SandboxOptions, SandboxProcess
from tests.api.conftest import Server
from tests.conftest import SetFaults, StartSandbox, setting_faults
from tests.reliability.conftest import ServeFactory, endpoint_env
from tests.reliability.proxy import FORWARD, HANG, ToggleProxy

pytestmark = pytest.mark.sandbox

PIPELINES = [
    ("mlops-pipeline", "ap-northeast-2"),
    ("churn-pipeline", "ap-northeast-2"),
    ("fraud-detection-pipeline", "ap-northeast-2"),
    ("nlp-pipeline", "us-east-1"),
]
# What AWS's own error text says; never in an answer.
RAW_AWS_TEXT = ("Rate exceeded", "is not authorized", "reduce your request rate")


def lineage(server: Server, pipeline: str = "mlops-pipeline", region: str = "ap-northeast-2",
            **params: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = server.get("/lineage", params={"pipeline": pipeline, "region": region,
                                              "refresh": "true", **params}, timeout=60)
    for text in RAW_AWS_TEXT:
        assert text not in response.text
    return response, time.monotonic() - started


def worker_pids(server: Server) -> set[int]:
    return {line["pid"] for line in server.log_lines() if line.get("event") == "request"}


def assert_no_worker_killed(server: Server) -> None:
    output = server.output()
    assert "WORKER TIMEOUT" not in output and "Worker was sent" not in output, output[-2000:]
    assert len(worker_pids(server)) == 1, "the one worker served everything"


# -- throttling --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[SandboxProcess]:
    """The seeded world, throttled by these tests only (never the session's sandbox)."""
    with SandboxProcess(SandboxOptions()) as process:
        yield process


@pytest.fixture
def throttled(own_sandbox: SandboxProcess) -> Iterator[SetFaults]:
    """``throttled(spec)``: the module's sandbox with those faults (``setting_faults``)."""
    yield from setting_faults(own_sandbox)


def test_throttling_on_30_percent_of_calls_is_retried_to_200(
    throttled: SetFaults, serve: ServeFactory
) -> None:
    sandbox = throttled("throttle=0.3")
    # 8 attempts: a call fails 8 times in a row with p = 0.3^8 (1 in 150,000).
    server = serve(endpoint_env(sandbox.endpoint, {
        "CACHE_TYPE": "NullCache", "LINEAGE_AWS_MAX_ATTEMPTS": "8",
    }))
    with ThreadPoolExecutor(max_workers=len(PIPELINES)) as pool:  # backoffs overlap
        answers = list(pool.map(lambda p: lineage(server, *p), PIPELINES))
    for response, _ in answers:
        assert response.status_code == 200, response.text
        codes = [w["code"] for w in response.json()["warnings"]]
        assert not [code for code in codes if code.endswith("_THROTTLED")], codes
    calls = sandbox.calls()
    assert len(calls) > len({(c["operation"], c.get("region")) for c in calls})  # retried
    retried = [line["message"] for line in server.log_lines()
               if "retried" in str(line.get("message", ""))]
    assert retried, "the log shows the retries"
    # Every retried call succeeded in the end (S3's "not configured" answers are data).
    assert [m for m in retried if not m.endswith("then succeeded")] == []


def test_throttling_past_the_retries(
    throttled: SetFaults, serve: ServeFactory
) -> None:
    """Retries run out: enrichment calls become warnings, the pipeline's own calls a 503."""
    # Half the calls throttled, one attempt each: a call fails for good with p = 1/2.
    sandbox = throttled("throttle=0.5")
    server = serve(endpoint_env(sandbox.endpoint, {
        "CACHE_TYPE": "NullCache", "LINEAGE_AWS_MAX_ATTEMPTS": "1",
    }))
    outcomes: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda _: lineage(server), range(14)))
    for response, _ in answers:
        if response.status_code == 200:
            codes = [w["code"] for w in response.json()["warnings"]]
            assert all(code.endswith("_THROTTLED") for code in codes), codes
            outcomes["200 with warnings" if codes else "200"] += 1
        else:
            assert response.status_code == 503, response.text
            assert response.json()["code"] == "Throttling"
            assert int(response.headers["Retry-After"]) > 0
            outcomes["503"] += 1
    # A request needs DescribePipeline and DescribePipelineExecution: p(503) >= 0.44, so
    # p(no 503 in 14) <= 0.56^14 (3e-4); p(no 200) <= 0.44^14; a 200 has ~15 optional calls.
    assert outcomes["200 with warnings"] and outcomes["503"], outcomes


# -- AWS gone, hanging, slow -------------------------------------------------------------------


def _while_healthy(server: Server, work: Callable[[], Any]) -> tuple[Any, list[float]]:
    """Run ``work`` on a thread while /healthz is asked repeatedly; (result, health times)."""
    result: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", work()))
    thread.start()
    timings: list[float] = []
    while thread.is_alive():
        started = time.monotonic()
        assert server.get("/healthz", timeout=5).status_code == 200
        timings.append(time.monotonic() - started)
        time.sleep(0.1)
    thread.join()
    return result["value"], timings


FAST_FAIL = {
    "CACHE_TYPE": "NullCache",
    "LINEAGE_AWS_CONNECT_TIMEOUT_MS": "500",
    "LINEAGE_AWS_READ_TIMEOUT_MS": "1000",
    "S3_TIMEOUT_MS": "1000",
    "LINEAGE_AWS_MAX_ATTEMPTS": "2",
    "LINEAGE_REQUEST_DEADLINE_MS": "3000",
    "LINEAGE_TIMEOUT_SEC": "15",
}
BOUND_SEC = 6.0  # deadline + one read timeout + slack for a loaded 2-core machine


def test_aws_gone_then_back(
    sandbox: SandboxProcess, serve: ServeFactory,
    toggle_proxy: Callable[..., ToggleProxy],
) -> None:
    # AWS at an address of its own that can go away and come back, the sandbox behind it.
    aws = toggle_proxy(sandbox.endpoint)
    server = serve(endpoint_env(aws.endpoint, FAST_FAIL))
    assert lineage(server)[0].status_code == 200

    aws.stop()  # AWS disappears: open connections are closed, new ones refused
    (response, elapsed), health = _while_healthy(server, lambda: lineage(server))
    assert response.status_code in (502, 503, 504), response.text
    assert elapsed < BOUND_SEC
    assert set(response.json()) == {"message", "code", "requestId"}
    assert health and max(health) < 1.0, health

    toggle_proxy(sandbox.endpoint, port=aws.port)  # back, at the same address
    response, _ = lineage(server)
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == []
    assert_no_worker_killed(server)


def test_aws_hanging_then_back(
    sandbox: SandboxProcess, serve: ServeFactory,
    toggle_proxy: Callable[..., ToggleProxy],
) -> None:
    proxy = toggle_proxy(sandbox.endpoint)
    server = serve(endpoint_env(proxy.endpoint, FAST_FAIL))
    assert lineage(server)[0].status_code == 200

    proxy.mode = HANG  # AWS accepts connections and never answers
    results: list[tuple[requests.Response, float]] = []

    def three_at_once() -> None:
        # The worker has 4 threads: hung requests hold 3, /healthz gets the fourth. Each
        # thread is back within the deadline, so even a full worker answers /healthz then.
        threads = [threading.Thread(target=lambda: results.append(lineage(server)))
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    _, health = _while_healthy(server, three_at_once)
    assert proxy.held > 0, "AWS calls reached the hanging endpoint"
    assert len(results) == 3
    for response, elapsed in results:
        assert response.status_code in (502, 503, 504), response.text
        assert elapsed < BOUND_SEC, elapsed
    assert health and max(health) < 1.0, health

    proxy.mode = FORWARD
    response, _ = lineage(server)
    assert response.status_code == 200, response.text
    assert_no_worker_killed(server)


def test_slow_aws_answers_what_is_known_by_the_deadline(
    start_sandbox: StartSandbox, serve: ServeFactory
) -> None:
    # Each AWS call takes 1.5 s: the pipeline and execution rounds end near 3 s, enrichment
    # (Describe*, then the buckets they reveal) would need until ~6 s; the deadline cuts it.
    sandbox = start_sandbox(latency_ms=1500)
    server = serve(endpoint_env(sandbox.endpoint, {
        "CACHE_TYPE": "NullCache", "LINEAGE_REQUEST_DEADLINE_MS": "4000",
    }))
    response, elapsed = lineage(server)
    assert response.status_code == 200, response.text
    assert elapsed < 6.0
    document = response.json()
    assert document["pipeline"]["name"] == "mlops-pipeline"
    assert document["execution"]["status"] == "Succeeded"
    assert len(document["graph"]["nodes"]) == 7
    codes = [w["code"] for w in document["warnings"]]
    assert codes.count("DEADLINE_EXCEEDED") == 1, codes
    assert any(a["s3"]["encryption"] == "Unknown" for a in document["graph"]["artifacts"]) or \
        not any(n.get("run", {}).get("metrics") for n in document["graph"]["nodes"])
