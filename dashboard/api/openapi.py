"""The OpenAPI 3.1 document of the JSON API, served at ``/openapi.json``.

The lineage document's schema is the package's own JSON Schema (``lineage.contract``), its
``$defs`` moved under ``components/schemas`` so that every tool resolves them. With
authentication configured (``dashboard.server.auth``) the document names its schemes and
every operation but liveness and readiness answers 401 without an identity.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

from dashboard.api.analytics_schemas import comparison_schema, timeline_schema, trends_schema
from dashboard.core.config import ENV_API_KEYS, ENV_TRUSTED_USER_HEADER
from lineage.analytics_request import DEFAULT_RUNS, MAX_RUNS
from lineage.aws import sagemaker_regions
from lineage.contract import lineage_schema
from lineage.estate_request import MAX_DEPTH
from lineage.findings_report import CSV_COLUMNS
from lineage.findings_request import FORMATS
from lineage.graph import BUCKET_NAME_PATTERN
from lineage.policy import SEVERITIES
from lineage.request import (
    DEFAULT_EXECUTIONS,
    DOMAIN_ID,
    EXECUTION_STATUSES,
    IGNORED_SIBLING_PARAMETERS,
    MAX_EXECUTIONS,
    MAX_PARAMETER_FILTERS,
    MAX_PARAMETER_LENGTH,
    MAX_PARAMETER_VALUE,
    PAGE_TOKEN,
    VIEWS,
)
from lineage.request import FORMATS as LINEAGE_FORMATS

JsonDict = dict[str, Any]

VERSION = "0.1.0"
LINEAGE_DEFS_PREFIX = "Lineage_"
# Operations a load balancer asks without credentials.
OPEN_OPERATIONS = ("/healthz", "/readyz")


def openapi_document(config: Mapping[str, Any], mounted_at: str = "") -> JsonDict:
    """The document; ``mounted_at`` is where a gateway mounts the server (its stage, ``/prod``:
    the WSGI script root), so the operations are found under it."""
    document = copy.deepcopy(_document())
    prefix = str(config.get("API_PREFIX") or "")
    if mounted_at:
        document["servers"] = [{"url": mounted_at, "description": "this API's stage"}]
    elif prefix:
        document["servers"] = [
            {"url": "/", "description": "this server"},
            {"url": prefix, "description": "the same API under API_PREFIX"},
        ]
    schemes = _security_schemes(config)
    if schemes:
        document["components"]["securitySchemes"] = schemes
        document["security"] = [{name: []} for name in schemes]
        refused = _json(_ref("Message"), "No identity: no valid API key, or no user header "
                        "from the trusted proxy.",
                        *(["WWW-Authenticate"] if config.get(ENV_API_KEYS) else []))
        for path, item in document["paths"].items():
            operation = item["get"]
            if path in OPEN_OPERATIONS:
                operation["security"] = []
            else:
                operation["responses"]["401"] = refused
    return document


def _security_schemes(config: Mapping[str, Any]) -> JsonDict:
    schemes: JsonDict = {}
    if config.get(ENV_API_KEYS):
        schemes["ApiKey"] = {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                             "description": "A key whose SHA-256 is in LINEAGE_API_KEYS."}
        schemes["Bearer"] = {"type": "http", "scheme": "bearer",
                             "description": "The same key as `Authorization: Bearer <key>`."}
    header = str(config.get(ENV_TRUSTED_USER_HEADER) or "").strip()
    if header:
        schemes["TrustedProxy"] = {
            "type": "apiKey", "in": "header", "name": header,
            "description": "The signed-in user, set by the proxy in front (e.g. an ALB with "
            "OIDC); the server is reachable only through it.",
        }
    return schemes


def _ref(name: str) -> JsonDict:
    return {"$ref": f"#/components/schemas/{name}"}


def _lineage_schemas() -> dict[str, JsonDict]:
    schema = copy.deepcopy(lineage_schema())
    defs: dict[str, Any] = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                    value = f"#/components/schemas/{LINEAGE_DEFS_PREFIX}{value[len('#/$defs/'):]}"
                out[key] = rewrite(value)
            return out
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    schemas = {"LineageDocument": rewrite(schema)}
    for name, definition in defs.items():
        schemas[f"{LINEAGE_DEFS_PREFIX}{name}"] = rewrite(definition)
    return schemas


_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": ["string", "null"]}
# lineage.config.parse_bool, spelled as a pattern (ECMA-262 has no case-insensitive flag).
# An empty optional parameter means the same as an absent one (lineage.request.text_parameter).
_BOOLEAN = {"type": "string", "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|"
            "[Nn][Oo]|1|0)?$"}
_REGIONS = sorted(sagemaker_regions())
_ONE_REGION = "(" + "|".join(_REGIONS) + ")"
# lineage.request: EXECUTION_ID or EXECUTION_ARN (which must name this pipeline and region).
_EXECUTION = (
    "^([a-z0-9]{1,256}|arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]+:[0-9]{12}:"
    "pipeline/[a-zA-Z0-9\\-]{1,256}/execution/[a-z0-9]{1,256})?$"
)

# compare's a and b: the same, never empty.
_REQUIRED_EXECUTION = _EXECUTION.replace(")?$", ")$")

# lineage.estate_request.S3_URI
_S3_URI = f"^(s3://{BUCKET_NAME_PATTERN}(/[^\\s]{{0,1024}})?)?$"

_PARAMETERS: dict[str, JsonDict] = {
    "account": {
        "name": "account",
        "in": "query",
        "description": "Only this account: the server's own or one of LINEAGE_ACCOUNT_ROLES'.",
        "schema": {"type": "string", "pattern": "^([0-9]{12})?$"},
    },
    "depth": {
        "name": "depth",
        "in": "query",
        "description": "Documents of the last N executions of each pipeline (default 1).",
        "schema": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_DEPTH},
                             {"const": ""}], "default": 1},
    },
    "uri": {
        "name": "uri",
        "in": "query",
        "description": "An S3 location, s3://bucket[/prefix] (or give bucket).",
        "schema": {"type": "string", "maxLength": MAX_PARAMETER_LENGTH, "pattern": _S3_URI},
    },
    "bucket": {
        "name": "bucket",
        "in": "query",
        "description": "An S3 bucket name (or give uri).",
        "schema": {"type": "string", "pattern": f"^({BUCKET_NAME_PATTERN})?$"},
    },
    "endpoint": {
        "name": "endpoint",
        "in": "query",
        "description": "An endpoint name or ARN (exactly one of endpoint, model, modelPackage).",
        "schema": {"type": "string", "maxLength": MAX_PARAMETER_LENGTH},
    },
    "model": {
        "name": "model",
        "in": "query",
        "description": "A model name or ARN.",
        "schema": {"type": "string", "maxLength": MAX_PARAMETER_LENGTH},
    },
    "modelPackage": {
        "name": "modelPackage",
        "in": "query",
        "description": "A model package ARN.",
        "schema": {"type": "string", "maxLength": MAX_PARAMETER_LENGTH},
    },
    "pipeline": {
        "name": "pipeline",
        "in": "query",
        "required": True,
        "description": "SageMaker pipeline name.",
        "schema": {"type": "string", "pattern": "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$"},
    },
    "findingsPipeline": {
        "name": "pipeline",
        "in": "query",
        "description": "A SageMaker pipeline: the findings of its lineage document (region is "
        "then one region, and account and depth are refused); without it, of the estate.",
        "schema": {"type": "string", "pattern": "^([a-zA-Z0-9](-*[a-zA-Z0-9]){0,255})?$"},
    },
    "findingsExecution": {
        "name": "execution",
        "in": "query",
        "description": "With pipeline: an execution ARN or id of it instead of the latest one.",
        "schema": {"type": "string", "maxLength": MAX_PARAMETER_LENGTH, "pattern": _EXECUTION},
    },
    "severity": {
        "name": "severity",
        "in": "query",
        "description": "Only findings of this severity or above.",
        "schema": {"type": "string", "enum": ["", *SEVERITIES]},
    },
    "format": {
        "name": "format",
        "in": "query",
        "description": "json or csv; without it, CSV when the client accepts text/csv before "
        "JSON.",
        "schema": {"type": "string", "enum": ["", *FORMATS]},
    },
    "region": {
        "name": "region",
        "in": "query",
        "description": "A region where SageMaker exists; default DEFAULT_REGION, else "
        "ap-northeast-2.",
        "schema": {"type": "string", "enum": ["", *_REGIONS], "examples": ["ap-northeast-2"]},
    },
    "regions": {
        "name": "region",
        "in": "query",
        "description": "A region, a comma-separated list of regions, or `all` (the regions "
        "of /regions); default DEFAULT_REGION, else ap-northeast-2. Regions are read "
        "concurrently; one that fails becomes a warning (an error only when all fail).",
        "schema": {"type": "string", "pattern": f"^(all|{_ONE_REGION}(,{_ONE_REGION})*)?$",
                   "examples": ["ap-northeast-2,us-east-1", "all"]},
    },
    "includeLatestExec": {
        "name": "includeLatestExec",
        "in": "query",
        "description": "true/false/1/0/yes/no, any case; default true.",
        "schema": {**_BOOLEAN, "default": "true"},
    },
    "domain": {
        "name": "domain",
        "in": "query",
        "description": "SageMaker Studio domain name: only a pipeline tagged DomainName=<domain> "
        "(or DomainId / sagemaker:domain-arn of a domain of that name).",
        "schema": {"type": "string", "pattern": "^([a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})?$"},
    },
    "view": {
        "name": "view",
        "in": "query",
        "description": "The sibling API's views (BOB-DSPM/DSPM_DATA-Lineage-Tracking): "
        "pipeline adds graphPipeline (the graph), data adds graphData (steps and the S3 "
        "locations they read and write), both adds both; each also adds run.jobName and, "
        "with a domain filter, domain. Absent: the contract's document unchanged.",
        "schema": {"type": "string", "enum": ["", *VIEWS]},
    },
    "lineageFormat": {
        "name": "format",
        "in": "query",
        "description": "contract (default): the document; openlineage: the execution as a "
        "JSON array of OpenLineage RunEvents (docs/OPENLINEAGE.md; as sagemaker-lineage dump "
        "--format openlineage), which implies includeLatestExec=true and takes no view (400).",
        "schema": {"type": "string", "enum": ["", *LINEAGE_FORMATS], "default": "contract"},
    },
    "includeFeaturestore": {
        "name": "include_featurestore",
        "in": "query",
        "description": "true (default, the sibling's): the region's Feature Store feature "
        "groups whose offline store lies at or under (or over) a dataset of the document.",
        "schema": {**_BOOLEAN, "default": "true"},
    },
    "includeSql": {
        "name": "include_sql",
        "in": "query",
        "description": "The sibling's SQL lineage: accepted (a boolean) and not read here; "
        "the answer has no SQL tables either way.",
        "schema": {**_BOOLEAN, "default": "true"},
    },
    "scanIfMissing": {
        "name": "scan_if_missing",
        "in": "query",
        "description": "The sibling scans a dataset with no stored schema; here every schema "
        "is read from the data itself with the document (ENABLE_SCHEMA=true, by ETag), so "
        "there is nothing stored to miss: accepted (a boolean), no effect.",
        "schema": {**_BOOLEAN, "default": "false"},
    },
    "domainView": {
        "name": "view",
        "in": "query",
        "description": "Each document's views, as /lineage's view (default both).",
        "schema": {"type": "string", "enum": ["", *VIEWS], "default": "both"},
    },
    "requiredDomain": {
        "name": "domain",
        "in": "query",
        "required": True,
        "description": "A SageMaker Studio domain name: its pipelines are those /pipelines' "
        "domain filter keeps.",
        "schema": {"type": "string", "pattern": "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"},
    },
    "siblingRegions": {
        "name": "regions",
        "in": "query",
        "description": "A comma-separated list of regions; absent: every region of /regions.",
        "schema": {"type": "string", "pattern": f"^({_ONE_REGION}(,{_ONE_REGION})*)?$",
                   "examples": ["ap-northeast-2,us-east-1"]},
    },
    "siblingIncludeLatestExec": {
        "name": "includeLatestExec",
        "in": "query",
        "description": "true: each pipeline's latestExecution; default false (the sibling's).",
        "schema": {**_BOOLEAN, "default": "false"},
    },
    "nameFilter": {
        "name": "name",
        "in": "query",
        "description": "Only pipelines whose name holds this, any case.",
        "schema": {"type": "string", "pattern": "^[a-zA-Z0-9-]{0,256}$"},
    },
    "domainNameFilter": {
        "name": "domainName",
        "in": "query",
        "description": "Only pipelines whose matched domain is named this, or tagged "
        "DomainName=this (any case).",
        "schema": {"type": "string", "pattern": "^([a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})?$"},
    },
    "domainIdFilter": {
        "name": "domainId",
        "in": "query",
        "description": "Only pipelines whose matched domain has this id, or tagged "
        "DomainId=this.",
        "schema": {"type": "string", "pattern": f"^({DOMAIN_ID.pattern})?$"},
    },
    "execution": {
        "name": "execution",
        "in": "query",
        "description": "An execution ARN or id of this pipeline instead of the latest one.",
        "schema": {"type": "string", "maxLength": MAX_PARAMETER_LENGTH, "pattern": _EXECUTION},
    },
    "compareA": {
        "name": "a",
        "in": "query",
        "required": True,
        "description": "The base execution: an execution ARN or id of this pipeline.",
        "schema": {"type": "string", "maxLength": MAX_PARAMETER_LENGTH,
                   "pattern": _REQUIRED_EXECUTION},
    },
    "compareB": {
        "name": "b",
        "in": "query",
        "required": True,
        "description": "The execution compared with a (another one: a and b the same is a "
        "400).",
        "schema": {"type": "string", "maxLength": MAX_PARAMETER_LENGTH,
                   "pattern": _REQUIRED_EXECUTION},
    },
    "last": {
        "name": "last",
        "in": "query",
        "description": "How many of the newest executions to line up.",
        "schema": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_RUNS},
                             {"const": ""}],
                   "default": DEFAULT_RUNS},
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "description": "How many executions a page holds (at most; a filtered page may hold "
        "fewer).",
        "schema": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_EXECUTIONS},
                             {"const": ""}],
                   "default": DEFAULT_EXECUTIONS},
    },
    "executionParameters": {
        "name": "parameters",
        "in": "query",
        "description": "true: each execution's parameter values (parameters: name -> value), "
        "one ListPipelineParametersForExecution per execution; default false.",
        "schema": {**_BOOLEAN, "default": "false"},
    },
    "executionStatus": {
        "name": "status",
        "in": "query",
        "description": "Only executions of this status. A filtered page may hold fewer than "
        "limit executions (even none) and a nextToken: it reads at most 5 pages of 100 of "
        "the listing, within the request deadline, then says where to read on.",
        "schema": {"type": "string", "enum": ["", *EXECUTION_STATUSES]},
    },
    "pageToken": {
        "name": "token",
        "in": "query",
        "description": "nextToken of an answer to the same listing (pipeline, region, "
        "status and param. filters; limit and parameters may change): the page after it. "
        "Anything else is a 400, as is a token AWS no longer takes.",
        "schema": {"type": "string", "pattern": f"^({PAGE_TOKEN.pattern})?$"},
    },
    "refresh": {
        "name": "refresh",
        "in": "query",
        "description": "true: bypass the cache, read AWS and store the new answer.",
        "schema": {**_BOOLEAN, "default": "false"},
    },
}

_HEADERS: dict[str, JsonDict] = {
    "X-Request-Id": {
        "description": "This request's id, always the server's own; the server log has one "
        "line per request under it. A client's own strict X-Request-Id comes back beside it "
        "in X-Client-Request-Id.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    },
    "X-Client-Request-Id": {
        "description": "The client's own X-Request-Id, when it sent a strict one (8-64 "
        "letters, digits and dashes); logged as clientRequestId beside ours.",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{8,64}$"},
    },
    "WWW-Authenticate": {
        "description": "Bearer, when API keys are accepted.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "no-store: answers hold an account's ARNs and bucket settings.",
        "required": True,
        "schema": {"const": "no-store"},
    },
    "X-Cache": {
        "description": "hit, miss, shared (another request's fetch) or refresh.",
        "required": True,
        "schema": {"enum": ["hit", "miss", "shared", "refresh"]},
    },
    "X-Refresh-After": {
        "description": "refresh=true asked sooner than LINEAGE_REFRESH_COOLDOWN_SEC after the "
        "last refresh of this answer: the cached answer is served, and this says in how many "
        "seconds the next refresh may go.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "Content-Disposition": {
        "description": "With CSV only: attachment, named findings-<pipeline>.csv or "
        "findings-estate.csv.",
        "schema": {"type": "string", "pattern": '^attachment; filename="findings-[A-Za-z0-9-]+'
                   '\\.csv"$'},
    },
    "Retry-After": {
        "description": "Seconds to wait: AWS throttled the request, or the client passed "
        "one of its limits (LINEAGE_RATE_LIMIT, LINEAGE_FETCH_LIMIT, ...).",
        "schema": {"type": "integer"},
    },
}


def _json(schema: JsonDict, description: str, *headers: str) -> JsonDict:
    return {
        "description": description,
        "headers": {name: {"$ref": f"#/components/headers/{name}"}
                    for name in ("X-Request-Id", "Cache-Control", *headers)},
        "content": {"application/json": {"schema": schema}},
    }


def _findings_answer() -> JsonDict:
    answer = _json(_ref("FindingsReport"), "The report: groups by source, most severe first; "
                   "reaches sorted by path length, then id. With format=csv (or Accept: "
                   "text/csv): one row per finding and node it reaches (the source itself "
                   "first), as an attachment; a cell a spreadsheet would take for a formula "
                   "starts with an apostrophe.", "X-Cache", "X-Refresh-After")
    answer["headers"]["Content-Disposition"] = {"$ref": "#/components/headers/Content-Disposition"}
    answer["content"]["text/csv"] = {"schema": {
        "type": "string",
        "description": f"A header row, then the rows: {', '.join(CSV_COLUMNS)}.",
    }}
    return answer


def _findings_report_schema() -> JsonDict:
    finding: JsonDict = {
        "type": "object",
        "required": ["id", "rule", "severity", "kind", "bucket", "setting", "title", "detail",
                     "remedy"],
        "properties": {
            "id": {"type": "string"}, "rule": {"type": "string"},
            "severity": {"enum": list(SEVERITIES)},
            "kind": {"enum": ["violation", "unverified"]},
            "bucket": {"type": "string"}, "setting": {"type": "string"},
            "title": {"type": "string"}, "detail": {"type": "string"},
            "remedy": {"type": "string"}, "prefix": {"type": "string"},
            "exemptBecause": {"type": "string"},
        },
    }
    node: JsonDict = {"type": "object", "required": ["id", "kind", "label"],
            "properties": {"id": {"type": "string"}, "kind": {"type": "string"},
                           "label": {"type": "string"}}}
    return {
        "type": "object",
        "required": ["scope", "minSeverity", "summary", "groups", "warnings", "generatedAt"],
        "properties": {
            "scope": {"type": "object", "description": "What was asked: regions, and "
                      "pipeline, execution, domain, or account, domain, depth"},
            "minSeverity": {"oneOf": [{"type": "null"}, {"enum": list(SEVERITIES)}]},
            "summary": {
                "type": "object",
                "required": ["findings", "exempted", "sources", "buckets", "reached",
                             "bySeverity"],
                "properties": {
                    **{name: {"type": "integer", "minimum": 0}
                       for name in ("findings", "exempted", "sources", "buckets", "reached")},
                    "bySeverity": {"type": "object", "additionalProperties": {
                        "type": "integer", "minimum": 0}},
                },
            },
            "groups": {"type": "array", "items": {
                "type": "object",
                "required": ["source", "severity", "findings", "exempted", "reaches"],
                "properties": {
                    "source": {**node, "required": ["id", "kind", "label", "bucket", "uri"],
                               "properties": {**node["properties"],
                                              "kind": {"enum": ["artifact", "dataset"]},
                                              "bucket": {"type": "string"},
                                              "uri": {"type": "string"}}},
                    "severity": {"oneOf": [{"type": "null"}, {"enum": list(SEVERITIES)}],
                                 "description": "the highest of its findings; null: only "
                                 "exempted ones"},
                    "findings": {"type": "array", "items": finding},
                    "exempted": {"type": "array", "items": {
                        **finding, "required": [*finding["required"], "exemptBecause"]}},
                    "reaches": {"type": "array", "items": {
                        **node, "required": ["id", "kind", "label", "path"],
                        "properties": {**node["properties"], "path": {
                            "type": "array", "items": {"type": "string"}, "minItems": 2}}}},
                },
            }},
            "warnings": {"type": "array", "items": _ref("Warning")},
            "generatedAt": {"type": ["string", "null"], "format": "date-time"},
        },
    }


def _errors(*, not_found: bool = True) -> dict[str, JsonDict]:
    responses = {
        "400": _json(_ref("Message"), "A parameter is invalid; the message names it."),
        "502": _json(_ref("AwsFailure"), "AWS refused or failed a call the answer needs."),
        "503": _json(_ref("AwsFailure"), "AWS throttled (Retry-After), could not be reached, "
                     "or no credentials were found.", "Retry-After"),
        "500": _json(_ref("InternalError"), "Anything unexpected; the log has the trace "
                     "under requestId."),
    }
    if not_found:
        responses["404"] = _json(_ref("Message"), "Unknown pipeline (or execution), or the "
                                 "domain filter excludes it.")
    responses["429"] = _json(_ref("Message"), "The client passed one of its limits "
                             "(dashboard.server.limits: requests, reads from AWS, requests "
                             "at once).", "Retry-After")
    return responses


def _params(*names: str) -> list[JsonDict]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


_IGNORED = ("Parameters of the sibling API that mean nothing here are accepted and ignored: "
            + ", ".join(IGNORED_SIBLING_PARAMETERS) + ".")


def _sibling_schemas() -> dict[str, JsonDict]:
    """The sibling API's answers (``lineage.sibling``): /lineage with its views, and its
    companions. ``LineageAnswer`` is the document's schema with the views' keys, and
    ``run.jobName`` allowed in its graph."""
    lineage = _lineage_schemas()
    run = copy.deepcopy(lineage[f"{LINEAGE_DEFS_PREFIX}run"])
    run["properties"]["jobName"] = {"type": "string",
                                    "description": "the job's name (its ARN's last part)"}
    node = copy.deepcopy(lineage[f"{LINEAGE_DEFS_PREFIX}node"])
    node["properties"]["run"] = _ref("SiblingRun")
    answer = copy.deepcopy(lineage["LineageDocument"])
    graph = answer["properties"]["graph"]
    graph["properties"]["nodes"]["items"] = _ref("SiblingNode")
    answer["properties"]["graph"] = _ref("SiblingGraph")
    answer["properties"]["graphPipeline"] = _ref("SiblingGraph")
    answer["properties"]["graphData"] = _ref("GraphData")
    answer["properties"]["domain"] = _ref("MatchedDomain")
    text = {"type": "string"}
    data_node: JsonDict = {
        "type": "object", "required": ["id", "type", "label", "uri", "meta"],
        "properties": {
            "id": {"type": "string", "pattern": "^data:"}, "type": {"const": "dataArtifact"},
            "label": text, "uri": text,
            "meta": {"type": "object", "required": ["bucket", "key"], "properties": {
                "bucket": _TEXT, "key": _TEXT,
                "s3": {"type": "object", "required": ["bucket", "region"],
                       "description": "the artifact's s3 settings, with its bucket"}}},
        },
    }
    process_node: JsonDict = {
        "type": "object", "required": ["id", "type", "label", "stepId", "stepType"],
        "properties": {
            "id": {"type": "string", "pattern": "^process:"}, "type": {"const": "processNode"},
            "label": text, "stepId": text, "stepType": text,
            "run": {"oneOf": [{"type": "null"}, _ref("SiblingRun")]},
            "registry": {"type": ["object", "null"]},
        },
    }
    listed: JsonDict = {
        "type": "object", "required": ["name", "arn", "lastModifiedTime", "tags",
                                       "matchedDomain"],
        "properties": {
            "name": text, "arn": _TEXT, "lastModifiedTime": _TIME,
            "tags": {"oneOf": [{"type": "null"}, {"type": "object",
                                                  "additionalProperties": {"type": "string"}}]},
            "matchedDomain": {"oneOf": [{"type": "null"}, _ref("MatchedDomain")]},
            "latestExecution": {"oneOf": [{"type": "null"}, _ref("Execution")],
                                "description": "with includeLatestExec=true only"},
        },
    }
    links = {"type": "array", "items": {"type": "string", "pattern": "^data:"},
             "description": "the ids of graphData's data nodes it lies at or under"}
    return {
        "SchemaLayer": {
            "type": "object",
            "required": ["tables", "columns", "featureGroups", "features", "warnings"],
            "properties": {
                "tables": {"type": "array", "items": {
                    "type": "object", "required": ["id", "name", "version", "links"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^table:"}, "name": text,
                        "version": {"type": "string", "description": "a fingerprint of the "
                                    "columns: it changes exactly when they do"},
                        "links": links}}},
                "columns": {"type": "array", "items": {
                    "type": "object", "required": ["id", "name", "tableId", "type", "links"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^column:"}, "name": text,
                        "tableId": {"type": "string", "pattern": "^table:"}, "type": text,
                        "links": links}}},
                "featureGroups": {"type": "array", "items": {
                    "type": "object",
                    "required": ["id", "name", "version", "links", "offlineStoreUri"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^featureGroup:"}, "name": text,
                        "version": _TEXT, "links": links, "offlineStoreUri": _TEXT}}},
                "features": {"type": "array", "items": {
                    "type": "object", "required": ["id", "name", "groupId", "type", "links"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^feature:"}, "name": text,
                        "groupId": {"type": "string", "pattern": "^featureGroup:"},
                        "type": text, "links": links}}},
                "warnings": {"type": "array", "items": _ref("Warning")},
            },
        },
        "OpenLineageRunEvents": {
            "type": "array",
            "description": "OpenLineage RunEvents in time order (the published schema: "
            "https://openlineage.io/spec/2-0-2/OpenLineage.json); [] without an execution.",
            "items": {
                "type": "object",
                "required": ["eventType", "eventTime", "run", "job", "producer", "schemaURL"],
                "properties": {
                    "eventType": {"enum": ["START", "COMPLETE", "FAIL", "ABORT"]},
                    "eventTime": {"type": "string", "format": "date-time"},
                    "run": {"type": "object", "required": ["runId"],
                            "properties": {"runId": {"type": "string", "format": "uuid"},
                                           "facets": {"type": "object"}}},
                    "job": {"type": "object", "required": ["namespace", "name"],
                            "properties": {"namespace": text, "name": text,
                                           "facets": {"type": "object"}}},
                    "inputs": {"type": "array", "items": _ref("OpenLineageDataset")},
                    "outputs": {"type": "array", "items": _ref("OpenLineageDataset")},
                    "producer": {"type": "string", "format": "uri"},
                    "schemaURL": {"type": "string", "format": "uri"},
                },
            },
        },
        "OpenLineageDataset": {
            "type": "object", "required": ["namespace", "name"],
            "properties": {"namespace": {"type": "string", "pattern": "^s3://"}, "name": text,
                           "facets": {"type": "object"}},
        },
        "SiblingRun": run,
        "SiblingNode": node,
        "SiblingGraph": graph,
        "LineageAnswer": answer,
        "MatchedDomain": {
            "type": "object", "required": ["domainId", "domainName"],
            "properties": {"domainId": _TEXT, "domainName": text},
        },
        "GraphData": {
            "type": "object", "required": ["nodes", "edges"],
            "properties": {
                "nodes": {"type": "array", "items": {"oneOf": [data_node, process_node]}},
                "edges": {"type": "array", "items": {
                    "type": "object", "required": ["id", "source", "target", "kind"],
                    "properties": {"id": text, "source": text, "target": text,
                                   "kind": {"enum": ["read", "write"]}}}},
            },
        },
        "SiblingPipelines": {
            "type": "object", "required": ["regions"],
            "properties": {"regions": {"type": "array", "items": {
                "type": "object", "required": ["region", "pipelines"],
                "properties": {"region": text, "pipelines": {"type": "array", "items": listed},
                               "error": {"type": "string", "description": "why the region "
                                         "could not be listed"}}}}},
        },
        "DomainLineage": {
            "type": "object", "required": ["region", "domain", "count", "results"],
            "properties": {
                "region": text, "domain": text, "count": {"type": "integer", "minimum": 1},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["pipeline", "ok"],
                    "properties": {"pipeline": text, "ok": {"type": "boolean"},
                                   "data": _ref("LineageAnswer"), "error": text,
                                   "code": text}}},
            },
        },
    }


@cache
def _document() -> JsonDict:
    schemas: dict[str, JsonDict] = {
        "Message": {
            "type": "object",
            "required": ["message"],
            "additionalProperties": False,
            "properties": {"message": {"type": "string"}},
        },
        "AwsFailure": {
            "type": "object",
            "required": ["message", "code", "requestId"],
            "additionalProperties": False,
            "properties": {
                "message": {"type": "string"},
                "code": {"type": "string", "examples": ["AccessDenied", "Throttling"]},
                "requestId": {"type": "string"},
            },
        },
        "InternalError": {
            "type": "object",
            "required": ["message", "requestId"],
            "additionalProperties": False,
            "properties": {"message": {"const": "internal error"},
                           "requestId": {"type": "string"}},
        },
        "Warning": {
            "type": "object",
            "required": ["code", "message", "target"],
            "additionalProperties": False,
            "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                           "target": _TEXT},
        },
        "Execution": {
            "type": "object",
            "required": ["arn", "id", "displayName", "status", "startTime", "endTime",
                         "elapsedSec", "failureReason"],
            "additionalProperties": False,
            "properties": {
                "arn": {"type": "string"},
                "id": {"type": "string"},
                "displayName": _TEXT,
                "status": {"type": "string",
                           "examples": ["Executing", "Stopping", "Stopped", "Failed",
                                        "Succeeded"]},
                "startTime": _TIME,
                "endTime": {**_TIME, "description": "null while it runs, and in a "
                            "pipeline's latestExecution (the listing does not say)"},
                "elapsedSec": {"type": ["integer", "null"], "minimum": 0},
                "failureReason": _TEXT,
                "parameters": {"type": "object", "additionalProperties": {"type": "string"},
                               "description": "its parameter values: in /executions with "
                               "parameters=true or a param. filter (absent when they could "
                               "not be read: see warnings)"},
            },
        },
        "Pipeline": {
            "type": "object",
            "required": ["name", "arn", "lastModifiedTime", "displayName", "description",
                         "region", "lastRunTime", "tags", "createdTime", "latestExecution"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "arn": _TEXT,
                "lastModifiedTime": _TIME,
                "displayName": _TEXT,
                "description": _TEXT,
                "region": _TEXT,
                "lastRunTime": _TIME,
                "tags": {"description": "null when they could not be read (see warnings)",
                         "oneOf": [{"type": "null"}, {"type": "object",
                                   "additionalProperties": {"type": "string"}}]},
                "createdTime": _TIME,
                "latestExecution": {"oneOf": [{"type": "null"}, _ref("Execution")]},
            },
        },
        "PipelineList": {
            "type": "object",
            "required": ["regions", "pipelines", "warnings", "generatedAt"],
            "additionalProperties": False,
            "properties": {
                "regions": {"type": "array", "items": {"type": "string"}},
                "pipelines": {"type": "array", "items": _ref("Pipeline")},
                "warnings": {"type": "array", "items": _ref("Warning")},
                "generatedAt": {"type": "string", "format": "date-time"},
            },
        },
        "ExecutionList": {
            "type": "object",
            "required": ["pipeline", "region", "executions", "warnings", "generatedAt"],
            "additionalProperties": False,
            "properties": {
                "pipeline": {"type": "string"},
                "region": {"type": "string"},
                "executions": {"type": "array", "items": _ref("Execution")},
                "warnings": {"type": "array", "items": _ref("Warning")},
                "generatedAt": {"type": "string", "format": "date-time"},
                "nextToken": {"type": "string", "pattern": f"^{PAGE_TOKEN.pattern}$",
                              "description": "present when more executions remain: pass "
                              "it as token for the next page"},
            },
        },
        "EstateNode": {
            "type": "object",
            "required": ["id", "kind", "label", "region", "account", "attributes"],
            "properties": {
                "id": {"type": "string"},
                "kind": {"enum": ["pipeline", "dataset", "model-package-group",
                                  "model-package", "model", "endpoint-config", "endpoint"]},
                "label": {"type": "string"},
                "region": _TEXT,
                "account": _TEXT,
                "attributes": {"type": "object"},
            },
        },
        "Estate": {
            "type": "object",
            "required": ["nodes", "edges", "warnings", "generatedAt"],
            "properties": {
                "nodes": {"type": "array", "items": _ref("EstateNode")},
                "edges": {"type": "array", "items": {
                    "type": "object", "required": ["from", "to", "kind", "steps"],
                    "properties": {"from": {"type": "string"}, "to": {"type": "string"},
                                   "kind": {"type": "string"},
                                   "steps": {"type": "array", "items": {"type": "string"}}}}},
                "warnings": {"type": "array", "items": _ref("Warning")},
                "generatedAt": {"type": "string", "format": "date-time"},
                "progress": {"oneOf": [{"type": "null"}, {
                    "type": "object", "required": ["pipelinesRead", "pipelinesTotal"],
                    "properties": {"pipelinesRead": {"type": "integer"},
                                   "pipelinesTotal": {"type": "integer"}}}]},
            },
        },
        "EstateQuery": {
            "type": "object",
            "required": ["starts", "reached", "byKind"],
            "properties": {
                "starts": {"type": "array", "items": {"type": "string"}},
                "reached": {"type": "array", "items": {"type": "object",
                            "required": ["id", "kind", "path"]}},
                "byKind": {"type": "object", "description": "kind -> the ids of reached of "
                           "that kind", "additionalProperties": {
                               "type": "array", "items": {"type": "string"}}},
                "rawDatasets": {"type": "array", "items": {"type": "object"}},
            },
        },
        "FindingsReport": _findings_report_schema(),
        "Comparison": comparison_schema(_ref("Warning")),
        "Timeline": timeline_schema(),
        "Trends": trends_schema(_ref("Warning")),
        "Regions": {
            "type": "object",
            "required": ["regions", "default"],
            "additionalProperties": False,
            "properties": {"regions": {"type": "array", "items": {"type": "string"}},
                           "default": {"type": "string"}},
        },
        "Health": {
            "type": "object",
            "required": ["status", "sandbox"],
            "additionalProperties": False,
            "properties": {"status": {"const": "ok"}, "sandbox": {"type": "boolean"}},
        },
        "Readiness": {
            "type": "object",
            "required": ["status", "checks"],
            "additionalProperties": False,
            "properties": {
                "status": {"enum": ["ready", "starting"]},
                "checks": {"type": "object", "additionalProperties": {"type": "string"},
                           "examples": [{"aws": "warmed", "cache": "ok"}]},
            },
        },
        **_lineage_schemas(),
        **_sibling_schemas(),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SageMaker Lineage API",
            "version": VERSION,
            "description": "Lineage of AWS SageMaker Pipelines. GET only (any other method: "
            "405 with Allow); no cross-origin reads unless CORS_ORIGINS lists origins (or is "
            "*), never with credentials. Answers are cached: a finished execution for an hour, "
            "a running one for seconds. Every answer is JSON, errors included, and carries "
            "X-Request-Id.",
        },
        "paths": {
            "/lineage": {"get": {
                "operationId": "getLineage",
                "summary": "The lineage document of a pipeline (docs/CONTRACT.md)",
                "description": _IGNORED,
                "parameters": _params("pipeline", "region", "includeLatestExec", "domain",
                                      "execution", "view", "lineageFormat", "refresh"),
                "responses": {
                    "200": _json({"oneOf": [_ref("LineageAnswer"),
                                            _ref("OpenLineageRunEvents")]},
                                 "The lineage document (LineageDocument; with view, the "
                                 "sibling API's keys too); what could not be read is Unknown "
                                 "and listed in warnings. With format=openlineage: its "
                                 "execution's RunEvents.", "X-Cache", "X-Refresh-After"),
                    **_errors(),
                },
            }},
            "/lineage/by-domain": {"get": {
                "operationId": "getLineageByDomain",
                "summary": "The lineage of every pipeline of a Studio domain in a region (the "
                "sibling API's)",
                "description": "One result per pipeline, by name: ok and its document (with "
                "view's keys), or ok false with our message and the error's kind. "
                + _IGNORED,
                "parameters": _params("requiredDomain", "region", "includeLatestExec",
                                      "domainView", "refresh"),
                "responses": {
                    "200": _json(_ref("DomainLineage"), "The domain's pipelines and their "
                                 "documents.", "X-Cache", "X-Refresh-After"),
                    **_errors(),
                },
            }},
            **{path: {"get": {
                "operationId": operation,
                "summary": "The schema layer of a pipeline's datasets: tables, columns and "
                "linked Feature Store feature groups (the sibling API's; /schema and "
                "/lineage/schema are one answer)",
                "description": "The latest execution's datasets with a schema (read with the "
                "document when ENABLE_SCHEMA=true; off, the answer is still a 200, with no "
                "tables and a SCHEMA_DISABLED warning), each a table whose columns follow; "
                "links are graphData's data node ids. A failed read (a dataset, the Feature "
                "Store) is a warning. include_sql is accepted and answered empty: SQL lineage "
                "is not read here. Cached as the document. " + _IGNORED,
                "parameters": _params("pipeline", "region", "includeFeaturestore",
                                      "includeSql", "scanIfMissing", "refresh"),
                "responses": {
                    "200": _json(_ref("SchemaLayer"), "The tables (by id), their columns "
                                 "(by table, in the dataset's order), feature groups and "
                                 "features (by id), and warnings.", "X-Cache",
                                 "X-Refresh-After"),
                    **_errors(),
                },
            }} for path, operation in (("/schema", "getSchema"),
                                       ("/lineage/schema", "getLineageSchema"))},
            "/sagemaker/pipelines": {"get": {
                "operationId": "listSiblingPipelines",
                "summary": "Pipelines by region with their matched Studio domain (the sibling "
                "API's listing)",
                "description": "/pipelines' list, grouped by region; matchedDomain is the "
                "domain the tags link a pipeline to (DomainId, DomainName or "
                "sagemaker:domain-arn of a listed domain). " + _IGNORED,
                "parameters": _params("siblingRegions", "siblingIncludeLatestExec",
                                      "nameFilter", "domainNameFilter", "domainIdFilter",
                                      "refresh"),
                "responses": {
                    "200": _json(_ref("SiblingPipelines"), "The pipelines, by region in the "
                                 "order asked, sorted by name.", "X-Cache", "X-Refresh-After"),
                    **_errors(not_found=False),
                },
            }},
            "/pipelines": {"get": {
                "operationId": "listPipelines",
                "summary": "Pipelines of one or more regions, with tags and latest execution",
                "parameters": _params("regions", "domain", "refresh"),
                "responses": {
                    "200": _json(_ref("PipelineList"), "The pipelines, sorted by region and "
                                 "name.", "X-Cache", "X-Refresh-After"),
                    **_errors(not_found=False),
                },
            }},
            "/executions": {"get": {
                "operationId": "listExecutions",
                "summary": "Executions of a pipeline, newest first, a page at a time",
                "description": "Pages follow ListPipelineExecutions' own (nextToken, then "
                "token=). Besides the parameters below, param.NAME=VALUE (up to "
                f"{MAX_PARAMETER_FILTERS}; NAME a pipeline parameter's name, 1-256 letters, "
                f"digits, - or _; VALUE at most {MAX_PARAMETER_VALUE} characters) keeps the "
                "executions whose parameter NAME has exactly that value, and reads every "
                "execution's parameters (as parameters=true). An empty value is no filter.",
                "parameters": _params("pipeline", "region", "limit", "executionParameters",
                                      "executionStatus", "pageToken", "refresh"),
                "responses": {
                    "200": _json(_ref("ExecutionList"), "A page of executions; nextToken when "
                                 "more remain.", "X-Cache", "X-Refresh-After"),
                    **_errors(),
                },
            }},
            "/estate": {"get": {
                "operationId": "getEstate",
                "summary": "The estate graph: pipelines, datasets, model packages, models and "
                "endpoints of the regions (and accounts) asked for",
                "parameters": _params("regions", "account", "domain", "depth", "refresh"),
                "responses": {
                    "200": _json(_ref("Estate"), "The estate; what could not be read is a "
                                 "warning. progress is set while a first build is under way (the "
                                 "estate as read so far: ask again) or when the deadline cut "
                                 "it short.",
                                 "X-Cache", "X-Refresh-After"),
                    **_errors(not_found=False),
                },
            }},
            "/impact": {"get": {
                "operationId": "getImpact",
                "summary": "Everything downstream of an S3 location or bucket, with paths",
                "parameters": _params("uri", "bucket", "regions", "account", "domain",
                                      "depth"),
                "responses": {
                    "200": _json(_ref("EstateQuery"), "What is reached (nothing: no "
                                 "matches)."),
                    **_errors(not_found=False),
                },
            }},
            "/provenance": {"get": {
                "operationId": "getProvenance",
                "summary": "Everything upstream of an endpoint, model or model package, down "
                "to the raw datasets with their bucket settings",
                "parameters": _params("endpoint", "model", "modelPackage", "regions",
                                      "account", "domain", "depth"),
                "responses": {
                    "200": _json(_ref("EstateQuery"), "What is upstream; rawDatasets: the "
                                 "datasets nothing in the estate writes."),
                    **_errors(),
                },
            }},
            "/findings": {"get": {
                "operationId": "getFindings",
                "summary": "Security findings of a pipeline's buckets or of the estate's "
                "datasets, grouped by source, each with everything downstream it reaches",
                "parameters": _params("findingsPipeline", "regions", "findingsExecution",
                                      "domain", "account", "depth", "severity", "format",
                                      "refresh"),
                "responses": {
                    "200": _findings_answer(),
                    **_errors(),
                },
            }},
            "/compare": {"get": {
                "operationId": "compareExecutions",
                "summary": "Two executions of one pipeline side by side: definition changes, "
                "parameters, and per step status, duration, metrics, URIs, cache hits and "
                "failure reasons",
                "parameters": _params("pipeline", "region", "compareA", "compareB", "refresh"),
                "responses": {
                    "200": _json(_ref("Comparison"), "The comparison of b against a (the "
                                 "base); every step and edge of either run with its change "
                                 "class.", "X-Cache", "X-Refresh-After"),
                    **_errors(),
                },
            }},
            "/timeline": {"get": {
                "operationId": "getTimeline",
                "summary": "One execution's steps as a Gantt chart: rows, idle gaps and the "
                "critical path",
                "parameters": _params("pipeline", "region", "execution", "refresh"),
                "responses": {
                    "200": _json(_ref("Timeline"), "The timeline of the execution named "
                                 "(default: the latest); a running step's bar ends at asOf.",
                                 "X-Cache", "X-Refresh-After"),
                    **_errors(),
                },
            }},
            "/trends": {"get": {
                "operationId": "getTrends",
                "summary": "The newest executions of a pipeline lined up: status, durations "
                "and metrics per run, outliers flagged",
                "parameters": _params("pipeline", "region", "last", "refresh"),
                "responses": {
                    "200": _json(_ref("Trends"), "The trends, oldest run first; a run whose "
                                 "document could not be read is left out with a warning.",
                                 "X-Cache", "X-Refresh-After"),
                    **_errors(),
                },
            }},
            "/regions": {"get": {
                "operationId": "listRegions",
                "summary": "Regions to offer (LINEAGE_REGIONS, default every SageMaker "
                "region); no AWS call",
                "responses": {"200": _json(_ref("Regions"), "The regions.")},
            }},
            "/healthz": {"get": {
                "operationId": "health",
                "summary": "Liveness; no AWS call",
                "responses": {"200": _json(_ref("Health"), "The server is up.")},
            }},
            "/readyz": {"get": {
                "operationId": "readiness",
                "summary": "Readiness: whether this worker can serve yet; no AWS call",
                "responses": {
                    "200": _json(_ref("Readiness"), "Ready: AWS clients warmed, the cache "
                                 "tried."),
                    "503": _json(_ref("Readiness"), "Still starting; ask again after "
                                 "Retry-After.", "Retry-After"),
                },
            }},
            "/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {
                    "description": "OpenAPI 3.1",
                    "headers": {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}},
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }},
            }},
        },
        "components": {
            "schemas": schemas,
            "parameters": _PARAMETERS,
            "headers": _HEADERS,
        },
    }
