"""Resolving ``Get`` / ``Std:Join`` for one execution, as SageMaker does before a step runs.

``Std:JsonGet`` stays a placeholder: it reads a property file at run time, and the sandbox
only needs it where a Condition is evaluated, which the execution spec decides instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lineage.sandbox.world.specs import JsonDict

_TOKEN = re.compile(r"([A-Za-z0-9_:\-]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass
class Context:
    """What ``Parameters.``, ``Execution.`` and ``Steps.`` resolve against in one execution."""

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
            return str(spec.get("On", "")).join(text(self.resolve(v)) for v in values)
        if set(value) == {"Std:JsonGet"}:
            return "{Std:JsonGet}"
        return {k: self.resolve(v) for k, v in value.items()}

    def get(self, path: str) -> Any:
        """The value at ``path``, or ``"{path}"`` when nothing is there (yet)."""
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
    """A scalar at a property path (``a.b[0].c``, ``Outputs['name']`` matching a ``*Name``)."""
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


def text(value: Any) -> str:
    """A resolved value as SageMaker writes it into a string (booleans lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parameter_values(definition: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The definition's parameter defaults, overridden by the execution's ``given`` values."""
    values: dict[str, Any] = {}
    params = definition.get("Parameters")
    for param in params if isinstance(params, list) else []:
        if isinstance(param, dict) and isinstance(param.get("Name"), str):
            if "DefaultValue" in param:
                values[param["Name"]] = param["DefaultValue"]
    values.update(given)
    return values


def s3_buckets(value: Any) -> set[str]:
    """Valid bucket names of every S3 URI inside a (resolved) value.

    Also ``s3:/bucket/key`` (a path joined with os.path collapses the scheme's ``//``) and
    quoted values (estimators JSON-encode hyperparameters): whoever wrote such a definition
    has that bucket.
    """
    found: set[str] = set()
    if isinstance(value, str):
        text = value.strip().strip('"')
        if text.startswith("s3:/"):
            bucket = text[4:].lstrip("/").split("/", 1)[0]
            if _BUCKET.match(bucket) and ".." not in bucket:
                found.add(bucket)
    elif isinstance(value, dict):
        for item in value.values():
            found |= s3_buckets(item)
    elif isinstance(value, list):
        for item in value:
            found |= s3_buckets(item)
    return found
