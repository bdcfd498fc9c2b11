"""The CDK app's context values (deploy/settings.py): defaults, and one clear line naming
the key, the value and what is allowed for each bad one. No aws_cdk, no node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deploy.settings import (
    DEFAULT_FUNCTION_NAME,
    ApiSettings,
    BucketScope,
    ContextError,
    Target,
    api_settings,
    check_keys,
    dashboard_settings,
    target,
)

SEOUL = Target("ap-northeast-2")
VIRGINIA = Target("us-east-1")
CERTIFICATE = ("arn:aws:acm:ap-northeast-2:123456789012:certificate/"
               "12345678-1234-1234-1234-123456789012")


def api(**context: Any) -> ApiSettings:
    return api_settings(context, SEOUL)


def refused(call: Any, *args: Any) -> str:
    with pytest.raises(ContextError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_defaults_are_the_seeds() -> None:
    settings = api()
    assert settings.function_name == DEFAULT_FUNCTION_NAME == "LineageApiFn"
    assert settings.function_environment() == {
        "DEFAULT_REGION": "ap-northeast-2",
        "ENABLE_S3_META": "true",
        "S3_TIMEOUT_MS": "5000",
        # docs/CONTRACT.md: GET from any origin by default, never with credentials.
        "CORS_ORIGINS": "*",
        "LINEAGE_REQUEST_DEADLINE_MS": "20000",
    }
    assert (settings.cache_enabled, settings.s3_buckets, settings.log_retention_days) == (
        False, (), 30)
    assert (settings.memory_mb, settings.timeout_sec) == (1024, 29)


def test_the_region_comes_from_the_context_then_the_cli() -> None:
    assert target({}, {}) == Target("ap-northeast-2")
    cli = {"CDK_DEFAULT_REGION": "eu-west-1", "CDK_DEFAULT_ACCOUNT": "123456789012"}
    assert target({}, cli) == Target("eu-west-1", "123456789012")
    assert target({"region": "us-west-2"}, cli).region == "us-west-2"
    message = refused(target, {"region": "mars-1"}, {})
    assert message.startswith("context region='mars-1': a region where SageMaker exists: ")
    assert "ap-northeast-2" in message
    assert "account" in refused(target, {"account": "12345"}, {})


def test_the_seeds_variable_names_are_keys_too() -> None:
    settings = api(DEFAULT_REGION="us-east-1", ENABLE_S3_META="false", S3_TIMEOUT_MS="800")
    assert settings.function_environment()["DEFAULT_REGION"] == "us-east-1"
    assert settings.function_environment()["ENABLE_S3_META"] == "false"
    assert settings.function_environment()["S3_TIMEOUT_MS"] == "800"
    assert api(enableS3Meta=False, s3TimeoutMs=900).s3_timeout_ms == 900
    assert refused(api_settings, {"ENABLE_S3_META": "maybe"}, SEOUL) == \
        "context ENABLE_S3_META='maybe': true or false"
    assert refused(api_settings, {"DEFAULT_REGION": "nowhere-1"}, SEOUL).startswith(
        "context DEFAULT_REGION='nowhere-1': a region where SageMaker exists")
    assert "only one of them" in refused(
        api_settings, {"defaultRegion": "us-east-1", "DEFAULT_REGION": "eu-west-1"}, SEOUL)


@pytest.mark.parametrize(("given", "scopes"), [
    ("my-bucket", (BucketScope("my-bucket"),)),
    ("a-bucket, reports.bucket/evaluations/", (BucketScope("a-bucket"),
                                               BucketScope("reports.bucket", "evaluations/"))),
    (["s3://a-bucket/x/", "a-bucket/x/"], (BucketScope("a-bucket", "x/"),)),
])
def test_bucket_lists(given: Any, scopes: tuple[BucketScope, ...]) -> None:
    assert api(s3Buckets=given).s3_buckets == scopes


@pytest.mark.parametrize("bad", ["My_Bucket", "ab", "-bucket", "a..b", "192.168.1.1",
                                 "bucket/pre*fix", "bucket/what?", " , ", "x" * 64])
def test_a_bad_bucket_list_names_the_entry(bad: str) -> None:
    message = refused(api_settings, {"s3Buckets": bad}, SEOUL)
    assert message.startswith("context s3Buckets=")
    assert "bucket" in message.split(": ", 1)[1]


def test_log_retention_is_one_cloudwatch_accepts() -> None:
    assert api(logRetentionDays="365").log_retention_days == 365
    assert api(logRetentionDays=3653).log_retention_days == 3653
    for bad in ("31", "forever", True, "0"):
        message = refused(api_settings, {"logRetentionDays": bad}, SEOUL)
        assert message.startswith("context logRetentionDays=")
        assert "one of 1, 3, 5, 7, 14, 30" in message


def test_cors_origins() -> None:
    assert api(corsOrigins="https://a.example.com, http://localhost:3000").cors_origins == (
        "https://a.example.com", "http://localhost:3000")
    assert api(corsOrigins="none").cors_origins == ()
    assert api(corsOrigins="none").function_environment()["CORS_ORIGINS"] == ""
    assert api(corsOrigins=["*"]).cors_origins == ("*",)
    for bad in ("null", "https://a.example.com/path", "a.example.com", "*,https://x.io"):
        assert refused(api_settings, {"corsOrigins": bad}, SEOUL).startswith("context corsOrigins=")


def test_numbers_have_bounds() -> None:
    assert api(throttleRateLimit="2.5", throttleBurstLimit="5").throttle_rate_limit == 2.5
    assert refused(api_settings, {"throttleRateLimit": "0"}, SEOUL) == (
        "context throttleRateLimit='0': a number from 0.001 to 10000 (requests per second)")
    assert "from 0 to 5000" in refused(api_settings, {"throttleBurstLimit": "1.5"}, SEOUL)
    assert "a whole number from 128 to 10240" in refused(api_settings, {"memoryMb": "lots"}, SEOUL)
    assert "29 s" in refused(api_settings, {"timeoutSec": "60"}, SEOUL)
    assert "from 0 to 3600" in refused(api_settings, {"cacheTtlSec": "-1"}, SEOUL)


def test_the_deadline_fits_the_timeout() -> None:
    assert api(timeoutSec="10").function_environment()["LINEAGE_REQUEST_DEADLINE_MS"] == "8000"


def test_cache_settings() -> None:
    settings = api(cacheEnabled="true", cacheSizeGb="1.6", cacheTtlSec="60")
    assert (settings.cache_enabled, settings.cache_size_gb, settings.cache_ttl_sec) == (
        True, "1.6", 60)
    assert api(cacheSizeGb=0.5).cache_size_gb == "0.5"
    assert refused(api_settings, {"cacheSizeGb": "2"}, SEOUL) == (
        "context cacheSizeGb='2': one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237")
    assert refused(api_settings, {"cacheEnabled": "sometimes"}, SEOUL).endswith("true or false")


def test_function_name_and_package() -> None:
    assert api(functionName="MyLineage_2").function_name == "MyLineage_2"
    assert "Lambda function name" in refused(api_settings, {"functionName": "a b"}, SEOUL)
    assert "build_lambda.py" in refused(api_settings, {"lambdaPackage": "/nonexistent"}, SEOUL)


def test_more_variables_are_checked_as_the_product_reads_them(tmp_path: Path) -> None:
    settings = api(environment={"LINEAGE_REGIONS": "ap-northeast-2,us-east-1",
                                "LINEAGE_AWS_MAX_WORKERS": 8})
    assert settings.function_environment()["LINEAGE_AWS_MAX_WORKERS"] == "8"
    assert api(environment="LINEAGE_RATE_LIMIT=100/minute; CACHE_DEFAULT_TIMEOUT=60") \
        .environment == {"LINEAGE_RATE_LIMIT": "100/minute", "CACHE_DEFAULT_TIMEOUT": "60"}
    # What would stop the function at its start stops the synth.
    assert refused(api_settings, {"environment": {"LINEAGE_AWS_MAX_WORKERS": "many"}}, SEOUL) \
        == ("context environment.LINEAGE_AWS_MAX_WORKERS='many': "
            "LINEAGE_AWS_MAX_WORKERS must be a whole number, not 'many'")
    assert refused(api_settings, {"environment": "LINEAGE_RATE_LIMIT=lots"}, SEOUL) == (
        "context environment.LINEAGE_RATE_LIMIT='lots': "
        "LINEAGE_RATE_LIMIT must be a rate such as 60/minute, or off, not 'lots'")
    assert "AWS_" in refused(api_settings, {"environment": {"AWS_REGION": "x"}}, SEOUL)
    assert "defaultRegion" in refused(api_settings, {"environment": {"DEFAULT_REGION": "x"}},
                                      SEOUL)
    assert "corsOrigins" in refused(api_settings, {"environment": {"CORS_ORIGINS": "*"}}, SEOUL)
    assert "pairs" in refused(api_settings, {"environment": "JUSTANAME"}, SEOUL)


def test_an_unknown_key_is_a_typo() -> None:
    check_keys({"corsOrigins": "*", "@aws-cdk/core:newStyleStackSynthesis": True,
                "aws:cdk:enable-path-metadata": True, "acknowledged-issue-numbers": []})
    message = refused(check_keys, {"corsOrigin": "*"})
    assert message.startswith("context corsOrigin='*': unknown key (did you mean corsOrigins?")


def test_the_dashboard_defaults_follow_the_region() -> None:
    assert dashboard_settings({}, VIRGINIA).service == "apprunner"
    # No App Runner in Seoul: Fargate behind an HTTPS load balancer, which needs a certificate.
    assert refused(dashboard_settings, {}, SEOUL) == (
        "context certificateArn is not given: with dashboardService=fargate, the ARN of an "
        "ACM certificate in ap-northeast-2 for the load balancer's HTTPS listener")
    settings = dashboard_settings({"certificateArn": CERTIFICATE, "dashboardRedis": "yes"}, SEOUL)
    assert (settings.service, settings.redis, settings.cpu, settings.memory_gb) == (
        "fargate", True, "1", "2")
    assert "App Runner is not in ap-northeast-2" in refused(
        dashboard_settings, {"dashboardService": "apprunner"}, SEOUL)
    assert "in us-east-1" in refused(
        dashboard_settings, {"dashboardService": "fargate", "certificateArn": CERTIFICATE},
        VIRGINIA)


def test_dashboard_sizes_and_images() -> None:
    assert dashboard_settings({"dashboardCpu": "2"}, VIRGINIA).memory_gb == "4"
    assert refused(dashboard_settings, {"dashboardCpu": "2", "dashboardMemoryGb": "2"},
                   VIRGINIA) == "context dashboardMemoryGb='2': one of 4, 6 with dashboardCpu=2"
    assert dashboard_settings(
        {"dashboardImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/lineage:1.2"},
        VIRGINIA).image is not None
    assert "ECR" in refused(dashboard_settings, {"dashboardImage": "docker.io/x/y:1"}, VIRGINIA)
    assert "node type" in refused(dashboard_settings, {"redisNodeType": "t4g.micro"}, VIRGINIA)
    assert "dashboardEnvironment.LINEAGE_WORKERS" in refused(
        dashboard_settings, {"dashboardEnvironment": {"LINEAGE_WORKERS": "0"}}, VIRGINIA)
