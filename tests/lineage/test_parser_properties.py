"""Property tests: whatever the definition, the parser answers or raises DefinitionError.

Hypothesis runs derandomized (see conftest's profile), so a failure reproduces exactly.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.definition import parse_definition
from lineage.errors import DefinitionError
from lineage.graph import build_document
from lineage.models import PipelineInfo
from lineage.render import render_definition
from tests.helpers import fixture_path

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DEFINITIONS = sorted(fixture_path("definitions").glob("*.json"))
STEP_NAMES = st.sampled_from(["A", "B", "C", "Train", "Eval", "", "A.B", "x" * 300])
STEP_TYPES = st.sampled_from(
    [
        "Processing",
        "Training",
        "Condition",
        "RegisterModel",
        "Transform",
        "Tuning",
        "Fail",
        "Lambda",
        "EMR",
        "Teleport",
        "",
        "Model",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["s3://b/k", "s3:/b", "s3://", "'s3://q/x'", "${bucket}", "{Steps.A}"]),
)


def expressions(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    paths = st.sampled_from(
        [
            "Parameters.P",
            "Execution.PipelineExecutionId",
            "Steps.A.ModelArtifacts.S3ModelArtifacts",
            "Steps.B.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri",
            "Steps.A",
            "Steps.",
            "Steps.Train.PropertyFiles.R",
            "Nowhere.X",
            "",
        ]
    )
    return st.one_of(
        st.builds(lambda p: {"Get": p}, paths),
        st.builds(
            lambda on, values: {"Std:Join": {"On": on, "Values": values}},
            st.one_of(st.just("/"), SCALARS),
            st.lists(children, max_size=4),
        ),
        st.builds(
            lambda pf, path: {"Std:JsonGet": {"PropertyFile": pf, "Path": path}},
            children,
            st.text(max_size=10),
        ),
    )


JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
        expressions(children),
    ),
    max_leaves=25,
)


def steps(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {"Name": STEP_NAMES, "Type": STEP_TYPES},
        optional={
            "Arguments": st.one_of(
                JSON,
                st.dictionaries(
                    st.sampled_from(
                        [
                            "ProcessingInputs",
                            "ProcessingOutputConfig",
                            "InputDataConfig",
                            "OutputDataConfig",
                            "Conditions",
                            "IfSteps",
                            "ElseSteps",
                            "ModelMetrics",
                        ]
                    ),
                    st.one_of(JSON, st.lists(children, max_size=3)),
                    max_size=4,
                ),
            ),
            "DependsOn": st.one_of(st.lists(STEP_NAMES, max_size=3), JSON),
            "PropertyFiles": JSON,
        },
    )


STEP = st.recursive(steps(JSON), steps, max_leaves=8)
DEFINITION = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"Steps": st.one_of(st.lists(STEP, max_size=6), JSON)},
        optional={
            "Parameters": st.one_of(
                JSON,
                st.lists(
                    st.fixed_dictionaries(
                        {"Name": st.text(max_size=5)}, optional={"DefaultValue": JSON}
                    )
                ),
            )
        },
    ),
)


def parse_or_definition_error(definition: Any) -> None:
    try:
        parsed = parse_definition(definition)
    except DefinitionError as exc:
        assert exc.message
        return
    document = build_document(parsed, pipeline=PipelineInfo(name="p"), generated_at=NOW)
    json.dumps(document.to_dict())  # always serialisable


@given(DEFINITION)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_json_parses_or_raises_definition_error(definition: Any) -> None:
    parse_or_definition_error(definition)


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_definition_error(text: str) -> None:
    parse_or_definition_error(text)


MUTATIONS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),
        st.sampled_from(["delete", "replace", "self-ref", "cycle", "huge", "list"]),
        JSON,
    ),
    min_size=1,
    max_size=6,
)


def _containers(tree: Any) -> list[Any]:
    found, pending = [], [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, dict | list):
            found.append(node)
            pending.extend(node.values() if isinstance(node, dict) else node)
    return found


def mutate(definition: Any, mutations: list[tuple[int, str, Any]]) -> Any:
    tree = copy.deepcopy(definition)
    for index, kind, value in mutations:
        containers = _containers(tree)
        target = containers[index % len(containers)]
        keys = list(target.keys()) if isinstance(target, dict) else list(range(len(target)))
        if not keys:
            continue
        key = keys[index % len(keys)]
        if kind == "delete":
            del target[key]
        elif kind == "replace":
            target[key] = value
        elif kind == "self-ref" and isinstance(target, dict) and "Name" in target:
            target["DependsOn"] = [target["Name"]]
            target["Arguments"] = {"X": {"Get": f"Steps.{target['Name']}.X"}}
        elif kind == "cycle" and isinstance(target, dict) and "Name" in target:
            target["DependsOn"] = [str(target["Name"]), "A", "B"]
        elif kind == "huge":
            target[key] = "s3://b/" + "k" * 200_000
        else:
            target[key] = [value, target[key]]
    return tree


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
@given(mutations=MUTATIONS)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_real_definitions(path: Path, mutations: list[tuple[int, str, Any]]) -> None:
    parse_or_definition_error(mutate(json.loads(path.read_text()), mutations))


def test_ten_thousand_steps_with_dependency_cycles_finish() -> None:
    count = 10_000

    def step(i: int) -> dict[str, Any]:
        following = f"S{(i + 1) % count}"
        reference = f"Steps.{following}.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"
        return {
            "Name": f"S{i}",
            "Type": "Processing",
            "DependsOn": [following, f"S{i}"],
            "Arguments": {
                "ProcessingInputs": [{"InputName": "in", "S3Input": {"S3Uri": {"Get": reference}}}],
                "ProcessingOutputConfig": {
                    "Outputs": [{"OutputName": "o", "S3Output": {"S3Uri": f"s3://b-{i % 7}/s{i}"}}]
                },
            },
        }

    document = render_definition({"Steps": [step(i) for i in range(count)]}, name="big")
    assert len(document.nodes) == count
    # Self references are dropped; the ring of dependencies is kept whole.
    assert sum(1 for edge in document.edges if edge.via == "dependsOn") == count
