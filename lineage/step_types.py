"""Everything the engine knows per step type: ONE table, no if-chains (pure).

Each row of :data:`STEP_TYPES` says how a step type's S3 inputs and outputs are read, which
member of the execution's step metadata it reports, which ``Describe*`` call (if any) tells
more about its job, what that answer gives (concrete locations, metrics, a job to follow)
and when it is worth asking (``describe_when``: :class:`DescribeWhen`).
Everything else that knows about step types (the run info reader, the service, the dashboard's
shapes and legend) derives from this table; tests check that every consumer covers every row.

A step's ``Arguments`` in a pipeline definition are the request of the ``Create*`` call the
step makes (``CreateProcessingJob``, ``CreateTrainingJob``, ...), and the matching
``Describe*`` answer repeats the request's shape. So one extractor per type reads both: the
definition parser passes a resolver that evaluates expressions, :func:`io_from_describe`
passes the identity. See
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateProcessingJob.html and
its siblings for the shapes.

Besides the table, :func:`scan_s3_uris` is the generic fallback: every S3 URI anywhere in a
step becomes an input or output even when no row knows where it sits.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from lineage.models import ConditionResult, IORef

# Names shared with the rest of the package (see docs/ARCHITECTURE.md, naming rules).
MODEL_ARTIFACTS: Final = "model_artifacts"
CALCULATED_STATISTICS: Final = "calculated_baseline_statistics"
CALCULATED_CONSTRAINTS: Final = "calculated_baseline_constraints"

Resolve = Callable[[Any], Any]


@dataclass(frozen=True)
class ExtractContext:
    resolve: Resolve  # evaluates an expression; the identity for a Describe* answer
    step_name: str | None = None  # None when reading a Describe* answer


@dataclass
class RawIO:
    """Inputs and outputs as found: (name, value) where the value may not be a string yet."""

    inputs: list[tuple[str, Any]] = field(default_factory=list)
    outputs: list[tuple[str, Any]] = field(default_factory=list)


Extractor = Callable[[Mapping[str, Any], ExtractContext, RawIO], None]


# -- small helpers ---------------------------------------------------------------------------


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...``, or ``None`` where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _name(item: Any, key: str, fallback: str) -> str:
    found = dig(item, key)
    return found if isinstance(found, str) and found else fallback


_S3_SINGLE_SLASH = re.compile(r"^s3:/(?=[^/])")


def normalize_s3_uri(text: str) -> str:
    """``s3:/bucket/key`` -> ``s3://bucket/key``; anything else unchanged.

    Definitions built with ``os.path.join``/``pathlib`` collapse the ``//`` of the scheme (the
    SageMaker SDK's own EMR test writes ``s3:/script-runner/...``). S3 has no ``s3:/`` form,
    and SageMaker would fail on it at run time, so the only sensible reading is the bucket
    and key it obviously means; treating it as such links it to the same artifact.
    """
    return _S3_SINGLE_SLASH.sub("s3://", text)


def looks_like_s3(text: str) -> bool:
    return normalize_s3_uri(text).startswith("s3://") and len(text) > len("s3://")


def clean_uri(value: Any) -> str | None:
    """A found value as an IO URI: a non-empty string, outer quotes gone, ``s3:/`` fixed.

    SageMaker's estimators JSON-encode hyperparameters, so a path arrives as ``"\\"s3://b/k\\""``.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return normalize_s3_uri(text) if text else None


# -- extractors, one per shape ---------------------------------------------------------------


def _processing(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    for i, item in enumerate(_items(args.get("ProcessingInputs"))):
        name = _name(item, "InputName", f"input-{i + 1}")
        io.inputs.append((name, ctx.resolve(dig(item, "S3Input", "S3Uri"))))
    for i, item in enumerate(_items(dig(args, "ProcessingOutputConfig", "Outputs"))):
        name = _name(item, "OutputName", f"output-{i + 1}")
        io.outputs.append((name, ctx.resolve(dig(item, "S3Output", "S3Uri"))))


def _check_outputs(*files: tuple[str, str]) -> Extractor:
    """QualityCheck/ClarifyCheck: a processing job whose first output dir holds the baselines.

    The SDK's ``QualityCheckStep``/``ClarifyCheckStep`` properties ``CalculatedBaseline*`` and
    ``BaselineUsedForDriftCheck*`` point at these files.
    """

    def extract(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
        _processing(args, ctx, io)
        if io.outputs and isinstance(io.outputs[0][1], str) and io.outputs[0][1]:
            folder = io.outputs[0][1].rstrip("/")
            io.outputs.extend((name, f"{folder}/{file}") for name, file in files)

    return extract


def _channels(channels: Any, ctx: ExtractContext, io: RawIO, prefix: str = "") -> None:
    for i, item in enumerate(_items(channels)):
        name = _name(item, "ChannelName", _name(item, "ChannelType", f"channel-{i + 1}"))
        uri = dig(item, "DataSource", "S3DataSource", "S3Uri")
        io.inputs.append((prefix + name, ctx.resolve(uri)))


def _training_job(
    args: Mapping[str, Any],
    ctx: ExtractContext,
    io: RawIO,
    prefix: str = "",
) -> Any:
    _channels(args.get("InputDataConfig"), ctx, io, prefix)
    output_path = ctx.resolve(dig(args, "OutputDataConfig", "S3OutputPath"))
    io.outputs.append((prefix + "output", output_path))
    io.outputs.append(
        (prefix + "checkpoints", ctx.resolve(dig(args, "CheckpointConfig", "S3Uri")))
    )
    return output_path


def _training(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    output_path = _training_job(args, ctx, io)
    described = dig(args, "ModelArtifacts", "S3ModelArtifacts")  # Describe* only
    if described is not None:
        io.outputs.append((MODEL_ARTIFACTS, ctx.resolve(described)))
    elif ctx.step_name is not None and isinstance(output_path, str) and output_path:
        # Where SageMaker writes the model: <S3OutputPath>/<job name>/output/model.tar.gz.
        job = "{Steps." + ctx.step_name + ".TrainingJobName}"
        io.outputs.append((MODEL_ARTIFACTS, f"{output_path.rstrip('/')}/{job}/output/model.tar.gz"))


def _notebook_job(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    # A NotebookJob step runs as a training job; its notebook's outputs are the output path.
    _training_job(args, ctx, io)


def _tuning(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    single = args.get("TrainingJobDefinition")
    if isinstance(single, Mapping):
        _training_job(single, ctx, io)
    for i, definition in enumerate(_items(args.get("TrainingJobDefinitions"))):
        if isinstance(definition, Mapping):
            label = _name(definition, "DefinitionName", f"definition-{i + 1}")
            _training_job(definition, ctx, io, prefix=f"{label}.")


def _transform(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    io.inputs.append(
        ("input", ctx.resolve(dig(args, "TransformInput", "DataSource", "S3DataSource", "S3Uri")))
    )
    io.outputs.append(("output", ctx.resolve(dig(args, "TransformOutput", "S3OutputPath"))))
    io.outputs.append(
        ("data_capture", ctx.resolve(dig(args, "DataCaptureConfig", "DestinationS3Uri")))
    )


def _containers(containers: list[Any], ctx: ExtractContext, io: RawIO) -> None:
    for i, container in enumerate(containers):
        url = dig(container, "ModelDataUrl")
        if url is None:
            url = dig(container, "ModelDataSource", "S3DataSource", "S3Uri")
        io.inputs.append(("model_data" if i == 0 else f"model_data_{i}", ctx.resolve(url)))


def _model(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    primary = args.get("PrimaryContainer")
    _containers(
        [primary] if isinstance(primary, Mapping) else _items(args.get("Containers")), ctx, io
    )


def _s3_uri_leaves(tree: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """(path, value) of every ``S3Uri`` key under ``tree``; the path names its parents."""
    stack: list[tuple[Any, str]] = [(tree, prefix)]
    while stack:
        value, where = stack.pop()
        if not isinstance(value, Mapping):
            continue
        for key, child in value.items():
            if key == "S3Uri":
                yield where, child
        stack.extend(
            (child, f"{where}.{key}")
            for key, child in reversed(list(value.items()))
            if key != "S3Uri" and isinstance(child, Mapping)
        )


def _register_model(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    _containers(_items(dig(args, "InferenceSpecification", "Containers")), ctx, io)
    for section in ("ModelMetrics", "DriftCheckBaselines"):
        io.inputs.extend(
            (path, ctx.resolve(uri)) for path, uri in _s3_uri_leaves(args.get(section), section)
        )


def _automl(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    _channels(args.get("InputDataConfig"), ctx, io)  # CreateAutoMLJob
    _channels(args.get("AutoMLJobInputDataConfig"), ctx, io)  # CreateAutoMLJobV2
    io.outputs.append(("output", ctx.resolve(dig(args, "OutputDataConfig", "S3OutputPath"))))


def _s3_arguments(arguments: list[Any], ctx: ExtractContext, io: RawIO) -> None:
    """Command-line arguments that are S3 locations, as inputs ``arg-<position>``."""
    for i, arg in enumerate(arguments):
        value = ctx.resolve(arg)
        cleaned = clean_uri(value)
        if cleaned is not None and looks_like_s3(cleaned):
            io.inputs.append((f"arg-{i}", value))


def _emr(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    jar_step = dig(args, "StepConfig", "HadoopJarStep")
    io.inputs.append(("jar", ctx.resolve(dig(jar_step, "Jar"))))
    _s3_arguments(_items(dig(jar_step, "Args")), ctx, io)
    io.outputs.append(("logs", ctx.resolve(dig(args, "ClusterConfig", "LogUri"))))


def _emr_serverless(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    # The step's JobConfig is the StartJobRun request of EMR Serverless (camelCase keys).
    # https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_StartJobRun.html
    job = args.get("JobConfig")
    driver = dig(job, "jobDriver")
    spark = dig(driver, "sparkSubmit")
    io.inputs.append(("entry_point", ctx.resolve(dig(spark, "entryPoint"))))
    _s3_arguments(_items(dig(spark, "entryPointArguments")), ctx, io)
    hive = dig(driver, "hive")
    io.inputs.append(("query", ctx.resolve(dig(hive, "query"))))
    io.inputs.append(("init_query_file", ctx.resolve(dig(hive, "initQueryFile"))))
    monitoring = dig(job, "configurationOverrides", "monitoringConfiguration")
    log_uri = dig(monitoring, "s3MonitoringConfiguration", "logUri")
    io.outputs.append(("logs", ctx.resolve(log_uri)))


def _endpoint_config(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    # CreateEndpointConfig: models are named, not located; what it writes is captured data and
    # asynchronous answers.
    io.outputs.append(
        ("data_capture", ctx.resolve(dig(args, "DataCaptureConfig", "DestinationS3Uri")))
    )
    output = dig(args, "AsyncInferenceConfig", "OutputConfig")
    io.outputs.append(("async_output", ctx.resolve(dig(output, "S3OutputPath"))))
    io.outputs.append(("async_failure", ctx.resolve(dig(output, "S3FailurePath"))))


def _inference_component(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    # CreateInferenceComponent: a container may bring its own model artifact.
    container = dig(args, "Specification", "Container")
    io.inputs.append(("model_data", ctx.resolve(dig(container, "ArtifactUrl"))))


def _bedrock_custom_model(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    # Bedrock's CreateModelCustomizationJob (camelCase keys).
    # https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelCustomizationJob.html
    io.inputs.append(("training_data", ctx.resolve(dig(args, "trainingDataConfig", "s3Uri"))))
    for i, validator in enumerate(_items(dig(args, "validationDataConfig", "validators"))):
        name = "validation_data" if i == 0 else f"validation_data_{i}"
        io.inputs.append((name, ctx.resolve(dig(validator, "s3Uri"))))
    io.outputs.append(("output", ctx.resolve(dig(args, "outputDataConfig", "s3Uri"))))


def _bedrock_model_import(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    # Bedrock's CreateModelImportJob.
    source = dig(args, "modelDataSource", "s3DataSource", "s3Uri")
    io.inputs.append(("model_data", ctx.resolve(source)))


def _nothing(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    """Steps without S3 I/O of their own (the generic scan still looks at them)."""


# -- Describe* answers: what else they tell besides inputs and outputs ------------------------


def training_metrics(describe: Mapping[str, Any]) -> dict[str, float]:
    """``FinalMetricDataList`` of a DescribeTrainingJob answer, by metric name."""
    metrics: dict[str, float] = {}
    for item in _items(describe.get("FinalMetricDataList")):
        name, value = dig(item, "MetricName"), dig(item, "Value")
        if isinstance(name, str) and is_number(value):
            metrics[name] = float(value)
    return metrics


def tuning_objective(describe: Mapping[str, Any]) -> dict[str, float]:
    """The best training job's objective metric of a DescribeHyperParameterTuningJob answer."""
    objective = dig(describe, "BestTrainingJob", "FinalHyperParameterTuningJobObjectiveMetric")
    name, value = dig(objective, "MetricName"), dig(objective, "Value")
    return {str(name): float(value)} if name and is_number(value) else {}


def best_training_job(describe: Mapping[str, Any]) -> str | None:
    """The best training job of a DescribeHyperParameterTuningJob answer."""
    name = dig(describe, "BestTrainingJob", "TrainingJobName")
    return str(name) if name else None


def is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


class DescribeWhen(enum.Enum):
    """When a job's Describe* answer adds to what the definition and the execution give
    (``LINEAGE_DESCRIBE=needed``; ``all`` describes every job)."""

    # Its metrics (FinalMetricDataList, a tuning job's best job): no other call has them.
    METRICS = "metrics"
    # A state the run does not say (a model package's approval status): every full document.
    STATE = "state"
    # Only its locations: where the definition leaves one unresolved (a ``{...}``
    # placeholder), or the job is another run's (a cache hit: it wrote where that run said).
    UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class DescribeCall:
    """The Describe* call behind a step's execution metadata, and how to read its answer."""

    operation: str
    name_parameter: str
    describe_when: DescribeWhen
    # Reads the answer's inputs and outputs (its shape repeats the Create* request's).
    extract: Extractor | None = None
    # Model packages are named by their full ARN; jobs by the last part of theirs.
    by_full_arn: bool = False
    metrics: Callable[[Mapping[str, Any]], dict[str, float]] | None = None
    # Another job whose metrics belong to the step (a tuning job's best training job): its
    # name in the answer, and the call that describes it.
    follow: Callable[[Mapping[str, Any]], str | None] | None = None
    followed: DescribeCall | None = None


@dataclass(frozen=True)
class MetadataFacts:
    """What one member of a step's execution metadata says beyond its job ARN."""

    condition: ConditionResult | None = None  # a Condition's outcome
    model_package_arn: str | None = None  # what a RegisterModel step registered
    error_message: str | None = None  # a Fail step's


def _outcome(value: Any) -> bool | None:
    text = str(value).lower()
    return True if text == "true" else False if text == "false" else None


@dataclass(frozen=True)
class StepMetadata:
    """One member of ``PipelineExecutionStepMetadata`` (ListPipelineExecutionSteps).

    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_PipelineExecutionStepMetadata.html
    """

    kind: str
    arn_key: str | None = "Arn"  # the member naming the step's job or resource
    describe: DescribeCall | None = None
    # Members that are S3 locations the step wrote, as outputs named by them.
    output_keys: tuple[str, ...] = ()
    facts: Callable[[Mapping[str, Any], str | None], MetadataFacts] | None = None


def _condition_facts(body: Mapping[str, Any], _arn: str | None) -> MetadataFacts:
    return MetadataFacts(condition=ConditionResult(_outcome(body.get("Outcome"))))


def _register_facts(_body: Mapping[str, Any], arn: str | None) -> MetadataFacts:
    return MetadataFacts(model_package_arn=arn)


def _fail_facts(body: Mapping[str, Any], _arn: str | None) -> MetadataFacts:
    message = body.get("ErrorMessage")
    return MetadataFacts(error_message=str(message) if message else None)


_DESCRIBE_PROCESSING = DescribeCall(
    "DescribeProcessingJob", "ProcessingJobName", DescribeWhen.UNRESOLVED, _processing
)
# Its S3ModelArtifacts (<S3OutputPath>/<job name>/output/model.tar.gz) is not derived from
# the metadata's ARN: an ARN spells the job's name in lower case, S3 keys keep its case. The
# call is made for the metrics anyway.
_DESCRIBE_TRAINING = DescribeCall(
    "DescribeTrainingJob", "TrainingJobName", DescribeWhen.METRICS, _training,
    metrics=training_metrics,
)
_CHECK_OUTPUTS = (
    "CalculatedBaselineStatistics",
    "CalculatedBaselineConstraints",
    "BaselineUsedForDriftCheckStatistics",
    "BaselineUsedForDriftCheckConstraints",
    "ViolationReport",
)

_TRAINING_JOB = StepMetadata("TrainingJob", describe=_DESCRIBE_TRAINING)
_MODEL = StepMetadata("Model")


def _arn_only(kind: str) -> StepMetadata:
    return StepMetadata(kind)


def _check(kind: str) -> StepMetadata:
    # A check step runs a processing job; its metadata also names the baselines it wrote.
    return StepMetadata(
        kind, arn_key="CheckJobArn", describe=_DESCRIBE_PROCESSING, output_keys=_CHECK_OUTPUTS
    )


# -- THE table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTypeSpec:
    """Everything the engine knows about one step type."""

    extract: Extractor
    # Which member of the execution's step metadata it reports (None: none of its own).
    metadata: StepMetadata | None = None
    # Step-level keys (beside Arguments, definition only) that name an input: key -> io name.
    step_inputs: Mapping[str, str] = field(default_factory=dict)
    # Properties (``Steps.X.<property>``) answered by one of the step's outputs: -> io name.
    properties: Mapping[str, str] = field(default_factory=dict)


_QUALITY_PROPERTIES = {
    "CalculatedBaselineStatistics": CALCULATED_STATISTICS,
    "CalculatedBaselineConstraints": CALCULATED_CONSTRAINTS,
    "BaselineUsedForDriftCheckStatistics": CALCULATED_STATISTICS,
    "BaselineUsedForDriftCheckConstraints": CALCULATED_CONSTRAINTS,
}
_CLARIFY_PROPERTIES = {
    "CalculatedBaselineConstraints": CALCULATED_CONSTRAINTS,
    "BaselineUsedForDriftCheckConstraints": CALCULATED_CONSTRAINTS,
}

# Definition ``Type`` -> its row. The SageMaker Python SDK's StepTypeEnum names the classic
# types; botocore's PipelineExecutionStepMetadata names the newer ones.
STEP_TYPES: Mapping[str, StepTypeSpec] = {
    "Processing": StepTypeSpec(
        _processing, StepMetadata("ProcessingJob", describe=_DESCRIBE_PROCESSING)
    ),
    "Training": StepTypeSpec(
        _training, _TRAINING_JOB, properties={"ModelArtifacts.S3ModelArtifacts": MODEL_ARTIFACTS}
    ),
    "Transform": StepTypeSpec(
        _transform,
        StepMetadata(
            "TransformJob", describe=DescribeCall("DescribeTransformJob", "TransformJobName",
                                                  DescribeWhen.UNRESOLVED, _transform)
        ),
    ),
    "Tuning": StepTypeSpec(
        _tuning,
        StepMetadata(
            "TuningJob",
            describe=DescribeCall(
                "DescribeHyperParameterTuningJob",
                "HyperParameterTuningJobName",
                DescribeWhen.METRICS,
                _tuning,
                metrics=tuning_objective,
                follow=best_training_job,
                followed=_DESCRIBE_TRAINING,
            ),
        ),
    ),
    "Model": StepTypeSpec(_model, _MODEL),
    "CreateModel": StepTypeSpec(_model, _MODEL),
    "RegisterModel": StepTypeSpec(
        _register_model,
        StepMetadata(
            "RegisterModel",
            # DescribeModelPackage answers in the shape of the step's arguments.
            describe=DescribeCall(
                "DescribeModelPackage", "ModelPackageName", DescribeWhen.STATE, _register_model,
                by_full_arn=True,
            ),
            facts=_register_facts,
        ),
    ),
    "QualityCheck": StepTypeSpec(
        _check_outputs(
            (CALCULATED_STATISTICS, "statistics.json"),
            (CALCULATED_CONSTRAINTS, "constraints.json"),
        ),
        _check("QualityCheck"),
        step_inputs={
            "SuppliedBaselineStatistics": "supplied_baseline_statistics",
            "SuppliedBaselineConstraints": "supplied_baseline_constraints",
        },
        properties=_QUALITY_PROPERTIES,
    ),
    "ClarifyCheck": StepTypeSpec(
        _check_outputs((CALCULATED_CONSTRAINTS, "analysis.json")),
        _check("ClarifyCheck"),
        step_inputs={"SuppliedBaselineConstraints": "supplied_baseline_constraints"},
        properties=_CLARIFY_PROPERTIES,
    ),
    "AutoML": StepTypeSpec(_automl, _arn_only("AutoMLJob")),
    "EMR": StepTypeSpec(_emr, StepMetadata("EMR", arn_key=None)),
    "EMRServerless": StepTypeSpec(_emr_serverless, StepMetadata("EMRServerless", arn_key=None)),
    # A notebook job runs as a training job.
    "NotebookJob": StepTypeSpec(_notebook_job, _TRAINING_JOB),
    "Condition": StepTypeSpec(_nothing, StepMetadata("Condition", None, facts=_condition_facts)),
    "Fail": StepTypeSpec(_nothing, StepMetadata("Fail", None, facts=_fail_facts)),
    "Lambda": StepTypeSpec(_nothing, _arn_only("Lambda")),
    "Callback": StepTypeSpec(_nothing, StepMetadata("Callback", arn_key=None)),
    "EndpointConfig": StepTypeSpec(_endpoint_config, _arn_only("EndpointConfig")),
    "Endpoint": StepTypeSpec(_nothing, _arn_only("Endpoint")),
    "InferenceComponent": StepTypeSpec(_inference_component, _arn_only("InferenceComponent")),
    "Lineage": StepTypeSpec(_nothing, StepMetadata("Lineage", arn_key=None)),
    "BedrockCustomModel": StepTypeSpec(_bedrock_custom_model, _arn_only("BedrockCustomModel")),
    "BedrockCustomModelDeployment": StepTypeSpec(
        _nothing, _arn_only("BedrockCustomModelDeployment")
    ),
    "BedrockProvisionedModelThroughput": StepTypeSpec(
        _nothing, _arn_only("BedrockProvisionedModelThroughput")
    ),
    "BedrockModelImport": StepTypeSpec(_bedrock_model_import, _arn_only("BedrockModelImport")),
}


def _metadata_kinds() -> dict[str, StepMetadata]:
    kinds: dict[str, StepMetadata] = {}
    for spec in STEP_TYPES.values():
        if spec.metadata is not None:
            kinds.setdefault(spec.metadata.kind, spec.metadata)
    return kinds


# Metadata kind -> how to read it, derived from the table (several types may share a kind).
METADATA_KINDS: Mapping[str, StepMetadata] = _metadata_kinds()


def extract_raw_io(step_type: str, args: Mapping[str, Any], ctx: ExtractContext) -> RawIO:
    """The table's reading of a step's Arguments (or a Describe* answer); unknown type: none."""
    io = RawIO()
    spec = STEP_TYPES.get(step_type)
    if spec is not None:
        spec.extract(args, ctx, io)
    return io


def to_refs(found: list[tuple[str, Any]]) -> tuple[IORef, ...]:
    """Keep the string values (cleaned), drop empty ones and exact duplicates, keep order."""
    out: dict[tuple[str, str], IORef] = {}
    for name, value in found:
        uri = clean_uri(value)
        if uri is not None:
            out.setdefault((name, uri), IORef(name, uri))
    return tuple(out.values())


def _as_is(value: Any) -> Any:
    return value


def io_from_describe(
    step_type: str, describe: Mapping[str, Any]
) -> tuple[tuple[IORef, ...], tuple[IORef, ...]]:
    """The concrete inputs/outputs from a job's Describe* answer, same names as from the
    definition (``ModelArtifacts.S3ModelArtifacts`` of a training job is ``model_artifacts``)."""
    io = extract_raw_io(step_type, describe, ExtractContext(resolve=_as_is))
    return to_refs(io.inputs), to_refs(io.outputs)


def described_io(
    call: DescribeCall, answer: Mapping[str, Any]
) -> tuple[tuple[IORef, ...], tuple[IORef, ...]] | None:
    """What ``call``'s answer says the step read and wrote; ``None`` when it says nothing."""
    if call.extract is None:
        return None
    io = RawIO()
    call.extract(answer, ExtractContext(resolve=_as_is), io)
    return to_refs(io.inputs), to_refs(io.outputs)


# -- the generic fallback --------------------------------------------------------------------

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """``("HyperParameters", "x")`` -> ``HyperParameters.x``; list indexes as ``[i]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def is_output_path(path: str) -> bool:
    """The generic scan's direction rule: a key path that says Output is written."""
    return "output" in path.lower()


def scan_s3_uris(
    tree: Any,
    resolve: Resolve,
    *,
    is_expression: Callable[[Any], bool],
    skip: Callable[[KeyPath], bool] | None = None,
) -> list[tuple[KeyPath, str]]:
    """Every S3 URI anywhere in ``tree`` (iterative, document order), as (key path, URI).

    Expressions are evaluated (a Get of a parameter whose value is an S3 URI counts), quoted
    values are unquoted, ``s3:/`` becomes ``s3://``. ``skip`` prunes subtrees by key path.
    """
    found: list[tuple[KeyPath, str]] = []
    stack: list[tuple[Any, KeyPath]] = [(tree, ())]
    while stack:
        value, where = stack.pop()
        if skip is not None and where and skip(where):
            continue
        if is_expression(value):
            value = resolve(value)
        if isinstance(value, str):
            uri = clean_uri(value)
            if uri is not None and looks_like_s3(uri):
                found.append((where, uri))
        elif isinstance(value, Mapping):
            stack.extend(
                (child, (*where, str(key))) for key, child in reversed(list(value.items()))
            )
        elif isinstance(value, list):
            stack.extend((child, (*where, i)) for i, child in reversed(list(enumerate(value))))
    return found
