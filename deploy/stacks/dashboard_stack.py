"""``LineageDashboardStack``: the repository's Docker image (dashboard + API) behind HTTPS.

Two ways, by ``dashboardService``: App Runner (HTTPS on its own domain, no certificate; not
in every region), or ECS Fargate behind an Application Load Balancer with an HTTPS listener
on the ACM certificate given as ``certificateArn``. Either runs as the read-only role and
sends traffic only once ``/readyz`` answers 200: nginx on the published port 8050 passes
``/readyz`` to the workers' health listener, which the probes reach through it.

With ``dashboardRedis=true`` an ElastiCache Redis (TLS, one node) in a VPC of the stack's
own holds the cache and the rate limits' counters shared by every instance
(``CACHE_TYPE=RedisCache``, ``CACHE_REDIS_URL``, ``LINEAGE_RATE_LIMIT_STORAGE_URI``).
"""

from __future__ import annotations

import re
from typing import cast

from aws_cdk import CfnOutput, Duration, Fn, IgnoreMode, RemovalPolicy, Stack
from aws_cdk import aws_apprunner as apprunner
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from deploy.settings import REPO, DashboardSettings
from deploy.stacks.readonly_role import ReadOnlyRole

# The image's published port (nginx) and its readiness path (Dockerfile, HEALTHCHECK).
PORT = 8050
READY_PATH = "/readyz"
REDIS_PORT = 6379
URL_OUTPUT = "LineageDashboardUrl"
_ECR_URI = re.compile(r"(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
                      r"(?P<repository>[a-z0-9._/-]+?)(?::[^@]+|@sha256:[0-9a-f]+)?")


def container_environment(settings: DashboardSettings, region: str,
                          redis_url: str | None) -> dict[str, str]:
    values = {
        "DEFAULT_REGION": region,
        "AWS_DEFAULT_REGION": region,
        # The load balancer (or App Runner's front) and the image's nginx: two hops whose
        # X-Forwarded-For is believed, so limits count clients, not the balancer.
        "LINEAGE_TRUSTED_PROXIES": "2",
    }
    if settings.cors_origins:
        values["CORS_ORIGINS"] = ",".join(settings.cors_origins)
    if redis_url is not None:
        values.update({
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": redis_url,
            "LINEAGE_RATE_LIMIT_STORAGE_URI": redis_url,
        })
    return {**values, **settings.environment}


class SharedRedis(Construct):
    """One Redis node (TLS, encrypted at rest) in the VPC's isolated subnets, reachable
    from ``clients`` only."""

    def __init__(self, scope: Construct, construct_id: str, *, vpc: ec2.IVpc,
                 clients: ec2.ISecurityGroup, node_type: str) -> None:
        super().__init__(scope, construct_id)
        security_group = ec2.SecurityGroup(self, "SecurityGroup", vpc=vpc,
                                           description="Lineage dashboard cache",
                                           allow_all_outbound=False)
        security_group.add_ingress_rule(clients, ec2.Port.tcp(REDIS_PORT),
                                        "the dashboard's instances")
        subnets = elasticache.CfnSubnetGroup(
            self, "Subnets", description="Lineage dashboard cache",
            subnet_ids=vpc.select_subnets(
                subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids,
        )
        group = elasticache.CfnReplicationGroup(
            self, "Redis",
            replication_group_description="SageMaker Lineage dashboard: cache and rate limits",
            engine="redis",
            cache_node_type=node_type,
            num_cache_clusters=1,
            automatic_failover_enabled=False,
            transit_encryption_enabled=True,
            at_rest_encryption_enabled=True,
            cache_subnet_group_name=subnets.ref,
            security_group_ids=[security_group.security_group_id],
        )
        self.url = Fn.join("", ["rediss://", group.attr_primary_end_point_address, ":",
                                group.attr_primary_end_point_port, "/0"])


class LineageDashboardStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, settings: DashboardSettings,
                 **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.settings = settings
        if settings.service == "apprunner":
            self._app_runner()
        else:
            self._fargate()

    def _image_asset(self) -> ecr_assets.DockerImageAsset:
        # Built and pushed by `cdk deploy` (synth builds nothing); .dockerignore keeps the
        # context to what the Dockerfile copies.
        return ecr_assets.DockerImageAsset(
            self, "Image", directory=str(REPO), platform=ecr_assets.Platform.LINUX_AMD64,
            ignore_mode=IgnoreMode.DOCKER,
        )

    def _redis(self, vpc: ec2.IVpc, clients: ec2.ISecurityGroup) -> str | None:
        if not self.settings.redis:
            return None
        redis = SharedRedis(self, "Cache", vpc=vpc, clients=clients,
                            node_type=self.settings.redis_node_type)
        url: str = redis.url
        return url

    def _role(self, service: str) -> iam.Role:
        return ReadOnlyRole(
            self, "ReadOnly", principal=iam.ServicePrincipal(service),
            description="SageMaker Lineage dashboard: reads SageMaker and S3 settings",
        ).role

    def _app_runner(self) -> None:
        settings = self.settings
        access = iam.Role(self, "ImageAccess",
                          assumed_by=iam.ServicePrincipal("build.apprunner.amazonaws.com"),
                          description="App Runner pulls the dashboard's image")
        if settings.image is None:
            asset = self._image_asset()
            asset.repository.grant_pull(access)
            image, image_type = asset.image_uri, "ECR"
        else:
            image = settings.image
            image_type = "ECR_PUBLIC" if image.startswith("public.ecr.aws/") else "ECR"
            self._grant_ecr_pull(access, image)
        redis_url = None
        network = None
        if settings.redis:
            # The connector's subnets carry all of the service's outbound traffic (AWS
            # APIs too): private, through a NAT gateway.
            vpc = self._vpc(nat_gateways=1, private=True)
            connector_group = ec2.SecurityGroup(self, "ConnectorSecurityGroup", vpc=vpc,
                                                description="Lineage dashboard (App Runner)")
            connector = apprunner.CfnVpcConnector(
                self, "Connector",
                subnets=vpc.select_subnets(
                    subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnet_ids,
                security_groups=[connector_group.security_group_id],
            )
            redis_url = self._redis(vpc, connector_group)
            network = apprunner.CfnService.NetworkConfigurationProperty(
                egress_configuration=apprunner.CfnService.EgressConfigurationProperty(
                    egress_type="VPC", vpc_connector_arn=connector.attr_vpc_connector_arn))
        scaling = apprunner.CfnAutoScalingConfiguration(
            self, "Scaling", auto_scaling_configuration_name="lineage-dashboard",
            min_size=1, max_size=settings.max_instances,
        )
        environment = container_environment(settings, self.region, redis_url)
        service = apprunner.CfnService(
            self, "Service",
            source_configuration=apprunner.CfnService.SourceConfigurationProperty(
                auto_deployments_enabled=False,
                authentication_configuration=(
                    apprunner.CfnService.AuthenticationConfigurationProperty(
                        access_role_arn=access.role_arn)
                    if image_type == "ECR" else None),
                image_repository=apprunner.CfnService.ImageRepositoryProperty(
                    image_identifier=image,
                    image_repository_type=image_type,
                    image_configuration=apprunner.CfnService.ImageConfigurationProperty(
                        port=str(PORT),
                        runtime_environment_variables=[
                            apprunner.CfnService.KeyValuePairProperty(name=name, value=value)
                            for name, value in environment.items()
                        ],
                    ),
                ),
            ),
            instance_configuration=apprunner.CfnService.InstanceConfigurationProperty(
                cpu=f"{settings.cpu} vCPU", memory=f"{settings.memory_gb} GB",
                instance_role_arn=self._role("tasks.apprunner.amazonaws.com").role_arn,
            ),
            health_check_configuration=apprunner.CfnService.HealthCheckConfigurationProperty(
                protocol="HTTP", path=READY_PATH, interval=10, timeout=5,
                healthy_threshold=1, unhealthy_threshold=5,
            ),
            network_configuration=network,
            auto_scaling_configuration_arn=scaling.attr_auto_scaling_configuration_arn,
        )
        # The role must be able to pull before App Runner first tries.
        service.node.add_dependency(access)
        CfnOutput(self, URL_OUTPUT, value=Fn.join("", ["https://", service.attr_service_url]),
                  description="The dashboard (and its JSON API: <it>/lineage?pipeline=...)")

    def _fargate(self) -> None:
        settings = self.settings
        vpc = self._vpc(nat_gateways=0, private=False)
        log_group = logs.LogGroup(self, "Logs", removal_policy=RemovalPolicy.DESTROY,
                                  retention=logs.RetentionDays.INFINITE)
        cfn_log_group = cast(logs.CfnLogGroup, log_group.node.default_child)
        cfn_log_group.retention_in_days = settings.log_retention_days
        image = (ecs.ContainerImage.from_docker_image_asset(self._image_asset())
                 if settings.image is None else ecs.ContainerImage.from_registry(settings.image))
        tasks = ec2.SecurityGroup(self, "TaskSecurityGroup", vpc=vpc,
                                  description="Lineage dashboard (Fargate tasks)")
        redis_url = self._redis(vpc, tasks)
        fargate = ecs_patterns.ApplicationLoadBalancedFargateService(
            self, "Service",
            cluster=ecs.Cluster(self, "Cluster", vpc=vpc),
            cpu=int(float(settings.cpu) * 1024),
            memory_limit_mib=int(float(settings.memory_gb) * 1024),
            desired_count=1,
            public_load_balancer=True,
            # Public subnets with public addresses: AWS APIs without a NAT gateway.
            assign_public_ip=True,
            task_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_groups=[tasks],
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificate=acm.Certificate.from_certificate_arn(
                self, "Certificate", cast(str, settings.certificate_arn)),
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            redirect_http=True,
            health_check_grace_period=Duration.seconds(60),
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            task_image_options=ecs_patterns.ApplicationLoadBalancedTaskImageOptions(
                image=image,
                container_port=PORT,
                task_role=self._role("ecs-tasks.amazonaws.com"),
                environment=container_environment(settings, self.region, redis_url),
                log_driver=ecs.LogDrivers.aws_logs(stream_prefix="dashboard",
                                                   log_group=log_group),
            ),
        )
        fargate.target_group.configure_health_check(
            path=READY_PATH, healthy_http_codes="200", interval=Duration.seconds(15),
            timeout=Duration.seconds(5), healthy_threshold_count=2,
            unhealthy_threshold_count=3,
        )
        scaling = fargate.service.auto_scale_task_count(min_capacity=1,
                                                        max_capacity=settings.max_instances)
        scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=70)
        CfnOutput(self, URL_OUTPUT,
                  value=Fn.join("", ["https://", fargate.load_balancer.load_balancer_dns_name]),
                  description="The dashboard; point a DNS name of the certificate at it")

    def _vpc(self, *, nat_gateways: int, private: bool) -> ec2.Vpc:
        subnets = [ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)]
        if private:
            subnets.append(ec2.SubnetConfiguration(
                name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS))
        if self.settings.redis:
            subnets.append(ec2.SubnetConfiguration(
                name="cache", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED))
        return ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=nat_gateways,
                       subnet_configuration=subnets)

    def _grant_ecr_pull(self, role: iam.Role, image: str) -> None:
        match = _ECR_URI.fullmatch(image)
        if match is None:
            return  # ECR Public: App Runner pulls it without a role
        repository = (f"arn:{self.partition}:ecr:{match['region']}:{match['account']}:"
                      f"repository/{match['repository']}")
        role.add_to_policy(iam.PolicyStatement(
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                     "ecr:GetDownloadUrlForLayer"],
            resources=[repository]))
        role.add_to_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"],
                                               resources=["*"]))
