"""``fraud-detection-pipeline`` (Seoul): always running, so a demo has something that moves.

One finished run from :data:`BASE_TIME`, then live runs (:class:`LiveSpec`) dated from the
wall clock, about 14 minutes each: features built in 3 minutes, the two models trained side by
side, compared, and the model created; the next run starts just before that last step.
"""

from __future__ import annotations

from lineage.sandbox.world.builders import (
    definition,
    execution_output,
    get,
    model_step,
    parameter,
    processing_step,
    training_step,
)
from lineage.sandbox.world.specs import (
    SEOUL,
    SKLEARN_IMAGE,
    XGBOOST_IMAGE,
    ExecutionSpec,
    JsonDict,
    LiveSpec,
    PipelineSpec,
    at,
)

FRAUD_BUCKET = "fraud-data-raw"
FRAUD_WORK_BUCKET = "fraud-feature-store-offline"


def fraud_definition() -> JsonDict:
    raw, work, p = FRAUD_BUCKET, FRAUD_WORK_BUCKET, "fraud-detection-pipeline"
    features = "Steps.BuildFeatures.ProcessingOutputConfig.Outputs['{}'].S3Output.S3Uri"
    return definition(
        [parameter("TransactionsUri", "String", f"s3://{raw}/transactions/2025/03/")],
        [
            processing_step(
                "BuildFeatures",
                image=SKLEARN_IMAGE,
                script="features.py",
                code_uri=f"s3://{work}/code/features.py",
                inputs={"transactions": get("Parameters.TransactionsUri")},
                outputs={
                    "train": execution_output(work, p, "BuildFeatures", "train"),
                    "test": execution_output(work, p, "BuildFeatures", "test"),
                },
            ),
            training_step(
                "TrainXGBoost",
                image=XGBOOST_IMAGE,
                channels={"train": get(features.format("train"))},
                output_path=f"s3://{work}/models/xgboost",
                hyperparameters={"objective": "binary:logistic", "scale_pos_weight": "29"},
            ),
            training_step(
                "TrainLinearLearner",
                image="835164637446.dkr.ecr.ap-northeast-2.amazonaws.com/linear-learner:1",
                channels={"train": get(features.format("train"))},
                output_path=f"s3://{work}/models/linear",
                hyperparameters={"predictor_type": "binary_classifier"},
            ),
            processing_step(
                "CompareModels",
                image=SKLEARN_IMAGE,
                script="compare.py",
                code_uri=f"s3://{work}/code/compare.py",
                inputs={
                    "xgboost": get("Steps.TrainXGBoost.ModelArtifacts.S3ModelArtifacts"),
                    "linear": get("Steps.TrainLinearLearner.ModelArtifacts.S3ModelArtifacts"),
                    "test": get(features.format("test")),
                },
                outputs={"report": execution_output(work, p, "CompareModels", "report")},
            ),
            model_step(
                "CreateFraudModel",
                image=XGBOOST_IMAGE,
                model_data=get("Steps.TrainXGBoost.ModelArtifacts.S3ModelArtifacts"),
            )
            | {"DependsOn": ["CompareModels"]},
        ],
    )


FRAUD = PipelineSpec(
    name="fraud-detection-pipeline",
    region=SEOUL,
    created=at(days=-10),
    tags={"Project": "fraud"},
    definition=fraud_definition(),
    executions=(
        ExecutionSpec(
            execution_id="f9r8a7u6d5aa",
            status="Succeeded",
            started=at(days=-1),
            metrics={
                "TrainXGBoost": {"validation:auc": 0.94, "train:auc": 0.97},
                "TrainLinearLearner": {"validation:binary_f_beta": 0.71},
            },
        ),
    ),
    live=LiveSpec(
        ExecutionSpec(
            execution_id="",  # each run's own
            status="Executing",
            started=at(),
            # No pause between steps: at any moment of a run some step is running.
            gap_s=0,
            durations={
                "BuildFeatures": 180,
                "TrainXGBoost": 420,
                "TrainLinearLearner": 300,
                "CompareModels": 240,
                "CreateFraudModel": 15,
            },
            delays={"TrainLinearLearner": 60},
            metrics={
                "TrainXGBoost": {"validation:auc": 0.95, "train:auc": 0.98},
                "TrainLinearLearner": {"validation:binary_f_beta": 0.73},
            },
        ),
    ),
)
