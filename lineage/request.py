"""Requests and the validation of their parameters (docs/CONTRACT.md, Request).

The HTTP API, the dashboard and the CLI all build a :class:`LineageRequest` through
:func:`parse_lineage_request` (and the lists' requests through their own parsers here), so
every client gets the same checks and the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from lineage.config import Settings, parse_bool
from lineage.errors import InvalidParameter

# botocore's patterns for PipelineName and DomainName, anchored.
PIPELINE_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}")
DOMAIN_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
EXECUTION_ID = re.compile(r"[a-z0-9]{1,256}")
EXECUTION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z\-]*):sagemaker:(?P<region>[a-z0-9\-]+):(?P<account>[0-9]{12}):"
    r"pipeline/(?P<pipeline>[a-zA-Z0-9\-]{1,256})/execution/(?P<id>[a-z0-9]{1,256})"
)
# Explicit ASCII: Python's str.isdigit() and int() also take "١" or "𝟗".
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
# Region prefixes outside the commercial partition "aws".
PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-iso-", "aws-iso"),
              ("us-isob-", "aws-iso-b"), ("eu-isoe-", "aws-iso-e"), ("us-isof-", "aws-iso-f"))
MAX_PARAMETER_LENGTH = 2048
# Only to decide whether echoing a rejected region back is safe.
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
DEFAULT_EXECUTIONS = 20
MAX_EXECUTIONS = 100


@dataclass(frozen=True)
class LineageRequest:
    pipeline: str
    region: str
    include_latest_exec: bool = True
    domain: str | None = None
    # An execution ARN or id of this pipeline; None means the latest one.
    execution: str | None = None
    # Only what an estate needs (lineage.estate_reader): no evaluation reports, no bucket
    # settings (the estate reads each bucket once for all its pipelines), tags only for a
    # domain filter. Never parsed from a client's parameters.
    for_estate: bool = False
    # Only what the trends of many runs draw (lineage.runs_reader): the run, its steps, their
    # metrics and evaluation reports; no bucket settings, tags only for a domain filter, no
    # Describe* whose answer gives neither metrics nor a report's location. Never parsed
    # from a client's parameters.
    for_trends: bool = False

    @property
    def wants_execution(self) -> bool:
        return self.include_latest_exec or self.execution is not None

    @property
    def lean(self) -> bool:
        """One of many documents of one answer (an estate's, trends'): no bucket settings,
        tags only for a domain filter, and no DescribePipeline when a run's ARN names it."""
        return self.for_estate or self.for_trends


def parse_lineage_request(
    params: Mapping[str, str | None],
    *,
    settings: Settings,
    regions: Collection[str],
) -> LineageRequest:
    """Validate raw parameters; raise :class:`InvalidParameter` naming the first bad one."""
    pipeline = text_parameter(params, "pipeline")
    if pipeline is None:
        raise InvalidParameter("pipeline", "pipeline is required")
    if not PIPELINE_NAME.fullmatch(pipeline):
        raise InvalidParameter(
            "pipeline",
            "pipeline must be 1-256 letters, digits or hyphens, starting and ending with a "
            "letter or digit",
        )

    region = text_parameter(params, "region") or settings.default_region
    if region not in regions:
        raise InvalidParameter("region", "region is not a region where SageMaker is available")

    include = True
    raw_include = text_parameter(params, "includeLatestExec")
    if raw_include is not None:
        flag = parse_bool(raw_include)
        if flag is None:
            raise InvalidParameter(
                "includeLatestExec", "includeLatestExec must be true, false, 1, 0, yes or no"
            )
        include = flag

    return LineageRequest(
        pipeline=pipeline,
        region=region,
        include_latest_exec=include,
        domain=domain_parameter(params),
        execution=execution_parameter(params, "execution", pipeline=pipeline, region=region),
    )


def execution_parameter(
    params: Mapping[str, str | None], name: str, *, pipeline: str, region: str
) -> str | None:
    """An execution ARN or id of ``pipeline`` in ``region`` under ``name`` (``execution``,
    or compare's ``a`` and ``b``); ``None`` when absent. An ARN must name that pipeline and
    region; whether it is of this account only AWS can tell (the service checks)."""
    execution = text_parameter(params, name)
    if execution is None:
        return None
    arn = EXECUTION_ARN.fullmatch(execution)
    if arn is None and not EXECUTION_ID.fullmatch(execution):
        raise InvalidParameter(name, f"{name} must be a pipeline execution ARN or execution id")
    # AWS writes a pipeline's ARN in lower case, whatever the name's case.
    if arn is not None and (
        arn["pipeline"].lower() != pipeline.lower()
        or arn["region"] != region
        or arn["partition"] != partition_of(region)
    ):
        raise InvalidParameter(name, f"{name} does not belong to this pipeline and region")
    return execution


def partition_of(region: str) -> str:
    """The ARN partition of ``region``: ``aws``, ``aws-cn``, ``aws-us-gov``, ..."""
    for prefix, partition in PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws"


def execution_id(execution: str) -> str:
    """The id of an execution given as an id or as its ARN: one name for one execution."""
    arn = EXECUTION_ARN.fullmatch(execution)
    return arn["id"] if arn is not None else execution


def execution_account(execution: str | None) -> str | None:
    """The account an execution ARN names; ``None`` for an id (the pipeline's own)."""
    arn = EXECUTION_ARN.fullmatch(execution) if execution is not None else None
    return arn["account"] if arn is not None else None


def domain_parameter(params: Mapping[str, str | None]) -> str | None:
    domain = text_parameter(params, "domain")
    if domain is not None and not DOMAIN_NAME.fullmatch(domain):
        raise InvalidParameter(
            "domain", "domain must be 1-63 letters, digits or hyphens (a Studio domain name)"
        )
    return domain


def text_parameter(params: Mapping[str, str | None], name: str) -> str | None:
    """The parameter, ``None`` when absent or empty; too long or control characters: 400."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_PARAMETER_LENGTH:
        raise InvalidParameter(name, f"{name} is too long")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise InvalidParameter(name, f"{name} contains control characters")
    return value


@dataclass(frozen=True)
class PipelinesRequest:
    regions: tuple[str, ...]
    domain: str | None = None


@dataclass(frozen=True)
class ExecutionsRequest:
    pipeline: str
    region: str
    limit: int = DEFAULT_EXECUTIONS


def parse_pipelines_request(
    params: Mapping[str, str | None],
    *,
    settings: Settings,
    regions: Collection[str],
    offered: Sequence[str],
) -> PipelinesRequest:
    """``region``: one, a comma-separated list, or ``all`` (the ``offered`` regions)."""
    raw = text_parameter(params, "region") or settings.default_region
    if raw.strip().lower() == "all":
        chosen = tuple(dict.fromkeys(offered))
    else:
        chosen = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
        if not chosen:
            raise InvalidParameter("region", "region must name at least one region")
        for region in chosen:
            if region not in regions:
                raise InvalidParameter(
                    "region", f"region {region} is not a region where SageMaker is available"
                    if REGION_NAME.fullmatch(region)
                    else "region is not a region where SageMaker is available",
                )
    return PipelinesRequest(regions=chosen, domain=domain_parameter(params))


def parse_executions_request(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> ExecutionsRequest:
    # pipeline and region follow /lineage exactly, messages included.
    lineage = parse_lineage_request(
        {"pipeline": params.get("pipeline"), "region": params.get("region")},
        settings=settings,
        regions=regions,
    )
    limit = DEFAULT_EXECUTIONS
    raw = text_parameter(params, "limit")
    if raw is not None:
        if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= MAX_EXECUTIONS:
            raise InvalidParameter(
                "limit", f"limit must be a whole number from 1 to {MAX_EXECUTIONS}"
            )
        limit = int(raw)
    return ExecutionsRequest(pipeline=lineage.pipeline, region=lineage.region, limit=limit)
