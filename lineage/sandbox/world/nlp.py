"""``nlp-pipeline`` (us-east-1): the latest run was stopped by a user during fine-tuning."""

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
    HF_IMAGE,
    VIRGINIA,
    ExecutionSpec,
    JsonDict,
    PipelineSpec,
    at,
)

NLP_BUCKET = "nlp-research-us-east-1"


def nlp_definition() -> JsonDict:
    b, p = NLP_BUCKET, "nlp-pipeline"
    return definition(
        [parameter("CorpusUri", "String", f"s3://{b}/corpus/reviews/")],
        [
            processing_step(
                "Tokenize",
                image=HF_IMAGE,
                script="tokenize.py",
                code_uri=f"s3://{b}/code/tokenize.py",
                inputs={"corpus": get("Parameters.CorpusUri")},
                outputs={"tokens": execution_output(b, p, "Tokenize", "tokens")},
                instance_type="ml.c5.2xlarge",
            ),
            training_step(
                "FineTune",
                image=HF_IMAGE,
                channels={
                    "train": get(
                        "Steps.Tokenize.ProcessingOutputConfig.Outputs['tokens'].S3Output.S3Uri"
                    )
                },
                output_path=f"s3://{b}/models",
                instance_type="ml.g5.2xlarge",
                hyperparameters={"epochs": "3", "model_name": "distilbert-base-uncased"},
            ),
            model_step(
                "RegisterNlpModel",
                image=HF_IMAGE,
                model_data=get("Steps.FineTune.ModelArtifacts.S3ModelArtifacts"),
            ),
        ],
    )


NLP = PipelineSpec(
    name="nlp-pipeline",
    region=VIRGINIA,
    created=at(days=-15),
    tags={"Project": "nlp"},
    definition=nlp_definition(),
    executions=(
        ExecutionSpec(
            execution_id="n1l2p3s4t5aa",
            status="Succeeded",
            started=at(days=-4),
            metrics={"FineTune": {"eval:loss": 0.31, "train:loss": 0.22}},
        ),
        ExecutionSpec(
            execution_id="n1l2p3s4t5bb",
            status="Stopped",
            started=at(hours=-3),
            cut_after_s=700,
        ),
    ),
)
