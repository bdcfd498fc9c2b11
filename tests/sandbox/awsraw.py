"""Raw signed calls to the sandbox and a strict walk of answers against botocore's model."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, cast

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.parsers import create_parser

from lineage.sandbox import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY

_session = botocore.session.get_session()
SAGEMAKER_MODEL = _session.get_service_model("sagemaker")


def sagemaker_raw(
    endpoint: str, operation: str, params: dict[str, Any], region: str = "ap-northeast-2"
) -> tuple[int, dict[str, str], bytes]:
    """POST one SageMaker JSON call, signed; (status, headers, body) as the server sent them."""
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=json.dumps(params).encode(),
        headers={
            "X-Amz-Target": f"SageMaker.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    credentials = Credentials(SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY)
    SigV4Auth(credentials, "sagemaker", region).add_auth(request)
    prepared = request.prepare()
    raw = urllib.request.Request(
        prepared.url, data=cast(bytes, prepared.body), headers=dict(prepared.headers), method="POST"
    )
    try:
        with urllib.request.urlopen(raw, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def list_pipelines_outcomes(endpoint: str, calls: int = 40) -> list[str]:
    """``ok`` or the error type of each of ``calls`` raw ListPipelines (no client retries)."""
    seen = []
    for _ in range(calls):
        status, _, body = sagemaker_raw(endpoint, "ListPipelines", {})
        seen.append("ok" if status == 200 else json.loads(body)["__type"])
    return seen


def parse(operation: str, status: int, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """What botocore's own JSON parser makes of an answer."""
    parsed: dict[str, Any] = create_parser("json").parse(
        {"status_code": status, "headers": headers, "body": body}, output_shape(operation)
    )
    return parsed


def shape_errors(value: Any, shape: Shape, path: str = "$") -> list[str]:
    """Every way ``value`` (a JSON-protocol document) departs from ``shape``."""
    errors: list[str] = []
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return [f"{path}: expected object for {shape.name}"]
        for key in value:
            if key not in shape.members:
                errors.append(f"{path}.{key}: not a member of {shape.name}")
        for key in shape.required_members:
            if key not in value:
                errors.append(f"{path}.{key}: required by {shape.name}")
        if shape.is_tagged_union and len(value) != 1:
            errors.append(f"{path}: union {shape.name} must set exactly one member")
        for key, member in shape.members.items():
            if key in value:
                errors += shape_errors(value[key], member, f"{path}.{key}")
        return errors
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return [f"{path}: expected list"]
        for i, item in enumerate(value):
            errors += shape_errors(item, shape.member, f"{path}[{i}]")
        return errors
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return [f"{path}: expected map"]
        for key, item in value.items():
            errors += shape_errors(key, shape.key, f"{path}<key>")
            errors += shape_errors(item, shape.value, f"{path}.{key}")
        return errors
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected string, got {type(value).__name__}"]
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            errors.append(f"{path}: {value!r} not in {shape.name} enum")
        limits = shape.metadata
        if "max" in limits and len(value) > limits["max"]:
            errors.append(f"{path}: longer than {limits['max']}")
        if "min" in limits and len(value) < limits["min"]:
            errors.append(f"{path}: shorter than {limits['min']}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{path}: expected integer")
    elif kind in ("float", "double"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            errors.append(f"{path}: expected number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected boolean")
    elif kind == "timestamp":
        if not isinstance(value, int | float) or isinstance(value, bool):
            errors.append(f"{path}: expected epoch seconds")
    return errors


def output_shape(operation: str) -> StructureShape:
    shape = SAGEMAKER_MODEL.operation_model(operation).output_shape
    assert shape is not None
    return shape


def output_errors(operation: str, body: bytes) -> list[str]:
    return shape_errors(json.loads(body), output_shape(operation))
