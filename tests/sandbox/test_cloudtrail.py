"""CloudTrail's event history through boto3: the calls the sandbox answered, the live runs'
starts, and ``LookupEvents``' filters, pages and errors as AWS gives them.

Writes go to a sandbox of this module's own (no world: the shared one must not change); the
live runs are read from the shared seeded one, and followed with a fake clock in this process.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lineage.sandbox import (
    ACCOUNT_ID,
    SANDBOX_ACCESS_KEY_ID,
    SANDBOX_SECRET_ACCESS_KEY,
    SECOND_ACCOUNT_ID,
    SECOND_ACCOUNT_ROLE_ARN,
    SandboxOptions,
    SandboxProcess,
)
from lineage.sandbox.cloudtrail import EventHistory
from lineage.sandbox.executions import ExecutionStore
from lineage.sandbox.protocol import AwsCall
from lineage.sandbox.simulate import ExecutionRecord, LiveSchedule, PipelineRef
from lineage.sandbox.world import FRAUD
from tests.sandbox.clients import SEOUL, client

pytestmark = pytest.mark.sandbox
VIRGINIA = "us-east-1"
BUCKET = "trail-tagged-bucket"
PIPELINE = "trail-pipeline"
WRITES_ONLY = [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def trail() -> Iterator[SandboxProcess]:
    """A sandbox of this module's own, without the world, holding a bucket and a pipeline."""
    with SandboxProcess(SandboxOptions(seed_world=False)) as process:
        client(process, "s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": SEOUL}
        )
        client(process, "sagemaker").create_pipeline(
            PipelineName=PIPELINE,
            PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}),
            RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/trail",
        )
        yield process


@pytest.fixture(scope="module")
def cloudtrail(trail: SandboxProcess) -> Any:
    return client(trail, "cloudtrail", max_attempts=1)


def lookup_all(cloudtrail: Any, **params: Any) -> list[dict[str, Any]]:
    """Every event of a lookup, page after page."""
    events: list[dict[str, Any]] = []
    while True:
        page = cloudtrail.lookup_events(**params)
        events += page["Events"]
        if "NextToken" not in page:
            return events
        params["NextToken"] = page["NextToken"]


def since(moment: float, cloudtrail: Any, **params: Any) -> list[dict[str, Any]]:
    """The events from ``moment`` (epoch seconds) to now."""
    return lookup_all(cloudtrail, StartTime=datetime.fromtimestamp(math.floor(moment), UTC),
                      EndTime=datetime.now(UTC), **params)


class Window:
    """The events made from now on: events are dated to the second, so those of this second
    already there are left out by their ids."""

    def __init__(self, cloudtrail: Any) -> None:
        self.cloudtrail = cloudtrail
        self.start = time.time()
        self.known = {e["EventId"] for e in since(self.start, cloudtrail)}

    def events(self, **params: Any) -> list[dict[str, Any]]:
        return [e for e in since(self.start, self.cloudtrail, **params)
                if e["EventId"] not in self.known]


@pytest.fixture
def window(cloudtrail: Any) -> Window:
    return Window(cloudtrail)


def named(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["EventName"] == name]


def error_of(cloudtrail: Any, **params: Any) -> tuple[str, int, dict[str, Any]]:
    """The code, HTTP status and raw JSON body of a refused lookup."""
    raw: dict[str, Any] = {}

    def keep(http_response: Any, **_: Any) -> None:
        raw.update(json.loads(http_response.content))

    cloudtrail.meta.events.register("after-call.cloudtrail.LookupEvents", keep)
    try:
        with pytest.raises(ClientError) as caught:
            cloudtrail.lookup_events(**params)
    finally:
        cloudtrail.meta.events.unregister("after-call.cloudtrail.LookupEvents", keep)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], raw


def test_a_write_is_an_event_with_its_source_name_and_resource(
    trail: SandboxProcess, window: Window
) -> None:
    began = time.time()
    client(trail, "s3").put_bucket_tagging(
        Bucket=BUCKET, Tagging={"TagSet": [{"Key": "team", "Value": "trail"}]}
    )
    client(trail, "sagemaker").start_pipeline_execution(PipelineName=PIPELINE)
    writes = window.events(LookupAttributes=WRITES_ONLY)
    assert [e["EventName"] for e in writes] == ["StartPipelineExecution", "PutBucketTagging"]
    started, tagged = writes
    assert started["EventSource"] == "sagemaker.amazonaws.com"
    assert started["Resources"] == [
        {"ResourceType": "AWS::SageMaker::Pipeline", "ResourceName": PIPELINE}]
    assert tagged["EventSource"] == "s3.amazonaws.com"
    assert tagged["Resources"] == [{"ResourceType": "AWS::S3::Bucket", "ResourceName": BUCKET}]
    for event in (started, tagged):
        assert event["ReadOnly"] == "false"
        assert event["AccessKeyId"] == SANDBOX_ACCESS_KEY_ID
        assert event["Username"] == "moto"  # as moto's GetCallerIdentity names the caller
        assert math.floor(began) <= event["EventTime"].timestamp() <= time.time()
        assert event["EventTime"].microsecond == 0  # dated to the second, as CloudTrail does
    record = json.loads(started["CloudTrailEvent"])
    assert record["eventVersion"] and record["eventID"] == started["EventId"]
    assert record["eventTime"] == started["EventTime"].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (record["eventSource"], record["eventName"]) == (
        "sagemaker.amazonaws.com", "StartPipelineExecution")
    assert record["awsRegion"] == SEOUL
    assert record["readOnly"] is False
    assert record["recipientAccountId"] == ACCOUNT_ID
    assert record["eventCategory"] == "Management"
    assert record["requestParameters"] == {"pipelineName": PIPELINE}


def test_a_read_is_a_read_only_event_and_never_a_write(
    trail: SandboxProcess, window: Window
) -> None:
    sm = client(trail, "sagemaker")
    sm.describe_pipeline(PipelineName=PIPELINE)
    sm.list_pipelines()
    reads = window.events(LookupAttributes=[
        {"AttributeKey": "ResourceName", "AttributeValue": PIPELINE}])
    assert [(e["EventName"], e["ReadOnly"]) for e in reads] == [("DescribePipeline", "true")]
    assert json.loads(reads[0]["CloudTrailEvent"])["readOnly"] is True
    everything = window.events()
    assert {e["EventName"] for e in everything} == {
        "DescribePipeline", "ListPipelines", "LookupEvents"}  # lookups are reads too
    assert all(e["ReadOnly"] == "true" for e in everything)
    assert window.events(LookupAttributes=WRITES_ONLY) == []


def test_object_calls_are_data_events_the_history_never_holds(
    trail: SandboxProcess, window: Window
) -> None:
    s3 = client(trail, "s3")
    s3.put_object(Bucket=BUCKET, Key="reports/a.json", Body=b"{}")
    s3.get_object(Bucket=BUCKET, Key="reports/a.json")
    s3.list_objects_v2(Bucket=BUCKET)
    s3.get_bucket_versioning(Bucket=BUCKET)
    names = [e["EventName"] for e in window.events(LookupAttributes=[
        {"AttributeKey": "EventSource", "AttributeValue": "s3.amazonaws.com"}])]
    assert names == ["GetBucketVersioning"]


def test_the_time_range_is_inclusive_and_to_the_second(
    trail: SandboxProcess, cloudtrail: Any
) -> None:
    sm = client(trail, "sagemaker")
    sm.start_pipeline_execution(PipelineName=PIPELINE)
    newest = cloudtrail.lookup_events(LookupAttributes=WRITES_ONLY, MaxResults=1)["Events"][0]
    at = newest["EventTime"]
    ids = [e["EventId"] for e in lookup_all(
        cloudtrail, LookupAttributes=WRITES_ONLY, StartTime=at, EndTime=at)]
    assert newest["EventId"] in ids
    second = timedelta(seconds=1)
    for start, end in ((at + second, at + 5 * second), (at - 5 * second, at - second)):
        assert newest["EventId"] not in [e["EventId"] for e in lookup_all(
            cloudtrail, LookupAttributes=WRITES_ONLY, StartTime=start, EndTime=end)]


def test_pages_give_every_event_once_newest_first(
    trail: SandboxProcess, cloudtrail: Any
) -> None:
    s3 = client(trail, "s3")
    for n in range(7):
        s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "n", "Value": str(n)}]})
    end = datetime.now(UTC)
    params: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": BUCKET}],
        "EndTime": end,
    }
    whole = cloudtrail.lookup_events(**params)["Events"]
    assert len(whole) >= 8  # the seven, the first test's tagging, the bucket's creation
    first = cloudtrail.lookup_events(MaxResults=3, **params)
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": []})  # newer: not in the pages
    paged = first["Events"] + lookup_all(cloudtrail, MaxResults=3,
                                         NextToken=first["NextToken"], **params)
    assert [e["EventId"] for e in paged] == [e["EventId"] for e in whole]
    assert len({e["EventId"] for e in paged}) == len(paged)
    times = [e["EventTime"] for e in paged]
    assert times == sorted(times, reverse=True)
    assert paged[-1]["EventName"] == "CreateBucket"  # the oldest comes last


def test_a_token_works_only_for_the_lookup_it_was_given_for(cloudtrail: Any) -> None:
    page = cloudtrail.lookup_events(MaxResults=1)
    token = page["NextToken"]
    assert cloudtrail.lookup_events(MaxResults=1, NextToken=token)["Events"]
    for refused in (
        {"NextToken": "made-up"},
        {"NextToken": token[:-1] + ("0" if token[-1] != "0" else "1")},  # tampered
        {"NextToken": token, "LookupAttributes": WRITES_ONLY},  # other parameters
    ):
        code, status, _ = error_of(cloudtrail, MaxResults=1, **refused)
        assert (code, status) == ("InvalidNextTokenException", 400)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"LookupAttributes": WRITES_ONLY * 2}, "InvalidLookupAttributesException"),
        ({"LookupAttributes": [{"AttributeKey": "Bucket", "AttributeValue": BUCKET}]},
         "InvalidLookupAttributesException"),
        ({"StartTime": datetime(2030, 1, 2, tzinfo=UTC),
          "EndTime": datetime(2030, 1, 1, tzinfo=UTC)}, "InvalidTimeRangeException"),
        ({"EventCategory": "management"}, "InvalidEventCategoryException"),
        ({"MaxResults": 51}, "InvalidMaxResultsException"),
    ],
)
def test_a_bad_lookup_is_refused_as_aws_refuses_it(
    cloudtrail: Any, params: dict[str, Any], code: str
) -> None:
    refused, status, body = error_of(cloudtrail, **params)
    assert (refused, status) == (code, 400)
    assert body["__type"] == code and body["message"]  # the JSON protocol's error shape


def test_max_results_below_one_is_refused_by_the_sandbox_too(trail: SandboxProcess) -> None:
    # botocore checks the minimum itself; another client may not.
    unchecked = boto3.session.Session(
        aws_access_key_id=SANDBOX_ACCESS_KEY_ID,
        aws_secret_access_key=SANDBOX_SECRET_ACCESS_KEY,
        region_name=SEOUL,
    ).client("cloudtrail", endpoint_url=trail.endpoint,
             config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    code, status, _ = error_of(unchecked, MaxResults=0)
    assert (code, status) == ("InvalidMaxResultsException", 400)


def test_there_are_no_insights_events(cloudtrail: Any) -> None:
    answer = cloudtrail.lookup_events(EventCategory="insight")
    assert answer["Events"] == [] and "NextToken" not in answer


def test_each_account_and_region_has_its_own_history(
    trail: SandboxProcess, window: Window
) -> None:
    began = time.time()
    credentials = client(trail, "sts").assume_role(
        RoleArn=SECOND_ACCOUNT_ROLE_ARN, RoleSessionName="lineage")["Credentials"]
    partner = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=SEOUL,
    )
    partner.client("sagemaker", endpoint_url=trail.endpoint).list_pipelines()
    client(trail, "s3").put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": []})
    theirs = since(began, partner.client("cloudtrail", endpoint_url=trail.endpoint))
    assert [e["EventName"] for e in theirs] == ["LookupEvents", "ListPipelines"]
    for event in theirs:
        assert event["AccessKeyId"] == credentials["AccessKeyId"]
        assert event["Username"] == "lineage"  # an assumed role's session
        assert json.loads(event["CloudTrailEvent"])["recipientAccountId"] == SECOND_ACCOUNT_ID
    ours = window.events()
    assert {e["EventName"] for e in ours} == {"AssumeRole", "PutBucketTagging", "LookupEvents"}
    assert named(ours, "AssumeRole")[0]["ReadOnly"] == "true"
    virginia = client(trail, "cloudtrail", VIRGINIA, max_attempts=1)
    assert {e["EventName"] for e in since(began, virginia)} == {"LookupEvents"}


def test_recording_leaves_the_call_log_as_it_was(trail: SandboxProcess) -> None:
    trail.reset_calls()
    client(trail, "s3").put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": []})
    assert trail.calls() == [
        {"service": "s3", "operation": "PutBucketTagging", "region": SEOUL}]


# --- the live runs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def schedule() -> LiveSchedule:
    assert FRAUD.live is not None
    return LiveSchedule(PipelineRef(FRAUD.name, FRAUD.region), FRAUD.definition, FRAUD.live)


def live_history(schedule: LiveSchedule, clock: FakeClock) -> tuple[ExecutionStore, EventHistory]:
    store = ExecutionStore(lambda region, name: name == FRAUD.name, clock=clock)
    store.add_live(schedule)

    def live_runs() -> list[ExecutionRecord]:  # as the server gives them
        return [simulation.execution for simulation in store.live_simulations()]

    return store, EventHistory(clock=clock, live_runs=live_runs)


def lookup(history: EventHistory, **params: Any) -> dict[str, Any]:
    answer = history.answer(ACCOUNT_ID, SEOUL, params)
    assert answer.status == 200, answer.body
    body: dict[str, Any] = json.loads(answer.body)
    return body


def test_each_live_run_is_started_by_eventbridge_at_its_start(schedule: LiveSchedule) -> None:
    newest = schedule.newest(datetime(2030, 1, 1, tzinfo=UTC))
    start = schedule.started(newest)
    clock = FakeClock(start + timedelta(seconds=60))
    store, history = live_history(schedule, clock)
    listed = json.loads(store.answer("ListPipelineExecutions", SEOUL,
                                     {"PipelineName": FRAUD.name}).body)
    arns = [e["PipelineExecutionArn"] for e in listed["PipelineExecutionSummaries"]]

    events = lookup(history, LookupAttributes=WRITES_ONLY)["Events"]
    assert [e["EventTime"] for e in events] == [
        schedule.started(newest - n).timestamp() for n in range(len(arns))]
    assert [json.loads(e["CloudTrailEvent"])["responseElements"]["pipelineExecutionArn"]
            for e in events] == arns  # one start per run listed, newest first
    started = events[0]
    assert (started["EventName"], started["EventSource"], started["ReadOnly"]) == (
        "StartPipelineExecution", "sagemaker.amazonaws.com", "false")
    assert started["Username"] == "events.amazonaws.com"
    assert started["Resources"] == [
        {"ResourceType": "AWS::SageMaker::Pipeline", "ResourceName": FRAUD.name}]
    assert json.loads(started["CloudTrailEvent"])["userIdentity"] == {
        "type": "AWSService", "invokedBy": "events.amazonaws.com"}

    # Since the newest run's start, nothing; one period on, the next run's start.
    after = (start + timedelta(seconds=1)).timestamp()
    assert lookup(history, LookupAttributes=WRITES_ONLY, StartTime=after)["Events"] == []
    clock.now += timedelta(seconds=schedule.period_s)
    moved = lookup(history, LookupAttributes=WRITES_ONLY, StartTime=after)["Events"]
    assert [e["EventTime"] for e in moved] == [schedule.started(newest + 1).timestamp()]
    again = lookup(history, LookupAttributes=WRITES_ONLY)["Events"]
    assert [e["EventId"] for e in again[1:]] == [e["EventId"] for e in events]  # ids kept


def test_a_call_is_dated_by_the_clock_the_live_runs_are(schedule: LiveSchedule) -> None:
    clock = FakeClock(schedule.started(schedule.newest(datetime(2030, 1, 1, tzinfo=UTC))))
    clock.now += timedelta(seconds=30, microseconds=700_000)
    _, history = live_history(schedule, clock)
    history.record(AwsCall("sagemaker", SEOUL, "UpdatePipeline", "json"), {},
                   json.dumps({"PipelineName": FRAUD.name}).encode())
    newest, run = lookup(history, LookupAttributes=WRITES_ONLY, MaxResults=2)["Events"]
    assert newest["EventName"] == "UpdatePipeline"
    assert newest["EventTime"] == math.floor(clock.now.timestamp())
    assert run["EventName"] == "StartPipelineExecution"


def test_the_seeded_sandbox_lists_the_live_runs_starts(
    sandbox: SandboxProcess, schedule: LiveSchedule
) -> None:
    now = datetime.now(UTC)
    events = lookup_all(
        client(sandbox, "cloudtrail", max_attempts=1),
        LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": FRAUD.name}],
        StartTime=now - timedelta(seconds=2 * schedule.period_s), EndTime=now,
    )
    starts = [e for e in events if e["Username"] == "events.amazonaws.com"]
    assert starts, "a run starts every period"
    listed = client(sandbox, "sagemaker").list_pipeline_executions(PipelineName=FRAUD.name)
    arns = {e["PipelineExecutionArn"] for e in listed["PipelineExecutionSummaries"]}
    for start in starts:
        assert start["EventName"] == "StartPipelineExecution"
        record = json.loads(start["CloudTrailEvent"])
        assert record["responseElements"]["pipelineExecutionArn"] in arns


def test_the_server_dates_calls_and_live_runs_by_its_one_clock(
    schedule: LiveSchedule, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    monkeypatch.setenv("MOTO_DEFAULT_ACCOUNT_ID", ACCOUNT_ID)
    from lineage.sandbox.server import SandboxServer

    start = schedule.started(schedule.newest(datetime(2030, 1, 1, tzinfo=UTC)))
    clock = FakeClock(start + timedelta(seconds=90))
    server = SandboxServer(SandboxOptions(seed_world=False), clock=clock)
    try:
        server.seed()
        server.store.add_live(schedule)  # the live pipeline alone: moto need not know it
        cloudtrail = boto3.session.Session(
            aws_access_key_id=SANDBOX_ACCESS_KEY_ID,
            aws_secret_access_key=SANDBOX_SECRET_ACCESS_KEY,
            region_name=SEOUL,
        ).client("cloudtrail", endpoint_url=server.open(),
                 config=Config(retries={"max_attempts": 1}))
        events = cloudtrail.lookup_events(MaxResults=2)["Events"]
        assert [e["EventName"] for e in events] == ["LookupEvents", "StartPipelineExecution"]
        assert [e["EventTime"].timestamp() for e in events] == [
            math.floor(clock.now.timestamp()), start.timestamp()]
    finally:
        server.stop()
