"""What an AWS request is, and AWS's error answers in each protocol's exact shape.

SageMaker speaks ``json`` (``X-Amz-Target: SageMaker.<Operation>``, errors as
``{"__type": ..., "message": ...}``); S3 speaks ``rest-xml`` (the operation follows from method,
path and query; errors as ``<Error><Code>...``). References:
https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html and
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from lineage.sandbox import ACCOUNT_ID

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
_request_counter = itertools.count(1)


@dataclass(frozen=True)
class AwsCall:
    service: str  # signing name: "sagemaker", "s3", ...
    region: str
    operation: str  # "DescribePipeline", "GetBucketEncryption", ... or "Unknown"
    protocol: str  # "json" | "rest-xml" | "rest-json" | "query"

    def to_dict(self) -> dict[str, str]:
        return {"service": self.service, "operation": self.operation, "region": self.region}


def credential_scope(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(service, region) from a SigV4 ``Authorization`` header's credential scope."""
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    # AWS4-HMAC-SHA256 Credential=AKIA.../20250301/ap-northeast-2/sagemaker/aws4_request, ...
    for part in auth.replace(",", " ").split():
        if part.startswith("Credential="):
            fields = part[len("Credential=") :].split("/")
            if len(fields) == 5:
                return fields[3].lower(), fields[2]
    return None


def access_key_of(environ: dict[str, Any]) -> str | None:
    """The access key id a SigV4 ``Authorization`` header names."""
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    for part in auth.replace(",", " ").split():
        if part.startswith("Credential="):
            return part[len("Credential=") :].split("/")[0] or None
    return None


# S3 bucket sub-resources -> the operation name after Get/Put/Delete.
_S3_BUCKET_SUBRESOURCES = {
    "encryption": "BucketEncryption",
    "versioning": "BucketVersioning",
    "publicAccessBlock": "PublicAccessBlock",
    "tagging": "BucketTagging",
    "policy": "BucketPolicy",
    "acl": "BucketAcl",
    "cors": "BucketCors",
    "lifecycle": "BucketLifecycleConfiguration",
    "website": "BucketWebsite",
    "logging": "BucketLogging",
    "notification": "BucketNotificationConfiguration",
    "replication": "BucketReplication",
    "ownershipControls": "BucketOwnershipControls",
    "object-lock": "ObjectLockConfiguration",
    "accelerate": "BucketAccelerateConfiguration",
    "requestPayment": "BucketRequestPayment",
    "policyStatus": "BucketPolicyStatus",
}
_S3_OBJECT_SUBRESOURCES = {
    "tagging": "ObjectTagging",
    "acl": "ObjectAcl",
    "retention": "ObjectRetention",
    "legal-hold": "ObjectLegalHold",
    "attributes": "ObjectAttributes",
}
_VERB = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Head"}


def s3_operation(method: str, path: str, query: str, headers: dict[str, str]) -> str:
    """The S3 operation of a path-style request (``/bucket`` or ``/bucket/key``)."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    verb = _VERB.get(method, method.title())
    if not bucket:
        return "ListBuckets" if method == "GET" else "Unknown"
    if not key:
        if method == "GET" and "location" in params:
            return "GetBucketLocation"
        for name, suffix in _S3_BUCKET_SUBRESOURCES.items():
            if name in params and method in ("GET", "PUT", "DELETE"):
                return verb + suffix
        if method == "GET":
            if "versions" in params:
                return "ListObjectVersions"
            if "uploads" in params:
                return "ListMultipartUploads"
            return "ListObjectsV2" if params.get("list-type") == "2" else "ListObjects"
        if method == "POST" and "delete" in params:
            return "DeleteObjects"
        return {"HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(
            method, "Unknown"
        )
    if "uploadId" in params:
        if method == "PUT":
            return "UploadPartCopy" if "x-amz-copy-source" in headers else "UploadPart"
        return {
            "POST": "CompleteMultipartUpload",
            "DELETE": "AbortMultipartUpload",
            "GET": "ListParts",
        }.get(method, "Unknown")
    if method == "POST" and "uploads" in params:
        return "CreateMultipartUpload"
    for name, suffix in _S3_OBJECT_SUBRESOURCES.items():
        if name in params and method in ("GET", "PUT", "DELETE"):
            return verb + suffix
    if method == "PUT" and "x-amz-copy-source" in headers:
        return "CopyObject"
    return {
        "GET": "GetObject",
        "HEAD": "HeadObject",
        "PUT": "PutObject",
        "DELETE": "DeleteObject",
    }.get(method, "Unknown")


def identify(environ: dict[str, Any], body: bytes | None) -> AwsCall | None:
    """The AWS call a WSGI request makes, or ``None`` when it is not a signed AWS request."""
    scope = credential_scope(environ)
    if scope is None:
        return None
    service, region = scope
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return AwsCall(service, region, target.rpartition(".")[2], "json")
    method = environ.get("REQUEST_METHOD", "GET").upper()
    if service == "s3":
        headers = {
            key[5:].lower().replace("_", "-"): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        operation = s3_operation(
            method, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), headers
        )
        return AwsCall(service, region, operation, "rest-xml")
    rest_json = rest_json_operation(service, method, environ.get("PATH_INFO", ""))
    if rest_json is not None:
        return AwsCall(service, region, rest_json, "rest-json")
    # Query protocol (STS, IAM, ...): Action=... in the form body or the query string.
    fields = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    if body:
        fields.update(parse_qsl(body.decode("utf-8", "replace")))
    return AwsCall(service, region, fields.get("Action", "Unknown"), "query")


# Services speaking rest-json whose calls the sandbox names (from botocore's model).
REST_JSON_SERVICES = frozenset({"macie2"})


@lru_cache(maxsize=8)
def _rest_json_routes(service: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(method, path pattern, operation) of a rest-json service, most literal paths first."""
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = str(http["requestUri"]).split("?")[0]
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
        routes.append((str(http["method"]), re.compile(f"^{pattern}/?$"), name, path.count("{")))
    routes.sort(key=lambda route: route[3])
    return tuple((method, pattern, name) for method, pattern, name, _ in routes)


def rest_json_operation(service: str, method: str, path: str) -> str | None:
    """The operation of a rest-json request (method and path), ``None`` for other services."""
    if service not in REST_JSON_SERVICES:
        return None
    for verb, pattern, name in _rest_json_routes(service):
        if verb == method and pattern.match(path):
            return name
    return "Unknown"


def request_id(seed: str = "") -> str:
    """A request id in AWS's format, unique per answer."""
    digest = hashlib.sha256(f"{seed}:{next(_request_counter)}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer the middleware sends instead of moto's."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    @property
    def status_line(self) -> str:
        reasons = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
                   429: "Too Many Requests"}
        reasons |= {500: "Internal Server Error", 503: "Service Unavailable"}
        return f"{self.status} {reasons.get(self.status, 'Unknown')}"


def json_answer(
    payload: Any, status: int = 200, *, content_type: str = JSON_CONTENT_TYPE
) -> Answer:
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    rid = request_id()
    return Answer(
        status,
        body,
        (
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", rid),
        ),
    )


def json_error(code: str, message: str, status: int = 400) -> Answer:
    """An error of a JSON-protocol service: botocore reads the code from ``__type``."""
    return json_answer({"__type": code, "message": message}, status)


def rest_json_error(code: str, message: str, status: int) -> Answer:
    """An error of a REST-JSON service (Macie, ...): botocore reads ``x-amzn-ErrorType``."""
    answer = json_answer({"message": message}, status, content_type="application/json")
    return Answer(answer.status, answer.body, (*answer.headers, ("x-amzn-ErrorType", code)))


def xml_error(code: str, message: str, status: int, *, head: bool = False) -> Answer:
    rid = request_id()
    host_id = hashlib.sha256(rid.encode()).hexdigest()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{rid[:16].replace('-', '').upper()}</RequestId>"
        f"<HostId>{host_id}</HostId></Error>"
    ).encode()
    headers = [
        ("Content-Type", "application/xml"),
        ("x-amz-request-id", rid[:16].replace("-", "").upper()),
        ("x-amz-id-2", host_id),
    ]
    if head:  # HEAD answers carry no body; botocore derives the code from the status.
        body = b""
    headers.append(("Content-Length", str(len(body))))
    return Answer(status, body, tuple(headers))


def throttling_error(call: AwsCall, method: str) -> Answer:
    if call.protocol == "rest-xml":
        return xml_error("SlowDown", "Please reduce your request rate.", 503, head=method == "HEAD")
    if call.protocol == "json":
        return json_error("ThrottlingException", "Rate exceeded")
    if call.protocol == "rest-json":
        return rest_json_error("ThrottlingException", "Rate exceeded", 429)
    return query_error("Throttling", "Rate exceeded", 400)


def access_denied_error(call: AwsCall, method: str) -> Answer:
    who = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/SandboxReadOnly/sandbox"
    message = (
        f"User: {who} is not authorized to perform: {call.service}:{call.operation} "
        "because no identity-based policy allows the action"
    )
    if call.protocol == "rest-xml":
        return xml_error("AccessDenied", "Access Denied", 403, head=method == "HEAD")
    if call.protocol == "json":
        return json_error("AccessDeniedException", message)
    if call.protocol == "rest-json":
        return rest_json_error("AccessDeniedException", message, 403)
    return query_error("AccessDenied", message, 403)


def query_error(code: str, message: str, status: int) -> Answer:
    rid = request_id()
    body = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{rid}</RequestId></ErrorResponse>"
    ).encode()
    return Answer(
        status,
        body,
        (("Content-Type", "text/xml"), ("Content-Length", str(len(body)))),
    )
