"""The one error hierarchy of the lineage package.

::

    LineageError                     base; ``message`` is safe to show a client
    ├── InvalidParameter             a request parameter is wrong (HTTP 400)
    ├── DefinitionError              a pipeline definition cannot be parsed
    ├── PipelineNotFound             no such pipeline, or the domain filter excludes it (404)
    ├── ExecutionNotFound            no such execution of this pipeline (404)
    └── AwsError                     AWS refused or failed a call we cannot do without (502)
        ├── AwsNotFound              the resource named does not exist (404)
        ├── AwsAccessDenied          the credentials may not call it (502)
        ├── AwsThrottled             retries ran out on throttling (503 + Retry-After)
        ├── AwsUnavailable           AWS could not be reached or timed out (503)
        └── AwsCredentialsMissing    no credentials in the chain (503)

AWS errors are mapped from botocore in exactly one place, ``lineage.aws.map_client_error``;
their ``message`` never carries AWS's raw text (which holds ARNs and account ids).
"""

from __future__ import annotations


class LineageError(Exception):
    """Base of every error this package raises on purpose."""

    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParameter(LineageError):
    http_status = 400

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class DefinitionError(LineageError):
    """A definition that is not valid JSON or not shaped like a pipeline definition."""

    http_status = 502


class PipelineNotFound(LineageError):
    http_status = 404

    def __init__(self, message: str = "pipeline not found or domain filter mismatched") -> None:
        super().__init__(message)


class ExecutionNotFound(LineageError):
    http_status = 404


class AwsError(LineageError):
    """AWS refused or failed a call the request cannot do without."""

    http_status = 502
    code = "AwsError"

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation


class AwsNotFound(AwsError):
    http_status = 404
    code = "ResourceNotFound"


class AwsAccessDenied(AwsError):
    code = "AccessDenied"


class AwsThrottled(AwsError):
    http_status = 503
    code = "Throttling"
    retry_after_sec = 5


class AwsUnavailable(AwsError):
    http_status = 503
    code = "ServiceUnavailable"


class AwsCredentialsMissing(AwsError):
    http_status = 503
    code = "NoCredentials"
