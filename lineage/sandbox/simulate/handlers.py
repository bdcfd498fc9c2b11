"""One handler per step type, and :data:`STEP_HANDLERS`, the sandbox's one table of step types.

A handler gets a :class:`StepContext` whose timing and status are already decided and gives the
step what AWS would: its ``Metadata`` in ListPipelineExecutionSteps (one member of botocore's
``PipelineExecutionStepMetadata``), the properties later ``Get Steps.<step>...`` read, and the
resources that must exist in moto. A type missing from the table still runs, with no metadata.
API reference:
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_PipelineExecutionStepMetadata.html
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lineage.sandbox.simulate.create_requests import (
    endpoint_config_request,
    endpoint_request,
    model_request,
    package_request,
    processing_request,
    training_request,
    transform_request,
    tuning_request,
)
from lineage.sandbox.simulate.names import (
    bedrock_arn,
    emr_serverless_id,
    hex_token,
    lower_token,
    token,
)
from lineage.sandbox.simulate.records import JobKind, JobPlan
from lineage.sandbox.simulate.resolve import text
from lineage.sandbox.simulate.step_context import StepContext
from lineage.sandbox.world.specs import JsonDict

Handler = Callable[[StepContext], None]


@dataclass(frozen=True)
class StepKind:
    """One row of the step table: how the sandbox runs steps of one ``Type``."""

    handler: Handler
    duration_s: int  # typical wall time; a deterministic 0-59 s is added per step name
    job_kind: JobKind | None = None  # the moto resource the step's job is named for


# --- SageMaker jobs ---------------------------------------------------------------------


def _job(ctx: StepContext, resource: str, request: Callable[[str, JsonDict], JsonDict]) -> JobPlan:
    """The step's job, named for this run and remembered for later cache hits."""
    assert ctx.job_kind is not None, f"{ctx.step.type} has no job kind in STEP_HANDLERS"
    name = ctx.job_name()
    ctx.produced.job_names[ctx.step.name] = name
    return ctx.plan(ctx.job_kind, name, ctx.arn(resource, name), request(name, ctx.args))


def _named_job(
    ctx: StepContext, resource: str, request: Callable[[str, JsonDict], JsonDict], kind: str
) -> JobPlan:
    """A job whose properties are ``<kind>Name``/``<kind>Arn`` and whose metadata is
    ``{<kind>: {"Arn": ...}}``."""
    plan = _job(ctx, resource, request)
    ctx.props |= {f"{kind}Name": plan.name, f"{kind}Arn": plan.arn}
    ctx.record.metadata = {kind: {"Arn": plan.arn}}
    ctx.produced.jobs.append(plan)
    return plan


def _processing(ctx: StepContext) -> None:
    _named_job(ctx, "processing-job", processing_request, "ProcessingJob")
    _write_reports(ctx)


def _check(ctx: StepContext) -> None:
    """QualityCheck and ClarifyCheck: a processing job whose metadata names the baselines."""
    plan = _named_job(ctx, "processing-job", processing_request, "ProcessingJob")
    ctx.record.metadata = {ctx.step.type: _check_metadata(ctx, plan.arn)}
    _write_reports(ctx)


def _training(ctx: StepContext) -> None:
    """Training, and NotebookJob, which SageMaker runs as a training job."""
    plan = _named_job(ctx, "training-job", training_request, "TrainingJob")
    plan.metrics = ctx.spec.metrics.get(ctx.step.name, {})
    output = plan.request["OutputDataConfig"]["S3OutputPath"].rstrip("/")
    if ctx.record.status == "Succeeded":
        ctx.props["ModelArtifacts"] = {
            "S3ModelArtifacts": f"{output}/{plan.name}/output/model.tar.gz"
        }


def _transform(ctx: StepContext) -> None:
    _named_job(ctx, "transform-job", transform_request, "TransformJob")


def _tuning(ctx: StepContext) -> None:
    """A tuning job and its best training job, which Describe* of the tuning job names."""
    plan = _job(ctx, "hyper-parameter-tuning-job", tuning_request)
    name = plan.name
    best = f"{name}-001-{token(name, 8).lower()}"
    plan.metrics = ctx.spec.metrics.get(ctx.step.name, {})
    ctx.props |= {
        "HyperParameterTuningJobName": name,
        "TrainingJobSummaries": [
            {"TrainingJobName": best},
            {"TrainingJobName": f"{name}-002-{token(name + '2', 8).lower()}"},
        ],
        "BestTrainingJob": {"TrainingJobName": best},
    }
    ctx.record.metadata = {"TuningJob": {"Arn": plan.arn}}
    definition = plan.request.get("TrainingJobDefinition") or {}
    output = (definition.get("OutputDataConfig") or {}).get("S3OutputPath")
    request = definition | {
        "OutputDataConfig": {"S3OutputPath": output or "s3://sandbox-tuning-output/models"}
    }
    trial = ctx.plan(
        "training", best, ctx.arn("training-job", best), training_request(best, request)
    )
    trial.failure_reason = None
    trial.metrics = plan.metrics
    ctx.produced.jobs += [trial, plan]


def _model(ctx: StepContext) -> None:
    _named_job(ctx, "model", model_request, "Model")


def _register(ctx: StepContext) -> None:
    args = ctx.args
    group = str(args.get("ModelPackageGroupName") or f"{ctx.pipeline.name}-models")
    approval = ctx.spec.approval.get(ctx.step.name) or args.get("ModelApprovalStatus")
    if approval not in ("Approved", "Rejected", "PendingManualApproval"):
        approval = "PendingManualApproval"
    if ctx.package_arn is not None:
        arn = ctx.package_arn(group)
    else:
        arn = ctx.arn("model-package", group)
    request = package_request(group, args, str(approval))
    # SageMaker records the run that registered a package as its GeneratedBy.
    request["MetadataProperties"] = {"GeneratedBy": ctx.execution_arn}
    plan = ctx.plan("model_package", group, arn, request)
    plan.failure_reason = None
    plan.approval = str(approval)
    ctx.produced.jobs.append(plan)
    ctx.props |= {"ModelPackageArn": arn}
    ctx.record.metadata = {"RegisterModel": {"Arn": arn}}


def _check_metadata(ctx: StepContext, job_arn: str) -> JsonDict:
    raw = ctx.step.raw
    outputs = (ctx.args.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    base = ""
    if outputs and isinstance(outputs[0], dict):
        base = str((outputs[0].get("S3Output") or {}).get("S3Uri") or "")
    meta: JsonDict = {
        "CheckType": str(raw.get("CheckType", "DATA_QUALITY")),
        "CheckJobArn": job_arn,
        "SkipCheck": bool(raw.get("SkipCheck", False)),
        "RegisterNewBaseline": bool(raw.get("RegisterNewBaseline", False)),
        "ViolationReport": f"{base}/constraint_violations.json",
        "CalculatedBaselineConstraints": f"{base}/constraints.json",
    }
    if ctx.step.type == "QualityCheck":
        meta["CalculatedBaselineStatistics"] = f"{base}/statistics.json"
    group = raw.get("ModelPackageGroupName")
    if isinstance(group, str):
        meta["ModelPackageGroupName"] = group
    return meta


def _write_reports(ctx: StepContext) -> None:
    """The property files (evaluation.json...) a succeeded step wrote to its outputs."""
    files = ctx.step.raw.get("PropertyFiles")
    if ctx.record.status != "Succeeded" or not isinstance(files, list):
        return
    outputs = (ctx.args.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    for pf in files:
        if not isinstance(pf, dict):
            continue
        report = ctx.spec.reports.get(str(pf.get("PropertyFileName")))
        output = next(
            (
                o
                for o in outputs
                if isinstance(o, dict) and o.get("OutputName") == pf.get("OutputName")
            ),
            None,
        )
        if report is None or output is None:
            continue
        uri = str((output.get("S3Output") or {}).get("S3Uri") or "")
        if uri.startswith("s3://"):
            key = f"{uri.rstrip('/')}/{pf.get('FilePath')}"
            ctx.produced.objects[key] = json.dumps(report, indent=2).encode()


# --- Endpoints --------------------------------------------------------------------------


def _endpoint_config(ctx: StepContext) -> None:
    """Created in moto when it has production variants (moto checks their models exist)."""
    name = _given_name(ctx, "EndpointConfigName")
    arn = ctx.arn("endpoint-config", name)
    ctx.produced.job_names[ctx.step.name] = name
    variants = ctx.args.get("ProductionVariants")
    if ctx.record.status != "Failed" and isinstance(variants, list) and variants:
        request = endpoint_config_request(name, ctx.args)
        ctx.produced.jobs.append(ctx.plan("endpoint_config", name, arn, request))
    ctx.props |= {"EndpointConfigName": name, "EndpointConfigArn": arn}
    ctx.record.metadata = {"EndpointConfig": {"Arn": arn}}


def _endpoint(ctx: StepContext) -> None:
    """Created in moto when it names its endpoint config; its status follows the step's."""
    name = _given_name(ctx, "EndpointName")
    arn = ctx.arn("endpoint", name)
    ctx.produced.job_names[ctx.step.name] = name
    config = ctx.args.get("EndpointConfigName")
    if isinstance(config, str) and config:
        request = endpoint_request(name, config, ctx.args)
        ctx.produced.jobs.append(ctx.plan("endpoint", name, arn, request))
    ctx.props |= {"EndpointName": name, "EndpointArn": arn}
    ctx.record.metadata = {"Endpoint": {"Arn": arn}}


def _inference_component(ctx: StepContext) -> None:
    """Metadata only: moto has no inference components."""
    name = _given_name(ctx, "InferenceComponentName", "inference-component")
    arn = ctx.arn("inference-component", name)
    ctx.props |= {"InferenceComponentName": name, "InferenceComponentArn": arn}
    ctx.record.metadata = {"InferenceComponent": {"Arn": arn}}


def _given_name(ctx: StepContext, key: str, kind: str | None = None) -> str:
    """The resource name the Arguments give, else one generated for this run."""
    given = ctx.args.get(key)
    return given if isinstance(given, str) and given else ctx.job_name(kind)


# --- Control flow -----------------------------------------------------------------------


def _condition(ctx: StepContext) -> None:
    outcome = True if ctx.all_branches else ctx.spec.outcomes.get(ctx.step.name, True)
    ctx.produced.outcomes[ctx.step.name] = outcome
    ctx.props |= {"Outcome": outcome}
    ctx.record.metadata = {"Condition": {"Outcome": "True" if outcome else "False"}}


def _fail(ctx: StepContext) -> None:
    """Reaching a Fail step fails it (not with ``all_branches``, where every branch runs)."""
    given = ctx.args.get("ErrorMessage")
    message = text(given) if given else ""
    ctx.record.metadata = {"Fail": {"ErrorMessage": message}}
    if not ctx.all_branches and ctx.record.status == "Succeeded":
        ctx.record.status = "Failed"
        ctx.record.failure_reason = message or "Fail step reached"


def _lambda(ctx: StepContext) -> None:
    function = ctx.resolver.resolve(ctx.step.raw.get("FunctionArn"))
    ctx.record.metadata = {"Lambda": {"Arn": text(function) if function else "unknown"}}


def _callback(ctx: StepContext) -> None:
    queue = ctx.resolver.resolve(ctx.step.raw.get("SqsQueueUrl"))
    ctx.record.metadata = {
        "Callback": {
            "CallbackToken": token(f"{ctx.execution_arn}/{ctx.step.name}", 10),
            "SqsQueueUrl": text(queue) if queue else "",
        }
    }


# --- Other services ---------------------------------------------------------------------


def _emr(ctx: StepContext) -> None:
    cluster = ctx.args.get("ClusterId")
    step = ctx.step.name
    ctx.record.metadata = {
        "EMR": {
            "ClusterId": text(cluster) if cluster else f"j-{token(step, 13).upper()}",
            "StepId": f"s-{token(ctx.execution_arn + step, 13).upper()}",
            "StepName": step,
            "LogFilePath": f"s3://aws-logs-{ctx.account}-{ctx.region}/elasticmapreduce/",
        }
    }


def _emr_serverless(ctx: StepContext) -> None:
    """A job run on the application the Arguments name, or on one SageMaker created."""
    seed = f"{ctx.execution_arn}/{ctx.step.name}"
    given = ctx.args.get("ApplicationId")
    application = given if isinstance(given, str) and given else emr_serverless_id(seed + "/app")
    run = emr_serverless_id(seed + "/run")
    config = _mapping(ctx.args.get("JobConfig"))
    name = config.get("name")
    meta: JsonDict = {
        "ApplicationId": application,
        "JobRunId": run,
        "JobRunName": name if isinstance(name, str) and name else ctx.step.name,
    }
    logs = _dig(
        config,
        "configurationOverrides",
        "monitoringConfiguration",
        "s3MonitoringConfiguration",
        "logUri",
    )
    if isinstance(logs, str) and logs:
        meta["LogFilePath"] = logs
    ctx.record.metadata = {"EMRServerless": meta}
    # Properties follow GetJobRun's answer, which the SDK's properties are modelled on.
    run_arn = (
        f"arn:aws:emr-serverless:{ctx.region}:{ctx.account}:"
        f"/applications/{application}/jobruns/{run}"
    )
    ctx.props |= {
        "jobRun": {
            "applicationId": application,
            "jobRunId": run,
            "name": meta["JobRunName"],
            "arn": run_arn,
        }
    }


def _automl(ctx: StepContext) -> None:
    # AutoML job names are at most 32 characters.
    name = ctx.job_name("processing")[:32]
    ctx.record.metadata = {"AutoMLJob": {"Arn": ctx.arn("automl-job", name)}}


def _bedrock(resource: str) -> Handler:
    """A Bedrock step: metadata under the step's own type, a Bedrock ARN of ``resource``."""

    def run(ctx: StepContext) -> None:
        resource_id = lower_token(f"{ctx.execution_arn}/{ctx.step.name}", 12)
        ctx.record.metadata = {
            ctx.step.type: {"Arn": bedrock_arn(ctx.region, resource, resource_id, ctx.account)}
        }

    return run


def _lineage(ctx: StepContext) -> None:
    """The lineage entities the step creates, by name, and the associations between them."""
    seed = f"{ctx.execution_arn}/{ctx.step.name}"
    artifacts = _named_arns(
        ctx.args.get("Artifacts"),
        "ArtifactName",
        # Artifact ARNs end in a generated id, not the artifact's name.
        lambda name: ctx.arn("artifact", hex_token(f"{seed}/{name}", 32)),
    )
    actions = _named_arns(
        ctx.args.get("Actions"), "ActionName", lambda name: ctx.arn("action", name)
    )
    contexts = _named_arns(
        ctx.args.get("Contexts"), "ContextName", lambda name: ctx.arn("context", name)
    )
    by_type = {"Artifact": artifacts, "Action": actions, "Context": contexts}
    associations: list[JsonDict] = []
    for item in _list(ctx.args.get("Associations")):
        source = _entity_arn(item.get("Source"), by_type)
        destination = _entity_arn(item.get("Destination"), by_type)
        if source and destination and len(associations) < _MAX_ASSOCIATIONS:
            associations.append({"SourceArn": source, "DestinationArn": destination})
    lineage: JsonDict = {
        "ActionArns": actions,
        "ArtifactArns": artifacts,
        "ContextArns": contexts,
        "Associations": associations,
    }
    ctx.props |= lineage
    ctx.record.metadata = {"Lineage": lineage}


# LineageMetadata holds at most 5 entries per map and 10 associations.
_MAX_NAMED = 5
_MAX_ASSOCIATIONS = 10


def _named_arns(items: Any, key: str, arn: Callable[[str], str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, item in enumerate(_list(items)):
        given = item.get(key)
        name = given if isinstance(given, str) and given else f"{key[:-4].lower()}-{i + 1}"
        if len(out) < _MAX_NAMED:
            out[name] = arn(name)
    return out


def _entity_arn(entity: Any, by_type: Mapping[str, Mapping[str, str]]) -> str | None:
    """An association end: an ARN as given, or a name this step created."""
    if isinstance(entity, str):
        return entity if entity.startswith("arn:") else None
    if not isinstance(entity, dict):
        return None
    if isinstance(entity.get("Arn"), str):
        return str(entity["Arn"])
    return by_type.get(str(entity.get("Type")), {}).get(str(entity.get("Name")))


def _generic(ctx: StepContext) -> None:
    """A type the table does not know: it runs, with no metadata."""


def _list(value: Any) -> list[JsonDict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _mapping(value: Any) -> JsonDict:
    return value if isinstance(value, dict) else {}


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


#: Step ``Type`` -> how the sandbox runs it; the one table of step types in the sandbox.
STEP_HANDLERS: Mapping[str, StepKind] = {
    "Processing": StepKind(_processing, 240, "processing"),
    "Training": StepKind(_training, 840, "training"),
    "Transform": StepKind(_transform, 300, "transform"),
    "Tuning": StepKind(_tuning, 1800, "tuning"),
    "Model": StepKind(_model, 4, "model"),
    "CreateModel": StepKind(_model, 4, "model"),
    "RegisterModel": StepKind(_register, 3, "model_package"),
    "QualityCheck": StepKind(_check, 420, "processing"),
    "ClarifyCheck": StepKind(_check, 480, "processing"),
    "AutoML": StepKind(_automl, 3000),
    "EMR": StepKind(_emr, 600),
    "EMRServerless": StepKind(_emr_serverless, 540),
    "NotebookJob": StepKind(_training, 900, "training"),
    "Condition": StepKind(_condition, 1),
    "Fail": StepKind(_fail, 1),
    "Lambda": StepKind(_lambda, 20),
    "Callback": StepKind(_callback, 120),
    "EndpointConfig": StepKind(_endpoint_config, 3, "endpoint_config"),
    "Endpoint": StepKind(_endpoint, 480, "endpoint"),
    "InferenceComponent": StepKind(_inference_component, 360),
    "Lineage": StepKind(_lineage, 2),
    "BedrockCustomModel": StepKind(_bedrock("custom-model"), 3600),
    "BedrockCustomModelDeployment": StepKind(_bedrock("custom-model-deployment"), 600),
    "BedrockProvisionedModelThroughput": StepKind(_bedrock("provisioned-model"), 900),
    "BedrockModelImport": StepKind(_bedrock("model-import-job"), 1200),
}

#: How a step of a type missing from :data:`STEP_HANDLERS` runs.
GENERIC_STEP = StepKind(_generic, 30)
