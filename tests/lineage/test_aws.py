"""Exact-call tests of the AWS module with botocore's Stubber (no network)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from lineage.aws import AwsApi, ClientFactory, map_client_error
from lineage.config import Settings
from lineage.errors import AwsAccessDenied, AwsError, AwsNotFound, AwsThrottled

REGION = "ap-northeast-2"
EXECUTION = "arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/p/execution/abc123"


def _session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="AKIATESTTESTTESTTEST", aws_secret_access_key="secret", region_name=REGION
    )


@pytest.fixture
def clients() -> ClientFactory:
    return ClientFactory(Settings(aws_max_workers=24), session_factory=_session)


@pytest.fixture
def s3(clients: ClientFactory) -> Iterator[Stubber]:
    with Stubber(clients.client("s3", REGION)) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sagemaker(clients: ClientFactory) -> Iterator[Stubber]:
    with Stubber(clients.client("sagemaker", REGION)) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def test_clients_are_made_once_per_service_and_region_with_explicit_config(
    clients: ClientFactory,
) -> None:
    first = clients.client("sagemaker", REGION)
    assert clients.client("sagemaker", REGION) is first
    assert clients.client("sagemaker", "us-east-1") is not first
    config = first.meta.config
    assert config.retries["mode"] == "standard"
    assert config.max_pool_connections >= 24
    assert config.connect_timeout == 3.0
    assert config.read_timeout == 10.0


def test_clients_are_remade_in_a_forked_child(
    clients: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = clients.client("s3", REGION)
    monkeypatch.setattr("lineage.aws.os.getpid", lambda: 999_999)
    assert clients.client("s3", REGION) is not parent


def test_only_s3_and_macie_requests_skip_botocore_s_model_check(clients: ClientFactory) -> None:
    # Their parameters are built from bucket names the engine checked; SageMaker's carry a
    # client's names, and a bad one is still refused before it is sent.
    # botocore wraps a client's serializer in its validator when the check is on.
    def checked(client: Any) -> bool:
        return type(client._serializer).__name__ == "ParamValidationDecorator"

    assert not checked(clients.client("s3", REGION))
    assert not checked(clients.client("macie2", REGION))
    sagemaker = clients.client("sagemaker", REGION)
    assert checked(sagemaker)
    with pytest.raises(ParamValidationError):
        sagemaker.describe_pipeline(PipelineName=123)


def test_s3_client_uses_s3_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = ClientFactory(Settings(s3_timeout_ms=1500), session_factory=_session)
    assert factory.client("s3", REGION).meta.config.read_timeout == 1.5


def test_executions_are_asked_newest_first(clients: ClientFactory, sagemaker: Stubber) -> None:
    sagemaker.add_response(
        "list_pipeline_executions",
        {"PipelineExecutionSummaries": [{"PipelineExecutionArn": EXECUTION}]},
        {
            "PipelineName": "p",
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
            "MaxResults": 20,
        },
    )
    api = AwsApi(clients, REGION)
    assert api.list_pipeline_executions("p")[0]["PipelineExecutionArn"] == EXECUTION
    assert api.operations == ["sagemaker:ListPipelineExecutions"]


def test_a_page_of_executions_passes_the_token_and_gives_the_next(
    clients: ClientFactory, sagemaker: Stubber
) -> None:
    asked = {"PipelineName": "p", "SortBy": "CreationTime", "SortOrder": "Descending",
             "MaxResults": 100}
    sagemaker.add_response(
        "list_pipeline_executions",
        {"PipelineExecutionSummaries": [{"PipelineExecutionArn": EXECUTION}], "NextToken": "t1"},
        asked,
    )
    sagemaker.add_response("list_pipeline_executions", {"PipelineExecutionSummaries": []},
                           {**asked, "NextToken": "t1"})
    api = AwsApi(clients, REGION)
    first, following = api.pipeline_executions_page("p", 100)
    assert [s["PipelineExecutionArn"] for s in first] == [EXECUTION] and following == "t1"
    assert api.pipeline_executions_page("p", 100, "t1") == ([], None)


def test_step_pages_use_max_results_100_and_follow_tokens(
    clients: ClientFactory, sagemaker: Stubber
) -> None:
    sagemaker.add_response(
        "list_pipeline_execution_steps",
        {"PipelineExecutionSteps": [{"StepName": "A"}], "NextToken": "t1"},
        {"PipelineExecutionArn": EXECUTION, "MaxResults": 100},
    )
    sagemaker.add_response(
        "list_pipeline_execution_steps",
        {"PipelineExecutionSteps": [{"StepName": "B"}]},
        {"PipelineExecutionArn": EXECUTION, "MaxResults": 100, "NextToken": "t1"},
    )
    pages = list(AwsApi(clients, REGION).execution_step_pages(EXECUTION))
    assert [[step["StepName"] for step in page] for page in pages] == [["A"], ["B"]]


@pytest.mark.parametrize(
    ("response", "error", "expected"),
    [
        (
            {
                "ServerSideEncryptionConfiguration": {
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
                }
            },
            None,
            "aws:kms",
        ),
        (None, ("ServerSideEncryptionConfigurationNotFoundError", 404), "None"),
    ],
)
def test_encryption_not_configured_is_data(
    clients: ClientFactory, s3: Stubber, response: Any, error: Any, expected: str
) -> None:
    if error:
        s3.add_client_error("get_bucket_encryption", error[0], http_status_code=error[1])
    else:
        s3.add_response("get_bucket_encryption", response, {"Bucket": "b1"})
    assert AwsApi(clients, REGION).bucket_encryption("b1") == expected


def test_bucket_settings_not_configured_answers(clients: ClientFactory, s3: Stubber) -> None:
    s3.add_client_error(
        "get_public_access_block", "NoSuchPublicAccessBlockConfiguration", http_status_code=404
    )
    s3.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404)
    s3.add_response("get_bucket_versioning", {}, {"Bucket": "b1"})
    s3.add_response("get_bucket_location", {}, {"Bucket": "b1"})  # us-east-1: no constraint
    api = AwsApi(clients, REGION)
    assert api.bucket_public_access("b1") == "NotBlocked"
    assert api.bucket_tags("b1") == {}
    assert api.bucket_versioning("b1") == "Disabled"
    assert api.bucket_region("b1") == "us-east-1"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((True, True, True, True), "Blocked"),
        ((True, False, True, False), "Partial"),
        ((False, False, False, False), "NotBlocked"),
    ],
)
def test_public_access_block_flags(
    clients: ClientFactory, s3: Stubber, flags: tuple[bool, ...], expected: str
) -> None:
    names = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    s3.add_response(
        "get_public_access_block",
        {"PublicAccessBlockConfiguration": dict(zip(names, flags, strict=True))},
        {"Bucket": "b1"},
    )
    assert AwsApi(clients, REGION).bucket_public_access("b1") == expected


@pytest.mark.parametrize(
    ("code", "status", "error_type"),
    [
        ("ThrottlingException", 400, AwsThrottled),
        ("SlowDown", 503, AwsThrottled),
        ("AccessDeniedException", 400, AwsAccessDenied),
        ("AccessDenied", 403, AwsAccessDenied),
        ("ResourceNotFound", 400, AwsNotFound),
    ],
)
def test_errors_are_mapped_without_aws_text(
    clients: ClientFactory,
    sagemaker: Stubber,
    code: str,
    status: int,
    error_type: type[AwsError],
) -> None:
    secret_text = "User: arn:aws:iam::123456789012:user/alice is not authorized"
    sagemaker.add_client_error(
        "describe_pipeline", code, service_message=secret_text, http_status_code=status
    )
    with pytest.raises(error_type) as caught:
        AwsApi(clients, REGION).describe_pipeline("p")
    assert "123456789012" not in caught.value.message
    assert caught.value.operation == "DescribePipeline"


def test_unexpected_exceptions_are_not_swallowed() -> None:
    with pytest.raises(ZeroDivisionError):
        map_client_error(ZeroDivisionError(), "X")


def test_report_read_is_bounded(clients: ClientFactory, s3: Stubber) -> None:
    def body(data: bytes) -> StreamingBody:
        return StreamingBody(io.BytesIO(data), len(data))

    expected = {"Bucket": "b1", "Key": "eval/evaluation.json", "Range": "bytes=0-10"}
    s3.add_response("get_object", {"Body": body(b'{"a": 1}')}, expected)
    s3.add_response("get_object", {"Body": body(b"x" * 11)}, expected)
    api = AwsApi(clients, REGION)
    assert api.read_object("b1", "eval/evaluation.json", max_bytes=10) == b'{"a": 1}'
    assert api.read_object("b1", "eval/evaluation.json", max_bytes=10) is None


class _CountingSession:
    """Stands in for a boto3 session: each client is a fresh object, counted."""

    def __init__(self) -> None:
        self.made = 0

    def client(self, service: str, **_: Any) -> Any:
        self.made += 1
        return _Client()


class _Client:
    pass


def test_a_thousand_regions_keep_at_most_max_clients_alive() -> None:
    import gc
    import weakref

    from lineage.aws import MAX_CLIENTS

    session = _CountingSession()
    factory = ClientFactory(Settings(), session_factory=lambda: session)  # type: ignore[arg-type,return-value]
    alive: list[weakref.ref[Any]] = []
    regions = [f"zz-evil-{i}" for i in range(1000)]
    for region in regions:
        alive.append(weakref.ref(factory.client("sagemaker", region)))
    gc.collect()
    assert sum(1 for ref in alive if ref() is not None) <= MAX_CLIENTS
    # The most recently used are kept; the least recently used went first.
    made = session.made
    for region in regions[-MAX_CLIENTS:]:
        factory.client("sagemaker", region)
    assert session.made == made
    factory.client("sagemaker", regions[0])
    assert session.made == made + 1
