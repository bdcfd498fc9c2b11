"""Sending RunEvents to an OpenLineage endpoint (Marquez's ``POST /api/v1/lineage``) with
openlineage-python's HTTP transport, one event at a time, each with its own outcome.

Nothing is dropped without a word: every event ends ``sent``, ``failed`` (the receiver
answered with an error, or did not answer in time: the next events are still sent) or ``not
sent`` (the receiver could not be reached, so the events after the first such failure are not
tried). The transport retries 5xx answers and connection failures itself (``retries``, with
urllib3's backoff), and each event is posted only once it knows how the one before went, so a
receiver sees them in order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urljoin, urlsplit

from lineage.errors import InvalidParameter

if TYPE_CHECKING:
    import requests
    from openlineage.client.event_v2 import RunEvent

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "api/v1/lineage"
DEFAULT_TIMEOUT_SEC = 5.0
MAX_TIMEOUT_SEC = 300.0
DEFAULT_RETRIES = 3
MAX_RETRIES = 10
# How much of a receiver's error answer a report quotes.
BODY_CHARS = 200

Outcome = Literal["sent", "failed", "not sent"]


@dataclass(frozen=True)
class EventOutcome:
    index: int  # 1-based, in the order sent
    label: str  # describe_event(): ``START mlops-pipeline.Train 2025-...``
    run_id: str
    outcome: Outcome
    detail: str | None = None  # why it failed or was not sent

    def line(self) -> str:
        head = f"{self.outcome:<8} {self.label} run {self.run_id}"
        return head if self.detail is None else f"{head}: {self.detail}"


@dataclass(frozen=True)
class EmitReport:
    target: str  # the full URL posted to
    outcomes: tuple[EventOutcome, ...]

    @property
    def sent(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.outcome == "sent")

    @property
    def ok(self) -> bool:
        return self.sent == len(self.outcomes)

    def problem(self) -> str | None:
        """``2 of 6 events failed and 3 not sent to URL``; None when every one was sent."""
        if self.ok:
            return None
        failed = sum(1 for outcome in self.outcomes if outcome.outcome == "failed")
        unsent = len(self.outcomes) - self.sent - failed
        more = f" and {unsent} not sent" if unsent else ""
        return f"{failed} of {len(self.outcomes)} events failed{more} ({self.target})"


@dataclass(frozen=True)
class Receiver:
    """Where and how to send: checked on construction, before anything is read or sent."""

    url: str
    api_key: str | None = None
    timeout_sec: float = DEFAULT_TIMEOUT_SEC
    retries: int = DEFAULT_RETRIES
    endpoint: str = DEFAULT_ENDPOINT

    def __post_init__(self) -> None:
        check_url(self.url)
        if self.api_key is not None and (
            not self.api_key.strip() or any(ord(char) < 32 for char in self.api_key)
        ):
            raise InvalidParameter("--api-key", "must be a non-empty line of text")
        if not 0 < self.timeout_sec <= MAX_TIMEOUT_SEC:
            raise InvalidParameter("--timeout", f"must be more than 0 and at most "
                                   f"{MAX_TIMEOUT_SEC:g} seconds")
        if not 0 <= self.retries <= MAX_RETRIES:
            raise InvalidParameter("--retries", f"must be from 0 to {MAX_RETRIES}")
        if any(ord(char) <= 32 for char in self.endpoint) or "://" in self.endpoint:
            raise InvalidParameter("--endpoint", "must be a path such as api/v1/lineage")

    @property
    def target(self) -> str:
        return urljoin(self.url, self.endpoint)


def check_url(url: str) -> None:
    problem = "must be an http:// or https:// URL such as http://localhost:5000"
    if any(ord(char) <= 32 for char in url):
        raise InvalidParameter("--url", problem)
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is no number raises here
    except ValueError:
        raise InvalidParameter("--url", problem) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameter("--url", problem)
    if port == 0:
        raise InvalidParameter("--url", "port 0 cannot be reached")


def emit(events: Sequence[RunEvent], receiver: Receiver) -> EmitReport:
    """Post each event in turn; the report has one outcome per event."""
    # Imported here: the client costs a CLI start ~0.2 s that the other commands never need.
    import requests
    from openlineage.client.transport.http import (
        ApiKeyTokenProvider,
        HttpConfig,
        HttpTransport,
        TokenProvider,
    )
    from openlineage.client.transport.http_common import DEFAULT_RETRY_CONFIG

    from lineage.openlineage import describe_event

    transport = HttpTransport(HttpConfig(
        url=receiver.url,
        endpoint=receiver.endpoint,
        timeout=receiver.timeout_sec,
        auth=(ApiKeyTokenProvider({"apiKey": receiver.api_key}) if receiver.api_key
              else TokenProvider({})),
        retry={
            **DEFAULT_RETRY_CONFIG,
            "total": receiver.retries,
            "read": receiver.retries,
            "connect": receiver.retries,
            # The last answer is kept once retries run out, so its status and body are told.
            "raise_on_status": False,
        },
    ))
    outcomes: list[EventOutcome] = []
    unreachable: str | None = None
    try:
        for index, event in enumerate(events, start=1):
            label = describe_event(event)
            run_id = event.run.runId
            if unreachable is not None:
                outcomes.append(EventOutcome(index, label, run_id, "not sent", unreachable))
                continue
            try:
                transport.emit(event)
            except requests.HTTPError as exc:
                outcomes.append(EventOutcome(index, label, run_id, "failed",
                                             _http_problem(exc.response)))
            except requests.ConnectionError:
                # Includes a connect timeout: the receiver is not there, so the rest wait.
                unreachable = f"{receiver.url} could not be reached"
                outcomes.append(EventOutcome(index, label, run_id, "failed", unreachable))
                unreachable = f"not tried after {receiver.url} could not be reached"
            except requests.Timeout:
                outcomes.append(EventOutcome(
                    index, label, run_id, "failed",
                    f"no answer within {receiver.timeout_sec:g} s"))
            except requests.RequestException as exc:
                outcomes.append(EventOutcome(index, label, run_id, "failed",
                                             f"could not be sent ({type(exc).__name__})"))
            else:
                outcomes.append(EventOutcome(index, label, run_id, "sent"))
            logger.debug("openlineage event %d: %s", index, outcomes[-1].line())
    finally:
        transport.close()
    return EmitReport(receiver.target, tuple(outcomes))


def _http_problem(response: requests.Response | None) -> str:
    if response is None:
        return "the receiver refused it"
    text = " ".join((response.text or "").split())
    if len(text) > BODY_CHARS:
        text = text[:BODY_CHARS] + "..."
    head = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
    return f"{head}: {text}" if text else head
