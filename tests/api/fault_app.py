"""The production app with a few pipeline names wired to fail, for the error rows.

gunicorn serves ``tests.api.fault_app:server`` in the API tests: every other pipeline goes
to the real service and the sandbox. The injected errors carry what AWS's raw text would
(an account id, an ARN, a key id) so the tests can prove none of it reaches a client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError, NoCredentialsError

from dashboard.core.config import LINEAGE_SERVICE
from dashboard.server.app import create_app
from lineage.aws import map_client_error
from lineage.errors import LineageError
from lineage.models import LineageDocument
from lineage.request import LineageRequest
from lineage.service import LineageService

SECRET_TEXT = (
    "User: arn:aws:iam::123456789012:user/leaky with key AKIASANDBOXDUMMYKEY0 is not "
    "authorized on arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/secret"
)
INTERNAL_ERROR_TEXT = f"boom: {SECRET_TEXT}"


def _client_error(code: str, status: int) -> LineageError:
    response: Any = {
        "Error": {"Code": code, "Message": SECRET_TEXT},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "aws-request-id-1"},
    }
    error = ClientError(response, "DescribePipeline")
    return map_client_error(error, "DescribePipeline")


def _internal() -> Exception:
    return RuntimeError(INTERNAL_ERROR_TEXT)


FAULTS: dict[str, Callable[[], Exception]] = {
    "injected-denied": lambda: _client_error("AccessDeniedException", 400),
    "injected-throttled": lambda: _client_error("ThrottlingException", 400),
    "injected-unavailable": lambda: _client_error("InternalFailure", 500),
    "injected-no-credentials": lambda: map_client_error(NoCredentialsError(), "DescribePipeline"),
    "injected-internal-error": _internal,
}


class FaultInjectingService(LineageService):
    """The real service, except for the pipelines named in ``FAULTS``."""

    def get_lineage(self, request: LineageRequest, **options: Any) -> LineageDocument:
        fault = FAULTS.get(request.pipeline)
        if fault is not None:
            raise fault()
        return super().get_lineage(request, **options)


app = create_app({LINEAGE_SERVICE: FaultInjectingService()})
server = app.server
