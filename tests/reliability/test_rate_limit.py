"""The per-client request limit: 429 with Retry-After, counted in Redis across servers.

On by default (tests/api/test_limits.py); here a small one, so the count is quick to reach.
"""

from __future__ import annotations

import pytest

from dashboard.server.app import create_app
from lineage.errors import ConfigError
from lineage.sandbox import SandboxProcess
from tests.reliability.conftest import RedisServer, ServeFactory, endpoint_env

pytestmark = pytest.mark.sandbox

LIMIT = 5
PARAMS = {"pipeline": "mlops-pipeline"}


def test_limit_shared_by_two_servers_through_redis(
    sandbox: SandboxProcess, redis_server: RedisServer, serve: ServeFactory
) -> None:
    env = endpoint_env(sandbox.endpoint, {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": redis_server.url,
        "LINEAGE_RATE_LIMIT": f"{LIMIT}/minute",  # counters go to the cache's Redis
    })
    first, second = serve(env), serve(env)
    statuses = [first.get("/lineage", params=PARAMS).status_code for _ in range(3)]
    # A client cannot reset its count with a forged X-Forwarded-For.
    statuses += [second.get("/lineage", params=PARAMS,
                            headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
                 for i in range(2)]
    assert statuses == [200] * LIMIT

    for server in (second, first):  # both servers see the same count
        response = server.get("/lineage", params=PARAMS)
        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 60
        assert "too many requests" in response.json()["message"]
        assert response.headers["Content-Type"] == "application/json"
    # Every route that can reach AWS shares the count; probes, the page and metadata do not.
    for path in ("/pipelines", "/executions?pipeline=mlops-pipeline"):
        assert first.get(path).status_code == 429, path
    for path in ("/healthz", "/readyz", "/regions", "/openapi.json", "/"):
        assert first.get(path).status_code == 200, path
    log = first.wait_for_log(first.get("/lineage", params=PARAMS).headers["X-Request-Id"])
    assert log["status"] == 429


def test_a_limit_can_be_turned_off() -> None:
    client = create_app({"CACHE_TYPE": "NullCache", "LINEAGE_RATE_LIMIT": "off"}).server
    statuses = {client.test_client().get("/lineage").status_code for _ in range(400)}
    assert statuses == {400}  # "pipeline is required", never 429


def test_a_limit_that_is_not_a_rate_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="LINEAGE_FETCH_LIMIT must be a rate"):
        create_app({"CACHE_TYPE": "NullCache", "LINEAGE_FETCH_LIMIT": "lots"})
