"""A pipeline definition (JSON) -> steps, their inputs/outputs, edges, warnings (pure).

https://aws-sagemaker-mlops.readthedocs.io/en/latest/workflows/pipelines/sagemaker.workflow.pipelines.html
describes the definition's schema. Steps nested in a Condition's ``IfSteps``/``ElseSteps`` are
steps like any other; nesting may be deep (one real definition has 30 levels), so the walk is
iterative. :func:`parse_definition` raises :class:`~lineage.errors.DefinitionError` and
nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from lineage.conditions import Clause, OperandContext, parse_conditions
from lineage.errors import DefinitionError
from lineage.expressions import (
    STEPS_PREFIX,
    Evaluator,
    expression_kind,
    iter_get_paths,
    split_step_path,
)
from lineage.models import Branch, Edge, IORef, Warning
from lineage.step_types import (
    STEP_TYPES,
    ExtractContext,
    KeyPath,
    RawIO,
    extract_raw_io,
    format_key_path,
    is_output_path,
    scan_s3_uris,
    to_refs,
)

# Step-level keys that never hold data (the generic S3 scan skips them).
_DESCRIPTIVE_KEYS = frozenset({"Name", "Type", "DependsOn", "DisplayName", "Description"})
_BRANCHES: tuple[tuple[str, Branch], ...] = (("IfSteps", "if"), ("ElseSteps", "else"))
CONDITION = "Condition"


@dataclass(frozen=True)
class PropertyFile:
    """A step's ``PropertyFiles`` entry."""

    name: str  # PropertyFileName
    output_name: str  # OutputName of the processing output holding it
    file_path: str  # FilePath inside that output


@dataclass(frozen=True)
class ParsedStep:
    name: str
    type: str  # verbatim from the definition
    display_name: str | None
    description: str | None
    inputs: tuple[IORef, ...]
    outputs: tuple[IORef, ...]
    depends_on: tuple[str, ...]  # as written (may name missing steps)
    property_files: tuple[PropertyFile, ...]
    arguments: Mapping[str, Any] = field(repr=False)  # raw Arguments
    parent: str | None = None  # the Condition holding it, if any
    branch: Literal["if", "else"] | None = None
    conditions: tuple[Clause, ...] = ()  # a Condition's Conditions, readable


@dataclass(frozen=True)
class ParsedDefinition:
    steps: tuple[ParsedStep, ...]  # definition order, a Condition before its branches
    edges: tuple[Edge, ...]  # dependsOn, ref:Get, condition; sorted, unique
    parameters: Mapping[str, Any]  # defaults overridden by given values
    warnings: tuple[Warning, ...]
    _by_name: Mapping[str, ParsedStep] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {step.name: step for step in self.steps})

    def step(self, name: str) -> ParsedStep:
        """The step of that name; ``KeyError`` when there is none."""
        return self._by_name[name]


@dataclass(frozen=True)
class _RawStep:
    name: str
    type: str
    body: Mapping[str, Any]
    arguments: Mapping[str, Any]
    depends_on: tuple[str, ...]
    parent: str | None
    branch: Branch | None


def _json_type(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return type(value).__name__


def _load(definition: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    data: Any
    if isinstance(definition, str | bytes | bytearray):
        try:
            data = json.loads(definition)
        except RecursionError as exc:
            raise DefinitionError("definition is nested too deeply to parse") from exc
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
            raise DefinitionError(f"definition is not valid JSON: {exc}") from exc
    elif isinstance(definition, Mapping):
        data = definition
    else:
        raise DefinitionError(
            f"definition must be JSON text or a mapping, not {type(definition).__name__}"
        )
    if not isinstance(data, Mapping):
        raise DefinitionError(f"definition must be a JSON object, not {_json_type(data)}")
    return data


def _collect_steps(data: Mapping[str, Any]) -> list[_RawStep]:
    """All steps, nested ones included, in definition order (pre-order, iterative)."""
    if "Steps" not in data:
        raise DefinitionError("definition has no Steps")
    steps = data["Steps"]
    if not isinstance(steps, list):
        raise DefinitionError(f"Steps must be an array, not {_json_type(steps)}")
    pending: list[tuple[Any, str, str | None, Branch | None]] = [
        (item, f"Steps[{i}]", None, None) for i, item in reversed(list(enumerate(steps)))
    ]
    found: list[_RawStep] = []
    seen: set[str] = set()
    while pending:
        item, where, parent, branch = pending.pop()
        if not isinstance(item, Mapping):
            raise DefinitionError(f"{where} must be an object, not {_json_type(item)}")
        name = item.get("Name")
        if not isinstance(name, str) or not name:
            raise DefinitionError(f"{where} has no Name (a non-empty string)")
        step_type = item.get("Type")
        if not isinstance(step_type, str) or not step_type:
            raise DefinitionError(f"step '{name}' ({where}) has no Type (a non-empty string)")
        if name in seen:
            raise DefinitionError(f"duplicate step name '{name}' ({where})")
        seen.add(name)
        arguments = item.get("Arguments", {})
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, Mapping):
            raise DefinitionError(
                f"step '{name}': Arguments must be an object, not {_json_type(arguments)}"
            )
        depends_on = item.get("DependsOn", [])
        if depends_on is None:
            depends_on = []
        if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
            raise DefinitionError(f"step '{name}': DependsOn must be an array of step names")
        found.append(_RawStep(name, step_type, item, arguments, tuple(depends_on), parent, branch))
        if step_type != CONDITION:
            continue
        children: list[tuple[Any, str, str | None, Branch | None]] = []
        for key, label in _BRANCHES:
            nested = arguments.get(key, [])
            if nested is None:
                nested = []
            if not isinstance(nested, list):
                raise DefinitionError(
                    f"step '{name}': {key} must be an array, not {_json_type(nested)}"
                )
            children.extend(
                (child, f"step '{name}' {key}[{i}]", name, label) for i, child in enumerate(nested)
            )
        pending.extend(reversed(children))
    return found


def _parameters(data: Mapping[str, Any], given: Mapping[str, Any] | None) -> dict[str, Any]:
    declared = data.get("Parameters", [])
    if declared is None:
        declared = []
    if not isinstance(declared, list):
        raise DefinitionError(f"Parameters must be an array, not {_json_type(declared)}")
    values: dict[str, Any] = {}
    for i, parameter in enumerate(declared):
        if not isinstance(parameter, Mapping):
            raise DefinitionError(f"Parameters[{i}] must be an object, not {_json_type(parameter)}")
        name = parameter.get("Name")
        if not isinstance(name, str) or not name:
            raise DefinitionError(f"Parameters[{i}] has no Name (a non-empty string)")
        # "Type" is optional in practice (CloudFormation's own example omits it).
        if "DefaultValue" in parameter:
            values[name] = parameter["DefaultValue"]
    values.update(given or {})
    return values


def _parameter_types(data: Mapping[str, Any]) -> dict[str, str]:
    """Name -> declared Type, for parameters :func:`_parameters` has already checked."""
    declared = data.get("Parameters") or []
    return {
        parameter["Name"]: parameter["Type"]
        for parameter in declared
        if isinstance(parameter.get("Type"), str)
    }


def _property_files(step: _RawStep) -> tuple[PropertyFile, ...]:
    declared = step.body.get("PropertyFiles", [])
    if declared is None:
        declared = []
    if not isinstance(declared, list):
        raise DefinitionError(
            f"step '{step.name}': PropertyFiles must be an array, not {_json_type(declared)}"
        )
    files = []
    for i, entry in enumerate(declared):
        values = [
            entry.get(key) if isinstance(entry, Mapping) else None
            for key in ("PropertyFileName", "OutputName", "FilePath")
        ]
        if not all(isinstance(value, str) for value in values):
            raise DefinitionError(
                f"step '{step.name}': PropertyFiles[{i}] needs PropertyFileName, OutputName "
                "and FilePath (strings)"
            )
        files.append(PropertyFile(*cast(list[str], values)))
    return tuple(files)


_PATH_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[([0-9]+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def _navigate(tree: Any, path: str) -> Any:
    """Follow a property path (``A.B['name'].C[0]``) into raw arguments; ``None`` if absent.

    ``['name']`` on a list picks the element whose ``...Name`` key equals ``name``
    (``Outputs['train']`` is the output whose ``OutputName`` is ``train``).
    """
    token = _PATH_TOKEN
    position = 0
    value = tree
    while position < len(path):
        match = token.match(path, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        key, index, quoted, double = match.groups()
        if index is not None:
            value = (
                value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
            )
        else:
            label = key if key is not None else (quoted if quoted is not None else double)
            if isinstance(value, Mapping):
                value = value.get(label)
            elif isinstance(value, list) and key is None:
                value = next(
                    (
                        item
                        for item in value
                        if isinstance(item, Mapping)
                        and any(k.endswith("Name") and v == label for k, v in item.items())
                    ),
                    None,
                )
            else:
                return None
        if value is None:
            return None
    return value


class _Parser:
    def __init__(
        self,
        raw_steps: list[_RawStep],
        parameters: Mapping[str, Any],
        execution: Mapping[str, str] | None,
        parameter_types: Mapping[str, str] | None = None,
    ) -> None:
        self.raw = {step.name: step for step in raw_steps}
        self.order = raw_steps
        self.warnings: list[Warning] = []
        self.evaluator = Evaluator(
            parameters=parameters,
            execution=execution,
            step_property=self._step_property,
            step_names=self.raw.keys(),
        )
        self._files: dict[str, tuple[PropertyFile, ...]] = {}
        self.operands = OperandContext(
            evaluate=self.evaluator.evaluate,
            parameters=parameters,
            parameter_types=parameter_types or {},
            execution=execution or {},
            step_names=self.raw.keys(),
            report_file=self._report_file,
        )

    def _property_files(self, step: _RawStep) -> tuple[PropertyFile, ...]:
        if step.name not in self._files:
            self._files[step.name] = _property_files(step)
        return self._files[step.name]

    def _report_file(self, step_name: str, file_name: str) -> str | None:
        """Where step ``step_name`` writes its property file ``file_name`` (its FilePath)."""
        files = self._property_files(self.raw[step_name])
        return next((f.file_path for f in files if f.name == file_name), None)

    # -- values ---------------------------------------------------------------------------

    def _structured(self, step: _RawStep) -> RawIO:
        ctx = ExtractContext(resolve=self.evaluator.evaluate, step_name=step.name)
        io = extract_raw_io(step.type, step.arguments, ctx)
        spec = STEP_TYPES.get(step.type)
        if spec is not None:
            io.inputs.extend(
                (name, self.evaluator.evaluate(step.body.get(key)))
                for key, name in spec.step_inputs.items()
            )
        return io

    def _step_property(self, step_name: str, prop: str) -> Any:
        """A producer's property when the definition tells it (``None``: only at run time)."""
        step = self.raw[step_name]
        spec = STEP_TYPES.get(step.type)
        if spec is not None and prop in spec.properties:
            wanted = spec.properties[prop]
            io = self._structured(step)
            return next((value for name, value in io.outputs if name == wanted), None)
        value = _navigate(step.arguments, prop) if prop else None
        if value is None:
            return None
        value = self.evaluator.evaluate(value)
        return value if isinstance(value, str | int | float | bool) else None

    def _io(self, step: _RawStep) -> tuple[tuple[IORef, ...], tuple[IORef, ...]]:
        io = self._structured(step)
        inputs, outputs = to_refs(io.inputs), to_refs(io.outputs)
        known = {ref.uri for ref in (*inputs, *outputs)}

        def skip(path: KeyPath) -> bool:
            if len(path) == 1:
                return path[0] in _DESCRIPTIVE_KEYS
            return (
                step.type == CONDITION
                and len(path) == 2
                and path[0] == "Arguments"
                and path[1] in ("IfSteps", "ElseSteps")
            )

        extra_in: list[tuple[str, Any]] = []
        extra_out: list[tuple[str, Any]] = []
        for where, uri in scan_s3_uris(
            step.body,
            self.evaluator.evaluate,
            is_expression=lambda value: expression_kind(value) is not None,
            skip=skip,
        ):
            if uri in known:
                continue
            known.add(uri)
            name = format_key_path(where[1:] if where[0] == "Arguments" else where)
            (extra_out if is_output_path(name) else extra_in).append((name, uri))
        return inputs + to_refs(extra_in), outputs + to_refs(extra_out)

    # -- edges ----------------------------------------------------------------------------

    def _references(self, step: _RawStep) -> dict[str, str]:
        """Producer -> the first (sorted) property by which ``step`` refers to it."""

        def skip(path: tuple[str | int, ...]) -> bool:
            return (
                step.type == CONDITION
                and len(path) == 2
                and path[0] == "Arguments"
                and path[1] in ("IfSteps", "ElseSteps")
            )

        found: dict[str, str] = {}
        for path in iter_get_paths(step.body, skip=skip):
            if not path.startswith(STEPS_PREFIX):
                continue
            split = split_step_path(path, self.raw.keys())
            producer = split[0] if split else path[len(STEPS_PREFIX) :]
            if producer not in self.raw:
                self.warnings.append(
                    Warning(
                        "UNKNOWN_STEP_REFERENCE",
                        f"step '{step.name}' refers to {path}, but there is no step '{producer}'",
                        step.name,
                    )
                )
                continue
            if producer != step.name and (producer not in found or path < found[producer]):
                found[producer] = path
        return found

    def edges(self) -> tuple[Edge, ...]:
        edges: dict[tuple[str, str, str], Edge] = {}

        def add(edge: Edge) -> None:
            if edge.source != edge.target:
                edges.setdefault((edge.source, edge.target, edge.via), edge)

        for step in self.order:
            for dependency in step.depends_on:
                if dependency in self.raw:
                    add(Edge(dependency, step.name, "dependsOn"))
                else:
                    self.warnings.append(
                        Warning(
                            "MISSING_DEPENDENCY",
                            f"step '{step.name}' depends on '{dependency}', which is not a step "
                            "of this pipeline",
                            step.name,
                        )
                    )
            for producer, prop in self._references(step).items():
                add(Edge(producer, step.name, "ref:Get", property=prop))
            if step.parent is not None:
                add(Edge(step.parent, step.name, "condition", branch=step.branch))
        return tuple(edges[key] for key in sorted(edges))

    def steps(self) -> tuple[ParsedStep, ...]:
        parsed = []
        for step in self.order:
            if step.type not in STEP_TYPES:
                self.warnings.append(
                    Warning(
                        "UNKNOWN_STEP_TYPE",
                        f"step '{step.name}' has type '{step.type}', which this tool does not "
                        "know; its S3 locations come from a generic scan",
                        step.name,
                    )
                )
            inputs, outputs = self._io(step)
            parsed.append(
                ParsedStep(
                    name=step.name,
                    type=step.type,
                    display_name=_text(step.body.get("DisplayName")),
                    description=_text(step.body.get("Description")),
                    inputs=inputs,
                    outputs=outputs,
                    depends_on=step.depends_on,
                    property_files=self._property_files(step),
                    arguments=step.arguments,
                    parent=step.parent,
                    branch=step.branch,
                    conditions=(
                        parse_conditions(step.arguments.get("Conditions"), self.operands)
                        if step.type == CONDITION
                        else ()
                    ),
                )
            )
        return tuple(parsed)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_definition(
    definition: str | bytes | Mapping[str, Any],
    *,
    parameters: Mapping[str, Any] | None = None,
    execution: Mapping[str, str] | None = None,
) -> ParsedDefinition:
    """Parse a pipeline definition (JSON text or an already decoded mapping).

    ``parameters``: the execution's parameter values (override the defaults).
    ``execution``: ``{"PipelineExecutionId": ..., "PipelineExecutionArn": ...,
    "PipelineName": ...}`` for ``{"Get": "Execution.*"}``.
    Raises :class:`DefinitionError` (naming what is wrong) and nothing else.
    """
    data = _load(definition)
    raw_steps = _collect_steps(data)
    values = _parameters(data, parameters)
    parser = _Parser(raw_steps, values, execution, _parameter_types(data))
    try:
        steps = parser.steps()
        edges = parser.edges()
    except RecursionError as exc:  # a safety net; every walk above is iterative or bounded
        raise DefinitionError("definition is nested too deeply to parse") from exc
    warnings = sorted(
        {*parser.warnings, *parser.evaluator.warnings},
        key=lambda w: (w.code, w.message, w.target or ""),
    )
    return ParsedDefinition(steps=steps, edges=edges, parameters=values, warnings=tuple(warnings))


__all__ = [
    "ParsedDefinition",
    "ParsedStep",
    "PropertyFile",
    "parse_definition",
]
