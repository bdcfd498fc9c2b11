"""GET /readyz: 503 until a worker can serve, then 200; /healthz stays liveness only; `serve`
says "Serving on" once a worker is ready; the Docker HEALTHCHECK asks /readyz."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from flask.testing import FlaskClient

from dashboard.api.openapi import openapi_document
from dashboard.core.config import LINEAGE_SERVICE, LINEAGE_SETTINGS
from dashboard.server.app import create_app
from lineage.config import Settings
from lineage.service import LineageService
from tests.api.conftest import REPO, clean_environment, free_port, stop_process

COMMAND = shutil.which("sagemaker-lineage", path=str(Path(sys.executable).parent))


class SlowToWarm(LineageService):
    """Warms only once the test lets it (or fails, when told to)."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(Settings())
        self.release = threading.Event()
        self.fail = fail

    def warm(self, regions: Any = None) -> float:
        assert self.release.wait(30), "the test never let the warm-up finish"
        if self.fail:
            raise RuntimeError("no clients today")
        return 0.0


@pytest.fixture
def slow() -> Iterator[SlowToWarm]:
    service = SlowToWarm()
    yield service
    service.release.set()


def client_of(service: LineageService, **config: Any) -> FlaskClient:
    app = create_app(
        {LINEAGE_SERVICE: service, LINEAGE_SETTINGS: service.settings, **config}
    )
    client: FlaskClient = app.server.test_client()
    return client


def schema(status: int) -> dict[str, Any]:
    spec = openapi_document({})
    response = spec["paths"]["/readyz"]["get"]["responses"][str(status)]
    body = response["content"]["application/json"]["schema"]
    return {**body, "components": spec["components"]}


def wait_ready(client: FlaskClient, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get("/readyz")
        if answer.status_code == 200:
            return answer
        time.sleep(0.02)
    raise AssertionError("never ready")


def test_not_ready_until_the_clients_are_warm_then_ready(slow: SlowToWarm) -> None:
    client = client_of(slow, CACHE_TYPE="SimpleCache")
    starting = client.get("/readyz")
    assert starting.status_code == 503
    assert starting.headers["Retry-After"] == "1"
    assert starting.get_json() == {"status": "starting",
                                   "checks": {"aws": "pending", "cache": "pending"}}
    jsonschema.validate(starting.get_json(), schema(503))
    # Liveness does not wait for anything.
    assert client.get("/healthz").status_code == 200
    slow.release.set()
    ready = wait_ready(client)
    assert ready.get_json() == {"status": "ready", "checks": {"aws": "warmed", "cache": "ok"}}
    jsonschema.validate(ready.get_json(), schema(200))


def test_a_failed_warm_up_still_serves_and_says_so() -> None:
    service = SlowToWarm(fail=True)
    service.release.set()
    client = client_of(service, CACHE_TYPE="NullCache")
    checks = wait_ready(client).get_json()["checks"]
    assert checks == {"aws": "not warmed (RuntimeError)", "cache": "off"}


def test_an_unreachable_cache_is_knowingly_skipped() -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    service = SlowToWarm()
    service.release.set()
    client = client_of(
        service,
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL=f"redis://127.0.0.1:{port}/0",
        CACHE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    )
    checks = wait_ready(client).get_json()["checks"]
    assert checks == {"aws": "warmed", "cache": "unavailable (answering uncached)"}


@pytest.mark.sandbox
def test_serve_says_serving_once_a_worker_is_ready(tmp_path: Path) -> None:
    assert COMMAND is not None
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [COMMAND, "serve", "--sandbox", "--port", str(port), "--workers", "1"],
        cwd=REPO, env=clean_environment(), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while "Serving on" not in (tmp_path / "serve.log").read_text():
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "serve never said it was serving"
            time.sleep(0.02)
        # The moment it says so, its (one) worker is ready.
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        output = (tmp_path / "serve.log").read_text()
        assert output.index("Booting worker") < output.index("Serving on")
    finally:
        stop_process(process, signal.SIGINT)
        log.close()
