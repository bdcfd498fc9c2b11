"""A Condition step's ``Conditions`` -> readable clauses: what it compares with what (pure).

https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps.html#step-type-condition
lists the types: the comparisons (``LeftValue``, ``RightValue``), ``In`` (``QueryValue``,
``Values``), ``Not`` (``Expression``) and ``Or`` (``Conditions``). The step's entries must all
hold for the if branch to run.

Two halves, because the values come from two places. :func:`parse_conditions` (called by the
definition parser) writes each operand as text and knows what the definition alone tells: a
literal, a parameter's value. A ``Std:JsonGet`` of an evaluation report, or a training
metric, is only known after the run: the operand names the step and the key of that step's
``run.metrics``, and :func:`explain` (called by the graph, which has every step's run) looks
it up. The walk over the raw entries is iterative and capped (depth, count, text length):
definitions are untrusted, and a ``Not`` may wrap a ``Not`` thousands of times.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from lineage.expressions import GET, JOIN, JSON_GET, STEPS_PREFIX, expression_kind, split_step_path
from lineage.models import ConditionClause, ConditionValue

# Condition type -> the operator its expression shows.
COMPARISONS: Final[Mapping[str, str]] = {
    "Equals": "==",
    "GreaterThan": ">",
    "GreaterThanOrEqualTo": ">=",
    "LessThan": "<",
    "LessThanOrEqualTo": "<=",
}
IN: Final = "In"
NOT: Final = "Not"
OR: Final = "Or"
UNKNOWN_TYPE: Final = "Unknown"

# Levels of Not/Or shown nested; a deeper one is shown as "…" (real ones nest one or two).
MAX_DEPTH: Final = 8
# Clauses of one step, nested ones included; the rest are left out (their parent shows "…").
MAX_CLAUSES: Final = 64
# Characters of an operand's text and of a string value; of a clause's expression.
MAX_TEXT: Final = 200
MAX_EXPRESSION: Final = 500
# Levels of a Std:Join inside an operand written out; deeper parts are "…".
MAX_TEXT_DEPTH: Final = 3
ELLIPSIS: Final = "…"

_PROPERTY_FILES = "PropertyFiles."
# Steps.Train.FinalMetricDataList['validation:auc'].Value: a training job's final metric,
# which the service reads into the step's run.metrics under the metric's name.
_FINAL_METRIC = re.compile(r"FinalMetricDataList\[(?:'([^']*)'|\"([^\"]*)\")\]\.Value")


@dataclass(frozen=True)
class Operand:
    """One side of a comparison: its text and what the definition alone says of its value."""

    text: str
    value: ConditionValue = None
    # (step, key of its run.metrics): the value is only known once that step has run.
    metric: tuple[str, str] | None = None


@dataclass(frozen=True)
class Clause:
    """One entry of ``Conditions`` as the definition gives it; :func:`explain` adds the run."""

    type: str
    operator: str | None
    expression: str
    left: Operand | None = None
    right: Operand | None = None
    values: tuple[Operand, ...] | None = None  # In: its Values, one by one
    conditions: tuple[Clause, ...] | None = None  # Not: one; Or: several


@dataclass(frozen=True)
class OperandContext:
    """What the definition parser knows that an operand may need."""

    evaluate: Callable[[Any], Any]  # the parser's Evaluator.evaluate
    parameters: Mapping[str, Any]  # the execution's values, else the defaults
    parameter_types: Mapping[str, str]  # Name -> Type as declared (String, Float, ...)
    execution: Mapping[str, str]
    step_names: Collection[str]
    # (step, property file name) -> its FilePath; None when the step declares no such file.
    report_file: Callable[[str, str], str | None]


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _scalar(value: Any) -> ConditionValue:
    """``value`` when it is a JSON scalar the document can carry (strings cut), else None."""
    if isinstance(value, str):
        return cut(value, MAX_TEXT)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):  # past 64 bits JSON readers lose it (and Python's json refuses)
        return value if -(2**63) <= value < 2**63 else None
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def _resolved(value: Any) -> ConditionValue:
    """An evaluated expression's value; None when a part of it is only known at run time."""
    if isinstance(value, str) and "{" in value:  # a {Steps...} or {Execution...} placeholder
        return None
    return _scalar(value)


def _typed(value: Any, declared: str | None) -> Any:
    """An execution's parameter value (always text) as its declared type says."""
    if not isinstance(value, str):
        return value
    try:
        if declared == "Integer":
            return int(value)
        if declared == "Float":
            number = float(value)
            return number if math.isfinite(number) else value
    except ValueError:
        return value
    if declared == "Boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _literal_text(value: Any) -> str:
    if isinstance(value, str):
        return cut(json.dumps(cut(value, MAX_TEXT), ensure_ascii=False), MAX_TEXT)
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return "?"
    return cut(text, MAX_TEXT)


def _property_file(source: Any, ctx: OperandContext) -> tuple[str, str] | None:
    """``{"Get": "Steps.X.PropertyFiles.Y"}`` -> ``("X", "Y")``."""
    if expression_kind(source) != GET:
        return None
    split = split_step_path(str(source[GET]), ctx.step_names)
    if split is None or split[0] not in ctx.step_names or not split[1].startswith(_PROPERTY_FILES):
        return None
    return split[0], split[1][len(_PROPERTY_FILES) :]


def _text(value: Any, ctx: OperandContext, depth: int = 0) -> str:
    """An operand as one line: literals as JSON, ``Get`` as its path, a report's value as
    ``<file> <path> (<step>)``; bounded in depth and length."""
    if depth > MAX_TEXT_DEPTH:
        return ELLIPSIS
    kind = expression_kind(value)
    if kind == GET:
        return cut(str(value[GET]), MAX_TEXT)
    if kind == JOIN:
        spec = value[JOIN]
        if not isinstance(spec, Mapping) or not isinstance(spec.get("Values"), list):
            return "join(?)"
        parts: list[str] = []
        length = 0
        for item in spec["Values"]:
            if length > MAX_TEXT:
                parts.append(ELLIPSIS)
                break
            part = _text(item, ctx, depth + 1)
            parts.append(part)
            length += len(part) + 2
        on = _literal_text(spec.get("On", ""))
        return cut(f"join({on}, [{', '.join(parts)}])", MAX_TEXT)
    if kind == JSON_GET:
        spec = value[JSON_GET]
        if not isinstance(spec, Mapping):
            return "JsonGet(?)"
        path = spec.get("Path")
        path_text = cut(path, MAX_TEXT) if isinstance(path, str) and path else "?"
        source = spec.get("PropertyFile", spec.get("S3Uri"))
        report = _property_file(source, ctx)
        if report is not None:
            step, name = report
            file_path = ctx.report_file(step, name) or name
            return cut(f"{file_path} {path_text} ({step})", MAX_TEXT)
        return cut(f"{_text(source, ctx, depth + 1)} {path_text}", MAX_TEXT)
    return _literal_text(value)


def _operand(value: Any, ctx: OperandContext) -> Operand:
    text = _text(value, ctx)
    kind = expression_kind(value)
    if kind is None:
        return Operand(text, _scalar(value))
    if kind == JSON_GET:
        spec = value[JSON_GET]
        if not isinstance(spec, Mapping):
            return Operand(text)
        path, report = spec.get("Path"), _property_file(spec.get("PropertyFile"), ctx)
        if report is None or not isinstance(path, str) or not path:
            return Operand(text)
        if ctx.report_file(*report) is None:  # undeclared: the service reads no such report
            return Operand(text)
        return Operand(text, metric=(report[0], path))
    if kind == JOIN:
        return Operand(text, _resolved(ctx.evaluate(value)))
    path = str(value[GET])
    head, _, name = path.partition(".")
    if head == "Parameters":
        if name not in ctx.parameters:
            return Operand(text)
        return Operand(text, _scalar(_typed(ctx.parameters[name], ctx.parameter_types.get(name))))
    if head == "Execution":
        return Operand(text, _scalar(ctx.execution.get(name)))
    if path.startswith(STEPS_PREFIX):
        split = split_step_path(path, ctx.step_names)
        if split is not None and split[0] in ctx.step_names:
            metric = _FINAL_METRIC.fullmatch(split[1])
            if metric is not None:
                key = metric.group(1) if metric.group(1) is not None else metric.group(2)
                return Operand(text, metric=(split[0], key))
            return Operand(text, _resolved(ctx.evaluate(value)))
    return Operand(text)


def _type_of(raw: Any) -> str:
    kind = raw.get("Type") if isinstance(raw, Mapping) else None
    return cut(kind, MAX_TEXT) if isinstance(kind, str) and kind else UNKNOWN_TYPE


def _inner(raw: Any) -> list[Any]:
    """The entries a Not or an Or holds (at most one more than may be shown)."""
    if not isinstance(raw, Mapping):
        return []
    if raw.get("Type") == NOT:
        return [raw["Expression"]] if "Expression" in raw else []
    inner = raw.get("Conditions")
    return inner[: MAX_CLAUSES + 1] if isinstance(inner, list) else []


def _leaf(raw: Any, ctx: OperandContext) -> Clause:
    """A comparison, an In, or an entry this version cannot read."""
    kind = _type_of(raw)
    if kind in COMPARISONS and isinstance(raw, Mapping):
        left, right = _operand(raw.get("LeftValue"), ctx), _operand(raw.get("RightValue"), ctx)
        operator = COMPARISONS[kind]
        expression = f"{left.text} {operator} {right.text}"
        return Clause(kind, operator, cut(expression, MAX_EXPRESSION), left=left, right=right)
    if kind == IN and isinstance(raw, Mapping):
        query = _operand(raw.get("QueryValue"), ctx)
        listed = raw.get("Values")
        values: tuple[Operand, ...] = ()
        if isinstance(listed, list):
            shown: list[Operand] = []
            length = 0
            for item in listed:
                if length > MAX_TEXT:
                    break
                shown.append(_operand(item, ctx))
                length += len(shown[-1].text) + 2
            values = tuple(shown)
            more = [ELLIPSIS] if len(values) < len(listed) else []
            right_text = cut("[" + ", ".join([*(v.text for v in values), *more]) + "]", MAX_TEXT)
        else:
            right_text = "?"
        right = Operand(right_text)
        expression = cut(f"{query.text} in {right_text}", MAX_EXPRESSION)
        return Clause(IN, "in", expression, left=query, right=right, values=values)
    return Clause(kind, None, f"{kind}(?)")


def parse_conditions(raw: Any, ctx: OperandContext) -> tuple[Clause, ...]:
    """The clauses of a Condition step's ``Conditions`` (not a list: none).

    What cannot be read becomes a clause saying so, never an error; only ``ctx`` may raise
    (:class:`~lineage.errors.DefinitionError` for a step's malformed ``PropertyFiles``).

    Pre-order over an explicit stack, then built from the last entry back, so every clause's
    children are built before it.
    """
    top = raw[: MAX_CLAUSES + 1] if isinstance(raw, list) else []
    entries: list[tuple[Any, int]] = []  # (raw entry, depth), pre-order
    children: dict[int, list[int]] = {}  # parent index (-1: the step) -> its entries
    dropped: set[int] = set()  # parents some of whose entries were left out
    stack: list[tuple[Any, int, int]] = [(entry, 0, -1) for entry in reversed(top)]
    while stack:
        entry, depth, parent = stack.pop()
        if len(entries) >= MAX_CLAUSES:
            dropped.add(parent)
            continue
        index = len(entries)
        entries.append((entry, depth))
        children.setdefault(parent, []).append(index)
        if _type_of(entry) in (NOT, OR) and depth < MAX_DEPTH:
            stack.extend((inner, depth + 1, index) for inner in reversed(_inner(entry)))
    built: dict[int, Clause] = {}
    for index in range(len(entries) - 1, -1, -1):
        entry, depth = entries[index]
        kind = _type_of(entry)
        if kind not in (NOT, OR):
            built[index] = _leaf(entry, ctx)
            continue
        inner = tuple(built.pop(child) for child in children.get(index, ()))
        texts = [clause.expression for clause in inner]
        if index in dropped or depth >= MAX_DEPTH:
            texts.append(ELLIPSIS)
        if kind == NOT:
            expression = f"not ({texts[0] if texts else '?'})"
        else:
            expression = " or ".join(f"({text})" for text in texts) or "or()"
        built[index] = Clause(
            kind, kind.lower(), cut(expression, MAX_EXPRESSION), conditions=inner
        )
    return tuple(built[index] for index in children.get(-1, ()))


# (step, key of its run.metrics) -> the number, or None when that step did not report it.
MetricLookup = Callable[[str, str], float | None]


def _value(operand: Operand, metric: MetricLookup) -> ConditionValue:
    if operand.metric is None:
        return operand.value
    return metric(*operand.metric)


def explain(clauses: tuple[Clause, ...], metric: MetricLookup) -> tuple[ConditionClause, ...]:
    """The clauses of the document: each value the definition or the run tells (or None).

    Recursive, but over a tree :func:`parse_conditions` capped at ``MAX_DEPTH`` levels.
    """
    explained = []
    for clause in clauses:
        left = right = None
        left_value: ConditionValue = None
        right_value: ConditionValue | tuple[ConditionValue, ...] = None
        if clause.left is not None and clause.right is not None:
            left, right = clause.left.text, clause.right.text
            left_value = _value(clause.left, metric)
            if clause.values is not None:
                right_value = tuple(_value(operand, metric) for operand in clause.values)
            else:
                right_value = _value(clause.right, metric)
        explained.append(
            ConditionClause(
                type=clause.type,
                operator=clause.operator,
                expression=clause.expression,
                left=left,
                right=right,
                left_value=left_value,
                right_value=right_value,
                conditions=None
                if clause.conditions is None
                else explain(clause.conditions, metric),
            )
        )
    return tuple(explained)


__all__ = [
    "Clause",
    "Operand",
    "OperandContext",
    "explain",
    "parse_conditions",
]
