"""A fake AWS at the one seam the engine has (``AwsApi.call``): answers from a table.

The service takes its per-request view of AWS from a factory (``LineageService(api=...)``), so
ordering, deadlines and failures are tested in milliseconds with this, not through the
sandbox. Every other part of ``AwsApi`` (paging, S3 "not configured" answers) stays real.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from lineage.aws import AwsApi, ClientFactory
from lineage.config import Settings
from lineage.errors import AwsError
from lineage.service import LineageService

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"
PIPELINE = "fake-pipeline"
PIPELINE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{PIPELINE}"
EXECUTION_ID = "exec000000001"
EXECUTION_ARN = f"{PIPELINE_ARN}/execution/{EXECUTION_ID}"
BUCKET = "fake-bucket"
STARTED = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
TRAINING_JOB = "pipelines-exec000000001-train-abc"
PROCESSING_JOB = "pipelines-exec000000001-prep-abc"

DEFINITION = {
    "Version": "2020-12-01",
    "Parameters": [{"Name": "Input", "Type": "String", "DefaultValue": f"s3://{BUCKET}/raw"}],
    "Steps": [
        {
            "Name": "Prep",
            "Type": "Processing",
            "Arguments": {
                "ProcessingInputs": [
                    {"InputName": "raw", "S3Input": {"S3Uri": {"Get": "Parameters.Input"}}}
                ],
                "ProcessingOutputConfig": {
                    "Outputs": [
                        {"OutputName": "train", "S3Output": {"S3Uri": f"s3://{BUCKET}/train"}}
                    ]
                },
            },
        },
        {
            "Name": "Train",
            "Type": "Training",
            "Arguments": {
                "InputDataConfig": [
                    {
                        "ChannelName": "train",
                        "DataSource": {
                            "S3DataSource": {
                                "S3Uri": {
                                    "Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train']"
                                    ".S3Output.S3Uri"
                                }
                            }
                        },
                    }
                ],
                "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/models"},
            },
        },
    ],
}

Answer = Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]] | Exception


def default_answers() -> dict[str, Any]:
    """Operation -> what AWS answers: one pipeline, one execution, two steps, one bucket."""

    def step(name: str, kind: str, job: str, offset: int) -> dict[str, Any]:
        resource = "training-job" if kind == "TrainingJob" else "processing-job"
        return {
            "StepName": name,
            "StepStatus": "Succeeded",
            "StartTime": STARTED + timedelta(minutes=offset),
            "EndTime": STARTED + timedelta(minutes=offset + 4),
            "Metadata": {
                kind: {"Arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}/{job}"}
            },
        }

    return {
        "DescribePipeline": {
            "PipelineName": PIPELINE,
            "PipelineArn": PIPELINE_ARN,
            "PipelineDefinition": json.dumps(DEFINITION),
            "LastModifiedTime": STARTED - timedelta(days=1),
        },
        "ListPipelineExecutions": {
            "PipelineExecutionSummaries": [
                {
                    "PipelineExecutionArn": EXECUTION_ARN,
                    "PipelineExecutionStatus": "Succeeded",
                    "StartTime": STARTED,
                }
            ]
        },
        "DescribePipelineExecution": {
            "PipelineExecutionArn": EXECUTION_ARN,
            "PipelineExecutionStatus": "Succeeded",
            "CreationTime": STARTED,
            "LastModifiedTime": STARTED + timedelta(minutes=10),
        },
        "DescribePipelineDefinitionForExecution": {"PipelineDefinition": json.dumps(DEFINITION)},
        "ListPipelineParametersForExecution": {
            "PipelineParameters": [{"Name": "Input", "Value": f"s3://{BUCKET}/raw"}]
        },
        "ListTags": {"Tags": [{"Key": "Team", "Value": "fake"}]},
        "ListPipelineExecutionSteps": {
            "PipelineExecutionSteps": [
                step("Train", "TrainingJob", TRAINING_JOB, 5),
                step("Prep", "ProcessingJob", PROCESSING_JOB, 0),
            ]
        },
        "DescribeProcessingJob": {
            "ProcessingJobName": PROCESSING_JOB,
            **DEFINITION["Steps"][0]["Arguments"],  # type: ignore[index]
        },
        "DescribeTrainingJob": {
            "TrainingJobName": TRAINING_JOB,
            "InputDataConfig": [
                {
                    "ChannelName": "train",
                    "DataSource": {"S3DataSource": {"S3Uri": f"s3://{BUCKET}/train"}},
                }
            ],
            "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/models"},
            "ModelArtifacts": {
                "S3ModelArtifacts": f"s3://{BUCKET}/models/{TRAINING_JOB}/output/model.tar.gz"
            },
            "FinalMetricDataList": [{"MetricName": "validation:auc", "Value": 0.9}],
        },
        "ListPipelines": {
            "PipelineSummaries": [
                {"PipelineName": PIPELINE, "PipelineArn": PIPELINE_ARN, "CreationTime": STARTED}
            ]
        },
        "ListDomains": {"Domains": []},
        # The account's buckets as ListBuckets lists them (a bucket not listed is asked its
        # GetBucketLocation).
        "ListBuckets": {"Buckets": [{"Name": BUCKET, "BucketRegion": REGION}]},
        "GetBucketLocation": {"LocationConstraint": REGION},
        "GetBucketEncryption": {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
            }
        },
        "GetBucketVersioning": {"Status": "Enabled"},
        "GetPublicAccessBlock": {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            }
        },
        "GetBucketTagging": {"TagSet": [{"Key": "Env", "Value": "test"}]},
        "GetBucketPolicyStatus": {"PolicyStatus": {"IsPublic": False}},
        "GetBucketLifecycleConfiguration": {"Rules": []},
        "GetObjectLockConfiguration": {"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}},
        "GetMacieSession": {"status": "ENABLED"},
        "GetFindingStatistics": {"countsByGroup": []},
    }


# Estate lineage: one group with one package registered by the execution, a model built from
# the training job's artifact and the package, an endpoint serving it.
GROUP = "fake-group"
GROUP_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{GROUP}"
PACKAGE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{GROUP}/1"
MODEL = "fake-model"
MODEL_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/{MODEL}"
ENDPOINT_CONFIG = "fake-config"
ENDPOINT_CONFIG_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/{ENDPOINT_CONFIG}"
ENDPOINT = "fake-endpoint"
ENDPOINT_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{ENDPOINT}"
MODEL_DATA = f"s3://{BUCKET}/models/{TRAINING_JOB}/output/model.tar.gz"


def estate_answers() -> dict[str, Any]:
    """What the registry and the serving side answer (the estate's operations)."""
    return {
        "ListModelPackageGroups": {
            "ModelPackageGroupSummaryList": [
                {"ModelPackageGroupName": GROUP, "ModelPackageGroupArn": GROUP_ARN}
            ]
        },
        "ListModelPackages": {
            "ModelPackageSummaryList": [
                {"ModelPackageArn": PACKAGE_ARN, "ModelPackageGroupName": GROUP}
            ]
        },
        "DescribeModelPackage": {
            "ModelPackageArn": PACKAGE_ARN,
            "ModelPackageGroupName": GROUP,
            "ModelPackageVersion": 1,
            "ModelApprovalStatus": "Approved",
            "InferenceSpecification": {"Containers": [{"ModelDataUrl": MODEL_DATA}]},
            "MetadataProperties": {"GeneratedBy": EXECUTION_ARN},
        },
        "ListModels": {"Models": [{"ModelName": MODEL, "ModelArn": MODEL_ARN}]},
        "DescribeModel": {
            "ModelName": MODEL,
            "ModelArn": MODEL_ARN,
            "PrimaryContainer": {"ModelDataUrl": MODEL_DATA, "ModelPackageName": PACKAGE_ARN},
        },
        "ListEndpoints": {
            "Endpoints": [
                {"EndpointName": ENDPOINT, "EndpointArn": ENDPOINT_ARN,
                 "EndpointStatus": "InService"}
            ]
        },
        "DescribeEndpoint": {
            "EndpointName": ENDPOINT,
            "EndpointArn": ENDPOINT_ARN,
            "EndpointConfigName": ENDPOINT_CONFIG,
            "EndpointStatus": "InService",
        },
        "DescribeEndpointConfig": {
            "EndpointConfigName": ENDPOINT_CONFIG,
            "EndpointConfigArn": ENDPOINT_CONFIG_ARN,
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": MODEL}],
        },
        # CloudTrail's event history (the estate's change feed): nothing written.
        "LookupEvents": {"Events": []},
    }


class Refusing(dict[str, Any]):
    """Answers that refuse every operation with ``error`` (a role that cannot be assumed)."""

    def __init__(self, error: AwsError) -> None:
        super().__init__()
        self.error = error

    def get(self, _operation: str, _default: Any = None) -> Any:
        return self.error


class FakeAws(AwsApi):
    """One request's view of a fake AWS: answers by operation, each optionally held back.

    ``hold`` names operations that wait for ``release`` (an Event) before answering, so a test
    can see what runs while they wait; ``started`` records the order calls began in.
    """

    def __init__(
        self,
        region: str,
        answers: Mapping[str, Answer],
        *,
        hold: Mapping[str, threading.Event] | None = None,
        on_start: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(ClientFactory(Settings()), region)
        self.answers = answers
        self.hold = hold or {}
        self.on_start = on_start
        self.regions: list[str] = []  # where each call of operations went

    def call(
        self, service: str, operation: str, *, region: str | None = None, **params: Any
    ) -> dict[str, Any]:
        with self._lock:
            self.operations.append(f"{service}:{operation}")
            self.regions.append(region or self.region)
        if self.on_start is not None:
            self.on_start(operation)
        gate = self.hold.get(operation)
        if gate is not None:
            gate.wait(10)
        answer = self.answers.get(operation)
        if answer is None:
            raise AssertionError(f"the fake has no answer for {operation}")
        if isinstance(answer, AwsError):
            raise copy.copy(answer)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return dict(answer(params))
        return copy.deepcopy(dict(answer))


class FakeWorld:
    """Answers shared by every request of a service, and the views handed out so far."""

    def __init__(self, **changes: Answer) -> None:
        self.answers: dict[str, Answer] = {**default_answers(), **estate_answers(), **changes}
        self.hold: dict[str, threading.Event] = {}
        self.apis: list[FakeAws] = []
        self.order: list[str] = []
        self._lock = threading.Lock()

    def api(self, region: str) -> FakeAws:
        api = FakeAws(region, self.answers, hold=self.hold, on_start=self._started)
        self.apis.append(api)
        return api

    def _started(self, operation: str) -> None:
        with self._lock:
            self.order.append(operation)

    def service(self, **settings: Any) -> LineageService:
        return LineageService(Settings(**settings), api=self.api)

    def release_all(self) -> None:
        for gate in self.hold.values():
            gate.set()
