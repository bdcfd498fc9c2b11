"""Requests and the validation of their parameters (docs/CONTRACT.md, Request).

The HTTP API, the dashboard and the CLI all build a :class:`LineageRequest` through
:func:`parse_lineage_request` (and the lists' requests through their own parsers here), so
every client gets the same checks and the same messages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

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
# /executions' filters: SageMaker's execution statuses (PipelineExecutionStatus), and
# param.NAME=VALUE with botocore's pattern of a Parameter's Name and its Value's length.
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Parameter.html
EXECUTION_STATUSES = ("Executing", "Stopping", "Stopped", "Failed", "Succeeded")
PARAMETER_FILTER_PREFIX = "param."
PIPELINE_PARAMETER_NAME = re.compile(r"[A-Za-z0-9\-_]{1,256}")
MAX_PARAMETER_VALUE = 1024
MAX_PARAMETER_FILTERS = 10
# /executions' page token (ExecutionsRequest.position): base64url without padding, no longer
# than a request line may carry (gunicorn's limit_request_line is 4094); AWS's own NextToken
# inside it as botocore's model bounds it (1-8192 characters, printable ASCII here).
PAGE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,4000}")
AWS_NEXT_TOKEN = re.compile(r"[!-~]{1,8192}")
PAGE_TOKEN_VERSION = 1


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
    # The first draw of a page while the document is read (dashboard.core.cache's
    # lineage_soon): the definition, the run and its steps' statuses; no Describe* of a step,
    # no report, no bucket settings, tags only for a domain filter. Never parsed from a
    # client's parameters, never cached or served as the document.
    outline: bool = False

    @property
    def wants_execution(self) -> bool:
        return self.include_latest_exec or self.execution is not None

    @property
    def lean(self) -> bool:
        """One of many documents of one answer (an estate's, trends'): no bucket settings,
        tags only for a domain filter, and no DescribePipeline when a run's ARN names it."""
        return self.for_estate or self.for_trends or self.outline


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
class ListingPosition:
    """Where a page of ``/executions`` starts: in the pages of ``page_size`` executions that
    ``ListPipelineExecutions`` lists, the one AWS's ``aws_token`` starts (``None``: the
    first), after the execution ``after`` (an id) or, when it is no longer on that page (new
    runs pushed it on), after the first ``skip`` of them."""

    page_size: int
    aws_token: str | None = None
    after: str | None = None
    skip: int = 0


@dataclass(frozen=True)
class ExecutionsRequest:
    pipeline: str
    region: str
    limit: int = DEFAULT_EXECUTIONS
    # Each execution's parameter values (ListPipelineParametersForExecution, one per run).
    parameters: bool = False
    # Only executions of this status (one of EXECUTION_STATUSES).
    status: str | None = None
    # Only executions whose parameter NAME has VALUE: (NAME, VALUE), sorted by name.
    where: tuple[tuple[str, str], ...] = ()
    # Where this page starts (the client's token); None: at the newest execution.
    position: ListingPosition | None = None

    @property
    def filtered(self) -> bool:
        return self.status is not None or bool(self.where)

    @property
    def reads_parameters(self) -> bool:
        """A parameter filter needs every run's values: they are read, and shown."""
        return self.parameters or bool(self.where)

    @property
    def page_size(self) -> int:
        """The size of the pages read from AWS: a token's own, else the default list for a
        page of at most its size, else the longest (a filter reads the longest pages: fewer
        calls for the same executions looked at)."""
        if self.position is not None:
            return self.position.page_size
        if self.filtered or self.limit > DEFAULT_EXECUTIONS:
            return MAX_EXECUTIONS
        return DEFAULT_EXECUTIONS

    def scope(self) -> str:
        """What a page token belongs to: the pipeline, the region and the filters (a token
        continues the listing it came from, never another one)."""
        named = json.dumps([self.pipeline, self.region, self.status, list(self.where)],
                           separators=(",", ":"))
        return hashlib.sha256(named.encode("utf-8")).hexdigest()[:16]

    def token(self, position: ListingPosition) -> str:
        """The page token of ``position`` for this listing (what ``parse_executions_request``
        reads back as ``position``)."""
        return _encode_token(_token_payload(position, self.scope()))


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
        chosen = _region_list(
            raw, "region", regions,
            unknown="region {region} is not a region where SageMaker is available",
            unnamed="region is not a region where SageMaker is available",
        )
    return PipelinesRequest(regions=chosen, domain=domain_parameter(params))


def parse_executions_request(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> ExecutionsRequest:
    """``/executions``' parameters: pipeline, region, limit, parameters, status, param.NAME
    and token. A token is checked whole (its form, its version, the listing it belongs to)
    before AWS sees the NextToken inside it; AWS refusing that one is a 400 too (catalog)."""
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
    parameters = False
    raw_parameters = text_parameter(params, "parameters")
    if raw_parameters is not None:
        flag = parse_bool(raw_parameters)
        if flag is None:
            raise InvalidParameter(
                "parameters", "parameters must be true, false, 1, 0, yes or no")
        parameters = flag
    status = text_parameter(params, "status")
    if status is not None and status not in EXECUTION_STATUSES:
        raise InvalidParameter(
            "status", "status must be one of " + ", ".join(EXECUTION_STATUSES))
    wanted = ExecutionsRequest(
        pipeline=lineage.pipeline, region=lineage.region, limit=limit, parameters=parameters,
        status=status, where=parameter_filters(params))
    token = params.get("token")
    if token is None or token == "":
        return wanted
    return replace(wanted, position=_position(token, wanted))


def parameter_filters(params: Mapping[str, str | None]) -> tuple[tuple[str, str], ...]:
    """``param.NAME=VALUE`` filters, sorted by name; an empty value is no filter."""
    found: dict[str, str] = {}
    for key in params:
        if not isinstance(key, str) or not key.startswith(PARAMETER_FILTER_PREFIX):
            continue
        name = key[len(PARAMETER_FILTER_PREFIX):]
        if not PIPELINE_PARAMETER_NAME.fullmatch(name):
            raise InvalidParameter(
                PARAMETER_FILTER_PREFIX,
                f"{PARAMETER_FILTER_PREFIX}NAME: NAME must be 1-256 letters, digits, hyphens or "
                "underscores (a pipeline parameter's name)",
            )
        value = text_parameter(params, key)
        if value is None:
            continue
        if len(value) > MAX_PARAMETER_VALUE:
            raise InvalidParameter(
                key, f"{key} must be at most {MAX_PARAMETER_VALUE} characters")
        found[name] = value
    if len(found) > MAX_PARAMETER_FILTERS:
        raise InvalidParameter(
            PARAMETER_FILTER_PREFIX,
            f"at most {MAX_PARAMETER_FILTERS} {PARAMETER_FILTER_PREFIX}NAME filters")
    return tuple(sorted(found.items()))


# -- /executions' page tokens --------------------------------------------------------------------
#
# A token is this server's own (base64url of compact JSON), never AWS's NextToken as such:
# the NextToken travels inside it with the page size, the position on that page and the
# listing it belongs to; it is read back only when it is exactly what this server would have
# written for this listing. Not signed: a token only says where to resume a listing this
# server would page through anyway, so a forged one can show nothing its address could not;
# what a forged NextToken costs is one ListPipelineExecutions that AWS refuses (a 400 here),
# counted against the client's AWS-read limit. Unsigned tokens need no key shared by the
# workers and servers, and outlive a restart.

_NOT_A_TOKEN = "token is not a page token of /executions (use nextToken of an answer as it is)"


def _token_payload(position: ListingPosition, scope: str) -> dict[str, object]:
    return {"v": PAGE_TOKEN_VERSION, "n": position.page_size, "t": position.aws_token,
            "a": position.after, "s": position.skip, "q": scope}


def _encode_token(payload: Mapping[str, object]) -> str:
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def _position(token: str, request: ExecutionsRequest) -> ListingPosition:
    if not PAGE_TOKEN.fullmatch(token):
        raise InvalidParameter("token", _NOT_A_TOKEN)
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        payload = json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidParameter("token", _NOT_A_TOKEN) from None
    if not isinstance(payload, dict) or set(payload) != {"v", "n", "t", "a", "s", "q"}:
        raise InvalidParameter("token", _NOT_A_TOKEN)
    size, aws, after, skip = payload["n"], payload["t"], payload["a"], payload["s"]
    if (
        payload["v"] != PAGE_TOKEN_VERSION
        or size not in (DEFAULT_EXECUTIONS, MAX_EXECUTIONS) or type(size) is not int
        or not (aws is None or (isinstance(aws, str) and AWS_NEXT_TOKEN.fullmatch(aws)))
        or not (after is None or (isinstance(after, str) and EXECUTION_ID.fullmatch(after)))
        or type(skip) is not int or not 0 <= skip < size
        or (after is None) != (skip == 0)  # a place on a page is an execution and its index
        or (aws is None and after is None)  # the first page is asked without a token
        or not isinstance(payload["q"], str)
    ):
        raise InvalidParameter("token", _NOT_A_TOKEN)
    position = ListingPosition(page_size=size, aws_token=aws, after=after, skip=skip)
    if payload["q"] != request.scope():
        raise InvalidParameter(
            "token", "token belongs to another listing (pipeline, region, status or "
            "param. filters): start again without it")
    if _encode_token(_token_payload(position, payload["q"])) != token:
        raise InvalidParameter("token", _NOT_A_TOKEN)  # only exactly what this server writes
    return position


# -- what shapes an answer, apart from what is read -------------------------------------------
#
# A /lineage answer is read once (LineageRequest, the cache's key) and shaped for each asker
# by the parameters below. Each is one line of LINEAGE_SHAPES and one field of LineageQuery:
# a ``format`` (lineage.openlineage) is added the same way, without touching what is read.

# The sibling API's views (BOB-DSPM/DSPM_DATA-Lineage-Tracking, lineage.sibling): the steps
# (graphPipeline), the data between them (graphData), or both.
VIEWS = ("pipeline", "data", "both")
# The answer's format: the contract's document (the default), or the execution as a JSON
# array of OpenLineage RunEvents (lineage.openlineage; as ``dump --format openlineage``).
FORMATS = ("contract", "openlineage")
LINEAGE_SHAPES: Mapping[str, tuple[str, ...]] = {"view": VIEWS, "format": FORMATS}
# Parameters the sibling API takes that mean nothing here: accepted and ignored (an AWS
# profile is the server's choice, never a client's; our deadline is the server's too).
IGNORED_SIBLING_PARAMETERS = ("profile", "timeout_s", "includePII")
# botocore's pattern of a Studio DomainId.
DOMAIN_ID = re.compile(r"d-(-*[a-z0-9]){1,61}")
# /sagemaker/pipelines' name filter: part of a pipeline name.
PIPELINE_NAME_PART = re.compile(r"[a-zA-Z0-9-]{1,256}")


@dataclass(frozen=True)
class LineageQuery:
    """A /lineage request: what is read, and how the answer is shaped (``None``: as the
    contract's document, unchanged)."""

    request: LineageRequest
    view: str | None = None
    format: str | None = None  # None or "contract": the document

    @property
    def openlineage(self) -> bool:
        return self.format == "openlineage"


def parse_lineage_query(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> LineageQuery:
    """``/lineage``'s parameters: :func:`parse_lineage_request`'s, then the shaping ones.
    ``format=openlineage`` implies ``includeLatestExec=true`` (events are of a run, as the
    CLI's ``dump --format openlineage``) and takes no ``view`` (a view shapes the document)."""
    request = parse_lineage_request(params, settings=settings, regions=regions)
    shapes = {name: choice_parameter(params, name, choices)
              for name, choices in LINEAGE_SHAPES.items()}
    query = LineageQuery(request=request, **shapes)
    if query.openlineage:
        if query.view is not None:
            raise InvalidParameter("view", "view applies to format=contract only (the "
                                   "document), not to format=openlineage")
        query = replace(query, request=replace(request, include_latest_exec=True))
    return query


def choice_parameter(
    params: Mapping[str, str | None], name: str, choices: Sequence[str]
) -> str | None:
    """One of ``choices`` exactly, ``None`` when absent or empty; anything else a 400 that
    lists the choices (never the value)."""
    value = text_parameter(params, name)
    if value is not None and value not in choices:
        raise InvalidParameter(name, f"{name} must be one of " + ", ".join(choices))
    return value


def bool_parameter(params: Mapping[str, str | None], name: str, default: bool) -> bool:
    raw = text_parameter(params, name)
    if raw is None:
        return default
    flag = parse_bool(raw)
    if flag is None:
        raise InvalidParameter(name, f"{name} must be true, false, 1, 0, yes or no")
    return flag


@dataclass(frozen=True)
class SiblingPipelinesRequest:
    """``/sagemaker/pipelines`` (the sibling API's listing): regions, whether each
    pipeline's latest execution is shown, and the sibling's filters."""

    regions: tuple[str, ...]
    include_latest_exec: bool = False
    name: str | None = None  # part of the name, any case
    domain_name: str | None = None  # the matched domain's name or tag DomainName, any case
    domain_id: str | None = None  # the matched domain's id or tag DomainId, exactly


def _region_list(
    raw: str, parameter: str, regions: Collection[str], *, unknown: str, unnamed: str
) -> tuple[str, ...]:
    """A comma-separated list of offered regions, in order, without repeats. A region not
    offered is a 400 of ``unknown`` (its ``{region}`` filled in) when it looks like a region
    name, else of ``unnamed``: a value that is no name is never repeated back."""
    chosen = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not chosen:
        raise InvalidParameter(parameter, f"{parameter} must name at least one region")
    for region in chosen:
        if region not in regions:
            raise InvalidParameter(parameter, unknown.format(region=region)
                                   if REGION_NAME.fullmatch(region) else unnamed)
    return chosen


def parse_sibling_pipelines_request(
    params: Mapping[str, str | None], *, regions: Collection[str], offered: Sequence[str]
) -> SiblingPipelinesRequest:
    """``regions``: a comma-separated list (absent: every region offered, as the sibling
    lists every SageMaker region); ``includeLatestExec`` default false, as the sibling's."""
    raw = text_parameter(params, "regions")
    if raw is None:
        chosen = tuple(dict.fromkeys(offered))
    else:
        chosen = _region_list(
            raw, "regions", regions,
            unknown="regions: {region} is not a region where SageMaker is available",
            unnamed="regions: not a region where SageMaker is available",
        )
    name = text_parameter(params, "name")
    if name is not None and not PIPELINE_NAME_PART.fullmatch(name):
        raise InvalidParameter("name", "name must be 1-256 letters, digits or hyphens (part "
                               "of a pipeline name)")
    domain_name = text_parameter(params, "domainName")
    if domain_name is not None and not DOMAIN_NAME.fullmatch(domain_name):
        raise InvalidParameter("domainName", "domainName must be 1-63 letters, digits or "
                               "hyphens (a Studio domain name)")
    domain_id = text_parameter(params, "domainId")
    if domain_id is not None and not DOMAIN_ID.fullmatch(domain_id):
        raise InvalidParameter("domainId", "domainId must be a Studio domain id (d-...)")
    return SiblingPipelinesRequest(
        regions=chosen,
        include_latest_exec=bool_parameter(params, "includeLatestExec", False),
        name=name, domain_name=domain_name, domain_id=domain_id)


@dataclass(frozen=True)
class DomainLineageRequest:
    """``/lineage/by-domain``: the lineage of every pipeline of a Studio domain in a region,
    each shaped with ``view`` (default ``both``, as the sibling's)."""

    region: str
    domain: str
    include_latest_exec: bool = True
    view: str = "both"

    def pipeline_request(self, pipeline: str) -> LineageRequest:
        return LineageRequest(pipeline=pipeline, region=self.region,
                              include_latest_exec=self.include_latest_exec, domain=self.domain)


def parse_domain_lineage_request(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> DomainLineageRequest:
    domain = domain_parameter(params)
    if domain is None:
        raise InvalidParameter("domain", "domain is required")
    region = text_parameter(params, "region") or settings.default_region
    if region not in regions:
        raise InvalidParameter("region", "region is not a region where SageMaker is available")
    return DomainLineageRequest(
        region=region, domain=domain,
        include_latest_exec=bool_parameter(params, "includeLatestExec", True),
        view=choice_parameter(params, "view", VIEWS) or "both")


@dataclass(frozen=True)
class SchemaRequest:
    """``/schema`` and ``/lineage/schema`` (the sibling API's): the dataset schemas of a
    pipeline's latest execution, and the Feature Store's feature groups linked to them.

    ``include_sql``: the sibling's SQL lineage, not read here (always empty);
    ``scan_if_missing``: the sibling scans a dataset that has no stored schema; here every
    schema is read from the data itself (ENABLE_SCHEMA=true), so there is nothing to scan
    for. Both are validated and have no effect."""

    lineage: LineageRequest
    include_featurestore: bool = True
    include_sql: bool = True
    scan_if_missing: bool = False


def parse_schema_request(
    params: Mapping[str, str | None], *, settings: Settings, regions: Collection[str]
) -> SchemaRequest:
    """``pipeline`` and ``region`` as /lineage's (messages included), the sibling's flags
    as every boolean here; defaults the sibling's (include_featurestore and include_sql
    true, scan_if_missing false)."""
    lineage = parse_lineage_request(
        {"pipeline": params.get("pipeline"), "region": params.get("region")},
        settings=settings, regions=regions)
    return SchemaRequest(
        lineage=lineage,
        include_featurestore=bool_parameter(params, "include_featurestore", True),
        include_sql=bool_parameter(params, "include_sql", True),
        scan_if_missing=bool_parameter(params, "scan_if_missing", False))
