"""Whether anything the estate shows changed since it was listed: CloudTrail's event history.

Nothing in SageMaker's API says "what changed since T": a rebuild would list every pipeline,
package group, package, model and endpoint again to find out that nothing did. Every change
to them is an API call, though (``StartPipelineExecution`` by a user or by EventBridge,
``UpdatePipeline``, ``CreateModelPackage`` by a ``RegisterModel`` step, ``UpdateEndpoint``,
``AddTags``, ``Delete*``), and CloudTrail's event history (on in every account, no trail
needed) keeps each for 90 days: one ``LookupEvents`` page of the region's write events says
whether any was a SageMaker one (:func:`lineage.aws.AwsApi.write_events`).

What the history cannot say is covered by the rules of :func:`feed_is_quiet` and the
estate's own state: an event reaches the history within about 5 minutes, not guaranteed, so
the window reaches :data:`DELIVERY_LAG_SEC` back before the listing, and an estate is listed
afresh at least every :data:`RELIST_AFTER_SEC`; what moves without an API call (a running
execution's steps, an endpoint being created or updated) keeps the estate from being reused
while it is in flight (``lineage.estate_reader``).
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# How far back before a listing the window reaches: an event delivered this late is still
# seen; one delivered later is caught by the next full listing (RELIST_AFTER_SEC).
DELIVERY_LAG_SEC = 900
# The longest an estate is reused from the feed alone before it is listed again.
RELIST_AFTER_SEC = 900
# Pages of 50 events asked per account and region; a region this busy is listed instead.
MAX_PAGES = 4
WATCHED_SOURCE = "sagemaker.amazonaws.com"
# A SageMaker write changes the estate when its operation names one of these (Create/Update/
# Delete/Start/Stop of pipelines, packages, models, endpoints and their configs; tags, which
# decide a domain's scope). Studio's own writes (CreatePresignedDomainUrl, ...) do not.
WATCHED_NOUNS = ("Pipeline", "ModelPackage", "Model", "Endpoint", "Tags")


@dataclass(frozen=True)
class FeedMark:
    """Where an account and region's feed was left: the listing's start, and the watched
    writes already known then (the window overlaps the last one by DELIVERY_LAG_SEC)."""

    listed_at: datetime
    seen: frozenset[str]


@dataclass(frozen=True)
class FeedAnswer:
    """One account and region's watched writes in a window; ``complete``: every page read."""

    event_ids: frozenset[str]
    complete: bool


def window_start(mark: FeedMark | None, now: datetime) -> datetime:
    """Where the window of the next look begins."""
    since = mark.listed_at if mark is not None else now
    return since - timedelta(seconds=DELIVERY_LAG_SEC)


def watched_writes(events: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The ids of the events (LookupEvents' ``Events``) that may change the estate."""
    return frozenset(
        str(event.get("EventId"))
        for event in events
        if event.get("EventSource") == WATCHED_SOURCE
        and str(event.get("ReadOnly", "")).lower() == "false"
        and any(noun in str(event.get("EventName") or "") for noun in WATCHED_NOUNS)
    )


def feed_is_quiet(mark: FeedMark | None, answer: FeedAnswer | None, now: datetime) -> bool:
    """Whether the estate listed at ``mark`` may be served again: the feed was read whole,
    names no watched write unknown then, and the listing is recent enough."""
    if mark is None or answer is None or not answer.complete:
        return False
    if (now - mark.listed_at).total_seconds() > RELIST_AFTER_SEC:
        return False
    return answer.event_ids <= mark.seen
