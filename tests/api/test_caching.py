"""The memoised service: hits, refresh, single flight (proved with the sandbox's call log),
lifetimes, and the check that keeps a cached "latest execution" honest."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from flask_caching import Cache

from dashboard.core.cache import CachedLineage, LatestEntry, Ttls, latest_key, lineage_key
from lineage.config import Settings
from lineage.errors import AwsThrottled, DeadlineExceeded
from lineage.models import ExecutionInfo, LineageDocument, PipelineInfo, Summary, Warning
from lineage.request import LineageRequest
from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server, sandbox_env

pytestmark = pytest.mark.sandbox


def count_calls(sandbox: SandboxProcess, operation: str | None = None) -> int:
    return sum(1 for c in sandbox.calls() if operation is None or c["operation"] == operation)


def test_second_request_is_a_hit_without_aws(api_server: Server, sandbox: SandboxProcess) -> None:
    params = {"pipeline": "scale-pipeline", "includeLatestExec": "true"}
    api_server.get("/lineage", params=params)  # cold or warm: now it is cached
    sandbox.reset_calls()
    for _ in range(3):  # both workers: the FileSystemCache is shared
        response = api_server.get("/lineage", params=params)
        assert response.status_code == 200
        assert response.headers["X-Cache"] == "hit"
    assert sandbox.calls() == []


def test_refresh_bypasses_and_refills(api_server: Server, sandbox: SandboxProcess) -> None:
    params = {"pipeline": "nlp-pipeline", "region": "us-east-1"}
    before = api_server.get("/lineage", params=params).json()
    sandbox.reset_calls()
    refreshed = api_server.get("/lineage", params={**params, "refresh": "true"})
    assert refreshed.headers["X-Cache"] == "refresh"
    assert count_calls(sandbox, "DescribePipeline") == 1
    assert refreshed.json()["generatedAt"] > before["generatedAt"]
    sandbox.reset_calls()
    after = api_server.get("/lineage", params=params)
    assert after.headers["X-Cache"] == "hit"
    assert after.json()["generatedAt"] == refreshed.json()["generatedAt"]  # refilled
    assert sandbox.calls() == []


def test_lists_are_cached_and_refreshable(api_server: Server, sandbox: SandboxProcess) -> None:
    params = {"region": "us-east-1"}
    api_server.get("/pipelines", params=params)
    sandbox.reset_calls()
    assert api_server.get("/pipelines", params=params).headers["X-Cache"] == "hit"
    assert (
        api_server.get(
            "/executions", params={"pipeline": "nlp-pipeline", "region": "us-east-1"}
        ).status_code
        == 200
    )
    calls_of_executions = count_calls(sandbox)
    assert (
        api_server.get(
            "/executions", params={"pipeline": "nlp-pipeline", "region": "us-east-1"}
        ).headers["X-Cache"]
        == "hit"
    )
    assert count_calls(sandbox) == calls_of_executions
    refreshed = api_server.get("/pipelines", params={**params, "refresh": "yes"})
    assert refreshed.headers["X-Cache"] == "refresh"
    assert count_calls(sandbox, "ListPipelines") == 1


def test_concurrent_identical_requests_make_one_fetch(
    api_server: Server, sandbox: SandboxProcess
) -> None:
    """8 requests at once, over 2 workers x 4 threads: the AWS calls of exactly one fetch."""
    execution = api_server.get("/executions", params={"pipeline": "scale-pipeline"}).json()[
        "executions"
    ][0]["id"]
    params = {"pipeline": "scale-pipeline", "execution": execution}  # a key nobody asked yet

    barrier = threading.Barrier(8)
    results: list[requests.Response] = []
    lock = threading.Lock()

    def ask() -> None:
        with requests.Session() as session:  # a connection each: spread over the workers
            barrier.wait()
            response = session.get(api_server.url + "/lineage", params=params, timeout=60)
        with lock:
            results.append(response)

    sandbox.reset_calls()
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    concurrent_calls = sandbox.calls()

    assert [r.status_code for r in results] == [200] * 8
    assert len({r.text for r in results}) == 1
    sources = sorted(r.headers["X-Cache"] for r in results)
    assert sources.count("miss") == 1, sources
    ids = {r.headers["X-Request-Id"] for r in results}
    pids = {api_server.wait_for_log(i)["pid"] for i in ids}
    print(f"single flight: {sources} served by worker pids {sorted(pids)}")
    assert count_calls(sandbox, "DescribePipeline") == 1

    # Exactly what one fetch costs (bucket settings aside: they may come from their own cache).
    sandbox.reset_calls()
    api_server.get("/lineage", params={**params, "refresh": "true"})
    assert without_bucket_settings(concurrent_calls) == without_bucket_settings(sandbox.calls())


def test_bucket_settings_are_cached_apart_from_documents(
    api_server: Server, sandbox: SandboxProcess
) -> None:
    sandbox.reset_calls()
    latest = api_server.get("/lineage", params={"pipeline": "churn-pipeline", "refresh": "true"})
    assert latest.status_code == 200
    buckets = {a["bucket"] for a in latest.json()["graph"]["artifacts"]}
    read = [c for c in sandbox.calls() if c["operation"] in BUCKET_SETTINGS]
    # A refresh reads every bucket afresh: its nine reads, and Macie's session once (Seoul).
    assert buckets and len(read) == 9 * len(buckets) + 1

    # The same execution by its id is another document (a miss, fetched from AWS), but its
    # buckets' settings come from their own cache.
    sandbox.reset_calls()
    execution = latest.json()["execution"]["id"]
    by_id = api_server.get(
        "/lineage", params={"pipeline": "churn-pipeline", "execution": execution}
    )
    assert by_id.status_code == 200 and by_id.headers["X-Cache"] == "miss"
    assert count_calls(sandbox, "DescribePipeline") == 1
    assert not [c for c in sandbox.calls() if c["operation"] in BUCKET_SETTINGS]
    assert by_id.json()["graph"]["artifacts"] == latest.json()["graph"]["artifacts"]


BUCKET_SETTINGS = frozenset(
    {
        "ListBuckets",
        "GetBucketLocation",
        "GetBucketEncryption",
        "GetBucketVersioning",
        "GetPublicAccessBlock",
        "GetBucketTagging",
        "GetBucketPolicyStatus",
        "GetBucketLifecycleConfiguration",
        "GetObjectLockConfiguration",
        "GetMacieSession",
        "GetFindingStatistics",
    }
)


def without_bucket_settings(calls: list[dict[str, Any]]) -> list[str]:
    return sorted(c["operation"] for c in calls if c["operation"] not in BUCKET_SETTINGS)


# -- in process: lifetimes and the latest-execution check ----------------------------------------


class _Recorder:
    """A cache that remembers the timeout of each set."""

    def __init__(self) -> None:
        self.timeouts: dict[str, int] = {}


@pytest.fixture
def cached(sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[CachedLineage]:
    from flask import Flask

    from lineage.service import LineageService

    for key, value in sandbox_env(sandbox).items():
        monkeypatch.setenv(key, value)
    app = Flask(__name__)
    cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    service = LineageService(Settings.from_env())
    memo = CachedLineage(service, cache, Ttls(finished=3600, running=10, lists=30))
    recorder = _Recorder()
    real_set = cache.set

    def set_and_record(key: str, value: Any, timeout: int | None = None) -> Any:
        recorder.timeouts[key] = timeout or 0
        return real_set(key, value, timeout=timeout)

    monkeypatch.setattr(cache, "set", set_and_record)
    memo.recorder = recorder  # type: ignore[attr-defined]
    with app.app_context():
        yield memo
    service.close()


def _ttl(memo: CachedLineage, request: LineageRequest) -> int:
    recorder: _Recorder = memo.recorder  # type: ignore[attr-defined]
    return recorder.timeouts[lineage_key(request, s3=True)]


@pytest.mark.parametrize(
    ("pipeline", "include", "ttl"),
    [
        ("mlops-pipeline", True, 3600),  # Succeeded
        ("churn-pipeline", True, 3600),  # Failed: finished too
        ("fraud-detection-pipeline", True, 10),  # Executing
        ("mlops-pipeline", False, 30),  # no execution: the current definition
    ],
)
def test_lifetime_follows_the_execution(
    cached: CachedLineage, pipeline: str, include: bool, ttl: int
) -> None:
    request = LineageRequest(
        pipeline=pipeline, region="ap-northeast-2", include_latest_exec=include
    )
    served = cached.lineage(request)
    assert served.source == "miss"
    assert _ttl(cached, request) == ttl


def test_a_newer_execution_replaces_a_cached_latest_one(
    cached: CachedLineage, sandbox: SandboxProcess
) -> None:
    request = LineageRequest(pipeline="mlops-pipeline", region="ap-northeast-2")
    first = cached.lineage(request)
    assert cached.lineage(request).source == "hit"
    # The latest-execution check expires (30 s) and AWS now names another execution newest.
    latest = latest_key("ap-northeast-2", "mlops-pipeline")
    cached.cache.delete(latest)
    cached.cache.set(latest, LatestEntry("arn:...:execution/x"))
    again = cached.lineage(request)
    assert again.source == "refresh"
    assert again.document()["generatedAt"] > first.document()["generatedAt"]
    # Once the check expires, one ListPipelineExecutions confirms the cached answer.
    cached.cache.delete(latest)
    sandbox.reset_calls()
    assert cached.lineage(request).source == "hit"
    assert [c["operation"] for c in sandbox.calls()] == ["ListPipelineExecutions"]


def test_a_throttled_answer_is_kept_briefly(cached: CachedLineage) -> None:
    request = LineageRequest(pipeline="mlops-pipeline", region="ap-northeast-2")
    throttled = AwsThrottled("throttled", operation="GetBucketEncryption")
    document = LineageDocument(
        pipeline=PipelineInfo("mlops-pipeline"),
        execution=ExecutionInfo(arn="a", id="a", status="Succeeded", parameters={}),
        summary=Summary("Succeeded", {}, None),
        nodes=(),
        edges=(),
        artifacts=(),
        warnings=(Warning.for_error(throttled, "m", "b", area="S3"),),
        generated_at=datetime.now(UTC),
    )
    entry, ttl = cached._lineage_entry(document, request)
    assert ttl == 10 and not entry.check_latest
    # The same answer without that warning is finished, and kept an hour.
    settled = replace(document, warnings=(Warning("S3_ACCESS_DENIED", "m", "b"),))
    entry, ttl = cached._lineage_entry(settled, request)
    assert ttl == 3600 and entry.check_latest
    # Cut by the request's deadline (steps left NotStarted): seconds too, never an hour.
    cut = replace(document, warnings=(Warning.for_error(
        DeadlineExceeded(), "40 AWS calls did not finish within the request deadline", None),))
    entry, ttl = cached._lineage_entry(cut, request)
    assert ttl == 10 and not entry.check_latest
