"""CloudTrail's event history as the sandbox plays it: the calls it answered, the live runs.

moto's ``cloudtrail`` has no ``LookupEvents``. The sandbox keeps an event for every call its
public port answers (whatever the answer: AWS logs refused calls too, and ``LookupEvents``
itself as a read), in the caller's account and the call's region, and answers
``LookupEvents`` from them, shaped as botocore's model says. A live pipeline's runs are
started by EventBridge in AWS: each run's ``StartPipelineExecution`` by
``events.amazonaws.com`` is computed at answer time from the runs the execution store lists,
so the history needs no caller to move and names only executions that the store lists.

As in AWS: management events only (S3's object-level calls and object listings are data
events, which the event history never holds); events dated to the second, ``StartTime`` and
``EndTime`` inclusive; newest first. Not played: the delivery delay (about 5 minutes in AWS),
the 90 days' retention (the newest :data:`HISTORY_LIMIT` events are kept instead) and the rate
limit of two lookups per second.
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import math
import secrets
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lineage.sandbox import ACCOUNT_ID
from lineage.sandbox.macie import moto_account_of
from lineage.sandbox.protocol import Answer, AwsCall, access_key_of, json_answer, json_error

if TYPE_CHECKING:
    from lineage.sandbox.simulate import ExecutionRecord

Clock = Callable[[], datetime]
LiveRuns = Callable[[], Iterable["ExecutionRecord"]]

#: Operations answered here; moto has none of them.
OPERATIONS = frozenset({"LookupEvents"})
#: Events kept per sandbox (the newest): a long bench must not exhaust memory.
HISTORY_LIMIT = 100_000
MAX_RESULTS = 50
EVENTBRIDGE = "events.amazonaws.com"
# CloudTrail marks a call read-only by what it does; these prefixes cover every read the
# sandbox serves. STS's AssumeRole is logged as a read too.
_READ_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "Lookup", "BatchGet",
                  "BatchDescribe", "Query", "Select")
_READ_ONLY_CALLS = frozenset({("sts", "AssumeRole"), ("sts", "GetCallerIdentity")})
# S3's data events besides those naming an object (their path holds a key).
_S3_BUCKET_DATA_EVENTS = frozenset(
    {"ListObjects", "ListObjectsV2", "ListObjectVersions", "DeleteObjects"}
)
# A SageMaker request member naming a resource -> the resource's type.
_SAGEMAKER_RESOURCES = {
    "PipelineName": "AWS::SageMaker::Pipeline",
    "PipelineExecutionArn": "AWS::SageMaker::PipelineExecution",
    "EndpointName": "AWS::SageMaker::Endpoint",
    "EndpointConfigName": "AWS::SageMaker::EndpointConfig",
    "ModelName": "AWS::SageMaker::Model",
    "ModelPackageGroupName": "AWS::SageMaker::ModelPackageGroup",
    "ModelPackageName": "AWS::SageMaker::ModelPackage",
    "TrainingJobName": "AWS::SageMaker::TrainingJob",
    "ProcessingJobName": "AWS::SageMaker::ProcessingJob",
    "TransformJobName": "AWS::SageMaker::TransformJob",
}
_PIPELINE = "AWS::SageMaker::Pipeline"
_BUCKET = "AWS::S3::Bucket"
# requestParameters name the members in lower camel case.
_REQUEST_MEMBER = {kind: member[:1].lower() + member[1:]
                   for member, kind in _SAGEMAKER_RESOURCES.items()} | {_BUCKET: "bucketName"}
_EVENT_VERSION = "1.09"


@dataclass(frozen=True, slots=True)
class Resource:
    type: str
    name: str


@dataclass(frozen=True, slots=True)
class Caller:
    """Who made a call, as CloudTrail's ``userIdentity`` says."""

    account: str
    kind: str  # "IAMUser", "AssumedRole", "AWSService"
    username: str  # the user's name, an assumed role's session name, or the service
    arn: str | None = None
    access_key: str | None = None

    def identity(self) -> dict[str, Any]:
        if self.kind == "AWSService":
            return {"type": self.kind, "invokedBy": self.username}
        out: dict[str, Any] = {"type": self.kind, "arn": self.arn, "accountId": self.account}
        if self.access_key:
            out["accessKeyId"] = self.access_key
        if self.kind == "IAMUser":
            out["userName"] = self.username
        return out


@dataclass(frozen=True, slots=True)
class TrailEvent:
    """One management event; ``order`` ranks the events of one second (arrival order)."""

    event_id: str
    name: str
    service: str
    region: str
    second: int  # epoch seconds: CloudTrail dates events to the second
    order: int
    read_only: bool
    caller: Caller
    resources: tuple[Resource, ...] = ()
    source_ip: str = ""
    response: tuple[tuple[str, str], ...] = ()  # responseElements

    @property
    def source(self) -> str:
        return f"{self.service}.amazonaws.com"

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.second, self.order, self.event_id)

    def to_json(self) -> dict[str, Any]:
        """The event as ``LookupEvents`` answers it (shape ``Event``)."""
        out: dict[str, Any] = {
            "EventId": self.event_id,
            "EventName": self.name,
            "ReadOnly": _flag(self.read_only),
            "EventTime": self.second,
            "EventSource": self.source,
            "Username": self.caller.username,
            "Resources": [{"ResourceType": r.type, "ResourceName": r.name}
                          for r in self.resources],
            "CloudTrailEvent": json.dumps(self.record(), separators=(",", ":")),
        }
        if self.caller.access_key:
            out["AccessKeyId"] = self.caller.access_key
        return out

    def request_parameters(self) -> dict[str, str]:
        """The members of the request naming its resources (the sandbox keeps no others)."""
        return {_REQUEST_MEMBER[r.type]: r.name for r in self.resources}

    def record(self) -> dict[str, Any]:
        """The CloudTrail record (``CloudTrailEvent``, a JSON string in the answer)."""
        moment = datetime.fromtimestamp(self.second, UTC)
        return {
            "eventVersion": _EVENT_VERSION,
            "userIdentity": self.caller.identity(),
            "eventTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": self.source,
            "eventName": self.name,
            "awsRegion": self.region,
            "sourceIPAddress": self.source_ip,
            "requestParameters": self.request_parameters() or None,
            "responseElements": dict(self.response) or None,
            "eventID": self.event_id,
            "readOnly": self.read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.caller.account,
            "eventCategory": "Management",
        }


class EventHistory:
    """The newest ``limit`` events of every account and region; thread-safe.

    ``clock`` dates the calls recorded and must be the execution store's, whose runs
    ``live_runs`` lists (each becomes its ``StartPipelineExecution``), so both are dated
    alike under a test's fake clock.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        live_runs: LiveRuns | None = None,
        limit: int = HISTORY_LIMIT,
    ) -> None:
        self._clock = clock or _wall_clock
        self._live_runs: LiveRuns = live_runs or (lambda: ())
        self._lock = threading.Lock()
        self._events: deque[TrailEvent] = deque(maxlen=limit)
        self._order = itertools.count()
        # Signs the tokens: one the sandbox did not give is refused, as AWS refuses it.
        self._secret = secrets.token_bytes(16)

    def record(self, call: AwsCall, environ: dict[str, Any], body: bytes | None) -> None:
        """The event of a call answered (none for a data event)."""
        path = str(environ.get("PATH_INFO", ""))
        if _is_data_event(call, path):
            return
        caller = caller_of(access_key_of(environ))
        resources = resources_of(call, path, body)
        with self._lock:  # dated and numbered together: the history's order is arrival's
            self._events.append(
                TrailEvent(
                    event_id=str(uuid.uuid4()),
                    # A few names repeated by every call: kept once (the history is long).
                    name=sys.intern(call.operation),
                    service=sys.intern(call.service),
                    region=sys.intern(call.region),
                    second=math.floor(self._clock().timestamp()),
                    order=next(self._order),
                    read_only=is_read_only(call.service, call.operation),
                    caller=caller,
                    resources=resources,
                    source_ip=sys.intern(str(environ.get("REMOTE_ADDR", ""))),
                )
            )

    def events(self, account: str, region: str) -> list[TrailEvent]:
        """Every event of ``account`` in ``region``, the live runs' starts with them."""
        with self._lock:
            recorded = list(self._events)
        found = [e for e in recorded if e.caller.account == account and e.region == region]
        return found + [
            run_start_event(run) for run in self._live_runs()
            if run.account == account and run.region == region
        ]

    def answer(self, account: str, region: str, params: Mapping[str, Any]) -> Answer:
        """``LookupEvents`` of a caller of ``account`` in ``region``."""
        try:
            lookup = _Lookup.parse(params)
            scope = lookup.fingerprint(account, region)
            after = self._cursor(params.get("NextToken"), scope)
        except _Refusal as refusal:
            return json_error(refusal.code, refusal.message)
        if lookup.insight:  # the sandbox has no Insights events
            return json_answer({"Events": []})
        matching = sorted(
            (e for e in self.events(account, region)
             if lookup.matches(e) and (after is None or e.sort_key < after)),
            key=lambda e: e.sort_key,
            reverse=True,  # newest first
        )
        page = matching[: lookup.size]
        out: dict[str, Any] = {"Events": [e.to_json() for e in page]}
        if len(matching) > len(page):
            out["NextToken"] = self._token(scope, page[-1].sort_key)
        return json_answer(out)

    def _token(self, scope: str, after: tuple[int, int, str]) -> str:
        payload = base64.urlsafe_b64encode(
            json.dumps({"scope": scope, "after": list(after)}).encode()
        ).decode()
        return f"{payload}.{self._signature(payload)}"

    def _cursor(self, token: Any, scope: str) -> tuple[int, int, str] | None:
        """Where the page a token continues starts; refused unless given for this lookup."""
        if token is None:
            return None
        refused = _Refusal("InvalidNextTokenException", "Invalid NextToken.")
        if not isinstance(token, str):
            raise refused
        payload, _, signature = token.rpartition(".")
        if not hmac.compare_digest(signature.encode(), self._signature(payload).encode()):
            raise refused
        try:
            decoded = json.loads(base64.urlsafe_b64decode(payload.encode()))
            second, order, event_id = decoded["after"]
            given_for = decoded["scope"]
        except (ValueError, KeyError, TypeError):
            raise refused from None
        if given_for != scope:  # a token used with other parameters, as AWS refuses it
            raise refused
        return (int(second), int(order), str(event_id))

    def _signature(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class _Lookup:
    """A ``LookupEvents`` request's filters, checked as CloudTrail checks them."""

    attribute: tuple[str, str] | None
    start: float | None
    end: float | None
    insight: bool
    size: int

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> _Lookup:
        start, end = _time(params, "StartTime"), _time(params, "EndTime")
        if start is not None and end is not None and start > end:
            raise _Refusal("InvalidTimeRangeException", "Start time must not be after end time.")
        category = params.get("EventCategory")
        if category is not None and category != "insight":
            raise _Refusal("InvalidEventCategoryException",
                           "The only valid event category is insight.")
        size = params.get("MaxResults", MAX_RESULTS)
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_RESULTS:
            raise _Refusal("InvalidMaxResultsException",
                           f"MaxResults must be between 1 and {MAX_RESULTS}.")
        return cls(_attribute(params.get("LookupAttributes")), start, end,
                   category == "insight", size)

    def matches(self, event: TrailEvent) -> bool:
        if self.start is not None and event.second < self.start:
            return False
        if self.end is not None and event.second > self.end:
            return False
        if self.attribute is None:
            return True
        key, value = self.attribute
        return value in _ATTRIBUTES[key](event)

    def fingerprint(self, account: str, region: str) -> str:
        """What a token is given for: the same filters (MaxResults may change)."""
        wanted = [account, region, self.attribute, self.start, self.end, self.insight]
        return hashlib.sha256(json.dumps(wanted).encode()).hexdigest()[:16]


# Each lookup attribute's key -> the values of an event it compares with.
_ATTRIBUTES: dict[str, Callable[[TrailEvent], tuple[str | None, ...]]] = {
    "EventId": lambda e: (e.event_id,),
    "EventName": lambda e: (e.name,),
    "ReadOnly": lambda e: (_flag(e.read_only),),
    "Username": lambda e: (e.caller.username,),
    "ResourceType": lambda e: tuple(r.type for r in e.resources),
    "ResourceName": lambda e: tuple(r.name for r in e.resources),
    "EventSource": lambda e: (e.source,),
    "AccessKeyId": lambda e: (e.caller.access_key,),
}


def _attribute(value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _Refusal("InvalidLookupAttributesException", "LookupAttributes must be a list.")
    if len(value) > 1:
        raise _Refusal("InvalidLookupAttributesException",
                       "You can specify only one lookup attribute.")
    if not value:
        return None
    item = value[0]
    key = item.get("AttributeKey") if isinstance(item, dict) else None
    text = item.get("AttributeValue") if isinstance(item, dict) else None
    if key not in _ATTRIBUTES:
        raise _Refusal("InvalidLookupAttributesException",
                       "AttributeKey must be one of " + ", ".join(sorted(_ATTRIBUTES)) + ".")
    if not isinstance(text, str) or not 1 <= len(text) <= 2000:
        raise _Refusal("InvalidLookupAttributesException",
                       "AttributeValue must be 1 to 2000 characters long.")
    return (str(key), text)


def _time(params: Mapping[str, Any], name: str) -> float | None:
    """A timestamp as botocore sends it in the JSON protocol: epoch seconds, a number."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _Refusal("SerializationException", f"{name} must be a timestamp.")
    return float(value)


def run_start_event(run: ExecutionRecord) -> TrailEvent:
    """The ``StartPipelineExecution`` by EventBridge that started a live run."""
    return TrailEvent(
        # The same event in every answer: a client may remember which ids it has seen.
        event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, run.arn)),
        name="StartPipelineExecution",
        service="sagemaker",
        region=run.region,
        second=math.floor(run.start.timestamp()),
        order=-1,
        read_only=False,
        caller=Caller(run.account, "AWSService", EVENTBRIDGE),
        resources=(Resource(_PIPELINE, run.pipeline_name),),
        source_ip=EVENTBRIDGE,
        response=(("pipelineExecutionArn", run.arn),),
    )


def is_read_only(service: str, operation: str) -> bool:
    return operation.startswith(_READ_PREFIXES) or (service, operation) in _READ_ONLY_CALLS


def resources_of(call: AwsCall, path: str, body: bytes | None) -> tuple[Resource, ...]:
    """The resources a call names: SageMaker's in its JSON body, S3's bucket in its path."""
    if call.service == "s3":
        bucket = unquote(path).lstrip("/").partition("/")[0]
        return (Resource(_BUCKET, bucket),) if bucket else ()
    if call.service != "sagemaker" or not body:
        return ()
    try:
        params = json.loads(body)
    except ValueError:
        return ()
    if not isinstance(params, dict):
        return ()
    return tuple(
        Resource(kind, value) for member, kind in _SAGEMAKER_RESOURCES.items()
        if isinstance(value := params.get(member), str) and value
    )


@lru_cache(maxsize=1024)  # an access key's identity never changes once issued
def caller_of(access_key: str | None) -> Caller:
    """Who signs with ``access_key``, as moto's ``GetCallerIdentity`` answers it."""
    if not access_key:
        return Caller(ACCOUNT_ID, "IAMUser", "moto", f"arn:aws:iam::{ACCOUNT_ID}:user/moto")
    from moto.sts.models import sts_backends

    account = moto_account_of(access_key)
    _, arn, _ = sts_backends[account]["aws"].get_caller_identity(access_key, "us-east-1")
    kind = "AssumedRole" if ":assumed-role/" in arn else "IAMUser"
    return Caller(account, kind, arn.rpartition("/")[2], arn, access_key)


def _is_data_event(call: AwsCall, path: str) -> bool:
    """S3's object-level calls, which CloudTrail's event history never holds."""
    if call.service != "s3":
        return False
    key = unquote(path).lstrip("/").partition("/")[2]
    return bool(key) or call.operation in _S3_BUCKET_DATA_EVENTS


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class _Refusal(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
