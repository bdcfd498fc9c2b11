"""Settings from the environment: explicit argument > environment variable > default.

Variable names are constants here so that the CLI, the web server and the tests agree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from lineage.errors import ConfigError
from lineage.policy import DEFAULT_POLICY, Policy, load_policy

# The original API's variables (its README; docs/CONTRACT.md, Configuration).
ENV_DEFAULT_REGION = "DEFAULT_REGION"
ENV_ENABLE_S3_META = "ENABLE_S3_META"
ENV_S3_TIMEOUT_MS = "S3_TIMEOUT_MS"
# Ours.
ENV_AWS_MAX_WORKERS = "LINEAGE_AWS_MAX_WORKERS"
ENV_S3_MAX_WORKERS = "LINEAGE_S3_MAX_WORKERS"
ENV_AWS_CONNECT_TIMEOUT_MS = "LINEAGE_AWS_CONNECT_TIMEOUT_MS"
ENV_AWS_READ_TIMEOUT_MS = "LINEAGE_AWS_READ_TIMEOUT_MS"
ENV_AWS_MAX_ATTEMPTS = "LINEAGE_AWS_MAX_ATTEMPTS"
ENV_REQUEST_DEADLINE_MS = "LINEAGE_REQUEST_DEADLINE_MS"
ENV_REPORT_MAX_BYTES = "LINEAGE_REPORT_MAX_BYTES"
# Which jobs get a Describe* call: only those whose answer adds to the document ("needed"),
# or every job the execution names ("all": the proof that skipping changes nothing).
ENV_DESCRIBE = "LINEAGE_DESCRIBE"
DESCRIBE_NEEDED = "needed"
DESCRIBE_ALL = "all"
DESCRIBE_MODES = (DESCRIBE_NEEDED, DESCRIBE_ALL)
# The benchmark's naive baseline: every AWS call of a process on one thread, one at a time.
ENV_SERIAL_AWS_CALLS = "LINEAGE_SERIAL_AWS_CALLS"
# Estate lineage: read-only roles of other accounts to assume (comma-separated role ARNs).
ENV_ACCOUNT_ROLES = "LINEAGE_ACCOUNT_ROLES"
ENV_POLICY_FILE = "LINEAGE_POLICY_FILE"
# Dataset schemas (lineage.schema_reader): off unless ENABLE_SCHEMA=true (it reads objects:
# s3:ListBucket and s3:GetObject, optional in iam/).
ENV_ENABLE_SCHEMA = "ENABLE_SCHEMA"
ENV_SCHEMA_MAX_BYTES = "LINEAGE_SCHEMA_MAX_BYTES"
ENV_SCHEMA_MAX_OBJECTS = "LINEAGE_SCHEMA_MAX_OBJECTS"
ENV_SCHEMA_MAX_ARTIFACTS = "LINEAGE_SCHEMA_MAX_ARTIFACTS"
ENV_SCHEMA_TIMEOUT_MS = "LINEAGE_SCHEMA_TIMEOUT_MS"

FALLBACK_REGION = "ap-northeast-2"
# What one object may cost a schema (bytes), and the objects of a prefix (one listing page).
SCHEMA_MAX_BYTES_LIMIT = 16 * 1024 * 1024
SCHEMA_MAX_OBJECTS_LIMIT = 100

# An IAM role ARN: partition, 12-digit account, optional path, name (IAM's characters).
ROLE_ARN = re.compile(
    r"arn:aws[a-z\-]*:iam::(?P<account>[0-9]{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}",
    re.ASCII,
)

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def parse_bool(text: str) -> bool | None:
    """``true/false/1/0/yes/no`` in any case; ``None`` for anything else."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


@dataclass(frozen=True)
class Settings:
    default_region: str = FALLBACK_REGION
    enable_s3_meta: bool = True
    s3_timeout_ms: int = 5_000
    # Bounded pools of threads per process make every AWS call: SageMaker's is kept modest
    # (AWS throttles bursts of Describe* calls), S3's bucket settings can go wider. Each
    # client's HTTP connection pool is sized from its pool so no thread waits for a socket.
    aws_max_workers: int = 16
    s3_max_workers: int = 32
    aws_connect_timeout_ms: int = 3_000
    aws_read_timeout_ms: int = 10_000
    # botocore "standard" retry mode: attempts including the first one.
    aws_max_attempts: int = 4
    # Past this, a request answers with what it has and a warning.
    request_deadline_ms: int = 20_000
    # Evaluation reports larger than this are not read.
    report_max_bytes: int = 256 * 1024
    # LINEAGE_DESCRIBE: "needed" skips every Describe* whose answer the definition and the
    # execution already give (lineage.step_types' describe_when); "all" describes every job.
    describe: str = DESCRIBE_NEEDED
    # One thread for every service's calls (the naive baseline of `sagemaker-lineage bench`):
    # the same code, one call after another. Never faster; for measuring only.
    serial_aws_calls: bool = False
    # Estate lineage: roles assumed (RoleSessionName "sagemaker-lineage") to read other
    # accounts; the caller's own account is always read.
    account_roles: tuple[str, ...] = ()
    # The posture policy findings are judged by (lineage.policy; LINEAGE_POLICY_FILE).
    policy: Policy = DEFAULT_POLICY
    # Dataset schemas: read only with ENABLE_SCHEMA=true; at most schema_max_bytes of each
    # object (a Parquet file's footer: a larger one is a warning), the first
    # schema_max_objects objects of a prefix, schema_max_artifacts artifacts of a document,
    # all within schema_timeout_ms (and the request's deadline).
    enable_schema: bool = False
    schema_max_bytes: int = 64 * 1024
    schema_max_objects: int = 3
    schema_max_artifacts: int = 40
    schema_timeout_ms: int = 5_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        if region := source.get(ENV_DEFAULT_REGION, "").strip():
            values["default_region"] = region
        if (raw := source.get(ENV_ENABLE_S3_META)) is not None:
            flag = parse_bool(raw)
            if flag is None:
                raise ConfigError(f"{ENV_ENABLE_S3_META} must be true or false, not {raw!r}")
            values["enable_s3_meta"] = flag
        if (raw := source.get(ENV_ENABLE_SCHEMA)) is not None and raw.strip():
            flag = parse_bool(raw)
            if flag is None:
                raise ConfigError(f"{ENV_ENABLE_SCHEMA} must be true or false, not {raw!r}")
            values["enable_schema"] = flag
        if (raw := source.get(ENV_SERIAL_AWS_CALLS)) is not None and raw.strip():
            flag = parse_bool(raw)
            if flag is None:
                raise ConfigError(f"{ENV_SERIAL_AWS_CALLS} must be true or false, not {raw!r}")
            values["serial_aws_calls"] = flag
        if (raw := source.get(ENV_DESCRIBE)) is not None and raw.strip():
            mode = raw.strip().lower()
            if mode not in DESCRIBE_MODES:
                raise ConfigError(
                    f"{ENV_DESCRIBE} must be {' or '.join(DESCRIBE_MODES)}, not {raw!r}"
                )
            values["describe"] = mode
        if (raw := source.get(ENV_ACCOUNT_ROLES)) is not None and raw.strip():
            values["account_roles"] = parse_account_roles(raw)
        if (raw := source.get(ENV_POLICY_FILE)) is not None and raw.strip():
            values["policy"] = load_policy(raw.strip())
        for name, field_name in (
            (ENV_S3_TIMEOUT_MS, "s3_timeout_ms"),
            (ENV_AWS_MAX_WORKERS, "aws_max_workers"),
            (ENV_S3_MAX_WORKERS, "s3_max_workers"),
            (ENV_AWS_CONNECT_TIMEOUT_MS, "aws_connect_timeout_ms"),
            (ENV_AWS_READ_TIMEOUT_MS, "aws_read_timeout_ms"),
            (ENV_AWS_MAX_ATTEMPTS, "aws_max_attempts"),
            (ENV_REQUEST_DEADLINE_MS, "request_deadline_ms"),
            (ENV_REPORT_MAX_BYTES, "report_max_bytes"),
            (ENV_SCHEMA_MAX_BYTES, "schema_max_bytes"),
            (ENV_SCHEMA_MAX_OBJECTS, "schema_max_objects"),
            (ENV_SCHEMA_MAX_ARTIFACTS, "schema_max_artifacts"),
            (ENV_SCHEMA_TIMEOUT_MS, "schema_timeout_ms"),
        ):
            if (raw := source.get(name)) is not None and raw.strip():
                values[field_name] = _positive_int(name, raw)
        for name, field_name, most in (
            (ENV_SCHEMA_MAX_BYTES, "schema_max_bytes", SCHEMA_MAX_BYTES_LIMIT),
            (ENV_SCHEMA_MAX_OBJECTS, "schema_max_objects", SCHEMA_MAX_OBJECTS_LIMIT),
        ):
            if values.get(field_name, 0) > most:
                raise ConfigError(f"{name} must be at most {most}, not {values[field_name]}")
        return replace(cls(**values), **overrides)


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, not {value}")
    return value


def parse_account_roles(raw: str) -> tuple[str, ...]:
    """``LINEAGE_ACCOUNT_ROLES``: comma-separated role ARNs, each once, in the given order."""
    roles: list[str] = []
    for part in raw.split(","):
        role = part.strip()
        if not role:
            continue
        if not ROLE_ARN.fullmatch(role):
            # The value is the operator's own configuration, safe to name in the message.
            raise ConfigError(
                f"{ENV_ACCOUNT_ROLES} must list IAM role ARNs "
                f"(arn:aws:iam::<account>:role/<name>), not {role!r}"
            )
        if role not in roles:
            roles.append(role)
    return tuple(roles)


def role_account(role: str) -> str | None:
    """The account id of a role ARN, ``None`` if it is not one."""
    match = ROLE_ARN.fullmatch(role)
    return match["account"] if match else None
