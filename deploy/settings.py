"""The CDK app's context values, checked before any construct is made (no aws_cdk here).

``cdk deploy LineageApiStack -c corsOrigins=https://app.example.com -c cacheEnabled=true``:
values come from ``-c key=value`` (always strings) or the ``context`` of ``cdk.json`` /
``cdk.context.json`` (JSON: numbers, booleans and lists as well). A value we cannot use is a
:class:`ContextError` whose one line names the key, the value and what is allowed; the app
prints it and exits non-zero. The README's "Deploy to AWS" table lists every key.

The seed's three Lambda variables keep their own names as aliases (``DEFAULT_REGION``,
``ENABLE_S3_META``, ``S3_TIMEOUT_MS``), and reach the function under those names.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import boto3

from lineage.aws import sagemaker_regions
from lineage.config import (
    ENV_DEFAULT_REGION,
    ENV_ENABLE_S3_META,
    ENV_POLICY_FILE,
    ENV_REQUEST_DEADLINE_MS,
    ENV_S3_TIMEOUT_MS,
    FALLBACK_REGION,
    Settings,
    parse_bool,
)
from lineage.errors import ConfigError
from lineage.estate_request import ACCOUNT_ID

REPO = Path(__file__).resolve().parent.parent
POLICY_FILE = REPO / "iam" / "lineage-readonly-policy.json"

API_STACK = "LineageApiStack"
DASHBOARD_STACK = "LineageDashboardStack"
# The seed's README: `aws logs tail /aws/lambda/LineageApiFn`.
DEFAULT_FUNCTION_NAME = "LineageApiFn"
STAGE = "prod"

# CloudWatch Logs' accepted retentions (PutRetentionPolicy, retentionInDays).
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
# API Gateway's cache cluster sizes, GB (CacheClusterSize).
# https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html
CACHE_SIZES_GB = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")
# A REST API's integration answers within 29 s (its default integration timeout).
MAX_TIMEOUT_SEC = 29
# What the function keeps for itself of its timeout: the request deadline ends before it.
DEADLINE_MARGIN_MS = 2_000
DEFAULT_DEADLINE_MS = Settings().request_deadline_ms
# App Runner's CPU (vCPU) -> memory (GB) pairs; each is valid on Fargate as well.
# https://docs.aws.amazon.com/apprunner/latest/api/API_InstanceConfiguration.html
CPU_MEMORY_GB: Mapping[str, tuple[str, ...]] = {
    "0.25": ("0.5", "1"),
    "0.5": ("1",),
    "1": ("2", "3", "4"),
    "2": ("4", "6"),
    "4": ("8", "10", "12"),
}
SERVICES = ("apprunner", "fargate")
ANY_ORIGIN = "*"

# Names Lambda keeps for itself (a function may not set them).
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
_RESERVED_ENV = re.compile(r"_HANDLER|_X_AMZN_TRACE_ID|AWS_.*|LAMBDA_TASK_ROOT|LAMBDA_RUNTIME_DIR")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
# S3 bucket names (general purpose buckets).
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_LIKE = re.compile(r"[0-9]+(\.[0-9]+){3}")
# Object key prefixes: printable, no wildcard (IAM would read * and ? as patterns).
_PREFIX = re.compile(r"[^\x00-\x1f\x7f*?]{1,1024}")
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NODE_TYPE = re.compile(r"cache\.[a-z0-9]+\.[a-z0-9]+")
_CERTIFICATE = re.compile(r"arn:aws:acm:(?P<region>[a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f-]{36}")
_ECR_IMAGE = re.compile(
    r"(?:[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com|public\.ecr\.aws)/[a-z0-9._/-]+"
    r"(?::[A-Za-z0-9._-]{1,128}|@sha256:[0-9a-f]{64})?"
)
_IMAGE = re.compile(r"[A-Za-z0-9._/:@-]{1,512}")


class ContextError(ValueError):
    """A context value the app cannot use; ``str()`` is the one line to print."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key = key
        given = " is not given" if value is None else f"={_show(value)}"
        super().__init__(f"context {key}{given}: {allowed}")


@dataclass(frozen=True)
class Target:
    """Where the stacks go: the account (``None``: whatever the credentials say at deploy
    time) and the region, a SageMaker region."""

    region: str
    account: str | None = None


@dataclass(frozen=True)
class BucketScope:
    """One entry of ``s3Buckets``: a bucket, or objects under a prefix of it."""

    bucket: str
    prefix: str = ""


@dataclass(frozen=True)
class ApiSettings:
    default_region: str
    enable_s3_meta: bool = True
    s3_timeout_ms: int = 5_000
    cors_origins: tuple[str, ...] = (ANY_ORIGIN,)
    throttle_rate_limit: float = 20.0
    throttle_burst_limit: int = 40
    cache_enabled: bool = False
    cache_size_gb: str = "0.5"
    cache_ttl_sec: int = 300
    s3_buckets: tuple[BucketScope, ...] = ()
    log_retention_days: int = 30
    function_name: str = DEFAULT_FUNCTION_NAME
    memory_mb: int = 1024
    timeout_sec: int = MAX_TIMEOUT_SEC
    lambda_package: Path | None = None
    environment: Mapping[str, str] = field(default_factory=dict)

    def function_environment(self) -> dict[str, str]:
        """The function's variables: the seed's three, CORS, the deadline, then the rest."""
        values = {
            ENV_DEFAULT_REGION: self.default_region,
            ENV_ENABLE_S3_META: "true" if self.enable_s3_meta else "false",
            ENV_S3_TIMEOUT_MS: str(self.s3_timeout_ms),
            "CORS_ORIGINS": ",".join(self.cors_origins),
            # A request answers with what it has before the function is stopped.
            ENV_REQUEST_DEADLINE_MS: str(
                min(DEFAULT_DEADLINE_MS, self.timeout_sec * 1000 - DEADLINE_MARGIN_MS)
            ),
        }
        return {**values, **self.environment}


@dataclass(frozen=True)
class DashboardSettings:
    service: str
    cpu: str = "1"
    memory_gb: str = "2"
    max_instances: int = 2
    image: str | None = None  # None: the repository's Dockerfile, built at deploy
    redis: bool = False
    redis_node_type: str = "cache.t4g.micro"
    certificate_arn: str | None = None
    cors_origins: tuple[str, ...] = ()
    log_retention_days: int = 30
    environment: Mapping[str, str] = field(default_factory=dict)


# Every key the app reads, with what it is for (the README's table says the same).
API_KEYS = (
    "region", "account", "defaultRegion", "enableS3Meta", "s3TimeoutMs", "corsOrigins",
    "throttleRateLimit", "throttleBurstLimit", "cacheEnabled", "cacheSizeGb", "cacheTtlSec",
    "s3Buckets", "logRetentionDays", "functionName", "memoryMb", "timeoutSec",
    "lambdaPackage", "environment",
)
DASHBOARD_KEYS = (
    "dashboardService", "dashboardCpu", "dashboardMemoryGb", "dashboardMaxInstances",
    "dashboardImage", "dashboardRedis", "redisNodeType", "certificateArn",
    "dashboardCorsOrigins", "dashboardEnvironment",
)
# The seed's variable names, accepted as keys for their camelCase twins.
ALIASES = {
    ENV_DEFAULT_REGION: "defaultRegion",
    ENV_ENABLE_S3_META: "enableS3Meta",
    ENV_S3_TIMEOUT_MS: "s3TimeoutMs",
}
KNOWN_KEYS = frozenset(API_KEYS + DASHBOARD_KEYS + tuple(ALIASES))
# A key of this shape is one of ours or a typo of one (CDK's own keys have ":", "@" or "-").
_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def check_keys(context: Mapping[str, Any]) -> None:
    """A plain key the app does not know is a typo: ``-c corsOrigin=...`` would be ignored."""
    for key in sorted(context):
        if _PLAIN_KEY.fullmatch(key) and key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ContextError(key, context[key], f"unknown key ({hint}known: "
                               f"{', '.join(API_KEYS + DASHBOARD_KEYS)})")


def target(context: Mapping[str, Any], env: Mapping[str, str]) -> Target:
    """``region`` (else the CLI's ``CDK_DEFAULT_REGION``, else the seed's ap-northeast-2) and
    ``account`` (else ``CDK_DEFAULT_ACCOUNT``, else none: decided at deploy)."""
    region = _text(context, "region", env.get("CDK_DEFAULT_REGION") or FALLBACK_REGION)
    _region(context, "region", region)
    account = _text(context, "account", env.get("CDK_DEFAULT_ACCOUNT") or "") or None
    if account is not None and not ACCOUNT_ID.fullmatch(account):
        raise ContextError("account", account, "an AWS account id of 12 digits")
    return Target(region=region, account=account)


def api_settings(context: Mapping[str, Any], where: Target) -> ApiSettings:
    """The API stack's values; raises :class:`ContextError` for the first bad one."""
    default_region = _aliased(context, "defaultRegion", where.region)
    _region(context, _given_key(context, "defaultRegion"), default_region)
    timeout_sec = _int(context, "timeoutSec", MAX_TIMEOUT_SEC, 3, MAX_TIMEOUT_SEC,
                       f"API Gateway's REST integrations wait at most {MAX_TIMEOUT_SEC} s")
    package = _text(context, "lambdaPackage", "")
    package_path = Path(package).expanduser().resolve() if package else None
    if package_path is not None and not (package_path / "dashboard").is_dir():
        raise ContextError("lambdaPackage", package,
                           "a folder made by deploy/build_lambda.py (it holds dashboard/)")
    settings = ApiSettings(
        default_region=default_region,
        enable_s3_meta=_bool(context, _given_key(context, "enableS3Meta"), True),
        s3_timeout_ms=_int(context, _given_key(context, "s3TimeoutMs"), 5_000, 1, 60_000),
        cors_origins=_origins(context, "corsOrigins", (ANY_ORIGIN,)),
        throttle_rate_limit=_float(context, "throttleRateLimit", 20.0, 0.001, 10_000.0),
        throttle_burst_limit=_int(context, "throttleBurstLimit", 40, 0, 5_000),
        cache_enabled=_bool(context, "cacheEnabled", False),
        cache_size_gb=_choice(context, "cacheSizeGb", "0.5", CACHE_SIZES_GB),
        cache_ttl_sec=_int(context, "cacheTtlSec", 300, 0, 3_600),
        s3_buckets=_buckets(context, "s3Buckets"),
        log_retention_days=_retention(context, "logRetentionDays"),
        function_name=_function_name(context),
        memory_mb=_int(context, "memoryMb", 1024, 128, 10_240),
        timeout_sec=timeout_sec,
        lambda_package=package_path,
        environment=_environment(context, "environment"),
    )
    _check_product_settings("environment", settings.function_environment())
    return settings


def dashboard_settings(context: Mapping[str, Any], where: Target) -> DashboardSettings:
    """The dashboard stack's values; raises :class:`ContextError` for the first bad one."""
    apprunner = apprunner_regions()
    default_service = "apprunner" if where.region in apprunner else "fargate"
    service = _choice(context, "dashboardService", default_service, SERVICES)
    if service == "apprunner" and where.region not in apprunner:
        raise ContextError("dashboardService", service,
                           f"App Runner is not in {where.region}: use fargate (with "
                           f"certificateArn), or a region of {', '.join(sorted(apprunner))}")
    cpu = _choice(context, "dashboardCpu", "1", tuple(CPU_MEMORY_GB))
    memory = _choice(context, "dashboardMemoryGb", CPU_MEMORY_GB[cpu][0], CPU_MEMORY_GB[cpu],
                     f"with dashboardCpu={cpu}")
    image = _text(context, "dashboardImage", "") or None
    if image is not None:
        pattern, what = ((_ECR_IMAGE, "an ECR or ECR Public image (App Runner pulls no other)")
                         if service == "apprunner" else (_IMAGE, "an image reference"))
        if not pattern.fullmatch(image):
            raise ContextError("dashboardImage", image, what)
    certificate = _text(context, "certificateArn", "") or None
    if service == "fargate":
        match = _CERTIFICATE.fullmatch(certificate or "")
        if match is None or match["region"] != where.region:
            raise ContextError("certificateArn", certificate,
                               f"with dashboardService=fargate, the ARN of an ACM certificate "
                               f"in {where.region} for the load balancer's HTTPS listener")
    settings = DashboardSettings(
        service=service,
        cpu=cpu,
        memory_gb=memory,
        max_instances=_int(context, "dashboardMaxInstances", 2, 1, 25),
        image=image,
        redis=_bool(context, "dashboardRedis", False),
        redis_node_type=_pattern(context, "redisNodeType", "cache.t4g.micro", _NODE_TYPE,
                                 "an ElastiCache node type such as cache.t4g.micro"),
        certificate_arn=certificate,
        cors_origins=_origins(context, "dashboardCorsOrigins", ()),
        log_retention_days=_retention(context, "logRetentionDays"),
        environment=_environment(context, "dashboardEnvironment"),
    )
    _check_product_settings("dashboardEnvironment", dict(settings.environment))
    return settings


@lru_cache(maxsize=1)
def apprunner_regions() -> frozenset[str]:
    """Regions where App Runner exists, from botocore's endpoint data (no network)."""
    return frozenset(boto3.session.Session().get_available_regions("apprunner"))


# -- the readers: each takes the context and a key, returns a checked value ------------------


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _given_key(context: Mapping[str, Any], key: str) -> str:
    """The name the user wrote: the camelCase key or the seed's variable name."""
    for alias, twin in ALIASES.items():
        if twin == key and alias in context and key not in context:
            return alias
    return key


def _aliased(context: Mapping[str, Any], key: str, default: str) -> str:
    alias = next(name for name, twin in ALIASES.items() if twin == key)
    if key in context and alias in context and str(context[key]) != str(context[alias]):
        raise ContextError(alias, context[alias], f"the same value as {key} "
                           f"({_show(context[key])}), or only one of them")
    return _text(context, _given_key(context, key), default)


def _raw(context: Mapping[str, Any], key: str) -> Any:
    value = context.get(key)
    return None if isinstance(value, str) and not value.strip() else value


def _text(context: Mapping[str, Any], key: str, default: str) -> str:
    value = _raw(context, key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ContextError(key, value, "a string")
    return value.strip()


def _region(context: Mapping[str, Any], key: str, region: str) -> None:
    regions = sagemaker_regions()
    if region not in regions:
        raise ContextError(key, region, f"a region where SageMaker exists: "
                           f"{', '.join(sorted(regions))}")


def _bool(context: Mapping[str, Any], key: str, default: bool) -> bool:
    value = _raw(context, key)
    if value is None:
        return default
    flag = value if isinstance(value, bool) else parse_bool(value) if isinstance(value, str) \
        else None
    if flag is None:
        raise ContextError(key, value, "true or false")
    return flag


def _number(key: str, value: Any, parse: Callable[[str], float]) -> float:
    if isinstance(value, bool):
        raise ContextError(key, value, "a number")
    if isinstance(value, int | float):
        return float(value)
    try:
        return parse(str(value).strip())
    except ValueError:
        raise ContextError(key, value, "a number") from None


def _int(context: Mapping[str, Any], key: str, default: int, low: int, high: int,
         why: str = "") -> int:
    value = _raw(context, key)
    if value is None:
        return default
    allowed = f"a whole number from {low} to {high}" + (f" ({why})" if why else "")
    try:
        number = _number(key, value, float)
    except ContextError:
        raise ContextError(key, value, allowed) from None
    if not math.isfinite(number) or number != int(number) or not low <= number <= high:
        raise ContextError(key, value, allowed)
    return int(number)


def _float(context: Mapping[str, Any], key: str, default: float, low: float,
           high: float) -> float:
    value = _raw(context, key)
    if value is None:
        return default
    number = _number(key, value, float)
    if not math.isfinite(number) or not low <= number <= high:
        raise ContextError(key, value, f"a number from {low:g} to {high:g} (requests per second)")
    return number


def _choice(context: Mapping[str, Any], key: str, default: str, allowed: Sequence[str],
            why: str = "") -> str:
    value = _raw(context, key)
    if value is None:
        return default
    text = str(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value:g}"
    if text not in allowed:
        raise ContextError(key, value, f"one of {', '.join(allowed)}" + (f" {why}" if why else ""))
    return text


def _pattern(context: Mapping[str, Any], key: str, default: str, pattern: re.Pattern[str],
             what: str) -> str:
    value = _text(context, key, default)
    if not pattern.fullmatch(value):
        raise ContextError(key, value, what)
    return value


def _retention(context: Mapping[str, Any], key: str) -> int:
    allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
    value = _raw(context, key)
    if value is None:
        return 30
    try:
        number = _number(key, value, int)
    except ContextError:
        number = -1.0
    if number not in LOG_RETENTION_DAYS:
        raise ContextError(key, value, f"days CloudWatch Logs keeps: one of {allowed}")
    return int(number)


def _function_name(context: Mapping[str, Any]) -> str:
    return _pattern(context, "functionName", DEFAULT_FUNCTION_NAME, _FUNCTION_NAME,
                    "a Lambda function name: 1-64 letters, digits, - and _")


def _items(key: str, value: Any) -> list[str]:
    """A list given as JSON (cdk.json) or as a comma-separated string (``-c``)."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise ContextError(key, value, "a comma-separated string or a list of strings")


def _origins(context: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = _raw(context, key)
    if value is None:
        return default
    allowed = "* (any origin), none, or origins such as https://app.example.com, comma-separated"
    if isinstance(value, str) and value.strip().lower() == "none":
        return ()
    origins = _items(key, value)
    if origins == [ANY_ORIGIN]:
        return (ANY_ORIGIN,)
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ContextError(key, origin, allowed)
    return tuple(dict.fromkeys(origins))


def _buckets(context: Mapping[str, Any], key: str) -> tuple[BucketScope, ...]:
    value = _raw(context, key)
    if value is None:
        return ()
    scopes: list[BucketScope] = []
    for item in _items(key, value):
        bucket, _, prefix = item.removeprefix("s3://").partition("/")
        if (not _BUCKET.fullmatch(bucket) or ".." in bucket or _IP_LIKE.fullmatch(bucket)
                or (prefix and not _PREFIX.fullmatch(prefix))):
            raise ContextError(key, item, "bucket names or bucket/prefix entries, "
                               "comma-separated (S3's bucket naming rules; no * or ? in a prefix)")
        scope = BucketScope(bucket, prefix)
        if scope not in scopes:
            scopes.append(scope)
    if not scopes:
        raise ContextError(key, value, "at least one bucket (leave the key out for every bucket)")
    return tuple(scopes)


def _environment(context: Mapping[str, Any], key: str) -> dict[str, str]:
    """More of the product's variables (``LINEAGE_*``, ``CACHE_*``, ...): a JSON object, or
    ``NAME=value`` pairs separated by ``;`` on the command line."""
    value = _raw(context, key)
    if value is None:
        return {}
    pairs: dict[str, Any]
    if isinstance(value, Mapping):
        pairs = dict(value)
    elif isinstance(value, str):
        pairs = {}
        for part in value.split(";"):
            if part.strip():
                name, equals, text = part.partition("=")
                if not equals:
                    raise ContextError(key, part, "NAME=value pairs separated by ;")
                pairs[name.strip()] = text.strip()
    else:
        raise ContextError(key, value, "a JSON object or NAME=value pairs separated by ;")
    checked: dict[str, str] = {}
    for name, text in pairs.items():
        if not isinstance(name, str) or not _ENV_NAME.fullmatch(name) \
                or _RESERVED_ENV.fullmatch(name):
            raise ContextError(f"{key}.{name}", text,
                               "a variable name of capitals, digits and _ that Lambda does "
                               "not reserve (no AWS_*)")
        if name in ALIASES:
            raise ContextError(f"{key}.{name}", text, f"set it with the key {ALIASES[name]}")
        if name in ("CORS_ORIGINS", ENV_POLICY_FILE):
            own = "corsOrigins" if name == "CORS_ORIGINS" else None
            raise ContextError(f"{key}.{name}", text, f"set it with the key {own}" if own
                               else "not deployable: the posture policy file is not packaged")
        if not isinstance(text, str | int | float) or isinstance(text, bool):
            raise ContextError(f"{key}.{name}", text, "a string or a number")
        checked[name] = str(text)
    return checked


def _check_product_settings(key: str, environment: Mapping[str, str]) -> None:
    """The variables as the product itself reads them: what would stop it at start stops
    the synth instead."""
    from dashboard.core.config import load_config
    from dashboard.server import limits

    # Every limit named, so that none is read from this machine's own environment.
    limit_config = {
        limits.ENV_RATE_LIMIT: limits.DEFAULT_RATE_LIMIT,
        limits.ENV_FETCH_LIMIT: limits.DEFAULT_FETCH_LIMIT,
        limits.ENV_REFRESH_COOLDOWN_SEC: str(limits.DEFAULT_REFRESH_COOLDOWN_SEC),
        limits.ENV_CLIENT_CONCURRENCY: str(limits.DEFAULT_CLIENT_CONCURRENCY),
        limits.ENV_RATE_LIMIT_STORAGE_URI: "memory://",
    }
    limit_config.update({k: v for k, v in environment.items() if k in limit_config})
    try:
        Settings.from_env(environment)
        load_config(env=environment)
        limits.LimitSettings.from_config(limit_config)
    except ConfigError as exc:
        name = next((n for n in environment if exc.message.startswith(f"{n} ")), "")
        raise ContextError(f"{key}.{name}" if name else key,
                           environment.get(name, ""), exc.message) from None
