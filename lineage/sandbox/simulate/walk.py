"""The sandbox's own reading of a definition: its steps, and the order they run in.

The sandbox plays AWS, so it never borrows the product's definition parser: a mistake there
would then be simulated too, and the tests would agree with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from lineage.sandbox.simulate.records import FlatStep


def flatten_steps(definition: Mapping[str, Any]) -> list[FlatStep]:
    """All steps in pre-order: a Condition, then its ``IfSteps``, then its ``ElseSteps``.

    Entries without a string ``Name`` and repeated names are skipped (AWS would refuse the
    definition; the sandbox runs what it can).
    """
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
    """Per step, the steps it waits for: ``DependsOn``, ``Get`` references, its Condition."""
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
