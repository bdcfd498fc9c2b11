"""Seeding mechanics: put a :class:`World` into moto and the execution store.

Resources are created with boto3 over HTTP (so they pass through moto's real request
handling; the server serves its app on a private port while seeding), then the moto backend
objects are patched in-process where moto is unrealistic (fixed timestamps, job statuses and
failure reasons, final metrics, approval status). A live pipeline's runs are registered with
the store, and :meth:`Seeder.apply_live` keeps moto level with them as they move: the jobs of
steps that started since are created, those whose status changed are patched again. Runs
inside the sandbox server process only.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from lineage.sandbox import ACCOUNT_ID, SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY
from lineage.sandbox.executions import ExecutionStore
from lineage.sandbox.simulate import (
    JOB_STATUS,
    JobPlan,
    LiveSchedule,
    PipelineRef,
    Simulation,
    sagemaker_arn,
    simulate,
)
from lineage.sandbox.world.datasets import dataset_objects
from lineage.sandbox.world.estate import FEATURE_RUNS
from lineage.sandbox.world.specs import (
    ROLE_ARN,
    SEOUL,
    AccountSpec,
    BucketSpec,
    DomainSpec,
    EndpointSpec,
    JsonDict,
    MacieSpec,
    ModelSpec,
    PipelineSpec,
    VariantSpec,
    World,
    at,
    execution_role,
)

logger = logging.getLogger(__name__)

# Resources are created wave by wave, each wave in parallel: a later wave may name what an
# earlier one made (an endpoint config its models, an endpoint its config). Model packages come
# last and one by one, so each gets the version its ARN was simulated with.
_WAVES: tuple[frozenset[str], ...] = (
    frozenset({"model", "training"}),
    frozenset({"processing", "transform", "tuning"}),
    frozenset({"endpoint_config"}),
    frozenset({"endpoint"}),
)
# Kinds moto may refuse (a config naming a model moto lacks...): the step keeps its metadata
# and the resource is absent, as after a deletion.
_OPTIONAL_KINDS = frozenset({"endpoint_config", "endpoint"})
# Step status -> the EndpointStatus DescribeEndpoint reports.
_ENDPOINT_STATUS = {
    "Starting": "Creating",
    "Executing": "Creating",
    "Stopping": "OutOfService",
    "Stopped": "OutOfService",
    "Failed": "Failed",
    "Succeeded": "InService",
}


@dataclass
class Seeder:
    """Creates resources through ``endpoint`` and patches moto's backends."""

    endpoint: str
    store: ExecutionStore
    workers: int = 8
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    # Another account's id -> the role seeding it assumes (seed_account adds each).
    _roles: dict[str, str] = field(default_factory=dict)
    _package_versions: dict[tuple[str, str, str], int] = field(
        default_factory=lambda: defaultdict(int)
    )
    _groups: set[tuple[str, str, str]] = field(default_factory=set)
    _buckets: set[str] = field(default_factory=set)
    # What moto was last told of each live job ((kind, ARN) -> (status, end)) and of each live
    # run (execution ARN -> its jobs so), and the model artifacts moto gave a training job
    # before a patch hid them while it runs.
    _live_jobs: dict[tuple[str, str], tuple[str, datetime | None]] = field(default_factory=dict)
    _live_runs: dict[str, dict[tuple[str, str], tuple[str, datetime | None]]] = field(
        default_factory=dict
    )
    _live_objects: set[str] = field(default_factory=set)
    _live_last_run: dict[tuple[str, str], datetime] = field(default_factory=dict)
    _model_artifacts: dict[str, Any] = field(default_factory=dict)
    # (pipeline, execution id, step) -> the resource the step made, for deployments to name.
    _outputs: dict[tuple[str, str, str], JobPlan] = field(default_factory=dict)

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            session = boto3.session.Session(
                aws_access_key_id=SANDBOX_ACCESS_KEY_ID,
                aws_secret_access_key=SANDBOX_SECRET_ACCESS_KEY,
                region_name=region,
            )
            self._clients[key] = cast(Any, session).client(
                service,
                endpoint_url=self.endpoint,
                config=Config(
                    parameter_validation=False,
                    retries={"mode": "standard", "max_attempts": 2},
                    max_pool_connections=self.workers * 2,
                    s3={"addressing_style": "path"},
                ),
            )
        return self._clients[key]

    def account_client(self, service: str, region: str, role_arn: str) -> Any:
        """A client in another account: moto answers assumed-role credentials from the backend
        of the role's account."""
        key = (f"{service}@{role_arn}", region)
        if key not in self._clients:
            credentials = self.client("sts", region).assume_role(
                RoleArn=role_arn, RoleSessionName="sandbox-seeding"
            )["Credentials"]
            session = boto3.session.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
                region_name=region,
            )
            self._clients[key] = cast(Any, session).client(
                service,
                endpoint_url=self.endpoint,
                config=Config(parameter_validation=False, s3={"addressing_style": "path"}),
            )
        return self._clients[key]

    def client_in(self, account: str, service: str, region: str) -> Any:
        """A client in ``account``: the sandbox's own, or one on the role seed_account took."""
        if account == ACCOUNT_ID:
            return self.client(service, region)
        return self.account_client(service, region, self._roles[account])

    def close(self) -> None:
        """Close the clients' connections (the seeding endpoint goes away after seeding)."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    # --- the world -----------------------------------------------------------------------

    def seed(self, world: World) -> None:
        for bucket in world.buckets:
            self.create_bucket(bucket)
        for domain in world.domains:
            self.create_domain(domain)
        for pipeline in world.pipelines:
            self.seed_pipeline(pipeline)
            if pipeline.live is not None:
                ref = PipelineRef(pipeline.name, pipeline.region)
                self.store.add_live(LiveSchedule(ref, pipeline.definition, pipeline.live))
        for model in world.models:
            self.create_model(model)
        for endpoint in world.endpoints:
            self.create_endpoint(endpoint)
        for account in world.accounts:
            self.seed_account(account)
        for macie in world.macie:
            self.enable_macie(macie)
        self.seed_datasets(world)
        self.apply_live(self.store.live_simulations())

    def seed_datasets(self, world: World) -> None:
        """The dataset objects of the world's buckets (world.datasets) and its feature groups."""
        names = {bucket.name for bucket in world.buckets}
        objects = {uri: body for uri, body in dataset_objects(FEATURE_RUNS).items()
                   if uri[5:].partition("/")[0] in names}
        self._put_objects(objects, SEOUL, ACCOUNT_ID)
        for group in world.feature_groups:
            bucket, _, prefix = group.offline_store_uri[5:].partition("/")
            if bucket not in names:
                continue
            self.client("sagemaker", group.region).create_feature_group(
                FeatureGroupName=group.name,
                RecordIdentifierFeatureName=group.record_identifier,
                EventTimeFeatureName=group.event_time,
                FeatureDefinitions=[{"FeatureName": name, "FeatureType": kind}
                                    for name, kind in group.features],
                OfflineStoreConfig={"S3StorageConfig": {"S3Uri": group.offline_store_uri}},
                RoleArn=ROLE_ARN,
            )

    def seed_pipeline(
        self,
        pipeline: PipelineSpec,
        *,
        account: str = ACCOUNT_ID,
        all_branches: bool = False,
        step_names: list[str] | None = None,
    ) -> list[Simulation]:
        """The pipeline in ``account`` (another one once :meth:`seed_account` took its role)
        and its simulated executions, jobs and objects, all in that account."""
        for group in pipeline.model_package_groups:
            self.ensure_group(pipeline.region, group, account)
        self.client_in(account, "sagemaker", pipeline.region).create_pipeline(
            **_pipeline_request(pipeline, execution_role(account))
        )
        ref = PipelineRef(pipeline.name, pipeline.region, account)
        history: dict[str, Simulation] = {}
        simulations: list[Simulation] = []
        for spec in sorted(pipeline.executions, key=lambda e: e.started):
            sim = simulate(
                ref,
                spec.definition or pipeline.definition,
                spec,
                history=history,
                all_branches=all_branches,
                step_names=step_names,
                package_arn=partial(self._next_package_arn, account, pipeline.region),
            )
            history[spec.execution_id] = sim
            simulations.append(sim)
        for sim in simulations:
            self.apply(sim)
            for plan in sim.jobs:
                self._outputs[(pipeline.name, sim.execution.execution_id, plan.step)] = plan
        self._patch_pipeline(pipeline, simulations, account)
        return simulations

    def apply(self, sim: Simulation) -> None:
        """Create the simulation's jobs and objects, patch them, register the execution."""
        self._create_jobs(sim.jobs)
        self._put_objects(sim.objects, sim.execution.region, sim.execution.account)
        for plan in sim.jobs:
            self._patch_job(plan)
        self.store.add(sim.execution)

    def apply_live(self, simulations: Iterable[Simulation]) -> None:
        """Bring moto level with live runs as they stand: create the jobs and objects of steps
        that started since the last call, patch the jobs whose status changed, and date each
        pipeline's last run. The store answers for the executions themselves."""
        for sim in simulations:
            state: dict[tuple[str, str], tuple[str, datetime | None]] = {
                (p.kind, p.arn): (p.status, p.end) for p in sim.jobs
            }
            if self._live_runs.get(sim.execution.arn) == state:
                continue  # nothing moved (always so once a run is over)
            new = [p for p in sim.jobs if (p.kind, p.arn) not in self._live_jobs]
            if new:
                self._create_jobs(new)
            objects = {uri: body for uri, body in sim.objects.items()
                       if uri not in self._live_objects}
            self._put_objects(objects, sim.execution.region, sim.execution.account)
            self._live_objects |= set(objects)
            for plan in sim.jobs:
                if self._live_jobs.get((plan.kind, plan.arn)) != state[(plan.kind, plan.arn)]:
                    self._patch_job(plan)
            self._live_jobs |= state
            self._live_runs[sim.execution.arn] = state
            self._date_last_run(sim)

    def _create_jobs(self, plans: list[JobPlan]) -> None:
        with ThreadPoolExecutor(self.workers) as pool:
            for wave in _WAVES:
                list(pool.map(self._create_job, [p for p in plans if p.kind in wave]))
        for plan in plans:
            if plan.kind == "model_package":
                self.ensure_group(plan.region, plan.name, plan.account)
                self._create_job(plan)

    def _put_objects(self, objects: dict[str, bytes], region: str, account: str) -> None:
        for uri, body in objects.items():
            bucket, _, key = uri[5:].partition("/")
            self.client_in(account, "s3", region).put_object(Bucket=bucket, Key=key, Body=body)

    def _date_last_run(self, sim: Simulation) -> None:
        """DescribePipeline's LastRunTime: the newest run's start."""
        execution = sim.execution
        key = (execution.region, execution.pipeline_name)
        if key in self._live_last_run and self._live_last_run[key] >= execution.start:
            return
        self._live_last_run[key] = execution.start
        backend = sagemaker_backend(execution.region, execution.account)
        moto_pipeline = backend.pipelines.get(execution.pipeline_name)
        if moto_pipeline is not None:
            moto_pipeline.last_execution_time = naive(execution.start)

    def seed_account(self, account: AccountSpec) -> None:
        """Another account's buckets and pipelines, made with the role's credentials; the
        pipelines' executions are simulated as the first account's are, with that account's
        ARNs, and their jobs made in its backend."""
        self._roles[account.account_id] = account.role_arn
        for bucket in account.buckets:
            s3 = self.client_in(account.account_id, "s3", bucket.region)
            s3.create_bucket(**_bucket_request(bucket))
            _tag_bucket(s3, bucket)
        for pipeline in account.pipelines:
            self.seed_pipeline(pipeline, account=account.account_id)

    # --- deployments made outside the pipelines -----------------------------------------

    def create_model(self, model: ModelSpec) -> None:
        """A model whose container names a registered package or a training job's artifact."""
        source = model.source
        plan = self._outputs[(source.pipeline, source.execution_id, source.step)]
        container: JsonDict
        if plan.kind == "model_package":
            container = {"ModelPackageName": plan.arn}
        else:
            output = str(plan.request["OutputDataConfig"]["S3OutputPath"]).rstrip("/")
            container = {
                "Image": model.image,
                "ModelDataUrl": f"{output}/{plan.name}/output/model.tar.gz",
            }
        self.client("sagemaker", model.region).create_model(
            ModelName=model.name, Containers=[container], ExecutionRoleArn=ROLE_ARN
        )
        moto_model = sagemaker_backend(model.region)._models.get(model.name)
        if moto_model is not None:
            moto_model.creation_time = naive(model.created)

    def create_endpoint(self, endpoint: EndpointSpec) -> None:
        """The endpoint and its config; the status moto cannot reach is patched in."""
        sagemaker = self.client("sagemaker", endpoint.region)
        sagemaker.create_endpoint_config(
            EndpointConfigName=endpoint.config_name,
            ProductionVariants=[_variant(v) for v in endpoint.variants],
        )
        sagemaker.create_endpoint(
            EndpointName=endpoint.name,
            EndpointConfigName=endpoint.config_name,
            Tags=[{"Key": k, "Value": v} for k, v in endpoint.tags.items()],
        )
        backend = sagemaker_backend(endpoint.region)
        created = naive(endpoint.created)
        config = backend.endpoint_configs[endpoint.config_name]
        config.creation_time = created
        if endpoint.shadow_variants:
            # moto drops ShadowProductionVariants from the request; its answer is made from
            # the object's attributes, so the attribute is enough.
            config.shadow_production_variants = [_variant(v) for v in endpoint.shadow_variants]
        moto_endpoint = backend.endpoints[endpoint.name]
        moto_endpoint.creation_time = created
        moto_endpoint.last_modified_time = created + timedelta(minutes=9)
        moto_endpoint.endpoint_status = endpoint.status
        if endpoint.failure_reason:
            moto_endpoint.failure_reason = endpoint.failure_reason

    # --- S3 ------------------------------------------------------------------------------

    def create_bucket(self, bucket: BucketSpec) -> None:
        s3 = self.client("s3", bucket.region)
        s3.create_bucket(**_bucket_request(bucket))
        self._buckets.add(bucket.name)
        if bucket.encryption:
            rule: JsonDict = {"SSEAlgorithm": bucket.encryption}
            if bucket.encryption == "aws:kms":
                rule["KMSMasterKeyID"] = (
                    f"arn:aws:kms:{bucket.region}:{ACCOUNT_ID}:key/"
                    "1f2e3d4c-5b6a-4789-8abc-def012345678"
                )
            s3.put_bucket_encryption(
                Bucket=bucket.name,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": rule,
                            "BucketKeyEnabled": bucket.encryption == "aws:kms",
                        }
                    ]
                },
            )
        if bucket.versioning:
            # "Suspended" only exists after versioning was once enabled.
            s3.put_bucket_versioning(
                Bucket=bucket.name, VersioningConfiguration={"Status": "Enabled"}
            )
            if bucket.versioning == "Suspended":
                s3.put_bucket_versioning(
                    Bucket=bucket.name, VersioningConfiguration={"Status": "Suspended"}
                )
        if bucket.public_access:
            full = bucket.public_access == "all"
            s3.put_public_access_block(
                Bucket=bucket.name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": full,
                    "RestrictPublicBuckets": full,
                },
            )
        _tag_bucket(s3, bucket)
        if bucket.object_lock is not None:
            mode, days = bucket.object_lock
            s3.put_object_lock_configuration(
                Bucket=bucket.name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": mode, "Days": days}},
                },
            )
        if bucket.lifecycle:
            s3.put_bucket_lifecycle_configuration(
                Bucket=bucket.name, LifecycleConfiguration={"Rules": list(bucket.lifecycle)}
            )
        if bucket.policy:
            document = {"Version": "2012-10-17", "Statement": list(bucket.policy)}
            s3.put_bucket_policy(Bucket=bucket.name, Policy=json.dumps(document))

    def enable_macie(self, macie: MacieSpec) -> None:
        """Macie's session in that account and region (its findings are the sandbox's)."""
        self.client_in(macie.account, "macie2", macie.region).enable_macie(
            findingPublishingFrequency="FIFTEEN_MINUTES", status="ENABLED"
        )

    def ensure_buckets(self, names: Iterable[str], region: str) -> None:
        """Plain buckets (no settings) for names not created yet."""
        for name in sorted(set(names) - self._buckets):
            try:
                self.create_bucket(BucketSpec(name, region))
            except ClientError as exc:  # e.g. an invalid name moto refuses
                logger.warning("bucket %s not created: %s", name, exc)
                self._buckets.add(name)

    # --- SageMaker -----------------------------------------------------------------------

    def create_domain(self, domain: DomainSpec) -> None:
        self.client("sagemaker", domain.region).create_domain(
            DomainName=domain.name,
            AuthMode="IAM",
            DefaultUserSettings={"ExecutionRole": ROLE_ARN},
            SubnetIds=list(domain.subnet_ids),
            VpcId=domain.vpc_id,
            Tags=[{"Key": "Team", "Value": "ml-platform"}],
        )
        backend = sagemaker_backend(domain.region)
        for item in backend.domains.values():
            if item.domain_name == domain.name:
                item.creation_time = item.last_modified_time = naive(at(days=-60))

    def ensure_group(self, region: str, group: str, account: str = ACCOUNT_ID) -> None:
        if (account, region, group) in self._groups:
            return
        self._groups.add((account, region, group))
        self.client_in(account, "sagemaker", region).create_model_package_group(
            ModelPackageGroupName=group,
            ModelPackageGroupDescription=f"Models registered by pipelines ({group})",
        )

    def _next_package_arn(self, account: str, region: str, group: str) -> str:
        self._package_versions[(account, region, group)] += 1
        version = self._package_versions[(account, region, group)]
        return sagemaker_arn(region, "model-package", f"{group}/{version}", account)

    def _create_job(self, plan: JobPlan) -> None:
        sagemaker = self.client_in(plan.account, "sagemaker", plan.region)
        create = {
            "processing": sagemaker.create_processing_job,
            "training": sagemaker.create_training_job,
            "transform": sagemaker.create_transform_job,
            "tuning": sagemaker.create_hyper_parameter_tuning_job,
            "model": sagemaker.create_model,
            "model_package": sagemaker.create_model_package,
            "endpoint_config": sagemaker.create_endpoint_config,
            "endpoint": sagemaker.create_endpoint,
        }[plan.kind]
        if plan.kind in _OPTIONAL_KINDS:
            try:
                create(**plan.request)
            except Exception as exc:  # never let one resource stop the seeding
                logger.warning("%s %s not created (%s); metadata only", plan.kind, plan.name, exc)
            return
        try:
            answer = create(**plan.request)
        except Exception as exc:  # odd definitions: retry with the bare minimum
            logger.info(
                "%s %s with definition arguments failed (%s); minimal", plan.kind, plan.name, exc
            )
            answer = create(**minimal_request(plan))
        if plan.kind == "model_package":
            created = answer.get("ModelPackageArn")
            if created and created != plan.arn:
                logger.warning("model package ARN %s, expected %s", created, plan.arn)

    def _patch_job(self, plan: JobPlan) -> None:
        backend = sagemaker_backend(plan.region, plan.account)
        start, end = naive(plan.start), naive(plan.end) if plan.end else None
        status = JOB_STATUS.get(plan.status, "Completed")
        if plan.kind == "training":
            job = backend.training_jobs.get(plan.name)
            if job is None:
                return
            job.creation_time = start
            job.training_start_time = start + timedelta(seconds=70)
            job.training_end_time = end
            job.last_modified_time = end or start + timedelta(seconds=70)
            job.training_job_status = status
            job.secondary_status = {"InProgress": "Training", "Completed": "Completed"}.get(
                status, status
            )
            job.secondary_status_transitions = _transitions(start, end, status)
            if plan.failure_reason:
                job.failure_reason = plan.failure_reason
            # A live job is patched again when it completes: keep what moto made to give back.
            artifacts = self._model_artifacts.setdefault(plan.name, job.model_artifacts)
            job.model_artifacts = artifacts if status == "Completed" else None
            stamp = end or start
            final = plan.metrics if status != "InProgress" else {}  # once the job is over
            job.final_metric_data_list = [
                {"MetricName": name, "Value": float(value), "Timestamp": stamp}
                for name, value in final.items()
            ] or None
            if plan.metrics:
                job.algorithm_specification["MetricDefinitions"] = [
                    {"Name": name, "Regex": f"{name}=([0-9\\.]+)"} for name in plan.metrics
                ]
        elif plan.kind == "processing":
            job = backend.processing_jobs.get(plan.name)
            if job is None:
                return
            job.creation_time = start
            job.processing_start_time = start + timedelta(seconds=60)
            job.processing_end_time = end
            job.last_modified_time = end or start + timedelta(seconds=60)
            job.processing_job_status = status
            if plan.failure_reason:
                job.failure_reason = plan.failure_reason
                job.exit_message = plan.failure_reason
        elif plan.kind == "transform":
            job = backend.transform_jobs.get(plan.name)
            if job is None:
                return
            job.creation_time = start
            job.transform_start_time = start + timedelta(seconds=60)
            job.transform_end_time = end
            job.last_modified_time = end or start
            job.transform_job_status = status
            job.failure_reason = plan.failure_reason or ""
        elif plan.kind == "tuning":
            job = backend.hyper_parameter_tuning_jobs.get(plan.name)
            if job is None:
                return
            job.creation_time = start
            job.hyper_parameter_tuning_end_time = end
            job.last_modified_time = end or start
            job.hyper_parameter_tuning_job_status = status
            best = next(iter(_tuning_best(backend, plan)), None)
            if best is not None:
                job.best_training_job = best
        elif plan.kind == "model":
            model = backend._models.get(plan.name) if hasattr(backend, "_models") else None
            if model is not None:
                model.creation_time = start
        elif plan.kind == "endpoint_config":
            config = backend.endpoint_configs.get(plan.name)
            if config is not None:
                config.creation_time = start
        elif plan.kind == "endpoint":
            endpoint = backend.endpoints.get(plan.name)
            if endpoint is not None:
                endpoint.creation_time = start
                endpoint.last_modified_time = end or start
                endpoint.endpoint_status = _ENDPOINT_STATUS.get(plan.status, "InService")
                if plan.failure_reason:
                    endpoint.failure_reason = plan.failure_reason
        elif plan.kind == "model_package":
            package = backend.model_packages.get(plan.arn)
            if package is not None:
                package.creation_time = start
                package.last_modified_time = end or start
                package.model_approval_status = plan.approval

    def _patch_pipeline(
        self, pipeline: PipelineSpec, simulations: list[Simulation], account: str
    ) -> None:
        moto_pipeline = sagemaker_backend(pipeline.region, account).pipelines.get(pipeline.name)
        if moto_pipeline is None:
            return
        created = naive(pipeline.created)
        moto_pipeline.creation_time = created
        moto_pipeline.last_modified_time = max(
            [created] + [naive(s.execution.start) - timedelta(minutes=5) for s in simulations]
        )
        if simulations:
            moto_pipeline.last_execution_time = naive(max(s.execution.start for s in simulations))


def _pipeline_request(pipeline: PipelineSpec, role_arn: str) -> JsonDict:
    """CreatePipeline's arguments for a pipeline spec, run as ``role_arn``."""
    return {
        "PipelineName": pipeline.name,
        "PipelineDisplayName": pipeline.display_name or pipeline.name,
        "PipelineDefinition": json.dumps(pipeline.definition),
        **({"PipelineDescription": pipeline.description} if pipeline.description else {}),
        "RoleArn": role_arn,
        "Tags": [{"Key": k, "Value": v} for k, v in pipeline.tags.items()],
    }


def _bucket_request(bucket: BucketSpec) -> JsonDict:
    """CreateBucket's arguments: the location constraint outside us-east-1."""
    request: JsonDict = {"Bucket": bucket.name}
    if bucket.object_lock is not None:  # only at creation; it turns versioning on
        request["ObjectLockEnabledForBucket"] = True
    if bucket.region != "us-east-1":
        request["CreateBucketConfiguration"] = {"LocationConstraint": bucket.region}
    return request


def _tag_bucket(s3: Any, bucket: BucketSpec) -> None:
    if bucket.tags:
        s3.put_bucket_tagging(
            Bucket=bucket.name,
            Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in bucket.tags.items()]},
        )


def _variant(variant: VariantSpec) -> JsonDict:
    return {
        "VariantName": variant.name,
        "ModelName": variant.model,
        "InstanceType": variant.instance_type,
        "InitialInstanceCount": variant.instances,
        "InitialVariantWeight": variant.weight,
    }


def _tuning_best(backend: Any, plan: JobPlan) -> list[JsonDict]:
    prefix = f"{plan.name}-001-"
    out: list[JsonDict] = []
    for name, job in backend.training_jobs.items():
        if name.startswith(prefix):
            metric = next(iter(plan.metrics.items()), ("validation:auc", 0.9))
            out.append(
                {
                    "TrainingJobName": name,
                    "TrainingJobArn": job.arn,
                    "TuningJobName": plan.name,
                    "CreationTime": job.creation_time,
                    "TrainingStartTime": job.training_start_time,
                    "TrainingEndTime": job.training_end_time,
                    "TrainingJobStatus": job.training_job_status,
                    "TunedHyperParameters": {"eta": "0.2"},
                    "FinalHyperParameterTuningJobObjectiveMetric": {
                        "MetricName": metric[0],
                        "Value": float(metric[1]),
                    },
                    "ObjectiveStatus": "Succeeded",
                }
            )
    return out


def _transitions(start: datetime, end: datetime | None, status: str) -> list[JsonDict]:
    out: list[JsonDict] = [
        {
            "Status": "Starting",
            "StartTime": start,
            "EndTime": start + timedelta(seconds=60),
            "StatusMessage": "Preparing the instances for training",
        },
        {
            "Status": "Downloading",
            "StartTime": start + timedelta(seconds=60),
            "EndTime": start + timedelta(seconds=70),
            "StatusMessage": "Downloading input data",
        },
        {
            "Status": "Training",
            "StartTime": start + timedelta(seconds=70),
            "StatusMessage": "Training image download completed. Training in progress.",
        },
    ]
    if end is not None:
        out[-1]["EndTime"] = end
        out.append(
            {
                "Status": {"Completed": "Completed", "Failed": "Failed"}.get(status, "Stopped"),
                "StartTime": end,
                "EndTime": end,
                "StatusMessage": "Training job completed"
                if status == "Completed"
                else f"Training job {status.lower()}",
            }
        )
    return out


def minimal_request(plan: JobPlan) -> JsonDict:
    role = ROLE_ARN
    if plan.kind == "processing":
        return {
            "ProcessingJobName": plan.name,
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 30,
                }
            },
            "AppSpecification": {"ImageUri": "sandbox/processing:latest"},
            "RoleArn": role,
        }
    if plan.kind == "training":
        return {
            "TrainingJobName": plan.name,
            "AlgorithmSpecification": {
                "TrainingImage": "sandbox/training:latest",
                "TrainingInputMode": "File",
            },
            "RoleArn": role,
            "OutputDataConfig": {"S3OutputPath": "s3://sandbox-default-output/models"},
            "ResourceConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 30,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        }
    if plan.kind == "transform":
        return {
            "TransformJobName": plan.name,
            "ModelName": "sandbox-model",
            "TransformInput": {
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://sandbox/in"}
                }
            },
            "TransformOutput": {"S3OutputPath": "s3://sandbox/out"},
            "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.large"},
        }
    if plan.kind == "tuning":
        return {
            "HyperParameterTuningJobName": plan.name,
            "HyperParameterTuningJobConfig": {
                "Strategy": "Bayesian",
                "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
            },
        }
    if plan.kind == "model":
        return {
            "ModelName": plan.name,
            "PrimaryContainer": {"Image": "sandbox/inference:latest"},
            "ExecutionRoleArn": role,
        }
    return {
        "ModelPackageGroupName": plan.name,
        "ModelApprovalStatus": plan.approval or "PendingManualApproval",
    }


def sagemaker_backend(region: str, account: str = ACCOUNT_ID) -> Any:
    from moto.backends import get_backend

    return get_backend("sagemaker")[account][region]


def s3_backend() -> Any:
    from moto.backends import get_backend

    return get_backend("s3")[ACCOUNT_ID]["aws"]


def naive(moment: datetime) -> datetime:
    """moto keeps naive UTC datetimes."""
    return moment.astimezone(UTC).replace(tzinfo=None)
