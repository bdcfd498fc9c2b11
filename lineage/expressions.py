"""Pipeline definition expressions (pure): ``Get``, ``Std:Join``, ``Std:JsonGet``.

A value in a pipeline definition is either plain JSON or one of these expressions:

- ``{"Get": "Parameters.X"}``: the execution's value of parameter ``X``, else its default,
  else the placeholder ``{Parameters.X}``.
- ``{"Get": "Execution.PipelineExecutionId"}``: from the ``execution`` mapping, else the
  placeholder ``{Execution.PipelineExecutionId}``.
- ``{"Get": "Steps.X.<property>"}``: a property of step ``X``; a callback (the definition
  parser) answers it from ``X``'s arguments when it can be known before the run, else the
  placeholder ``{Steps.X.<property>}``.
- ``{"Std:Join": {"On": "/", "Values": [...]}}``: the values (expressions allowed) joined.
- ``{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.X.PropertyFiles.Y"}, "Path": "a.b"}}``:
  a value read from a JSON file at run time, never known here: a placeholder.

https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps.html#build-and-manage-properties
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from lineage.models import Warning

GET: Final = "Get"
JOIN: Final = "Std:Join"
JSON_GET: Final = "Std:JsonGet"
EXPRESSION_KEYS: Final = frozenset({GET, JOIN, JSON_GET})
STEPS_PREFIX: Final = "Steps."

# Each nested expression level (a Join inside a Join, a step property whose value is itself a
# Get of another step, ...) costs a few Python frames; past this depth the value becomes a
# placeholder instead of risking a RecursionError.
MAX_EXPRESSION_DEPTH: Final = 50
# Far above any real S3 URI (keys are at most 1,024 bytes).
MAX_JOINED_LENGTH: Final = 4096

# (step name, property path after the step name) -> the property's value, or None when it
# cannot be known before the run.
StepPropertyResolver = Callable[[str, str], Any]


def placeholder(path: str) -> str:
    """The stand-in for a value only known at run time: ``{Steps.Train.TrainingJobName}``."""
    return "{" + path + "}"


def expression_kind(value: Any) -> str | None:
    """``"Get"``, ``"Std:Join"`` or ``"Std:JsonGet"`` when ``value`` is that expression."""
    if isinstance(value, Mapping) and len(value) == 1:
        (key,) = value.keys()
        if key in EXPRESSION_KEYS:
            if key == GET and not isinstance(value[key], str):
                return None
            return str(key)
    return None


def split_step_path(path: str, step_names: Collection[str]) -> tuple[str, str] | None:
    """``"Steps.X.rest"`` -> ``("X", "rest")``; ``None`` when ``path`` is not a step path.

    Step names may contain characters that also appear in property paths, so a known step
    name wins (the longest that fits); an unknown one ends at the first ``.`` or ``[``.
    """
    if not path.startswith(STEPS_PREFIX):
        return None
    tail = path[len(STEPS_PREFIX) :]
    best: str | None = None
    # Each place a name could end, longest first: one lookup each, whatever the step count.
    ends = [i for i, char in enumerate(tail) if char in ".["] + [len(tail)]
    for end in reversed(ends):
        if tail[:end] in step_names:
            best = tail[:end]
            break
    if best is None:
        match = re.match(r"[^.\[]+", tail)
        if match is None:
            return None
        best = match.group(0)
    rest = tail[len(best) :]
    return best, rest[1:] if rest.startswith(".") else rest


def iter_get_paths(
    tree: Any,
    *,
    skip: Callable[[tuple[str | int, ...]], bool] | None = None,
) -> Iterator[str]:
    """Every ``Get`` path anywhere in ``tree``, in document order (iterative: no depth limit).

    ``skip(path)`` may prune a subtree by its key path (e.g. a Condition's nested steps).
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(tree, ())]
    while stack:
        value, where = stack.pop()
        if skip is not None and where and skip(where):
            continue
        if isinstance(value, Mapping):
            get = value.get(GET) if len(value) == 1 else None
            if isinstance(get, str):
                yield get
                continue
            stack.extend(
                (child, (*where, str(key))) for key, child in reversed(list(value.items()))
            )
        elif isinstance(value, list):
            stack.extend((child, (*where, i)) for i, child in reversed(list(enumerate(value))))


def stringify(value: Any) -> str:
    """A value as ``Std:Join`` writes it: strings as they are, other JSON as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return placeholder(type(value).__name__)


@dataclass
class _State:
    depth: int = 0
    cycles: int = 0


class Evaluator:
    """Evaluates expressions against parameters, execution variables and step properties."""

    def __init__(
        self,
        *,
        parameters: Mapping[str, Any] | None = None,
        execution: Mapping[str, str] | None = None,
        step_property: StepPropertyResolver | None = None,
        step_names: Collection[str] = (),
    ) -> None:
        self.parameters: Mapping[str, Any] = parameters or {}
        self.execution: Mapping[str, str] = execution or {}
        self.step_property = step_property
        self.step_names = step_names
        self.warnings: list[Warning] = []
        self._state = _State()
        self._active: set[str] = set()
        self._cache: dict[str, Any] = {}

    def evaluate(self, value: Any) -> Any:
        """The value with every expression in it resolved (or replaced by a placeholder).

        Plain JSON is returned as it is; only expressions are evaluated (a Join's values may
        themselves be expressions).
        """
        kind = expression_kind(value)
        if kind is None:
            return value
        state = self._state
        if state.depth >= MAX_EXPRESSION_DEPTH:
            self.warnings.append(
                Warning(
                    "EXPRESSION_TOO_DEEP",
                    f"an expression nests more than "
                    f"{MAX_EXPRESSION_DEPTH} levels deep; its value is left unresolved",
                )
            )
            return placeholder(kind)
        state.depth += 1
        try:
            if kind == GET:
                return self._get(str(value[GET]))
            if kind == JOIN:
                return self._join(value[JOIN])
            return self._json_get(value[JSON_GET])
        finally:
            state.depth -= 1

    def _get(self, path: str) -> Any:
        head, _, name = path.partition(".")
        if head == "Parameters":
            return self.parameters.get(name, placeholder(path)) if name else placeholder(path)
        if head == "Execution":
            found = self.execution.get(name)
            return found if found is not None else placeholder(path)
        if head == "Steps":
            return self._step(path)
        return placeholder(path)

    def _step(self, path: str) -> Any:
        if path in self._cache:
            return self._cache[path]
        split = split_step_path(path, self.step_names)
        if split is None or self.step_property is None or split[0] not in self.step_names:
            return placeholder(path)
        if path in self._active:
            self._state.cycles += 1
            self.warnings.append(
                Warning(
                    "REFERENCE_CYCLE", f"{path} refers back to itself; left unresolved", split[0]
                )
            )
            return placeholder(path)
        cycles_before = self._state.cycles
        self._active.add(path)
        try:
            found = self.step_property(*split)
        finally:
            self._active.discard(path)
        result = placeholder(path) if found is None else found
        if self._state.cycles == cycles_before:
            # A value computed while a cycle was cut depends on where the walk started.
            self._cache[path] = result
        return result

    def _join(self, spec: Any) -> Any:
        if not isinstance(spec, Mapping) or not isinstance(spec.get("Values"), list):
            return placeholder(JOIN)
        on = spec.get("On", "")
        separator = on if isinstance(on, str) else stringify(on)
        joined = separator.join(stringify(self.evaluate(item)) for item in spec["Values"])
        if len(joined) > MAX_JOINED_LENGTH:
            # Joins that feed joins (a chain of steps) would otherwise grow without end.
            self.warnings.append(
                Warning(
                    "VALUE_TOO_LONG",
                    f"a Std:Join gives more than {MAX_JOINED_LENGTH} characters; "
                    "its value is left unresolved",
                )
            )
            return placeholder(JOIN)
        return joined

    def _json_get(self, spec: Any) -> Any:
        if not isinstance(spec, Mapping):
            return placeholder(JSON_GET)
        source = spec.get("PropertyFile", spec.get("S3Uri"))
        if expression_kind(source) == GET:
            where = str(source[GET])
        else:
            where = stringify(self.evaluate(source)) if source is not None else JSON_GET
        json_path = spec.get("Path")
        if isinstance(json_path, str) and json_path:
            return placeholder(f"{where.strip('{}')}:{json_path}")
        return placeholder(where.strip("{}"))
