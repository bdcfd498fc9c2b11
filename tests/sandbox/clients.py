"""boto3 clients pointed at a sandbox, as the product builds them (standard retries)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from lineage.sandbox import SandboxProcess

SEOUL = "ap-northeast-2"


def client(
    sandbox: SandboxProcess,
    service: str,
    region: str = SEOUL,
    *,
    max_attempts: int = 3,
    pool: int = 10,
) -> Any:
    env = sandbox.environment(region)
    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=region,
    )
    config = Config(
        retries={"mode": "standard", "max_attempts": max_attempts},
        max_pool_connections=pool,
        connect_timeout=5,
        read_timeout=30,
    )
    return session.client(service, endpoint_url=env["AWS_ENDPOINT_URL"], config=config)  # type: ignore[call-overload]


def executions(sm: Any, pipeline: str, **kwargs: Any) -> list[dict[str, Any]]:
    """ListPipelineExecutions' summaries for a pipeline (one page)."""
    summaries: list[dict[str, Any]] = sm.list_pipeline_executions(PipelineName=pipeline, **kwargs)[
        "PipelineExecutionSummaries"
    ]
    return summaries
