"""The only module that talks to AWS: clients, one function per operation, error mapping.

Everything here is read-only. Clients are made once per (service, region) per process, under
a lock, from one session of that process (boto3 sessions are not thread-safe; clients are),
remade after a fork so gunicorn workers never share sockets, and at most ``MAX_CLIENTS`` of
them are kept (the least recently used one goes first).

Other accounts (estate lineage, ``LINEAGE_ACCOUNT_ROLES``) are read through clients made from
one session per assumed role: its credentials come from ``sts:AssumeRole`` made with the base
session, lazily, and botocore refreshes them before they expire.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

import boto3
import botocore.session
from botocore import xform_name
from botocore.config import Config
from botocore.credentials import DeferredRefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    ConnectTimeoutError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from lineage.config import Settings
from lineage.errors import (
    AwsAccessDenied,
    AwsCredentialsMissing,
    AwsError,
    AwsNotFound,
    AwsThrottled,
    AwsUnavailable,
)
from lineage.models import ExpirationRule, SensitiveData

logger = logging.getLogger(__name__)

# Error codes as AWS spells them across SageMaker (JSON) and S3 (XML).
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)
ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
    }
)
NOT_FOUND_CODES = frozenset(
    {"ResourceNotFound", "ResourceNotFoundException", "NoSuchBucket", "NoSuchKey", "404"}
)
# S3 answers "not configured" with errors; they are data, not failures.
NO_ENCRYPTION = "ServerSideEncryptionConfigurationNotFoundError"
NO_PUBLIC_ACCESS_BLOCK = "NoSuchPublicAccessBlockConfiguration"
NO_TAG_SET = "NoSuchTagSet"
NO_BUCKET_POLICY = "NoSuchBucketPolicy"
NO_LIFECYCLE = "NoSuchLifecycleConfiguration"
NO_OBJECT_LOCK = "ObjectLockConfigurationNotFoundError"
# Macie answers every call of an account and region where it is not enabled with
# AccessDeniedException "Macie is not enabled." (HTTP 403), the code a refusal has too; only
# the message tells the two apart, so it is read here (and nowhere else) and given this code.
MACIE_NOT_ENABLED = "MacieNotEnabled"
_MACIE_NOT_ENABLED_TEXT = "macie is not enabled"
NOT_CONFIGURED_CODES = frozenset(
    {
        NO_ENCRYPTION,
        NO_PUBLIC_ACCESS_BLOCK,
        NO_TAG_SET,
        NO_BUCKET_POLICY,
        NO_LIFECYCLE,
        NO_OBJECT_LOCK,
        MACIE_NOT_ENABLED,
    }
)
PUBLIC_ACCESS_BLOCK_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)
# Macie's finding types of sensitive data (category CLASSIFICATION), as its model names them:
# SensitiveData:S3Object/Personal, .../Financial, .../Credentials, .../CustomIdentifier,
# .../Multiple.
SENSITIVE_DATA_TYPE_PREFIX = "SensitiveData:"


@lru_cache(maxsize=1)
def sagemaker_regions() -> frozenset[str]:
    """Regions where SageMaker exists, from botocore's endpoint data (no network)."""
    return frozenset(boto3.session.Session().get_available_regions("sagemaker"))


@lru_cache(maxsize=1)
def step_metadata_kinds() -> frozenset[str]:
    """Kinds of ``PipelineExecutionStepMetadata`` in botocore's current model."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    return frozenset(model.shape_for("PipelineExecutionStepMetadata").members)  # type: ignore[attr-defined]


# Clients kept per process. Regions are validated before they get here; the bound is the
# second line of defence: each client holds its own endpoint data and connection pool, and
# one made per hostile region grew a worker from 157 to 600 MB in 1,000 requests.
MAX_CLIENTS = 64
# Services whose requests botocore does not check against its model (ClientFactory._config).
UNVALIDATED_SERVICES = frozenset({"s3", "macie2"})
# What CloudTrail shows for the sessions of assumed roles.
ROLE_SESSION_NAME = "sagemaker-lineage"


class ClientFactory:
    """boto3 clients per (service, region), made once per process under a lock; the
    ``max_clients`` most recently used are kept."""

    def __init__(
        self,
        settings: Settings | None = None,
        session_factory: Callable[[], boto3.session.Session] = boto3.session.Session,
        *,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.settings = settings or Settings()
        self._session_factory = session_factory
        self._max_clients = max_clients
        self._lock = threading.Lock()
        self._pid = -1
        self._session: boto3.session.Session | None = None
        self._clients: OrderedDict[tuple[str, str, str | None], Any] = OrderedDict()
        self._role_sessions: dict[str, boto3.session.Session] = {}

    def client(self, service: str, region: str, role: str | None = None) -> Any:
        """The client of ``service`` in ``region``; with ``role``, as that assumed role."""
        key = (service, region, role)
        with self._lock:
            if self._pid != os.getpid():  # first use, or we are a forked child
                self._pid = os.getpid()
                self._session = self._session_factory()
                self._clients = OrderedDict()
                self._role_sessions = {}
            client = self._clients.get(key)
            if client is not None:
                self._clients.move_to_end(key)
                return client
            # Any: the service name is data here, not one of the stubs' literal overloads.
            session: Any = self._session if role is None else self._role_session(role, region)
            client = session.client(service, region_name=region, config=self._config(service))
            self._clients[key] = client
            # Dropped, not closed: a request on another thread may still be using it.
            while len(self._clients) > self._max_clients:
                self._clients.popitem(last=False)
            return client

    def _role_session(self, role: str, region: str) -> boto3.session.Session:
        """One session per role and process (under the lock): credentials from AssumeRole.

        ``DeferredRefreshableCredentials`` assumes the role on the first call signed with it
        and again before the credentials expire (botocore refreshes 15 minutes ahead), so no
        call here reaches AWS and a role that cannot be assumed fails the calls that need it
        (an :class:`AwsError`, AccessDenied when STS refuses), nothing else.
        """
        found = self._role_sessions.get(role)
        if found is not None:
            return found
        base: Any = self._session
        sts = base.client("sts", region_name=region, config=self._config("sts"))

        def assume() -> dict[str, str]:
            # https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
            try:
                answer = sts.assume_role(RoleArn=role, RoleSessionName=ROLE_SESSION_NAME)
            except (ClientError, BotoCoreError) as exc:
                mapped = map_client_error(exc, "AssumeRole")
                logger.debug("sts:AssumeRole failed: %s", mapped.code)
                raise mapped from exc
            credentials = answer["Credentials"]
            logger.debug("sts:AssumeRole answered credentials until %s",
                         credentials["Expiration"])
            return {
                "access_key": credentials["AccessKeyId"],
                "secret_key": credentials["SecretAccessKey"],
                "token": credentials["SessionToken"],
                "expiry_time": credentials["Expiration"].isoformat(),
            }

        core = botocore.session.Session()
        # botocore has no public setter for a session's credentials; this is the documented
        # way refreshable credentials are attached (boto3 issue 443).
        core._credentials = DeferredRefreshableCredentials(  # type: ignore[attr-defined]
            refresh_using=assume, method="sts-assume-role"
        )
        session = boto3.session.Session(botocore_session=core)
        self._role_sessions[role] = session
        return session

    def has_credentials(self) -> bool:
        """Whether the standard chain (environment, profile, role) finds credentials.

        No AWS call is made, though an instance role is looked up through the metadata service.
        """
        # A session of its own: this runs once at start-up, before any worker makes clients.
        return self._session_factory().get_credentials() is not None

    def _config(self, service: str) -> Config:
        settings = self.settings
        if service == "s3":
            connect_ms = min(settings.aws_connect_timeout_ms, settings.s3_timeout_ms)
            read_ms = settings.s3_timeout_ms
            workers = settings.s3_max_workers
        else:
            connect_ms = settings.aws_connect_timeout_ms
            read_ms = settings.aws_read_timeout_ms
            workers = settings.aws_max_workers
        return Config(
            # total_max_attempts counts the first try too (max_attempts would not).
            retries={"mode": "standard", "total_max_attempts": settings.aws_max_attempts},
            connect_timeout=connect_ms / 1000,
            read_timeout=read_ms / 1000,
            # At least one connection per worker thread, so no thread opens a throwaway one.
            max_pool_connections=workers + 4,
            user_agent_extra="sagemaker-lineage",
            # botocore checks each request against the model before sending it. S3's and
            # Macie's parameters are built here from bucket names that passed
            # lineage.graph.split_s3_uri's naming rule, so the check finds nothing; SageMaker's
            # carry names from a client's request, which botocore's check keeps rejecting
            # locally. (It measured 0.6% of a cold scale-pipeline's server CPU: bench/README.md.)
            parameter_validation=service not in UNVALIDATED_SERVICES,
        )


def map_client_error(exc: Exception, operation: str) -> AwsError:
    """One place that turns botocore's exceptions into ours, without AWS's raw text."""
    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "AccessDeniedException" and _macie_not_enabled(exc):
            # Data, not a refusal: Macie is off in that account and region.
            error = AwsError(f"Macie is not enabled for {operation}", operation=operation)
            error.code = MACIE_NOT_ENABLED
            return error
        if code in THROTTLING_CODES:
            return AwsThrottled(f"AWS throttled {operation}; retry later", operation=operation)
        if code in ACCESS_DENIED_CODES:
            return AwsAccessDenied(f"AWS denied access to {operation}", operation=operation)
        if code in NOT_FOUND_CODES:
            return AwsNotFound(f"{operation}: resource not found", operation=operation)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if isinstance(status, int) and status >= 500:
            return AwsUnavailable(f"AWS failed {operation}", operation=operation)
        # Keep AWS's error code (never its message): S3's "not configured" answers are data.
        error = AwsError(f"AWS rejected {operation}", operation=operation)
        error.code = code or AwsError.code
        return error
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AwsCredentialsMissing(
            "no AWS credentials found (profile, environment or instance role)",
            operation=operation,
        )
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError | ConnectionError):
        return AwsUnavailable(f"AWS did not answer {operation} in time", operation=operation)
    if isinstance(exc, BotoCoreError):
        return AwsUnavailable(f"AWS call {operation} failed", operation=operation)
    raise exc


def _macie_not_enabled(exc: ClientError) -> bool:
    """Whether an AccessDeniedException is Macie's "not enabled" (its text stays here)."""
    message = str(exc.response.get("Error", {}).get("Message", ""))
    return message.strip().lower().startswith(_MACIE_NOT_ENABLED_TEXT)


def safe_exception_text(exc: BaseException) -> str | None:
    """What a log may say of a botocore error: its code and operation, never AWS's message
    (it holds ARNs, account ids, principal names); ``None`` for any other exception."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "?")
        return f"{code} from {exc.operation_name} (AWS's message withheld)"
    return None


def _log_retries(service: str, operation: str, response: Any, *, failed: bool) -> None:
    """botocore retries quietly; say so, since throttling is what operators look for."""
    attempts = response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    if attempts:
        outcome = "gave up" if failed else "succeeded"
        logger.info(
            "%s:%s retried %d times, then %s",
            service,
            operation,
            attempts,
            outcome,
            extra={"aws_operation": f"{service}:{operation}", "retry_attempts": attempts},
        )


class AwsApi:
    """One request's view of AWS in one region; counts the operations it makes."""

    def __init__(self, clients: ClientFactory, region: str, *, role: str | None = None) -> None:
        self.clients = clients
        self.region = region
        # An assumed role of another account (estate lineage); None: the caller's own.
        self.role = role
        self._lock = threading.Lock()
        self.operations: list[str] = []

    @property
    def call_count(self) -> int:
        return len(self.operations)

    def call(
        self, service: str, operation: str, *, region: str | None = None, **params: Any
    ) -> dict[str, Any]:
        """Make one AWS call (in ``region``, by default this view's); raise a mapped
        :class:`AwsError` on failure."""
        with self._lock:
            self.operations.append(f"{service}:{operation}")
        where = region or self.region
        client = (
            self.clients.client(service, where)
            if self.role is None
            else self.clients.client(service, where, self.role)
        )
        try:
            response: dict[str, Any] = getattr(client, xform_name(operation))(**params)
        except (ClientError, BotoCoreError) as exc:
            mapped = map_client_error(exc, operation)
            if isinstance(exc, ClientError):
                # S3's "not configured" answers are data: the call did succeed in the end.
                failed = mapped.code not in NOT_CONFIGURED_CODES
                _log_retries(service, operation, exc.response, failed=failed)
            logger.debug("%s:%s failed: %s", service, operation, mapped.code)
            raise mapped from exc
        _log_retries(service, operation, response, failed=False)
        logger.debug("%s:%s answered %d keys", service, operation, len(response))
        return response

    # -- SageMaker -----------------------------------------------------------------------

    def describe_pipeline(self, name: str) -> dict[str, Any]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribePipeline.html
        return self.call("sagemaker", "DescribePipeline", PipelineName=name)

    def list_pipeline_executions(self, name: str, max_results: int = 20) -> list[dict[str, Any]]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelineExecutions.html
        # Ask for the order we rely on: newest first.
        response = self.call(
            "sagemaker",
            "ListPipelineExecutions",
            PipelineName=name,
            SortBy="CreationTime",
            SortOrder="Descending",
            MaxResults=max_results,
        )
        summaries: list[dict[str, Any]] = response.get("PipelineExecutionSummaries", [])
        return summaries

    def pipeline_executions_page(
        self, name: str, max_results: int, token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of ``ListPipelineExecutions``, newest first, from AWS's ``NextToken``
        (``None``: the first page); the page's summaries and the NextToken of the next one."""
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelineExecutions.html
        params: dict[str, Any] = {"PipelineName": name, "SortBy": "CreationTime",
                                  "SortOrder": "Descending", "MaxResults": max_results}
        if token:
            params["NextToken"] = token
        response = self.call("sagemaker", "ListPipelineExecutions", **params)
        summaries: list[dict[str, Any]] = response.get("PipelineExecutionSummaries", [])
        following = response.get("NextToken")
        return summaries, str(following) if following else None

    def describe_pipeline_execution(self, arn: str) -> dict[str, Any]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribePipelineExecution.html
        return self.call("sagemaker", "DescribePipelineExecution", PipelineExecutionArn=arn)

    def definition_for_execution(self, arn: str) -> str:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribePipelineDefinitionForExecution.html
        response = self.call(
            "sagemaker", "DescribePipelineDefinitionForExecution", PipelineExecutionArn=arn
        )
        return str(response.get("PipelineDefinition", ""))

    def execution_step_pages(self, arn: str) -> Iterator[list[dict[str, Any]]]:
        """Pages of ``ListPipelineExecutionSteps``, 100 steps each, as they arrive."""
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelineExecutionSteps.html
        token: str | None = None
        while True:
            params: dict[str, Any] = {"PipelineExecutionArn": arn, "MaxResults": 100}
            if token:
                params["NextToken"] = token
            response = self.call("sagemaker", "ListPipelineExecutionSteps", **params)
            yield list(response.get("PipelineExecutionSteps", []))
            token = response.get("NextToken")
            if not token:
                return

    def execution_parameters(self, arn: str) -> dict[str, str]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelineParametersForExecution.html
        values: dict[str, str] = {}
        token: str | None = None
        while True:
            params: dict[str, Any] = {"PipelineExecutionArn": arn, "MaxResults": 100}
            if token:
                params["NextToken"] = token
            response = self.call("sagemaker", "ListPipelineParametersForExecution", **params)
            for item in response.get("PipelineParameters", []):
                values[str(item["Name"])] = str(item.get("Value", ""))
            token = response.get("NextToken")
            if not token:
                return values

    def list_tags(self, arn: str) -> dict[str, str]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListTags.html
        tags: dict[str, str] = {}
        token: str | None = None
        while True:
            params: dict[str, Any] = {"ResourceArn": arn, "MaxResults": 100}
            if token:
                params["NextToken"] = token
            response = self.call("sagemaker", "ListTags", **params)
            for tag in response.get("Tags", []):
                tags[str(tag["Key"])] = str(tag.get("Value", ""))
            token = response.get("NextToken")
            if not token:
                return tags

    def list_domains(self) -> list[dict[str, Any]]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListDomains.html
        domains: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"MaxResults": 100}
            if token:
                params["NextToken"] = token
            response = self.call("sagemaker", "ListDomains", **params)
            domains.extend(response.get("Domains", []))
            token = response.get("NextToken")
            if not token:
                return domains

    def describe(self, operation: str, name_parameter: str, name: str) -> dict[str, Any]:
        """A job's Describe* call, chosen by the caller's table (lineage.runinfo)."""
        return self.call("sagemaker", operation, **{name_parameter: name})

    # -- S3 bucket settings ----------------------------------------------------------------

    def bucket_region(self, bucket: str) -> str:
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
        # None means us-east-1; "EU" is the legacy name of eu-west-1.
        location = self.call("s3", "GetBucketLocation", Bucket=bucket).get("LocationConstraint")
        if not location:
            return "us-east-1"
        return "eu-west-1" if location == "EU" else str(location)

    def owned_bucket_regions(self, max_buckets: int) -> dict[str, str]:
        """The region of each bucket of this account, from the first ``max_buckets`` that
        ``ListBuckets`` lists (one page: a bucket past it, or another account's, is asked
        with GetBucketLocation)."""
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html: BucketRegion
        # is given when the request has a parameter (MaxBuckets here).
        response = self.call("s3", "ListBuckets", MaxBuckets=max_buckets)
        return {str(item["Name"]): str(item["BucketRegion"])
                for item in response.get("Buckets", []) if item.get("BucketRegion")}

    def bucket_encryption(self, bucket: str) -> str:
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
        try:
            response = self.call("s3", "GetBucketEncryption", Bucket=bucket)
        except AwsError as exc:
            if exc.code == NO_ENCRYPTION:
                return "None"
            raise
        rules = response.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        for rule in rules:
            algorithm = rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm")
            if algorithm:
                return str(algorithm)
        return "None"

    def bucket_versioning(self, bucket: str) -> str:
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
        # No Status at all means versioning was never enabled.
        status = self.call("s3", "GetBucketVersioning", Bucket=bucket).get("Status")
        return str(status) if status else "Disabled"

    def bucket_public_access(self, bucket: str) -> str:
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html
        try:
            response = self.call("s3", "GetPublicAccessBlock", Bucket=bucket)
        except AwsError as exc:
            if exc.code == NO_PUBLIC_ACCESS_BLOCK:
                return "NotBlocked"
            raise
        flags = response.get("PublicAccessBlockConfiguration", {})
        on = [bool(flags.get(name)) for name in PUBLIC_ACCESS_BLOCK_FLAGS]
        if all(on):
            return "Blocked"
        return "Partial" if any(on) else "NotBlocked"

    def bucket_tags(self, bucket: str) -> dict[str, str]:
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html
        try:
            response = self.call("s3", "GetBucketTagging", Bucket=bucket)
        except AwsError as exc:
            if exc.code == NO_TAG_SET:
                return {}
            raise
        return {str(tag["Key"]): str(tag.get("Value", "")) for tag in response.get("TagSet", [])}

    def bucket_public_policy(self, bucket: str) -> str:
        """``Public`` when the bucket policy grants public access, else ``NotPublic``."""
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicyStatus.html
        # A bucket without a policy answers NoSuchBucketPolicy: nothing public through it.
        try:
            response = self.call("s3", "GetBucketPolicyStatus", Bucket=bucket)
        except AwsError as exc:
            if exc.code == NO_BUCKET_POLICY:
                return "NotPublic"
            raise
        return "Public" if response.get("PolicyStatus", {}).get("IsPublic") else "NotPublic"

    def bucket_lifecycle(self, bucket: str) -> tuple[ExpirationRule, ...]:
        """The enabled lifecycle rules that expire objects (current or noncurrent versions)."""
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html
        try:
            response = self.call("s3", "GetBucketLifecycleConfiguration", Bucket=bucket)
        except AwsError as exc:
            if exc.code == NO_LIFECYCLE:
                return ()
            raise
        rules = (expiration_rule(rule) for rule in response.get("Rules", []))
        return tuple(rule for rule in rules if rule is not None)

    def bucket_object_lock(self, bucket: str) -> str:
        """``Enabled`` or ``Disabled`` (a bucket made without Object Lock has no configuration)."""
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLockConfiguration.html
        try:
            response = self.call("s3", "GetObjectLockConfiguration", Bucket=bucket)
        except AwsError as exc:
            if exc.code == NO_OBJECT_LOCK:
                return "Disabled"
            raise
        enabled = response.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
        return "Enabled" if enabled == "Enabled" else "Disabled"

    # -- Amazon Macie ----------------------------------------------------------------------

    def macie_enabled(self, region: str) -> bool:
        """Whether Macie is enabled (or paused: its findings stay readable) in ``region``."""
        # https://docs.aws.amazon.com/macie/latest/APIReference/macie.html (GetMacieSession)
        try:
            response = self.call("macie2", "GetMacieSession", region=region)
        except AwsNotFound:
            return False  # no session at all (moto's answer; AWS says "not enabled")
        except AwsError as exc:
            if exc.code == MACIE_NOT_ENABLED:
                return False
            raise
        return response.get("status") in ("ENABLED", "PAUSED")

    def buckets_with_sensitive_data(self, buckets: list[str], region: str) -> dict[str, int]:
        """Macie's current sensitive-data findings of each of ``buckets`` that has any, by
        bucket: one call for them all (grouped by bucket name); a bucket not in the answer
        has none."""
        counts = self._sensitive_data_counts(buckets, region, "resourcesAffected.s3Bucket.name",
                                             groups=len(buckets))
        return {name: count for name, count in counts.items() if count > 0}

    def bucket_sensitive_data(self, bucket: str, region: str) -> SensitiveData:
        """Macie's current (not archived) sensitive-data findings of ``bucket``, by type.

        One call per bucket: GetFindingStatistics grouped by type counts them, where
        ListFindings + GetFindings would take a page of ids and then their details.
        """
        counts = {kind: count for kind, count
                  in self._sensitive_data_counts([bucket], region, "type").items()
                  if kind.startswith(SENSITIVE_DATA_TYPE_PREFIX) and count > 0}
        if not counts:
            return SensitiveData("NoneFound")
        return SensitiveData("Found", sum(counts.values()), tuple(sorted(counts)))

    def _sensitive_data_counts(self, buckets: list[str], region: str, group_by: str,
                               groups: int | None = None) -> dict[str, int]:
        """GetFindingStatistics of the current (not archived) sensitive-data findings in
        ``buckets``, counted by ``group_by`` (a group's key -> its count); ``groups``: how
        many groups to answer at most (AWS's default is 10)."""
        # https://docs.aws.amazon.com/macie/latest/APIReference/findings-statistics.html
        extra = {"size": groups} if groups is not None else {}
        response = self.call(
            "macie2",
            "GetFindingStatistics",
            region=region,
            findingCriteria={
                "criterion": {
                    "resourcesAffected.s3Bucket.name": {"eq": list(buckets)},
                    "category": {"eq": ["CLASSIFICATION"]},
                    "archived": {"eq": ["false"]},
                }
            },
            groupBy=group_by,
            **extra,
        )
        counts: dict[str, int] = {}
        for group in response.get("countsByGroup", []):
            key, count = str(group.get("groupKey") or ""), int(group.get("count") or 0)
            counts[key] = counts.get(key, 0) + count
        return counts

    def read_object(self, bucket: str, key: str, max_bytes: int) -> bytes | None:
        """The object's bytes, or ``None`` when it is larger than ``max_bytes``."""
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
        # A Range read bounds what we transfer even if the object is huge.
        response = self.call(
            "s3", "GetObject", Bucket=bucket, Key=key, Range=f"bytes=0-{max_bytes}"
        )
        body = response["Body"]
        try:
            data: bytes = body.read(max_bytes + 1)
        finally:
            body.close()
        return None if len(data) > max_bytes else data

    # -- appended for dataset schemas (lineage.schema_reader) -------------------------------

    def list_objects(self, bucket: str, prefix: str, max_keys: int) -> list[dict[str, Any]]:
        """The first ``max_keys`` objects under ``prefix`` in key order (one page): each
        one's ``Key``, ``Size`` and ``ETag``."""
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
        response = self.call("s3", "ListObjectsV2", Bucket=bucket, Prefix=prefix,
                             MaxKeys=max_keys)
        return [
            {"Key": str(item["Key"]), "Size": int(item.get("Size") or 0),
             "ETag": str(item.get("ETag") or "")}
            for item in response.get("Contents", [])
        ]

    def read_range(self, bucket: str, key: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` (inclusive) of an object, at most ``end - start + 1``
        of them whatever S3 sends."""
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Range)
        wanted = end - start + 1
        response = self.call("s3", "GetObject", Bucket=bucket, Key=key,
                             Range=f"bytes={start}-{end}")
        body = response["Body"]
        try:
            data: bytes = body.read(wanted)
        finally:
            body.close()
        return data

    def list_feature_groups(self) -> list[dict[str, Any]]:
        """Every feature group summary of the region, all pages."""
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListFeatureGroups.html
        return self._pages("ListFeatureGroups", "FeatureGroupSummaries")

    def describe_feature_group(self, name: str) -> dict[str, Any]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeFeatureGroup.html
        return self.call("sagemaker", "DescribeFeatureGroup", FeatureGroupName=name)

    # -- appended for the web service (lineage.catalog, dashboard) -------------------------

    def list_pipelines(self) -> list[dict[str, Any]]:
        """Every pipeline summary of the region, all pages."""
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelines.html
        summaries: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"MaxResults": 100}
            if token:
                params["NextToken"] = token
            response = self.call("sagemaker", "ListPipelines", **params)
            summaries.extend(response.get("PipelineSummaries", []))
            token = response.get("NextToken")
            if not token:
                return summaries

    # -- appended for estate lineage (lineage.estate_reader) --------------------------------

    def _pages(self, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item under ``key`` of a SageMaker List* operation, all pages of 100."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page: dict[str, Any] = {**params, "MaxResults": 100}
            if token:
                page["NextToken"] = token
            response = self.call("sagemaker", operation, **page)
            items.extend(response.get(key, []))
            token = response.get("NextToken")
            if not token:
                return items

    def list_endpoints(self) -> list[dict[str, Any]]:
        """Every endpoint summary of the region (name, ARN, status), all pages."""
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListEndpoints.html
        return self._pages("ListEndpoints", "Endpoints")

    def describe_endpoint(self, name: str) -> dict[str, Any]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpoint.html
        return self.call("sagemaker", "DescribeEndpoint", EndpointName=name)

    def describe_endpoint_config(self, name: str) -> dict[str, Any]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpointConfig.html
        return self.call("sagemaker", "DescribeEndpointConfig", EndpointConfigName=name)

    def list_models(self) -> list[dict[str, Any]]:
        """Every model summary of the region (name, ARN), all pages."""
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListModels.html
        return self._pages("ListModels", "Models")

    def describe_model(self, name: str) -> dict[str, Any]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeModel.html
        return self.call("sagemaker", "DescribeModel", ModelName=name)

    def list_model_package_groups(self) -> list[dict[str, Any]]:
        """Every model package group summary of the region, all pages."""
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListModelPackageGroups.html
        return self._pages("ListModelPackageGroups", "ModelPackageGroupSummaryList")

    def list_model_packages(self, group: str, max_items: int | None = None) -> list[dict[str, Any]]:
        """The versioned packages of ``group``, newest first; at most ``max_items`` of them."""
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListModelPackages.html
        # Without ModelPackageGroupName AWS lists unversioned packages only.
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "ModelPackageGroupName": group,
                "SortBy": "CreationTime",
                "SortOrder": "Descending",
                "MaxResults": 100,
            }
            if token:
                params["NextToken"] = token
            response = self.call("sagemaker", "ListModelPackages", **params)
            items.extend(response.get("ModelPackageSummaryList", []))
            token = response.get("NextToken")
            if max_items is not None and len(items) >= max_items:
                return items[:max_items]
            if not token:
                return items

    def describe_model_package(self, name_or_arn: str) -> dict[str, Any]:
        # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeModelPackage.html
        return self.call("sagemaker", "DescribeModelPackage", ModelPackageName=name_or_arn)

    def write_events(
        self, start: datetime, end: datetime, max_pages: int
    ) -> tuple[list[dict[str, Any]], bool]:
        """CloudTrail's management write events of this region from ``start`` to ``end``,
        newest first, and whether that is all of them (at most ``max_pages`` pages of 50)."""
        # https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
        events: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(max_pages):
            params: dict[str, Any] = {
                "LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
                "StartTime": start,
                "EndTime": end,
                "MaxResults": 50,
            }
            if token:
                params["NextToken"] = token
            response = self.call("cloudtrail", "LookupEvents", **params)
            events.extend(response.get("Events", []))
            token = response.get("NextToken")
            if not token:
                return events, True
        return events, False

    @staticmethod
    def iam_action(service: str, operation: str) -> str:
        """The IAM action that allows ``operation``; the one place where the names differ."""
        # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
        return f"{service}:{IAM_ACTION_RENAMES.get((service, operation), operation)}"


def expiration_rule(rule: Mapping[str, Any]) -> ExpirationRule | None:
    """A lifecycle rule as the document shows it; ``None`` when disabled or when it expires
    nothing (transitions only, delete markers, incomplete uploads)."""
    if rule.get("Status") != "Enabled":
        return None
    expiration = rule.get("Expiration") or {}
    days = expiration.get("Days")
    date = expiration.get("Date")
    noncurrent = (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
    if days is None and date is None and noncurrent is None:
        return None
    # The rule's scope: Filter.Prefix, Filter.And.Prefix, or the legacy top-level Prefix.
    scope = rule.get("Filter") or {}
    prefix = scope.get("Prefix", (scope.get("And") or {}).get("Prefix", rule.get("Prefix", "")))
    if isinstance(date, datetime):
        date = date.isoformat()
    return ExpirationRule(
        prefix=str(prefix or ""),
        expiration_days=None if days is None else int(days),
        expiration_date=None if date is None else str(date),
        noncurrent_days=None if noncurrent is None else int(noncurrent),
    )


# API operation -> IAM action, where S3 names them differently (see AwsApi.iam_action).
IAM_ACTION_RENAMES: dict[tuple[str, str], str] = {
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "GetObjectLockConfiguration"): "GetBucketObjectLockConfiguration",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "ListObjectsV2"): "ListBucket",
}
