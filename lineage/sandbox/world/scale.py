"""``scale-pipeline`` (Seoul): 123 steps fanning out and back in over 12 shard buckets.

Sized so paging, layout and the number of Describe* calls are exercised at scale.
"""

from __future__ import annotations

from lineage.sandbox.world.builders import (
    definition,
    execution_output,
    get,
    model_step,
    processing_step,
    training_step,
    transform_step,
)
from lineage.sandbox.world.specs import (
    SEOUL,
    SKLEARN_IMAGE,
    XGBOOST_IMAGE,
    ExecutionSpec,
    JsonDict,
    PipelineSpec,
    at,
)

SCALE_SHARDS = 12
SCALE_SOURCE_BUCKET = "scale-landing-zone"
SCALE_REPORT_BUCKET = "scale-reports"


def scale_bucket(shard: int) -> str:
    return f"scale-shard-{shard:02d}-data"


def scale_definition() -> JsonDict:
    p = "scale-pipeline"
    steps: list[JsonDict] = [
        processing_step(
            "Ingest",
            image=SKLEARN_IMAGE,
            script="ingest.py",
            code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/ingest.py",
            inputs={"landing": f"s3://{SCALE_SOURCE_BUCKET}/landing/"},
            outputs={"staged": execution_output(SCALE_SOURCE_BUCKET, p, "Ingest", "staged")},
        )
    ]
    evals: list[str] = []
    for shard in range(SCALE_SHARDS):
        b, s = scale_bucket(shard), f"{shard:02d}"

        def out(step: str, name: str) -> str:
            return f"Steps.{step}.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri"

        steps.append(
            processing_step(
                f"Split-{s}",
                image=SKLEARN_IMAGE,
                script="split.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/split.py",
                inputs={"staged": get(out("Ingest", "staged"))},
                outputs={"shard": execution_output(b, p, f"Split-{s}", "shard")},
            )
        )
        steps.append(
            processing_step(
                f"Clean-{s}",
                image=SKLEARN_IMAGE,
                script="clean.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/clean.py",
                inputs={"shard": get(out(f"Split-{s}", "shard"))},
                outputs={"clean": execution_output(b, p, f"Clean-{s}", "clean")},
            )
        )
        steps.append(
            processing_step(
                f"Profile-{s}",
                image=SKLEARN_IMAGE,
                script="profile.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/profile.py",
                inputs={"clean": get(out(f"Clean-{s}", "clean"))},
                outputs={"profile": execution_output(b, p, f"Profile-{s}", "profile")},
            )
        )
        steps.append(
            processing_step(
                f"Features-{s}",
                image=SKLEARN_IMAGE,
                script="features.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/features.py",
                inputs={"clean": get(out(f"Clean-{s}", "clean"))},
                outputs={
                    "train": execution_output(b, p, f"Features-{s}", "train"),
                    "test": execution_output(b, p, f"Features-{s}", "test"),
                },
                depends_on=(f"Profile-{s}",),
            )
        )
        for variant in ("A", "B", "C"):
            steps.append(
                training_step(
                    f"Train-{s}-{variant}",
                    image=XGBOOST_IMAGE,
                    channels={"train": get(out(f"Features-{s}", "train"))},
                    output_path=f"s3://{b}/models/{variant.lower()}",
                    hyperparameters={"max_depth": str(3 + "ABC".index(variant) * 2)},
                )
            )
        steps.append(
            processing_step(
                f"Evaluate-{s}",
                image=XGBOOST_IMAGE,
                script="evaluate.py",
                code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/evaluate.py",
                inputs={
                    **{
                        f"model-{v.lower()}": get(
                            f"Steps.Train-{s}-{v}.ModelArtifacts.S3ModelArtifacts"
                        )
                        for v in "ABC"
                    },
                    "test": get(out(f"Features-{s}", "test")),
                },
                outputs={"evaluation": execution_output(b, p, f"Evaluate-{s}", "evaluation")},
            )
        )
        evals.append(f"Evaluate-{s}")
        steps.append(
            model_step(
                f"Model-{s}",
                image=XGBOOST_IMAGE,
                model_data=get(f"Steps.Train-{s}-A.ModelArtifacts.S3ModelArtifacts"),
            )
            | {"DependsOn": [f"Evaluate-{s}"]}
        )
        steps.append(
            transform_step(
                f"Score-{s}",
                model_name=get(f"Steps.Model-{s}.ModelName"),
                data=get(out(f"Features-{s}", "test")),
                output=execution_output(b, p, f"Score-{s}", "scores"),
            )
        )
    steps.append(
        processing_step(
            "Aggregate",
            image=SKLEARN_IMAGE,
            script="aggregate.py",
            code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/aggregate.py",
            inputs={
                name.lower(): get(
                    f"Steps.{name}.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"
                )
                for name in evals
            },
            outputs={"summary": execution_output(SCALE_REPORT_BUCKET, p, "Aggregate", "summary")},
        )
    )
    steps.append(
        processing_step(
            "Publish",
            image=SKLEARN_IMAGE,
            script="publish.py",
            code_uri=f"s3://{SCALE_SOURCE_BUCKET}/code/publish.py",
            inputs={"summary": get(out("Aggregate", "summary"))},
            outputs={"site": f"s3://{SCALE_REPORT_BUCKET}/site/"},
            depends_on=tuple(f"Score-{shard:02d}" for shard in range(SCALE_SHARDS)),
        )
    )
    return definition([], steps)


def scale_metrics() -> dict[str, dict[str, float]]:
    return {
        f"Train-{shard:02d}-{v}": {
            "validation:auc": round(0.70 + 0.01 * shard + 0.005 * i, 4),
            "train:auc": round(0.75 + 0.01 * shard + 0.005 * i, 4),
        }
        for shard in range(SCALE_SHARDS)
        for i, v in enumerate("ABC")
    }


SCALE = PipelineSpec(
    name="scale-pipeline",
    region=SEOUL,
    created=at(days=-7),
    tags={"Project": "scale"},
    definition=scale_definition(),
    executions=(
        ExecutionSpec(
            execution_id="s0c1a2l3e4aa",
            status="Succeeded",
            started=at(hours=-12),
            metrics=scale_metrics(),
        ),
    ),
)
