from __future__ import annotations

import pytest

from lineage.config import Settings
from lineage.errors import ConfigError, InvalidParameter
from lineage.request import LineageRequest, parse_lineage_request

REGIONS = frozenset({"ap-northeast-2", "us-east-1"})
SETTINGS = Settings(default_region="ap-northeast-2")
ARN = "arn:aws:sagemaker:ap-northeast-2:123456789012:pipeline/mlops-pipeline/execution/abc123"


def parse(**params: str | None) -> LineageRequest:
    return parse_lineage_request(params, settings=SETTINGS, regions=REGIONS)


def test_defaults() -> None:
    assert parse(pipeline="mlops-pipeline") == LineageRequest(
        pipeline="mlops-pipeline", region="ap-northeast-2", include_latest_exec=True
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), ("Yes", True), ("no", False)],
)
def test_include_latest_exec_accepts_the_contract_spellings(raw: str, expected: bool) -> None:
    assert parse(pipeline="p", includeLatestExec=raw).include_latest_exec is expected


@pytest.mark.parametrize(
    ("params", "parameter", "fragment"),
    [
        ({}, "pipeline", "pipeline is required"),
        ({"pipeline": ""}, "pipeline", "pipeline is required"),
        ({"pipeline": "-leading"}, "pipeline", "letters, digits or hyphens"),
        ({"pipeline": "has space"}, "pipeline", "letters, digits or hyphens"),
        ({"pipeline": "a" * 257}, "pipeline", "letters, digits or hyphens"),
        ({"pipeline": "../../etc/passwd"}, "pipeline", "letters, digits or hyphens"),
        ({"pipeline": "p\x00"}, "pipeline", "control characters"),
        ({"pipeline": "p", "region": "mars-north-1"}, "region", "region"),
        ({"pipeline": "p", "includeLatestExec": "maybe"}, "includeLatestExec", "true, false"),
        ({"pipeline": "p", "domain": "<script>"}, "domain", "Studio domain name"),
        ({"pipeline": "p", "execution": "not an id!"}, "execution", "execution ARN or"),
        ({"pipeline": "p", "execution": ARN}, "execution", "does not belong"),
        ({"pipeline": "p", "region": "x" * 5000}, "region", "too long"),
    ],
)
def test_bad_parameters_name_the_parameter(
    params: dict[str, str], parameter: str, fragment: str
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse(**params)
    assert caught.value.parameter == parameter
    assert fragment in caught.value.message
    assert caught.value.http_status == 400


def test_execution_arn_of_this_pipeline_is_accepted() -> None:
    assert parse(pipeline="mlops-pipeline", execution=ARN).execution == ARN
    assert parse(pipeline="mlops-pipeline", execution="abc123").execution == "abc123"


def test_settings_from_env_explicit_beats_env_beats_default() -> None:
    env = {"DEFAULT_REGION": "us-east-1", "ENABLE_S3_META": "False", "S3_TIMEOUT_MS": "1500"}
    settings = Settings.from_env(env)
    assert (settings.default_region, settings.enable_s3_meta, settings.s3_timeout_ms) == (
        "us-east-1",
        False,
        1500,
    )
    assert Settings.from_env(env, default_region="eu-west-1").default_region == "eu-west-1"
    assert Settings.from_env({}).default_region == "ap-northeast-2"


@pytest.mark.parametrize(
    "env",
    [{"ENABLE_S3_META": "perhaps"}, {"S3_TIMEOUT_MS": "fast"}, {"S3_TIMEOUT_MS": "-1"}],
)
def test_settings_reject_unusable_values(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert next(iter(env)) in caught.value.message
