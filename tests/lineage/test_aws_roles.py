"""LINEAGE_ACCOUNT_ROLES, the clients of assumed roles, and the estate's AwsApi operations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lineage.aws import ROLE_SESSION_NAME, AwsApi, ClientFactory
from lineage.config import ENV_ACCOUNT_ROLES, Settings, role_account
from lineage.errors import AwsAccessDenied, ConfigError

REGION = "ap-northeast-2"
ROLE = "arn:aws:iam::222233334444:role/lineage-readonly"


def test_roles_from_the_environment() -> None:
    settings = Settings.from_env({ENV_ACCOUNT_ROLES: f" {ROLE}, ,{ROLE},"
                                  "arn:aws:iam::333344445555:role/path/x"})
    assert settings.account_roles == (ROLE, "arn:aws:iam::333344445555:role/path/x")
    assert role_account(ROLE) == "222233334444"
    assert Settings.from_env({}).account_roles == ()


@pytest.mark.parametrize(
    "bad", ["arn:aws:iam::1234:role/x", "role/x", "arn:aws:iam::222233334444:user/x"]
)
def test_a_bad_role_arn_is_a_config_error_naming_the_variable(bad: str) -> None:
    with pytest.raises(ConfigError, match=ENV_ACCOUNT_ROLES):
        Settings.from_env({ENV_ACCOUNT_ROLES: bad})


class _Base:
    """A base session whose STS client is stubbed; other clients are real, offline."""

    def __init__(self, sts: Any) -> None:
        self.sts = sts

    def client(self, service: str, **kwargs: Any) -> Any:
        if service == "sts":
            return self.sts
        session: Any = boto3.session.Session(
            aws_access_key_id="base", aws_secret_access_key="base", region_name=REGION
        )
        return session.client(service, **kwargs)


def _sts() -> Any:
    return boto3.session.Session(
        aws_access_key_id="base", aws_secret_access_key="base", region_name=REGION
    ).client("sts")


def test_a_role_client_assumes_the_role_lazily_and_once() -> None:
    sts = _sts()
    factory = ClientFactory(Settings(), session_factory=lambda: _Base(sts))  # type: ignore[arg-type,return-value]
    with Stubber(sts) as stubber:
        client = factory.client("sagemaker", REGION, ROLE)  # no call yet
        assert factory.client("sagemaker", REGION, ROLE) is client
        assert factory.client("sagemaker", REGION) is not client
        stubber.add_response(
            "assume_role",
            {"Credentials": {"AccessKeyId": "AKIAROLE0000000000", "SecretAccessKey": "s" * 20,
                             "SessionToken": "t" * 20,
                             "Expiration": datetime.now(UTC) + timedelta(hours=1)}},
            {"RoleArn": ROLE, "RoleSessionName": ROLE_SESSION_NAME},
        )
        frozen = client._request_signer._credentials.get_frozen_credentials()
        assert frozen.access_key == "AKIAROLE0000000000"
        # Another service in the same role shares the credentials: no second AssumeRole.
        other = factory.client("s3", REGION, ROLE)
        assert other._request_signer._credentials.get_frozen_credentials().token == "t" * 20
        stubber.assert_no_pending_responses()


def test_an_assume_role_refusal_is_access_denied() -> None:
    sts = _sts()
    factory = ClientFactory(Settings(), session_factory=lambda: _Base(sts))  # type: ignore[arg-type,return-value]
    with Stubber(sts) as stubber:
        stubber.add_client_error("assume_role", "AccessDenied", http_status_code=403)
        api = AwsApi(factory, REGION, role=ROLE)
        with pytest.raises(AwsAccessDenied) as caught:
            api.list_models()
    assert caught.value.operation == "AssumeRole"


def test_role_clients_share_the_bounded_cache() -> None:
    sts = _sts()
    factory = ClientFactory(Settings(), session_factory=lambda: _Base(sts), max_clients=2)  # type: ignore[arg-type,return-value]
    first = factory.client("sagemaker", REGION, ROLE)
    factory.client("sagemaker", REGION)
    factory.client("s3", REGION, ROLE)
    assert factory.client("sagemaker", REGION, ROLE) is not first  # the oldest went first


def _stubbed(operation: str, response: dict[str, Any], params: dict[str, Any]) -> Any:
    factory = ClientFactory(Settings(), session_factory=lambda: boto3.session.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION))
    client = factory.client("sagemaker", REGION)
    stubber = Stubber(client)
    stubber.add_response(operation, response, params)
    return AwsApi(factory, REGION), stubber


def test_the_estate_operations_make_the_exact_calls() -> None:
    name = "m"
    arn = f"arn:aws:sagemaker:{REGION}:111122223333:model/m"
    cases: list[tuple[str, tuple[str, ...], str, dict[str, Any], dict[str, Any]]] = [
        ("list_models", (), "list_models", {"Models": []}, {"MaxResults": 100}),
        ("describe_model", (name,), "describe_model",
         {"ModelName": name, "ModelArn": arn, "CreationTime": datetime(2026, 1, 1)},
         {"ModelName": name}),
        ("list_endpoints", (), "list_endpoints", {"Endpoints": []}, {"MaxResults": 100}),
        ("list_model_package_groups", (), "list_model_package_groups",
         {"ModelPackageGroupSummaryList": []}, {"MaxResults": 100}),
        ("list_model_packages", ("g",), "list_model_packages", {"ModelPackageSummaryList": []},
         {"ModelPackageGroupName": "g", "SortBy": "CreationTime", "SortOrder": "Descending",
          "MaxResults": 100}),
    ]
    for method, args, operation, response, params in cases:
        api, stubber = _stubbed(operation, response, params)
        with stubber:
            getattr(api, method)(*args)
            stubber.assert_no_pending_responses()
    assert AwsApi.iam_action("sagemaker", "DescribeEndpointConfig") == \
        "sagemaker:DescribeEndpointConfig"
