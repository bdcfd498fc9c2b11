"""The estate's change feed (issue 12, row 9): a rebuild with nothing changed asks CloudTrail's
event history once per account and region and serves the last estate again; a SageMaker
write it did not see, a run or an endpoint in flight, an old listing, an expired bucket, a
feed too busy or refused: the estate is read again. Against the fake AWS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lineage.change_feed import (
    DELIVERY_LAG_SEC,
    MAX_PAGES,
    RELIST_AFTER_SEC,
    FeedAnswer,
    FeedMark,
    feed_is_quiet,
    watched_writes,
)
from lineage.errors import AwsAccessDenied
from lineage.estate_reader import EstateMemory, EstatePipeline, EstateRead, read_estate
from lineage.estate_request import EstateRequest
from tests.lineage.fake_aws import ENDPOINT, FakeWorld
from tests.lineage.test_estate_reads import Documents, world

SCOPE = EstateRequest(("ap-northeast-2",))
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Buckets:
    """A bucket cache that keeps what it is given (the web side's, in small)."""

    def __init__(self) -> None:
        self.held: dict[str, dict[str, Any]] = {}

    def get(self, bucket: str) -> dict[str, Any] | None:
        return self.held.get(bucket)

    def set(self, bucket: str, values: dict[str, Any]) -> None:
        self.held[bucket] = values


class Feed:
    """LookupEvents: the events it holds, the windows it was asked for."""

    def __init__(self, *events: dict[str, Any], pages: int = 1) -> None:
        self.events = list(events)
        self.pages = pages  # > 1: every answer says more remain
        self.asked: list[Mapping[str, Any]] = []

    def __call__(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self.asked.append(params)
        answer: dict[str, Any] = {"Events": list(self.events)}
        if self.pages > 1:
            answer["NextToken"] = "more"
        return answer


def write(name: str, event_id: str, source: str = "sagemaker.amazonaws.com") -> dict[str, Any]:
    return {"EventId": event_id, "EventName": name, "EventSource": source, "ReadOnly": "false"}


class Estate:
    """One fake world, its documents and bucket cache, built again and again."""

    def __init__(self, fake: FakeWorld | None = None, feed: Feed | None = None) -> None:
        self.feed = feed or Feed()
        self.fake = fake or world(LookupEvents=self.feed)
        self.documents = Documents()
        self.buckets = Buckets()

    def build(self, known: EstateMemory | None = None) -> tuple[EstateRead, list[str]]:
        since = len(self.fake.order)
        read = read_estate(self.fake.service(), SCOPE, document_for=self.documents,
                           known=known, bucket_cache=self.buckets)
        return read, self.fake.order[since:]


def test_nothing_changed_is_one_lookup_and_the_same_estate() -> None:
    estate = Estate()
    first, cold = estate.build()
    assert "LookupEvents" in cold and "ListPipelines" in cold
    assert first.known.estate is not None

    again, calls = estate.build(first.known)
    assert calls == ["LookupEvents"]
    assert again.reused and again.pipelines_read == 0 and again.aws_calls == 1
    assert sorted(estate.documents.read) == ["deploy", "prep"]  # not read again
    assert again.estate.nodes == first.estate.nodes and again.estate.edges == first.estate.edges
    assert again.estate.generated_at >= first.estate.generated_at
    # The window reaches back before the listing by the delivery lag, and only writes.
    window = estate.feed.asked[-1]
    assert window["LookupAttributes"] == [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]
    listed_at = first.known.marks[(None, "ap-northeast-2")].listed_at
    assert window["StartTime"] == listed_at - timedelta(seconds=DELIVERY_LAG_SEC)


def test_an_unseen_sagemaker_write_reads_the_estate_again_once() -> None:
    estate = Estate()
    first, _ = estate.build()
    estate.feed.events.append(write("StartPipelineExecution", "e-1"))
    second, calls = estate.build(first.known)
    assert not second.reused and "ListPipelines" in calls
    # The listing after it saw it: the next rebuild with nothing new is the feed alone.
    assert second.known.marks[(None, "ap-northeast-2")].seen == {"e-1"}
    third, calls = estate.build(second.known)
    assert third.reused and calls == ["LookupEvents"]


@pytest.mark.parametrize("event", [
    write("CreatePresignedDomainUrl", "studio-1"),  # Studio's own writes change nothing shown
    write("PutBucketTagging", "s3-1", source="s3.amazonaws.com"),  # buckets: their own TTL
    {**write("DescribePipeline", "read-1"), "ReadOnly": "true"},
])
def test_writes_the_estate_does_not_show_are_ignored(event: dict[str, Any]) -> None:
    estate = Estate()
    first, _ = estate.build()
    estate.feed.events.append(event)
    again, calls = estate.build(first.known)
    assert again.reused and calls == ["LookupEvents"]


def test_a_feed_too_busy_to_read_whole_lists_again() -> None:
    feed = Feed(write("CreatePresignedDomainUrl", "studio-1"), pages=2)
    estate = Estate(feed=feed)
    first, cold = estate.build()
    assert cold.count("LookupEvents") == MAX_PAGES
    _, calls = estate.build(first.known)
    assert calls.count("LookupEvents") == MAX_PAGES and "ListPipelines" in calls


def test_a_refused_feed_lists_everything_and_warns_of_nothing() -> None:
    fake = world(LookupEvents=AwsAccessDenied("not granted", operation="LookupEvents"))
    estate = Estate(fake=fake)
    first, _ = estate.build()
    assert first.known.marks == {}
    again, calls = estate.build(first.known)
    assert not again.reused and "ListPipelines" in calls
    assert again.estate.warnings == first.estate.warnings == ()


def test_an_old_listing_is_listed_again() -> None:
    estate = Estate()
    first, _ = estate.build()
    key = (None, "ap-northeast-2")
    mark = first.known.marks[key]
    aged = replace(first.known, marks={key: replace(
        mark, listed_at=mark.listed_at - timedelta(seconds=RELIST_AFTER_SEC + 1))})
    again, calls = estate.build(aged)
    assert not again.reused and "ListPipelines" in calls


def test_an_expired_bucket_is_read_again() -> None:
    estate = Estate()
    first, _ = estate.build()
    estate.buckets.held.pop("shared")
    again, calls = estate.build(first.known)
    assert not again.reused and "GetBucketEncryption" in calls


def test_an_endpoint_in_flight_keeps_the_estate_from_being_reused() -> None:
    fake = world(DescribeEndpoint={"EndpointName": ENDPOINT, "EndpointStatus": "Updating"})
    estate = Estate(fake=fake)
    fake.answers["LookupEvents"] = estate.feed
    first, _ = estate.build()
    assert first.known.estate is None
    again, calls = estate.build(first.known)
    assert not again.reused and "ListEndpoints" in calls


class RunningDocuments(Documents):
    def __call__(self, pipeline: EstatePipeline, execution: str | None) -> Mapping[str, Any]:
        document = dict(super().__call__(pipeline, execution))
        if pipeline.name == "prep":
            document["execution"] = {**document["execution"], "status": "Executing"}
        return document


def test_a_running_pipeline_is_read_again_though_its_listing_did_not_change() -> None:
    estate = Estate()
    estate.documents = RunningDocuments()
    first, _ = estate.build()
    assert first.known.estate is None  # in flight: not reusable
    estate.build(first.known)
    # Its steps move on without changing ListPipelines' times: read again; deploy is not.
    assert sorted(estate.documents.read) == ["deploy", "prep", "prep"]


def test_the_feed_rules() -> None:
    mark = FeedMark(NOW, frozenset({"a"}))
    assert feed_is_quiet(mark, FeedAnswer(frozenset({"a"}), True), NOW)
    assert not feed_is_quiet(mark, FeedAnswer(frozenset({"a", "b"}), True), NOW)
    assert not feed_is_quiet(mark, FeedAnswer(frozenset(), False), NOW)
    assert not feed_is_quiet(None, FeedAnswer(frozenset(), True), NOW)
    assert not feed_is_quiet(mark, None, NOW)
    late = NOW + timedelta(seconds=RELIST_AFTER_SEC + 1)
    assert not feed_is_quiet(mark, FeedAnswer(frozenset(), True), late)
    assert watched_writes([
        write("UpdatePipeline", "1"), write("UpdateEndpoint", "2"),
        write("CreateModelPackage", "3"), write("AddTags", "4"),
        write("CreatePresignedDomainUrl", "5"), write("PutObject", "6", "s3.amazonaws.com"),
    ]) == {"1", "2", "3", "4"}
