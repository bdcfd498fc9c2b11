"""The seeded world: what exists in the sandbox, as plain data.

Everything here is fixed (names, ids, timestamps relative to :data:`BASE_TIME`, metrics), so a
test can assert it. The mechanics that turn this into moto state and simulated executions live
in :mod:`lineage.sandbox.simulate` and :mod:`lineage.sandbox.seed`.

Account ``123456789012``. In ``ap-northeast-2``: ``mlops-pipeline`` (latest Succeeded),
``churn-pipeline`` (latest Failed at ``TrainChurn``), ``fraud-detection-pipeline`` (latest
Executing), ``scale-pipeline`` (123 steps over 14 buckets, latest Succeeded), the Studio domain
``ml-platform``; in ``us-east-1``: ``nlp-pipeline`` (latest Stopped).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from lineage.sandbox import ACCOUNT_ID

JsonDict = dict[str, Any]
ExecutionStatus = Literal["Executing", "Stopping", "Stopped", "Failed", "Succeeded"]

#: Every seeded timestamp is this moment plus or minus a fixed offset.
BASE_TIME = datetime(2025, 3, 3, 9, 0, 0, tzinfo=UTC)
SEOUL = "ap-northeast-2"
VIRGINIA = "us-east-1"
ROLE_ARN = (
    f"arn:aws:iam::{ACCOUNT_ID}:role/service-role/AmazonSageMaker-ExecutionRole-20250101T000000"
)
KMS_KEY_ARN = f"arn:aws:kms:{SEOUL}:{ACCOUNT_ID}:key/1f2e3d4c-5b6a-4789-8abc-def012345678"
EXECUTION_FAILURE = "Step failure: One or multiple steps failed."
SKLEARN_IMAGE = (
    "366743142698.dkr.ecr.ap-northeast-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
)
XGBOOST_IMAGE = "366743142698.dkr.ecr.ap-northeast-2.amazonaws.com/sagemaker-xgboost:1.7-1"
HF_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04"
)


def at(days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    """``BASE_TIME`` shifted by the given offset (negative: before)."""
    return BASE_TIME + timedelta(days=days, hours=hours, minutes=minutes)


# --------------------------------------------------------------------------------------
# Shapes


@dataclass(frozen=True)
class BucketSpec:
    name: str
    region: str
    encryption: Literal["AES256", "aws:kms"] | None = None  # None: no default encryption
    versioning: Literal["Enabled", "Suspended"] | None = None  # None: never enabled
    public_access: Literal["all", "partial"] | None = None  # None: no block configuration
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExecutionSpec:
    """One pipeline execution and how it went.

    Steps run in dependency order; a Condition step takes the branch in ``outcomes`` (default
    ``True``); a step in ``failures`` fails with that reason and its dependants never start.
    ``cut_after_s`` freezes the execution that many seconds after its start: finished steps
    stay, running ones are ``Executing`` (``Starting`` in their first 45 s), later ones are
    absent; with status ``Stopped`` the running ones become ``Stopped`` instead.
    """

    execution_id: str
    status: ExecutionStatus
    started: datetime
    display_name: str | None = None
    description: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    outcomes: Mapping[str, bool] = field(default_factory=dict)
    failures: Mapping[str, str] = field(default_factory=dict)
    cut_after_s: int | None = None
    metrics: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    reports: Mapping[str, JsonDict] = field(default_factory=dict)  # property file name -> JSON
    approval: Mapping[str, str] = field(default_factory=dict)  # RegisterModel step -> status
    cache_hits: Mapping[str, str] = field(default_factory=dict)  # step -> source execution id
    delays: Mapping[str, int] = field(default_factory=dict)  # step -> extra seconds before start
    definition: JsonDict | None = None  # the definition as of this run (default: pipeline's)


@dataclass(frozen=True)
class PipelineSpec:
    name: str
    region: str
    definition: JsonDict
    created: datetime
    executions: tuple[ExecutionSpec, ...]  # oldest first
    display_name: str | None = None
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    model_package_groups: tuple[str, ...] = ()

    @property
    def arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:{ACCOUNT_ID}:pipeline/{self.name}"

    def execution_arn(self, execution_id: str) -> str:
        return f"{self.arn}/execution/{execution_id}"

    @property
    def latest(self) -> ExecutionSpec:
        return max(self.executions, key=lambda e: e.started)


@dataclass(frozen=True)
class DomainSpec:
    name: str
    region: str
    vpc_id: str
    subnet_ids: tuple[str, ...]


@dataclass(frozen=True)
class World:
    buckets: tuple[BucketSpec, ...]
    pipelines: tuple[PipelineSpec, ...]
    domains: tuple[DomainSpec, ...]

    def pipeline(self, name: str) -> PipelineSpec:
        return next(p for p in self.pipelines if p.name == name)

    def bucket(self, name: str) -> BucketSpec:
        return next(b for b in self.buckets if b.name == name)


# --------------------------------------------------------------------------------------
# Definition builders: the JSON the SageMaker Python SDK emits for each step type.


def get(path: str) -> JsonDict:
    return {"Get": path}


def join(*values: Any, on: str = "/") -> JsonDict:
    return {"Std:Join": {"On": on, "Values": list(values)}}


def parameter(name: str, type_: str, default: Any) -> JsonDict:
    return {"Name": name, "Type": type_, "DefaultValue": default}


def processing_step(
    name: str,
    *,
    image: str,
    script: str,
    inputs: Mapping[str, Any],
    outputs: Mapping[str, Any],
    instance_type: Any = "ml.m5.xlarge",
    code_uri: str,
    depends_on: tuple[str, ...] = (),
    property_files: tuple[tuple[str, str, str], ...] = (),
    display_name: str | None = None,
    description: str | None = None,
    cache: bool = False,
) -> JsonDict:
    processing_inputs = [
        {
            "InputName": input_name,
            "AppManaged": False,
            "S3Input": {
                "S3Uri": uri,
                "LocalPath": f"/opt/ml/processing/input/{input_name}",
                "S3DataType": "S3Prefix",
                "S3InputMode": "File",
                "S3DataDistributionType": "FullyReplicated",
                "S3CompressionType": "None",
            },
        }
        for input_name, uri in inputs.items()
    ]
    processing_inputs.append(
        {
            "InputName": "code",
            "AppManaged": False,
            "S3Input": {
                "S3Uri": code_uri,
                "LocalPath": "/opt/ml/processing/input/code",
                "S3DataType": "S3Prefix",
                "S3InputMode": "File",
                "S3DataDistributionType": "FullyReplicated",
                "S3CompressionType": "None",
            },
        }
    )
    step: JsonDict = {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": instance_type,
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 30,
                }
            },
            "AppSpecification": {
                "ImageUri": image,
                "ContainerEntrypoint": ["python3", f"/opt/ml/processing/input/code/{script}"],
            },
            "RoleArn": ROLE_ARN,
            "ProcessingInputs": processing_inputs,
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": output_name,
                        "AppManaged": False,
                        "S3Output": {
                            "S3Uri": uri,
                            "LocalPath": f"/opt/ml/processing/{output_name}",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                    for output_name, uri in outputs.items()
                ]
            },
        },
    }
    _decorate(step, depends_on, display_name, description, cache)
    if property_files:
        step["PropertyFiles"] = [
            {"PropertyFileName": pf, "OutputName": out, "FilePath": path}
            for pf, out, path in property_files
        ]
    return step


def training_step(
    name: str,
    *,
    image: str,
    channels: Mapping[str, Any],
    output_path: Any,
    instance_type: Any = "ml.m5.xlarge",
    hyperparameters: Mapping[str, str] | None = None,
    depends_on: tuple[str, ...] = (),
    display_name: str | None = None,
    description: str | None = None,
    cache: bool = False,
) -> JsonDict:
    step: JsonDict = {
        "Name": name,
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": image},
            "OutputDataConfig": {"S3OutputPath": output_path},
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
            "ResourceConfig": {
                "VolumeSizeInGB": 30,
                "InstanceCount": 1,
                "InstanceType": instance_type,
            },
            "RoleArn": ROLE_ARN,
            "InputDataConfig": [
                {
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": uri,
                            "S3DataDistributionType": "FullyReplicated",
                        }
                    },
                    "ContentType": "text/csv",
                    "ChannelName": channel,
                }
                for channel, uri in channels.items()
            ],
            "HyperParameters": dict(hyperparameters or {}),
            "DebugHookConfig": {
                "S3OutputPath": output_path,
                "CollectionConfigurations": [],
            },
            "ProfilerConfig": {"S3OutputPath": output_path, "DisableProfiler": False},
        },
    }
    _decorate(step, depends_on, display_name, description, cache)
    return step


def model_step(name: str, *, image: str, model_data: Any) -> JsonDict:
    return {
        "Name": name,
        "Type": "Model",
        "Arguments": {
            "ExecutionRoleArn": ROLE_ARN,
            "PrimaryContainer": {"Image": image, "Environment": {}, "ModelDataUrl": model_data},
        },
    }


def transform_step(name: str, *, model_name: Any, data: Any, output: Any) -> JsonDict:
    return {
        "Name": name,
        "Type": "Transform",
        "Arguments": {
            "ModelName": model_name,
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": data}},
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            "TransformOutput": {"S3OutputPath": output, "AssembleWith": "Line"},
            "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.large"},
        },
    }


def register_step(
    name: str, *, group: str, image: str, model_data: Any, statistics: Any, approval: Any
) -> JsonDict:
    return {
        "Name": name,
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": group,
            "ModelMetrics": {
                "ModelQuality": {
                    "Statistics": {"ContentType": "application/json", "S3Uri": statistics}
                },
                "Bias": {},
                "Explainability": {},
            },
            "InferenceSpecification": {
                "Containers": [{"Image": image, "ModelDataUrl": model_data}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
                "SupportedRealtimeInferenceInstanceTypes": ["ml.t2.medium", "ml.m5.large"],
                "SupportedTransformInstanceTypes": ["ml.m5.large"],
            },
            "ModelApprovalStatus": approval,
        },
    }


def condition_step(
    name: str,
    *,
    kind: str,
    left: Any,
    right: Any,
    if_steps: list[JsonDict],
    else_steps: list[JsonDict],
) -> JsonDict:
    return {
        "Name": name,
        "Type": "Condition",
        "Arguments": {
            "Conditions": [{"Type": kind, "LeftValue": left, "RightValue": right}],
            "IfSteps": if_steps,
            "ElseSteps": else_steps,
        },
    }


def json_get(step: str, property_file: str, path: str) -> JsonDict:
    return {
        "Std:JsonGet": {
            "PropertyFile": get(f"Steps.{step}.PropertyFiles.{property_file}"),
            "Path": path,
        }
    }


def fail_step(name: str, message: Any) -> JsonDict:
    return {"Name": name, "Type": "Fail", "Arguments": {"ErrorMessage": message}}


def definition(parameters: list[JsonDict], steps: list[JsonDict]) -> JsonDict:
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": parameters,
        "PipelineExperimentConfig": {
            "ExperimentName": get("Execution.PipelineName"),
            "TrialName": get("Execution.PipelineExecutionId"),
        },
        "Steps": steps,
    }


def _decorate(
    step: JsonDict,
    depends_on: tuple[str, ...],
    display_name: str | None,
    description: str | None,
    cache: bool,
) -> None:
    if display_name:
        step["DisplayName"] = display_name
    if description:
        step["Description"] = description
    if depends_on:
        step["DependsOn"] = list(depends_on)
    if cache:
        step["CacheConfig"] = {"Enabled": True, "ExpireAfter": "P30D"}


def _out(bucket: str, pipeline: str, step: str, output: str) -> JsonDict:
    """An output path under the execution id, as the SDK writes with ``Std:Join``."""
    return join(f"s3://{bucket}", pipeline, get("Execution.PipelineExecutionId"), step, output)


# --------------------------------------------------------------------------------------
# mlops-pipeline


MLOPS_BUCKET = "my-mlops-dev2-v2-main-data"
MLOPS_MODEL_GROUP = "mlops-churn-models"


def mlops_definition(*, with_create_model: bool = True, threshold: float = 0.75) -> JsonDict:
    b, p = MLOPS_BUCKET, "mlops-pipeline"
    model_data = get("Steps.Train.ModelArtifacts.S3ModelArtifacts")
    if_steps = [
        register_step(
            "RegisterModel",
            group=MLOPS_MODEL_GROUP,
            image=XGBOOST_IMAGE,
            model_data=model_data,
            statistics=join(
                get("Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"),
                "evaluation.json",
            ),
            approval=get("Parameters.ModelApprovalStatus"),
        )
    ]
    if with_create_model:
        if_steps.append(model_step("CreateModel", image=XGBOOST_IMAGE, model_data=model_data))
    return definition(
        [
            parameter("ProcessingInstanceType", "String", "ml.m5.xlarge"),
            parameter("TrainingInstanceType", "String", "ml.m5.xlarge"),
            parameter("InputDataUrl", "String", f"s3://{b}/raw/churn/churn.csv"),
            parameter("ModelApprovalStatus", "String", "PendingManualApproval"),
            parameter("AucThreshold", "Float", threshold),
        ],
        [
            processing_step(
                "Preprocess",
                image=SKLEARN_IMAGE,
                script="preprocess.py",
                code_uri=f"s3://{b}/{p}/code/preprocess.py",
                inputs={"input-1": get("Parameters.InputDataUrl")},
                outputs={
                    "train": _out(b, p, "Preprocess", "train"),
                    "validation": _out(b, p, "Preprocess", "validation"),
                    "test": _out(b, p, "Preprocess", "test"),
                },
                instance_type=get("Parameters.ProcessingInstanceType"),
                display_name="Preprocess churn data",
                cache=True,
            ),
            training_step(
                "Train",
                image=XGBOOST_IMAGE,
                channels={
                    "train": get(
                        "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
                    ),
                    "validation": get(
                        "Steps.Preprocess.ProcessingOutputConfig.Outputs['validation']"
                        ".S3Output.S3Uri"
                    ),
                },
                output_path=f"s3://{b}/{p}/models",
                instance_type=get("Parameters.TrainingInstanceType"),
                hyperparameters={
                    "objective": "binary:logistic",
                    "eval_metric": "auc",
                    "num_round": "50",
                    "max_depth": "5",
                    "eta": "0.2",
                },
                display_name="Train XGBoost",
            ),
            processing_step(
                "Evaluate",
                image=XGBOOST_IMAGE,
                script="evaluate.py",
                code_uri=f"s3://{b}/{p}/code/evaluate.py",
                inputs={
                    "model": get("Steps.Train.ModelArtifacts.S3ModelArtifacts"),
                    "test": get(
                        "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"
                    ),
                },
                outputs={"evaluation": _out(b, p, "Evaluate", "evaluation")},
                instance_type=get("Parameters.ProcessingInstanceType"),
                depends_on=("Preprocess",),
                property_files=(("EvaluationReport", "evaluation", "evaluation.json"),),
            ),
            condition_step(
                "CheckAUC",
                kind="GreaterThanOrEqualTo",
                left=json_get(
                    "Evaluate", "EvaluationReport", "binary_classification_metrics.auc.value"
                ),
                right=get("Parameters.AucThreshold"),
                if_steps=if_steps,
                else_steps=[
                    fail_step(
                        "AUCTooLow",
                        join(
                            "Model AUC is below the threshold",
                            get("Parameters.AucThreshold"),
                            on=" ",
                        ),
                    )
                ],
            ),
        ],
    )


def evaluation_report(auc: float, accuracy: float) -> JsonDict:
    return {
        "binary_classification_metrics": {
            "auc": {"value": auc, "standard_deviation": 0.012},
            "accuracy": {"value": accuracy, "standard_deviation": 0.009},
            "precision": {"value": round(accuracy - 0.04, 4), "standard_deviation": 0.015},
            "recall": {"value": round(accuracy - 0.07, 4), "standard_deviation": 0.018},
        }
    }


MLOPS = PipelineSpec(
    name="mlops-pipeline",
    region=SEOUL,
    display_name="MLOps churn pipeline",
    description="Preprocess, train, evaluate and register the churn model",
    created=at(days=-30),
    tags={"DomainName": "ml-platform", "Project": "mlops", "Env": "development"},
    model_package_groups=(MLOPS_MODEL_GROUP,),
    definition=mlops_definition(),
    executions=(
        ExecutionSpec(
            execution_id="q7v2m9k3x1ab",
            status="Succeeded",
            started=at(days=-3, hours=-2),
            display_name="execution-1740733200000",
            definition=mlops_definition(with_create_model=False, threshold=0.7),
            metrics={"Train": {"validation:auc": 0.81, "train:auc": 0.86}},
            reports={"EvaluationReport": evaluation_report(0.81, 0.84)},
            approval={"RegisterModel": "Approved"},
        ),
        ExecutionSpec(
            execution_id="h4d8s2n6p0cd",
            status="Failed",
            started=at(days=-2, hours=-2),
            display_name="execution-1740819600000",
            outcomes={"CheckAUC": False},
            metrics={"Train": {"validation:auc": 0.71, "train:auc": 0.79}},
            reports={"EvaluationReport": evaluation_report(0.71, 0.76)},
        ),
        ExecutionSpec(
            execution_id="r3a5pd8rmk8r",
            status="Succeeded",
            started=at(days=-1, hours=-2),
            display_name="execution-1740906000000",
            parameters={"TrainingInstanceType": "ml.m5.2xlarge"},
            metrics={"Train": {"validation:auc": 0.63, "train:auc": 0.72}},
            reports={"EvaluationReport": evaluation_report(0.87, 0.89)},
            approval={"RegisterModel": "PendingManualApproval"},
            cache_hits={"Preprocess": "h4d8s2n6p0cd"},
        ),
    ),
)


# --------------------------------------------------------------------------------------
# churn-pipeline: latest execution failed in training


CHURN_BUCKET = "churn-data-sse-s3"


def churn_definition() -> JsonDict:
    b, p = CHURN_BUCKET, "churn-pipeline"
    return definition(
        [
            parameter("InputData", "String", f"s3://{b}/input/customers.csv"),
            parameter("AccuracyThreshold", "Float", 0.8),
        ],
        [
            processing_step(
                "PrepareChurnData",
                image=SKLEARN_IMAGE,
                script="prepare.py",
                code_uri=f"s3://{b}/code/prepare.py",
                inputs={"raw": get("Parameters.InputData")},
                outputs={
                    "train": _out(b, p, "PrepareChurnData", "train"),
                    "test": _out(b, p, "PrepareChurnData", "test"),
                },
            ),
            training_step(
                "TrainChurn",
                image=XGBOOST_IMAGE,
                channels={
                    "train": get(
                        "Steps.PrepareChurnData.ProcessingOutputConfig.Outputs['train']"
                        ".S3Output.S3Uri"
                    )
                },
                output_path=f"s3://{b}/models",
                hyperparameters={"objective": "binary:logistic", "num_round": "100"},
            ),
            processing_step(
                "EvaluateChurn",
                image=XGBOOST_IMAGE,
                script="evaluate.py",
                code_uri=f"s3://{b}/code/evaluate.py",
                inputs={
                    "model": get("Steps.TrainChurn.ModelArtifacts.S3ModelArtifacts"),
                    "test": get(
                        "Steps.PrepareChurnData.ProcessingOutputConfig.Outputs['test']"
                        ".S3Output.S3Uri"
                    ),
                },
                outputs={"evaluation": _out(b, p, "EvaluateChurn", "evaluation")},
                property_files=(("ChurnEvaluation", "evaluation", "evaluation.json"),),
            ),
            condition_step(
                "CheckAccuracy",
                kind="GreaterThanOrEqualTo",
                left=json_get(
                    "EvaluateChurn",
                    "ChurnEvaluation",
                    "binary_classification_metrics.accuracy.value",
                ),
                right=get("Parameters.AccuracyThreshold"),
                if_steps=[
                    model_step(
                        "CreateChurnModel",
                        image=XGBOOST_IMAGE,
                        model_data=get("Steps.TrainChurn.ModelArtifacts.S3ModelArtifacts"),
                    )
                ],
                else_steps=[fail_step("ChurnAccuracyTooLow", "Accuracy below threshold")],
            ),
        ],
    )


CHURN_TRAINING_FAILURE = (
    "AlgorithmError: framework error: \nTraceback (most recent call last):\n"
    '  File "/miniconda3/lib/python3.8/site-packages/sagemaker_xgboost_container/'
    'algorithm_mode/train.py", line 226, in train_job\nValueError: '
    "Feature names mismatch: expected 'tenure' in input data, exit code: 1"
)

CHURN = PipelineSpec(
    name="churn-pipeline",
    region=SEOUL,
    created=at(days=-20),
    tags={"Project": "churn", "Owner": "retention-team"},
    definition=churn_definition(),
    executions=(
        ExecutionSpec(
            execution_id="c1h2u3r4n5aa",
            status="Succeeded",
            started=at(days=-5),
            metrics={"TrainChurn": {"validation:auc": 0.78, "train:auc": 0.83}},
            reports={"ChurnEvaluation": evaluation_report(0.78, 0.82)},
        ),
        ExecutionSpec(
            execution_id="c1h2u3r4n5bb",
            status="Failed",
            started=at(hours=-6),
            failures={"TrainChurn": CHURN_TRAINING_FAILURE},
        ),
    ),
)


# --------------------------------------------------------------------------------------
# fraud-detection-pipeline: latest execution still running


FRAUD_BUCKET = "fraud-data-raw"
FRAUD_WORK_BUCKET = "fraud-feature-store-offline"


def fraud_definition() -> JsonDict:
    raw, work, p = FRAUD_BUCKET, FRAUD_WORK_BUCKET, "fraud-detection-pipeline"
    features = "Steps.BuildFeatures.ProcessingOutputConfig.Outputs['{}'].S3Output.S3Uri"
    return definition(
        [parameter("TransactionsUri", "String", f"s3://{raw}/transactions/2025/03/")],
        [
            processing_step(
                "BuildFeatures",
                image=SKLEARN_IMAGE,
                script="features.py",
                code_uri=f"s3://{work}/code/features.py",
                inputs={"transactions": get("Parameters.TransactionsUri")},
                outputs={
                    "train": _out(work, p, "BuildFeatures", "train"),
                    "test": _out(work, p, "BuildFeatures", "test"),
                },
            ),
            training_step(
                "TrainXGBoost",
                image=XGBOOST_IMAGE,
                channels={"train": get(features.format("train"))},
                output_path=f"s3://{work}/models/xgboost",
                hyperparameters={"objective": "binary:logistic", "scale_pos_weight": "29"},
            ),
            training_step(
                "TrainLinearLearner",
                image="835164637446.dkr.ecr.ap-northeast-2.amazonaws.com/linear-learner:1",
                channels={"train": get(features.format("train"))},
                output_path=f"s3://{work}/models/linear",
                hyperparameters={"predictor_type": "binary_classifier"},
            ),
            processing_step(
                "CompareModels",
                image=SKLEARN_IMAGE,
                script="compare.py",
                code_uri=f"s3://{work}/code/compare.py",
                inputs={
                    "xgboost": get("Steps.TrainXGBoost.ModelArtifacts.S3ModelArtifacts"),
                    "linear": get("Steps.TrainLinearLearner.ModelArtifacts.S3ModelArtifacts"),
                    "test": get(features.format("test")),
                },
                outputs={"report": _out(work, p, "CompareModels", "report")},
            ),
            model_step(
                "CreateFraudModel",
                image=XGBOOST_IMAGE,
                model_data=get("Steps.TrainXGBoost.ModelArtifacts.S3ModelArtifacts"),
            )
            | {"DependsOn": ["CompareModels"]},
        ],
    )


FRAUD = PipelineSpec(
    name="fraud-detection-pipeline",
    region=SEOUL,
    created=at(days=-10),
    tags={"Project": "fraud"},
    definition=fraud_definition(),
    executions=(
        ExecutionSpec(
            execution_id="f9r8a7u6d5aa",
            status="Succeeded",
            started=at(days=-1),
            metrics={
                "TrainXGBoost": {"validation:auc": 0.94, "train:auc": 0.97},
                "TrainLinearLearner": {"validation:binary_f_beta": 0.71},
            },
        ),
        ExecutionSpec(
            execution_id="f9r8a7u6d5bb",
            status="Executing",
            started=at(minutes=-20),
            # BuildFeatures takes ~4.5 min; XGBoost is training, the linear learner starting.
            cut_after_s=400,
            delays={"TrainLinearLearner": 100},
        ),
    ),
)


# --------------------------------------------------------------------------------------
# nlp-pipeline (us-east-1): latest execution stopped by a user


NLP_BUCKET = "nlp-research-us-east-1"


def nlp_definition() -> JsonDict:
    b, p = NLP_BUCKET, "nlp-pipeline"
    return definition(
        [parameter("CorpusUri", "String", f"s3://{b}/corpus/reviews/")],
        [
            processing_step(
                "Tokenize",
                image=HF_IMAGE,
                script="tokenize.py",
                code_uri=f"s3://{b}/code/tokenize.py",
                inputs={"corpus": get("Parameters.CorpusUri")},
                outputs={"tokens": _out(b, p, "Tokenize", "tokens")},
                instance_type="ml.c5.2xlarge",
            ),
            training_step(
                "FineTune",
                image=HF_IMAGE,
                channels={
                    "train": get(
                        "Steps.Tokenize.ProcessingOutputConfig.Outputs['tokens'].S3Output.S3Uri"
                    )
                },
                output_path=f"s3://{b}/models",
                instance_type="ml.g5.2xlarge",
                hyperparameters={"epochs": "3", "model_name": "distilbert-base-uncased"},
            ),
            model_step(
                "RegisterNlpModel",
                image=HF_IMAGE,
                model_data=get("Steps.FineTune.ModelArtifacts.S3ModelArtifacts"),
            ),
        ],
    )


NLP = PipelineSpec(
    name="nlp-pipeline",
    region=VIRGINIA,
    created=at(days=-15),
    tags={"Project": "nlp"},
    definition=nlp_definition(),
    executions=(
        ExecutionSpec(
            execution_id="n1l2p3s4t5aa",
            status="Succeeded",
            started=at(days=-4),
            metrics={"FineTune": {"eval:loss": 0.31, "train:loss": 0.22}},
        ),
        ExecutionSpec(
            execution_id="n1l2p3s4t5bb",
            status="Stopped",
            started=at(hours=-3),
            cut_after_s=700,
        ),
    ),
)


# --------------------------------------------------------------------------------------
# scale-pipeline: 123 steps, fan-out and fan-in over 12 shard buckets

SCALE_SHARDS = 12
SCALE_SOURCE_BUCKET = "scale-landing-zone"
SCALE_REPORT_BUCKET = "scale-reports"


def scale_bucket(shard: int) -> str:
    return f"scale-shard-{shard:02d}-data"


def scale_definition() -> JsonDict:
    p = "scale-pipeline"
    steps: list[JsonDict] = [
        processing_step(
            "Ingest",
            image=SKLEARN_IMAGE,
            script="ingest.py",
            code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/ingest.py",
            inputs={"landing": f"s3://{SCALE_SOURCE_BUCKET}/landing/"},
            outputs={"staged": _out(SCALE_SOURCE_BUCKET, p, "Ingest", "staged")},
        )
    ]
    evals: list[str] = []
    for shard in range(SCALE_SHARDS):
        b, s = scale_bucket(shard), f"{shard:02d}"

        def out(step: str, name: str) -> str:
            return f"Steps.{step}.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri"

        steps.append(
            processing_step(
                f"Split-{s}",
                image=SKLEARN_IMAGE,
                script="split.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/split.py",
                inputs={"staged": get(out("Ingest", "staged"))},
                outputs={"shard": _out(b, p, f"Split-{s}", "shard")},
            )
        )
        steps.append(
            processing_step(
                f"Clean-{s}",
                image=SKLEARN_IMAGE,
                script="clean.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/clean.py",
                inputs={"shard": get(out(f"Split-{s}", "shard"))},
                outputs={"clean": _out(b, p, f"Clean-{s}", "clean")},
            )
        )
        steps.append(
            processing_step(
                f"Profile-{s}",
                image=SKLEARN_IMAGE,
                script="profile.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/profile.py",
                inputs={"clean": get(out(f"Clean-{s}", "clean"))},
                outputs={"profile": _out(b, p, f"Profile-{s}", "profile")},
            )
        )
        steps.append(
            processing_step(
                f"Features-{s}",
                image=SKLEARN_IMAGE,
                script="features.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/features.py",
                inputs={"clean": get(out(f"Clean-{s}", "clean"))},
                outputs={
                    "train": _out(b, p, f"Features-{s}", "train"),
                    "test": _out(b, p, f"Features-{s}", "test"),
                },
                depends_on=(f"Profile-{s}",),
            )
        )
        for variant in ("A", "B", "C"):
            steps.append(
                training_step(
                    f"Train-{s}-{variant}",
                    image=XGBOOST_IMAGE,
                    channels={"train": get(out(f"Features-{s}", "train"))},
                    output_path=f"s3://{b}/models/{variant.lower()}",
                    hyperparameters={"max_depth": str(3 + "ABC".index(variant) * 2)},
                )
            )
        steps.append(
            processing_step(
                f"Evaluate-{s}",
                image=XGBOOST_IMAGE,
                script="evaluate.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/evaluate.py",
                inputs={
                    **{
                        f"model-{v.lower()}": get(
                            f"Steps.Train-{s}-{v}.ModelArtifacts.S3ModelArtifacts"
                        )
                        for v in "ABC"
                    },
                    "test": get(out(f"Features-{s}", "test")),
                },
                outputs={"evaluation": _out(b, p, f"Evaluate-{s}", "evaluation")},
            )
        )
        evals.append(f"Evaluate-{s}")
        steps.append(
            model_step(
                f"Model-{s}",
                image=XGBOOST_IMAGE,
                model_data=get(f"Steps.Train-{s}-A.ModelArtifacts.S3ModelArtifacts"),
            )
            | {"DependsOn": [f"Evaluate-{s}"]}
        )
        steps.append(
            transform_step(
                f"Score-{s}",
                model_name=get(f"Steps.Model-{s}.ModelName"),
                data=get(out(f"Features-{s}", "test")),
                output=_out(b, p, f"Score-{s}", "scores"),
            )
        )
    steps.append(
        processing_step(
            "Aggregate",
            image=SKLEARN_IMAGE,
            script="aggregate.py",
            code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/aggregate.py",
            inputs={
                name.lower(): get(
                    f"Steps.{name}.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"
                )
                for name in evals
            },
            outputs={"summary": _out(SCALE_REPORT_BUCKET, p, "Aggregate", "summary")},
        )
    )
    steps.append(
        processing_step(
            "Publish",
            image=SKLEARN_IMAGE,
            script="publish.py",
            code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/publish.py",
            inputs={"summary": get(out("Aggregate", "summary"))},
            outputs={"site": f"s3://{SCALE_REPORT_BUCKET}/site/"},
            depends_on=tuple(f"Score-{shard:02d}" for shard in range(SCALE_SHARDS)),
        )
    )
    return definition([], steps)


def scale_metrics() -> dict[str, dict[str, float]]:
    return {
        f"Train-{shard:02d}-{v}": {
            "validation:auc": round(0.70 + 0.01 * shard + 0.005 * i, 4),
            "train:auc": round(0.75 + 0.01 * shard + 0.005 * i, 4),
        }
        for shard in range(SCALE_SHARDS)
        for i, v in enumerate("ABC")
    }


SCALE = PipelineSpec(
    name="scale-pipeline",
    region=SEOUL,
    created=at(days=-7),
    tags={"Project": "scale"},
    definition=scale_definition(),
    executions=(
        ExecutionSpec(
            execution_id="s0c1a2l3e4aa",
            status="Succeeded",
            started=at(hours=-12),
            metrics=scale_metrics(),
        ),
    ),
)


# --------------------------------------------------------------------------------------
# Buckets: every security shape the lineage document distinguishes.

_SHAPES: tuple[tuple[Any, Any, Any, Mapping[str, str]], ...] = (
    ("aws:kms", "Enabled", "all", {"Env": "production"}),
    ("AES256", "Suspended", "partial", {}),
    (None, None, None, {"Team": "scale"}),
    ("AES256", None, "all", {}),
)


def _buckets() -> tuple[BucketSpec, ...]:
    fixed = [
        BucketSpec(MLOPS_BUCKET, SEOUL, "aws:kms", "Enabled", "all", {"Env": "development"}),
        BucketSpec(CHURN_BUCKET, SEOUL, "AES256", "Suspended", "partial", {"Team": "retention"}),
        BucketSpec(FRAUD_BUCKET, SEOUL, None, None, None, {}),
        BucketSpec(FRAUD_WORK_BUCKET, SEOUL, "aws:kms", None, "partial", {"Project": "fraud"}),
        BucketSpec(NLP_BUCKET, VIRGINIA, "AES256", "Enabled", "all", {"Project": "nlp"}),
        BucketSpec(SCALE_SOURCE_BUCKET, SEOUL, "AES256", "Enabled", "all", {"Project": "scale"}),
        BucketSpec(SCALE_REPORT_BUCKET, SEOUL, None, "Suspended", None, {}),
    ]
    for shard in range(SCALE_SHARDS):
        encryption, versioning, public, tags = _SHAPES[shard % len(_SHAPES)]
        fixed.append(BucketSpec(scale_bucket(shard), SEOUL, encryption, versioning, public, tags))
    return tuple(fixed)


WORLD = World(
    buckets=_buckets(),
    pipelines=(MLOPS, CHURN, FRAUD, SCALE, NLP),
    domains=(
        DomainSpec("ml-platform", SEOUL, "vpc-0a1b2c3d4e5f60718", ("subnet-0a1b2c3d4e5f60718",)),
    ),
)


def world() -> World:
    """A deep copy of the seeded world, safe to modify."""
    return copy.deepcopy(WORLD)
