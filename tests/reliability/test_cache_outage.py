"""Redis stopped mid-run: answers go on uncached with one log line; caching resumes after."""

from __future__ import annotations

import pytest

from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server
from tests.reliability.conftest import RedisServer, ServeFactory, endpoint_env

pytestmark = pytest.mark.sandbox

PARAMS = {"pipeline": "mlops-pipeline"}


def cache_lines(server: Server, words: str) -> list[dict[str, object]]:
    return [line for line in server.log_lines()
            if line.get("logger") == "dashboard.core.cache" and words in str(line.get("message"))]


def test_redis_stopped_mid_run(
    sandbox: SandboxProcess, redis_server: RedisServer, serve: ServeFactory
) -> None:
    server = serve(endpoint_env(sandbox.endpoint, {
        "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_server.url,
    }))
    first = server.get("/lineage", params=PARAMS)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    assert server.get("/lineage", params=PARAMS).headers["X-Cache"] == "hit"

    redis_server.stop()
    for _ in range(4):
        response = server.get("/lineage", params=PARAMS, timeout=20)
        assert response.status_code == 200
        assert response.headers["X-Cache"] == "miss"  # read from AWS, uncached
        assert response.json()["graph"] == first.json()["graph"]
    for path in ("/pipelines", "/executions?pipeline=mlops-pipeline"):
        assert server.get(path).status_code == 200
    down = cache_lines(server, "cache backend unavailable")
    assert len(down) == 1, down  # one line for the outage, not one per cache call
    assert not [line for line in server.log_lines() if line.get("level") == "ERROR"]

    redis_server.start()  # the same address
    again = server.get("/lineage", params=PARAMS)
    assert again.status_code == 200 and again.headers["X-Cache"] == "miss"
    assert server.get("/lineage", params=PARAMS).headers["X-Cache"] == "hit"
    assert len(cache_lines(server, "caching resumed")) == 1
    assert len(cache_lines(server, "cache backend unavailable")) == 1
