"""Whether this worker can serve yet (``GET /readyz``), as distinct from being alive.

A worker is ready once its AWS clients are made and warmed and its cache was tried: reachable,
or knowingly skipped (a cache that fails is answered around, never waited for). Until then
``/readyz`` answers 503, so a load balancer or ``sagemaker-lineage serve`` sends it nothing.

:func:`liveness` and :func:`readiness` are the two answers; the Flask views and the health
listener (``dashboard.server.health``) both send them, so the two ports cannot disagree.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from dashboard.core.state import state

EXTENSION = "sagemaker_lineage_readiness"
PENDING = "pending"
CHECKS = ("aws", "cache")
# Seconds a client should wait before asking a starting worker again.
NOT_READY_RETRY_SEC = "1"


class Readiness:
    """The outcome of each start-up check; ready when none is pending."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checks = dict.fromkeys(CHECKS, PENDING)

    def report(self, check: str, outcome: str) -> None:
        with self._lock:
            self._checks[check] = outcome

    @property
    def checks(self) -> Mapping[str, str]:
        with self._lock:
            return dict(self._checks)

    @property
    def ready(self) -> bool:
        return PENDING not in self.checks.values()


def install_readiness(server: Flask) -> Readiness:
    readiness = Readiness()
    server.extensions[EXTENSION] = readiness
    return readiness


def readiness_of(server: Flask) -> Readiness:
    found: Readiness = server.extensions[EXTENSION]
    return found


@dataclass(frozen=True)
class ProbeAnswer:
    """What ``/healthz`` or ``/readyz`` answers: a status, a JSON body, extra headers."""

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


def liveness(server: Flask) -> ProbeAnswer:
    # Liveness only: never calls AWS, so an AWS outage does not restart healthy servers.
    return ProbeAnswer(200, {"status": "ok", "sandbox": state(server).sandbox})


def readiness(server: Flask) -> ProbeAnswer:
    # Readiness: 503 until this worker's clients are warm and its cache was tried.
    checks = readiness_of(server).checks  # one snapshot: the status agrees with the checks
    ready = PENDING not in checks.values()
    body = {"status": "ready" if ready else "starting", "checks": checks}
    if ready:
        return ProbeAnswer(200, body)
    return ProbeAnswer(503, body, {"Retry-After": NOT_READY_RETRY_SEC})
