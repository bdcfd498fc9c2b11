"""Two executions of one pipeline side by side: what changed since the run that worked (pure).

:func:`compare_executions` takes each side as an :class:`ExecutionSide`: its lineage document's
JSON (``LineageDocument.to_dict()``) and the definition that execution ran (the
``PipelineDefinition`` of DescribePipelineDefinitionForExecution). ``a`` is the base (older)
run, ``b`` the newer. The :class:`Comparison`'s ``to_dict()`` is the answer of ``GET /compare``:

- ``definition``: steps added (only in b) and removed (only in a), steps whose type or
  Arguments changed, the definition's own edges (dependsOn, ref:Get, condition) added or
  removed, the dotted paths that changed beside the steps (``Parameters[0].DefaultValue``),
  and ``differ``: whether the two definitions differ at all, named here or not.
- ``parameters``: every execution parameter of either run with both values.
- ``steps``: every step of either definition, sorted by name, with its change class; what
  each run says of it (type, status, duration, cache hit, failure reason); its metrics
  (delta, relative change), inputs and outputs by name and the Arguments' dotted paths that
  changed (at most :data:`MAX_KEY_CHANGES`, the total beside them).
- ``edges``: the merged graph's edges (the documents', artifact edges included) by
  ``(from, to, via)``, each added, removed or same.
- ``summary``: the two executions, counts per change class, whether definitions and
  parameters differ.
- ``schemaDrift`` (only when some dataset has a schema on both sides: ENABLE_SCHEMA=true):
  per dataset (its URIs folded as for ``perRunOnly``), the columns added, removed and
  retyped from a to b (:class:`SchemaDrift`).

Change classes: ``added`` (only in b), ``removed`` (only in a), ``changed``, ``same``. Lists
are sorted; every value is JSON-safe (a non-finite metric is ``null``).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lineage.dataset_schema import DatasetSchema, schema_from_dict
from lineage.datasets import dataset_of
from lineage.definition import CONDITION, ParsedDefinition, ParsedStep, parse_definition
from lineage.errors import InvalidParameter
from lineage.expressions import expression_kind
from lineage.models import NOT_STARTED, UNKNOWN, Edge, JsonDict, Warning
from lineage.step_types import KeyPath, format_key_path

ChangeClass = Literal["added", "removed", "changed", "same"]
ADDED: ChangeClass = "added"
REMOVED: ChangeClass = "removed"
CHANGED: ChangeClass = "changed"
SAME: ChangeClass = "same"
CHANGE_CLASSES: tuple[ChangeClass, ...] = (ADDED, REMOVED, CHANGED, SAME)

# A step whose every key was rewritten would otherwise list thousands of paths.
MAX_KEY_CHANGES = 50
# A changed value is shown as compact JSON cut to this length (a script inlined in
# Arguments can be megabytes).
MAX_VALUE_CHARS = 200
ELLIPSIS = "…"

# The names of what may differ in a step of both runs (StepComparison.differences). Duration
# is not one: two runs never take the same time, so it would mark every step that ran.
TYPE, ARGUMENTS, STATUS = "type", "arguments", "status"
INPUTS, OUTPUTS, METRICS = "inputs", "outputs", "metrics"
CACHE_HIT, FAILURE_REASON = "cacheHit", "failureReason"

MISMATCH = "COMPARE_MISMATCH"
# A Condition's branches hold whole steps, compared as steps of their own.
_BRANCH_KEYS = frozenset({"IfSteps", "ElseSteps"})

Definition = str | bytes | Mapping[str, Any]
JsonScalar = str | int | float | bool | None
EdgeKey = tuple[str, str, str]


@dataclass(frozen=True)
class ExecutionSide:
    """One side: an execution's lineage document (its JSON) and the definition it ran."""

    document: Mapping[str, Any]
    definition: Definition


@dataclass(frozen=True)
class ComparedExecution:
    """The execution of one side, as the summary names it."""

    arn: str | None
    id: str | None
    status: str | None
    start_time: str | None  # ISO-8601, as the document has it

    def to_dict(self) -> JsonDict:
        return {"arn": self.arn, "id": self.id, "status": self.status, "startTime": self.start_time}


@dataclass(frozen=True)
class ParameterChange:
    """An execution parameter of either run; ``change`` tells whether a side lacks it."""

    name: str
    change: ChangeClass
    a: JsonScalar
    b: JsonScalar

    def to_dict(self) -> JsonDict:
        return {"name": self.name, "change": self.change, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class KeyChange:
    """A dotted path of a definition whose value differs: added, removed or changed.

    ``a`` and ``b`` are the values as compact JSON (so ``1``, ``"1"`` and ``true`` stay
    apart), cut to :data:`MAX_VALUE_CHARS`; ``None`` on the side without the key.
    """

    path: str
    change: ChangeClass
    a: str | None
    b: str | None

    def to_dict(self) -> JsonDict:
        return {"path": self.path, "change": self.change, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class KeyChanges:
    """The first :data:`MAX_KEY_CHANGES` changed paths in path order, and how many there are."""

    changes: tuple[KeyChange, ...] = ()
    total: int = 0

    @property
    def truncated(self) -> bool:
        return self.total > len(self.changes)

    def to_dict(self) -> JsonDict:
        return {
            "changes": [change.to_dict() for change in self.changes],
            "total": self.total,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class MetricChange:
    """A metric of either run; a value that is absent or not finite is ``None``."""

    name: str
    change: ChangeClass
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        if self.a is None or self.b is None:
            return None
        return _finite(self.b - self.a)

    @property
    def relative_change(self) -> float | None:
        """``delta / |a|``; ``None`` when ``a`` is 0 (no scale to measure against)."""
        delta = self.delta
        if delta is None or not self.a:
            return None
        return _finite(delta / abs(self.a))

    def to_dict(self) -> JsonDict:
        return {
            "name": self.name,
            "change": self.change,
            "a": self.a,
            "b": self.b,
            "delta": self.delta,
            "relativeChange": self.relative_change,
        }


@dataclass(frozen=True)
class UriChange:
    """An input or output name of either run with its URIs on each side (sorted).

    ``per_run_only``: the URIs differ only by what each run makes up (its execution id, job
    names, a date: :func:`lineage.datasets.dataset_of`), so the step read or wrote the same
    place and ``change`` is ``same``.
    """

    name: str
    change: ChangeClass
    a: tuple[str, ...]
    b: tuple[str, ...]
    per_run_only: bool = False

    def to_dict(self) -> JsonDict:
        return {
            "name": self.name,
            "change": self.change,
            "a": list(self.a),
            "b": list(self.b),
            "perRunOnly": self.per_run_only,
        }


@dataclass(frozen=True)
class StepState:
    """A step as one run has it: its definition's type and its node's run."""

    type: str
    status: str  # the run's; NotStarted when the step did not run
    elapsed_sec: int | float | None
    cache_hit: bool | None  # None: it did not run
    failure_reason: str | None

    def to_dict(self) -> JsonDict:
        return {
            "type": self.type,
            "status": self.status,
            "elapsedSec": self.elapsed_sec,
            "cacheHit": self.cache_hit,
            "failureReason": self.failure_reason,
        }


@dataclass(frozen=True)
class StepComparison:
    """One step of the merged graph. ``a``/``b`` is ``None`` where it is not a step.

    ``differences``: what differs (names above, sorted), only for a step of both runs.
    """

    name: str
    change: ChangeClass
    a: StepState | None
    b: StepState | None
    differences: tuple[str, ...] = ()
    arguments: KeyChanges = KeyChanges()
    metrics: tuple[MetricChange, ...] = ()
    inputs: tuple[UriChange, ...] = ()
    outputs: tuple[UriChange, ...] = ()

    @property
    def type(self) -> str:
        """The type the merged graph draws: the newer run's."""
        state = self.b or self.a
        return state.type if state else UNKNOWN

    @property
    def elapsed_delta_sec(self) -> int | float | None:
        if self.a is None or self.b is None:
            return None
        if self.a.elapsed_sec is None or self.b.elapsed_sec is None:
            return None
        return self.b.elapsed_sec - self.a.elapsed_sec

    def to_dict(self) -> JsonDict:
        return {
            "name": self.name,
            "type": self.type,
            "change": self.change,
            "differences": list(self.differences),
            "a": self.a.to_dict() if self.a else None,
            "b": self.b.to_dict() if self.b else None,
            "elapsedDeltaSec": self.elapsed_delta_sec,
            "arguments": self.arguments.to_dict(),
            "metrics": [metric.to_dict() for metric in self.metrics],
            "inputs": [ref.to_dict() for ref in self.inputs],
            "outputs": [ref.to_dict() for ref in self.outputs],
        }


@dataclass(frozen=True)
class EdgeComparison:
    """An edge of the merged graph; ``branch`` and ``property`` are the newer run's."""

    source: str
    target: str
    via: str
    change: ChangeClass
    branch: str | None = None
    property: str | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {
            "from": self.source,
            "to": self.target,
            "via": self.via,
            "change": self.change,
        }
        if self.property is not None:
            out["property"] = self.property
        if self.branch is not None:
            out["branch"] = self.branch
        return out


@dataclass(frozen=True)
class DefinitionChanges:
    """What the two definitions change; ``differ`` also sees what is not named here (a
    step's CacheConfig or RetryPolicies, which the parser does not keep)."""

    differ: bool
    steps_added: tuple[str, ...] = ()
    steps_removed: tuple[str, ...] = ()
    steps_changed: tuple[str, ...] = ()  # in both, type or Arguments changed
    edges_added: tuple[Edge, ...] = ()
    edges_removed: tuple[Edge, ...] = ()
    outside_steps: KeyChanges = KeyChanges()

    def to_dict(self) -> JsonDict:
        return {
            "differ": self.differ,
            "stepsAdded": list(self.steps_added),
            "stepsRemoved": list(self.steps_removed),
            "stepsChanged": list(self.steps_changed),
            "edgesAdded": [edge.to_dict() for edge in self.edges_added],
            "edgesRemoved": [edge.to_dict() for edge in self.edges_removed],
            "outsideSteps": self.outside_steps.to_dict(),
        }


@dataclass(frozen=True)
class SchemaDrift:
    """A dataset both runs have a schema of: its columns added, removed and retyped."""

    dataset: str  # the URIs folded (lineage.datasets): where the two runs' URIs meet
    a: str
    b: str
    added: tuple[tuple[str, str], ...] = ()  # (name, type)
    removed: tuple[tuple[str, str], ...] = ()
    retyped: tuple[tuple[str, str, str], ...] = ()  # (name, type in a, type in b)

    @property
    def drifted(self) -> bool:
        return bool(self.added or self.removed or self.retyped)

    def to_dict(self) -> JsonDict:
        return {
            "dataset": self.dataset,
            "a": self.a,
            "b": self.b,
            "change": CHANGED if self.drifted else SAME,
            "added": [{"name": n, "type": t} for n, t in self.added],
            "removed": [{"name": n, "type": t} for n, t in self.removed],
            "retyped": [{"name": n, "a": ta, "b": tb} for n, ta, tb in self.retyped],
        }


def schema_drift(dataset: str, uri_a: str, a: DatasetSchema, uri_b: str,
                 b: DatasetSchema) -> SchemaDrift:
    """What changed in the columns from ``a`` to ``b`` (by name; a type's change is a retype)."""
    types_a = {c.name: c.type for c in a.columns}
    types_b = {c.name: c.type for c in b.columns}
    return SchemaDrift(
        dataset=dataset, a=uri_a, b=uri_b,
        added=tuple((n, t) for n, t in types_b.items() if n not in types_a),
        removed=tuple((n, t) for n, t in types_a.items() if n not in types_b),
        retyped=tuple((n, types_a[n], t) for n, t in types_b.items()
                      if n in types_a and types_a[n] != t),
    )


@dataclass(frozen=True)
class Comparison:
    pipeline: str | None
    region: str | None
    a: ComparedExecution | None  # None: that document has no execution (a render)
    b: ComparedExecution | None
    definition: DefinitionChanges
    parameters: tuple[ParameterChange, ...]
    steps: tuple[StepComparison, ...]
    edges: tuple[EdgeComparison, ...]
    warnings: tuple[Warning, ...] = ()
    schema_drift: tuple[SchemaDrift, ...] = ()

    @property
    def parameters_differ(self) -> bool:
        return any(parameter.change != SAME for parameter in self.parameters)

    def step(self, name: str) -> StepComparison:
        """The step of that name; ``KeyError`` when neither run has it."""
        found = next((step for step in self.steps if step.name == name), None)
        if found is None:
            raise KeyError(name)
        return found

    def to_dict(self) -> JsonDict:
        return {
            "pipeline": {"name": self.pipeline, "region": self.region},
            "summary": {
                "a": self.a.to_dict() if self.a else None,
                "b": self.b.to_dict() if self.b else None,
                "definitionsDiffer": self.definition.differ,
                "parametersDiffer": self.parameters_differ,
                "steps": _counts(step.change for step in self.steps),
                "edges": _counts(edge.change for edge in self.edges),
            },
            "definition": self.definition.to_dict(),
            "parameters": [parameter.to_dict() for parameter in self.parameters],
            "steps": [step.to_dict() for step in self.steps],
            "edges": [edge.to_dict() for edge in self.edges],
            "warnings": [warning.to_dict() for warning in self.warnings],
            **({"schemaDrift": [drift.to_dict() for drift in self.schema_drift]}
               if self.schema_drift else {}),
        }


def _counts(changes: Iterable[ChangeClass]) -> dict[str, int]:
    counted = Counter(changes)
    return {change: counted[change] for change in CHANGE_CLASSES}


# -- reading a document's JSON (it may come from a cache: read it defensively) -------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _finite(value: Any) -> float | None:
    """A finite number as it is (bools are not numbers here), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def _scalar(value: Any) -> JsonScalar:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return _finite(value)
    return _json_text(value)


def _json_text(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + ELLIPSIS


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class _Side:
    """One side read once: its parsed definition and its document's parts, by name."""

    label: str  # "a" | "b"
    definition: Mapping[str, Any]  # decoded
    parsed: ParsedDefinition
    steps: Mapping[str, ParsedStep]
    pipeline: Mapping[str, Any]
    execution: Mapping[str, Any] | None
    nodes: Mapping[str, Mapping[str, Any]]
    edges: Mapping[EdgeKey, Mapping[str, Any]]
    job_names: tuple[str, ...]
    schemas: Mapping[str, DatasetSchema]  # artifact URI -> its dataset schema

    @classmethod
    def read(cls, label: str, side: ExecutionSide) -> _Side:
        parsed = parse_definition(side.definition)  # DefinitionError when it is none
        definition = side.definition
        if not isinstance(definition, Mapping):  # a JSON object: the parser read it
            definition = json.loads(definition)
        document = side.document
        graph = _mapping(document.get("graph"))
        nodes = {node["id"]: node for node in _items(graph.get("nodes")) if _text(node.get("id"))}
        edges: dict[EdgeKey, Mapping[str, Any]] = {}
        for edge in _items(graph.get("edges")):
            key = (_text(edge.get("from")), _text(edge.get("to")), _text(edge.get("via")))
            if key[0] is not None and key[1] is not None and key[2] is not None:
                edges.setdefault((key[0], key[1], key[2]), edge)
        # A job's name is its ARN's last part; a URI holding it is per run.
        job_names = tuple(
            arn.rsplit("/", 1)[-1]
            for node in nodes.values()
            if (arn := _text(_mapping(node.get("run")).get("jobArn")))
        )
        execution = document.get("execution")
        schemas = {
            str(artifact["uri"]): schema
            for artifact in _items(graph.get("artifacts"))
            if isinstance(artifact.get("uri"), str)
            and (schema := schema_from_dict(artifact.get("schema"))) is not None
        }
        return cls(
            label=label,
            definition=definition,
            parsed=parsed,
            steps={step.name: step for step in parsed.steps},
            pipeline=_mapping(document.get("pipeline")),
            execution=execution if isinstance(execution, Mapping) else None,
            nodes=nodes,
            edges=edges,
            job_names=job_names,
            schemas=schemas,
        )

    def datasets(self) -> dict[str, str]:
        """Folded dataset -> the URI of this run's artifact with a schema there (the first)."""
        found: dict[str, str] = {}
        for uri in sorted(self.schemas):
            found.setdefault(self.folded((uri,))[0], uri)
        return found

    def compared_execution(self) -> ComparedExecution | None:
        if self.execution is None:
            return None
        return ComparedExecution(
            arn=_text(self.execution.get("arn")),
            id=_text(self.execution.get("id")),
            status=_text(self.execution.get("status")),
            start_time=_text(self.execution.get("startTime")),
        )

    def parameters(self) -> dict[str, JsonScalar]:
        given = _mapping(self.execution.get("parameters")) if self.execution else {}
        return {str(name): _scalar(value) for name, value in given.items()}

    def run(self, name: str) -> Mapping[str, Any] | None:
        run = _mapping(self.nodes.get(name)).get("run")
        return run if isinstance(run, Mapping) else None

    def state(self, step: ParsedStep) -> StepState:
        run = self.run(step.name)
        if run is None:
            return StepState(step.type, NOT_STARTED, None, None, None)
        cache_hit = run.get("cacheHit")
        return StepState(
            type=step.type,
            status=_text(run.get("status")) or UNKNOWN,
            elapsed_sec=_finite(run.get("elapsedSec")),
            cache_hit=cache_hit if isinstance(cache_hit, bool) else None,
            failure_reason=_text(run.get("failureReason")),
        )

    def metrics(self, name: str) -> dict[str, float | None]:
        run = self.run(name)
        metrics = _mapping(run.get("metrics")) if run else {}
        return {str(key): _finite(value) for key, value in metrics.items()}

    def uris(self, name: str, key: str) -> dict[str, tuple[str, ...]]:
        """Input or output name -> its URIs (a generic scan may give one name several)."""
        found: dict[str, set[str]] = {}
        for ref in _items(_mapping(self.nodes.get(name)).get(key)):
            ref_name, uri = _text(ref.get("name")), _text(ref.get("uri"))
            if ref_name is not None and uri is not None:
                found.setdefault(ref_name, set()).add(uri)
        return {ref_name: tuple(sorted(uris)) for ref_name, uris in found.items()}

    def folded(self, uris: tuple[str, ...]) -> tuple[str, ...]:
        """The URIs with this run's own parts folded away: where two runs' URIs meet."""
        execution_id = _text(self.execution.get("id")) if self.execution else None
        return tuple(
            sorted(
                dataset_of(uri, execution_id=execution_id, job_names=self.job_names) or uri
                for uri in uris
            )
        )

    def mismatches(self) -> list[Warning]:
        """Nodes and steps that should be the same set and are not: the caller passed a
        document and a definition of different versions."""
        steps = self.steps
        return [
            *(
                Warning(MISMATCH, f"document {self.label} has no node for step '{name}'", name)
                for name in steps
                if name not in self.nodes
            ),
            *(
                Warning(
                    MISMATCH,
                    f"document {self.label} has a node '{name}' its definition has no step for",
                    name,
                )
                for name in self.nodes
                if name not in steps
            ),
        ]


# -- the pipeline -------------------------------------------------------------------------


def _identity(pipeline: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(name, region, account); region and account from the ARN where the document lacks
    them (``arn:aws:sagemaker:<region>:<account>:pipeline/<name>``)."""
    arn = _text(pipeline.get("arn")) or ""
    parts = arn.split(":")
    region = _text(pipeline.get("region")) or (parts[3] if len(parts) > 4 else None) or None
    account = (parts[4] if len(parts) > 4 else None) or None
    return _text(pipeline.get("name")), region, account


def _same_pipeline(a: _Side, b: _Side) -> None:
    name_a, region_a, account_a = _identity(a.pipeline)
    name_b, region_b, account_b = _identity(b.pipeline)
    if name_a != name_b:
        where = f"'{name_a}' and '{name_b}'"
    elif region_a and region_b and region_a != region_b:
        where = f"'{name_a}' in {region_a} and in {region_b}"
    elif account_a and account_b and account_a != account_b:
        where = f"'{name_a}' of two accounts"  # account ids stay out of messages
    else:
        return
    raise InvalidParameter(
        "b", f"a and b are executions of different pipelines ({where}): compare runs of one"
    )


# -- definitions ----------------------------------------------------------------------------

_MISSING = object()


def _key_changes(a: Any, b: Any, *, skip_branches: bool = False) -> KeyChanges:
    """The dotted paths whose values differ between ``a`` and ``b`` (iterative: definitions
    nest deeply). An expression (``{"Get": ...}``, ``Std:Join``) is one value, so the path
    named is the argument's, not a part of the expression."""
    found: list[tuple[KeyPath, ChangeClass, Any, Any]] = []
    pending: list[tuple[KeyPath, Any, Any]] = [((), a, b)]
    while pending:
        path, left, right = pending.pop()
        if _is_object(left) and _is_object(right):
            pairs: list[tuple[str | int, Any, Any]] = [
                (key, left.get(key, _MISSING), right.get(key, _MISSING))
                for key in {*left, *right}
                if not (skip_branches and not path and key in _BRANCH_KEYS)
            ]
        elif isinstance(left, list) and isinstance(right, list):
            pairs = [
                (
                    i,
                    left[i] if i < len(left) else _MISSING,
                    right[i] if i < len(right) else _MISSING,
                )
                for i in range(max(len(left), len(right)))
            ]
        else:
            if _canonical(left) != _canonical(right):  # JSON text: 1, 1.0 and true differ
                found.append((path, CHANGED, left, right))
            continue
        for key, left_value, right_value in pairs:
            if right_value is _MISSING:
                found.append(((*path, key), REMOVED, left_value, _MISSING))
            elif left_value is _MISSING:
                found.append(((*path, key), ADDED, _MISSING, right_value))
            else:
                pending.append(((*path, key), left_value, right_value))
    found.sort(key=lambda change: _path_order(change[0]))
    return KeyChanges(
        changes=tuple(
            KeyChange(
                path=format_key_path(path),
                change=change,
                a=None if left is _MISSING else _json_text(left),
                b=None if right is _MISSING else _json_text(right),
            )
            for path, change, left, right in found[:MAX_KEY_CHANGES]
        ),
        total=len(found),
    )


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping) and expression_kind(value) is None


def _path_order(path: KeyPath) -> tuple[tuple[bool, str | int], ...]:
    """Indexes numerically (``[2]`` before ``[10]``); the flag keeps ints and strs apart."""
    return tuple((isinstance(part, str), part) for part in path)


def _definition_edges(side: _Side) -> dict[EdgeKey, Edge]:
    return {(edge.source, edge.target, edge.via): edge for edge in side.parsed.edges}


def _definition_changes(a: _Side, b: _Side, steps: Iterable[StepComparison]) -> DefinitionChanges:
    steps_a, steps_b = a.steps, b.steps
    edges_a, edges_b = _definition_edges(a), _definition_edges(b)
    outside_a = {key: value for key, value in a.definition.items() if key != "Steps"}
    outside_b = {key: value for key, value in b.definition.items() if key != "Steps"}
    return DefinitionChanges(
        differ=_canonical(a.definition) != _canonical(b.definition),
        steps_added=tuple(sorted(steps_b.keys() - steps_a.keys())),
        steps_removed=tuple(sorted(steps_a.keys() - steps_b.keys())),
        steps_changed=tuple(
            step.name for step in steps if TYPE in step.differences or ARGUMENTS in step.differences
        ),
        edges_added=tuple(edges_b[key] for key in sorted(edges_b.keys() - edges_a.keys())),
        edges_removed=tuple(edges_a[key] for key in sorted(edges_a.keys() - edges_b.keys())),
        outside_steps=_key_changes(outside_a, outside_b),
    )


# -- runs -----------------------------------------------------------------------------------


def _presence(in_a: bool, in_b: bool, same: bool) -> ChangeClass:
    if not in_a:
        return ADDED
    if not in_b:
        return REMOVED
    return SAME if same else CHANGED


def _parameter_changes(a: _Side, b: _Side) -> tuple[ParameterChange, ...]:
    values_a, values_b = a.parameters(), b.parameters()
    return tuple(
        ParameterChange(
            name=name,
            change=_presence(
                name in values_a,
                name in values_b,
                _canonical(values_a.get(name)) == _canonical(values_b.get(name)),
            ),
            a=values_a.get(name),
            b=values_b.get(name),
        )
        for name in sorted(values_a.keys() | values_b.keys())
    )


def _metric_changes(
    metrics_a: Mapping[str, float | None], metrics_b: Mapping[str, float | None]
) -> tuple[MetricChange, ...]:
    return tuple(
        MetricChange(
            name=name,
            change=_presence(
                name in metrics_a, name in metrics_b, metrics_a.get(name) == metrics_b.get(name)
            ),
            a=metrics_a.get(name),
            b=metrics_b.get(name),
        )
        for name in sorted(metrics_a.keys() | metrics_b.keys())
    )


def _uri_changes(a: _Side, b: _Side, name: str, key: str) -> tuple[UriChange, ...]:
    uris_a = a.uris(name, key) if name in a.steps else {}
    uris_b = b.uris(name, key) if name in b.steps else {}
    changes = []
    for ref_name in sorted(uris_a.keys() | uris_b.keys()):
        left, right = uris_a.get(ref_name, ()), uris_b.get(ref_name, ())
        per_run_only = (
            ref_name in uris_a
            and ref_name in uris_b
            and left != right
            and a.folded(left) == b.folded(right)
        )
        change = _presence(ref_name in uris_a, ref_name in uris_b, left == right or per_run_only)
        changes.append(UriChange(ref_name, change, left, right, per_run_only))
    return tuple(changes)


def _step_comparison(a: _Side, b: _Side, name: str) -> StepComparison:
    step_a, step_b = a.steps.get(name), b.steps.get(name)
    metrics = _metric_changes(a.metrics(name) if step_a else {}, b.metrics(name) if step_b else {})
    inputs = _uri_changes(a, b, name, "inputs")
    outputs = _uri_changes(a, b, name, "outputs")
    if step_a is None or step_b is None:
        return StepComparison(
            name=name,
            change=ADDED if step_a is None else REMOVED,
            a=a.state(step_a) if step_a else None,
            b=b.state(step_b) if step_b else None,
            metrics=metrics,
            inputs=inputs,
            outputs=outputs,
        )
    state_a, state_b = a.state(step_a), b.state(step_b)
    arguments = _key_changes(
        step_a.arguments,
        step_b.arguments,
        skip_branches=CONDITION in (step_a.type, step_b.type),
    )
    # A cache hit only compares between runs of the step: one that did not run has none.
    cache_hit_differs = (
        state_a.cache_hit is not None
        and state_b.cache_hit is not None
        and state_a.cache_hit != state_b.cache_hit
    )
    differing = {
        TYPE: state_a.type != state_b.type,
        ARGUMENTS: arguments.total > 0,
        STATUS: state_a.status != state_b.status,
        CACHE_HIT: cache_hit_differs,
        FAILURE_REASON: state_a.failure_reason != state_b.failure_reason,
        METRICS: any(metric.change != SAME for metric in metrics),
        INPUTS: any(ref.change != SAME for ref in inputs),
        OUTPUTS: any(ref.change != SAME for ref in outputs),
    }
    differences = tuple(sorted(what for what, differs in differing.items() if differs))
    return StepComparison(
        name=name,
        change=CHANGED if differences else SAME,
        a=state_a,
        b=state_b,
        differences=differences,
        arguments=arguments,
        metrics=metrics,
        inputs=inputs,
        outputs=outputs,
    )


def _edge_comparisons(a: _Side, b: _Side) -> tuple[EdgeComparison, ...]:
    comparisons = []
    for key in sorted(a.edges.keys() | b.edges.keys()):
        edge = b.edges.get(key) or a.edges[key]
        comparisons.append(
            EdgeComparison(
                source=key[0],
                target=key[1],
                via=key[2],
                change=_presence(key in a.edges, key in b.edges, True),
                branch=_text(edge.get("branch")),
                property=_text(edge.get("property")),
            )
        )
    return tuple(comparisons)


def compare_executions(a: ExecutionSide, b: ExecutionSide) -> Comparison:
    """What changed from execution ``a`` (the base) to ``b`` (the newer) of one pipeline.

    Raises :class:`~lineage.errors.InvalidParameter` (400, naming ``b``) when the documents
    are of different pipelines (name, region or account), and
    :class:`~lineage.errors.DefinitionError` when a definition cannot be parsed.
    """
    side_a, side_b = _Side.read("a", a), _Side.read("b", b)
    _same_pipeline(side_a, side_b)
    names = sorted(side_a.steps.keys() | side_b.steps.keys())
    steps = tuple(_step_comparison(side_a, side_b, name) for name in names)
    name, region, _ = _identity(side_b.pipeline)
    warnings = sorted({*side_a.mismatches(), *side_b.mismatches()})
    return Comparison(
        pipeline=name,
        region=region,
        a=side_a.compared_execution(),
        b=side_b.compared_execution(),
        definition=_definition_changes(side_a, side_b, steps),
        parameters=_parameter_changes(side_a, side_b),
        steps=steps,
        edges=_edge_comparisons(side_a, side_b),
        warnings=tuple(warnings),
        schema_drift=_schema_drifts(side_a, side_b),
    )


def _schema_drifts(a: _Side, b: _Side) -> tuple[SchemaDrift, ...]:
    datasets_a, datasets_b = a.datasets(), b.datasets()
    return tuple(
        schema_drift(dataset, datasets_a[dataset], a.schemas[datasets_a[dataset]],
                     datasets_b[dataset], b.schemas[datasets_b[dataset]])
        for dataset in sorted(datasets_a.keys() & datasets_b.keys())
    )


__all__ = [
    "ADDED",
    "CHANGED",
    "CHANGE_CLASSES",
    "MAX_KEY_CHANGES",
    "MAX_VALUE_CHARS",
    "REMOVED",
    "SAME",
    "ChangeClass",
    "SchemaDrift",
    "ComparedExecution",
    "Comparison",
    "DefinitionChanges",
    "EdgeComparison",
    "ExecutionSide",
    "KeyChange",
    "KeyChanges",
    "MetricChange",
    "ParameterChange",
    "StepComparison",
    "StepState",
    "UriChange",
    "compare_executions",
    "schema_drift",
]
