"""A worker's start-up checks, on a thread of their own: it accepts connections at once, and
``/readyz`` says when it can serve well.

Making the AWS clients loads botocore's models (~0.2-0.5 s of CPU); done here, no request pays
for it. Clients are made under the client factory's lock, so a request that comes first
simply waits for the same work. The cache is tried once: reachable, or knowingly skipped (a
failing cache is answered around, see ``dashboard.core.cache``).
"""

from __future__ import annotations

import logging
import threading

from dashboard.core.cache import CachedLineage
from dashboard.core.readiness import Readiness
from lineage.service import LineageService

logger = logging.getLogger("dashboard.readiness")


def warm_up(service: LineageService, cached: CachedLineage, readiness: Readiness) -> None:
    try:
        seconds = service.warm()
        readiness.report("aws", "warmed")
        logger.info("AWS clients warmed in %.2f s", seconds)
    except Exception as exc:  # requests will make the clients themselves, and say what fails
        readiness.report("aws", f"not warmed ({type(exc).__name__})")
        logger.warning("AWS client warm-up failed", exc_info=True)
    readiness.report("cache", cached.probe())


def start_warmup(
    service: LineageService, cached: CachedLineage, readiness: Readiness
) -> threading.Thread:
    thread = threading.Thread(
        target=warm_up, args=(service, cached, readiness), name="warm-up", daemon=True
    )
    thread.start()
    return thread
