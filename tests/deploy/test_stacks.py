"""The synthesized stacks (issue 15): the templates of one real ``cdk synth`` by the npm CLI,
and of in-process synths with other context, read with ``aws_cdk.assertions``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from deploy.build_lambda import LAMBDA_PYTHON
from deploy.policy import actions, load_policy
from deploy.routes import api_routes
from deploy.settings import API_STACK, DASHBOARD_STACK
from tests.deploy.conftest import Synth, cli_synth

CERTIFICATE = ("arn:aws:acm:ap-northeast-2:123456789012:certificate/"
               "12345678-1234-1234-1234-123456789012")
# The second look, in-process: Seoul (Fargate behind HTTPS), cached, narrowed, two origins.
OTHER_CONTEXT = {
    "region": "ap-northeast-2",
    "cacheEnabled": "true", "cacheSizeGb": "1.6", "cacheTtlSec": "60",
    "s3Buckets": "features-apne2,reports-apne2/evaluations/",
    "corsOrigins": "https://a.example.com,https://b.example.com",
    "timeoutSec": "10", "logRetentionDays": "90",
    "certificateArn": CERTIFICATE, "dashboardRedis": "true",
}
WRITE_VERBS = ("Put", "Create", "Delete", "Update", "Start", "Stop", "Modify", "Attach",
               "Detach", "Tag", "Untag", "Add", "Remove", "Set", "Enable", "Disable", "Write",
               "Upload", "Restore", "Copy", "Invoke", "Send", "Pass")


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in template["Resources"].items()
            if resource["Type"] == kind}


def one(template: dict[str, Any], kind: str) -> dict[str, Any]:
    found = list(of_type(template, kind).values())
    assert len(found) == 1, (kind, len(found))
    properties: dict[str, Any] = found[0]["Properties"]
    return properties


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def api(synth: Synth) -> dict[str, Any]:
    return synth.template(API_STACK)


@pytest.fixture(scope="module")
def dashboard(synth: Synth) -> dict[str, Any]:
    return synth.template(DASHBOARD_STACK)


@pytest.fixture(scope="module")
def other(in_process: Any, tiny_package: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, dict[str, Any]]:
    app = in_process(context={**OTHER_CONTEXT, "lambdaPackage": str(tiny_package)},
                     outdir=str(tmp_path_factory.mktemp("cdk.out")), env={})
    assembly = app.synth()
    return {name: assembly.get_stack_by_name(name).template
            for name in (API_STACK, DASHBOARD_STACK)}


def resource_paths(template: dict[str, Any]) -> dict[str, str]:
    """Logical id of each API Gateway resource -> its full path."""
    resources = of_type(template, "AWS::ApiGateway::Resource")

    def path(name: str) -> str:
        parent = resources[name]["Properties"]["ParentId"]
        part = resources[name]["Properties"]["PathPart"]
        head = "" if "Fn::GetAtt" in parent else path(parent["Ref"])
        return f"{head}/{part}"

    return {name: path(name) for name in resources}


def methods(template: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(path, HTTP method) -> the method's properties."""
    paths = resource_paths(template)
    found = {}
    for resource in of_type(template, "AWS::ApiGateway::Method").values():
        properties = resource["Properties"]
        parent = properties["ResourceId"]
        path = "/" if "Fn::GetAtt" in parent else paths[parent["Ref"]]
        found[(path, properties["HttpMethod"])] = properties
    return found


def function_name(template: dict[str, Any]) -> str:
    return next(iter(of_type(template, "AWS::Lambda::Function")))


def goes_to_the_function(method: dict[str, Any], function: str) -> bool:
    integration = method["Integration"]
    return (integration["Type"] == "AWS_PROXY" and integration["IntegrationHttpMethod"] == "POST"
            and {"Fn::GetAtt": [function, "Arn"]} in integration["Uri"]["Fn::Join"][1])


def test_the_rest_api_has_the_seeds_prod_stage_and_throttling(api: dict[str, Any]) -> None:
    from aws_cdk.assertions import Match, Template

    template = Template.from_json(api)
    template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    template.has_resource_properties("AWS::ApiGateway::RestApi", {
        "EndpointConfiguration": {"Types": ["REGIONAL"]}})
    template.has_resource_properties("AWS::ApiGateway::Stage", {
        "StageName": "prod",
        "MethodSettings": Match.array_with([Match.object_like({
            "HttpMethod": "*", "ResourcePath": "/*",
            "ThrottlingRateLimit": 20, "ThrottlingBurstLimit": 40})]),
    })
    assert "CacheClusterEnabled" not in one(api, "AWS::ApiGateway::Stage")
    # Every method open as the seed's was (no authorizer), none served by API Gateway itself.
    for (path, verb), method in methods(api).items():
        assert method["AuthorizationType"] == "NONE", (path, verb)
        assert method["Integration"]["Type"] != "MOCK", (path, verb)


def test_every_read_endpoint_and_its_preflight_go_to_the_function(api: dict[str, Any]) -> None:
    found = methods(api)
    function = function_name(api)
    for route in api_routes():
        assert goes_to_the_function(found[(route.path, "GET")], function), route.path
        assert goes_to_the_function(found[(route.path, "OPTIONS")], function), route.path
    lineage = found[("/lineage", "GET")]
    assert lineage["RequestParameters"] == {
        "method.request.querystring.pipeline": False,
        "method.request.querystring.region": False,
        "method.request.querystring.includeLatestExec": False,
        "method.request.querystring.domain": False,
        "method.request.querystring.execution": False,
        "method.request.querystring.view": False,
        "method.request.querystring.format": False,
        "method.request.querystring.refresh": False,
        "method.request.header.Origin": False,
    }
    # /lineage/schema is a resource under /lineage's, each flag part of its cache key.
    nested = found[("/lineage/schema", "GET")]
    assert "method.request.querystring.include_featurestore" in nested["RequestParameters"]
    assert nested["RequestParameters"] == found[("/schema", "GET")]["RequestParameters"]
    # Anything else reaches the API too, for its JSON 404.
    assert goes_to_the_function(found[("/{proxy+}", "ANY")], function)
    assert goes_to_the_function(found[("/", "ANY")], function)
    assert len(found) == 2 * len(api_routes()) + 2
    # One permission for the API as a whole.
    permission = one(api, "AWS::Lambda::Permission")
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"]["Fn::Join"][1][-1] == "/*/*/*"


def test_api_gateways_own_answers_carry_cors_headers(api: dict[str, Any]) -> None:
    responses = {r["Properties"]["ResponseType"]: r["Properties"]
                 for r in of_type(api, "AWS::ApiGateway::GatewayResponse").values()}
    assert set(responses) == {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED"}
    for kind, response in responses.items():
        headers = response["ResponseParameters"]
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'", kind
        assert "X-Request-Id" in headers["gatewayresponse.header.Access-Control-Expose-Headers"]
        body = response["ResponseTemplates"]["application/json"]
        assert body.startswith('{"message":$context.error.messageString'), kind
    assert responses["THROTTLED"]["ResponseParameters"]["gatewayresponse.header.Retry-After"] \
        == "'1'"
    assert "$context.requestId" in responses["DEFAULT_5XX"]["ResponseTemplates"][
        "application/json"]


def test_the_function(api: dict[str, Any]) -> None:
    function = one(api, "AWS::Lambda::Function")
    runtime = re.fullmatch(r"python3\.(\d+)", function["Runtime"])
    assert runtime is not None and int(runtime[1]) >= 11
    assert function["Runtime"] == f"python{LAMBDA_PYTHON}"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "dashboard.aws_lambda.handler"
    assert function["FunctionName"] == "LineageApiFn"
    assert (function["MemorySize"], function["Timeout"]) == (1024, 29)
    assert function["Environment"]["Variables"] == {
        "DEFAULT_REGION": "us-east-1", "ENABLE_S3_META": "true", "S3_TIMEOUT_MS": "5000",
        "CORS_ORIGINS": "*", "LINEAGE_REQUEST_DEADLINE_MS": "20000"}
    logs = one(api, "AWS::Logs::LogGroup")
    # The seed's `aws logs tail /aws/lambda/LineageApiFn`.
    assert (logs["LogGroupName"], logs["RetentionInDays"]) == ("/aws/lambda/LineageApiFn", 30)
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": next(iter(
        of_type(api, "AWS::Logs::LogGroup")))}}


def role_policies(template: dict[str, Any], principal: str) -> tuple[dict[str, Any], str]:
    """The inline read-only policy of the role ``principal`` assumes, and the role's id."""
    for name, role in of_type(template, "AWS::IAM::Role").items():
        trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if any(s["Principal"].get("Service") == principal for s in trust):
            policies = role["Properties"]["Policies"]
            assert [p["PolicyName"] for p in policies] == ["LineageReadOnly"]
            document: dict[str, Any] = policies[0]["PolicyDocument"]
            return document, name
    raise AssertionError(f"no role for {principal}")


def normal(policy: dict[str, Any]) -> dict[str, Any]:
    """A policy as CloudFormation gets it from CDK: a list of one is that one value."""
    return {**policy, "Statement": [
        {key: value[0] if isinstance(value, list) and len(value) == 1 else value
         for key, value in statement.items()} for statement in policy["Statement"]]}


def assert_read_only(document: dict[str, Any]) -> None:
    # The file itself: the same statements, actions and resources.
    assert normal(document) == normal(load_policy())
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in listed(statement["Action"]):
            service, _, name = action.partition(":")
            assert action != "*" and name != "*" and "*" not in name, action
            assert not name.startswith(WRITE_VERBS), action


def test_the_functions_role_is_the_read_only_policy(api: dict[str, Any]) -> None:
    document, role = role_policies(api, "lambda.amazonaws.com")
    assert_read_only(document)
    assert actions(document) == actions(load_policy())
    assert one(api, "AWS::Lambda::Function")["Role"] == {"Fn::GetAtt": [role, "Arn"]}
    # Besides it, only writing its own log streams.
    logging = one(api, "AWS::IAM::Policy")
    assert logging["Roles"] == [{"Ref": role}]
    assert logging["PolicyDocument"]["Statement"] == [{
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [next(iter(of_type(api, "AWS::Logs::LogGroup"))), "Arn"]},
    }]
    assert not of_type(api, "AWS::IAM::ManagedPolicy")
    assert "ManagedPolicyArns" not in of_type(api, "AWS::IAM::Role")[role]["Properties"]


def test_the_outputs_are_named_as_the_seeds(api: dict[str, Any]) -> None:
    outputs = api["Outputs"]
    assert set(outputs) == {"LineageApiEndpoint", "LineageApiFunctionName"}
    parts = outputs["LineageApiEndpoint"]["Value"]["Fn::Join"][1]
    assert parts[0] == "https://" and parts[2] == ".execute-api." and parts[-1] == "/prod"
    assert outputs["LineageApiFunctionName"]["Value"] == {"Ref": function_name(api)}


def test_the_dashboard_on_app_runner_with_redis(dashboard: dict[str, Any]) -> None:
    service = one(dashboard, "AWS::AppRunner::Service")
    assert service["HealthCheckConfiguration"]["Protocol"] == "HTTP"
    assert service["HealthCheckConfiguration"]["Path"] == "/readyz"
    image = service["SourceConfiguration"]["ImageRepository"]
    # nginx's published port, which passes /readyz to the health listener (Dockerfile).
    assert image["ImageConfiguration"]["Port"] == "8050"
    assert image["ImageRepositoryType"] == "ECR"
    document, role = role_policies(dashboard, "tasks.apprunner.amazonaws.com")
    assert_read_only(document)
    assert service["InstanceConfiguration"]["InstanceRoleArn"] == {"Fn::GetAtt": [role, "Arn"]}
    variables = {v["Name"]: v["Value"] for v in image["ImageConfiguration"][
        "RuntimeEnvironmentVariables"]}
    assert variables["CACHE_TYPE"] == "RedisCache"
    assert variables["CACHE_REDIS_URL"] == variables["LINEAGE_RATE_LIMIT_STORAGE_URI"]
    assert variables["CACHE_REDIS_URL"]["Fn::Join"][1][0] == "rediss://"
    redis = one(dashboard, "AWS::ElastiCache::ReplicationGroup")
    assert (redis["Engine"], redis["CacheNodeType"]) == ("redis", "cache.t4g.micro")
    assert redis["TransitEncryptionEnabled"] and redis["AtRestEncryptionEnabled"]
    assert service["NetworkConfiguration"]["EgressConfiguration"]["EgressType"] == "VPC"
    one(dashboard, "AWS::AppRunner::VpcConnector")
    assert dashboard["Outputs"]["LineageDashboardUrl"]["Value"]["Fn::Join"][1][0] == "https://"


def test_caching_narrowing_and_origins_from_context(other: dict[str, dict[str, Any]]) -> None:
    api = other[API_STACK]
    stage = one(api, "AWS::ApiGateway::Stage")
    assert (stage["CacheClusterEnabled"], stage["CacheClusterSize"]) == (True, "1.6")
    cached = {s["ResourcePath"]: s for s in stage["MethodSettings"] if s.get("CachingEnabled")}
    # A method setting's path has each "/" of the resource's path escaped as "~1".
    expected = {"/" + route.path.replace("/", "~1") for route in api_routes() if route.cacheable}
    assert set(cached) == expected and "/~1lineage" in cached
    assert all(s["CacheTtlInSeconds"] == 60 and s["HttpMethod"] == "GET"
               for s in cached.values())
    # The cache key: each query parameter and the Origin (the CORS headers depend on it).
    lineage = methods(api)[("/lineage", "GET")]
    assert set(lineage["Integration"]["CacheKeyParameters"]) == set(lineage["RequestParameters"])
    assert "method.request.header.Origin" in lineage["Integration"]["CacheKeyParameters"]
    document, _ = role_policies(api, "lambda.amazonaws.com")
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert by_sid["S3BucketSettingsRead"]["Resource"] == [
        "arn:aws:s3:::features-apne2", "arn:aws:s3:::reports-apne2"]
    assert by_sid["EvaluationReportsReadOptional"]["Resource"] == [
        "arn:aws:s3:::features-apne2/*", "arn:aws:s3:::reports-apne2/evaluations/*"]
    assert actions(document) == actions(load_policy())
    function = one(api, "AWS::Lambda::Function")
    assert function["Environment"]["Variables"]["LINEAGE_REQUEST_DEADLINE_MS"] == "8000"
    assert function["Environment"]["Variables"]["DEFAULT_REGION"] == "ap-northeast-2"
    assert one(api, "AWS::Logs::LogGroup")["RetentionInDays"] == 90
    # Two origins: API Gateway's own answers cannot echo one, so they only vary by it.
    for response in of_type(api, "AWS::ApiGateway::GatewayResponse").values():
        headers = response["Properties"]["ResponseParameters"]
        assert "gatewayresponse.header.Access-Control-Allow-Origin" not in headers
        assert headers["gatewayresponse.header.Vary"] == "'Origin'"


def test_the_dashboard_on_fargate_behind_https(other: dict[str, dict[str, Any]]) -> None:
    from aws_cdk.assertions import Match, Template

    dashboard = other[DASHBOARD_STACK]
    template = Template.from_json(dashboard)
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {
        "Protocol": "HTTPS", "Port": 443,
        "Certificates": [{"CertificateArn": CERTIFICATE}]})
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", {
        "HealthCheckPath": "/readyz", "Matcher": {"HttpCode": "200"}})
    task = one(dashboard, "AWS::ECS::TaskDefinition")
    container = task["ContainerDefinitions"][0]
    assert container["PortMappings"][0]["ContainerPort"] == 8050
    variables = {v["Name"]: v["Value"] for v in container["Environment"]}
    assert variables["CACHE_TYPE"] == "RedisCache"
    assert variables["LINEAGE_TRUSTED_PROXIES"] == "2"
    document, role = role_policies(dashboard, "ecs-tasks.amazonaws.com")
    assert_read_only(document)
    assert task["TaskRoleArn"] == {"Fn::GetAtt": [role, "Arn"]}
    template.resource_count_is("AWS::ElastiCache::ReplicationGroup", 1)
    template.has_resource_properties("AWS::EC2::SecurityGroupIngress", Match.object_like(
        {"FromPort": 6379, "ToPort": 6379, "IpProtocol": "tcp"}))
    assert not of_type(dashboard, "AWS::EC2::NatGateway")


def test_a_bad_context_value_fails_synth_in_one_line(tmp_path: Path) -> None:
    result = cli_synth({"region": "mars-1"}, tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.output.splitlines() if "mars-1" in line]
    assert lines and lines[0].startswith(
        "error: context region='mars-1': a region where SageMaker exists: af-south-1, ")
    assert "Traceback" not in result.output and "jsii" not in result.output.lower()


def test_the_api_deploys_whatever_the_dashboards_context_says(in_process: Any,
                                                              tiny_package: Path,
                                                              tmp_path: Path) -> None:
    from aws_cdk.assertions import Annotations, Match

    # Seoul without a certificate: the dashboard cannot be deployed there, the API can.
    app = in_process(context={"region": "ap-northeast-2", "lambdaPackage": str(tiny_package)},
                     outdir=str(tmp_path), env={})
    stacks = {stack.node.id: stack for stack in app.node.children
              if stack.node.id in (API_STACK, DASHBOARD_STACK)}
    Annotations.from_stack(stacks[DASHBOARD_STACK]).has_error(
        "*", Match.string_like_regexp("context certificateArn is not given: with "
                                      "dashboardService=fargate"))
    assert not Annotations.from_stack(stacks[API_STACK]).find_error("*", Match.any_value())


def test_the_cli_pins_a_cdk_v2() -> None:
    package = json.loads((Path(__file__).parents[2] / "deploy" / "package.json").read_text())
    lock = json.loads((Path(__file__).parents[2] / "deploy" / "package-lock.json").read_text())
    version = package["devDependencies"]["aws-cdk"]
    assert re.fullmatch(r"2\.\d+\.\d+", version)
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == version
