"""Names and ARNs the way AWS gives them to the resources a pipeline run creates.

Every generated name is derived from a seed (execution ARN, step, kind), so runs are
deterministic and the same step of the same execution always names the same job.
"""

from __future__ import annotations

import hashlib
import re
import string

from lineage.sandbox import ACCOUNT_ID

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def token(seed: str, length: int) -> str:
    """A deterministic mixed-case alphanumeric token."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:length])


def lower_token(seed: str, length: int) -> str:
    """A deterministic lower-case alphanumeric token (ids that AWS writes lower-case)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_LOWER_ALNUM[b % len(_LOWER_ALNUM)] for b in digest[:length])


def hex_token(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def safe_name(name: str, limit: int) -> str:
    cleaned = re.sub(r"[^a-zA-Z0-9]+", "-", name).strip("-") or "step"
    return cleaned[:limit].rstrip("-") or "step"


def job_name(execution_id: str, step: str, execution_arn: str, kind: str) -> str:
    """Names like the SDK gives pipeline jobs: ``pipelines-<execution id>-<step>-<random>``.

    Lower case: AWS lower-cases job names in ARNs (and matches names case-insensitively),
    while moto looks names up case-sensitively, so a name taken from an ARN must match.
    """
    suffix = token(f"{execution_arn}/{step}/{kind}", 10)
    if kind == "tuning":  # tuning job names are at most 32 characters
        return f"{execution_id}-{safe_name(step, 8)}-{suffix[:10]}".lower()
    return f"pipelines-{execution_id}-{safe_name(step, 29)}-{suffix}".lower()


def sagemaker_arn(region: str, kind: str, name: str, account: str = ACCOUNT_ID) -> str:
    """``arn:aws:sagemaker:...:<kind>/<name>``, the name lower-cased as AWS writes it."""
    return f"arn:aws:sagemaker:{region}:{account}:{kind}/{name.lower()}"


def bedrock_arn(region: str, kind: str, resource_id: str, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:bedrock:{region}:{account}:{kind}/{resource_id}"


def emr_serverless_id(seed: str) -> str:
    """An EMR Serverless application or job run id: 16 lower-case characters from ``00f``."""
    return "00f" + lower_token(seed, 13)


def role_arn() -> str:
    """The execution role a Create* request gets when the definition names none."""
    return f"arn:aws:iam::{ACCOUNT_ID}:role/service-role/AmazonSageMaker-ExecutionRole-Sandbox"
