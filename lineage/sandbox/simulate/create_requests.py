"""The Create* requests that make a step's resource in moto.

Each is the definition's resolved ``Arguments`` (the SDK writes them as the Create* request
without the name), plus the name, with safe fallbacks where a definition leaves out what moto
needs.
"""

from __future__ import annotations

from lineage.sandbox.simulate.names import role_arn
from lineage.sandbox.simulate.resolve import text
from lineage.sandbox.world.specs import JsonDict


def pick(args: JsonDict, *keys: str) -> JsonDict:
    return {k: args[k] for k in keys if k in args and args[k] is not None}


def processing_request(name: str, args: JsonDict) -> JsonDict:
    request = pick(
        args,
        "ProcessingInputs",
        "ProcessingOutputConfig",
        "ProcessingResources",
        "StoppingCondition",
        "AppSpecification",
        "Environment",
        "NetworkConfig",
        "RoleArn",
        "ExperimentConfig",
    )
    request.setdefault(
        "ProcessingResources",
        {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 30,
            }
        },
    )
    request.setdefault("AppSpecification", {"ImageUri": "sandbox/processing:latest"})
    request.setdefault("RoleArn", role_arn())
    return request | {"ProcessingJobName": name}


def training_request(name: str, args: JsonDict) -> JsonDict:
    request = pick(
        args,
        "AlgorithmSpecification",
        "HyperParameters",
        "InputDataConfig",
        "OutputDataConfig",
        "ResourceConfig",
        "StoppingCondition",
        "RoleArn",
        "VpcConfig",
        "EnableNetworkIsolation",
        "CheckpointConfig",
        "Environment",
    )
    spec = request.get("AlgorithmSpecification")
    if not isinstance(spec, dict) or not spec:
        image = args.get("TrainingImage") or "sandbox/training:latest"
        request["AlgorithmSpecification"] = {"TrainingImage": image, "TrainingInputMode": "File"}
    output = request.get("OutputDataConfig")
    if not isinstance(output, dict) or not isinstance(output.get("S3OutputPath"), str):
        request["OutputDataConfig"] = {"S3OutputPath": "s3://sandbox-default-output/models"}
    hyper = request.get("HyperParameters")
    if isinstance(hyper, dict):
        request["HyperParameters"] = {str(k): text(v) for k, v in hyper.items()}
    request.setdefault(
        "ResourceConfig", {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}
    )
    request.setdefault("StoppingCondition", {"MaxRuntimeInSeconds": 86400})
    request.setdefault("RoleArn", role_arn())
    return request | {"TrainingJobName": name}


def transform_request(name: str, args: JsonDict) -> JsonDict:
    request = pick(
        args, "ModelName", "TransformInput", "TransformOutput", "TransformResources", "Environment"
    )
    request.setdefault("ModelName", "sandbox-model")
    request.setdefault(
        "TransformInput",
        {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://sandbox/in"}}},
    )
    request.setdefault("TransformOutput", {"S3OutputPath": "s3://sandbox/out"})
    request.setdefault("TransformResources", {"InstanceCount": 1, "InstanceType": "ml.m5.large"})
    return request | {"TransformJobName": name}


def tuning_request(name: str, args: JsonDict) -> JsonDict:
    request = pick(
        args, "HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobDefinitions"
    )
    request.setdefault(
        "HyperParameterTuningJobConfig",
        {
            "Strategy": "Bayesian",
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
        },
    )
    return request | {"HyperParameterTuningJobName": name}


def model_request(name: str, args: JsonDict) -> JsonDict:
    request = pick(args, "PrimaryContainer", "Containers", "ExecutionRoleArn", "VpcConfig")
    if "PrimaryContainer" not in request and "Containers" not in request:
        request["PrimaryContainer"] = {"Image": "sandbox/inference:latest"}
    request.setdefault("ExecutionRoleArn", role_arn())
    return request | {"ModelName": name}


def package_request(group: str, args: JsonDict, approval: str) -> JsonDict:
    request = pick(
        args,
        "InferenceSpecification",
        "ModelMetrics",
        "ModelPackageDescription",
        "CustomerMetadataProperties",
        "DriftCheckBaselines",
    )
    return request | {"ModelPackageGroupName": group, "ModelApprovalStatus": approval}


def endpoint_config_request(name: str, args: JsonDict) -> JsonDict:
    request = pick(
        args,
        "ProductionVariants",
        "DataCaptureConfig",
        "AsyncInferenceConfig",
        "KmsKeyId",
        "Tags",
    )
    return request | {"EndpointConfigName": name}


def endpoint_request(name: str, config_name: str, args: JsonDict) -> JsonDict:
    return pick(args, "Tags") | {"EndpointName": name, "EndpointConfigName": config_name}
