"""Slow clients and heavy renders must not starve the server (issue 11).

The image's stack runs outside Docker (``deploy/entrypoint.py``: nginx with the shipped
configuration in front of gunicorn, 2 workers x 4 threads, and the health listener):

- a bounded slowloris on loopback (40 connections, each sending one more header line every
  2 s, never finishing its head) against nginx: probes and ``/lineage`` answer throughout,
  probes within 1 s; nginx cuts the slow connections at its header timeout. A slowloris
  straight at gunicorn (twice the connections) holds every thread of a worker: the app's own
  ``/healthz`` times out, while the health listener still answers.
- 16 concurrent renders of a 10,000-step graph (cache hits, no AWS): the probes, through nginx
  and on the health port, answer within 1 s each, asked every 100 ms.

And the health listener alone, in this process: the views' very answers; its own slow
clients dropped after ``READ_TIMEOUT_SEC``; the health port setting.
"""

from __future__ import annotations

import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from flask.testing import FlaskClient

from dashboard.core.config import LINEAGE_SERVICE, LINEAGE_SETTINGS
from dashboard.server import serve as serve_module
from dashboard.server.app import create_app
from dashboard.server.health import (
    MAX_CONNECTIONS,
    READ_TIMEOUT_SEC,
    HealthAddress,
    HealthListener,
    health_address,
    listen,
)
from dashboard.server.limits import LIMITS_OFF
from dashboard.server.serve import ServeError, serve
from dashboard.ui import ids
from lineage.config import Settings
from lineage.errors import ConfigError
from lineage.sandbox import SandboxProcess
from lineage.service import LineageService
from tests.api.conftest import clean_environment
from tests.dashpost import CALLBACK_PATH, callback_json
from tests.reliability.conftest import endpoint_env
from tests.reliability.stack import Stack, free_ports, running_stack

# Measures time or load: run alone, after the parallel run (make unit).
pytestmark = pytest.mark.serial

PROBE_GOAL_SEC = 1.0
SLOW_CLIENTS = 40
SLOW_LINE_EVERY_SEC = 2.0
# Longer than nginx's client_header_timeout (10 s): it must cut the first connections.
SLOWLORIS_SEC = 13.0
STARVED_PROBE_TIMEOUT_SEC = 1.5
STARVED_PROBES = 8
RENDERS = 16
RENDERS_EACH = 2
PROBE_EVERY_SEC = 0.1


class Slowloris:
    """``count`` connections to a loopback port, each sending one more header line every
    ``every`` seconds and never the blank line that ends the head; one the server closes is
    opened again (``reopened``). Stopped, every socket closed, at the end of ``with``."""

    def __init__(self, port: int, count: int = SLOW_CLIENTS, every: float = SLOW_LINE_EVERY_SEC):
        self.port = port
        self.every = every
        self.sockets: list[socket.socket] = [self._open() for _ in range(count)]
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, name="slowloris", daemon=True)

    def _open(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        sock.sendall(b"GET /lineage?pipeline=mlops-pipeline HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return sock

    def _closed_by_server(self, sock: socket.socket) -> bool:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        try:
            return sock.recv(4096) == b""  # an answer (408, 400) is as good as closed
        except OSError:
            return True

    def _trickle(self) -> None:
        line = 0
        while not self._stop.wait(self.every):
            line += 1
            for index, sock in enumerate(self.sockets):
                try:
                    if self._closed_by_server(sock):
                        raise ConnectionResetError
                    sock.sendall(b"X-Slow-%d: %d\r\n" % (line, index))
                except OSError:
                    sock.close()
                    self.reopened += 1
                    try:
                        self.sockets[index] = self._open()
                    except OSError:
                        pass

    def __enter__(self) -> Slowloris:
        self._thread.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()


@dataclass
class Probes:
    """Latency and status of each probe of one URL (``None``: no answer in time)."""

    url: str
    timeout: float = 5.0
    seen: list[tuple[float, int | None]] = field(default_factory=list)

    def probe(self) -> None:
        started = time.monotonic()
        try:  # a new connection each time, as a load balancer's probe
            status: int | None = requests.get(self.url, timeout=self.timeout).status_code
        except requests.RequestException:
            status = None
        self.seen.append((time.monotonic() - started, status))

    @property
    def slowest(self) -> float:
        return max(seconds for seconds, _ in self.seen)

    def assert_answered_within(self, goal: float, status: int = 200) -> None:
        assert self.seen, f"{self.url} was never probed"
        late = [(round(s, 3), code) for s, code in self.seen if s >= goal or code != status]
        assert not late, f"{self.url}: {len(late)} of {len(self.seen)} late or failed: {late}"


def probe_until(done: Callable[[], bool], probes: list[Probes], every: float) -> None:
    while not done():
        started = time.monotonic()
        for one in probes:
            one.probe()
        time.sleep(max(0.0, every - (time.monotonic() - started)))


def port_of(url: str) -> int:
    port = urlparse(url).port
    assert port is not None
    return port


# The load of these tests comes from one address: the per-client limits would answer 429
# (they have tests of their own); here the server is measured.


@pytest.fixture
def sandbox_stack(sandbox: SandboxProcess, tmp_path: Path) -> Iterator[Stack]:
    with running_stack(
        "dashboard.server.wsgi:server", endpoint_env(sandbox.endpoint, LIMITS_OFF),
        tmp_path / "stack.log",
    ) as stack:
        yield stack


@pytest.mark.sandbox
def test_slow_clients_do_not_starve_the_server_behind_nginx(sandbox_stack: Stack) -> None:
    stack = sandbox_stack
    lineage_url = stack.proxy_url + "/lineage?pipeline=mlops-pipeline&region=ap-northeast-2"
    health = [Probes(stack.proxy_url + "/healthz"), Probes(stack.proxy_url + "/readyz")]
    lineage = Probes(lineage_url, timeout=10)
    with Slowloris(port_of(stack.proxy_url)) as slow:
        ends = time.monotonic() + SLOWLORIS_SEC
        next_lineage = 0.0
        while time.monotonic() < ends:
            for one in health:
                one.probe()
            if time.monotonic() >= next_lineage:
                lineage.probe()
                next_lineage = time.monotonic() + 1.0
            time.sleep(0.25)
        reopened = slow.reopened
    for one in health:
        one.assert_answered_within(PROBE_GOAL_SEC)
        print(f"through nginx, under slowloris: {one.url} slowest {one.slowest * 1000:.0f} ms "
              f"of {len(one.seen)}")
    lineage.assert_answered_within(10.0)
    assert len(lineage.seen) >= 8
    # nginx's client_header_timeout (10 s) closed every first connection.
    assert reopened >= SLOW_CLIENTS, reopened

    # Without nginx: a slowloris straight at gunicorn holds every thread of a worker (twice
    # the connections: the workers need not share them evenly). The app's own /healthz then
    # misses the goal; the health listener still answers.
    starved = Probes(stack.app_url + "/healthz", timeout=STARVED_PROBE_TIMEOUT_SEC)
    listener = Probes(stack.health_url + "/healthz")
    with Slowloris(port_of(stack.app_url), count=2 * SLOW_CLIENTS), \
            ThreadPoolExecutor(STARVED_PROBES) as pool:
        time.sleep(1.0)  # every connection handed to a thread
        # At once, each on its own connection: gunicorn hands them to either worker.
        for future in [pool.submit(starved.probe) for _ in range(STARVED_PROBES)]:
            future.result()
        listener.probe()
    listener.assert_answered_within(PROBE_GOAL_SEC)
    timed_out = sum(status is None for _, status in starved.seen)
    assert timed_out > 0, starved.seen
    print(f"straight at gunicorn, under slowloris: its /healthz {timed_out} of "
          f"{len(starved.seen)} timed out ({STARVED_PROBE_TIMEOUT_SEC} s); the health "
          f"listener {listener.slowest * 1000:.0f} ms")


def render_body() -> str:
    from tests.reliability.heavy_app import PIPELINE, app

    view = {"region": "ap-northeast-2", "pipeline": PIPELINE, "execution": None}
    return callback_json(app, f"{ids.GRAPH}.elements", {f"{ids.VIEW}.data": view},
                         changed=[f"{ids.VIEW}.data"])


def render(stack: Stack, body: str) -> requests.Response:
    answer = requests.post(stack.proxy_url + CALLBACK_PATH, data=body, timeout=120,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text[:500]
    # Not parsed here: megabytes of JSON would hold this process's GIL, and the probes with it.
    return answer


def test_a_burst_of_heavy_renders_leaves_the_probes_answering(tmp_path: Path) -> None:
    from tests.reliability.heavy_app import STEPS

    body = render_body()
    with running_stack(
        "tests.reliability.heavy_app:server", clean_environment(LIMITS_OFF),
        tmp_path / "stack.log",
    ) as stack:
        # Fill the cache (and each worker's copy of the document) before the burst.
        first = render(stack, body).json()
        assert len(first["response"][ids.GRAPH]["elements"]) >= STEPS
        for _ in range(3):
            render(stack, body)

        probes = [
            Probes(stack.health_url + "/healthz"),
            Probes(stack.health_url + "/readyz"),
            Probes(stack.proxy_url + "/healthz"),
            Probes(stack.proxy_url + "/readyz"),
        ]
        # What the health listener spares them: the app's own /healthz, behind the renders
        # (measured for the record; how long it waits depends on the machine).
        app_healthz = Probes(stack.app_url + "/healthz", timeout=60)
        with ThreadPoolExecutor(RENDERS + 1) as pool:
            started = time.monotonic()
            burst = [pool.submit(lambda: [render(stack, body) for _ in range(RENDERS_EACH)])
                     for _ in range(RENDERS)]

            def rendering() -> bool:
                return not all(future.done() for future in burst)

            behind = pool.submit(probe_until, lambda: not rendering(), [app_healthz],
                                 PROBE_EVERY_SEC)
            probe_until(lambda: not rendering(), probes, PROBE_EVERY_SEC)
            for future in burst:
                future.result()
            behind.result()
            took = time.monotonic() - started
        # The image's workers share a FileSystemCache in the master's directory too ...
        shared = re.search(r"Cache: FileSystemCache in (\S+)/cache,", stack.output())
        assert shared is not None, stack.output()[-2000:]
        assert Path(shared.group(1)).is_dir()
    assert not Path(shared.group(1)).exists()  # ... removed when the master stops
    for one in probes:
        one.assert_answered_within(PROBE_GOAL_SEC)
    assert len(probes[0].seen) >= 10, "the burst ended before it was probed"
    print(f"{RENDERS} x {RENDERS_EACH} renders of {STEPS} steps took {took:.1f} s; the app's "
          f"own /healthz slowest {app_healthz.slowest:.1f} s of {len(app_healthz.seen)}")
    for one in probes:
        print(f"  {one.url}: slowest {one.slowest * 1000:.0f} ms of {len(one.seen)}")


# -- the health listener itself, in this process ------------------------------------------------


class WarmsWhenTold(LineageService):
    def __init__(self) -> None:
        super().__init__(Settings())
        self.release = threading.Event()

    def warm(self, regions: Iterable[str] | None = None) -> float:
        assert self.release.wait(30), "the test never let the warm-up finish"
        return 0.0


@pytest.fixture
def listener() -> Iterator[tuple[str, WarmsWhenTold, FlaskClient]]:
    service = WarmsWhenTold()
    app = create_app({LINEAGE_SERVICE: service, LINEAGE_SETTINGS: service.settings,
                      "CACHE_TYPE": "SimpleCache"})
    sock = listen(HealthAddress("127.0.0.1", 0, chosen=True))
    port = sock.getsockname()[1]
    health = HealthListener(sock, app.server).start()
    yield f"http://127.0.0.1:{port}", service, app.server.test_client()
    service.release.set()
    health.close()


def test_the_listener_sends_what_the_views_send(
    listener: tuple[str, WarmsWhenTold, FlaskClient],
) -> None:
    url, service, views = listener

    def assert_same(path: str, status: int) -> None:
        mine, theirs = requests.get(url + path, timeout=5), views.get(path)
        assert mine.status_code == theirs.status_code == status
        assert mine.content == theirs.data
        for header in ("Content-Type", "Retry-After"):
            assert mine.headers.get(header) == theirs.headers.get(header), header

    assert_same("/readyz", 503)  # still warming: Retry-After too
    assert_same("/healthz", 200)
    service.release.set()
    deadline = time.monotonic() + 10
    while views.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert_same("/readyz", 200)
    assert requests.get(url + "/readyz?verbose=1", timeout=5).status_code == 200
    assert requests.head(url + "/healthz", timeout=5).status_code == 200
    assert requests.post(url + "/healthz", timeout=5).status_code == 405
    assert requests.get(url + "/lineage", timeout=5).status_code == 404


def test_slow_clients_of_the_listener_are_dropped_and_never_block_it(
    listener: tuple[str, WarmsWhenTold, FlaskClient],
) -> None:
    url, _, _ = listener
    with Slowloris(port_of(url), count=MAX_CONNECTIONS - 1, every=0.5) as slow:
        started = time.monotonic()
        assert requests.get(url + "/healthz", timeout=PROBE_GOAL_SEC).status_code == 200
        assert time.monotonic() - started < PROBE_GOAL_SEC
        time.sleep(READ_TIMEOUT_SEC + 1.0)
        # Each had READ_TIMEOUT_SEC for its whole head, however often it sent a line.
        assert slow.reopened >= MAX_CONNECTIONS - 1


def test_the_health_port_setting() -> None:
    def address(**values: Any) -> HealthAddress | None:
        return health_address({"LINEAGE_HOST": "127.0.0.1", "LINEAGE_PORT": 8050, **values})

    assert address() == HealthAddress("127.0.0.1", 8051, chosen=False)
    assert address(LINEAGE_HEALTH_PORT="9000") == HealthAddress("127.0.0.1", 9000, chosen=True)
    assert address(LINEAGE_HEALTH_PORT="off") is None
    assert address(LINEAGE_HEALTH_PORT="0") is None
    assert address(LINEAGE_PORT=0) is None  # any free port: no next one to take
    for wrong in ("http", "70000", "-1"):
        with pytest.raises(ConfigError, match="LINEAGE_HEALTH_PORT"):
            address(LINEAGE_HEALTH_PORT=wrong)


def test_serve_refuses_a_chosen_health_port_that_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(serve_module, "_run", lambda *_a, **_k: pytest.fail("it started"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("LINEAGE_HEALTH_PORT", str(port))
        with pytest.raises(ServeError, match=f"cannot serve health checks on 127.0.0.1:{port}"):
            serve(host="127.0.0.1", port=free_ports(1)[0], workers=1)
