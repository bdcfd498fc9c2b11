"""Whether this worker can serve yet (``GET /readyz``), as distinct from being alive.

A worker is ready once its AWS clients are made and warmed and its cache was tried: reachable,
or knowingly skipped (a cache that fails is answered around, never waited for). Until then
``/readyz`` answers 503, so a load balancer or ``sagemaker-lineage serve`` sends it nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from flask import Flask

EXTENSION = "sagemaker_lineage_readiness"
PENDING = "pending"
CHECKS = ("aws", "cache")


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
