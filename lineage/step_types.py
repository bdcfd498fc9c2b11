"""Step type -> how to read its S3 inputs and outputs: ONE table, no if-chains (pure).

A step's ``Arguments`` in a pipeline definition are the request of the ``Create*`` call the
step makes (``CreateProcessingJob``, ``CreateTrainingJob``, ...), and the matching
``Describe*`` answer repeats the request's shape. So one extractor per type reads both: the
definition parser passes a resolver that evaluates expressions, :func:`io_from_describe`
passes the identity. See
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateProcessingJob.html and
its siblings for the shapes.

Which ``Describe*`` call serves which kind of execution-step metadata lives in
``lineage.runinfo.DESCRIBE_BY_METADATA_KIND``; it names the step type whose row here reads
the answer.

Besides the table, :func:`scan_s3_uris` is the generic fallback: every S3 URI anywhere in a
step becomes an input or output even when no row knows where it sits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from lineage.models import IORef

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


@dataclass(frozen=True)
class StepTypeSpec:
    """How one step type reads its inputs and outputs."""

    extract: Extractor
    # Step-level keys (beside Arguments, definition only) that name an input: key -> io name.
    step_inputs: Mapping[str, str] = field(default_factory=dict)
    # Properties (``Steps.X.<property>``) answered by one of the step's outputs: -> io name.
    properties: Mapping[str, str] = field(default_factory=dict)


# -- small helpers ---------------------------------------------------------------------------


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _name(item: Any, key: str, fallback: str) -> str:
    found = _dig(item, key)
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
        io.inputs.append((name, ctx.resolve(_dig(item, "S3Input", "S3Uri"))))
    for i, item in enumerate(_items(_dig(args, "ProcessingOutputConfig", "Outputs"))):
        name = _name(item, "OutputName", f"output-{i + 1}")
        io.outputs.append((name, ctx.resolve(_dig(item, "S3Output", "S3Uri"))))


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
        uri = _dig(item, "DataSource", "S3DataSource", "S3Uri")
        io.inputs.append((prefix + name, ctx.resolve(uri)))


def _training_job(
    args: Mapping[str, Any],
    ctx: ExtractContext,
    io: RawIO,
    prefix: str = "",
) -> Any:
    _channels(args.get("InputDataConfig"), ctx, io, prefix)
    output_path = ctx.resolve(_dig(args, "OutputDataConfig", "S3OutputPath"))
    io.outputs.append((prefix + "output", output_path))
    io.outputs.append(
        (prefix + "checkpoints", ctx.resolve(_dig(args, "CheckpointConfig", "S3Uri")))
    )
    return output_path


def _training(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    output_path = _training_job(args, ctx, io)
    described = _dig(args, "ModelArtifacts", "S3ModelArtifacts")  # Describe* only
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
        ("input", ctx.resolve(_dig(args, "TransformInput", "DataSource", "S3DataSource", "S3Uri")))
    )
    io.outputs.append(("output", ctx.resolve(_dig(args, "TransformOutput", "S3OutputPath"))))
    io.outputs.append(
        ("data_capture", ctx.resolve(_dig(args, "DataCaptureConfig", "DestinationS3Uri")))
    )


def _containers(containers: list[Any], ctx: ExtractContext, io: RawIO) -> None:
    for i, container in enumerate(containers):
        url = _dig(container, "ModelDataUrl")
        if url is None:
            url = _dig(container, "ModelDataSource", "S3DataSource", "S3Uri")
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
    _containers(_items(_dig(args, "InferenceSpecification", "Containers")), ctx, io)
    for section in ("ModelMetrics", "DriftCheckBaselines"):
        io.inputs.extend(
            (path, ctx.resolve(uri)) for path, uri in _s3_uri_leaves(args.get(section), section)
        )


def _automl(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    _channels(args.get("InputDataConfig"), ctx, io)  # CreateAutoMLJob
    _channels(args.get("AutoMLJobInputDataConfig"), ctx, io)  # CreateAutoMLJobV2
    io.outputs.append(("output", ctx.resolve(_dig(args, "OutputDataConfig", "S3OutputPath"))))


def _emr(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    jar_step = _dig(args, "StepConfig", "HadoopJarStep")
    io.inputs.append(("jar", ctx.resolve(_dig(jar_step, "Jar"))))
    for i, arg in enumerate(_items(_dig(jar_step, "Args"))):
        value = ctx.resolve(arg)
        cleaned = clean_uri(value)
        if cleaned is not None and looks_like_s3(cleaned):
            io.inputs.append((f"arg-{i}", value))
    io.outputs.append(("logs", ctx.resolve(_dig(args, "ClusterConfig", "LogUri"))))


def _nothing(args: Mapping[str, Any], ctx: ExtractContext, io: RawIO) -> None:
    """Steps without S3 I/O of their own (the generic scan still looks at them)."""


_PROCESSING = StepTypeSpec(_processing)
_MODEL = StepTypeSpec(_model)
_NOTHING = StepTypeSpec(_nothing)

STEP_TYPES: Mapping[str, StepTypeSpec] = {
    "Processing": _PROCESSING,
    "Training": StepTypeSpec(
        _training, properties={"ModelArtifacts.S3ModelArtifacts": MODEL_ARTIFACTS}
    ),
    "Transform": StepTypeSpec(_transform),
    "Tuning": StepTypeSpec(_tuning),
    "Model": _MODEL,
    "CreateModel": _MODEL,
    "RegisterModel": StepTypeSpec(_register_model),
    "QualityCheck": StepTypeSpec(
        _check_outputs(
            (CALCULATED_STATISTICS, "statistics.json"),
            (CALCULATED_CONSTRAINTS, "constraints.json"),
        ),
        step_inputs={
            "SuppliedBaselineStatistics": "supplied_baseline_statistics",
            "SuppliedBaselineConstraints": "supplied_baseline_constraints",
        },
        properties={
            "CalculatedBaselineStatistics": CALCULATED_STATISTICS,
            "CalculatedBaselineConstraints": CALCULATED_CONSTRAINTS,
            "BaselineUsedForDriftCheckStatistics": CALCULATED_STATISTICS,
            "BaselineUsedForDriftCheckConstraints": CALCULATED_CONSTRAINTS,
        },
    ),
    "ClarifyCheck": StepTypeSpec(
        _check_outputs((CALCULATED_CONSTRAINTS, "analysis.json")),
        step_inputs={"SuppliedBaselineConstraints": "supplied_baseline_constraints"},
        properties={
            "CalculatedBaselineConstraints": CALCULATED_CONSTRAINTS,
            "BaselineUsedForDriftCheckConstraints": CALCULATED_CONSTRAINTS,
        },
    ),
    "AutoML": StepTypeSpec(_automl),
    "EMR": StepTypeSpec(_emr),
    "NotebookJob": StepTypeSpec(_notebook_job),
    "Condition": _NOTHING,
    "Fail": _NOTHING,
    "Lambda": _NOTHING,
    "Callback": _NOTHING,
}


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


def io_from_describe(
    step_type: str, describe: Mapping[str, Any]
) -> tuple[tuple[IORef, ...], tuple[IORef, ...]]:
    """The concrete inputs/outputs from a job's Describe* answer, same names as from the
    definition (``ModelArtifacts.S3ModelArtifacts`` of a training job is ``model_artifacts``)."""
    io = extract_raw_io(step_type, describe, ExtractContext(resolve=lambda value: value))
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
