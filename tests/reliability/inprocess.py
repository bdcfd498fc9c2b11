"""The production app in this process, its AWS clients pointed at one endpoint.

The boto3 session is the test's own, so the process environment is never changed and
several apps can talk to several sandboxes at once.
"""

from __future__ import annotations

from typing import Any

import boto3
import dash

from dashboard.core.config import LINEAGE_SERVICE, LINEAGE_SETTINGS
from dashboard.server.app import create_app
from lineage.aws import ClientFactory
from lineage.config import Settings
from lineage.sandbox import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY
from lineage.service import LineageService

REGION = "ap-northeast-2"


class EndpointSession(boto3.session.Session):
    """A session whose clients all talk to ``endpoint``."""

    def __init__(self, endpoint: str) -> None:
        super().__init__(
            aws_access_key_id=SANDBOX_ACCESS_KEY_ID,
            aws_secret_access_key=SANDBOX_SECRET_ACCESS_KEY,
            region_name=REGION,
        )
        self.endpoint = endpoint

    def client(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.endpoint)
        return super().client(*args, **kwargs)


def app_for(endpoint: str, settings: Settings | None = None, **config: Any) -> dash.Dash:
    settings = settings or Settings(default_region=REGION)
    service = LineageService(settings, ClientFactory(settings, lambda: EndpointSession(endpoint)))
    return create_app(
        {LINEAGE_SETTINGS: settings, LINEAGE_SERVICE: service, "CACHE_TYPE": "NullCache",
         **config}
    )
