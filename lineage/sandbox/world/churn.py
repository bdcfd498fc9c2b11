"""``churn-pipeline`` (Seoul): the latest run failed in training, so nothing after it ran."""

from __future__ import annotations

from lineage.sandbox.world.builders import (
    condition_step,
    definition,
    evaluation_report,
    execution_output,
    fail_step,
    get,
    json_get,
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
    PipelineSpec,
    at,
)

CHURN_BUCKET = "churn-data-sse-s3"


def churn_definition() -> JsonDict:
    b, p = CHURN_BUCKET, "churn-pipeline"
    return definition(
        [
            parameter("InputData", "String", f"s3://{b}/input/customers.csv"),
            parameter("AccuracyThreshold", "Float", 0.8),
        ],
        [
            processing_step(
                "PrepareChurnData",
                image=SKLEARN_IMAGE,
                script="prepare.py",
                code_uri=f"s3://{b}/code/prepare.py",
                inputs={"raw": get("Parameters.InputData")},
                outputs={
                    "train": execution_output(b, p, "PrepareChurnData", "train"),
                    "test": execution_output(b, p, "PrepareChurnData", "test"),
                },
            ),
            training_step(
                "TrainChurn",
                image=XGBOOST_IMAGE,
                channels={
                    "train": get(
                        "Steps.PrepareChurnData.ProcessingOutputConfig.Outputs['train']"
                        ".S3Output.S3Uri"
                    )
                },
                output_path=f"s3://{b}/models",
                hyperparameters={"objective": "binary:logistic", "num_round": "100"},
            ),
            processing_step(
                "EvaluateChurn",
                image=XGBOOST_IMAGE,
                script="evaluate.py",
                code_uri=f"s3://{b}/code/evaluate.py",
                inputs={
                    "model": get("Steps.TrainChurn.ModelArtifacts.S3ModelArtifacts"),
                    "test": get(
                        "Steps.PrepareChurnData.ProcessingOutputConfig.Outputs['test']"
                        ".S3Output.S3Uri"
                    ),
                },
                outputs={"evaluation": execution_output(b, p, "EvaluateChurn", "evaluation")},
                property_files=(("ChurnEvaluation", "evaluation", "evaluation.json"),),
            ),
            condition_step(
                "CheckAccuracy",
                kind="GreaterThanOrEqualTo",
                left=json_get(
                    "EvaluateChurn",
                    "ChurnEvaluation",
                    "binary_classification_metrics.accuracy.value",
                ),
                right=get("Parameters.AccuracyThreshold"),
                if_steps=[
                    model_step(
                        "CreateChurnModel",
                        image=XGBOOST_IMAGE,
                        model_data=get("Steps.TrainChurn.ModelArtifacts.S3ModelArtifacts"),
                    )
                ],
                else_steps=[fail_step("ChurnAccuracyTooLow", "Accuracy below threshold")],
            ),
        ],
    )


CHURN_TRAINING_FAILURE = (
    "AlgorithmError: framework error: \nTraceback (most recent call last):\n"
    '  File "/miniconda3/lib/python3.8/site-packages/sagemaker_xgboost_container/'
    'algorithm_mode/train.py", line 226, in train_job\nValueError: '
    "Feature names mismatch: expected 'tenure' in input data, exit code: 1"
)

CHURN = PipelineSpec(
    name="churn-pipeline",
    region=SEOUL,
    created=at(days=-20),
    tags={"Project": "churn", "Owner": "retention-team"},
    definition=churn_definition(),
    executions=(
        ExecutionSpec(
            execution_id="c1h2u3r4n5aa",
            status="Succeeded",
            started=at(days=-5),
            metrics={"TrainChurn": {"validation:auc": 0.78, "train:auc": 0.83}},
            reports={"ChurnEvaluation": evaluation_report(0.78, 0.82)},
        ),
        ExecutionSpec(
            execution_id="c1h2u3r4n5bb",
            status="Failed",
            started=at(hours=-6),
            failures={"TrainChurn": CHURN_TRAINING_FAILURE},
        ),
    ),
)
