"""Definition builders: the JSON the SageMaker Python SDK emits for each step type.

The seeded pipelines are written with these so each reads like the SDK code that made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lineage.sandbox.world.specs import ROLE_ARN, JsonDict


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
    role: str = ROLE_ARN,
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
            "RoleArn": role,
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


def execution_output(bucket: str, pipeline: str, step: str, output: str) -> JsonDict:
    """An output path under the execution id, as the SDK writes with ``Std:Join``."""
    return join(f"s3://{bucket}", pipeline, get("Execution.PipelineExecutionId"), step, output)


def evaluation_report(auc: float, accuracy: float) -> JsonDict:
    return {
        "binary_classification_metrics": {
            "auc": {"value": auc, "standard_deviation": 0.012},
            "accuracy": {"value": accuracy, "standard_deviation": 0.009},
            "precision": {"value": round(accuracy - 0.04, 4), "standard_deviation": 0.015},
            "recall": {"value": round(accuracy - 0.07, 4), "standard_deviation": 0.018},
        }
    }
