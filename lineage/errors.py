"""The one error hierarchy of the lineage package, and what each error means to every face.

::

    LineageError                     base; ``message`` is safe to show a client
    ├── InvalidParameter             a request parameter is wrong (HTTP 400)
    ├── ConfigError                  an environment variable holds a value we cannot use
    ├── DefinitionError              a pipeline definition cannot be parsed
    ├── PipelineNotFound             no such pipeline, or the domain filter excludes it (404)
    ├── ExecutionNotFound            no such execution of this pipeline (404)
    ├── EstateNodeNotFound           no such endpoint, model or package in the estate (404)
    ├── TooManyRequests              this client used its share of AWS reads for now (429)
    └── AwsError                     AWS refused or failed a call we cannot do without (502)
        ├── AwsNotFound              the resource named does not exist (404)
        ├── AwsAccessDenied          the credentials may not call it (502)
        ├── AwsThrottled             retries ran out on throttling (503 + Retry-After)
        ├── AwsUnavailable           AWS could not be reached or timed out (503)
        │   └── DeadlineExceeded     the request's own deadline passed first (503)
        └── AwsCredentialsMissing    no credentials in the chain (503)

Each class carries its outcome for every face, so they cannot disagree: ``http_status`` (the
JSON API), ``exit_code`` (the CLI), ``warning_kind`` (the ``<AREA>_<KIND>`` code of a warning
when the error only spoils part of an answer), ``transient`` (worth retrying soon: such an
answer is cached briefly and the page shows it as a passing problem), and ``title`` and
``advice`` (what the dashboard says).

AWS errors are mapped from botocore in exactly one place, ``lineage.aws.map_client_error``;
their ``message`` never carries AWS's raw text (which holds ARNs and account ids).
"""

from __future__ import annotations

from typing import ClassVar

# Exit codes of the CLI; argparse already uses 2 for bad usage.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_AWS = 4
# Not an error: ``audit --fail-on S`` found findings of severity S or above (a CI gate).
EXIT_FINDINGS = 5


class LineageError(Exception):
    """Base of every error this package raises on purpose."""

    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = EXIT_FAILURE
    warning_kind: ClassVar[str] = "FAILED"
    transient: ClassVar[bool] = False
    # Seconds a client should wait before trying again (the API's Retry-After), if any.
    retry_after_sec: ClassVar[int | None] = None
    title: ClassVar[str] = "Something went wrong."
    # May name {pipeline} and {region}: the page fills them in as text.
    advice: ClassVar[str] = ""
    # The machine-readable code of an error answer; None: not the client's business (500).
    code: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def reason(self) -> str:
        """The warning kind in words: ``ACCESS_DENIED`` -> ``access denied``."""
        return self.warning_kind.lower().replace("_", " ")


class InvalidParameter(LineageError):
    http_status = 400
    exit_code = EXIT_USAGE
    warning_kind = "INVALID"
    title = "This view cannot be opened."

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class ConfigError(LineageError):
    """An environment variable holds a value we cannot use."""

    exit_code = EXIT_USAGE
    title = "The server is misconfigured."


class DefinitionError(LineageError):
    """A definition that is not valid JSON or not shaped like a pipeline definition."""

    http_status = 502
    warning_kind = "INVALID"
    code = "InvalidDefinition"
    title = "The pipeline definition cannot be read."


class PipelineNotFound(LineageError):
    http_status = 404
    exit_code = EXIT_NOT_FOUND
    warning_kind = "NOT_FOUND"
    title = "Pipeline not found."
    advice = (
        "There is no pipeline named {pipeline} in {region} that these credentials can see. "
        "Choose one from the list."
    )

    def __init__(self, message: str = "pipeline not found or domain filter mismatched") -> None:
        super().__init__(message)


class ExecutionNotFound(LineageError):
    http_status = 404
    exit_code = EXIT_NOT_FOUND
    warning_kind = "NOT_FOUND"
    title = "Execution not found."
    advice = (
        "It is not an execution of {pipeline}. Choose one from the list, or clear it to see "
        "the latest."
    )


class EstateNodeNotFound(LineageError):
    """The endpoint, model or model package asked about is not in the estate read."""

    http_status = 404
    exit_code = EXIT_NOT_FOUND
    warning_kind = "NOT_FOUND"
    title = "Not found in the estate."
    advice = "Nothing of that name was found in the regions and accounts read."


class TooManyRequests(LineageError):
    """A client asked for more AWS reads than its limit allows; cached answers still flow.

    ``retry_after`` (seconds) is when the limit lets the next one through.
    """

    http_status = 429
    exit_code = EXIT_AWS
    warning_kind = "RATE_LIMITED"
    transient = True
    title = "Too many requests."
    advice = "This browser asked AWS for more than its share. Try again in a minute."

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class AwsError(LineageError):
    """AWS refused or failed a call the request cannot do without."""

    http_status = 502
    exit_code = EXIT_AWS
    title = "AWS could not answer."
    code = "AwsError"

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation


class AwsNotFound(AwsError):
    http_status = 404
    exit_code = EXIT_NOT_FOUND
    warning_kind = "NOT_FOUND"
    code = "ResourceNotFound"


class AwsAccessDenied(AwsError):
    warning_kind = "ACCESS_DENIED"
    title = "AWS refused the request."
    advice = "The server's credentials may not read this. Ask for the read-only lineage policy."
    code = "AccessDenied"


class AwsThrottled(AwsError):
    http_status = 503
    warning_kind = "THROTTLED"
    transient = True
    retry_after_sec = 5
    title = "AWS is busy."
    advice = "SageMaker throttled the requests. Try again in a few seconds."
    code = "Throttling"


class AwsUnavailable(AwsError):
    http_status = 503
    warning_kind = "UNAVAILABLE"
    transient = True
    title = "AWS did not answer in time."
    advice = "Try again in a moment."
    code = "ServiceUnavailable"


class DeadlineExceeded(AwsUnavailable):
    """The request's deadline (``LINEAGE_REQUEST_DEADLINE_MS``) passed before AWS answered."""

    warning_kind = "DEADLINE_EXCEEDED"

    def __init__(self, message: str = "AWS did not answer within the request deadline") -> None:
        super().__init__(message)


class AwsCredentialsMissing(AwsError):
    http_status = 503
    warning_kind = "NO_CREDENTIALS"
    title = "No AWS credentials."
    advice = (
        "The server found no AWS credentials (profile, environment or role). Configure them "
        "and refresh."
    )
    code = "NoCredentials"
