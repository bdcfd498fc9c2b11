"""ONE table of step types (``lineage.step_types.STEP_TYPES``); every consumer covers every row.

The consumers: the run info reader (each row's metadata kind is one AWS reports), the
dashboard (a shape for each type in the stylesheet and in the legend), and the sandbox, which
plays AWS with a table of its own (it may not import the engine) that must know every type.
A new type added to the engine's table fails here until each of them knows it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest

from dashboard.ui.components.elements import KNOWN_TYPES, type_class
from dashboard.ui.components.legend import shape_entries, shape_svg
from dashboard.ui.components.stylesheet import ARTIFACT_SHAPE, OTHER_SHAPE, TYPE_SHAPES, stylesheet
from lineage.definition import parse_definition
from lineage.render import render_file
from lineage.runinfo import parse_step
from lineage.sandbox.simulate import STEP_HANDLERS
from lineage.step_types import METADATA_KINDS, STEP_TYPES
from tests.helpers import fixture_path

EVERY_TYPE = fixture_path("step-types/every-step-type.json")
BOTOCORE_KINDS = frozenset(
    botocore.session.get_session()
    .get_service_model("sagemaker")
    .shape_for("PipelineExecutionStepMetadata")
    .members  # type: ignore[attr-defined]
)
NEWER = (
    "EMRServerless", "EndpointConfig", "Endpoint", "InferenceComponent", "Lineage",
    "BedrockCustomModel", "BedrockCustomModelDeployment", "BedrockProvisionedModelThroughput",
    "BedrockModelImport",
)


def test_the_table_knows_the_newer_types() -> None:
    assert set(NEWER) <= set(STEP_TYPES)


@pytest.mark.parametrize("step_type", sorted(STEP_TYPES))
def test_every_consumer_covers_every_type(step_type: str) -> None:
    spec = STEP_TYPES[step_type]
    # The run info reader: the metadata AWS reports for it, read by the table's own row.
    assert spec.metadata is not None, f"{step_type}: which step metadata does AWS report?"
    assert spec.metadata.kind in BOTOCORE_KINDS
    assert METADATA_KINDS[spec.metadata.kind] == spec.metadata
    # The dashboard: a shape of its own family, drawn by the stylesheet and the legend.
    assert step_type in KNOWN_TYPES
    shape = TYPE_SHAPES[step_type]
    assert shape not in (OTHER_SHAPE, ARTIFACT_SHAPE) or step_type in ("Model", "CreateModel")
    assert any(rule["selector"] == f".{type_class(step_type)}"
               and rule["style"].get("shape") == shape for rule in stylesheet())
    assert any(step_type in label.split(", ") for _, label in shape_entries())
    assert shape_svg(shape) is not None
    # The sandbox plays every type (its own table, checked from here).
    assert step_type in STEP_HANDLERS


def test_the_stylesheet_and_legend_draw_no_shape_beyond_the_table() -> None:
    legend_shapes = {shape for shape, _ in shape_entries()}
    assert legend_shapes == {*TYPE_SHAPES.values(), OTHER_SHAPE}
    assert set(TYPE_SHAPES) == set(STEP_TYPES) == set(KNOWN_TYPES)


def test_no_type_of_the_definition_is_unknown_and_each_reads_its_locations() -> None:
    parsed = parse_definition(EVERY_TYPE.read_text())
    assert {step.type for step in parsed.steps} == set(STEP_TYPES)
    assert [w for w in parsed.warnings if w.code == "UNKNOWN_STEP_TYPE"] == []
    io = {step.name: ({r.name: r.uri for r in step.inputs}, {r.name: r.uri for r in step.outputs})
          for step in parsed.steps}
    serverless_in, serverless_out = io["SparkServerless"]
    assert serverless_in["entry_point"].startswith("s3://every-step-type-data/")
    assert serverless_out["logs"] == "s3://every-step-type-data/emr-serverless-logs/"
    bedrock_in, bedrock_out = io["FineTuneBedrock"]
    assert bedrock_in["training_data"].startswith("s3://every-step-type-data/bedrock/")
    assert "output" in bedrock_out
    assert io["ImportToBedrock"][0] == {"model_data": "s3://every-step-type-data/bedrock/import/"}
    assert "data_capture" in io["DeployConfig"][1]


def test_a_step_of_each_newer_kind_reads_its_metadata() -> None:
    def summary(kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"StepName": "S", "StepStatus": "Succeeded", "Metadata": {kind: body}}

    arn = "arn:aws:sagemaker:ap-northeast-2:123456789012:endpoint/e"
    now = datetime.now(UTC)
    for kind in ("Endpoint", "EndpointConfig", "InferenceComponent", "BedrockCustomModel"):
        record = parse_step(summary(kind, {"Arn": arn}), now=now, known_kinds=BOTOCORE_KINDS)
        assert record.run.job_arn == arn and record.unknown_kinds == ()
        assert record.describe is None  # no Describe* call: the definition says enough
    serverless = parse_step(
        summary("EMRServerless", {"ApplicationId": "00f", "JobRunId": "j",
                                  "LogFilePath": "s3://b/logs/"}),
        now=now, known_kinds=BOTOCORE_KINDS,
    )
    assert serverless.run.status == "Succeeded" and serverless.describe is None


def test_the_rendered_document_of_every_type_has_no_unknown_type() -> None:
    document = render_file(EVERY_TYPE).to_dict()
    assert "UNKNOWN_STEP_TYPE" not in {w["code"] for w in document["warnings"]}
    assert {node["type"] for node in document["graph"]["nodes"]} == set(STEP_TYPES)
