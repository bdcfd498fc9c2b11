"""The health listener: ``GET /healthz`` and ``GET /readyz`` on a port of their own
(``LINEAGE_HEALTH_PORT``, default the main port + 1), answered by a thread of each worker that
never waits for the request threads.

A burst of heavy renders (or slow clients, without nginx in front) can hold every request
thread; a probe asked on the main port then waits in the queue behind them, and a load
balancer restarts a server that is only busy. The answers are those of the Flask views
(``dashboard.core.readiness``), from the worker that accepted the connection.

The gunicorn master binds the socket once, before it forks (``gunicorn_conf.when_ready``);
every worker inherits it and accepts on it (``post_worker_init``). One inherited socket rather
than one ``SO_REUSEPORT`` socket per worker: a busy port is found once, in the master, and a
connection never waits in the queue of a worker that is exiting (the kernel gives each
``SO_REUSEPORT`` socket its own queue, and drops it with the worker).

Each connection gets a short-lived thread and ``READ_TIMEOUT_SEC`` in all to send its request
head, so a slow client cannot hold the listener; at most ``MAX_CONNECTIONS`` at once per
worker, later ones wait in the kernel's backlog.
"""

from __future__ import annotations

import contextlib
import http
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, Response

from dashboard.core.config import ENV_HEALTH_PORT, ENV_HOST, ENV_PORT
from dashboard.core.readiness import ProbeAnswer, liveness, readiness
from lineage.errors import ConfigError

READ_TIMEOUT_SEC = 2.0  # for the whole request head, and again for the answer
MAX_CONNECTIONS = 16
MAX_HEAD_BYTES = 8192
BACKLOG = 128
OFF = ("0", "off")

PROBES: Mapping[str, Callable[[Flask], ProbeAnswer]] = {
    "/healthz": liveness,
    "/readyz": readiness,
}
NOT_FOUND = ProbeAnswer(404, {"message": "not found"})
NOT_ALLOWED = ProbeAnswer(405, {"message": "method not allowed"}, {"Allow": "GET, HEAD"})
BAD_REQUEST = ProbeAnswer(400, {"message": "bad request"})
INTERNAL_ERROR = ProbeAnswer(500, {"message": "internal error"})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthAddress:
    host: str
    port: int
    chosen: bool  # LINEAGE_HEALTH_PORT named it (not the main port + 1)

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def health_address(values: Mapping[str, Any]) -> HealthAddress | None:
    """Where the health listener listens (the main host), or ``None`` when it is off."""
    host = str(values[ENV_HOST])
    raw = values.get(ENV_HEALTH_PORT)
    if raw is None or str(raw).strip() == "":
        main = int(values[ENV_PORT])
        # Port 0 (any free port) and 65535 have no next port to take.
        return HealthAddress(host, main + 1, chosen=False) if 0 < main < 65535 else None
    text = str(raw).strip().lower()
    if text in OFF:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"{ENV_HEALTH_PORT} must be a port number or off, not {raw!r}")
    return HealthAddress(host, int(text), chosen=True)


def listen(address: HealthAddress) -> socket.socket:
    """A listening socket on ``address``; ``OSError`` when the port is taken."""
    family, kind, proto, _, sockaddr = socket.getaddrinfo(
        address.host or None, address.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        sock.bind(sockaddr)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def open_health_socket(values: Mapping[str, Any], logger: Any) -> socket.socket | None:
    """The master's socket for its workers, or ``None`` when off. A port someone chose that is
    taken stops the server (``RuntimeError``: gunicorn prints it and exits); the default one,
    taken, only turns the listener off, with a warning (``logger``: gunicorn's)."""
    address = health_address(values)
    if address is None:
        return None
    try:
        sock = listen(address)
    except OSError as exc:
        problem = f"cannot listen for health checks on {address}: {exc.strerror or exc}"
        if address.chosen:
            raise RuntimeError(problem) from exc
        logger.warning("%s; /healthz and /readyz only on the main port (%s sets another)",
                       problem, ENV_HEALTH_PORT)
        return None
    logger.info("Health checks (/healthz, /readyz) on http://%s", address)
    return sock


class HealthListener:
    """Answers the probes arriving on ``sock`` with ``server``'s answers, from its own threads."""

    def __init__(self, sock: socket.socket, server: Flask) -> None:
        self._sock = sock
        self._server = server
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._thread = threading.Thread(
            target=self._accept_forever, name="health-listener", daemon=True
        )

    def start(self) -> HealthListener:
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop listening, in every process that shares the socket: for a listener of one
        process (tests). A worker never calls it: its socket is the master's, shared."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        self._sock.close()
        self._thread.join(timeout=READ_TIMEOUT_SEC)

    def _accept_forever(self) -> None:
        while True:
            self._slots.acquire()
            try:
                conn, _ = self._sock.accept()
            except OSError:
                self._slots.release()
                if self._sock.fileno() == -1:
                    return  # closed
                time.sleep(0.1)  # out of file descriptors, or the client left: then again
                continue
            threading.Thread(
                target=self._serve, args=(conn,), name="health-probe", daemon=True
            ).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                head = read_head(conn, time.monotonic() + READ_TIMEOUT_SEC)
                if head is not None:
                    conn.settimeout(READ_TIMEOUT_SEC)
                    conn.sendall(self.response(head))
        except OSError:
            pass  # the client went away
        finally:
            self._slots.release()

    def response(self, head: bytes) -> bytes:
        """The whole HTTP answer to a request ``head`` (its bytes up to the blank line)."""
        method, _, rest = head.partition(b"\r\n")[0].decode("latin-1").partition(" ")
        target = rest.rsplit(" ", 1)[0]
        answer = self.answer(method, target.split("?", 1)[0]) if rest else BAD_REQUEST
        # Flask's own JSON answer, so both ports send the same bytes.
        body = cast(Response, self._server.json.response(dict(answer.body))).get_data()
        status = http.HTTPStatus(answer.status)
        lines = [
            f"HTTP/1.1 {status.value} {status.phrase}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            "Cache-Control: no-store",
            "X-Content-Type-Options: nosniff",
            "Connection: close",
            *(f"{name}: {value}" for name, value in answer.headers.items()),
        ]
        return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + (
            b"" if method == "HEAD" else body
        )

    def answer(self, method: str, path: str) -> ProbeAnswer:
        probe = PROBES.get(path)
        if probe is None:
            return NOT_FOUND
        if method not in ("GET", "HEAD"):
            return NOT_ALLOWED
        try:
            return probe(self._server)
        except Exception:  # the probe says so rather than going silent
            log.exception("health probe %s failed", path)
            return INTERNAL_ERROR


def read_head(conn: socket.socket, deadline: float) -> bytes | None:
    """The request's bytes up to its blank line, or ``None`` when the client is too slow,
    sends too much or leaves."""
    data = b""
    while b"\r\n\r\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or len(data) > MAX_HEAD_BYTES:
            return None
        conn.settimeout(remaining)
        try:
            chunk = conn.recv(4096)
        except TimeoutError:
            return None
        if not chunk:
            return None
        data += chunk
    return data
