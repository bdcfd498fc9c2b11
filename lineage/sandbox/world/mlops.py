"""``mlops-pipeline`` (Seoul): preprocess, train, evaluate, then register or fail.

Three hand-written runs: ``q7v2m9k3x1ab``, Succeeded on an earlier definition (no CreateModel,
threshold 0.7), its package Approved and deployed (:data:`MLOPS_ENDPOINT`); ``h4d8s2n6p0cd``,
Failed on the else branch (AUCTooLow); ``r3a5pd8rmk8r``, the newest, Succeeded with a cache hit
on Preprocess. Before them, four weeks of history (:mod:`~lineage.sandbox.world.mlops_history`:
32 runs with drifting metrics, two failures, duration outliers, cache hits, one run with an
added step), and between the last two, :data:`~lineage.sandbox.world.mlops_history.EXECUTING_ID`
still Executing: 36 executions in all.
"""

from __future__ import annotations

from lineage.sandbox.world.builders import (
    condition_step,
    definition,
    evaluation_report,
    execution_output,
    fail_step,
    get,
    join,
    json_get,
    model_step,
    parameter,
    processing_step,
    register_step,
    training_step,
)
from lineage.sandbox.world.mlops_history import (
    HISTORY_ADDED_STEP,
    executing_run,
    history_runs,
)
from lineage.sandbox.world.specs import (
    SEOUL,
    SKLEARN_IMAGE,
    XGBOOST_IMAGE,
    EndpointSpec,
    ExecutionSpec,
    JsonDict,
    ModelSpec,
    PipelineSpec,
    StepOutput,
    VariantSpec,
    at,
)

MLOPS_BUCKET = "my-mlops-dev2-v2-main-data"
MLOPS_MODEL_GROUP = "mlops-churn-models"
#: The chain that is clean end to end: its one bucket (KMS, versioned, public access blocked,
#: no policy, no expiring rule, no Macie finding) -> Preprocess -> Train -> q7v2m9k3x1ab's
#: Approved package mlops-churn-models/31 (the history registered 1-30) -> the model
#: mlops-churn-v1 -> this InService endpoint.
MLOPS_ENDPOINT = "mlops-churn-prod"
MLOPS_MODEL = "mlops-churn-v1"


def mlops_definition(
    *, with_create_model: bool = True, threshold: float = 0.75, with_quality_check: bool = False
) -> JsonDict:
    """The definition as of now; ``with_quality_check`` adds the step one run of the history
    tried (a check of Preprocess's train output that nothing waits for)."""
    b, p = MLOPS_BUCKET, "mlops-pipeline"
    model_data = get("Steps.Train.ModelArtifacts.S3ModelArtifacts")
    if_steps = [
        register_step(
            "RegisterModel",
            group=MLOPS_MODEL_GROUP,
            image=XGBOOST_IMAGE,
            model_data=model_data,
            statistics=join(
                get("Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"),
                "evaluation.json",
            ),
            approval=get("Parameters.ModelApprovalStatus"),
        )
    ]
    if with_create_model:
        if_steps.append(model_step("CreateModel", image=XGBOOST_IMAGE, model_data=model_data))
    quality_check = [
        processing_step(
            HISTORY_ADDED_STEP,
            image=SKLEARN_IMAGE,
            script="check_quality.py",
            code_uri=f"s3://{b}/{p}/code/check_quality.py",
            inputs={
                "train": get(
                    "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
                )
            },
            outputs={"report": execution_output(b, p, HISTORY_ADDED_STEP, "report")},
            instance_type=get("Parameters.ProcessingInstanceType"),
            display_name="Check data quality",
        )
    ] if with_quality_check else []
    return definition(
        [
            parameter("ProcessingInstanceType", "String", "ml.m5.xlarge"),
            parameter("TrainingInstanceType", "String", "ml.m5.xlarge"),
            parameter("InputDataUrl", "String", f"s3://{b}/raw/churn/churn.csv"),
            parameter("ModelApprovalStatus", "String", "PendingManualApproval"),
            parameter("AucThreshold", "Float", threshold),
        ],
        [
            processing_step(
                "Preprocess",
                image=SKLEARN_IMAGE,
                script="preprocess.py",
                code_uri=f"s3://{b}/{p}/code/preprocess.py",
                inputs={"input-1": get("Parameters.InputDataUrl")},
                outputs={
                    "train": execution_output(b, p, "Preprocess", "train"),
                    "validation": execution_output(b, p, "Preprocess", "validation"),
                    "test": execution_output(b, p, "Preprocess", "test"),
                },
                instance_type=get("Parameters.ProcessingInstanceType"),
                display_name="Preprocess churn data",
                cache=True,
            ),
            *quality_check,
            training_step(
                "Train",
                image=XGBOOST_IMAGE,
                channels={
                    "train": get(
                        "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
                    ),
                    "validation": get(
                        "Steps.Preprocess.ProcessingOutputConfig.Outputs['validation']"
                        ".S3Output.S3Uri"
                    ),
                },
                output_path=f"s3://{b}/{p}/models",
                instance_type=get("Parameters.TrainingInstanceType"),
                hyperparameters={
                    "objective": "binary:logistic",
                    "eval_metric": "auc",
                    "num_round": "50",
                    "max_depth": "5",
                    "eta": "0.2",
                },
                display_name="Train XGBoost",
            ),
            processing_step(
                "Evaluate",
                image=XGBOOST_IMAGE,
                script="evaluate.py",
                code_uri=f"s3://{b}/{p}/code/evaluate.py",
                inputs={
                    "model": get("Steps.Train.ModelArtifacts.S3ModelArtifacts"),
                    "test": get(
                        "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"
                    ),
                },
                outputs={"evaluation": execution_output(b, p, "Evaluate", "evaluation")},
                instance_type=get("Parameters.ProcessingInstanceType"),
                depends_on=("Preprocess",),
                property_files=(("EvaluationReport", "evaluation", "evaluation.json"),),
            ),
            condition_step(
                "CheckAUC",
                kind="GreaterThanOrEqualTo",
                left=json_get(
                    "Evaluate", "EvaluationReport", "binary_classification_metrics.auc.value"
                ),
                right=get("Parameters.AucThreshold"),
                if_steps=if_steps,
                else_steps=[
                    fail_step(
                        "AUCTooLow",
                        join(
                            "Model AUC is below the threshold",
                            get("Parameters.AucThreshold"),
                            on=" ",
                        ),
                    )
                ],
            ),
        ],
    )


MLOPS = PipelineSpec(
    name="mlops-pipeline",
    region=SEOUL,
    display_name="MLOps churn pipeline",
    description="Preprocess, train, evaluate and register the churn model",
    created=at(days=-30),
    tags={"DomainName": "ml-platform", "Project": "mlops", "Env": "development"},
    model_package_groups=(MLOPS_MODEL_GROUP,),
    definition=mlops_definition(),
    executions=(
        *history_runs(
            mlops_definition(with_create_model=False, threshold=0.7),
            mlops_definition(with_create_model=False, threshold=0.7, with_quality_check=True),
        ),
        ExecutionSpec(
            execution_id="q7v2m9k3x1ab",
            status="Succeeded",
            started=at(days=-3, hours=-2),
            display_name="execution-1740733200000",
            definition=mlops_definition(with_create_model=False, threshold=0.7),
            metrics={"Train": {"validation:auc": 0.81, "train:auc": 0.86}},
            reports={"EvaluationReport": evaluation_report(0.81, 0.84)},
            approval={"RegisterModel": "Approved"},
        ),
        ExecutionSpec(
            execution_id="h4d8s2n6p0cd",
            status="Failed",
            started=at(days=-2, hours=-2),
            display_name="execution-1740819600000",
            outcomes={"CheckAUC": False},
            metrics={"Train": {"validation:auc": 0.71, "train:auc": 0.79}},
            reports={"EvaluationReport": evaluation_report(0.71, 0.76)},
        ),
        executing_run(),
        ExecutionSpec(
            execution_id="r3a5pd8rmk8r",
            status="Succeeded",
            started=at(days=-1, hours=-2),
            display_name="execution-1740906000000",
            parameters={"TrainingInstanceType": "ml.m5.2xlarge"},
            metrics={"Train": {"validation:auc": 0.63, "train:auc": 0.72}},
            reports={"EvaluationReport": evaluation_report(0.87, 0.89)},
            approval={"RegisterModel": "PendingManualApproval"},
            cache_hits={"Preprocess": "h4d8s2n6p0cd"},
        ),
    ),
)

# Deployed from the first run's Approved package (its container names the package).
MLOPS_MODELS = (
    ModelSpec(MLOPS_MODEL, SEOUL, StepOutput("mlops-pipeline", "q7v2m9k3x1ab", "RegisterModel"),
              XGBOOST_IMAGE, at(days=-2, hours=-20)),
)
MLOPS_ENDPOINTS = (
    EndpointSpec(
        MLOPS_ENDPOINT,
        SEOUL,
        (VariantSpec("AllTraffic", MLOPS_MODEL, instance_type="ml.m5.large", instances=1),),
        created=at(days=-2, hours=-19),
        tags={"Env": "production", "Project": "mlops"},
    ),
)
