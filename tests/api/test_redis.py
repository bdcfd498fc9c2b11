"""Two server processes sharing one real Redis: the second answers from the cache, no AWS."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from lineage.sandbox import SandboxProcess
from tests.api.conftest import Server, sandbox_env, start_gunicorn

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def two_servers(
    sandbox: SandboxProcess, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server]]:
    directory = tmp_path_factory.mktemp("redis-servers")
    env = sandbox_env(sandbox, {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url})
    first = start_gunicorn("dashboard.server.wsgi:server", env, directory / "a.log", workers=1)
    try:
        second = start_gunicorn("dashboard.server.wsgi:server", env, directory / "b.log", workers=1)
    except BaseException:
        first.stop()
        raise
    yield first, second
    second.stop()
    first.stop()


def test_second_server_answers_from_the_shared_cache(
    two_servers: tuple[Server, Server], sandbox: SandboxProcess
) -> None:
    first, second = two_servers
    params = {"pipeline": "mlops-pipeline"}
    sandbox.reset_calls()
    fetched = first.get("/lineage", params=params)
    assert fetched.status_code == 200
    assert fetched.headers["X-Cache"] == "miss"
    assert sandbox.calls(), "the first server read AWS"

    sandbox.reset_calls()
    cached = second.get("/lineage", params=params)
    assert cached.status_code == 200
    assert cached.headers["X-Cache"] == "hit"
    assert cached.json() == fetched.json()
    assert sandbox.calls() == [], "the second server must not call AWS"
    line = second.wait_for_log(cached.headers["X-Request-Id"])
    assert line["awsCalls"] == 0 and line["cache"] == "hit"


def test_single_flight_across_servers(
    two_servers: tuple[Server, Server], sandbox: SandboxProcess
) -> None:
    params = {"pipeline": "scale-pipeline", "includeLatestExec": "false"}
    barrier = threading.Barrier(6)
    statuses: list[tuple[int, str]] = []
    lock = threading.Lock()

    def ask(server: Server) -> None:
        barrier.wait()
        response = requests.get(server.url + "/lineage", params=params, timeout=60)
        with lock:
            statuses.append((response.status_code, response.headers.get("X-Cache", "")))

    sandbox.reset_calls()
    threads = [threading.Thread(target=ask, args=(server,))
               for server in two_servers for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status == 200 for status, _ in statuses)
    assert [source for _, source in statuses].count("miss") == 1, statuses
    assert sum(1 for c in sandbox.calls() if c["operation"] == "DescribePipeline") == 1
