"""``LineageApiStack``: the seed's deployment, one ``cdk deploy`` away.

API Gateway (REST, stage ``prod``) -> one Lambda function (``dashboard.aws_lambda.handler``)
-> SageMaker and S3, read only. Every read endpoint of the JSON API is a resource of its own
(its GET and OPTIONS both go to the function, so CORS preflights are answered by the same
code as on the server), and ``{proxy+}`` sends any other path there too, for the API's own
JSON 404. What API Gateway answers itself (throttling, a function that failed or timed out)
carries the same CORS headers, so a browser can read those errors as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from aws_cdk import Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from dashboard.api.cors import EXPOSED_HEADERS
from deploy.build_lambda import LAMBDA_PYTHON
from deploy.routes import Route, api_routes
from deploy.settings import ANY_ORIGIN, STAGE, ApiSettings
from deploy.stacks.readonly_role import ReadOnlyRole

HANDLER = "dashboard.aws_lambda.handler"
ENDPOINT_OUTPUT = "LineageApiEndpoint"
FUNCTION_OUTPUT = "LineageApiFunctionName"
# API Gateway's own answers, in the contract's error shape ({"message": ...}).
ERROR_BODY = '{"message":$context.error.messageString}'
ERROR_BODY_WITH_ID = '{"message":$context.error.messageString,"requestId":"$context.requestId"}'


def gateway_cors_headers(origins: tuple[str, ...]) -> dict[str, str]:
    """The CORS headers of API Gateway's own answers (quoted, as API Gateway wants static
    values). Static: with several origins none can be echoed, so only Vary is sent and a
    browser sees those errors as network errors, as it would from a server that allowed the
    page's origin nothing."""
    if not origins:
        return {}
    if origins == (ANY_ORIGIN,):
        return {"Access-Control-Allow-Origin": "'*'",
                "Access-Control-Expose-Headers": f"'{EXPOSED_HEADERS}'"}
    if len(origins) == 1:
        return {"Access-Control-Allow-Origin": f"'{origins[0]}'",
                "Access-Control-Expose-Headers": f"'{EXPOSED_HEADERS}'",
                "Vary": "'Origin'"}
    return {"Vary": "'Origin'"}


class LineageFunction(Construct):
    """The function, its log group (named as the seed's logs line expects) and its role."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: ApiSettings,
                 code: Path) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self, "Logs",
            log_group_name=f"/aws/lambda/{settings.function_name}",
            # A log group kept after `cdk destroy` would stop the next deploy ("already
            # exists"): it goes with the stack; retention bounds it meanwhile.
            removal_policy=RemovalPolicy.DESTROY,
            retention=logs.RetentionDays.INFINITE,
        )
        # Any of CloudWatch's values (checked in deploy/settings.py), not only the enum's.
        cfn_log_group = cast(logs.CfnLogGroup, self.log_group.node.default_child)
        cfn_log_group.retention_in_days = settings.log_retention_days
        self.role = ReadOnlyRole(
            self, "ReadOnly",
            principal=iam.ServicePrincipal("lambda.amazonaws.com"),
            buckets=settings.s3_buckets,
            description="SageMaker Lineage API: reads SageMaker and S3 settings, writes nothing",
        ).role
        # Its own log group only (no logs:CreateLogGroup: the stack makes it).
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[self.log_group.log_group_arn],
        ))
        self.function = lambda_.Function(
            self, "Function",
            function_name=settings.function_name,
            description="SageMaker Lineage JSON API (dashboard.aws_lambda)",
            runtime=lambda_.Runtime(f"python{LAMBDA_PYTHON}", lambda_.RuntimeFamily.PYTHON),
            architecture=lambda_.Architecture.ARM_64,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(code)),
            memory_size=settings.memory_mb,
            timeout=Duration.seconds(settings.timeout_sec),
            role=self.role,
            environment=settings.function_environment(),
            log_group=self.log_group,
        )


class LineageRestApi(Construct):
    """The REST API: stage ``prod``, a resource per endpoint, the catch-all, the gateway's
    own answers with CORS headers."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: ApiSettings,
                 function: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        routes = api_routes()
        cached = settings.cache_enabled
        self.api = apigw.RestApi(
            self, "Api",
            rest_api_name="LineageApi",
            description="SageMaker Lineage JSON API (GET /lineage and the other reads)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=False,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                throttling_rate_limit=settings.throttle_rate_limit,
                throttling_burst_limit=settings.throttle_burst_limit,
                cache_cluster_enabled=cached or None,
                cache_cluster_size=settings.cache_size_gb if cached else None,
                method_options={
                    f"{route.path}/GET": apigw.MethodDeploymentOptions(
                        caching_enabled=True,
                        cache_ttl=Duration.seconds(settings.cache_ttl_sec),
                        cache_data_encrypted=True,
                    )
                    for route in routes if cached and route.cacheable
                },
            ),
        )
        # RestApi adds an output of its own; the stack names the seed's.
        self.api.node.try_remove_child("Endpoint")
        # One permission for the whole API, not one per method (a function's resource
        # policy holds 20 KB).
        function.add_permission(
            "InvokedByApi",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=self.api.arn_for_execute_api(),
        )
        origin_keyed = bool(settings.cors_origins)
        for route in routes:
            self._route(route, function, origin_keyed)
        catch_all = self._integration(function)
        self.api.root.add_method("ANY", catch_all)
        self.api.root.add_proxy(default_integration=catch_all, any_method=True)
        headers = gateway_cors_headers(settings.cors_origins)
        for response_id, response_type, body in (
            ("Default4xx", apigw.ResponseType.DEFAULT_4_XX, ERROR_BODY),
            ("Default5xx", apigw.ResponseType.DEFAULT_5_XX, ERROR_BODY_WITH_ID),
            ("Throttled", apigw.ResponseType.THROTTLED, ERROR_BODY),
        ):
            # (jsii's enum-like members are not comparable: the id says which one.)
            extra = {"Retry-After": "'1'"} if response_id == "Throttled" else {}
            self.api.add_gateway_response(
                response_id, type=response_type, response_headers={**headers, **extra},
                templates={"application/json": body},
            )

    def _route(self, route: Route, function: lambda_.IFunction, origin_keyed: bool) -> None:
        """GET and OPTIONS of one endpoint. Its query parameters (and the Origin, which the
        CORS headers depend on) are declared, and are the cache key when caching is on:
        otherwise one pipeline's answer would be served for another's."""
        keys = [f"method.request.querystring.{name}" for name in route.query]
        if origin_keyed:
            keys.append("method.request.header.Origin")
        # resource_for_path: /lineage/by-domain under /lineage, whichever comes first.
        resource = self.api.root.resource_for_path(route.part)
        resource.add_method(
            "GET", self._integration(function, keys),
            request_parameters=dict.fromkeys(keys, False),
        )
        resource.add_method("OPTIONS", self._integration(function))

    @staticmethod
    def _integration(function: lambda_.IFunction,
                     cache_keys: list[str] | None = None) -> apigw.Integration:
        """Lambda proxy integration. Not ``LambdaIntegration``, which adds a permission per
        method: the API's one permission above covers them all."""
        return apigw.Integration(
            type=apigw.IntegrationType.AWS_PROXY,
            integration_http_method="POST",
            uri=Fn.join("", ["arn:", Aws.PARTITION, ":apigateway:", Aws.REGION,
                             ":lambda:path/2015-03-31/functions/", function.function_arn,
                             "/invocations"]),
            options=apigw.IntegrationOptions(cache_key_parameters=cache_keys or None),
        )


class LineageApiStack(Stack):
    """The JSON API as the seed deployed it: ``https://<apiId>.execute-api.<region>.
    amazonaws.com/prod/lineage``."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: ApiSettings,
                 code: Path, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.function = LineageFunction(self, "Lineage", settings=settings, code=code)
        self.rest_api = LineageRestApi(self, "Rest", settings=settings,
                                       function=self.function.function)
        api = self.rest_api.api
        CfnOutput(self, ENDPOINT_OUTPUT,
                  description="The API's base URL: GET <it>/lineage?pipeline=...",
                  value=Fn.join("", ["https://", api.rest_api_id, ".execute-api.", Aws.REGION,
                                     ".", Aws.URL_SUFFIX, f"/{STAGE}"]))
        CfnOutput(self, FUNCTION_OUTPUT, value=self.function.function.function_name,
                  description="Its logs: aws logs tail /aws/lambda/<it> --follow")
