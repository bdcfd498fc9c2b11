"""Turn a pipeline definition and an :class:`ExecutionSpec` into a simulated execution.

Pure (no moto, no I/O): the result says which steps ran, when and how, with each step's
``Metadata`` as ``ListPipelineExecutionSteps`` reports it, which jobs must exist in moto
(with the definition's ``Arguments`` resolved for this execution), and which objects the run
wrote. :mod:`lineage.sandbox.seed` applies it.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from lineage.sandbox import ACCOUNT_ID
from lineage.sandbox.world import EXECUTION_FAILURE, ExecutionSpec, JsonDict

JobKind = Literal["processing", "training", "transform", "tuning", "model", "model_package"]

# Typical wall time per step type, seconds (a deterministic 0-59 s is added per step name).
_DURATION = {
    "Processing": 240,
    "Training": 840,
    "Tuning": 1800,
    "Transform": 300,
    "Model": 4,
    "RegisterModel": 3,
    "CreateModel": 4,
    "Condition": 1,
    "Fail": 1,
    "Lambda": 20,
    "Callback": 120,
    "QualityCheck": 420,
    "ClarifyCheck": 480,
    "EMR": 600,
    "AutoML": 3000,
}
_GAP = timedelta(seconds=5)
_STARTING_WINDOW = 45
# Step status -> the job status its Describe* reports.
JOB_STATUS = {
    "Starting": "InProgress",
    "Executing": "InProgress",
    "Stopping": "Stopping",
    "Stopped": "Stopped",
    "Failed": "Failed",
    "Succeeded": "Completed",
}


@dataclass(frozen=True)
class FlatStep:
    name: str
    type: str
    raw: JsonDict  # the step as written in the definition
    parent: str | None = None
    branch: Literal["if", "else"] | None = None

    @property
    def arguments(self) -> JsonDict:
        args = self.raw.get("Arguments")
        return args if isinstance(args, dict) else {}


@dataclass
class JobPlan:
    """A job (or model, or model package) that must exist in moto for a step."""

    kind: JobKind
    name: str
    arn: str
    region: str
    request: JsonDict  # the boto3 Create* keyword arguments
    status: str  # the step's status
    start: datetime
    end: datetime | None
    failure_reason: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    approval: str | None = None
    step: str = ""


@dataclass
class StepRecord:
    name: str
    type: str
    status: str
    start: datetime
    end: datetime | None
    display_name: str | None = None
    description: str | None = None
    failure_reason: str | None = None
    cache_source_arn: str | None = None
    metadata: JsonDict = field(default_factory=dict)
    attempt_count: int = 1

    def to_json(self) -> JsonDict:
        """A ``PipelineExecutionStep`` of the JSON protocol (timestamps as epoch seconds)."""
        out: JsonDict = {"StepName": self.name}
        if self.display_name:
            out["StepDisplayName"] = self.display_name
        if self.description:
            out["StepDescription"] = self.description
        out["StartTime"] = epoch(self.start)
        if self.end is not None:
            out["EndTime"] = epoch(self.end)
        out["StepStatus"] = self.status
        if self.cache_source_arn:
            out["CacheHitResult"] = {"SourcePipelineExecutionArn": self.cache_source_arn}
        if self.failure_reason:
            out["FailureReason"] = self.failure_reason
        out["Metadata"] = self.metadata
        out["AttemptCount"] = self.attempt_count
        return out


@dataclass
class ExecutionRecord:
    pipeline_name: str
    region: str
    execution_id: str
    status: str
    start: datetime
    last_modified: datetime
    definition: str
    parameters: list[dict[str, str]]
    steps: list[StepRecord]
    display_name: str | None = None
    description: str | None = None
    failure_reason: str | None = None

    @property
    def pipeline_arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:{ACCOUNT_ID}:pipeline/{self.pipeline_name}"

    @property
    def arn(self) -> str:
        return f"{self.pipeline_arn}/execution/{self.execution_id}"


@dataclass
class Simulation:
    execution: ExecutionRecord
    jobs: list[JobPlan]
    objects: dict[str, bytes]  # s3://bucket/key -> body
    properties: dict[str, JsonDict]  # step -> what Get Steps.<step>... resolves against
    job_names: dict[str, str]  # step -> name of the job it ran (for cache hits)


def epoch(moment: datetime) -> float:
    return moment.timestamp()


# --------------------------------------------------------------------------------------
# Walking a definition


def flatten_steps(definition: Mapping[str, Any]) -> list[FlatStep]:
    """All steps, those inside Condition branches included, a Condition before its branches."""
    out: list[FlatStep] = []
    seen: set[str] = set()

    def walk(steps: Any, parent: str | None, branch: Literal["if", "else"] | None) -> None:
        if not isinstance(steps, list):
            return
        for raw in steps:
            if not isinstance(raw, dict) or not isinstance(raw.get("Name"), str):
                continue
            name = raw["Name"]
            if name in seen:
                continue
            seen.add(name)
            step = FlatStep(name, str(raw.get("Type", "")), raw, parent, branch)
            out.append(step)
            if step.type == "Condition":
                walk(step.arguments.get("IfSteps"), name, "if")
                walk(step.arguments.get("ElseSteps"), name, "else")

    walk(definition.get("Steps"), None, None)
    return out


_STEP_REF = re.compile(r"^Steps\.([^.\[]+)")


def step_references(value: Any) -> Iterator[str]:
    """Names of the steps a value refers to through ``{"Get": "Steps.X..."}``."""
    if isinstance(value, dict):
        target = value.get("Get")
        if isinstance(target, str):
            match = _STEP_REF.match(target)
            if match:
                yield match.group(1)
        for key, item in value.items():
            if key not in ("IfSteps", "ElseSteps"):
                yield from step_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from step_references(item)


def dependencies(steps: list[FlatStep]) -> dict[str, list[str]]:
    names = {s.name for s in steps}
    deps: dict[str, list[str]] = {}
    for step in steps:
        found: list[str] = []
        depends_on = step.raw.get("DependsOn")
        if isinstance(depends_on, list):
            found += [d for d in depends_on if isinstance(d, str)]
        found += list(step_references({k: v for k, v in step.raw.items() if k != "Name"}))
        if step.parent:
            found.append(step.parent)
        deps[step.name] = sorted({d for d in found if d in names and d != step.name})
    return deps


def topological(steps: list[FlatStep], deps: Mapping[str, list[str]]) -> list[FlatStep]:
    """Dependency order, ties in definition order; steps in a cycle keep definition order."""
    done: set[str] = set()
    order: list[FlatStep] = []
    pending = list(steps)
    while pending:
        ready = [s for s in pending if all(d in done for d in deps[s.name])]
        if not ready:  # a cycle: break it at the first pending step
            ready = [pending[0]]
        for step in ready:
            done.add(step.name)
            order.append(step)
        pending = [s for s in pending if s.name not in done]
    return order


# --------------------------------------------------------------------------------------
# Resolving Get / Std:Join for one execution

_TOKEN = re.compile(r"([A-Za-z0-9_:\-]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


@dataclass
class Context:
    parameters: Mapping[str, Any]
    execution: Mapping[str, Any]
    properties: Mapping[str, JsonDict]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Get"} and isinstance(value["Get"], str):
            return self.get(value["Get"])
        if set(value) == {"Std:Join"} and isinstance(value["Std:Join"], dict):
            spec = value["Std:Join"]
            raw_values = spec.get("Values")
            values: list[Any] = raw_values if isinstance(raw_values, list) else []
            return str(spec.get("On", "")).join(_text(self.resolve(v)) for v in values)
        if set(value) == {"Std:JsonGet"}:
            return "{Std:JsonGet}"
        return {k: self.resolve(v) for k, v in value.items()}

    def get(self, path: str) -> Any:
        head, _, rest = path.partition(".")
        found: Any = None
        if head == "Parameters":
            found = self.parameters.get(rest)
        elif head == "Execution":
            found = self.execution.get(rest)
        elif head == "Steps":
            step, _, inner = rest.partition(".")
            if "[" in step:  # Steps.X['...'] never happens, but stay safe
                step = step.split("[", 1)[0]
            props = self.properties.get(step)
            if props is not None:
                found = walk_path(props, inner)
        return f"{{{path}}}" if found is None else found


def walk_path(root: Any, path: str) -> Any:
    current = root
    for match in _TOKEN.finditer(path):
        key, index, quoted, dquoted = match.groups()
        name = quoted if quoted is not None else dquoted
        if key is not None:
            current = current.get(key) if isinstance(current, dict) else None
        elif index is not None:
            i = int(index)
            current = current[i] if isinstance(current, list) and i < len(current) else None
        elif isinstance(current, list):
            current = next(
                (
                    item
                    for item in current
                    if isinstance(item, dict)
                    and any(k.endswith("Name") and v == name for k, v in item.items())
                ),
                None,
            )
        elif isinstance(current, dict):
            current = current.get(name or "")
        else:
            current = None
        if current is None:
            return None
    if isinstance(current, dict) and set(current) == {"Name", "Value"}:
        return current["Value"]
    return current if isinstance(current, str | int | float | bool) else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


def parameter_values(definition: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    params = definition.get("Parameters")
    for param in params if isinstance(params, list) else []:
        if isinstance(param, dict) and isinstance(param.get("Name"), str):
            if "DefaultValue" in param:
                values[param["Name"]] = param["DefaultValue"]
    values.update(given)
    return values


# --------------------------------------------------------------------------------------
# Names


_ALNUM = string.ascii_letters + string.digits


def token(seed: str, length: int) -> str:
    """A deterministic mixed-case alphanumeric token."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:length])


def safe_name(name: str, limit: int) -> str:
    cleaned = re.sub(r"[^a-zA-Z0-9]+", "-", name).strip("-") or "step"
    return cleaned[:limit].rstrip("-") or "step"


def job_name(execution_id: str, step: str, execution_arn: str, kind: JobKind) -> str:
    """Names like the SDK gives pipeline jobs: ``pipelines-<execution id>-<step>-<random>``.

    Lower case: AWS lower-cases job names in ARNs (and matches names case-insensitively),
    while moto looks names up case-sensitively, so a name taken from an ARN must match.
    """
    suffix = token(f"{execution_arn}/{step}/{kind}", 10)
    if kind == "tuning":  # tuning job names are at most 32 characters
        return f"{execution_id}-{safe_name(step, 8)}-{suffix[:10]}".lower()
    return f"pipelines-{execution_id}-{safe_name(step, 29)}-{suffix}".lower()


def sagemaker_arn(region: str, kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:{kind}/{name.lower()}"


# --------------------------------------------------------------------------------------
# The simulation


@dataclass
class PipelineRef:
    name: str
    region: str

    @property
    def arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:{ACCOUNT_ID}:pipeline/{self.name}"


def simulate(
    pipeline: PipelineRef,
    definition: JsonDict,
    spec: ExecutionSpec,
    *,
    history: Mapping[str, Simulation] | None = None,
    all_branches: bool = False,
    step_names: list[str] | None = None,
    package_arn: Callable[[str], str] | None = None,
) -> Simulation:
    """Simulate ``spec`` of ``pipeline`` running ``definition``.

    ``history`` maps earlier execution ids to their simulations (for cache hits);
    ``all_branches`` runs both branches of every Condition (used for ``--definitions``);
    ``step_names`` restricts and orders the steps (as ``parse_definition`` lists them);
    ``package_arn`` gives the ARN the next model package of a group will get.
    """
    history = history or {}
    execution_arn = f"{pipeline.arn}/execution/{spec.execution_id}"
    steps = flatten_steps(definition)
    if step_names is not None:
        by_name = {s.name: s for s in steps}
        steps = [by_name[n] for n in step_names if n in by_name]
    deps = dependencies(steps)
    params = parameter_values(definition, spec.parameters)
    execution_vars = {
        "PipelineExecutionId": spec.execution_id,
        "PipelineExecutionArn": execution_arn,
        "PipelineName": pipeline.name,
        "StartDateTime": spec.started.isoformat(),
        "CurrentDateTime": spec.started.isoformat(),
    }
    ctx = Context(params, execution_vars, {})
    properties: dict[str, JsonDict] = {}
    ctx.properties = properties
    cut = spec.started + timedelta(seconds=spec.cut_after_s) if spec.cut_after_s else None

    records: dict[str, StepRecord] = {}
    jobs: list[JobPlan] = []
    objects: dict[str, bytes] = {}
    job_names: dict[str, str] = {}
    outcomes: dict[str, bool] = {}

    for step in topological(steps, deps):
        if step.parent is not None:
            parent = records.get(step.parent)
            if parent is None or parent.status != "Succeeded":
                continue
            if not all_branches and outcomes.get(step.parent, True) != (step.branch == "if"):
                continue
        if any(
            d not in records or records[d].status != "Succeeded"
            for d in deps[step.name]
            if d != step.parent
        ):
            continue
        ready = max((records[d].end or spec.started for d in deps[step.name]), default=spec.started)
        start = ready + _GAP + timedelta(seconds=spec.delays.get(step.name, 0))
        duration = _DURATION.get(step.type, 30) + zlib.crc32(step.name.encode()) % 60
        end: datetime | None = start + timedelta(seconds=duration)
        status = "Succeeded"
        failure: str | None = spec.failures.get(step.name)
        if cut is not None and start > cut:
            continue
        if cut is not None and end is not None and end > cut:
            if spec.status in ("Stopped", "Stopping"):
                status = spec.status
                end = cut + timedelta(seconds=30) if spec.status == "Stopped" else None
            else:
                status = (
                    "Starting" if (cut - start).total_seconds() < _STARTING_WINDOW else "Executing"
                )
                end = None
        elif failure is not None:
            status = "Failed"
            end = start + timedelta(seconds=max(duration // 3, 1))
        record = StepRecord(
            name=step.name,
            type=step.type,
            status=status,
            start=start,
            end=end,
            display_name=_str_or_none(step.raw.get("DisplayName")),
            description=_str_or_none(step.raw.get("Description")),
            failure_reason=failure if status == "Failed" else None,
        )
        records[step.name] = record
        source = spec.cache_hits.get(step.name)
        if source is not None and source in history and step.name in history[source].properties:
            earlier = history[source]
            record.cache_source_arn = earlier.execution.arn
            properties[step.name] = earlier.properties[step.name]
            original = next(r for r in earlier.execution.steps if r.name == step.name)
            record.metadata = dict(original.metadata)
            job_names[step.name] = earlier.job_names.get(step.name, "")
            continue
        _run_step(
            step,
            record,
            ctx,
            spec,
            pipeline,
            execution_arn,
            jobs,
            objects,
            job_names,
            outcomes,
            all_branches,
            package_arn,
        )

    finished = [r.end for r in records.values() if r.end is not None]
    last = max(finished, default=spec.started)
    status = spec.status
    if status in ("Succeeded", "Failed", "Stopped"):
        last_modified = last + timedelta(seconds=8)
    else:
        last_modified = cut or last
    ordered = sorted(records.values(), key=lambda r: (r.start, r.name), reverse=True)
    execution = ExecutionRecord(
        pipeline_name=pipeline.name,
        region=pipeline.region,
        execution_id=spec.execution_id,
        status=status,
        start=spec.started,
        last_modified=last_modified,
        definition=json.dumps(spec.definition or definition),
        parameters=[{"Name": k, "Value": _text(v)} for k, v in params.items()],
        steps=ordered,
        display_name=spec.display_name or f"execution-{int(spec.started.timestamp() * 1000)}",
        description=spec.description,
        failure_reason=EXECUTION_FAILURE if status == "Failed" else None,
    )
    return Simulation(execution, jobs, objects, properties, job_names)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _run_step(
    step: FlatStep,
    record: StepRecord,
    ctx: Context,
    spec: ExecutionSpec,
    pipeline: PipelineRef,
    execution_arn: str,
    jobs: list[JobPlan],
    objects: dict[str, bytes],
    job_names: dict[str, str],
    outcomes: dict[str, bool],
    all_branches: bool,
    package_arn: Callable[[str], str] | None,
) -> None:
    region = pipeline.region
    args = ctx.resolve(
        {k: v for k, v in step.arguments.items() if k not in ("IfSteps", "ElseSteps")}
    )
    kind_by_type: dict[str, JobKind] = {
        "Processing": "processing",
        "QualityCheck": "processing",
        "ClarifyCheck": "processing",
        "Training": "training",
        "Transform": "transform",
        "Tuning": "tuning",
        "Model": "model",
        "CreateModel": "model",
        "RegisterModel": "model_package",
    }
    kind = kind_by_type.get(step.type)
    props: JsonDict = dict(args)
    if kind is not None and kind != "model_package":
        name = job_name(spec.execution_id, step.name, execution_arn, kind)
        job_names[step.name] = name
        plan = JobPlan(
            kind=kind,
            name=name,
            arn="",
            region=region,
            request={},
            status=record.status,
            start=record.start,
            end=record.end,
            failure_reason=record.failure_reason,
            step=step.name,
        )
        if kind == "processing":
            plan.arn = sagemaker_arn(region, "processing-job", name)
            plan.request = _processing_request(name, args)
            props |= {"ProcessingJobName": name, "ProcessingJobArn": plan.arn}
            if step.type == "Processing":
                record.metadata = {"ProcessingJob": {"Arn": plan.arn}}
            else:
                record.metadata = {step.type: _check_metadata(step, args, plan.arn)}
            _write_reports(step, args, spec, record, objects)
        elif kind == "training":
            plan.arn = sagemaker_arn(region, "training-job", name)
            plan.request = _training_request(name, args)
            plan.metrics = spec.metrics.get(step.name, {})
            props |= {"TrainingJobName": name, "TrainingJobArn": plan.arn}
            output = plan.request["OutputDataConfig"]["S3OutputPath"].rstrip("/")
            if record.status == "Succeeded":
                props["ModelArtifacts"] = {
                    "S3ModelArtifacts": f"{output}/{name}/output/model.tar.gz"
                }
            record.metadata = {"TrainingJob": {"Arn": plan.arn}}
        elif kind == "transform":
            plan.arn = sagemaker_arn(region, "transform-job", name)
            plan.request = _transform_request(name, args)
            props |= {"TransformJobName": name, "TransformJobArn": plan.arn}
            record.metadata = {"TransformJob": {"Arn": plan.arn}}
        elif kind == "tuning":
            plan.arn = sagemaker_arn(region, "hyper-parameter-tuning-job", name)
            plan.request = _tuning_request(name, args)
            best = f"{name}-001-{token(name, 8).lower()}"
            plan.metrics = spec.metrics.get(step.name, {})
            props |= {
                "HyperParameterTuningJobName": name,
                "TrainingJobSummaries": [
                    {"TrainingJobName": best},
                    {"TrainingJobName": f"{name}-002-{token(name + '2', 8).lower()}"},
                ],
                "BestTrainingJob": {"TrainingJobName": best},
            }
            record.metadata = {"TuningJob": {"Arn": plan.arn}}
            definition = plan.request.get("TrainingJobDefinition") or {}
            output = (definition.get("OutputDataConfig") or {}).get("S3OutputPath")
            jobs.append(
                JobPlan(
                    kind="training",
                    name=best,
                    arn=sagemaker_arn(region, "training-job", best),
                    region=region,
                    request=_training_request(
                        best,
                        definition
                        | {
                            "OutputDataConfig": {
                                "S3OutputPath": output or "s3://sandbox-tuning-output/models"
                            }
                        },
                    ),
                    status=record.status,
                    start=record.start,
                    end=record.end,
                    metrics=plan.metrics,
                    step=step.name,
                )
            )
        else:  # model
            plan.arn = sagemaker_arn(region, "model", name)
            plan.request = _model_request(name, args)
            props |= {"ModelName": name, "ModelArn": plan.arn}
            record.metadata = {"Model": {"Arn": plan.arn}}
        jobs.append(plan)
    elif kind == "model_package":
        group = str(args.get("ModelPackageGroupName") or f"{pipeline.name}-models")
        approval = spec.approval.get(step.name) or args.get("ModelApprovalStatus")
        if approval not in ("Approved", "Rejected", "PendingManualApproval"):
            approval = "PendingManualApproval"
        arn = package_arn(group) if package_arn else sagemaker_arn(region, "model-package", group)
        request = _package_request(group, args, str(approval))
        jobs.append(
            JobPlan(
                kind="model_package",
                name=group,
                arn=arn,
                region=region,
                request=request,
                status=record.status,
                start=record.start,
                end=record.end,
                approval=str(approval),
                step=step.name,
            )
        )
        props |= {"ModelPackageArn": arn}
        record.metadata = {"RegisterModel": {"Arn": arn}}
    elif step.type == "Condition":
        outcome = True if all_branches else spec.outcomes.get(step.name, True)
        outcomes[step.name] = outcome
        props |= {"Outcome": outcome}
        record.metadata = {"Condition": {"Outcome": "True" if outcome else "False"}}
    elif step.type == "Fail":
        message = _text(args.get("ErrorMessage", "")) if args.get("ErrorMessage") else ""
        record.metadata = {"Fail": {"ErrorMessage": message}}
        if not all_branches and record.status == "Succeeded":
            record.status = "Failed"
            record.failure_reason = message or "Fail step reached"
    elif step.type == "Lambda":
        function = ctx.resolve(step.raw.get("FunctionArn"))
        record.metadata = {"Lambda": {"Arn": _text(function) if function else "unknown"}}
    elif step.type == "Callback":
        queue = ctx.resolve(step.raw.get("SqsQueueUrl"))
        record.metadata = {
            "Callback": {
                "CallbackToken": token(f"{execution_arn}/{step.name}", 10),
                "SqsQueueUrl": _text(queue) if queue else "",
            }
        }
    elif step.type == "EMR":
        cluster = args.get("ClusterId")
        record.metadata = {
            "EMR": {
                "ClusterId": _text(cluster) if cluster else f"j-{token(step.name, 13).upper()}",
                "StepId": f"s-{token(execution_arn + step.name, 13).upper()}",
                "StepName": step.name,
                "LogFilePath": f"s3://aws-logs-{ACCOUNT_ID}-{region}/elasticmapreduce/",
            }
        }
    elif step.type == "AutoML":
        name = job_name(spec.execution_id, step.name, execution_arn, "processing")[:32]
        record.metadata = {"AutoMLJob": {"Arn": sagemaker_arn(region, "automl-job", name)}}
    properties = ctx.properties
    assert isinstance(properties, dict)
    properties[step.name] = props


def _check_metadata(step: FlatStep, args: JsonDict, job_arn: str) -> JsonDict:
    outputs = (args.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    base = ""
    if outputs and isinstance(outputs[0], dict):
        base = str((outputs[0].get("S3Output") or {}).get("S3Uri") or "")
    meta: JsonDict = {
        "CheckType": str(step.raw.get("CheckType", "DATA_QUALITY")),
        "CheckJobArn": job_arn,
        "SkipCheck": bool(step.raw.get("SkipCheck", False)),
        "RegisterNewBaseline": bool(step.raw.get("RegisterNewBaseline", False)),
        "ViolationReport": f"{base}/constraint_violations.json",
        "CalculatedBaselineConstraints": f"{base}/constraints.json",
    }
    if step.type == "QualityCheck":
        meta["CalculatedBaselineStatistics"] = f"{base}/statistics.json"
    group = step.raw.get("ModelPackageGroupName")
    if isinstance(group, str):
        meta["ModelPackageGroupName"] = group
    return meta


def _write_reports(
    step: FlatStep,
    args: JsonDict,
    spec: ExecutionSpec,
    record: StepRecord,
    objects: dict[str, bytes],
) -> None:
    files = step.raw.get("PropertyFiles")
    if record.status != "Succeeded" or not isinstance(files, list):
        return
    outputs = (args.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    for pf in files:
        if not isinstance(pf, dict):
            continue
        report = spec.reports.get(str(pf.get("PropertyFileName")))
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
            objects[f"{uri.rstrip('/')}/{pf.get('FilePath')}"] = json.dumps(
                report, indent=2
            ).encode()


# --- Create* requests: the definition's Arguments plus the name, with safe fallbacks ------


def _pick(args: JsonDict, *keys: str) -> JsonDict:
    return {k: args[k] for k in keys if k in args and args[k] is not None}


def _processing_request(name: str, args: JsonDict) -> JsonDict:
    request = _pick(
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
    request.setdefault("RoleArn", _role())
    return request | {"ProcessingJobName": name}


def _training_request(name: str, args: JsonDict) -> JsonDict:
    request = _pick(
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
        request["HyperParameters"] = {str(k): _text(v) for k, v in hyper.items()}
    request.setdefault(
        "ResourceConfig", {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}
    )
    request.setdefault("StoppingCondition", {"MaxRuntimeInSeconds": 86400})
    request.setdefault("RoleArn", _role())
    return request | {"TrainingJobName": name}


def _transform_request(name: str, args: JsonDict) -> JsonDict:
    request = _pick(
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


def _tuning_request(name: str, args: JsonDict) -> JsonDict:
    request = _pick(
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


def _model_request(name: str, args: JsonDict) -> JsonDict:
    request = _pick(args, "PrimaryContainer", "Containers", "ExecutionRoleArn", "VpcConfig")
    if "PrimaryContainer" not in request and "Containers" not in request:
        request["PrimaryContainer"] = {"Image": "sandbox/inference:latest"}
    request.setdefault("ExecutionRoleArn", _role())
    return request | {"ModelName": name}


def _package_request(group: str, args: JsonDict, approval: str) -> JsonDict:
    request = _pick(
        args,
        "InferenceSpecification",
        "ModelMetrics",
        "ModelPackageDescription",
        "CustomerMetadataProperties",
        "DriftCheckBaselines",
    )
    return request | {"ModelPackageGroupName": group, "ModelApprovalStatus": approval}


def _role() -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:role/service-role/AmazonSageMaker-ExecutionRole-Sandbox"


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def s3_buckets(value: Any) -> set[str]:
    """Valid bucket names of every ``s3://`` URI inside a (resolved) value."""
    found: set[str] = set()
    if isinstance(value, str):
        if value.startswith("s3://"):
            bucket = value[5:].split("/", 1)[0]
            if _BUCKET.match(bucket) and ".." not in bucket:
                found.add(bucket)
    elif isinstance(value, dict):
        for item in value.values():
            found |= s3_buckets(item)
    elif isinstance(value, list):
        for item in value:
            found |= s3_buckets(item)
    return found
