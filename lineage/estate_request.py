"""Requests of estate lineage and the validation of their parameters (pure).

``GET /estate?region=R[&account=A][&domain=D][&depth=N]``, ``GET /impact?uri=s3://b/p``
(or ``bucket=B``) and ``GET /provenance?endpoint=NAME`` (or ``model=NAME``,
``modelPackage=ARN``), the last two with the estate's own parameters too. Like
:mod:`lineage.request`, each parser raises :class:`InvalidParameter` naming the first bad
parameter and never repeats a value it refused.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from lineage.config import Settings
from lineage.errors import InvalidParameter
from lineage.graph import BUCKET_NAME_PATTERN
from lineage.request import WHOLE_NUMBER, domain_parameter, parse_pipelines_request, text_parameter

MAX_DEPTH = 10
ACCOUNT_ID = re.compile(r"[0-9]{12}")
# S3's bucket naming rules (3-63 lower-case letters, digits, dots, hyphens; letter or digit
# at both ends), then an optional key of printable characters.
BUCKET_NAME = re.compile(BUCKET_NAME_PATTERN)
S3_URI = re.compile(rf"s3://(?P<bucket>{BUCKET_NAME_PATTERN})(?:/(?P<key>[^\s]{{0,1024}}))?")
# botocore's patterns of EndpointName and ModelName; a versioned model package's ARN.
ENDPOINT_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
MODEL_NAME = ENDPOINT_NAME
MODEL_PACKAGE_ARN = re.compile(
    r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]+:[0-9]{12}:model-package/"
    r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}(/[0-9]{1,10})?"
)
MODEL_ARN = re.compile(
    r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]+:[0-9]{12}:(model|endpoint)/"
    r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
)


@dataclass(frozen=True)
class EstateRequest:
    """What an estate covers (``/estate``, and the reader's scope)."""

    regions: tuple[str, ...]
    account: str | None = None  # only this account (the caller's own or a role's)
    domain: str | None = None  # only pipelines of this Studio domain, and what they touch
    depth: int = 1  # documents of the last N executions of each pipeline


@dataclass(frozen=True)
class ImpactRequest:
    estate: EstateRequest
    uri: str | None = None
    bucket: str | None = None


@dataclass(frozen=True)
class ProvenanceRequest:
    estate: EstateRequest
    endpoint: str | None = None
    model: str | None = None
    model_package: str | None = None


def parse_estate_request(
    params: Mapping[str, str | None],
    *,
    settings: Settings,
    regions: Collection[str],
    offered: Sequence[str],
) -> EstateRequest:
    """``region`` as ``/pipelines`` takes it (one, a list, ``all``); ``account`` a 12-digit
    id; ``domain`` a Studio domain name; ``depth`` 1-10 (default 1)."""
    listing = parse_pipelines_request(params, settings=settings, regions=regions,
                                      offered=offered)
    account = text_parameter(params, "account")
    if account is not None and not ACCOUNT_ID.fullmatch(account):
        raise InvalidParameter("account", "account must be a 12-digit AWS account id")
    depth = 1
    raw = text_parameter(params, "depth")
    if raw is not None:
        if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= MAX_DEPTH:
            raise InvalidParameter("depth", f"depth must be a whole number from 1 to {MAX_DEPTH}")
        depth = int(raw)
    return EstateRequest(listing.regions, account, domain_parameter(params), depth)


def parse_impact_request(
    params: Mapping[str, str | None],
    *,
    settings: Settings,
    regions: Collection[str],
    offered: Sequence[str],
) -> ImpactRequest:
    """Exactly one of ``uri`` (``s3://bucket[/prefix]``) and ``bucket``."""
    estate = parse_estate_request(params, settings=settings, regions=regions, offered=offered)
    uri = text_parameter(params, "uri")
    bucket = text_parameter(params, "bucket")
    if (uri is None) == (bucket is None):
        raise InvalidParameter("uri", "give exactly one of uri and bucket")
    if uri is not None and not S3_URI.fullmatch(uri):
        raise InvalidParameter(
            "uri", "uri must be an S3 location: s3://bucket or s3://bucket/prefix"
        )
    if bucket is not None and not BUCKET_NAME.fullmatch(bucket):
        raise InvalidParameter("bucket", "bucket must be an S3 bucket name")
    return ImpactRequest(estate, uri=uri, bucket=bucket)


def parse_provenance_request(
    params: Mapping[str, str | None],
    *,
    settings: Settings,
    regions: Collection[str],
    offered: Sequence[str],
) -> ProvenanceRequest:
    """Exactly one of ``endpoint`` and ``model`` (a name or its ARN) and ``modelPackage``
    (a model package ARN)."""
    estate = parse_estate_request(params, settings=settings, regions=regions, offered=offered)
    given = {name: text_parameter(params, name) for name in ("endpoint", "model", "modelPackage")}
    named = [name for name, value in given.items() if value is not None]
    if len(named) != 1:
        raise InvalidParameter("endpoint", "give exactly one of endpoint, model and modelPackage")
    name = named[0]
    value = given[name]
    assert value is not None
    if name == "modelPackage":
        if not MODEL_PACKAGE_ARN.fullmatch(value):
            raise InvalidParameter("modelPackage", "modelPackage must be a model package ARN")
        return ProvenanceRequest(estate, model_package=value)
    if not (ENDPOINT_NAME.fullmatch(value) or MODEL_ARN.fullmatch(value)):
        raise InvalidParameter(name, f"{name} must be a SageMaker {name} name or ARN")
    if name == "endpoint":
        return ProvenanceRequest(estate, endpoint=value)
    return ProvenanceRequest(estate, model=value)
