"""The dashboard app against a sandbox, in this process (dash_duo's threaded server).

The AWS clients point at the sandbox through a boto3 session of their own, so the test
process's environment is never changed.
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
import dash
from botocore.credentials import CredentialResolver

from dashboard.core.config import ENV_REGIONS, ENV_SANDBOX, LINEAGE_SERVICE, LINEAGE_SETTINGS
from dashboard.server.app import create_app
from lineage.aws import ClientFactory
from lineage.config import Settings
from lineage.sandbox import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY
from lineage.service import LineageService

REGIONS = ("ap-northeast-2", "us-east-1")


class EndpointSession(boto3.session.Session):
    """A session whose clients all talk to ``endpoint`` (the sandbox)."""

    def __init__(self, endpoint: str) -> None:
        super().__init__(
            aws_access_key_id=SANDBOX_ACCESS_KEY_ID,
            aws_secret_access_key=SANDBOX_SECRET_ACCESS_KEY,
            region_name=REGIONS[0],
        )
        self.endpoint = endpoint

    def client(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.endpoint)
        return super().client(*args, **kwargs)


class NoCredentialsSession(EndpointSession):
    """A session that finds no credentials anywhere (not even in this process's environment)."""

    def __init__(self, endpoint: str) -> None:
        core = botocore.session.get_session()
        core.register_component("credential_provider", CredentialResolver(providers=[]))
        boto3.session.Session.__init__(self, botocore_session=core, region_name=REGIONS[0])
        self.endpoint = endpoint


def make_app(endpoint: str, *, credentials: bool = True, account_roles: tuple[str, ...] = (),
             enable_schema: bool = False, **config: Any) -> dash.Dash:
    """The app; ``credentials=False``: as on a machine where boto3 finds none;
    ``account_roles``: as ``LINEAGE_ACCOUNT_ROLES`` (the estate's other accounts);
    ``enable_schema``: as ``ENABLE_SCHEMA=true`` (the artifacts' dataset schemas read)."""
    settings = Settings(default_region=REGIONS[0], account_roles=account_roles,
                        enable_schema=enable_schema)
    session = EndpointSession if credentials else NoCredentialsSession
    service = LineageService(settings, ClientFactory(settings, lambda: session(endpoint)))
    return create_app(
        {
            LINEAGE_SETTINGS: settings,
            LINEAGE_SERVICE: service,
            ENV_SANDBOX: True,
            ENV_REGIONS: REGIONS,
            **config,
        }
    )
