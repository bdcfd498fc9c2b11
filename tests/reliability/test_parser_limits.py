"""The definition parser under hostile definitions: only DefinitionError, and bounded in time.

The property tests (tests/lineage/test_parser_properties.py) explore arbitrary and mutated
definitions; these are the extremes, each with a wall-clock bound far above what it needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from lineage.definition import parse_definition
from lineage.errors import DefinitionError
from lineage.render import render_definition

# Measures time or load: run alone, after the parallel run (make unit).
pytestmark = pytest.mark.serial


def bounded(seconds: float, work: Callable[[], Any]) -> Any:
    started = time.monotonic()
    try:
        result = work()
    except DefinitionError as exc:
        result = exc
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    return result


def nested(depth: int, leaf: Any, wrap: Callable[[Any], Any]) -> Any:
    node = leaf
    for _ in range(depth):
        node = wrap(node)
    return node


def step(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "ProcessingOutputConfig": {
                "Outputs": [{"OutputName": "o", "S3Output": {"S3Uri": f"s3://bucket/{name}"}}]
            }
        },
        **extra,
    }


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        '{"Steps": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "{" * 50_000,
        '"' + "x" * 5_000_000 + '"',
        "\x00" * 1000,
        '{"Steps": [1e99999]}',
    ],
    ids=["brackets", "deep-steps", "braces", "huge-string", "nul", "huge-number"],
)
def test_hostile_text_is_a_definition_error(text: str) -> None:
    result = bounded(5, lambda: parse_definition(text))
    assert isinstance(result, DefinitionError) or result.steps == ()


@pytest.mark.parametrize(
    "wrap",
    [
        lambda inner: {"Std:Join": {"On": "/", "Values": [inner]}},
        lambda inner: {"Std:JsonGet": {"PropertyFile": inner, "Path": "a"}},
        lambda inner: [inner],
        lambda inner: {"k": inner},
    ],
    ids=["join", "jsonget", "list", "dict"],
)
def test_deeply_nested_arguments_as_mapping(wrap: Callable[[Any], Any]) -> None:
    uri = nested(5_000, "s3://bucket/deep", wrap)
    definition = {
        "Steps": [
            step(
                "A",
                Arguments={"ProcessingInputs": [{"InputName": "in", "S3Input": {"S3Uri": uri}}]},
            )
        ]
    }
    result = bounded(10, lambda: parse_definition(definition))
    assert isinstance(result, DefinitionError) or [s.name for s in result.steps] == ["A"]


def test_huge_strings() -> None:
    big = "x" * 5_000_000
    definition = {
        "Steps": [step("A" * 1_000_000), step("B", DependsOn=["A" * 1_000_000], Description=big)],
        "Parameters": [{"Name": "P", "DefaultValue": "s3://b/" + big}],
    }
    result = bounded(10, lambda: render_definition(definition, name="huge"))
    assert isinstance(result, DefinitionError) or len(result.nodes) == 2


def test_self_references_and_cycles() -> None:
    def ref(target: str) -> dict[str, str]:
        return {"Get": f"Steps.{target}.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}

    definition = {
        "Steps": [
            step(
                "A",
                DependsOn=["A", "B"],
                Arguments={
                    "ProcessingInputs": [{"InputName": "i", "S3Input": {"S3Uri": ref("B")}}],
                    "ProcessingOutputConfig": {
                        "Outputs": [{"OutputName": "o", "S3Output": {"S3Uri": ref("A")}}]
                    },
                },
            ),
            step(
                "B",
                DependsOn=["A"],
                Arguments={
                    "ProcessingInputs": [{"InputName": "i", "S3Input": {"S3Uri": ref("A")}}],
                    "ProcessingOutputConfig": {
                        "Outputs": [{"OutputName": "o", "S3Output": {"S3Uri": ref("B")}}]
                    },
                },
            ),
        ]
    }
    document = bounded(5, lambda: render_definition(definition, name="cycle"))
    assert not isinstance(document, DefinitionError)
    edges = {(e["from"], e["to"]) for e in document.to_dict()["graph"]["edges"]}
    assert ("A", "B") in edges and ("B", "A") in edges  # the cycle is kept whole
    assert ("A", "A") not in edges and ("B", "B") not in edges  # self references dropped


@pytest.mark.parametrize(
    ("count", "seconds"),
    [
        pytest.param(1_000, 20),
        pytest.param(10_000, 60),
    ],
)
def test_steps_chained_by_references_in_a_ring(count: int, seconds: float) -> None:

    def chained(i: int) -> dict[str, Any]:
        prior = f"S{(i - 1) % count}"  # S0 reads S9999: one long cycle of Get references
        reference = f"Steps.{prior}.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"
        return step(
            f"S{i}",
            Arguments={
                "ProcessingInputs": [{"InputName": "i", "S3Input": {"S3Uri": {"Get": reference}}}],
                "ProcessingOutputConfig": {
                    "Outputs": [
                        {
                            "OutputName": "o",
                            "S3Output": {
                                "S3Uri": {
                                    "Std:Join": {
                                        "On": "/",
                                        "Values": ["s3://bucket", {"Get": reference}],
                                    }
                                }
                            },
                        }
                    ]
                },
            },
        )

    definition = {"Steps": [chained(i) for i in range(count)]}
    document = bounded(seconds, lambda: render_definition(definition, name="chain"))
    assert not isinstance(document, DefinitionError)
    assert len(document.nodes) == count
